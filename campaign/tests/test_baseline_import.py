"""Coverage baselines per commune: by code or name, checked against the province and against themselves."""

import io
from datetime import date

import openpyxl
import pytest
from django.utils import translation

from campaign.imports import BaselineImport
from campaign.models import CoverageBaseline
from campaign.tests.factories import CampaignFactory, CommuneFactory, CoverageBaselineFactory, ProvinceFactory
from core.excel.importing import run_import
from core.models import ImportRecord
from core.tests.excel_files import BANNER, SIGNATURES, sheet_file

pytestmark = pytest.mark.django_db

HEADER = [
    "STT",
    "Mã xã",
    "Tên xã",
    "Dân số (người)",
    "Lực lượng\nlao động",
    "Số người tham gia BHYT",
    "Số người tham gia BHXH",
    "Tính đến ngày",
]


@pytest.fixture(autouse=True)
def english(settings):
    settings.APP_TODAY = date(2025, 12, 10)
    with translation.override("en"):
        yield


@pytest.fixture
def world():
    campaign = CampaignFactory(code="TN-2025")
    communes = {
        "tan_bien": CommuneFactory(code="25480", name="Xã Tân Biên", province=campaign.province),
        "thanh_binh": CommuneFactory(code="25483", name="Xã Thạnh Bình", province=campaign.province),
        "ward": CommuneFactory(code="25490", name="Phường Thạnh Bình", province=campaign.province),
        "elsewhere": CommuneFactory(code="25100", name="Xã Lộc Ninh", province=ProvinceFactory(code="70")),
    }
    return campaign, communes


def upload(data: bytes, *, write: bool = True, campaign: str = "TN-2025"):
    return run_import(
        BaselineImport(), data=data, file_name="so-lieu.xlsx", codes={"campaign": campaign}, write=write, source="web"
    )


def texts(record) -> list[str]:
    return [problem["text"] for problem in record.problems]


def baselines(campaign) -> dict:
    return {
        b.commune.code: (b.population, b.labour_force, b.bhyt_insured, b.bhxh_insured, b.as_of)
        for b in CoverageBaseline.objects.filter(campaign=campaign).select_related("commune")
    }


def test_baselines_by_commune_code_or_name_with_a_checked_total_row(world):
    campaign, _ = world
    rows = [
        *BANNER,
        ["SỐ LIỆU NỀN ĐẾN NGÀY 31/10/2025"],
        HEADER,
        [1, 25480, None, "30.000", "18.000", "27.900", "6.840", "31/10/2025"],
        [2, None, "thanh binh", 20_000, 12_000, 19_000, 5_000, date(2025, 10, 31)],
        [3, None, "Phường Thạnh Bình", 10_000, 6_000, 9_500, 3_000, date(2025, 10, 31)],
        [None, "TỔNG CỘNG", None, 60_000, 36_000, 56_400, 14_840, None],
        *SIGNATURES,
    ]
    record = upload(sheet_file(rows, merge=["A5:H5"]))
    # "thanh binh" alone would be ambiguous (xã and phường); see the next test.
    assert texts(record) == [
        "Row 8, column C (Tên xã): Several communes are called “thanh binh” (Xã Thạnh Bình 25483, "
        "Phường Thạnh Bình 25490): give the commune code instead."
    ]
    rows[7][2] = "Xã Thạnh Bình"
    record = upload(sheet_file(rows, merge=["A5:H5"]))
    assert texts(record) == [] and record.outcome == ImportRecord.Outcome.WRITTEN
    assert baselines(campaign) == {
        "25480": (30_000, 18_000, 27_900, 6_840, date(2025, 10, 31)),
        "25483": (20_000, 12_000, 19_000, 5_000, date(2025, 10, 31)),
        "25490": (10_000, 6_000, 9_500, 3_000, date(2025, 10, 31)),
    }
    assert (record.rows_read, record.rows_written) == (3, 3)


def test_bad_baseline_rows_are_reported_and_nothing_is_written(world):
    campaign, _ = world
    rows = [
        HEADER,
        [1, "25100", None, 100, 50, 90, 10, date(2025, 10, 31)],
        [2, "99999", None, 100, 50, 90, 10, date(2025, 10, 31)],
        [3, None, "Xã Không Có", 100, 50, 90, 10, date(2025, 10, 31)],
        [4, "25480", None, 100, 150, 120, 160, date(2025, 10, 31)],
        [5, "25483", None, 100, 50, 90, 10, date(2026, 1, 1)],
        [6, "25483", None, 100, 50, 90, 10, date(2025, 10, 31)],
        [7, "25490", None, 100, None, 90, 10, date(2025, 10, 31)],
        [8, None, None, 100, 50, 90, 10, date(2025, 10, 31)],
    ]
    record = upload(sheet_file(rows))
    assert record.outcome == ImportRecord.Outcome.REJECTED
    assert texts(record) == [
        "Row 2, column B (Mã xã): Commune Xã Lộc Ninh (25100) is not in Tây Ninh.",
        "Row 3, column B (Mã xã): No commune has the code 99999.",
        "Row 4, column C (Tên xã): No commune is called “Xã Không Có” in Tây Ninh.",
        "Row 5, column E (Lực lượng lao động): labour force (150) cannot be more than population (100).",
        "Row 5, column F (Số người tham gia BHYT): BHYT insured (120) cannot be more than population (100).",
        "Row 5, column G (Số người tham gia BHXH): BHXH insured (160) cannot be more than labour force (150).",
        "Row 6, column H (Tính đến ngày): The date of the figures cannot be in the future.",
        "Row 7, column B (Mã xã): Duplicate of row 6.",
        "Row 8, column E (Lực lượng lao động): The cell is empty; it needs a value.",
        "Row 9, column B (Mã xã): Give the commune's code or name.",
    ]
    assert baselines(campaign) == {}


def test_a_total_row_that_does_not_add_up_is_reported(world):
    rows = [HEADER, [1, "25480", None, 100, 50, 90, 10, date(2025, 10, 31)], ["Tổng cộng", None, None, 999]]
    assert texts(upload(sheet_file(rows))) == [
        "Row 3, column D (Dân số (người)): The total row says 999, but the rows above add up to 100."
    ]


def test_a_sheet_without_a_commune_column_is_rejected(world):
    rows = [HEADER[3:], [100, 50, 90, 10, date(2025, 10, 31)]]
    assert texts(upload(sheet_file(rows))) == ["The sheet needs a column Mã xã or Tên xã."]


def test_a_reupload_changes_what_differs_and_twice_changes_nothing(world):
    campaign, communes = world
    CoverageBaselineFactory(campaign=campaign, commune=communes["tan_bien"])
    rows = [HEADER, [1, "25480", None, 30_000, 18_000, 28_000, 6_840, date(2025, 10, 31)]]
    preview = upload(sheet_file(rows), write=False)
    assert preview.summary["counts"] == {"added": 0, "changed": 1, "removed": 0, "unchanged": 0}
    assert preview.summary["lines"] == ["Xã Tân Biên: BHYT insured 27.900 → 28.000"]
    assert baselines(campaign)["25480"][2] == 27_900
    upload(sheet_file(rows))
    again = upload(sheet_file(rows))
    assert baselines(campaign)["25480"][2] == 28_000
    assert again.rows_written == 0 and again.summary["counts"]["unchanged"] == 1


def test_the_template_lists_the_communes_and_empty_rows_are_not_imported(world):
    campaign, communes = world
    CoverageBaselineFactory(campaign=campaign, commune=communes["tan_bien"])
    data = BaselineImport().template(campaign)
    sheet = openpyxl.load_workbook(io.BytesIO(data)).active
    assert [cell.value for cell in sheet[3]] == [
        "STT",
        "Mã xã",
        "Tên xã",
        "Dân số",
        "Lực lượng lao động",
        "Số người tham gia BHYT",
        "Số người tham gia BHXH",
        "Tính đến ngày",
    ]
    names = [sheet.cell(row, 3).value for row in range(4, sheet.max_row + 1)]
    assert names == ["Xã Tân Biên", "Xã Thạnh Bình", "Phường Thạnh Bình"]
    assert sheet.cell(4, 4).value == 30_000
    record = upload(data)
    assert texts(record) == [] and record.summary["counts"]["unchanged"] == 1 and record.rows_written == 0
