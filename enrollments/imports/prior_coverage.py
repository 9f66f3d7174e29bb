"""People's prior coverage from BHXH's records: CCCD, product and the end of the last coverage.

It can run to hundreds of thousands of rows, so it is checked row by row in Python, compared
with what is stored in one query on PostgreSQL (in batches elsewhere), and written in bulk by
``upsert_prior_coverage``: COPY and one INSERT ... ON CONFLICT on PostgreSQL.
"""

from datetime import date
from typing import Any

from dateutil.relativedelta import relativedelta
from django.db import connection
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from campaign.imports import COMMUNE_CODE, COMMUNE_NAME
from campaign.selectors import commune_lookup
from core import clock
from core.errors import DomainError
from core.excel.importing import STORED_LINES, Importer, change_counts, duplicates
from core.excel.reader import Field, Problem, Row, Table, TableSpec, to_date
from core.excel.writer import Column, table_to_bytes
from core.models import ImportRecord

from ..identity import validate_cccd
from ..models import PriorCoverage
from ..services import PriorCoveragePlan, upsert_prior_coverage
from .columns import CCCD, HOUSEHOLD_CODE, PRODUCT, PRODUCT_LABELS, SEX_LABELS, person_fields
from .prior_people import PERSON_FIELDS, PriorPerson, differs, has_person_columns, merged, person_of

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
        *person_fields(required=False),
        COMMUNE_CODE,
        COMMUNE_NAME,
        HOUSEHOLD_CODE,
    ),
)


def _valid_cccd(table: Table, row: Row, problems: list[Problem]) -> str | None:
    """The row's CCCD, checked against the row's birth date and sex when the file has them."""
    values = row.values
    try:
        return validate_cccd(values["cccd"], date_of_birth=values.get("date_of_birth"), sex=values.get("sex"))
    except DomainError as exc:
        for key, messages in exc.errors.items():
            column = key if key in table.columns else "cccd"
            problems.extend(table.problem(row, column, str(m)) for m in messages)
        return None


def plan_prior_coverage(table: Table, rows: list[Row]) -> PriorCoveragePlan:
    """The people's coverage ends the rows add or change, and every problem; writes nothing."""
    problems: list[Problem] = []
    latest = clock.today() + relativedelta(years=5)
    clean: list[tuple[Row, str, str, date]] = []
    with_people = has_person_columns(table)
    communes = commune_lookup() if with_people else None
    people: dict[tuple[str, str], PriorPerson] = {}
    for row in rows:
        values = row.values
        cccd = _valid_cccd(table, row, problems)
        if cccd is None:
            continue
        person = person_of(table, row, communes, problems) if with_people else None
        if person is not None and person.given():
            people[(cccd, values["product"])] = person
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
        clean.append((row, cccd, values["product"], end))
    problems += duplicates(table, ((row, (cccd, product)) for row, cccd, product, _e in clean), column="cccd")
    if problems:
        return PriorCoveragePlan(problems=problems)
    wanted = [(cccd, product, end) for _row, cccd, product, end in clean]
    if people:
        return _changes_in_batches(wanted, people=people)
    if connection.vendor == "postgresql":
        return _changes_in_one_query(wanted)
    return _changes_in_batches(wanted)


def _changes_in_one_query(rows: list[tuple[str, str, date]]) -> PriorCoveragePlan:
    """On PostgreSQL: the rows go in as three columns, and only those new or different come back.

    Each column travels as one comma-joined text (checked digits, product codes, ISO dates:
    no comma in them), which costs half of what 300,000 array elements cost to send.
    """
    columns = [
        ",".join(cccd for cccd, _p, _e in rows),
        ",".join(product for _c, product, _e in rows),
        ",".join(end.isoformat() for _c, _p, end in rows),
    ]
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT t.n, p.id, p.last_coverage_end "
            f"FROM unnest(string_to_array(%s, ','), string_to_array(%s, ','), string_to_array(%s, ',')::date[]) "
            f"WITH ORDINALITY AS t (cccd, product, last_coverage_end, n) "
            f"LEFT JOIN {PriorCoverage._meta.db_table} p ON p.cccd = t.cccd AND p.product = t.product "
            f"WHERE p.id IS NULL OR p.last_coverage_end <> t.last_coverage_end",
            columns,
        )
        found = cursor.fetchall()  # only the row's place comes back: the values are in ``rows`` already
    plan = PriorCoveragePlan()
    for number, pk, before in found:
        cccd, product, end = rows[number - 1]
        if pk is None:
            plan.add.append(rows[number - 1])
        else:
            plan.change.append((pk, cccd, product, before, end))
    return _counted(plan, len(rows))


def _changes_in_batches(
    rows: list[tuple[str, str, date]], *, people: dict | None = None, batch: int = 500
) -> PriorCoveragePlan:
    """Elsewhere, or when the file names the people: what is stored, a batch of CCCD numbers at a time."""
    plan = PriorCoveragePlan()
    people = people or {}
    for start in range(0, len(rows), batch):
        chunk = rows[start : start + batch]
        stored = {
            (c.cccd, c.product): c
            for c in PriorCoverage.objects.filter(cccd__in={cccd for cccd, _p, _e in chunk}).only(
                "pk", "cccd", "product", "last_coverage_end", *PERSON_FIELDS
            )
        }
        for cccd, product, end in chunk:
            found, person = stored.get((cccd, product)), people.get((cccd, product))
            if found is None:
                plan.add.append((cccd, product, end))
            elif found.last_coverage_end != end or (person is not None and differs(found, person)):
                plan.change.append((found.pk, cccd, product, found.last_coverage_end, end))
                person = merged(found, person) if person is not None else None
            if person is not None:
                plan.people[(cccd, product)] = person
    return _counted(plan, len(rows))


def _counted(plan: PriorCoveragePlan, rows: int) -> PriorCoveragePlan:
    plan.counts = change_counts(
        added=len(plan.add), changed=len(plan.change), unchanged=rows - len(plan.add) - len(plan.change)
    )
    changed = sorted(plan.change, key=lambda change: change[1:3])[:STORED_LINES]
    plan.lines = [_change_line(cccd, product, before, after) for _pk, cccd, product, before, after in changed]
    return plan


def _change_line(cccd: str, product: str, before: date, after: date) -> str:
    return f"{cccd} · {PRODUCT_LABELS.get(product, product)}: {before:%d/%m/%Y} → {after:%d/%m/%Y}"


class PriorCoverageImport(Importer):
    """CCCD, product and the end of the last coverage: what classifies an enrollment as new, rejoin or renewal."""

    kind = ImportRecord.Kind.PRIOR_COVERAGE
    title = gettext_lazy("Prior coverage")
    specs = (PRIOR_COVERAGE,)
    template_name = "mau-qua-trinh-tham-gia.xlsx"

    def plan(self, table: Table, rows: list[Row], *, context: Any) -> PriorCoveragePlan:
        return plan_prior_coverage(table, rows)

    def write(self, plan: PriorCoveragePlan, *, context: Any) -> int:
        return upsert_prior_coverage(plan=plan)

    def template(self, context: Any) -> bytes:
        return table_to_bytes(
            sheet_title="Quá trình tham gia",
            title_lines=["DANH SÁCH THỜI HẠN THAM GIA BHXH TỰ NGUYỆN, BHYT HỘ GIA ĐÌNH (thay dòng VD bằng dữ liệu)"],
            columns=[
                Column("STT", 6, note="Số thứ tự; dòng ghi VD là dòng ví dụ và không được nhập."),
                Column("Số CCCD", 16, "code", note="12 chữ số, nhập dạng văn bản để giữ số 0 đầu."),
                Column("Loại hình", 20, choices=("BHYT hộ gia đình", "BHXH tự nguyện")),
                Column("Ngày hết hạn", 14, "date", note="Ngày kết thúc lần tham gia gần nhất, dd/mm/yyyy."),
                Column("Họ và tên", 24, note="Không bắt buộc: để liệt kê và gọi người chỉ có trong danh sách này."),
                Column("Ngày sinh", 12, "date", note="Không bắt buộc; nếu có, phải khớp với số CCCD."),
                Column("Giới tính", 9, choices=tuple(SEX_LABELS), note="Không bắt buộc; nếu có, phải khớp với CCCD."),
                Column("Mã xã", 9, "code", note="Không bắt buộc: mã xã, phường 5 chữ số (hoặc cột Tên xã)."),
                Column("Số điện thoại", 13, "code", note="Không bắt buộc."),
                Column("Mã hộ gia đình", 14, "code", note="Không bắt buộc."),
            ],
            rows=[
                [
                    "VD",
                    "072085123456",
                    "BHYT hộ gia đình",
                    date(2025, 8, 14),
                    "Nguyễn Văn A",
                    date(1985, 3, 2),
                    "Nam",
                    "25480",
                    "0912345678",
                    "HGD-0001",
                ]
            ],
            validation_rows=100_000,
        )
