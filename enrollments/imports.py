"""Spreadsheet imports of the enrollments app: people's prior coverage, and enrollments collected on paper.

Prior coverage comes from BHXH's own records and can run to hundreds of thousands of
rows, so it is checked row by row in Python but written in bulk: on PostgreSQL with
COPY into a temporary table and one INSERT ... ON CONFLICT, elsewhere with
``bulk_create``/``bulk_update`` in batches. Paper enrollments are few and go one by one
through ``record_enrollment``, the service of the entry form and the API.
"""

import io
from datetime import date
from typing import Any

from dateutil.relativedelta import relativedelta
from django.db import connection, transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from campaign.imports import COMMUNE_CODE, COMMUNE_NAME
from campaign.models import Campaign, Product
from campaign.selectors import campaign_by_code, commune_lookup, current_campaign
from collectors.models import CollectionAgency, Collector
from core import clock
from core.errors import DomainError
from core.excel.importing import Importer, Outcome, change_counts
from core.excel.reader import Field, Row, Table, TableSpec, to_choice, to_code, to_count, to_date, vn_int
from core.excel.writer import Column, table_to_bytes
from core.models import ImportRecord

from .identity import mask_cccd, validate_cccd
from .models import Channel, Enrollment, PriorCoverage, Sex, Source, SupportGroup, TargetGroup
from .services import EnrollmentRequest, PersonData, record_enrollment

PRODUCT_SPELLINGS = {
    "bhxh_tn": Product.BHXH_TN,
    "BHXH tự nguyện": Product.BHXH_TN,
    "BHXH TN": Product.BHXH_TN,
    "BHXH": Product.BHXH_TN,
    "bhyt_hgd": Product.BHYT_HGD,
    "BHYT hộ gia đình": Product.BHYT_HGD,
    "BHYT HGĐ": Product.BHYT_HGD,
    "BHYT": Product.BHYT_HGD,
}
PRODUCT_LABELS = {Product.BHXH_TN: "BHXH tự nguyện", Product.BHYT_HGD: "BHYT hộ gia đình"}
to_product = to_choice(PRODUCT_SPELLINGS, shown=["BHXH tự nguyện", "BHYT hộ gia đình"])
EARLIEST_COVERAGE_END = date(1990, 1, 1)

CCCD = Field(
    "cccd",
    "Số CCCD",
    ("CCCD", "Số căn cước", "Số căn cước công dân", "Số định danh cá nhân", "Mã định danh", "Số CCCD/ĐDCN"),
    to_code(12),
)
PRODUCT = Field("product", "Loại hình", ("Sản phẩm", "Loại bảo hiểm", "Loại hình tham gia", "Loại"), to_product)


# --- prior coverage -----------------------------------------------------------------------------

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


# --- enrollments collected on paper ----------------------------------------------------------

MAX_PAPER_ROWS = 2000  # each row runs the full entry checks; a larger batch belongs in several files


def _choices(labels: dict[str, str], choices) -> dict[str, str]:
    """Vietnamese labels and the stored codes, both accepted."""
    return {**labels, **{value: value for value in choices.values}}


SEX_LABELS = {"Nam": Sex.MALE, "Nữ": Sex.FEMALE}
TARGET_GROUP_LABELS = {
    "Nông dân": TargetGroup.FARMER,
    "Lao động tự do": TargetGroup.INFORMAL_WORKER,
    "Hộ kinh doanh": TargetGroup.HOUSEHOLD_BUSINESS,
    "Khác": TargetGroup.OTHER,
}
SUPPORT_GROUP_LABELS = {
    "Hộ nghèo": SupportGroup.POOR,
    "Hộ cận nghèo": SupportGroup.NEAR_POOR,
    "Dân tộc thiểu số": SupportGroup.ETHNIC_MINORITY,
    "Khác": SupportGroup.OTHER,
}
CHANNEL_LABELS = {
    "Chợ": Channel.MARKET,
    "Hộ kinh doanh": Channel.HOUSEHOLD_BUSINESS,
    "Tại nhà": Channel.HOME,
    "Tại quầy": Channel.COUNTER,
    "Quầy": Channel.COUNTER,
    "Sự kiện": Channel.EVENT,
    "Khác": Channel.OTHER,
}
PAPER_ENROLLMENTS = TableSpec(
    gettext_lazy("paper enrollments"),
    (
        CCCD,
        Field("full_name", "Họ và tên", ("Họ tên", "Họ và tên người tham gia", "Tên người tham gia")),
        Field("date_of_birth", "Ngày sinh", ("Ngày tháng năm sinh", "Ngày, tháng, năm sinh"), to_date),
        Field("sex", "Giới tính", ("Giới",), to_choice(_choices(SEX_LABELS, Sex), shown=list(SEX_LABELS))),
        Field("phone", "Số điện thoại", ("Điện thoại", "SĐT", "Số ĐT"), to_code(10), required=False, blank=True),
        COMMUNE_CODE,
        COMMUNE_NAME,
        Field(
            "household_code", "Mã hộ gia đình", ("Mã hộ", "Mã HGĐ", "Mã hộ GĐ"), to_code(), required=False, blank=True
        ),
        Field("address", "Địa chỉ", ("Địa chỉ hộ gia đình", "Thôn, ấp"), required=False, blank=True),
        Field(
            "target_group",
            "Đối tượng",
            ("Nhóm đối tượng", "Đối tượng tham gia"),
            to_choice(_choices(TARGET_GROUP_LABELS, TargetGroup), shown=list(TARGET_GROUP_LABELS)),
            required=False,
            blank=True,
        ),
        Field("bhxh_code", "Mã số BHXH", ("Mã BHXH", "Số sổ BHXH"), to_code(10), required=False, blank=True),
        PRODUCT,
        Field("months", "Số tháng", ("Số tháng đóng", "Kỳ đóng (tháng)", "Phương thức đóng (tháng)"), to_count),
        Field(
            "income",
            "Mức thu nhập",
            ("Thu nhập", "Mức thu nhập lựa chọn", "Mức thu nhập làm căn cứ đóng", "Thu nhập tháng"),
            to_count,
            required=False,
            blank=True,
        ),
        Field(
            "support_group",
            "Nhóm hỗ trợ",
            ("Đối tượng hỗ trợ", "Nhóm được hỗ trợ", "Nhóm Nhà nước hỗ trợ"),
            to_choice(_choices(SUPPORT_GROUP_LABELS, SupportGroup), shown=list(SUPPORT_GROUP_LABELS)),
            required=False,
            blank=True,
        ),
        Field(
            "collected_on",
            "Ngày thu",
            ("Ngày thu tiền", "Ngày nộp", "Ngày đóng", "Ngày thu tiền của người dân"),
            to_date,
        ),
        Field("receipt_no", "Số biên lai", ("Biên lai", "Số biên lai thu"), required=False, blank=True),
        Field(
            "channel",
            "Nơi tiếp cận",
            ("Kênh", "Địa điểm thu", "Kênh tiếp cận", "Nơi thu"),
            to_choice(_choices(CHANNEL_LABELS, Channel), shown=list(CHANNEL_LABELS)),
            required=False,
            blank=True,
        ),
        Field(
            "collector",
            "Mã nhân viên thu",
            ("Mã cán bộ thu", "Mã NVT", "Mã CBT", "Mã nhân viên"),
            to_code(),
            required=False,
            blank=True,
        ),
    ),
)
# The service's error keys that name a column of the sheet.
SERVICE_FIELDS = {
    "cccd": "cccd",
    "full_name": "full_name",
    "date_of_birth": "date_of_birth",
    "sex": "sex",
    "phone": "phone",
    "commune_code": "commune_code",
    "household_code": "household_code",
    "target_group": "target_group",
    "bhxh_code": "bhxh_code",
    "product": "product",
    "months": "months",
    "income": "income",
    "support_group": "support_group",
    "collected_on": "collected_on",
    "channel": "channel",
}


class PaperContext:
    def __init__(self, *, agency: CollectionAgency, campaign: Campaign, user):
        self.agency, self.campaign, self.user = agency, campaign, user
        self.collectors = {c.code.upper(): c for c in Collector.objects.filter(agency=agency).select_related("agency")}


class PaperEnrollmentImport(Importer):
    """Enrollments an agency collected on paper, checked and stored by the entry form's own service.

    The same person, product and collection date already recorded by this agency is
    skipped, so a file uploaded twice records nothing the second time.
    """

    kind = ImportRecord.Kind.ENROLLMENTS
    title = gettext_lazy("Paper enrollments")
    specs = (PAPER_ENROLLMENTS,)
    parameters = ("agency", "campaign")
    template_name = "mau-ho-so-giay.xlsx"

    def context(self, *, agency: str = "", campaign: str = "", user=None, **codes) -> PaperContext:
        found = CollectionAgency.objects.filter(code__iexact=(agency or "").strip()).first()
        if found is None:
            raise DomainError({"agency": [_("No agency has the code “%(code)s”.") % {"code": agency or ""}]})
        if campaign:
            running = campaign_by_code(campaign)
        else:
            running = current_campaign()
            if running is None:
                raise DomainError({"campaign": [_("No campaign is running; give the campaign code.")]})
        return PaperContext(agency=found, campaign=running, user=user)

    def codes_of(self, context: PaperContext) -> dict[str, str]:
        return {"agency": context.agency.code, "campaign": context.campaign.code}

    def run(self, table: Table, rows: list[Row], *, context: PaperContext, write: bool) -> Outcome:
        if len(table.rows) > MAX_PAPER_ROWS:
            return Outcome(
                problems=[
                    table.problem(
                        None,
                        None,
                        _("The file has %(count)s rows; split it into files of at most %(limit)s.")
                        % {"count": vn_int(len(table.rows)), "limit": vn_int(MAX_PAPER_ROWS)},
                    )
                ]
            )
        if "commune_code" not in table.columns and "commune_name" not in table.columns:
            message = _("The sheet needs a column %(code)s or %(name)s.") % {"code": "Mã xã", "name": "Tên xã"}
            return Outcome(problems=[table.problem(None, None, message)])
        communes = commune_lookup(province=context.campaign.province)
        problems, lines = [], []
        counts = change_counts(skipped=0)
        seen: dict[tuple, int] = {}
        for row in rows:
            request = self._request(table, row, context, communes, problems)
            if request is None:
                continue
            key = (request.person.cccd, request.product, request.collected_on)
            first = seen.setdefault(key, row.number)
            if first != row.number:
                problems.append(table.problem(row, "cccd", _("Duplicate of row %(row)s.") % {"row": first}))
                continue
            collector = self._collector(table, row, context, problems)
            if collector is None:
                continue
            if self._already_recorded(request, context.agency):
                counts["skipped"] += 1
                continue
            try:
                with transaction.atomic():
                    enrollment = record_enrollment(
                        campaign=context.campaign,
                        collector=collector,
                        request=request,
                        recorded_by=context.user,
                        source=Source.IMPORT,
                    )
            except DomainError as exc:
                for field_name, messages in exc.errors.items():
                    key = SERVICE_FIELDS.get(field_name)
                    problems.extend(table.problem(row, key, str(m)) for m in messages)
                continue
            counts["added"] += 1
            lines.append(self._line(row, enrollment))
        if problems:
            return Outcome(problems=problems)
        return Outcome(counts=counts, lines=lines, rows_written=counts["added"] if write else 0)

    def _request(self, table, row, context, communes, problems) -> EnrollmentRequest | None:
        values = row.values
        commune_text = values.get("commune_code") or values.get("commune_name")
        commune_key = "commune_code" if values.get("commune_code") else "commune_name"
        if not commune_text:
            problems.append(table.problem(row, commune_key, _("Give the commune's code or name.")))
            return None
        try:
            commune = communes.find(commune_text)
        except DomainError as exc:
            problems.extend(table.problem(row, commune_key, m) for m in exc.messages)
            return None
        return EnrollmentRequest(
            person=PersonData(
                cccd=values["cccd"],
                full_name=values["full_name"],
                date_of_birth=values["date_of_birth"],
                sex=values["sex"],
                commune_code=commune.code,
                phone=values.get("phone") or "",
                household_code=values.get("household_code") or "",
                target_group=values.get("target_group") or TargetGroup.OTHER,
                bhxh_code=values.get("bhxh_code") or "",
                address=values.get("address") or "",
            ),
            product=values["product"],
            months=values["months"],
            collected_on=values["collected_on"],
            income=values.get("income"),
            support_group=values.get("support_group")
            or (SupportGroup.OTHER if values["product"] == Product.BHXH_TN else None),
            receipt_no=values.get("receipt_no") or "",
            channel=values.get("channel") or Channel.OTHER,
        )

    @staticmethod
    def _collector(table, row, context: PaperContext, problems: list) -> Collector | None:
        code = row.values.get("collector")
        if code:
            collector = context.collectors.get(code.upper())
            if collector is None:
                problems.append(
                    table.problem(
                        row,
                        "collector",
                        _("Officer %(code)s is not an officer of %(agency)s.")
                        % {"code": code, "agency": context.agency.code},
                    )
                )
            return collector
        active = [c for c in context.collectors.values() if c.active]
        if len(active) == 1:
            return active[0]
        problems.append(
            table.problem(
                row,
                "collector",
                _("Give the code of the officer who collected (%(agency)s has %(count)s active officers).")
                % {"agency": context.agency.code, "count": len(active)},
            )
        )
        return None

    @staticmethod
    def _already_recorded(request: EnrollmentRequest, agency: CollectionAgency) -> bool:
        return Enrollment.objects.filter(
            participant__cccd=request.person.cccd.strip(),
            product=request.product,
            collected_on=request.collected_on,
            agency=agency,
            status=Enrollment.Status.RECORDED,
        ).exists()

    @staticmethod
    def _line(row: Row, enrollment: Enrollment) -> str:
        return _(
            "Row %(row)s: %(name)s (%(cccd)s) · %(product)s · %(months)s months · %(classification)s · %(amount)s ₫"
        ) % {
            "row": row.number,
            "name": enrollment.participant.full_name,
            "cccd": mask_cccd(enrollment.participant.cccd),
            "product": PRODUCT_LABELS[enrollment.product],
            "months": enrollment.months,
            "classification": enrollment.get_classification_display(),
            "amount": vn_int(enrollment.amount_payable),
        }

    def template(self, context: Any) -> bytes:
        columns = [
            Column("STT", 6, note="Dòng ghi VD là dòng ví dụ và không được nhập."),
            Column("Số CCCD", 15, "code", note="12 chữ số, nhập dạng văn bản để giữ số 0 đầu."),
            Column("Họ và tên", 24),
            Column("Ngày sinh", 12, "date", note="dd/mm/yyyy"),
            Column("Giới tính", 9, choices=tuple(SEX_LABELS)),
            Column("Số điện thoại", 13, "code"),
            Column("Mã xã", 9, "code", note="Mã xã, phường 5 chữ số; hoặc ghi tên xã ở cột Tên xã."),
            Column("Tên xã", 20),
            Column("Mã hộ gia đình", 14, "code", note="Cùng một mã cho các thành viên cùng hộ (BHYT hộ gia đình)."),
            Column("Địa chỉ", 24),
            Column("Đối tượng", 16, choices=tuple(TARGET_GROUP_LABELS)),
            Column("Mã số BHXH", 12, "code", note="10 chữ số, nếu có."),
            Column("Loại hình", 18, choices=("BHYT hộ gia đình", "BHXH tự nguyện")),
            Column("Số tháng", 9, "int", note="BHYT: 3, 6 hoặc 12. BHXH tự nguyện: 1, 3, 6 hoặc 12."),
            Column("Mức thu nhập", 14, "int", note="Chỉ cho BHXH tự nguyện, đồng/tháng."),
            Column("Nhóm hỗ trợ", 16, choices=tuple(SUPPORT_GROUP_LABELS), note="Chỉ cho BHXH tự nguyện."),
            Column("Ngày thu", 12, "date", note="Ngày thu tiền, dd/mm/yyyy."),
            Column("Số biên lai", 12),
            Column("Nơi tiếp cận", 14, choices=("Chợ", "Hộ kinh doanh", "Tại nhà", "Tại quầy", "Sự kiện", "Khác")),
            Column("Mã nhân viên thu", 14, "code"),
        ]
        example = [
            "VD", "072085123456", "Nguyễn Văn A", date(1985, 3, 2), "Nam", "0912345678", "25480", "Xã Tân Biên",
            "HGD-0001", "Ấp 1", "Nông dân", None, "BHYT hộ gia đình", 12, None, None, date(2025, 11, 20),
            "BL-000123", "Chợ", "NVT-0001",
        ]  # fmt: skip
        return table_to_bytes(
            sheet_title="Hồ sơ thu",
            title_lines=["DANH SÁCH NGƯỜI THAM GIA THU TRÊN GIẤY (thay dòng VD bằng dữ liệu)"],
            columns=columns,
            rows=[example],
            validation_rows=MAX_PAPER_ROWS,
        )
