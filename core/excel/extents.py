"""How far each sheet reaches, found before any sheet is read.

python-calamine turns a sheet into a dense grid from its first to its last cell: one
extra cell at XFD1048576 in a 7 KB .xlsx asks for 17 billion cells (550 GB) and the
process dies before Python sees an error. So a sheet's size is checked first, against
the import's limits, and a sheet beyond them is refused with its name and size.

- .xlsx/.xlsm: the ``<dimension ref="A1:…">`` the sheet declares and the last row and
  column its cells really use, both read from the zip by streaming the sheet's XML
  (never the whole of it in memory, and not as a grid);
- .xls, .xlsb and .ods: calamine itself measures each sheet in a forked child process
  whose address space is capped, so a hostile sheet kills only the child.
"""

import faulthandler
import io
import json
import os
import re
import resource
import signal
import zipfile
from dataclasses import dataclass
from pathlib import PurePosixPath
from xml.etree import ElementTree

from django.utils.translation import gettext as _

from .cells import column_letter, vn_int
from .files import OLE_MAGIC, SpreadsheetRefused

CHUNK = 1 << 20
PROBE_SECONDS = 60
# The child's memory beyond what it inherits: room for the largest grid the limits allow.
PROBE_BYTES_PER_CELL = 64
PROBE_SLACK = 256 * 1024 * 1024

_DIMENSION = re.compile(rb'<(?:\w+:)?dimension\b[^>]*?\sref="([^"]*)"')
_ROW_TAG = re.compile(rb"<(?:\w+:)?row\b")
_CELL_TAG = re.compile(rb"<(?:\w+:)?c\b")
_ROW_REF = re.compile(rb'<(?:\w+:)?row\b[^>]*?\sr="(\d+)"')
_CELL_REF = re.compile(rb'<(?:\w+:)?c\b[^>]*?\sr="\$?([A-Za-z]+)\$?\d+"')
_TAG = re.compile(rb"<(?:\w+:)?(row|c)\b([^>]*)>")
_R_ATTRIBUTE = re.compile(rb'\sr="\$?([A-Za-z]*)\$?(\d+)"')
_REF = re.compile(r"\$?([A-Za-z]{1,4})\$?(\d{1,8})$")
_RELATIONSHIPS = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"
_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_PACKAGE = "{http://schemas.openxmlformats.org/package/2006/relationships}"


@dataclass(frozen=True)
class Extent:
    """The last row and column (1-based, counted from A1) a sheet reaches."""

    rows: int = 0
    columns: int = 0

    def __or__(self, other: "Extent") -> "Extent":
        return Extent(max(self.rows, other.rows), max(self.columns, other.columns))


def check_sheet_sizes(data: bytes, *, max_rows: int, max_columns: int) -> None:
    """Refuse the file when any sheet reaches beyond ``max_rows`` rows or ``max_columns`` columns.

    ``data`` has passed ``check_file``: a spreadsheet within the size limits, no zip bomb.
    """
    for sheet, extent in sheet_extents(data, max_rows=max_rows, max_columns=max_columns):
        if extent.rows > max_rows or extent.columns > max_columns:
            raise SpreadsheetRefused(too_big_message(sheet, extent, max_rows=max_rows, max_columns=max_columns))


def too_big_message(sheet: str, extent: Extent, *, max_rows: int, max_columns: int) -> str:
    return _(
        "Sheet “%(sheet)s” reaches row %(rows)s and column %(column)s (%(columns)s columns); this import reads "
        "at most %(max_rows)s rows and %(max_columns)s columns. Delete the rows and columns beyond the table "
        "(or copy the table into a new file), save and upload again."
    ) % {
        "sheet": sheet,
        "rows": vn_int(extent.rows),
        "column": column_letter(max(extent.columns, 1) - 1),
        "columns": vn_int(extent.columns),
        "max_rows": vn_int(max_rows),
        "max_columns": vn_int(max_columns),
    }


def sheet_extents(data: bytes, *, max_rows: int, max_columns: int) -> list[tuple[str, Extent]]:
    """Each sheet's name and extent (the larger of what it declares and what its cells use)."""
    if not data.startswith(OLE_MAGIC):
        archive = zipfile.ZipFile(io.BytesIO(data))
        if "xl/workbook.xml" in archive.namelist():
            return [(name, _xml_sheet_extent(archive, path)) for name, path in _xlsx_sheets(archive)]
    return _probe_extents(data, memory=PROBE_SLACK + PROBE_BYTES_PER_CELL * max_rows * max_columns)


# --- .xlsx: the zip's sheet XML -------------------------------------------------------------------


def _xlsx_sheets(archive: zipfile.ZipFile) -> list[tuple[str, str]]:
    """(sheet name, path in the zip) of each worksheet, in workbook order; every sheet XML if that fails."""
    names = set(archive.namelist())
    try:
        workbook = ElementTree.fromstring(archive.read("xl/workbook.xml"))
        relations = ElementTree.fromstring(archive.read("xl/_rels/workbook.xml.rels"))
    except (KeyError, ElementTree.ParseError):
        workbook = relations = None
    if workbook is None or relations is None:
        return [(PurePosixPath(n).stem, n) for n in sorted(names) if n.startswith("xl/worksheets/")]
    targets = {rel.get("Id"): rel.get("Target", "") for rel in relations.iter(f"{_PACKAGE}Relationship")}
    found = []
    for sheet in workbook.iter(f"{_MAIN}sheet"):
        target = targets.get(sheet.get(_RELATIONSHIPS), "")
        path = target.lstrip("/") if target.startswith("/") else f"xl/{target}"
        if path in names:
            found.append((sheet.get("name", path), path))
    return found


def _xml_sheet_extent(archive: zipfile.ZipFile, path: str) -> Extent:
    declared, real, complete = Extent(), Extent(), True
    for chunk in _chunks(archive, path):
        if not declared.rows and (match := _DIMENSION.search(chunk)):
            declared = _ref_extent(match.group(1).decode("ascii", "replace").split(":")[-1])
        rows, cells = _ROW_REF.findall(chunk), _CELL_REF.findall(chunk)  # each scanned once, used twice
        real, complete = real | _chunk_extent(rows, cells), complete and _all_referenced(chunk, rows, cells)
    if not complete:
        real = _walked_extent(archive, path)
    return declared | real


def _chunks(archive: zipfile.ZipFile, path: str):
    """The sheet's XML in pieces that end at a tag's start, so no tag is cut in two."""
    carry = b""
    with archive.open(path) as stream:
        while block := stream.read(CHUNK):
            block = carry + block
            cut = block.rfind(b"<")
            cut = cut if cut > 0 else len(block)
            yield block[:cut]
            carry = block[cut:]
    if carry:
        yield carry


def _chunk_extent(rows: list[bytes], cells: list[bytes]) -> Extent:
    """The last row and column a chunk's references name (``rows``, ``cells``: _ROW_REF's and _CELL_REF's finds)."""
    last_row = max(map(int, rows), default=0)
    letters = {letters.upper() for letters in set(cells)}  # a sheet names its few columns row after row
    columns = max((_column_number(letters.decode()) for letters in letters), default=0)
    return Extent(last_row, columns)


def _all_referenced(chunk: bytes, rows: list[bytes], cells: list[bytes]) -> bool:
    """Whether every row and cell names its place (Excel always does; a cell without ``r`` follows the last)."""
    return len(_ROW_TAG.findall(chunk)) == len(rows) and len(_CELL_TAG.findall(chunk)) == len(cells)


def _walked_extent(archive: zipfile.ZipFile, path: str) -> Extent:
    """Rows and cells in order, for writers that leave out ``r``: each then comes after the previous one."""
    row = column = last_column = 0
    for chunk in _chunks(archive, path):
        for tag, attributes in _TAG.findall(chunk):
            found = _R_ATTRIBUTE.search(attributes)
            if tag == b"row":
                row = int(found.group(2)) if found else row + 1
                column = 0
            else:
                column = _column_number(found.group(1).decode()) if found and found.group(1) else column + 1
                last_column = max(last_column, column)
    return Extent(row, last_column)


def _ref_extent(ref: str) -> Extent:
    match = _REF.match(ref.strip())
    return Extent(int(match.group(2)), _column_number(match.group(1))) if match else Extent()


def _column_number(letters: str) -> int:
    number = 0
    for letter in letters.upper():
        number = number * 26 + ord(letter) - 64
    return number


# --- .xls, .xlsb, .ods: calamine in a child process with capped memory -----------------------------


def _probe_extents(data: bytes, *, memory: int) -> list[tuple[str, Extent]]:
    """calamine's own measure of each sheet, taken where running out of memory harms nothing."""
    if not hasattr(os, "fork"):
        return []
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: measure, answer, and leave without running any of the parent's cleanup
        os.close(read_end)
        code = _measure_in_child(data, write_end, memory=memory)
        os._exit(code)
    os.close(write_end)
    with os.fdopen(read_end, "rb") as answer:
        output = answer.read()
    _pid, status = os.waitpid(pid, 0)
    if os.WIFEXITED(status) and os.WEXITSTATUS(status) == 0:
        return [(name, Extent(rows, columns)) for name, rows, columns in json.loads(output)]
    if os.WIFEXITED(status) and os.WEXITSTATUS(status) == 3:
        return []  # unreadable: the reader itself says so
    raise SpreadsheetRefused(_("A sheet of this file is too large to read within the import's limits; it was refused."))


def _measure_in_child(data: bytes, write_end: int, *, memory: int) -> int:
    from python_calamine import CalamineError, CalamineWorkbook

    try:
        _quiet()
        signal.alarm(PROBE_SECONDS)
        _cap_memory(memory)
        workbook = CalamineWorkbook.from_filelike(io.BytesIO(data))
        sizes = []
        for index, metadata in enumerate(workbook.sheets_metadata):
            end = workbook.get_sheet_by_index(index).end
            sizes.append((metadata.name, end[0] + 1, end[1] + 1) if end else (metadata.name, 0, 0))
        with os.fdopen(write_end, "wb") as answer:
            answer.write(json.dumps(sizes).encode())
        return 0
    except (CalamineError, ValueError, OSError):
        return 3
    except BaseException:  # a MemoryError or anything else: the sheet could not be measured
        return 4


def _quiet() -> None:
    """A child that runs out of memory aborts: no traceback of it in the parent's log."""
    faulthandler.disable()
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 2)
    os.close(devnull)


def _cap_memory(extra: int) -> None:
    """Cap the child's address space at what it already maps plus ``extra`` (Linux; elsewhere the alarm only)."""
    try:
        with open("/proc/self/statm") as statm:
            mapped = int(statm.read().split()[0]) * resource.getpagesize()
    except OSError:
        return
    resource.setrlimit(resource.RLIMIT_AS, (mapped + extra, mapped + extra))
