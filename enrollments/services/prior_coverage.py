"""Prior coverage as its import plans it: the end of each person's last coverage before this system."""

import io
from dataclasses import dataclass, field
from datetime import date

from django.db import connection, transaction

from core import clock, freshness
from core.excel.importing import Plan

from ..models import (
    PriorCoverage,
)

# (Kept apart from the enrollment services above: only the prior-coverage import writes here.)
# Who a prior-coverage row names, beside its CCCD, product and end (blank when the file has no such column).
PERSON_FIELDS = ("full_name", "date_of_birth", "sex", "commune_id", "phone", "household_code")


@dataclass(kw_only=True)
class PriorCoveragePlan(Plan):
    """The coverage ends a prior-coverage file stores: new ones, and stored ones it changes."""

    add: list[tuple[str, str, date]] = field(default_factory=list)  # (cccd, product, end)
    change: list[tuple[int, str, str, date, date]] = field(default_factory=list)  # (id, cccd, product, before, after)
    # (cccd, product) → who the person is (imports.prior_people.PriorPerson), when the file says
    people: dict = field(default_factory=dict)


PRIOR_COVERAGE_TEMP_TABLE = "prior_coverage_import"


@transaction.atomic
def upsert_prior_coverage(*, plan: PriorCoveragePlan) -> int:
    """Write a confirmed plan of prior coverage in bulk; how many rows it added or changed."""
    plan.refuse_if_problems()
    if not plan.add and not plan.change:
        return 0
    freshness.bump_on_commit(freshness.SETUP)  # who is due for renewal changed: the dashboards' retention
    if connection.vendor == "postgresql" and not plan.people:
        return _upsert_prior_coverage_by_copy(plan)
    return _upsert_prior_coverage_in_batches(plan)


def _upsert_prior_coverage_by_copy(plan: PriorCoveragePlan) -> int:
    """COPY the rows into a temporary table, then one INSERT ... ON CONFLICT for all of them."""
    table, temp = PriorCoverage._meta.db_table, PRIOR_COVERAGE_TEMP_TABLE
    rows = [*plan.add, *((cccd, product, end) for _pk, cccd, product, _before, end in plan.change)]
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS pg_temp.{temp}")
        cursor.execute(
            f"CREATE TEMPORARY TABLE {temp} (cccd varchar(12), product varchar(10), last_coverage_end date) "
            "ON COMMIT DROP"
        )
        # The values are checked digits, product codes and ISO dates: nothing to escape for COPY's text format.
        buffer = io.StringIO()
        buffer.writelines(f"{cccd}\t{product}\t{end.isoformat()}\n" for cccd, product, end in rows)
        with cursor.copy(f"COPY {temp} (cccd, product, last_coverage_end) FROM STDIN") as copy:
            copy.write(buffer.getvalue())
        cursor.execute(
            f"INSERT INTO {table} (cccd, product, last_coverage_end, imported_at) "
            f"SELECT cccd, product, last_coverage_end, %s FROM {temp} "
            f"ON CONFLICT (cccd, product) DO UPDATE "
            f"SET last_coverage_end = EXCLUDED.last_coverage_end, imported_at = EXCLUDED.imported_at "
            f"WHERE {table}.last_coverage_end IS DISTINCT FROM EXCLUDED.last_coverage_end",
            [clock.now()],
        )
        written = cursor.rowcount
        cursor.execute(f"DROP TABLE IF EXISTS pg_temp.{temp}")
    return written


def _person(plan: PriorCoveragePlan, cccd: str, product: str) -> dict:
    person = plan.people.get((cccd, product))
    return {name: getattr(person, name) for name in PERSON_FIELDS} if person is not None else {}


def _upsert_prior_coverage_in_batches(plan: PriorCoveragePlan) -> int:
    """The ORM's bulk writes: on SQLite, and on PostgreSQL for files that name the people (several columns
    of free text, which COPY's text format would have to escape)."""
    now = clock.now()
    PriorCoverage.objects.bulk_create(
        [
            PriorCoverage(cccd=cccd, product=product, last_coverage_end=end, **_person(plan, cccd, product))
            for cccd, product, end in plan.add
        ],
        batch_size=1000,
    )
    PriorCoverage.objects.bulk_update(
        [
            PriorCoverage(pk=pk, last_coverage_end=end, imported_at=now, **_person(plan, cccd, product))
            for pk, cccd, product, _b, end in plan.change
        ],
        ["last_coverage_end", "imported_at", *(PERSON_FIELDS if plan.people else ())],
        batch_size=1000,
    )
    return len(plan.add) + len(plan.change)
