"""The enrollment export applies the one personal-data decision of enrollments.privacy."""

from datetime import date

import pytest

from campaign.tests.factories import CampaignFactory, CommuneFactory
from collectors.roles import Role
from collectors.tests.factories import CollectorFactory, UserFactory
from dashboard.reports import ENROLLMENT_FIELDS, enrollment_rows
from enrollments.services import record_enrollment
from enrollments.tests.factories import bhyt_request, cccd_of

pytestmark = pytest.mark.django_db

CCCD, BIRTH, PHONE = (ENROLLMENT_FIELDS.index(f"participant__{f}") for f in ("cccd", "date_of_birth", "phone"))


@pytest.fixture
def recorded(settings):
    settings.APP_TODAY = date(2025, 12, 10)
    campaign = CampaignFactory()
    collector = CollectorFactory()
    commune = CommuneFactory(province=campaign.province)
    record_enrollment(
        campaign=campaign,
        collector=collector,
        request=bhyt_request(1, commune_code=commune.code, collected_on=date(2025, 11, 20)),
    )
    return campaign, collector


def _personal(rows):
    return [(row[CCCD], row[BIRTH], row[PHONE]) for row in rows]


def test_admins_get_the_personal_data_in_full(recorded):
    campaign, _ = recorded
    rows = list(enrollment_rows(campaign, user=UserFactory(role=Role.ADMIN)))
    assert _personal(rows) == [(cccd_of(1), date(1985, 3, 2), "0912345678")]


def test_anyone_else_reaching_the_export_gets_it_masked(recorded):
    campaign, _ = recorded
    rows = list(enrollment_rows(campaign, user=UserFactory(role=Role.PROVINCIAL)))
    assert _personal(rows) == [("072*******01", "**/**/1985", "091****678")]


def test_the_masked_export_is_still_a_readable_workbook(recorded):
    import openpyxl

    from dashboard.reports import enrollments_report

    campaign, _ = recorded
    report = enrollments_report(campaign, user=UserFactory(role=Role.PROVINCIAL))
    with report.file:
        sheet = openpyxl.load_workbook(report.file).active
    assert _personal([[c.value for c in sheet[4]]]) == [("072*******01", "**/**/1985", "091****678")]
