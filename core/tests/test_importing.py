"""The import pipeline itself: records, previews waiting for confirmation, and their expiry."""

from datetime import date, timedelta

import pytest
from django.utils import timezone, translation

from campaign.imports import BaselineImport
from campaign.models import CoverageBaseline
from campaign.tests.factories import CampaignFactory, CommuneFactory
from collectors.tests.factories import UserFactory
from core import clock
from core.errors import DomainError
from core.excel.importing import (
    cancel_import,
    confirm_import,
    forget_stale_uploads,
    record_refusal,
    run_import,
)
from core.models import ImportRecord
from core.tests.excel_files import sheet_file

pytestmark = pytest.mark.django_db

HEADER = ["Mã xã", "Dân số", "Lực lượng lao động", "Số người tham gia BHYT", "Số người tham gia BHXH", "Tính đến ngày"]


@pytest.fixture(autouse=True)
def world(settings):
    settings.APP_TODAY = date(2025, 12, 10)
    campaign = CampaignFactory(code="TN-2025")
    CampaignFactory(code="OTHER", province=campaign.province)
    CommuneFactory(code="25480", province=campaign.province)
    with translation.override("en"):
        yield campaign


DATA = sheet_file([HEADER, ["25480", 30_000, 18_000, 27_900, 6_840, "31/10/2025"]])


def preview(campaign: str = "TN-2025", user=None):
    return run_import(
        BaselineImport(),
        data=DATA,
        file_name="so-lieu.xlsx",
        codes={"campaign": campaign},
        write=False,
        keep_pending=True,
        source="web",
        user=user,
    )


def test_a_preview_keeps_the_file_until_it_is_confirmed_once():
    user = UserFactory(username="qt")
    record = preview(user=user)
    assert record.outcome == ImportRecord.Outcome.PREVIEWED and bytes(record.pending_file) == DATA
    written = confirm_import(BaselineImport(), record=record)
    assert (written.pk, written.outcome, written.rows_written) == (record.pk, "written", 1)
    assert written.user == user and CoverageBaseline.objects.count() == 1
    assert ImportRecord.objects.get(pk=record.pk).pending_file is None
    with pytest.raises(DomainError, match="already written, cancelled or has expired"):
        confirm_import(BaselineImport(), record=record)


def test_a_cancelled_or_stale_preview_cannot_be_confirmed(settings):
    cancelled = preview()
    cancel_import(record=cancelled)
    with pytest.raises(DomainError):
        confirm_import(BaselineImport(), record=cancelled)
    stale = preview()
    ImportRecord.objects.filter(pk=stale.pk).update(created_at=clock.now() - timedelta(days=30))
    assert forget_stale_uploads() == 1
    with pytest.raises(DomainError):
        confirm_import(BaselineImport(), record=stale)
    assert CoverageBaseline.objects.count() == 0


def test_the_same_file_for_another_campaign_is_not_called_a_repeat():
    written = run_import(
        BaselineImport(), data=DATA, file_name="a.xlsx", codes={"campaign": "TN-2025"}, write=True, source="web"
    )
    other = preview(campaign="OTHER")
    same = preview(campaign="TN-2025")
    assert other.summary["notes"] == []
    assert same.summary["notes"] == [
        f"The same file was imported on {timezone.localtime(written.created_at):%d/%m/%Y %H:%M} by  "
        f"(import {written.pk})."
    ]


def test_a_refusal_before_reading_is_recorded_with_the_file_s_digest(settings):
    settings.IMPORT_MAX_BYTES = 10
    record = record_refusal(BaselineImport(), file_name="x.xlsx", size=20, sha256="ab" * 32, source="web")
    assert (record.outcome, record.size, record.sha256, record.problem_count) == ("rejected", 20, "ab" * 32, 1)
    assert record.problems[0]["text"].startswith("The file is 0 MB; the limit is 0 MB.")
