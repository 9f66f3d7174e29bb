"""Streaming .xlsx reports: constant memory, frozen header, widths, formats, no formula injection.

XlsxWriter's constant_memory mode flushes each row as it is written, so a report of
100,000 enrollments uses the memory of one row. Cells that would start a formula
("=", "+", "-", "@", tab, carriage return), headers and title lines included, are written
as text with a leading apostrophe, so a name typed as "=HYPERLINK(...)" cannot run in Excel or LibreOffice.

Import templates use the same writer: a note on each header cell, drop-down lists and
number or date checks where Excel offers them (``validation_rows``), and code columns
(CCCD, commune codes) formatted as text so Excel keeps their leading zeros.
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
    kind: str = "text"  # text, code, int, money, percent, date, datetime
    note: str = ""  # shown as a comment on the header cell
    choices: tuple[str, ...] = ()  # a drop-down list in templates


def escape_formula(value: str) -> str:
    return "'" + value if value.startswith(FORMULA_STARTS) else value


def new_workbook(target: str | IO[bytes], *, constant_memory: bool = True) -> xlsxwriter.Workbook:
    """A workbook that never turns text into formulas or links; rows flushed as written unless told not to.

    A laid-out form (a header block, sections, subtotals) may pass ``constant_memory=False`` to merge
    cells above rows already written; its strings still go through ``escape_formula``.
    """
    return xlsxwriter.Workbook(
        target,
        {
            "constant_memory": constant_memory,
            "strings_to_formulas": False,
            "strings_to_urls": False,
            "in_memory": False,
        },
    )


def write_table(
    target: str | IO[bytes],
    *,
    sheet_title: str,
    columns: Sequence[Column],
    rows: Iterable[Sequence],
    title_lines: Sequence[str] = (),
    validation_rows: int = 0,
) -> int:
    """Write one sheet: optional title lines, a bold frozen header, then ``rows``; returns the row count.

    ``validation_rows`` > 0 adds Excel's data validation to that many rows under the header.
    """
    workbook = new_workbook(target)
    formats = {
        "header": workbook.add_format({"bold": True, "bg_color": "#DCE6F1", "border": 1, "text_wrap": True}),
        "title": workbook.add_format({"bold": True, "font_size": 13}),
        "int": workbook.add_format({"num_format": "#,##0"}),
        "money": workbook.add_format({"num_format": '#,##0 "₫"'}),
        "percent": workbook.add_format({"num_format": "0.00"}),
        "date": workbook.add_format({"num_format": "dd/mm/yyyy"}),
        "datetime": workbook.add_format({"num_format": "dd/mm/yyyy hh:mm"}),
        "code": workbook.add_format({"num_format": "@"}),
    }
    sheet = workbook.add_worksheet(sheet_title[:31])
    header_row = _write_head(sheet, columns, title_lines, formats)
    if validation_rows:
        _add_validation(sheet, columns, header_row + 1, header_row + validation_rows)
    count = _write_rows(sheet, columns, rows, header_row + 1, formats)
    if count:
        sheet.autofilter(header_row, 0, header_row + count, len(columns) - 1)
    workbook.close()
    return count


def _write_head(sheet, columns: Sequence[Column], title_lines: Sequence[str], formats: dict) -> int:
    """Column widths, the title lines and the bold frozen header; returns the header's row."""
    for index, column in enumerate(columns):
        sheet.set_column(index, index, column.width, formats["code"] if column.kind == "code" else None)
    row_number = 0
    for line in title_lines:
        sheet.write_string(row_number, 0, escape_formula(line), formats["title"])
        row_number += 1
    for index, column in enumerate(columns):
        # Headers too: the rejected-rows file repeats the headers of the user's own sheet.
        sheet.write_string(row_number, index, escape_formula(column.header), formats["header"])
        if column.note:
            sheet.write_comment(row_number, index, column.note, {"x_scale": 2, "y_scale": 1.5})
    sheet.freeze_panes(row_number + 1, 0)
    return row_number


def _write_rows(sheet, columns: Sequence[Column], rows: Iterable[Sequence], first: int, formats: dict) -> int:
    width = len(columns)
    number_formats = [None if c.kind == "code" else formats.get(c.kind) for c in columns]
    write_string, write_number = sheet.write_string, sheet.write_number
    count = 0
    for row_number, values in enumerate(rows, start=first):
        count += 1
        # The common cells (text, whole numbers) take a short path: a report has millions of them.
        for index, value in enumerate(values[:width]):
            kind = value.__class__
            if value is None or value == "":
                continue  # a blank cell without a format is nothing in the file
            if kind is str:
                write_string(row_number, index, "'" + value if value.startswith(FORMULA_STARTS) else value)
            elif kind is int and number_formats[index] is not None:
                write_number(row_number, index, value, number_formats[index])
            else:
                _write_cell(sheet, row_number, index, columns[index], value, formats)
    return count


def _add_validation(sheet, columns: Sequence[Column], first: int, last: int) -> None:
    for index, column in enumerate(columns):
        if column.choices:
            rule = {"validate": "list", "source": list(column.choices)}
        elif column.kind == "int":
            rule = {"validate": "integer", "criteria": ">=", "value": 0}
        elif column.kind == "date":
            rule = {"validate": "date", "criteria": "between", "minimum": date(1900, 1, 1)}
            rule["maximum"] = date(2100, 12, 31)
        else:
            continue
        sheet.data_validation(first, index, last, index, rule | {"error_type": "warning"})


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
    elif isinstance(value, int | float | Decimal) and column.kind != "code":
        sheet.write_number(row, col, float(value), formats.get(column.kind))
    else:
        sheet.write_string(row, col, escape_formula(str(value)))


def table_to_bytes(**kwargs) -> bytes:
    """The same sheet as bytes (for a download), spooled to disk past a few MB."""
    with tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024) as buffer:
        write_table(buffer, **kwargs)
        buffer.seek(0)
        return buffer.read()
