"""A quote says which PolicyParameters row it was computed with: the API's answer and the entry page."""

from datetime import date

import pytest
from django.urls import reverse

from campaign.tests.factories import CampaignFactory, CommuneFactory
from collectors.tests.factories import officer_user
from enrollments.tests.factories import cccd_of

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("on", "policy_from", "amount", "decree"),
    [
        ("2026-06-30", "2025-07-01", 1_263_600, "188/2025"),
        ("2026-07-01", "2026-07-01", 1_366_200, "161/2026"),
    ],
)
def test_the_quote_api_names_the_row_in_force_on_the_day(client, on, policy_from, amount, decree):
    client.force_login(officer_user())
    answer = client.get("/api/v1/quote", {"product": "bhyt_hgd", "months": 12, "on": on})
    assert answer.status_code == 200
    body = answer.json()
    assert (body["amount_payable"], body["policy_from"]) == (amount, policy_from)
    assert decree in body["policy_basis"]


def test_the_entry_pages_amount_names_the_rates_it_used(client, settings):
    settings.APP_TODAY = date(2026, 7, 2)
    campaign = CampaignFactory(start_date=date(2026, 6, 1), end_date=date(2026, 7, 31))
    CommuneFactory(province=campaign.province)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    client.force_login(officer_user())
    page = client.get(
        reverse("enrollments:lookup", args=["bhyt_hgd"]),
        {"cccd": cccd_of(1), "months": "12", "collected_on": "02/07/2026"},
    )
    body = page.content.decode()
    assert "1.366.200" in body
    assert "Rates in force from 01/07/2026" in body
