"""Streaming .xlsx reports: constant memory, frozen header, widths, formats, no formula injection.

XlsxWriter's constant_memory mode flushes each row as it is written, so a report of
100,000 enrollments uses the memory of one row. Cells that would start a formula
("=", "+", "-", "@", tab, carriage return) are written as text with a leading
apostrophe, so a name typed as "=HYPERLINK(...)" cannot run in Excel or LibreOffice.
"""

import tempfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import IO

import xlsxwriter
from django.utils import timezone

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@dataclass(frozen=True)
class Column:
    header: str
    width: float = 14
    kind: str = "text"  # text, int, money, percent, date, datetime


def escape_formula(value: str) -> str:
    return "'" + value if value.startswith(FORMULA_STARTS) else value


def write_table(
    target: str | IO[bytes],
    *,
    sheet_title: str,
    columns: Sequence[Column],
    rows: Iterable[Sequence],
    title_lines: Sequence[str] = (),
) -> int:
    """Write one sheet: optional title lines, a bold frozen header, then ``rows``; returns the row count."""
    workbook = xlsxwriter.Workbook(
        target,
        {"constant_memory": True, "strings_to_formulas": False, "strings_to_urls": False, "in_memory": False},
    )
    formats = {
        "header": workbook.add_format({"bold": True, "bg_color": "#DCE6F1", "border": 1, "text_wrap": True}),
        "title": workbook.add_format({"bold": True, "font_size": 13}),
        "int": workbook.add_format({"num_format": "#,##0"}),
        "money": workbook.add_format({"num_format": '#,##0 "₫"'}),
        "percent": workbook.add_format({"num_format": "0.00"}),
        "date": workbook.add_format({"num_format": "dd/mm/yyyy"}),
        "datetime": workbook.add_format({"num_format": "dd/mm/yyyy hh:mm"}),
    }
    sheet = workbook.add_worksheet(sheet_title[:31])
    for index, column in enumerate(columns):
        sheet.set_column(index, index, column.width)
    row_number = 0
    for line in title_lines:
        sheet.write_string(row_number, 0, escape_formula(line), formats["title"])
        row_number += 1
    for index, column in enumerate(columns):
        sheet.write_string(row_number, index, column.header, formats["header"])
    sheet.freeze_panes(row_number + 1, 0)
    header_row = row_number
    count = 0
    for values in rows:
        row_number += 1
        count += 1
        for index, (column, value) in enumerate(zip(columns, values, strict=False)):
            _write_cell(sheet, row_number, index, column, value, formats)
    if count:
        sheet.autofilter(header_row, 0, row_number, len(columns) - 1)
    workbook.close()
    return count


def _write_cell(sheet, row: int, col: int, column: Column, value, formats) -> None:
    if value is None or value == "":
        sheet.write_blank(row, col, None)
    elif isinstance(value, bool):
        sheet.write_boolean(row, col, value)
    elif isinstance(value, datetime):
        local = timezone.localtime(value) if timezone.is_aware(value) else value
        sheet.write_datetime(row, col, local.replace(tzinfo=None), formats["datetime"])
    elif isinstance(value, date):
        sheet.write_datetime(row, col, datetime(value.year, value.month, value.day), formats["date"])
    elif isinstance(value, int | float | Decimal):
        sheet.write_number(row, col, float(value), formats.get(column.kind))
    else:
        sheet.write_string(row, col, escape_formula(str(value)))


def table_to_bytes(**kwargs) -> bytes:
    """The same sheet as bytes (for a download), spooled to disk past a few MB."""
    with tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024) as buffer:
        write_table(buffer, **kwargs)
        buffer.seek(0)
        return buffer.read()
