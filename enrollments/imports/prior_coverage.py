"""People's prior coverage from BHXH's records: CCCD, product and the end of the last coverage.

It can run to hundreds of thousands of rows, so it is checked row by row in Python but
written in bulk: on PostgreSQL with COPY into a temporary table and one INSERT ... ON
CONFLICT, elsewhere with ``bulk_create``/``bulk_update`` in batches.
"""

import io
from datetime import date
from typing import Any

from dateutil.relativedelta import relativedelta
from django.db import connection
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core import clock
from core.errors import DomainError
from core.excel.importing import Importer, Outcome, change_counts
from core.excel.reader import Field, Row, Table, TableSpec, to_date
from core.excel.writer import Column, table_to_bytes
from core.models import ImportRecord

from ..identity import validate_cccd
from ..models import PriorCoverage
from .columns import CCCD, PRODUCT, PRODUCT_LABELS

EARLIEST_COVERAGE_END = date(1990, 1, 1)
PRIOR_COVERAGE = TableSpec(
    gettext_lazy("prior coverage"),
    (
        CCCD,
        PRODUCT,
        Field(
            "end",
            "Ngày hết hạn",
            ("Hạn thẻ đến", "Ngày hết hạn thẻ", "Ngày kết thúc", "Đến ngày", "Hết hạn", "Hạn sử dụng đến", "Đóng đến"),
            to_date,
        ),
    ),
)
TEMP_TABLE = "prior_coverage_import"


class PriorCoverageImport(Importer):
    """CCCD, product and the end of the last coverage: what classifies an enrollment as new, rejoin or renewal."""

    kind = ImportRecord.Kind.PRIOR_COVERAGE
    title = gettext_lazy("Prior coverage")
    specs = (PRIOR_COVERAGE,)
    template_name = "mau-qua-trinh-tham-gia.xlsx"

    def run(self, table: Table, rows: list[Row], *, context: Any, write: bool) -> Outcome:
        problems = []
        latest = clock.today() + relativedelta(years=5)
        clean: list[tuple[str, str, date]] = []
        seen: dict[tuple[str, str], int] = {}
        for row in rows:
            values = row.values
            try:
                cccd = validate_cccd(values["cccd"])
            except DomainError as exc:
                problems.extend(table.problem(row, "cccd", str(m)) for m in exc.errors["cccd"])
                continue
            end = values["end"]
            if not EARLIEST_COVERAGE_END <= end <= latest:
                problems.append(
                    table.problem(
                        row,
                        "end",
                        _("%(date)s is not a plausible end of coverage (from %(first)s to %(last)s).")
                        % {
                            "date": end.strftime("%d/%m/%Y"),
                            "first": EARLIEST_COVERAGE_END.strftime("%d/%m/%Y"),
                            "last": latest.strftime("%d/%m/%Y"),
                        },
                    )
                )
                continue
            key = (cccd, values["product"])
            first = seen.setdefault(key, row.number)
            if first != row.number:
                problems.append(table.problem(row, "cccd", _("Duplicate of row %(row)s.") % {"row": first}))
                continue
            clean.append((cccd, values["product"], end))
        if problems:
            return Outcome(problems=problems)
        if connection.vendor == "postgresql":
            return _prior_coverage_by_copy(clean, write=write)
        return _prior_coverage_in_batches(clean, write=write)

    def template(self, context: Any) -> bytes:
        return table_to_bytes(
            sheet_title="Quá trình tham gia",
            title_lines=["DANH SÁCH THỜI HẠN THAM GIA BHXH TỰ NGUYỆN, BHYT HỘ GIA ĐÌNH (thay dòng VD bằng dữ liệu)"],
            columns=[
                Column("STT", 6, note="Số thứ tự; dòng ghi VD là dòng ví dụ và không được nhập."),
                Column("Số CCCD", 16, "code", note="12 chữ số, nhập dạng văn bản để giữ số 0 đầu."),
                Column("Loại hình", 20, choices=("BHYT hộ gia đình", "BHXH tự nguyện")),
                Column("Ngày hết hạn", 14, "date", note="Ngày kết thúc lần tham gia gần nhất, dd/mm/yyyy."),
            ],
            rows=[["VD", "072085123456", "BHYT hộ gia đình", date(2025, 8, 14)]],
            validation_rows=100_000,
        )


def _prior_coverage_by_copy(rows: list[tuple[str, str, date]], *, write: bool) -> Outcome:
    """COPY the rows into a temporary table, count what is new or different, then upsert only those."""
    table = PriorCoverage._meta.db_table
    now = clock.now()
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS pg_temp.{TEMP_TABLE}")
        cursor.execute(
            f"CREATE TEMPORARY TABLE {TEMP_TABLE} (cccd varchar(12), product varchar(10), last_coverage_end date) "
            "ON COMMIT DROP"
        )
        # The values are checked digits, product codes and ISO dates: nothing to escape for COPY's text format.
        buffer = io.StringIO()
        buffer.writelines(f"{cccd}\t{product}\t{end.isoformat()}\n" for cccd, product, end in rows)
        with cursor.copy(f"COPY {TEMP_TABLE} (cccd, product, last_coverage_end) FROM STDIN") as copy:
            copy.write(buffer.getvalue())
        cursor.execute(
            f"SELECT count(*) FILTER (WHERE p.id IS NULL), "
            f"count(*) FILTER (WHERE p.last_coverage_end <> t.last_coverage_end) "
            f"FROM {TEMP_TABLE} t LEFT JOIN {table} p ON p.cccd = t.cccd AND p.product = t.product"
        )
        added, changed = cursor.fetchone()
        cursor.execute(
            f"SELECT t.cccd, t.product, p.last_coverage_end, t.last_coverage_end FROM {TEMP_TABLE} t "
            f"JOIN {table} p ON p.cccd = t.cccd AND p.product = t.product "
            f"WHERE p.last_coverage_end <> t.last_coverage_end ORDER BY t.cccd, t.product LIMIT 200"
        )
        lines = [_change_line(*found) for found in cursor.fetchall()]
        written = 0
        if write and (added or changed):
            cursor.execute(
                f"INSERT INTO {table} (cccd, product, last_coverage_end, imported_at) "
                f"SELECT cccd, product, last_coverage_end, %s FROM {TEMP_TABLE} "
                f"ON CONFLICT (cccd, product) DO UPDATE "
                f"SET last_coverage_end = EXCLUDED.last_coverage_end, imported_at = EXCLUDED.imported_at "
                f"WHERE {table}.last_coverage_end IS DISTINCT FROM EXCLUDED.last_coverage_end",
                [now],
            )
            written = cursor.rowcount
        cursor.execute(f"DROP TABLE IF EXISTS pg_temp.{TEMP_TABLE}")
    return Outcome(
        counts=change_counts(added=added, changed=changed, unchanged=len(rows) - added - changed),
        lines=lines,
        rows_written=written,
    )


def _prior_coverage_in_batches(rows: list[tuple[str, str, date]], *, write: bool, batch: int = 500) -> Outcome:
    """The same on databases without COPY: look up what is stored in batches, then bulk writes."""
    now = clock.now()
    to_create, to_update, lines = [], [], []
    for start in range(0, len(rows), batch):
        chunk = rows[start : start + batch]
        stored = {
            (c.cccd, c.product): c
            for c in PriorCoverage.objects.filter(cccd__in={cccd for cccd, _p, _e in chunk}).only(
                "pk", "cccd", "product", "last_coverage_end"
            )
        }
        for cccd, product, end in chunk:
            found = stored.get((cccd, product))
            if found is None:
                to_create.append(PriorCoverage(cccd=cccd, product=product, last_coverage_end=end))
            elif found.last_coverage_end != end:
                lines.append(_change_line(cccd, product, found.last_coverage_end, end))
                found.last_coverage_end, found.imported_at = end, now
                to_update.append(found)
    if write:
        PriorCoverage.objects.bulk_create(to_create, batch_size=1000)
        PriorCoverage.objects.bulk_update(to_update, ["last_coverage_end", "imported_at"], batch_size=1000)
    unchanged = len(rows) - len(to_create) - len(to_update)
    return Outcome(
        counts=change_counts(added=len(to_create), changed=len(to_update), unchanged=unchanged),
        lines=sorted(lines)[:200],
        rows_written=len(to_create) + len(to_update) if write else 0,
    )


def _change_line(cccd: str, product: str, before: date, after: date) -> str:
    return f"{cccd} · {PRODUCT_LABELS.get(product, product)}: {before:%d/%m/%Y} → {after:%d/%m/%Y}"
