"""Enrollments an agency collected on paper, checked and priced by the entry form's own service."""

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from campaign.imports import COMMUNE_CODE, COMMUNE_NAME, commune_of, missing_commune_column
from campaign.models import Campaign, Product
from campaign.selectors import CommuneLookup, campaign_by_code, commune_lookup, current_campaign
from collectors.models import CollectionAgency, Collector
from core.errors import DomainError
from core.excel.importing import Importer, Plan, change_counts, duplicates
from core.excel.reader import Field, Problem, Row, Table, TableSpec, to_choice, to_code, to_count, to_date, vn_int
from core.excel.writer import Column, table_to_bytes
from core.models import ImportRecord

from ..classification import Classification
from ..identity import mask_cccd
from ..models import Channel, Enrollment, Source, SupportGroup, TargetGroup
from ..services import EnrollmentRequest, PersonData, Prepared, prepare_enrollment, record_enrollment
from .columns import (
    CCCD,
    HOUSEHOLD_CODE,
    PRODUCT,
    PRODUCT_LABELS,
    SEX_LABELS,
    choices_with_codes,
    person_fields,
)

MAX_PAPER_ROWS = 2000  # each row runs the full entry checks; a larger batch belongs in several files


_choices = choices_with_codes
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
        *person_fields(required=True),
        COMMUNE_CODE,
        COMMUNE_NAME,
        HOUSEHOLD_CODE,
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


@dataclass(frozen=True)
class PaperEntry:
    """A row to record: who collected it, what was asked, and what recording it gives."""

    row: Row
    collector: Collector
    request: EnrollmentRequest
    prepared: Prepared


@dataclass(kw_only=True)
class PaperPlan(Plan):
    table: Table
    entries: list[PaperEntry] = field(default_factory=list)


def plan_paper_enrollments(table: Table, rows: list[Row], *, context: PaperContext) -> PaperPlan:
    """What recording the rows in turn gives (classification, amounts, order in the household), and every problem.

    Each row goes through the entry form's own checks, by reading only: no row is locked,
    no sequence moves. A row sees the rows above it as if they were stored, so two members
    of a household in one file take orders 1 and 2, as recording the file does.
    """
    if len(table.rows) > MAX_PAPER_ROWS:
        message = _("The file has %(count)s rows; split it into files of at most %(limit)s.") % {
            "count": vn_int(len(table.rows)),
            "limit": vn_int(MAX_PAPER_ROWS),
        }
        return PaperPlan(table=table, problems=[table.problem(None, None, message)])
    if problem := missing_commune_column(table):
        return PaperPlan(table=table, problems=[problem])
    communes = commune_lookup(province=context.campaign.province)
    problems: list[Problem] = []
    requests = [(row, request) for row in rows if (request := _request(table, row, communes, problems)) is not None]
    keys = ((row, (request.person.cccd, request.product, request.collected_on)) for row, request in requests)
    repeated = duplicates(table, keys, column="cccd")
    problems += repeated
    repeated_rows = {problem.row for problem in repeated}
    plan = PaperPlan(table=table, counts=change_counts(skipped=0))
    earlier: list[Prepared] = []  # the rows above, as if stored
    for row, request in requests:
        if row.number in repeated_rows:
            continue
        collector = _collector(table, row, context, problems)
        if collector is None:
            continue
        if _already_recorded(request, context.agency):
            plan.counts["skipped"] += 1
            continue
        try:
            prepared = prepare_enrollment(
                campaign=context.campaign, request=request, collector=collector, earlier=earlier
            )
        except DomainError as exc:
            problems += _service_problems(table, row, exc)
            continue
        earlier.append(prepared)
        plan.entries.append(PaperEntry(row, collector, request, prepared))
        plan.lines.append(_line(row, prepared.request, prepared.classification, prepared.quote.amount_payable))
    if problems:
        return PaperPlan(table=table, problems=problems)
    plan.counts["added"] = len(plan.entries)
    return plan


def record_paper_enrollments(plan: PaperPlan, *, context: PaperContext) -> int:
    """Record a plan's rows in turn through ``record_enrollment``; a refusal met now goes on ``plan.problems``."""
    plan.lines, recorded = [], 0
    for entry in plan.entries:
        try:
            with transaction.atomic():
                enrollment = record_enrollment(
                    campaign=context.campaign,
                    collector=entry.collector,
                    request=entry.request,
                    recorded_by=context.user,
                    source=Source.IMPORT,
                )
        except DomainError as exc:
            plan.problems += _service_problems(plan.table, entry.row, exc)
            continue
        recorded += 1
        plan.lines.append(
            _line(entry.row, entry.prepared.request, enrollment.classification, enrollment.amount_payable)
        )
    return recorded


def _request(table: Table, row: Row, communes: CommuneLookup, problems: list[Problem]) -> EnrollmentRequest | None:
    commune = commune_of(table, row, communes, problems)
    if commune is None:
        return None
    values = row.values
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


def _collector(table: Table, row: Row, context: PaperContext, problems: list[Problem]) -> Collector | None:
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


def _already_recorded(request: EnrollmentRequest, agency: CollectionAgency) -> bool:
    return Enrollment.objects.filter(
        participant__cccd=request.person.cccd.strip(),
        product=request.product,
        collected_on=request.collected_on,
        agency=agency,
        status=Enrollment.Status.RECORDED,
    ).exists()


def _service_problems(table: Table, row: Row, exc: DomainError) -> list[Problem]:
    """The service's refusal of a row, in the columns its fields are typed in."""
    return [
        table.problem(row, SERVICE_FIELDS.get(field_name), str(message))
        for field_name, messages in exc.errors.items()
        for message in messages
    ]


def _line(row: Row, request: EnrollmentRequest, classification: str, amount: int) -> str:
    return _(
        "Row %(row)s: %(name)s (%(cccd)s) · %(product)s · %(months)s months · %(classification)s · %(amount)s ₫"
    ) % {
        "row": row.number,
        "name": request.person.full_name.strip(),
        "cccd": mask_cccd(request.person.cccd),
        "product": PRODUCT_LABELS[request.product],
        "months": request.months,
        "classification": Classification(classification).label,
        "amount": vn_int(amount),
    }


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
    # Room for a banner, blank rows and signatures around the 2.000 rows; a longer sheet is not read at all.
    max_rows = 2 * MAX_PAPER_ROWS

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

    def plan(self, table: Table, rows: list[Row], *, context: PaperContext) -> PaperPlan:
        return plan_paper_enrollments(table, rows, context=context)

    def write(self, plan: PaperPlan, *, context: PaperContext) -> int:
        return record_paper_enrollments(plan, context=context)

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
