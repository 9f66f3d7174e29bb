"""import_prior_coverage and import_enrollments from the command line."""

import io
from datetime import date

import openpyxl
import pytest
from django.core.management import CommandError, call_command
from django.utils import translation

from campaign.tests.factories import CampaignFactory, CommuneFactory
from collectors.tests.factories import AgencyFactory, CollectorFactory
from core.tests.excel_files import sheet_file
from enrollments.models import Enrollment, PriorCoverage
from enrollments.tests.factories import cccd_of

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english(settings):
    settings.APP_TODAY = date(2025, 12, 10)
    with translation.override("en"):
        yield


def run(*args) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


def test_import_prior_coverage_dry_run_then_write(tmp_path):
    path = tmp_path / "prior.xlsx"
    path.write_bytes(sheet_file([["Số CCCD", "Loại hình", "Ngày hết hạn"], [cccd_of(1), "BHYT HGĐ", "31/12/2025"]]))
    assert "added: 1" in run("import_prior_coverage", str(path), "--dry-run")
    assert PriorCoverage.objects.count() == 0
    assert "written: 1 rows changed." in run("import_prior_coverage", str(path))
    assert "written: 0 rows changed." in run("import_prior_coverage", str(path))
    assert PriorCoverage.objects.get().last_coverage_end == date(2025, 12, 31)


def test_import_prior_coverage_rejects_bad_rows(tmp_path):
    path = tmp_path / "prior.xlsx"
    path.write_bytes(sheet_file([["Số CCCD", "Loại hình", "Ngày hết hạn"], ["123", "BHYT HGĐ", "31/12/2025"]]))
    err = io.StringIO()
    with pytest.raises(CommandError):
        call_command("import_prior_coverage", str(path), stderr=err, stdout=io.StringIO())
    assert "Row 2, column A (Số CCCD): The CCCD number must have 12 digits" in err.getvalue()


def test_import_enrollments_for_an_agency_and_its_template(tmp_path):
    campaign = CampaignFactory(code="TN-2025")
    CommuneFactory(code="25480", province=campaign.province)
    CollectorFactory(code="NVT-01", agency=AgencyFactory(code="BD-TB"))
    template = tmp_path / "mau.xlsx"
    run("import_enrollments", "--agency", "BD-TB", "--template", str(template))
    assert openpyxl.load_workbook(template).active["B2"].value == "Số CCCD"
    path = tmp_path / "paper.xlsx"
    header = ["Số CCCD", "Họ và tên", "Ngày sinh", "Giới tính", "Mã xã", "Loại hình", "Số tháng", "Ngày thu"]
    path.write_bytes(
        sheet_file([header, [cccd_of(1), "Nguyễn Văn A", "02/03/1985", "Nam", "25480", "BHYT HGĐ", 12, "20/11/2025"]])
    )
    out = run("import_enrollments", str(path), "--agency", "BD-TB", "--dry-run")
    assert "Row 2: Nguyễn Văn A (072*******01) · BHYT hộ gia đình · 12 months · new · 1.263.600 ₫" in out
    assert Enrollment.objects.count() == 0
    run("import_enrollments", str(path), "--agency", "BD-TB")
    assert Enrollment.objects.get().source == "import"
    with pytest.raises(CommandError):
        run("import_enrollments", str(path), "--agency", "NOPE")
