"""Weekly quota sheets, long and wide, as provinces type them: what lands in WeeklyQuota and every message."""

import io
from datetime import date

import openpyxl
import pytest
from django.utils import translation

from campaign.tests.factories import CampaignFactory
from collectors.imports import QuotaImport
from collectors.models import WeeklyQuota
from collectors.tests.factories import AgencyFactory, UserFactory
from core.excel.importing import run_import
from core.models import ImportRecord
from core.tests.excel_files import BANNER, SIGNATURES, sheet_file

pytestmark = pytest.mark.django_db

LONG_HEADER = ["STT", "Mã tổ chức dịch vụ thu", "Tên tổ chức", "Tuần", "Chỉ tiêu BHXH TN", "Chỉ tiêu BHYT HGĐ"]


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


@pytest.fixture
def world():
    campaign = CampaignFactory(code="TN-2025")
    agencies = {code: AgencyFactory(code=code) for code in ("BD-01", "BD-02", "DL-03")}
    return campaign, agencies


def quotas(campaign) -> dict[tuple[int, str, str], int]:
    return {
        (q.week.number, q.agency.code, q.product): q.count
        for q in WeeklyQuota.objects.filter(week__campaign=campaign).select_related("week", "agency")
    }


def upload(data: bytes, *, write: bool = True, campaign: str = "TN-2025", user=None, name: str = "chi-tieu.xlsx"):
    return run_import(
        QuotaImport(), data=data, file_name=name, codes={"campaign": campaign}, write=write, source="web", user=user
    )


def texts(record) -> list[str]:
    return [problem["text"] for problem in record.problems]


def test_long_form_with_banners_vietnamese_numbers_weeks_by_number_date_or_text(world):
    campaign, _ = world
    user = UserFactory(username="qt01")
    rows = [
        *BANNER,
        ["CHỈ TIÊU PHÁT TRIỂN NGƯỜI THAM GIA"],
        LONG_HEADER,
        [1, "BD-01", "Bưu điện 1", 1, "1.200", 40],
        [2, "BD-01", "Bưu điện 1", date(2025, 11, 19), 12, "45"],
        [3, "bd-02", "Bưu điện 2", "Tuần 1", 0, 30],
        [4, "DL-03", "Đại lý 3", "19/11/2025", None, 25],
        ["Tổng cộng", None, None, None, 1212, 140],
        *SIGNATURES,
    ]
    data = sheet_file(rows, merge=["A1:C1", "D1:F1"])
    record = upload(data, user=user)
    assert texts(record) == [] and record.outcome == ImportRecord.Outcome.WRITTEN
    assert quotas(campaign) == {
        (1, "BD-01", "bhxh_tn"): 1200,
        (1, "BD-01", "bhyt_hgd"): 40,
        (2, "BD-01", "bhxh_tn"): 12,
        (2, "BD-01", "bhyt_hgd"): 45,
        (1, "BD-02", "bhyt_hgd"): 30,
        (2, "DL-03", "bhyt_hgd"): 25,
    }
    record.refresh_from_db()
    assert (record.kind, record.rows_read, record.rows_written, record.user, record.actor) == (
        "quotas",
        4,
        6,
        user,
        "qt01",
    )
    assert record.file_name == "chi-tieu.xlsx" and record.size == len(data) and len(record.sha256) == 64
    assert record.parameters == {"campaign": "TN-2025"}
    assert record.summary["counts"] == {"added": 6, "changed": 0, "removed": 0, "unchanged": 0}


def wide_rows(week_1, week_2):
    header = [
        "STT",
        "Mã TCDVT",
        "Tên TCDVT",
        "Tuần 1 - BHXH TN",
        "Tuần 1 - BHYT HGĐ",
        "Tuần 2 - BHXH TN",
        "Tuần 2 -\nBHYT HGĐ",
    ]
    return [
        header,
        [1, "BD-01", "Bưu điện 1", *week_1[0], *week_2[0]],
        [2, "BD-02", "Bưu điện 2", *week_1[1], *week_2[1]],
    ]


def test_wide_form_one_row_per_agency_a_pair_of_columns_per_week(world):
    campaign, _ = world
    record = upload(sheet_file([*BANNER, *wide_rows([(10, 40), (5, None)], [(11, "42"), (None, None)])]))
    assert texts(record) == []
    assert quotas(campaign) == {
        (1, "BD-01", "bhxh_tn"): 10,
        (1, "BD-01", "bhyt_hgd"): 40,
        (1, "BD-02", "bhxh_tn"): 5,
        (2, "BD-01", "bhxh_tn"): 11,
        (2, "BD-01", "bhyt_hgd"): 42,
    }


def test_wide_form_with_the_week_merged_over_two_product_columns(world):
    campaign, _ = world
    rows = [
        *BANNER,
        ["STT", "Mã đơn vị", "Tên đơn vị", "Tuần 1", None, "Tuần 2", None],
        [None, None, None, "BHXH TN", "BHYT HGĐ", "BHXH TN", "BHYT HGĐ"],
        [1, "BD-01", "Bưu điện 1", 3, 4, 5, 6],
        [None, "Cộng", None, 3, 4, 5, 6],
    ]
    record = upload(sheet_file(rows, merge=["A5:A6", "B5:B6", "C5:C6", "D5:E5", "F5:G5"]))
    assert texts(record) == []
    assert quotas(campaign) == {
        (1, "BD-01", "bhxh_tn"): 3,
        (1, "BD-01", "bhyt_hgd"): 4,
        (2, "BD-01", "bhxh_tn"): 5,
        (2, "BD-01", "bhyt_hgd"): 6,
    }


def test_a_reupload_replaces_that_weeks_quotas_and_the_preview_shows_the_changes(world):
    campaign, _agencies = world
    upload(sheet_file([LONG_HEADER, [1, "BD-01", "", 1, 10, 40], [2, "DL-03", "", 1, 2, 3], [3, "DL-03", "", 2, 7, 8]]))
    second = sheet_file([LONG_HEADER, [1, "BD-01", "", 1, 12, 40], [2, "BD-02", "", 1, 5, None]])
    preview = upload(second, write=False)
    assert preview.outcome == ImportRecord.Outcome.PREVIEWED and preview.rows_written == 0
    assert preview.summary["counts"] == {"added": 1, "changed": 1, "removed": 2, "unchanged": 1}
    assert preview.summary["lines"] == [
        "Week 1 · BD-01 · BHXH TN: 10 → 12",
        "Week 1 · BD-02 · BHXH TN: — → 5",
        "Week 1 · DL-03 · BHXH TN: 2 → —",
        "Week 1 · DL-03 · BHYT HGĐ: 3 → —",
    ]
    assert preview.summary["notes"] == ["Weeks in this file: 1. Quotas of other weeks stay as they are."]
    assert quotas(campaign)[(1, "BD-01", "bhxh_tn")] == 10  # a preview writes nothing
    written = upload(second)
    assert written.rows_written == 4
    assert quotas(campaign) == {
        (1, "BD-01", "bhxh_tn"): 12,
        (1, "BD-01", "bhyt_hgd"): 40,
        (1, "BD-02", "bhxh_tn"): 5,
        (2, "DL-03", "bhxh_tn"): 7,
        (2, "DL-03", "bhyt_hgd"): 8,
    }


def test_the_same_file_twice_changes_nothing_the_second_time(world):
    campaign, _ = world
    data = sheet_file([LONG_HEADER, [1, "BD-01", "", 1, 10, 40], [2, "BD-02", "", 2, 3, 4]])
    first = upload(data)
    before = quotas(campaign)
    second = upload(data)
    assert quotas(campaign) == before
    assert (second.outcome, second.rows_written) == (ImportRecord.Outcome.WRITTEN, 0)
    assert second.summary["counts"] == {"added": 0, "changed": 0, "removed": 0, "unchanged": 4}
    assert second.summary["notes"][-1].startswith("The same file was imported on ")
    assert second.summary["notes"][-1].endswith(f"(import {first.pk}).")
    assert second.sha256 == first.sha256


def test_bad_rows_are_all_reported_and_nothing_is_written(world):
    campaign, _ = world
    upload(sheet_file([LONG_HEADER, [1, "BD-01", "", 1, 10, 40]]))
    rows = [
        *BANNER,
        LONG_HEADER,
        [1, "BD-01", "", 1, 99, 99],
        [2, "XX-99", "", 1, 1, 1],
        [3, "BD-02", "", 6, 1, 1],
        [4, "BD-02", "", date(2025, 11, 20), 1, 1],
        [5, "BD-02", "", "01/12/2026", 1, 1],
        [6, "DL-03", "", 2, -3, 1],
        [7, "DL-03", "", 3, "2,5", 1],
        [8, "BD-01", "", "Tuần 1", 1, 1],
        [9, "DL-03", "", "giữa tháng", 1, 1],
    ]
    record = upload(sheet_file(rows))
    assert record.outcome == ImportRecord.Outcome.REJECTED and record.rows_written == 0
    assert texts(record) == [
        "Row 7, column B (Mã tổ chức dịch vụ thu): Unknown agency code XX-99; add the agency with the roster import "
        "first.",
        "Row 8, column D (Tuần): Week 6 is outside the campaign, which has weeks 1 to 5.",
        "Row 9, column D (Tuần): 20/11/2025 is not the first day of a week: week 2 starts on 19/11/2025.",
        "Row 10, column D (Tuần): 01/12/2026 is outside the campaign (12/11/2025 to 16/12/2025).",
        "Row 11, column E (Chỉ tiêu BHXH TN): -3 is negative; a count cannot be.",
        "Row 12, column E (Chỉ tiêu BHXH TN): “2,5” is not a whole number; a count has no decimals.",
        "Row 13, column B (Mã tổ chức dịch vụ thu): Duplicate of row 6.",
        "Row 14, column D (Tuần): “giữa tháng” is not a week: write its number (1, 2, ...) or its first day "
        "(dd/mm/yyyy).",
    ]
    assert quotas(campaign) == {(1, "BD-01", "bhxh_tn"): 10, (1, "BD-01", "bhyt_hgd"): 40}


def test_problems_are_sorted_by_row_and_the_rejected_rows_come_back_with_an_error_column(world):
    rows = [LONG_HEADER, [1, "BD-01", "Bưu điện 1", 1, 10, 40], [2, "XX-99", "+CMD", 1, "1.200,5", 3]]
    record = upload(sheet_file(rows))
    record.refresh_from_db()
    sheet = openpyxl.load_workbook(io.BytesIO(bytes(record.rejected_file))).active
    values = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert values[1] == ["Row in the uploaded file", *LONG_HEADER, "Error"]
    assert values[2][:7] == [3, 2, "XX-99", "'+CMD", 1, "1.200,5", 3]
    assert values[2][7] == "Chỉ tiêu BHXH TN: “1.200,5” is not a whole number; a count has no decimals."
    assert len(values) == 3  # the good row is not in it


def test_a_missing_column_rejects_the_file(world):
    record = upload(sheet_file([["Mã tổ chức dịch vụ thu", "Tuần", "BHXH TN"], ["BD-01", 1, 3]]))
    assert texts(record) == ["Sheet “Dữ liệu”, header row 1: the column(s) Chỉ tiêu BHYT hộ gia đình are missing."]


def test_a_week_column_outside_the_campaign_is_reported(world):
    rows = [["Mã đơn vị", "Tuần 1 - BHXH TN", "Tuần 6 - BHXH TN"], ["BD-01", 1, 2]]
    assert texts(upload(sheet_file(rows))) == [
        "The column Tuần 6 - BHXH TN is for week 6, but the campaign has weeks 1 to 5."
    ]


def test_a_deactivated_agency_cannot_get_a_quota(world):
    _campaign, agencies = world
    agencies["DL-03"].active = False
    agencies["DL-03"].save()
    rows = [LONG_HEADER, [1, "DL-03", "", 1, 1, None], [2, "DL-03", "", 2, None, None]]
    assert texts(upload(sheet_file(rows))) == [
        "Row 2, column B (Mã tổ chức dịch vụ thu): Agency DL-03 is deactivated: reactivate it or leave its quotas "
        "empty."
    ]


def test_an_unknown_campaign_is_rejected_and_recorded(world):
    record = upload(sheet_file([LONG_HEADER, [1, "BD-01", "", 1, 1, 1]]), campaign="NOPE")
    assert (record.outcome, texts(record)) == (ImportRecord.Outcome.REJECTED, ["No campaign has the code “NOPE”."])
    assert ImportRecord.objects.filter(pk=record.pk).exists()


def test_the_template_is_the_wide_form_filled_with_agencies_and_stored_quotas(world):
    campaign, _ = world
    upload(sheet_file([LONG_HEADER, [1, "BD-01", "", 2, 10, 40]]))
    data = QuotaImport().template(campaign)
    sheet = openpyxl.load_workbook(io.BytesIO(data)).active
    header = [cell.value for cell in sheet[3]]
    assert header[:5] == [
        "STT",
        "Mã tổ chức dịch vụ thu",
        "Tên tổ chức dịch vụ thu",
        "Tuần 1 - BHXH TN",
        "Tuần 1 - BHYT HGĐ",
    ]
    assert header[-1] == "Tuần 5 - BHYT HGĐ"
    first = [cell.value for cell in sheet[4]]
    assert first[:2] == [1, "BD-01"] and first[3:9] == [None, None, 10, 40, None, None]
    assert sheet.data_validations.dataValidation  # whole numbers ≥ 0 in the count columns
    # Uploaded unchanged, it changes nothing.
    again = upload(data)
    assert (again.outcome, again.rows_written) == (ImportRecord.Outcome.WRITTEN, 0)
