"""The reading step: real sheets as people type them, good and bad, in and plain rows out."""

import io
import re
import zipfile
from datetime import date

import pytest
from django.utils import translation

from core.excel.reader import (
    ColumnPattern,
    Field,
    SpreadsheetRefused,
    TableSpec,
    normalize,
    read_table,
    to_choice,
    to_code,
    to_count,
    to_date,
)
from core.excel.writer import Column, table_to_bytes
from core.tests.excel_files import BANNER, SIGNATURES, sheet_file, zip_bomb

SPEC = TableSpec(
    "test",
    (
        Field("code", "Mã đơn vị", ("Mã",), to_code()),
        Field("count", "Số lượng", ("Chỉ tiêu",), to_count, total=True),
        Field("day", "Ngày bắt đầu", (), to_date),
        Field("kind", "Loại hình", (), to_choice({"Bưu điện": "post", "Khác": "other"}, shown=["Bưu điện", "Khác"])),
        Field("note", "Ghi chú", (), required=False, blank=True),
    ),
)
HEADER = ["Mã đơn vị", "Số lượng", "Ngày bắt đầu", "Loại hình"]
LIMITS = {
    "max_bytes": 10 * 1024 * 1024,
    "max_unpacked_bytes": 50 * 1024 * 1024,
    "max_rows": 200_000,
    "max_columns": 60,
}


def read(data: bytes, specs=(SPEC,), **limits):
    return read_table(data, specs, **(LIMITS | limits))


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def messages(table) -> list[str]:
    return [str(problem) for problem in table.problems]


def test_normalize_drops_diacritics_case_spaces_and_line_breaks():
    assert normalize("Mã  ĐƠN vị\n(TCDVT)") == "madonvitcdvt"
    assert normalize("Tuần 1 - BHYT HGĐ") == "tuan1bhythgd"
    assert normalize("Dân số") == normalize("dan so") == "danso"


def test_header_below_banners_and_merged_cells_is_found_with_sheet_row_numbers():
    rows = [*BANNER, ["STT", "MÃ ĐƠN VỊ", "so luong", "Ngày\nbắt đầu", "  Loại   hình ", None, None]]
    rows += [[1, "BD-01", 10, date(2025, 11, 12), "Bưu điện"], [2, "DL-02", 5, date(2025, 11, 19), "khac"]]
    table = read(sheet_file(rows, merge=["A1:C1", "D1:G1", "D2:G2"]))
    assert table.sheet == "Dữ liệu" and table.header_row == 5
    assert [(row.number, row.values) for row in table.rows] == [
        (6, {"code": "BD-01", "count": 10, "day": date(2025, 11, 12), "kind": "post"}),
        (7, {"code": "DL-02", "count": 5, "day": date(2025, 11, 19), "kind": "other"}),
    ]
    assert table.problems == []


def test_vietnamese_numbers_dates_as_text_and_codes_typed_as_numbers():
    rows = [
        HEADER,
        [72085123456, "1.200", "12/11/2025", "Bưu điện"],
        ["A", "1 200", "2025-11-19", "Bưu điện"],
        ["B", "1,200", "5.12.2025", "Bưu điện"],
        ["C", 45973, 45973, "Bưu điện"],  # a date in a cell formatted as a number
    ]
    table = read(sheet_file(rows))
    assert table.problems == []
    assert [row.values["count"] for row in table.rows] == [1200, 1200, 1200, 45973]
    assert [row.values["day"] for row in table.rows] == [
        date(2025, 11, 12),
        date(2025, 11, 19),
        date(2025, 12, 5),
        date(2025, 11, 12),
    ]
    assert table.rows[0].values["code"] == "72085123456"
    assert to_code(12)(72085123456.0) == "072085123456"


@pytest.mark.parametrize(
    ("count", "message"),
    [
        ("1.200,5", "Row 2, column B (Số lượng): “1.200,5” is not a whole number; a count has no decimals."),
        (3.5, "Row 2, column B (Số lượng): 3.5 is not a whole number; a count has no decimals."),
        (-4, "Row 2, column B (Số lượng): -4 is negative; a count cannot be."),
        ("-1.200", "Row 2, column B (Số lượng): “-1.200” is negative; a count cannot be."),
        ("mười", "Row 2, column B (Số lượng): “mười” is not a number; write it like 1.200 or 1200."),
        (None, "Row 2, column B (Số lượng): The cell is empty; it needs a value."),
    ],
)
def test_bad_counts_are_named_by_row_and_column(count, message):
    table = read(sheet_file([HEADER, ["A", count, date(2025, 11, 12), "Khác"]]))
    assert messages(table) == [message]


def test_bad_dates_and_choices_say_what_to_type():
    table = read(sheet_file([HEADER, ["A", 1, "31/02/2025", "Đại lý"], ["B", 1, "12/11/25", "Khác"]]))
    assert messages(table) == [
        "Row 2, column C (Ngày bắt đầu): “31/02/2025” is not a date; write it as dd/mm/yyyy, for example 12/11/2025.",
        "Row 2, column D (Loại hình): “Đại lý” is not one of: Bưu điện, Khác.",
        "Row 3, column C (Ngày bắt đầu): “12/11/25” is not a date; write it as dd/mm/yyyy, for example 12/11/2025.",
    ]


def test_formulas_are_read_as_the_values_excel_computed():
    rows = [HEADER, ["A", "=2*5", date(2025, 11, 12), "Khác"], ["B", "=B2+1", date(2025, 11, 12), "Khác"]]
    table = read(sheet_file(rows, cached={"B2": 10, "B3": 11}))
    assert [row.values["count"] for row in table.rows] == [10, 11]


def test_a_formula_saved_without_its_value_is_reported_empty():
    table = read(sheet_file([HEADER, ["A", "=2*5", date(2025, 11, 12), "Khác"]]))
    assert messages(table) == ["Row 2, column B (Số lượng): The cell is empty; it needs a value."]


def test_empty_rows_and_columns_the_total_row_and_signatures_are_not_data():
    rows = [
        [None, None, *HEADER, None, None],
        [None, None, "A", 10, date(2025, 11, 12), "Khác"],
        [],
        [None, None, "B", "1.190", date(2025, 11, 12), "Khác"],
        [None, None, "Tổng cộng", 1200],
        *SIGNATURES,
        [],
        [],
    ]
    table = read(sheet_file(rows))
    assert [row.values["code"] for row in table.rows] == ["A", "B"]
    assert table.total_row == 5 and table.problems == []


def test_a_total_that_does_not_match_the_rows_is_reported_on_the_total_row():
    rows = [HEADER, ["A", 10, date(2025, 11, 12), "Khác"], ["B", 5, date(2025, 11, 12), "Khác"], ["TỔNG CỘNG", 16]]
    assert messages(read(sheet_file(rows))) == [
        "Row 4, column B (Số lượng): The total row says 16, but the rows above add up to 15."
    ]


def test_data_below_the_total_row_is_reported():
    rows = [HEADER, ["A", 10, date(2025, 11, 12), "Khác"], ["Cộng", 10], ["B", 5, date(2025, 11, 12), "Khác"]]
    table = read(sheet_file(rows))
    assert messages(table) == ["Row 4: This row is below the total row; move it above or delete it."]


def test_the_sheet_with_the_expected_header_is_used():
    notes = [["Hướng dẫn"], ["Điền dữ liệu vào sheet Dữ liệu"]]
    other = [["Họ tên", "Tuổi"], ["A", 3]]
    data = sheet_file([HEADER, ["A", 1, date(2025, 11, 12), "Khác"]], before=[("Hướng dẫn", notes), ("Khác", other)])
    table = read(data)
    assert table.sheet == "Dữ liệu" and len(table.rows) == 1


def test_the_example_row_of_a_template_is_skipped():
    table = read(
        sheet_file([["STT", *HEADER], ["VD", "X", 1, date(2025, 1, 1), "Khác"], [1, "A", 2, date(2025, 1, 1), "Khác"]])
    )
    assert [row.values["code"] for row in table.rows] == ["A"] and table.skipped_examples == 1


def test_a_two_row_header_with_merged_week_cells_is_read():
    spec = TableSpec(
        "wide",
        (Field("code", "Mã đơn vị"),),
        (ColumnPattern(re.compile(r"tuan(\d)(bhxh|bhyt)"), lambda m: (int(m.group(1)), m.group(2))),),
    )
    rows = [
        ["BẢO HIỂM XÃ HỘI TỈNH TÂY NINH"],
        ["Mã đơn vị", "Tuần 1", None, "Tuần 2", None],
        [None, "BHXH", "BHYT", "BHXH", "BHYT"],
        ["A", 1, 2, 3, 4],
    ]
    table = read(sheet_file(rows, merge=["A2:A3", "B2:C2", "D2:E2"]), specs=(spec,))
    assert table.rows[0].values == {"code": "A", (1, "bhxh"): 1, (1, "bhyt"): 2, (2, "bhxh"): 3, (2, "bhyt"): 4}


def test_a_missing_column_refuses_the_file_and_names_it():
    with pytest.raises(SpreadsheetRefused) as refused:
        read(sheet_file([*BANNER, ["Mã đơn vị", "Số lượng"], ["A", 1]]))
    assert refused.value.messages == [
        "Sheet “Dữ liệu”, header row 5: the column(s) Ngày bắt đầu, Loại hình are missing."
    ]


def test_a_sheet_without_any_known_header_is_refused():
    with pytest.raises(SpreadsheetRefused) as refused:
        read(sheet_file([["Họ tên", "Tuổi"], ["A", 3]]))
    assert refused.value.messages == [
        "No sheet has the header row this import needs (Mã đơn vị, Số lượng, Ngày bắt đầu, Loại hình). "
        "Download the template to see it."
    ]


def test_a_column_given_twice_is_refused():
    with pytest.raises(SpreadsheetRefused) as refused:
        read(sheet_file([[*HEADER, "Chỉ tiêu"], ["A", 1, date(2025, 1, 1), "Khác", 2]]))
    assert refused.value.messages == ["Sheet “Dữ liệu”: the column Chỉ tiêu appears twice (B and E)."]


NOT_A_SPREADSHEET = (
    "This file is not a spreadsheet. Upload an Excel file (.xlsx or .xls) or an OpenDocument sheet (.ods)."
)
UNREADABLE = (
    "The spreadsheet could not be read: it may be damaged or protected by a password. Open it in Excel, save it "
    "as .xlsx without a password and upload it again."
)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"Ma don vi;So luong\nA;1\n", NOT_A_SPREADSHEET),
        (b"%PDF-1.7\n...", NOT_A_SPREADSHEET),
        (zip_bomb(unpacked=10)[:-30], UNREADABLE),  # a broken zip
    ],
    ids=["csv", "pdf", "broken zip"],
)
def test_what_is_not_a_spreadsheet_is_refused_with_a_message(data, message):
    with pytest.raises(SpreadsheetRefused) as refused:
        read(data)
    assert refused.value.messages == [message]


def test_a_zip_that_is_not_a_workbook_is_refused():
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("word/document.xml", "<w/>")
    with pytest.raises(SpreadsheetRefused) as refused:
        read(out.getvalue())
    assert refused.value.messages == [NOT_A_SPREADSHEET]


def test_a_file_over_the_size_limit_is_refused():
    data = sheet_file([HEADER, ["A", 1, date(2025, 1, 1), "Khác"]])
    with pytest.raises(SpreadsheetRefused) as refused:
        read(data, max_bytes=1000)
    assert refused.value.messages[0].startswith("The file is ") and "the limit is 0 MB" in refused.value.messages[0]


@pytest.mark.parametrize(
    ("lie", "message"),
    [
        # The declared sizes add up to more than the limit: refused before anything is unpacked.
        (False, "This file unpacks to more than 1 MB, which no spreadsheet of its size does; it was refused."),
        # The sheet claims 1.000 bytes: unpacking stops there, and the zip fails its own check.
        (True, UNREADABLE),
    ],
    ids=["honest sizes", "lying sizes"],
)
def test_a_zip_bomb_is_refused_without_unpacking_it_all(lie, message):
    with pytest.raises(SpreadsheetRefused) as refused:
        read(zip_bomb(unpacked=5 * 1024 * 1024, lie=lie), max_unpacked_bytes=1024 * 1024)
    assert refused.value.messages == [message]


def test_our_own_exports_read_back():
    data = table_to_bytes(
        sheet_title="Xuất",
        title_lines=["BÁO CÁO"],
        columns=[Column(header) for header in HEADER],
        rows=[["=A", 1, date(2025, 11, 12), "Khác"]],
    )
    table = read(data)
    assert table.rows[0].values == {"code": "'=A", "count": 1, "day": date(2025, 11, 12), "kind": "other"}
