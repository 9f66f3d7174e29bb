"""import_baseline from the command line."""

import io
from datetime import date

import openpyxl
import pytest
from django.core.management import CommandError, call_command
from django.utils import translation

from campaign.models import CoverageBaseline
from campaign.tests.factories import CampaignFactory, CommuneFactory
from core.models import ImportRecord
from core.tests.excel_files import sheet_file

pytestmark = pytest.mark.django_db

HEADER = ["Mã xã", "Dân số", "Lực lượng lao động", "Số người tham gia BHYT", "Số người tham gia BHXH", "Tính đến ngày"]


@pytest.fixture(autouse=True)
def english(settings):
    settings.APP_TODAY = date(2025, 12, 10)
    with translation.override("en"):
        yield


def test_import_baseline_dry_run_write_and_template(tmp_path):
    campaign = CampaignFactory(code="TN-2025")
    CommuneFactory(code="25480", name="Xã Tân Biên", province=campaign.province)
    path = tmp_path / "baseline.xlsx"
    path.write_bytes(sheet_file([HEADER, ["25480", 30_000, 18_000, 27_900, 6_840, "31/10/2025"]]))
    out = io.StringIO()
    call_command("import_baseline", str(path), "--campaign", "TN-2025", "--dry-run", stdout=out)
    assert "Xã Tân Biên: added, population 30.000" in out.getvalue() and CoverageBaseline.objects.count() == 0
    call_command("import_baseline", str(path), "--campaign", "TN-2025", stdout=io.StringIO())
    assert CoverageBaseline.objects.get().bhyt_insured == 27_900
    template = tmp_path / "mau.xlsx"
    call_command("import_baseline", "--campaign", "TN-2025", "--template", str(template), stdout=io.StringIO())
    assert openpyxl.load_workbook(template).active["C4"].value == "Xã Tân Biên"


def test_import_baseline_needs_a_known_campaign_for_its_template(tmp_path):
    with pytest.raises(CommandError, match=r"No campaign has the code “NOPE”\."):
        call_command("import_baseline", "--campaign", "NOPE", "--template", str(tmp_path / "t.xlsx"))


def test_a_file_that_is_not_a_spreadsheet_exits_non_zero_and_is_recorded(tmp_path):
    CampaignFactory(code="TN-2025")
    path = tmp_path / "notes.txt"
    path.write_text("Mã xã;Dân số\n25480;30000\n")
    err = io.StringIO()
    with pytest.raises(CommandError):
        call_command("import_baseline", str(path), "--campaign", "TN-2025", stderr=err, stdout=io.StringIO())
    assert err.getvalue().startswith("This file is not a spreadsheet.")
    record = ImportRecord.objects.get()
    assert (record.kind, record.outcome, record.file_name) == ("baseline", "rejected", "notes.txt")
