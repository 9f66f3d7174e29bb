"""An upload whose sheet reaches beyond the import's rows or columns: refused at once, with a record and a message."""

import time
from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from campaign.tests.factories import CampaignFactory
from collectors.roles import Role
from collectors.tests.factories import UserFactory
from core.models import ImportRecord
from core.tests.excel_files import far_cell

pytestmark = pytest.mark.django_db

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def test_one_cell_at_xfd1048576_is_refused_quickly_and_recorded(client, settings):
    settings.APP_TODAY = date(2025, 12, 10)
    CampaignFactory(code="TN-2025")
    client.force_login(UserFactory(role=Role.ADMIN))
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    data = far_cell("XFD1048576", [["Mã tổ chức dịch vụ thu", "Tuần", "BHXH TN", "BHYT HGĐ"], ["BD-01", 1, 1, 1]])
    started = time.monotonic()
    response = client.post(
        reverse("dashboard:import_upload", args=["quotas"]),
        {"file": SimpleUploadedFile("far.xlsx", data, content_type=XLSX), "campaign": "TN-2025"},
    )
    assert time.monotonic() - started < 5
    record = ImportRecord.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("dashboard:import_record", args=[record.pk])
    assert (record.outcome, record.rows_read, record.pending_file) == (ImportRecord.Outcome.REJECTED, 0, None)
    page = client.get(response["Location"]).content.decode()
    assert "reaches row 1.048.576 and column XFD (16.384 columns); this import reads at most 200.000 rows" in page
