"""Backup and restore of a campaign's database: the demo campaign dumped, restored into an empty database of the
test's own, and every table counted on both sides (PostgreSQL, pg_dump / pg_restore of the server's version)."""

import io
import json
from datetime import date

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.utils import translation

from core.backup import Target
from demo.data import seed_demo

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def english():
    """The commands' messages in English, whatever language an earlier test left active."""
    with translation.override("en"):
        yield


@pytest.fixture
def empty_database():
    """A database name of this test run's own; dropped afterwards (only it, never another)."""
    name = f"{connection.settings_dict['NAME']}_restored"
    yield name
    with Target.default("postgres").connect(autocommit=True) as server:
        server.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def counts_of(cursor, tables) -> dict[str, int]:
    result = {}
    for table in tables:
        cursor.execute(f'SELECT count(*) FROM "{table}"')
        result[table] = cursor.fetchone()[0]
    return result


def run(*args) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command(*args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_the_demo_campaign_is_backed_up_and_restored_with_every_row(
    settings, tmp_path, empty_database, default_policies
):
    settings.APP_TODAY = date(2025, 12, 10)
    seed_demo(enrollment_scale=0.02)
    tables = connection.introspection.table_names()
    with connection.cursor() as cursor:
        before = counts_of(cursor, tables)
    assert before["enrollments_enrollment"] > 300 and before["awards_rankingentry"] > 100
    assert before["campaign_commune"] == 96 and before["awards_ranking"] > 0

    dump = tmp_path / "bhxh.dump"
    said, _ = run("backup_database", str(dump))
    assert f"Backed up {len(tables)} tables" in said and dump.stat().st_size > 10_000

    said, _ = run("restore_database", str(dump), "--into", empty_database, "--create")
    assert said.startswith(f"Restored {len(tables)} tables, {sum(before.values())} rows, into {empty_database}")
    with Target.default(empty_database).connect() as restored, restored.cursor() as cursor:
        cursor.execute("SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'")
        assert sorted(row[0] for row in cursor.fetchall()) == sorted(tables)
        assert counts_of(cursor, tables) == before
        # The database's own guards came back too: a published ranking still cannot be changed.
        cursor.execute("SELECT id FROM awards_ranking WHERE status = 'published' LIMIT 1")
        (published,) = cursor.fetchone()
        with pytest.raises(Exception, match="published"):
            cursor.execute("UPDATE awards_ranking SET fingerprint = 'x' WHERE id = %s", [published])


def test_a_restore_never_goes_over_a_database_with_tables(tmp_path, empty_database):
    dump = tmp_path / "bhxh.dump"
    run("backup_database", str(dump))
    with pytest.raises(CommandError, match="never over the one the app is using"):
        run("restore_database", str(dump), "--into", connection.settings_dict["NAME"])
    run("restore_database", str(dump), "--into", empty_database, "--create")
    with pytest.raises(CommandError, match="already has tables; restore into an empty one"):
        run("restore_database", str(dump), "--into", empty_database)


def test_a_restore_that_finds_other_counts_than_the_backup_says_which_and_fails(tmp_path, empty_database):
    dump = tmp_path / "bhxh.dump"
    run("backup_database", str(dump))
    manifest = tmp_path / "bhxh.dump.counts.json"
    kept = json.loads(manifest.read_text())
    restored_migrations = kept["tables"]["django_migrations"]
    kept["tables"]["django_migrations"] += 1  # as if a row had been lost on the way
    manifest.write_text(json.dumps(kept))
    errors = io.StringIO()
    with pytest.raises(CommandError, match="1 tables differ from the backup"):
        call_command("restore_database", str(dump), "--into", empty_database, "--create", stderr=errors)
    assert errors.getvalue().strip() == (
        f"django_migrations: {restored_migrations + 1} rows in the backup, {restored_migrations} restored"
    )
