"""Property-based tests of the Excel reader and writer: any file, a table or the clear refusal.

- Bytes of any kind, and real workbooks cut short or with bytes changed, end in a ``Table`` or
  ``SpreadsheetRefused`` with a message; no other exception (a calamine panic, a zip error, a
  MemoryError) gets out of ``read_table``.
- What the writer writes, the reader reads back: codes, counts, dates and text of any characters,
  with a cell that would start a formula escaped (so it comes back with its leading apostrophe).
"""

import io
import zipfile
from datetime import date

from django.utils import translation
from hypothesis import given, settings
from hypothesis import strategies as st

from core.excel.reader import SpreadsheetRefused, Table, read_table
from core.excel.writer import FORMULA_STARTS, Column, table_to_bytes
from core.tests.excel_files import sheet_file
from core.tests.test_excel_reader import HEADER, LIMITS, SPEC

GOOD = sheet_file([HEADER, ["A", 1, date(2025, 1, 1), "Khác"], ["B", "1.200", "02/01/2025", "Bưu điện"]])
GOOD_ZIP_MEMBERS = zipfile.ZipFile(io.BytesIO(GOOD)).namelist()
# Text a person or another program may put in a cell: any character XML 1.0 can carry.
CELL_TEXT = st.text(
    alphabet=st.characters(blacklist_categories=["Cs"], blacklist_characters=["\ufffe", "\uffff"], codec="utf-8"),
    max_size=40,
)


def table_or_refusal(data: bytes, **limits) -> Table | None:
    with translation.override("en"):
        try:
            return read_table(data, (SPEC,), **(LIMITS | limits))
        except SpreadsheetRefused as refused:
            assert refused.messages and all(str(message).strip() for message in refused.messages)
            return None


@given(st.binary(max_size=2000))
def test_any_bytes_are_refused_with_a_message(data):
    assert table_or_refusal(data) is None


@settings(max_examples=20)  # an old Excel file is measured in a forked child: a fork per example
@given(st.binary(max_size=200))
def test_bytes_that_start_like_a_zip_or_an_old_excel_file_are_refused_with_a_message(tail):
    assert table_or_refusal(b"PK\x03\x04" + tail) is None
    assert table_or_refusal(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + tail) is None


@given(st.integers(0, len(GOOD) - 1), st.integers(1, 255))
def test_a_workbook_with_a_byte_changed_is_read_or_refused(position, change):
    data = bytearray(GOOD)
    data[position] ^= change
    table_or_refusal(bytes(data))


@given(st.integers(0, len(GOOD) - 1))
def test_a_workbook_cut_short_is_refused(length):
    assert table_or_refusal(GOOD[:length]) is None


@given(st.sampled_from(GOOD_ZIP_MEMBERS), st.binary(max_size=300))
def test_a_workbook_with_one_part_replaced_by_anything_is_read_or_refused(member, content):
    source = zipfile.ZipFile(io.BytesIO(GOOD))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            target.writestr(item, content if item.filename == member else source.read(item.filename))
    table_or_refusal(out.getvalue())


ROWS = st.lists(
    st.tuples(
        CELL_TEXT.filter(lambda text: "".join(text.split())),  # a code: some non-space character
        st.integers(0, 10**9),
        st.dates(date(1900, 3, 1), date(2100, 12, 31)),
        st.sampled_from(["Bưu điện", "Khác"]),
        CELL_TEXT,
    ),
    min_size=1,
    max_size=8,
)


@given(ROWS)
def test_what_the_writer_writes_the_reader_reads_back(rows):
    data = table_to_bytes(
        sheet_title="Dữ liệu",
        title_lines=["BÁO CÁO"],
        columns=[*(Column(header) for header in HEADER), Column("Ghi chú")],
        rows=[list(row) for row in rows],
    )
    table = table_or_refusal(data)
    assert table is not None and not table.problems
    assert [row.values for row in table.rows] == [
        {
            "code": "".join(escaped(code).split()),
            "count": count,
            "day": day,
            "kind": {"Bưu điện": "post", "Khác": "other"}[kind],
            "note": " ".join(escaped(note).split()) or None,
        }
        for code, count, day, kind, note in rows
    ]


def escaped(text: str) -> str:
    return "'" + text if text.startswith(FORMULA_STARTS) else text
