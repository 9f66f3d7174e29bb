"""Look-ups of a CCCD's status are limited per user and minute (issue 10, fault 7)."""

from datetime import date
from unittest import mock

import pytest
from django.urls import reverse

from campaign.tests.factories import CampaignFactory
from collectors.roles import Role
from collectors.tests.factories import UserFactory, officer_user
from collectors.tokens import issue_api_token
from enrollments.tests.factories import cccd_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def limited(settings):
    settings.APP_TODAY = date(2025, 11, 20)
    settings.CCCD_LOOKUPS_PER_MINUTE = 3
    # One fixed minute, so the test never straddles two windows.
    with mock.patch("core.ratelimit.time.time", return_value=1_000_020.0):
        yield CampaignFactory(status="active")


def test_the_api_answers_429_past_the_limit_and_other_users_are_not_affected(client, limited):
    _token, raw = issue_api_token(user=UserFactory(role=Role.PROVINCIAL), name="t")
    headers = {"Authorization": f"Bearer {raw}", "Accept-Language": "en"}
    url = f"/api/v1/participants/{cccd_of(1)}/status"
    statuses = [client.get(url, {"product": "bhyt_hgd"}, headers=headers).status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    refused = client.get(url, {"product": "bhyt_hgd"}, headers=headers).json()
    assert refused["detail"] == "Too many look-ups of CCCD numbers in a minute; wait a moment and try again."
    _token, other = issue_api_token(user=UserFactory(role=Role.PROVINCIAL), name="u")
    assert client.get(url, {"product": "bhyt_hgd"}, headers={"Authorization": f"Bearer {other}"}).status_code == 200


def test_the_entry_forms_live_box_says_to_wait(client, limited, settings):
    client.force_login(officer_user())
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    url = reverse("enrollments:lookup", args=["bhyt_hgd"])
    pages = [client.get(url, {"cccd": cccd_of(n)}).content.decode() for n in range(1, 5)]
    assert all("Too many look-ups" not in page for page in pages[:3])
    assert "Too many look-ups of CCCD numbers in a minute" in pages[3]
