"""The admins' audit trail page and the record of personal-data downloads."""

from datetime import date

import pytest
from django.urls import reverse

from campaign.models import Product
from campaign.tests.factories import CampaignFactory, CommuneFactory
from collectors.roles import Role
from collectors.tests.factories import AgencyFactory, UserFactory, WeeklyQuotaFactory, officer_user
from core.models import DownloadRecord
from dashboard.audit.trail import audit_trail
from enrollments.services import cancel_enrollment, record_enrollment
from enrollments.tests.factories import bhxh_request, bhyt_request, cccd_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(settings, client):
    settings.APP_TODAY = date(2025, 12, 10)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    campaign = CampaignFactory(code="TN-2025")
    commune = CommuneFactory(province=campaign.province)
    agency = AgencyFactory(code="BD-01")
    agency.communes.add(commune)
    officer = officer_user(agency=agency, username="canbo")
    collector = officer.collector
    first = record_enrollment(
        campaign=campaign,
        collector=collector,
        request=bhyt_request(1, commune_code=commune.code, collected_on=date(2025, 12, 2), household_code="HGD-1"),
        recorded_by=officer,
    )
    cancel_enrollment(enrollment=first, reason="Nhập trùng", user=officer)
    record_enrollment(
        campaign=campaign,
        collector=collector,
        request=bhxh_request(2, commune_code=commune.code, collected_on=date(2025, 12, 3)),
        recorded_by=officer,
    )
    return {
        "campaign": campaign,
        "officer": officer,
        "admin": UserFactory(username="qt", role=Role.ADMIN),
        "agency": agency,
    }


def test_only_admins_open_the_audit_pages(client, world):
    for name in ("dashboard:audit_log", "dashboard:download_log"):
        assert client.get(reverse(name)).status_code == 302  # to the login page
        for user in (world["officer"], UserFactory(role=Role.PROVINCIAL)):
            client.force_login(user)
            assert client.get(reverse(name)).status_code == 403
        client.force_login(world["admin"])
        assert client.get(reverse(name)).status_code == 200
        client.logout()


def test_the_trail_says_who_did_what_with_personal_data_masked(client, world, django_assert_max_num_queries):
    client.force_login(world["admin"])
    with django_assert_max_num_queries(32):  # a few per kind of object, whatever the number of rows
        body = client.get(reverse("dashboard:audit_log")).content.decode()
    assert "Nguyễn Văn Thử 1 · 072*******01" in body and "Nguyễn Văn Thử 2 · 072*******02" in body
    assert "status:</span> recorded → cancelled" in body
    assert "reason for cancelling:</span> — → Nhập trùng" in body
    assert "by <strong>canbo</strong>" in body
    assert "phone:</span> 091****678" in body and "**/**/1985" in body
    for secret in (cccd_of(1), cccd_of(2), "0912345678", "02/03/1985"):
        assert secret not in body


def test_the_trail_filters_by_person_and_by_kind(client, world):
    client.force_login(world["admin"])
    one = audit_trail(cccd=cccd_of(1))
    assert sorted((e.kind, e.action) for e in one) == [
        ("enrollment", "+"),
        ("enrollment", "~"),
        ("household", "+"),
        ("participant", "+"),
    ]
    WeeklyQuotaFactory(week=world["campaign"].weeks.get(number=1), agency=world["agency"], product=Product.BHXH_TN)
    body = client.get(reverse("dashboard:audit_log"), {"kind": "quota"}).content.decode()
    assert "BD-01 · week 1 · voluntary social insurance (BHXH tự nguyện)" in body and "Nguyễn Văn Thử" not in body
    body = client.get(reverse("dashboard:audit_log"), {"cccd": cccd_of(2)}).content.decode()
    assert "Nguyễn Văn Thử 2" in body and "Nguyễn Văn Thử 1" not in body
    assert [e.who for e in audit_trail(user="canbo")] and not audit_trail(user="qt")


def test_a_typo_in_the_filters_is_a_message_not_an_error(client, world):
    client.force_login(world["admin"])
    response = client.get(reverse("dashboard:audit_log"), {"cccd": "12ab", "kind": "nothing", "before": "x"})
    assert response.status_code == 200
    body = response.content.decode()
    assert "A CCCD number has 12 digits." in body and "Nothing recorded matches." in body


def test_the_trail_pages_back_in_time(world):
    newest = audit_trail(limit=2)
    older = audit_trail(limit=2, before=newest[-1].when)
    assert len(newest) == 2 and older and older[0].when < newest[-1].when
    assert {(e.kind, e.object_id, e.when) for e in newest}.isdisjoint((e.kind, e.object_id, e.when) for e in older)


def test_downloads_of_the_enrollment_export_are_recorded(client, world):
    client.force_login(world["admin"])
    response = client.get(reverse("dashboard:report_enrollments"), {"campaign": "TN-2025"})
    assert response.status_code == 200
    b"".join(response.streaming_content)
    [record] = DownloadRecord.objects.all()
    assert (record.user, record.actor, record.export, record.filters, record.rows, record.file_name) == (
        world["admin"],
        "qt",
        "reports.enrollments",
        {"campaign": "TN-2025"},
        2,
        "ho-so-TN-2025.xlsx",
    )
    body = client.get(reverse("dashboard:download_log")).content.decode()
    assert "ho-so-TN-2025.xlsx" in body and "campaign=TN-2025" in body


def test_an_officer_s_download_of_their_agency_s_enrollments_is_recorded(client, world):
    client.force_login(world["officer"])
    response = client.get(reverse("dashboard:my_agency_export", args=["enrollments"]))
    assert response.status_code == 200
    [record] = DownloadRecord.objects.all()
    assert (record.user, record.export, record.filters, record.rows) == (
        world["officer"],
        "dashboard.agency.enrollments",
        {"agency": "BD-01"},
        2,
    )
    # A table without people is not a download of personal data.
    client.get(reverse("dashboard:my_agency_export", args=["weeks"]))
    assert DownloadRecord.objects.count() == 1
