"""Redis stops while officers record: nothing is lost, and the follow-up work is done once it is back.

Runs against the real Redis of CI (and PostgreSQL there), reached through a proxy the test
stops and starts (``redis_behind_proxy``): the shared server itself keeps running.
"""

from datetime import date

import pytest
from django.test import Client
from django.urls import reverse

from campaign.tests.factories import CampaignFactory, CommuneFactory, CoverageBaselineFactory
from collectors.roles import Role
from collectors.tests.factories import AgencyFactory, UserFactory, officer_user
from collectors.tokens import issue_api_token
from core.models import PendingWork
from core.tasks import flush_pending_work
from enrollments.models import Enrollment, Source
from enrollments.tests.test_api import CAMPAIGN_CODE, body, post
from enrollments.tests.test_views import bhxh_data, confirm

pytestmark = [pytest.mark.redis, pytest.mark.django_db(transaction=True)]

PROGRESS = f"/api/v1/campaigns/{CAMPAIGN_CODE}/progress"


@pytest.fixture
def world(settings, default_policies):
    settings.APP_TODAY = date(2025, 12, 10)
    campaign = CampaignFactory(code=CAMPAIGN_CODE)
    commune = CommuneFactory(province=campaign.province)
    CoverageBaselineFactory(campaign=campaign, commune=commune, as_of=date(2025, 11, 1))
    agency = AgencyFactory(code="MINE")
    agency.communes.add(commune)
    officer = officer_user(agency=agency)
    return {"campaign": campaign, "commune": commune, "officer": officer}


def bearer(user) -> dict:
    _token, raw = issue_api_token(user=user, name="test")
    return {"Authorization": f"Bearer {raw}"}


def added(client, headers) -> tuple[int, int]:
    """The province's people added (BHYT, BHXH) as the progress API answers now."""
    response = client.get(PROGRESS, headers=headers)
    assert response.status_code == 200, response.content
    province = response.json()["province"]
    return province["bhyt"]["added"], province["bhxh"]["added"]


def test_enrollments_are_recorded_with_redis_down_and_the_figures_catch_up_once_it_returns(world, redis_behind_proxy):
    proxy = redis_behind_proxy
    staff = bearer(UserFactory(role=Role.PROVINCIAL))
    api, browser = Client(), Client()
    browser.force_login(world["officer"])
    assert added(api, staff) == (0, 0)  # computed, and cached in Redis for the next minute

    proxy.stop()  # Redis goes away
    response = post(api, body(world["commune"].code), bearer(world["officer"]))
    assert response.status_code == 201, response.content
    url = reverse("enrollments:enroll_bhxh")
    recorded = confirm(browser, url, browser.post(url, bhxh_data(world)))
    assert recorded.status_code == 302, recorded.content
    assert sorted(Enrollment.objects.values_list("source", flat=True)) == [Source.API, Source.WEB]
    # Pages answer, computed without the cache; the cache refresh each write owed is kept.
    assert added(api, staff) == (1, 1)
    # Each write owes two: its campaign's figures and the people's generation (retention reads every campaign).
    assert list(PendingWork.objects.values_list("kind", flat=True)) == ["bump"] * 4
    assert flush_pending_work.apply().get() == 0  # still away: kept for the next minute
    assert PendingWork.objects.get(pk=PendingWork.objects.first().pk).attempts == 2

    proxy.start()  # Redis is back, with the figures it cached before the outage
    assert added(api, staff) == (0, 0)  # what the lost refresh would leave behind for a minute
    assert flush_pending_work.apply().get() == 4  # beat's next minute
    assert added(api, staff) == (1, 1)
    assert not PendingWork.objects.exists()
