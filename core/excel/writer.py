"""Streaming .xlsx reports: constant memory, frozen header, widths, formats, no formula injection.

XlsxWriter's constant_memory mode flushes each row as it is written, so a report of
100,000 enrollments uses the memory of one row. Cells that would start a formula
("=", "+", "-", "@", tab, carriage return), headers and title lines included, are written
as text with a leading apostrophe, so a name typed as "=HYPERLINK(...)" cannot run in Excel or LibreOffice.

Import templates use the same writer: a note on each header cell, drop-down lists and
number or date checks where Excel offers them (``validation_rows``), and code columns
(CCCD, commune codes) formatted as text so Excel keeps their leading zeros.
"""

import re
import tempfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import IO

import xlsxwriter
from django.utils import timezone
from xlsxwriter.utility import xl_col_to_name

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
    """The data rows: straight to the sheet's XML in constant-memory mode (``_RowXml``), else cell by cell."""
    if sheet.constant_memory:
        return _RowXml(sheet, columns, formats).write(rows, first)
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


_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f]")
# Text that needs none of the care of ``_RowXml._text``: no markup, control or lookalike escape,
# no formula start, no space at either end.
_NEEDS_CARE = re.compile(r"[&<>\x00-\x1f]|_x|^[=+\-@\s]|\s$|^.{32768}", re.DOTALL)
_ESCAPED_LOOKALIKE = re.compile(r"(_x[0-9a-fA-F]{4}_)")
_EXCEL_EPOCH = datetime(1899, 12, 30)  # serial 60 is Excel's 29/02/1900; dates from 01/03/1900 count from here
MAX_TEXT = 32767  # Excel's longest cell text
CACHED = 50_000  # distinct texts and dates a report writer remembers how to write


class _Memo(dict):
    """``work(key)`` for each key, worked out once and kept for up to CACHED keys (then worked out each time)."""

    def __init__(self, work):
        super().__init__()
        self.work = work

    def __missing__(self, key):
        value = self.work(key)
        if len(self) < CACHED:
            self[key] = value
        return value


class _RowXml:
    """Rows written as the worksheet's XML, the cells XlsxWriter itself would write in constant-memory mode.

    XlsxWriter spends about 30 µs a cell checking and building each one through its public methods;
    a report of 100,000 enrollments has 3 million. Here each row becomes one string appended to the
    file XlsxWriter streams the sheet's rows into, with the same styles, inline strings and
    escaping, and the sheet's dimensions set once at the end. Text starting a formula keeps its
    apostrophe, as everywhere in this writer.
    """

    def __init__(self, sheet, columns: Sequence[Column], formats: dict):
        self.sheet = sheet
        self.columns = columns
        self.letters = [xl_col_to_name(index) for index in range(len(columns))]
        column_style = formats["code"]._get_xf_index()
        self.styles = []  # per column: (style of a number, style of text)
        for column in columns:
            text = f' s="{column_style}"' if column.kind == "code" else ""
            number = formats.get(column.kind) if column.kind != "code" else None
            self.styles.append((f' s="{number._get_xf_index()}"' if number is not None else text, text))
        self.date_style = f' s="{formats["date"]._get_xf_index()}"'
        self.datetime_style = f' s="{formats["datetime"]._get_xf_index()}"'
        self.zone = timezone.get_current_timezone()  # what timezone.localtime would look up per cell

    def write(self, rows: Iterable[Sequence], first: int) -> int:
        sheet = self.sheet
        sheet._write_single_row(first)  # flush the header and title rows XlsxWriter still holds
        out = sheet.fh
        width = len(self.columns)
        cell, text = self._cell, self._text
        # The two cells a report is made of take a short path: text, and a whole number in a number column.
        heads = [f'<c r="{letter}' for letter in self.letters]
        texts = [f'{style} t="inlineStr"><is><t>' for _number, style in self.styles]
        numbers = [
            f"{style}><v>" if column.kind != "code" else None
            for column, (style, _text) in zip(self.columns, self.styles, strict=True)
        ]
        # A report repeats its labels, names, codes and dates row after row: whether a text needs care,
        # and the serial of a date, are worked out once per value.
        simple = _Memo(lambda value: self._plain(value) is None)
        serials = _Memo(_day_serial)
        date_style = self.date_style
        count = 0
        for row_number, values in enumerate(rows, start=first):
            count += 1
            number = row_number + 1
            parts = [f'<row r="{number}">']
            for index, value in enumerate(values[:width]):
                kind = value.__class__
                if kind is str:
                    if not value:
                        continue
                    if simple[value]:
                        parts.append(f'{heads[index]}{number}"{texts[index]}{value}</t></is></c>')
                    else:
                        parts.append(text(f"{self.letters[index]}{number}", self.styles[index][1], value))
                elif kind is int and numbers[index] is not None:
                    parts.append(f'{heads[index]}{number}"{numbers[index]}{value}</v></c>')
                elif kind is date:
                    parts.append(f'{heads[index]}{number}"{date_style}><v>{serials[value]}</v></c>')
                elif value is not None:
                    parts.append(cell(index, value, number))
            parts.append("</row>")
            out.write("".join(parts))
        if count:
            sheet._check_dimensions(first + count - 1, width - 1)
            sheet.previous_row = first + count - 1
        return count

    def _cell(self, index: int, value, number: int) -> str:
        kind = value.__class__
        ref = f"{self.letters[index]}{number}"
        number_style, text_style = self.styles[index]
        if kind is str:
            return self._text(ref, text_style, value) if value else ""
        if kind is bool:
            return f'<c r="{ref}" t="b"><v>{int(value)}</v></c>'
        if isinstance(value, int | float | Decimal):
            if self.columns[index].kind == "code":
                return self._text(ref, text_style, str(value))
            shown = value if kind is int else f"{float(value):.16G}"
            return f'<c r="{ref}"{number_style}><v>{shown}</v></c>'
        if isinstance(value, datetime):
            local = value.astimezone(self.zone) if timezone.is_aware(value) else value
            return f'<c r="{ref}"{self.datetime_style}><v>{_serial(local):.16G}</v></c>'
        if isinstance(value, date):
            return f'<c r="{ref}"{self.date_style}><v>{_day_serial(value)}</v></c>'
        return self._text(ref, text_style, str(value))

    _plain = _NEEDS_CARE.search

    @staticmethod
    def _text(ref: str, style: str, value: str) -> str:
        if value.startswith(FORMULA_STARTS):
            value = "'" + value
        value = value[:MAX_TEXT]
        if "_x" in value:
            value = _ESCAPED_LOOKALIKE.sub(r"_x005F\1", value)
        if _CONTROL.search(value):
            value = _CONTROL.sub(lambda match: f"_x{ord(match.group()):04X}_", value)
        value = value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
        space = ' xml:space="preserve"' if value[:1].isspace() or value[-1:].isspace() else ""
        return f'<c r="{ref}"{style} t="inlineStr"><is><t{space}>{value}</t></is></c>'


def _serial(moment: datetime) -> float:
    """Excel's serial number of a naive moment (days since its epoch, the time as a fraction)."""
    moment = moment.replace(tzinfo=None)
    if moment < datetime(1900, 3, 1):
        from xlsxwriter.utility import _datetime_to_excel_datetime

        return _datetime_to_excel_datetime(moment, False, False)
    delta = moment - _EXCEL_EPOCH
    return delta.days + (delta.seconds + delta.microseconds / 1e6) / 86400


def _day_serial(day: date) -> str:
    """A day's serial as the sheet's XML writes it."""
    return f"{_serial(datetime(day.year, day.month, day.day)):.16G}"


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
