"""The database itself refuses to change a published ranking or its entries.

PostgreSQL: no UPDATE or DELETE of a published ranking, no INSERT, UPDATE or DELETE of the
entries of one. The only exception is ``awards.services.purge_demo_rankings``, which sets
``awards.allow_demo_purge`` for its own transaction to delete a demo campaign's rankings.

SQLite (the zero-setup default): no UPDATE of a published ranking, no INSERT or UPDATE of its
entries. Deletes are left to the code there, because Django's test flush on SQLite deletes rows.
Note that SQLite drops a table's triggers when a later migration rebuilds the table: such a
migration must create them again (awards/tests/test_publishing.py fails if they are missing).
"""

from django.db import migrations

POSTGRES_FORWARD = [
    """
CREATE OR REPLACE FUNCTION awards_ranking_frozen() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'DELETE' AND current_setting('awards.allow_demo_purge', true) = 'on' THEN
        RETURN OLD;
    END IF;
    IF OLD.status = 'published' THEN
        RAISE EXCEPTION 'published ranking % never changes; re-open it to make a new version', OLD.id
            USING ERRCODE = 'restrict_violation';
    END IF;
    IF TG_OP = 'DELETE' THEN
        RETURN OLD;
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql
""",
    """
CREATE TRIGGER awards_ranking_frozen
    BEFORE UPDATE OR DELETE ON awards_ranking
    FOR EACH ROW EXECUTE FUNCTION awards_ranking_frozen()
""",
    # Entries are written thousands at a time (COPY): one check per statement, over its transition table.
    """
CREATE OR REPLACE FUNCTION awards_rankingentry_insert_frozen() RETURNS trigger AS $$
BEGIN
    IF EXISTS (
        SELECT 1 FROM inserted_entries e JOIN awards_ranking r ON r.id = e.ranking_id WHERE r.status = 'published'
    ) THEN
        RAISE EXCEPTION 'the entries of a published ranking never change' USING ERRCODE = 'restrict_violation';
    END IF;
    RETURN NULL;
END;
$$ LANGUAGE plpgsql
""",
    """
CREATE OR REPLACE FUNCTION awards_rankingentry_change_frozen() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'DELETE' AND current_setting('awards.allow_demo_purge', true) = 'on' THEN
        RETURN NULL;
    END IF;
    IF EXISTS (
        SELECT 1 FROM previous_entries e JOIN awards_ranking r ON r.id = e.ranking_id WHERE r.status = 'published'
    ) THEN
        RAISE EXCEPTION 'the entries of a published ranking never change' USING ERRCODE = 'restrict_violation';
    END IF;
    RETURN NULL;
END;
$$ LANGUAGE plpgsql
""",
    """
CREATE TRIGGER awards_rankingentry_frozen_insert AFTER INSERT ON awards_rankingentry
    REFERENCING NEW TABLE AS inserted_entries
    FOR EACH STATEMENT EXECUTE FUNCTION awards_rankingentry_insert_frozen()
""",
    """
CREATE TRIGGER awards_rankingentry_frozen_update AFTER UPDATE ON awards_rankingentry
    REFERENCING OLD TABLE AS previous_entries
    FOR EACH STATEMENT EXECUTE FUNCTION awards_rankingentry_change_frozen()
""",
    """
CREATE TRIGGER awards_rankingentry_frozen_delete AFTER DELETE ON awards_rankingentry
    REFERENCING OLD TABLE AS previous_entries
    FOR EACH STATEMENT EXECUTE FUNCTION awards_rankingentry_change_frozen()
""",
]

POSTGRES_BACKWARD = [
    "DROP TRIGGER IF EXISTS awards_rankingentry_frozen_insert ON awards_rankingentry",
    "DROP TRIGGER IF EXISTS awards_rankingentry_frozen_update ON awards_rankingentry",
    "DROP TRIGGER IF EXISTS awards_rankingentry_frozen_delete ON awards_rankingentry",
    "DROP FUNCTION IF EXISTS awards_rankingentry_insert_frozen()",
    "DROP FUNCTION IF EXISTS awards_rankingentry_change_frozen()",
    "DROP TRIGGER IF EXISTS awards_ranking_frozen ON awards_ranking",
    "DROP FUNCTION IF EXISTS awards_ranking_frozen()",
]

SQLITE_FORWARD = [
    """
    CREATE TRIGGER awards_ranking_frozen BEFORE UPDATE ON awards_ranking
    FOR EACH ROW WHEN OLD.status = 'published'
    BEGIN SELECT RAISE(ABORT, 'a published ranking never changes; re-open it to make a new version'); END
    """,
    """
    CREATE TRIGGER awards_rankingentry_frozen_update BEFORE UPDATE ON awards_rankingentry
    FOR EACH ROW WHEN (SELECT status FROM awards_ranking WHERE id = OLD.ranking_id) = 'published'
    BEGIN SELECT RAISE(ABORT, 'the entries of a published ranking never change'); END
    """,
    """
    CREATE TRIGGER awards_rankingentry_frozen_insert BEFORE INSERT ON awards_rankingentry
    FOR EACH ROW WHEN (SELECT status FROM awards_ranking WHERE id = NEW.ranking_id) = 'published'
    BEGIN SELECT RAISE(ABORT, 'the entries of a published ranking never change'); END
    """,
]

SQLITE_BACKWARD = [
    "DROP TRIGGER IF EXISTS awards_rankingentry_frozen_insert",
    "DROP TRIGGER IF EXISTS awards_rankingentry_frozen_update",
    "DROP TRIGGER IF EXISTS awards_ranking_frozen",
]


def _run(schema_editor, postgres: list[str], sqlite: list[str]) -> None:
    statements = {"postgresql": postgres, "sqlite": sqlite}.get(schema_editor.connection.vendor, [])
    for statement in statements:
        schema_editor.execute(statement, params=None)


def forward(apps, schema_editor):
    _run(schema_editor, POSTGRES_FORWARD, SQLITE_FORWARD)


def backward(apps, schema_editor):
    _run(schema_editor, POSTGRES_BACKWARD, SQLITE_BACKWARD)


class Migration(migrations.Migration):
    dependencies = [("awards", "0001_initial")]

    operations = [migrations.RunPython(forward, backward)]
