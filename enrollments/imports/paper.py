"""Enrollments an agency collected on paper, checked and priced by the entry form's own service."""

from datetime import date
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from campaign.imports import COMMUNE_CODE, COMMUNE_NAME
from campaign.models import Campaign, Product
from campaign.selectors import campaign_by_code, commune_lookup, current_campaign
from collectors.models import CollectionAgency, Collector
from core.errors import DomainError
from core.excel.importing import Importer, Outcome, change_counts
from core.excel.reader import Field, Row, Table, TableSpec, to_choice, to_code, to_count, to_date, vn_int
from core.excel.writer import Column, table_to_bytes
from core.models import ImportRecord

from ..identity import mask_cccd
from ..models import Channel, Enrollment, Sex, Source, SupportGroup, TargetGroup
from ..services import EnrollmentRequest, PersonData, record_enrollment
from .columns import CCCD, PRODUCT, PRODUCT_LABELS

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
