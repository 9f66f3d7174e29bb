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

import io
import re
import unicodedata
import zipfile
from collections.abc import Callable, Hashable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from functools import cached_property

from django.utils.translation import gettext as _
from python_calamine import CalamineError, CalamineWorkbook, SheetVisibleEnum

from core.errors import DomainError

ZIP_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # .xls (and password-protected .xlsx)
HEADER_SCAN_ROWS = 40
MAX_ZIP_MEMBERS = 2000
EXCEL_EPOCH = date(1899, 12, 30)

# Words that open the total row ("Tổng cộng", "Cộng", "Tổng số", ...), without diacritics and spaces.
TOTAL_WORDS = frozenset({"tong", "tongcong", "tongso", "cong", "total", "toantinh", "tongtoantinh"})
# Lines of the signature block under a Vietnamese report: the table ends there.
_FOOTER = re.compile(r"^(nguoilap|thutruong|giamdoc|ketoan|xacnhan|ghichu|kinhgui|noinhan)|ngay\d{0,2}thang\d{0,2}nam")
# The "STT" (row number) column; a template's example row carries "VD" (ví dụ) there and is skipped.
ROW_NUMBER_HEADERS = frozenset({"stt", "tt", "sott", "sothutu"})
EXAMPLE_MARKS = frozenset({"vd", "vidu", "example", "mau"})


class SpreadsheetRefused(DomainError):
    """The file as a whole cannot be imported: nothing of it is read."""

    def __init__(self, messages):
        super().__init__({"file": messages if isinstance(messages, list) else [messages]})


class CellError(ValueError):
    """A converter's refusal of one cell; the message says what to type instead."""


# --- text ---------------------------------------------------------------------------


def _ascii_table() -> dict[int, str | None]:
    """Latin letters with diacritics (all of Vietnamese's) to their bare letter; combining marks dropped."""
    table: dict[int, str | None] = {ord("đ"): "d", ord("Đ"): "D"}
    for code in (*range(0xC0, 0x250), *range(0x1E00, 0x1F00)):
        bare = "".join(c for c in unicodedata.normalize("NFD", chr(code)) if not unicodedata.combining(c))
        if bare.isascii() and bare != chr(code):
            table[code] = bare
    table.update(dict.fromkeys(range(0x300, 0x370)))
    return table


_TO_ASCII = _ascii_table()
_NOT_ALNUM = re.compile(r"[^0-9a-z]+")


def normalize(text) -> str:
    """Lower case ASCII letters and digits only: "Mã đại lý\\n(TCDVT)" -> "madailytcdvt"."""
    return _NOT_ALNUM.sub("", unicodedata.normalize("NFC", str(text)).translate(_TO_ASCII).lower())


def header_keys(text: str) -> set[str]:
    """The normalized forms a header may match: as typed, and without a note in brackets ("Dân số (người)")."""
    keys = {normalize(text)}
    bare = re.sub(r"\([^)]*\)|\[[^]]*\]", "", text)
    if bare != text:
        keys.add(normalize(bare))
    return keys - {""}


def vn_int(number: int) -> str:
    """1263600 -> "1.263.600", for messages."""
    return f"{number:,}".replace(",", ".")


def column_letter(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def show(value) -> str:
    """A cell's value as the user typed it, for a message."""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, datetime):
        return value.strftime("%d/%m/%Y %H:%M") if value.time() != time(0) else value.strftime("%d/%m/%Y")
    if isinstance(value, date):
        return value.strftime("%d/%m/%Y")
    return f"“{value}”" if isinstance(value, str) else str(value)


# --- converters: raw cell value -> plain value, or CellError ----------------------------------


def to_text(value) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime | date):
        return show(value)
    return " ".join(str(value).split())


def to_code(digits: int = 0) -> Callable:
    """An identifier made of digits (CCCD, commune or phone number) or letters (an agency code).

    Excel drops the leading zeros of a code typed into a number cell ("072085123456" becomes
    72085123456); ``digits`` puts them back for numbers shorter than the code's length.
    """

    def convert(value) -> str:
        if isinstance(value, float | int) and not isinstance(value, bool):
            if not float(value).is_integer():
                raise CellError(_("%(value)s is not a code; type the code as text.") % {"value": show(value)})
            text = str(int(value))
            return text.zfill(digits) if digits and len(text) < digits else text
        return "".join(str(value).split())

    return convert


_GROUPED = re.compile(r"-?\d{1,3}(?:([., ])\d{3})(?:\1\d{3})*")
# "1,5", "1.200,5", "1,200.5": numbers, but not whole ones.
_DECIMAL = re.compile(r"-?(?:\d{1,3}(?:[., ]\d{3})+|\d+)[.,]\d+")


def to_count(value) -> int:
    """A whole number of people, from a number cell or text such as "1.200", "1,200" or "1 200"."""
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise CellError(_("%(value)s is not a number.") % {"value": show(value)})
    if isinstance(value, str):
        text = value.strip().replace("\u00a0", " ")
        if _GROUPED.fullmatch(text):
            number = int(re.sub(r"[., ]", "", text))
        elif re.fullmatch(r"-?\d+", text):
            number = int(text)
        elif _DECIMAL.fullmatch(text):
            raise CellError(_("%(value)s is not a whole number; a count has no decimals.") % {"value": show(value)})
        else:
            raise CellError(_("%(value)s is not a number; write it like 1.200 or 1200.") % {"value": show(value)})
    elif isinstance(value, float):
        if not value.is_integer():
            raise CellError(_("%(value)s is not a whole number; a count has no decimals.") % {"value": show(value)})
        number = int(value)
    else:
        number = value
    if number < 0:
        raise CellError(_("%(value)s is negative; a count cannot be.") % {"value": show(value)})
    return number


_DATE_TEXT = re.compile(r"(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})")
_ISO_DATE = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})")


def to_date(value) -> date:
    """An Excel date, a date typed as text (dd/mm/yyyy, dd-mm-yyyy, dd.mm.yyyy, yyyy-mm-dd), or a date serial."""
    if type(value) is date:
        return value
    if isinstance(value, datetime):
        return value.date()
    try:
        if isinstance(value, str):
            text = value.strip()
            if match := _DATE_TEXT.fullmatch(text):
                day, month, year = match.groups()
                return date(int(year), int(month), int(day))
            if match := _ISO_DATE.fullmatch(text):
                year, month, day = match.groups()
                return date(int(year), int(month), int(day))
        elif isinstance(value, int | float) and not isinstance(value, bool) and 1 <= value < 2958466:
            # A date in a cell formatted as a number: Excel's day count.
            return EXCEL_EPOCH + timedelta(days=int(value))
    except ValueError:
        pass
    raise CellError(
        _("%(value)s is not a date; write it as dd/mm/yyyy, for example 12/11/2025.") % {"value": show(value)}
    )


def to_choice(choices: Mapping[str, str], *, shown: Sequence[str]) -> Callable:
    """One of a few values, typed as its code or its Vietnamese label, with or without diacritics.

    ``choices`` maps each accepted spelling to the stored value (spellings are normalized
    here); ``shown`` are the spellings a message lists.
    """
    lookup = {normalize(spelling): stored for spelling, stored in choices.items()}
    shown = ", ".join(shown)
    seen: dict = {}  # the same few spellings fill a long column: normalize each once

    def convert(value) -> str:
        stored = seen.get(value) if value.__class__ is str else None
        if stored is None:
            stored = lookup.get(normalize(to_text(value)))
            if stored is None:
                raise CellError(_("%(value)s is not one of: %(choices)s.") % {"value": show(value), "choices": shown})
            if value.__class__ is str and len(seen) < 10_000:
                seen[value] = stored
        return stored

    return convert


# --- what a table looks like ---------------------------------------------------------------


@dataclass(frozen=True)
class Field:
    """A column the import knows by name.

    ``header`` is the template's header (and the name used in messages); ``aliases`` are
    other headers people use for it. ``required``: the column must be there; ``blank``:
    its cells may be empty (the value is then None). ``total``: the total row's number in
    this column is checked against the sum of the rows.
    """

    key: str
    header: str
    aliases: tuple[str, ...] = ()
    convert: Callable = to_text
    required: bool = True
    blank: bool = False
    total: bool = False

    @cached_property
    def names(self) -> set[str]:
        return {key for text in (self.header, *self.aliases) for key in header_keys(text)}


@dataclass(frozen=True)
class ColumnPattern:
    """Columns named by a pattern, such as "Tuần 1 - BHXH TN" in a wide quota sheet.

    ``regex`` is matched against the normalized header; ``key`` turns the match into the
    key of the value in each row (a tuple such as ``(1, "bhxh_tn")``).
    """

    regex: re.Pattern
    key: Callable[[re.Match], Hashable]
    convert: Callable = to_count
    total: bool = False


@dataclass(frozen=True)
class TableSpec:
    """The table an import expects: its named columns and, for wide sheets, its patterned ones."""

    title: str
    fields: tuple[Field, ...]
    patterns: tuple[ColumnPattern, ...] = ()

    @property
    def required(self) -> list[Field]:
        return [f for f in self.fields if f.required]

    @cached_property
    def by_name(self) -> dict[str, Field]:
        """Each accepted header, normalized, and its field."""
        return {name: f for f in self.fields for name in f.names}


@dataclass(frozen=True)
class Problem:
    """What is wrong, and where: the sheet row as Excel numbers it, and the column."""

    message: str
    row: int | None = None
    column: int | None = None
    header: str = ""

    @property
    def column_letter(self) -> str:
        return column_letter(self.column) if self.column is not None else ""

    def __str__(self) -> str:
        if self.row is not None and self.column is not None:
            return _("Row %(row)s, column %(column)s (%(header)s): %(message)s") % {
                "row": self.row,
                "column": self.column_letter,
                "header": self.header,
                "message": self.message,
            }
        if self.row is not None:
            return _("Row %(row)s: %(message)s") % {"row": self.row, "message": self.message}
        return self.message

    def as_dict(self) -> dict:
        return {"row": self.row, "column": self.column_letter, "header": self.header, "message": self.message}


class Row:
    """One data row: its sheet row number, its values by key, and the cells as read (for the rejected file)."""

    __slots__ = ("cells", "number", "values")

    def __init__(self, number: int, values: dict, cells: list):
        self.number, self.values, self.cells = number, values, cells

    def __repr__(self) -> str:
        return f"Row({self.number}, {self.values!r})"


@dataclass
class Table:
    spec: TableSpec
    sheet: str
    header_row: int
    headers: list[str]
    columns: dict[Hashable, int]
    rows: list[Row] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    total_row: int | None = None
    skipped_examples: int = 0

    @property
    def rows_read(self) -> int:
        return len(self.rows)

    def header_of(self, key: Hashable) -> str:
        return self.headers[self.columns[key]]

    def problem(self, row: Row | int | None, key: Hashable | None, message: str) -> Problem:
        """A problem of a row (and of one of its cells, when ``key`` names a column)."""
        number = row.number if isinstance(row, Row) else row
        if key is None or key not in self.columns:
            return Problem(message, row=number)
        return Problem(message, row=number, column=self.columns[key], header=self.header_of(key))

    def rows_with_problems(self, problems: Sequence[Problem]) -> list[tuple[Row, list[str]]]:
        """The rows the problems are about, in sheet order, each with its messages."""
        messages: dict[int, list[str]] = {}
        for problem in problems:
            if problem.row is not None:
                text = problem.message if problem.column is None else f"{problem.header}: {problem.message}"
                messages.setdefault(problem.row, []).append(text)
        return [(row, messages[row.number]) for row in self.rows if row.number in messages]


# --- the file ---------------------------------------------------------------------------------


def check_file(data: bytes, *, max_bytes: int, max_unpacked_bytes: int) -> None:
    """Refuse what is not a spreadsheet, is too large, or unpacks to far more than it should."""
    if len(data) > max_bytes:
        raise SpreadsheetRefused(too_large_message(len(data), max_bytes))
    if not data:
        raise SpreadsheetRefused(_("The file is empty."))
    if data.startswith(OLE_MAGIC):
        return
    if not data.startswith(ZIP_MAGIC):
        raise SpreadsheetRefused(_not_a_spreadsheet())
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        members = archive.infolist()
        names = {member.filename for member in members}
        is_ods = "mimetype" in names and b"spreadsheet" in archive.read("mimetype")
        if not (is_ods or "xl/workbook.xml" in names or "xl/workbook.bin" in names):
            raise SpreadsheetRefused(_not_a_spreadsheet())
        if len(members) > MAX_ZIP_MEMBERS or sum(m.file_size for m in members) > max_unpacked_bytes:
            raise SpreadsheetRefused(_too_much_inside(max_unpacked_bytes))
        # The sizes a zip declares can lie: count what really comes out, and stop at the limit.
        unpacked = 0
        for member in members:
            with archive.open(member) as stream:
                while chunk := stream.read(1 << 20):
                    unpacked += len(chunk)
                    if unpacked > max_unpacked_bytes:
                        raise SpreadsheetRefused(_too_much_inside(max_unpacked_bytes))
    except (zipfile.BadZipFile, zipfile.LargeZipFile, NotImplementedError, EOFError, OSError, KeyError) as exc:
        raise SpreadsheetRefused(_unreadable()) from exc


def too_large_message(size: int, limit: int) -> str:
    return _("The file is %(size)s MB; the limit is %(limit)s MB. Split it into smaller files.") % {
        "size": _megabytes(size),
        "limit": _megabytes(limit),
    }


def _megabytes(size: int) -> str:
    return f"{size / 1024 / 1024:.1f}".replace(".", ",").replace(",0", "")


def _not_a_spreadsheet() -> str:
    return _("This file is not a spreadsheet. Upload an Excel file (.xlsx or .xls) or an OpenDocument sheet (.ods).")


def _unreadable() -> str:
    return _(
        "The spreadsheet could not be read: it may be damaged or protected by a password. "
        "Open it in Excel, save it as .xlsx without a password and upload it again."
    )


def _too_much_inside(limit: int) -> str:
    return _("This file unpacks to more than %(limit)s MB, which no spreadsheet of its size does; it was refused.") % {
        "limit": _megabytes(limit)
    }


def _sheets(data: bytes) -> Iterator[tuple[str, list[list]]]:
    """Each sheet's cells, visible sheets first; rows and columns from A1, so indexes are Excel's."""
    try:
        workbook = CalamineWorkbook.from_filelike(io.BytesIO(data))
        metadata = workbook.sheets_metadata
    except (CalamineError, ValueError, OSError) as exc:
        raise SpreadsheetRefused(_unreadable()) from exc
    order = sorted(range(len(metadata)), key=lambda i: metadata[i].visible != SheetVisibleEnum.Visible)
    for index in order:
        try:
            grid = workbook.get_sheet_by_index(index).to_python(skip_empty_area=False)
        except (CalamineError, ValueError, OSError) as exc:
            raise SpreadsheetRefused(_unreadable()) from exc
        yield metadata[index].name, grid


# --- finding the header ---------------------------------------------------------------------


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


def read_table(data: bytes, specs: Sequence[TableSpec], *, max_bytes: int, max_unpacked_bytes: int) -> Table:
    """Find the first sheet whose header matches one of ``specs`` and read its rows."""
    check_file(data, max_bytes=max_bytes, max_unpacked_bytes=max_unpacked_bytes)
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


def _read_rows(found: _HeaderMatch, grid: list[list]) -> Table:
    spec = found.spec
    table = Table(spec=spec, sheet=found.sheet, header_row=found.row + 1, headers=found.headers, columns=found.columns)
    fields = {f.key: f for f in spec.fields}
    readers = []  # (key, column, convert, blank allowed, checked against the total row)
    for key, column in found.columns.items():
        if key in fields:
            readers.append((key, column, fields[key].convert, fields[key].blank, fields[key].total))
        else:
            pattern = found.patterned[key]
            readers.append((key, column, pattern.convert, True, pattern.total))
    required_columns = [found.columns[f.key] for f in spec.required]
    problems, headers = table.problems, found.headers
    total_cells = None
    for index in range(found.row + 1, len(grid)):
        cells = grid[index]
        if cells.count("") == len(cells):
            continue
        kind = _is_total_or_footer(cells)
        if kind == "footer":
            break
        if kind == "total":
            if total_cells is None:
                total_cells, table.total_row = cells, index + 1
            continue
        number = index + 1
        if _is_example(cells, found.row_number_column):
            table.skipped_examples += 1
            continue
        if total_cells is not None:
            if all(_present(cells, column) for column in required_columns):
                problems.append(Problem(_("This row is below the total row; move it above or delete it."), row=number))
            continue
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
