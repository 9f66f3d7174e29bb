"""Reading the spreadsheets people type: bytes in, plain rows and row-level problems out.

Real sheets put a title banner and merged cells above the header ("BẢO HIỂM XÃ HỘI TỈNH
TÂY NINH", a date line), spell headers with or without diacritics, in any case, with
stray spaces and line breaks, type numbers as text with Vietnamese separators ("1.200"),
hold formulas (their computed values are used), dates as Excel dates or "dd/mm/yyyy"
text, empty rows and columns, a total row ("Tổng cộng") and a signature block at the
bottom, and several sheets. This module finds the table in all that and turns each row
into a dict of plain values; what a value means (an agency code, a week) is for the
import of the app that owns the data.

Pure: no database and no settings. File-level refusals (not a spreadsheet, too large,
a zip bomb, no sheet with the expected header) raise ``SpreadsheetRefused``; problems
of single cells and rows are collected in ``Table.problems`` with their sheet row and
column, so a user sees all of them at once.

python-calamine reads .xlsx about ten times faster than openpyxl, and also .xls, .xlsb
and .ods; formulas come back as the values Excel computed and stored.
"""

import re
from collections.abc import Hashable, Sequence
from dataclasses import dataclass

from django.utils.translation import gettext as _

from .cells import (  # noqa: F401 (the reader's public names, used by every import)
    CellError,
    column_letter,
    header_keys,
    normalize,
    show,
    to_choice,
    to_code,
    to_count,
    to_date,
    to_text,
    vn_int,
)
from .extents import check_sheet_sizes
from .files import SpreadsheetRefused, check_file, too_large_message  # noqa: F401
from .files import sheets as _sheets
from .tables import ColumnPattern, Field, Problem, Row, Table, TableSpec

HEADER_SCAN_ROWS = 40
# Words that open the total row ("Tổng cộng", "Cộng", "Tổng số", ...), without diacritics and spaces.
TOTAL_WORDS = frozenset({"tong", "tongcong", "tongso", "cong", "total", "toantinh", "tongtoantinh"})
# Lines of the signature block under a Vietnamese report: the table ends there.
_FOOTER = re.compile(r"^(nguoilap|thutruong|giamdoc|ketoan|xacnhan|ghichu|kinhgui|noinhan)|ngay\d{0,2}thang\d{0,2}nam")
# The "STT" (row number) column; a template's example row carries "VD" (ví dụ) there and is skipped.
ROW_NUMBER_HEADERS = frozenset({"stt", "tt", "sott", "sothutu"})
EXAMPLE_MARKS = frozenset({"vd", "vidu", "example", "mau"})


@dataclass
class _HeaderMatch:
    spec: TableSpec
    sheet: str
    row: int  # 0-based index of the header's (last) row
    headers: list[str]
    columns: dict[Hashable, int]
    patterned: dict[Hashable, ColumnPattern]
    missing: list[Field]
    duplicates: list[tuple[str, int, int]]
    row_number_column: int | None

    @property
    def complete(self) -> bool:
        return not self.missing and (not self.spec.patterns or bool(self.patterned))

    @property
    def score(self) -> int:
        return len(self.columns)


def _cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return to_text(value)
    return " ".join(str(value).split())


def _match_headers(spec: TableSpec, sheet: str, index: int, headers: list[str]) -> _HeaderMatch:
    by_name = spec.by_name
    columns: dict[Hashable, int] = {}
    patterned: dict[Hashable, ColumnPattern] = {}
    duplicates, row_number_column = [], None
    for column, text in enumerate(headers):
        if not text:
            continue
        keys = header_keys(text)
        found = next((by_name[k] for k in keys if k in by_name), None)
        key: Hashable | None = found.key if found else None
        if key is None:
            for pattern in spec.patterns:
                match = next((m for k in keys if (m := pattern.regex.fullmatch(k))), None)
                if match:
                    key = pattern.key(match)
                    patterned[key] = pattern
                    break
        if key is None:
            if keys & ROW_NUMBER_HEADERS and row_number_column is None:
                row_number_column = column
            continue
        if key in columns:
            duplicates.append((text, columns[key], column))
        else:
            columns[key] = column
    missing = [f for f in spec.required if f.key not in columns]
    return _HeaderMatch(spec, sheet, index, headers, columns, patterned, missing, duplicates, row_number_column)


def _fill_merged_across(row: list[str]) -> list[str]:
    """The upper row of a two-row header: a merged "Tuần 1" over two columns applies to both."""
    filled, last = [], ""
    for text in row:
        last = text or last
        filled.append(last)
    return filled


def _find_header(specs: Sequence[TableSpec], sheet: str, grid: list[list]) -> _HeaderMatch | None:
    """The first row (or pair of rows) whose cells name every required column of one of ``specs``."""
    best = None
    texts = [[_cell_text(v) for v in row] for row in grid[:HEADER_SCAN_ROWS]]
    for index, row in enumerate(texts):
        if not any(row):
            continue
        candidates = [row]
        if index and any(texts[index - 1]):
            upper = _fill_merged_across(texts[index - 1]) + [""] * len(row)
            candidates.append([" ".join(p for p in (upper[i], row[i]) if p) for i in range(len(row))])
        for headers in candidates:
            for spec in specs:
                found = _match_headers(spec, sheet, index, headers)
                if found.complete:
                    return found
                if best is None or found.score > best.score:
                    best = found
    return best


# --- reading --------------------------------------------------------------------------------


def read_table(
    data: bytes,
    specs: Sequence[TableSpec],
    *,
    max_bytes: int,
    max_unpacked_bytes: int,
    max_rows: int,
    max_columns: int,
) -> Table:
    """Find the first sheet whose header matches one of ``specs`` and read its rows.

    Every sheet's size is checked against ``max_rows`` and ``max_columns`` before any is read.
    """
    check_file(data, max_bytes=max_bytes, max_unpacked_bytes=max_unpacked_bytes)
    check_sheet_sizes(data, max_rows=max_rows, max_columns=max_columns)
    best = None
    for sheet, grid in _sheets(data):
        found = _find_header(specs, sheet, grid)
        if found is None:
            continue
        if found.complete:
            if found.duplicates:
                text, first, second = found.duplicates[0]
                raise SpreadsheetRefused(
                    _("Sheet “%(sheet)s”: the column %(header)s appears twice (%(first)s and %(second)s).")
                    % {"sheet": sheet, "header": text, "first": column_letter(first), "second": column_letter(second)}
                )
            return _read_rows(found, grid)
        if best is None or found.score > best.score:
            best = found
    raise SpreadsheetRefused(_no_header_message(specs, best))


def _no_header_message(specs: Sequence[TableSpec], best: _HeaderMatch | None) -> str:
    if best is None or not best.columns:
        return _("No sheet has the header row this import needs (%(columns)s). Download the template to see it.") % {
            "columns": ", ".join(f.header for f in specs[0].required)
        }
    if best.missing:
        return _("Sheet “%(sheet)s”, header row %(row)s: the column(s) %(columns)s are missing.") % {
            "sheet": best.sheet,
            "row": best.row + 1,
            "columns": ", ".join(f.header for f in best.missing),
        }
    return _("Sheet “%(sheet)s”, header row %(row)s: no column for any week (such as “%(example)s”).") % {
        "sheet": best.sheet,
        "row": best.row + 1,
        "example": "Tuần 1 - BHXH TN",
    }


def _is_total_or_footer(cells: list) -> str:
    """ "total" for a total row, "footer" for the signature block under the table, "" otherwise."""
    for first in cells:
        if first != "" and first is not None:
            break
    if not isinstance(first, str) or not first[:1].isalpha():
        return ""
    word = normalize(first[:60])
    if word in TOTAL_WORDS or word.startswith("tongcong"):
        return "total"
    if _FOOTER.search(word):
        return "footer"
    return ""


def _is_example(cells: list, column: int | None) -> bool:
    if column is None or column >= len(cells):
        return False
    value = cells[column]
    return isinstance(value, str) and normalize(value) in EXAMPLE_MARKS


def _present(cells: list, column: int) -> bool:
    return column < len(cells) and cells[column] != "" and cells[column] is not None


def _readers(found: _HeaderMatch) -> list[tuple]:
    """(key, column, convert, blank allowed, checked against the total row) for each column found."""
    fields = {f.key: f for f in found.spec.fields}
    readers = []
    for key, column in found.columns.items():
        if key in fields:
            readers.append((key, column, fields[key].convert, fields[key].blank, fields[key].total))
        else:
            pattern = found.patterned[key]
            readers.append((key, column, pattern.convert, True, pattern.total))
    return readers


def _row_values(readers: list[tuple], cells: list, number: int, headers: list[str], problems: list) -> dict:
    """One row's plain values; a cell that is empty where it must not be, or unreadable, becomes a problem."""
    values = {}
    for key, column, convert, blank, _total in readers:
        raw = cells[column] if column < len(cells) else ""
        if raw == "" or (raw.__class__ is str and not raw.strip()):
            values[key] = None
            if not blank:
                problems.append(Problem(_("The cell is empty; it needs a value."), number, column, headers[column]))
            continue
        try:
            values[key] = convert(raw)
        except CellError as exc:
            values[key] = None
            problems.append(Problem(str(exc), number, column, headers[column]))
    return values


def _read_rows(found: _HeaderMatch, grid: list[list]) -> Table:
    spec = found.spec
    table = Table(spec=spec, sheet=found.sheet, header_row=found.row + 1, headers=found.headers, columns=found.columns)
    readers = _readers(found)
    required_columns = [found.columns[f.key] for f in spec.required]
    total_cells = None
    for index in range(found.row + 1, len(grid)):
        cells, number = grid[index], index + 1
        kind = "empty" if cells.count("") == len(cells) else _is_total_or_footer(cells)
        if kind == "footer":
            break
        if kind == "total" and total_cells is None:
            total_cells, table.total_row = cells, number
        if kind in ("empty", "total"):
            continue
        if _is_example(cells, found.row_number_column):
            table.skipped_examples += 1
        elif total_cells is not None:
            if all(_present(cells, column) for column in required_columns):
                table.problems.append(
                    Problem(_("This row is below the total row; move it above or delete it."), row=number)
                )
        else:
            values = _row_values(readers, cells, number, found.headers, table.problems)
            table.rows.append(Row(number, values, cells))
    if total_cells is not None:
        _check_totals(table, readers, total_cells)
    return table


def _check_totals(table: Table, readers, total_cells: list) -> None:
    """Where the total row has a number, it must be the sum of the rows above."""
    bad_cells = {(p.row, p.column) for p in table.problems}
    for key, column, convert, _blank, total in readers:
        if not total or not _present(total_cells, column):
            continue
        try:
            stated = convert(total_cells[column])
        except CellError:
            continue
        if any((row.number, column) in bad_cells for row in table.rows):
            continue  # a bad cell above: its own message says what to fix first
        actual = sum(row.values.get(key) or 0 for row in table.rows)
        if stated != actual:
            table.problems.append(
                Problem(
                    _("The total row says %(stated)s, but the rows above add up to %(actual)s.")
                    % {"stated": vn_int(stated), "actual": vn_int(actual)},
                    table.total_row,
                    column,
                    table.headers[column],
                )
            )
