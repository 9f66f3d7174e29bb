"""A list as an .xlsx laid out like the paper form: header block, numbered columns, sections, totals."""

from datetime import date, datetime
from decimal import Decimal
from typing import IO

from campaign.templatetags.vn_format import vn_number
from core.excel.writer import escape_formula, new_workbook

from ..models import Form
from . import layout
from .rows import DeclarationList, ListRow, Totals

_FORMATS = {
    "title": {"bold": True, "font_size": 13, "align": "center"},
    "bold": {"bold": True},
    "italic": {"italic": True},
    "right": {"align": "right"},
    "center": {"align": "center"},
    "heading": {"bold": True, "border": 1, "text_wrap": True, "align": "center", "valign": "vcenter"},
    "label": {"italic": True, "border": 1, "align": "center"},
    "section": {"bold": True, "border": 1},
    "text": {"border": 1},
    "int": {"border": 1, "num_format": "0"},
    "money": {"border": 1, "num_format": "#,##0"},
    "pct": {"border": 1, "num_format": "0.##"},
    "date": {"border": 1, "num_format": "dd/mm/yyyy"},
    "total_text": {"bold": True, "border": 1},
    "total_money": {"bold": True, "border": 1, "num_format": "#,##0"},
}


class _Sheet:
    def __init__(self, workbook, listing: DeclarationList):
        self.listing = listing
        self.columns = layout.COLUMNS[Form(listing.form)]
        self.sheet = workbook.add_worksheet(layout.TITLES[Form(listing.form)][0][4:])
        self.f = {name: workbook.add_format(spec) for name, spec in _FORMATS.items()}
        self.row = 0
        self.last = len(self.columns) - 1

    def text(self, col: int, value: str, fmt: str | None = None) -> None:
        self.sheet.write_string(self.row, col, escape_formula(value), self.f[fmt] if fmt else None)

    def line(self, left: str, right: str = "", fmt: str | None = None) -> None:
        self.text(0, left, fmt)
        if right:
            self.text(self.last, right, "right")
        self.row += 1

    def banner(self, value: str, fmt: str) -> None:
        self.sheet.merge_range(self.row, 0, self.row, self.last, escape_formula(value), self.f[fmt])
        self.row += 1

    def header_block(self) -> None:
        listing, header = self.listing, self.listing.header
        code, title = layout.TITLES[Form(listing.form)]
        self.line(f"Tên đơn vị: {listing.agency.name}", code, "bold")
        self.line(f"Mã đơn vị: {listing.agency.code}", layout.BASIS)
        self.line(f"Cơ quan BHXH: {header.get('office', '')}")
        if listing.form == Form.D03:
            self.line(f"Mã số thuế: {header.get('tax_code', '')}")
            self.line(f"Địa chỉ: {header.get('address', '')}")
            self.line(f"Điện thoại: {header.get('phone', '')}    Email: {header.get('email', '')}")
            self.line(f"Đối tượng tham gia: {layout.PARTICIPANT_GROUP}")
            self.line(f"Nguồn đóng: {layout.FUNDING_SOURCE}")
            self.line(f"Mức lương cơ sở: {vn_number(listing.base_salary)} đồng")
            self.line("Tỷ lệ NSNN hỗ trợ: 0%")
        self.banner(title, "title")
        period = f"Từ ngày {listing.period_from:%d/%m/%Y} đến ngày {listing.period_to:%d/%m/%Y}"
        if listing.batch_number:
            period += f" - Đợt số {listing.batch_number}"
        self.banner(period, "center")
        self.line("", "Đơn vị tính: đồng")

    def headings(self) -> None:
        for col, column in enumerate(self.columns):
            self.sheet.set_column(col, col, column.width)
            self.text(col, column.heading, "heading")
        self.sheet.set_row(self.row, 45)
        self.row += 1
        for col, column in enumerate(self.columns):
            self.text(col, column.label, "label")
        self.row += 1
        self.sheet.freeze_panes(self.row, 0)

    def cell(self, col: int, kind: str, value) -> None:
        fmt = self.f[kind]
        if value is None or value == "":
            self.sheet.write_blank(self.row, col, None, fmt)
        elif isinstance(value, date) and not isinstance(value, datetime):
            self.sheet.write_datetime(self.row, col, datetime(value.year, value.month, value.day), fmt)
        elif isinstance(value, int | Decimal) and kind != "text":
            self.sheet.write_number(self.row, col, float(value) if isinstance(value, Decimal) else value, fmt)
        else:
            self.sheet.write_string(self.row, col, escape_formula(str(value)), self.f["text"])

    def section(self, title: str, rows: list[ListRow], total_title: str) -> None:
        self.sheet.merge_range(self.row, 0, self.row, self.last, title, self.f["section"])
        self.row += 1
        for number, row in enumerate(rows, start=1):
            for col, column in enumerate(self.columns):
                self.cell(col, column.kind, column.value(row, number))
            self.row += 1
        self.total_row(total_title, Totals.of(rows))

    def total_row(self, title: str, totals: Totals) -> None:
        for col, column in enumerate(self.columns):
            if col == 1:
                self.text(col, title, "total_text")
            elif col == 2:
                self.text(col, f"{totals.people} người", "total_text")
            elif column.total:
                self.sheet.write_number(self.row, col, getattr(totals, column.total), self.f["total_money"])
            else:
                self.sheet.write_blank(self.row, col, None, self.f["total_text"])
        self.row += 1

    def footer(self) -> None:
        self.row += 1
        if self.listing.form == Form.D05:
            self.line(f"Số sổ BHXH đề nghị cấp: {self.listing.books_asked}")
        self.line("", "......, ngày ..... tháng ..... năm .......")
        self.line("Người lập biểu", "Thủ trưởng đơn vị", "bold")
        self.line("(Ký, ghi rõ họ tên)", "(Ký, họ tên, đóng dấu)", "italic")


def write_declaration(target: str | IO[bytes], listing: DeclarationList) -> None:
    workbook = new_workbook(target, constant_memory=False)
    sheet = _Sheet(workbook, listing)
    sheet.header_block()
    sheet.headings()
    sheet.section(layout.ADDED, listing.added, layout.ADDED_TOTAL)
    sheet.section(layout.REMOVED, listing.removed, layout.REMOVED_TOTAL)
    sheet.total_row(layout.GRAND_TOTAL, listing.totals)
    sheet.footer()
    sheet.sheet.set_landscape()
    sheet.sheet.fit_to_pages(1, 0)
    workbook.close()
