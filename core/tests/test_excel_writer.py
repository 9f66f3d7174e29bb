import io
from datetime import date, datetime
from zoneinfo import ZoneInfo

import openpyxl

from core.excel.writer import Column, escape_formula, table_to_bytes, write_table


def test_cells_that_would_start_a_formula_are_written_as_text():
    assert escape_formula('=HYPERLINK("http://x")') == '\'=HYPERLINK("http://x")'
    assert escape_formula("+84912") == "'+84912"
    assert escape_formula("Nguyễn Văn A") == "Nguyễn Văn A"


def test_a_table_has_titles_a_frozen_header_formats_and_typed_cells():
    data = table_to_bytes(
        sheet_title="Hồ sơ",
        title_lines=["BẢO HIỂM XÃ HỘI TỈNH TÂY NINH"],
        columns=[Column("Họ tên", 24), Column("Số tiền", kind="money"), Column("Ngày thu", kind="date"), Column("Lúc")],
        rows=[
            ["=1+1", 1_263_600, date(2025, 11, 20), datetime(2025, 11, 18, 17, 30, tzinfo=ZoneInfo("UTC"))],
            ["Lê Thị B", None, None, None],
        ],
    )
    sheet = openpyxl.load_workbook(io.BytesIO(data)).active
    assert sheet.title == "Hồ sơ" and sheet.freeze_panes == "A3"
    assert sheet["A1"].value == "BẢO HIỂM XÃ HỘI TỈNH TÂY NINH"
    assert [c.value for c in sheet[2]] == ["Họ tên", "Số tiền", "Ngày thu", "Lúc"]
    assert sheet["A3"].value == "'=1+1" and sheet["A3"].data_type == "s"
    assert sheet["B3"].value == 1_263_600 and "₫" in sheet["B3"].number_format
    assert sheet["C3"].value == datetime(2025, 11, 20)
    assert sheet["D3"].value == datetime(2025, 11, 19, 0, 30)  # local time, Asia/Ho_Chi_Minh
    assert sheet["B4"].value is None


def test_write_table_counts_rows_streamed_from_a_generator(tmp_path):
    path = tmp_path / "big.xlsx"
    count = write_table(str(path), sheet_title="S", columns=[Column("n", kind="int")], rows=([i] for i in range(5000)))
    assert count == 5000
    assert openpyxl.load_workbook(path, read_only=True).active.max_row == 5001


def _read_back(data: bytes) -> list[list]:
    return [list(row) for row in openpyxl.load_workbook(io.BytesIO(data)).active.iter_rows(min_row=2, values_only=True)]


def test_repeated_texts_and_dates_are_written_the_same_every_time(monkeypatch):
    """The writer remembers how it wrote a text or a date; past its memory (CACHED) it still works each one out."""
    from core.excel import writer

    zone = ZoneInfo("UTC")
    rows = [
        [
            text,
            date(2025, 11, 20 + n % 3),
            datetime(2025, 11, 18, 17, n % 60, tzinfo=zone),
            f"Đại lý {n % 4}",
        ]
        for n in range(40)
        for text in ("=1+1", "a & b <c>", "_x0041_", " lề", "Nguyễn Văn A", "")
    ]
    expected = [
        [
            # openpyxl leaves the escape of a lookalike in (Excel shows "_x0041_")
            {"=1+1": "'=1+1", "_x0041_": "_x005F_x0041_", "": None}.get(text, text),
            datetime(day.year, day.month, day.day),
            moment.astimezone(ZoneInfo("Asia/Ho_Chi_Minh")).replace(tzinfo=None),
            agency,
        ]
        for text, day, moment, agency in rows
    ]
    columns = [Column("Chữ"), Column("Ngày", kind="date"), Column("Lúc", kind="datetime"), Column("Đại lý")]
    assert _read_back(table_to_bytes(sheet_title="S", columns=columns, rows=rows)) == expected
    monkeypatch.setattr(writer, "CACHED", 2)
    assert _read_back(table_to_bytes(sheet_title="S", columns=columns, rows=rows)) == expected
