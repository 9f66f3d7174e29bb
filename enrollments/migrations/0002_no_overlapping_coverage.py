"""On PostgreSQL, the database itself refuses overlapping coverage of one person and product.

The service checks first (for a clear message) under a row lock; this exclusion
constraint is the last guard when two officers record at the same moment. SQLite
has no such constraint and serialises writers instead.
"""

from django.db import migrations

ADD = """
CREATE EXTENSION IF NOT EXISTS btree_gist;
ALTER TABLE enrollments_enrollment ADD CONSTRAINT enrollment_no_overlapping_coverage
    EXCLUDE USING gist (
        participant_id WITH =,
        product WITH =,
        daterange(coverage_start, coverage_end, '[]') WITH &&
    ) WHERE (status = 'recorded');
"""
DROP = "ALTER TABLE enrollments_enrollment DROP CONSTRAINT IF EXISTS enrollment_no_overlapping_coverage;"


def add_constraint(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(ADD)


def drop_constraint(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [("enrollments", "0001_initial")]

    operations = [migrations.RunPython(add_constraint, drop_constraint)]
