"""import_quotas and import_roster: the same preview and problems as the page, non-zero exit on rejection."""

import io

import openpyxl
import pytest
from django.core.management import CommandError, call_command
from django.utils import translation

from campaign.tests.factories import BhxhOfficeFactory, CampaignFactory
from collectors.models import CollectionAgency, WeeklyQuota
from collectors.tests.factories import AgencyFactory
from core.models import ImportRecord
from core.tests.excel_files import far_cell, sheet_file

pytestmark = pytest.mark.django_db

QUOTA_HEADER = ["Mã tổ chức dịch vụ thu", "Tuần", "BHXH TN", "BHYT HGĐ"]


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def run(*args) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command(*args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_import_quotas_dry_run_shows_the_changes_and_writes_nothing(tmp_path):
    CampaignFactory(code="TN-2025")
    AgencyFactory(code="BD-01")
    path = tmp_path / "quotas.xlsx"
    path.write_bytes(sheet_file([QUOTA_HEADER, ["BD-01", 1, 10, "1.200"]]))
    out, _ = run("import_quotas", str(path), "--campaign", "TN-2025", "--dry-run")
    assert "Sheet “Dữ liệu”, header on row 1: 1 rows read." in out
    assert "added: 2 · changed: 0 · removed: 0 · unchanged: 0" in out
    assert "  Week 1 · BD-01 · BHYT HGĐ: — → 1.200" in out
    assert "nothing was written" in out and WeeklyQuota.objects.count() == 0
    out, _ = run("import_quotas", str(path), "--campaign", "TN-2025")
    assert "written: 2 rows changed." in out and WeeklyQuota.objects.count() == 2
    record = ImportRecord.objects.get(outcome=ImportRecord.Outcome.WRITTEN)
    assert (record.source, record.file_name, record.user) == ("command", "quotas.xlsx", None) and record.actor


def test_import_quotas_exits_non_zero_with_the_problems_and_can_write_the_rejected_rows(tmp_path):
    CampaignFactory(code="TN-2025")
    AgencyFactory(code="BD-01")
    path, rejected = tmp_path / "quotas.xlsx", tmp_path / "rejected.xlsx"
    path.write_bytes(sheet_file([QUOTA_HEADER, ["BD-01", 1, 10, 1], ["XX", 1, -1, 1]]))
    err = io.StringIO()
    with pytest.raises(CommandError, match=r"Import \d+ rejected: nothing was written \(1 problems\)\."):
        call_command("import_quotas", str(path), "--campaign", "TN-2025", "--rejected", str(rejected), stderr=err)
    assert err.getvalue().splitlines() == ["Row 3, column C (BHXH TN): -1 is negative; a count cannot be."]
    sheet = openpyxl.load_workbook(rejected).active
    assert sheet["B3"].value == "XX" and WeeklyQuota.objects.count() == 0


def test_import_quotas_refuses_an_unknown_campaign_and_a_missing_file(tmp_path):
    path = tmp_path / "q.xlsx"
    path.write_bytes(sheet_file([QUOTA_HEADER, ["BD-01", 1, 10, 1]]))
    with pytest.raises(CommandError, match="rejected"):
        run("import_quotas", str(path), "--campaign", "NOPE")
    with pytest.raises(CommandError, match="No such file"):
        run("import_quotas", str(tmp_path / "none.xlsx"), "--campaign", "NOPE")


def test_import_quotas_writes_its_template(tmp_path):
    CampaignFactory(code="TN-2025")
    target = tmp_path / "mau.xlsx"
    out, _ = run("import_quotas", "--campaign", "TN-2025", "--template", str(target))
    assert out.strip() == f"Template written to {target}."
    header = [cell.value for cell in openpyxl.load_workbook(target).active[3]]
    assert header[:4] == ["STT", "Mã tổ chức dịch vụ thu", "Tên tổ chức dịch vụ thu", "Tuần 1 - BHXH TN"]


def test_import_roster_with_template_and_file(tmp_path):
    office = BhxhOfficeFactory(code="BHXH-TB")
    template = tmp_path / "roster-template.xlsx"
    run("import_roster", "--template", str(template))
    assert openpyxl.load_workbook(template).active["B4"].value == "BD-TAYNINH"  # the example row
    path = tmp_path / "roster.xlsx"
    path.write_bytes(
        sheet_file(
            [["Mã TCDVT", "Tên TCDVT", "Loại tổ chức", "BHXH cơ sở"], ["BD-01", "Bưu điện 1", "Bưu điện", office.code]]
        )
    )
    out, _ = run("import_roster", str(path))
    assert "Agency BD-01 Bưu điện 1: added" in out
    assert CollectionAgency.objects.get().code == "BD-01"


def test_a_file_over_the_size_limit_is_refused_and_recorded(tmp_path, settings):
    settings.IMPORT_MAX_BYTES = 1000
    CampaignFactory(code="TN-2025")
    path = tmp_path / "big.xlsx"
    path.write_bytes(sheet_file([QUOTA_HEADER, *[["BD-01", 1, n, n] for n in range(200)]]))
    err = io.StringIO()
    with pytest.raises(CommandError):
        call_command("import_quotas", str(path), "--campaign", "TN-2025", stderr=err)
    assert "the limit is 0 MB" in err.getvalue()
    record = ImportRecord.objects.get()
    assert record.outcome == ImportRecord.Outcome.REJECTED and record.size == path.stat().st_size
    assert record.rows_read == 0 and len(record.sha256) == 64


def test_a_sheet_reaching_the_last_cell_of_excel_is_refused_and_recorded(tmp_path):
    """A few kilobytes whose one extra cell sits at XFD1048576: refused by its size, never read into a grid."""
    CampaignFactory(code="TN-2025")
    path = tmp_path / "far.xlsx"
    path.write_bytes(far_cell("XFD1048576", [QUOTA_HEADER, ["BD-01", 1, 10, 10]]))
    err = io.StringIO()
    with pytest.raises(CommandError):
        call_command("import_quotas", str(path), "--campaign", "TN-2025", stderr=err)
    assert "Sheet “Dữ liệu” reaches row 1.048.576 and column XFD (16.384 columns)" in err.getvalue()
    record = ImportRecord.objects.get()
    assert (record.outcome, record.rows_read, record.size) == (ImportRecord.Outcome.REJECTED, 0, path.stat().st_size)
