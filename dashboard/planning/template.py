"""The suggestions as the quota import's own sheet, pre-filled: the admin edits it and uploads it.

The long form of ``collectors.imports`` (a row per agency and week): its headers are taken from
the import's table definition, so the file is read back by the same import without a mapping.
The file holds every active agency of the province, because an upload replaces the whole
week's quotas: an agency left out would lose its quota for that week.
"""

from campaign.models import Product
from collectors.imports.quotas import QUOTAS_LONG
from core.excel.writer import Column, table_to_bytes

from .selectors import WeekPlan

_FIELDS = {f.key: f for f in QUOTAS_LONG.fields}


def _columns(plan: WeekPlan) -> list[Column]:
    week = plan.week
    period = f"{week.start_date:%d/%m}–{week.end_date:%d/%m/%Y}"
    count_note = "Số người gợi ý; sửa nếu cần. Để trống hoặc 0 nếu không giao chỉ tiêu."
    return [
        Column("STT", 6),
        Column(_FIELDS["agency"].header, 18, "code"),
        Column("Tên tổ chức dịch vụ thu", 30),
        Column(_FIELDS["week"].header, 8, "int", note=f"Tuần {week.number}: {period}."),
        Column(_FIELDS[Product.BHXH_TN].header, 14, "int", note=count_note),
        Column(_FIELDS[Product.BHYT_HGD].header, 14, "int", note=count_note),
    ]


def suggestions_file(plan: WeekPlan) -> bytes:
    """The coming week's suggested quotas in the quota import's long form; needs ``plan.week``."""
    week = plan.week
    period = f"{week.start_date:%d/%m}–{week.end_date:%d/%m/%Y}"
    rows = [
        [
            number,
            row.agency.code,
            row.agency.name,
            week.number,
            row.suggested[Product.BHXH_TN],
            row.suggested[Product.BHYT_HGD],
        ]
        for number, row in enumerate(plan.agencies, start=1)
    ]
    return table_to_bytes(
        sheet_title=f"Chỉ tiêu tuần {week.number}",
        title_lines=[
            f"GỢI Ý CHỈ TIÊU TUẦN {week.number} ({period}) — {plan.campaign.name}",
            f"Tính ngày {plan.today:%d/%m/%Y}: phần còn thiếu của mỗi xã chia đều cho số ngày đến "
            f"{plan.campaign.target_date:%d/%m/%Y}, chia cho các tổ chức phục vụ xã theo số người mỗi tổ chức "
            "đã vận động được ở xã.",
            "Sửa số nếu cần rồi tải lên ở mục Nhập Excel → Chỉ tiêu tuần: tệp thay toàn bộ chỉ tiêu của tuần này.",
        ],
        columns=_columns(plan),
        rows=rows,
        validation_rows=max(len(rows), 200),
    )


def suggestions_file_name(plan: WeekPlan) -> str:
    return f"goi-y-chi-tieu-tuan-{plan.week.number}.xlsx"
