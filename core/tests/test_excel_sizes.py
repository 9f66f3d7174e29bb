"""Sheets beyond the import's rows and columns are refused before any is read: declared, real, in every format."""

import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.utils import translation

from core.excel.reader import SpreadsheetRefused, read_table
from core.tests.excel_files import declaring, far_cell, far_ods, sheet_file, without_cell_references
from core.tests.test_excel_reader import LIMITS, SPEC

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def refusal(data: bytes, **limits) -> str:
    with pytest.raises(SpreadsheetRefused) as refused:
        read_table(data, (SPEC,), **(LIMITS | limits))
    [message] = refused.value.messages
    return message


def test_one_cell_at_the_last_row_and_column_is_refused_at_once_naming_the_sheet():
    data = far_cell("XFD1048576")
    assert len(data) < 10_000
    started = time.monotonic()
    message = refusal(data)
    assert time.monotonic() - started < 2
    assert message == (
        "Sheet “Dữ liệu” reaches row 1.048.576 and column XFD (16.384 columns); this import reads at most "
        "200.000 rows and 60 columns. Delete the rows and columns beyond the table (or copy the table into a "
        "new file), save and upload again."
    )


def test_refusing_the_far_cell_needs_a_few_megabytes_not_550_gigabytes(tmp_path):
    """In a fresh process (a failed 550 GB allocation aborts it): the peak memory of the refusal."""
    path = tmp_path / "far.xlsx"
    path.write_bytes(far_cell("XFD1048576"))
    script = f"""
import resource, django
from django.conf import settings
settings.configure(USE_I18N=False)
django.setup()
from core.excel.reader import SpreadsheetRefused, read_table
from core.tests.test_excel_reader import LIMITS, SPEC
data = open({str(path)!r}, "rb").read()
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
try:
    read_table(data, (SPEC,), **LIMITS)
except SpreadsheetRefused as refused:
    print("refused", (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) // 1024)
"""
    run = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert run.returncode == 0, run.stderr[-2000:]
    verdict, grown_mb = run.stdout.split()
    assert verdict == "refused" and int(grown_mb) < 20


@pytest.mark.parametrize(
    ("data", "reach"),
    [
        (far_cell("XFD1048576", dimension="A1:B2"), "row 1.048.576 and column XFD"),  # declares less than it holds
        (declaring(sheet_file([["Mã", "Số lượng"]]), "A1:CV100000"), "row 100.000 and column CV"),  # declares more
        # No "r" on rows and cells: each follows the last, so 100 cells in a row reach column CV.
        (declaring(without_cell_references(sheet_file([["Mã", *range(99)]])), "A1"), "row 1 and column CV"),
    ],
    ids=["real beyond declared", "declared beyond real", "cells without references"],
)
def test_the_larger_of_declared_and_real_size_counts(data, reach):
    assert f"Sheet “Dữ liệu” reaches {reach} " in refusal(data)


def test_a_sheet_just_within_the_limits_is_read_and_one_row_more_is_refused():
    header = ["Mã đơn vị", "Số lượng", "Ngày bắt đầu", "Loại hình"]
    rows = [header, ["A", 1, "01/01/2025", "Khác"], ["B", 2, "01/01/2025", "Khác"]]
    table = read_table(sheet_file(rows), (SPEC,), **(LIMITS | {"max_rows": 3, "max_columns": 4}))
    assert [row.values["code"] for row in table.rows] == ["A", "B"]
    assert "reaches row 4 and column D" in refusal(sheet_file([*rows, ["C", 3]]), max_rows=3, max_columns=4)
    assert "(5 columns)" in refusal(sheet_file([[*header, "x"]]), max_rows=3, max_columns=4)


def test_an_opendocument_sheet_of_repeated_empty_cells_is_refused():
    data = far_ods(rows=300, columns=70)
    assert len(data) < 1000
    assert "Sheet “Dữ liệu” reaches row 300 and column BR (70 columns)" in refusal(data)


def test_a_sheet_that_needs_more_memory_than_the_limits_allow_is_refused_not_fatal():
    # 20 million cells: within calamine's own cap, far beyond the memory of a 100 × 10 import.
    message = refusal(far_ods(rows=1_000_000, columns=20), max_rows=100, max_columns=10)
    assert message == "A sheet of this file is too large to read within the import's limits; it was refused."
