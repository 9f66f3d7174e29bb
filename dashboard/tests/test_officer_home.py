"""The officer's home page starts with "Record enrollment" and shows this week's quota, what the
agency and the officer brought in against it, and the mugs left where they are handed over."""

import re
from datetime import date

import pytest
from django.urls import reverse

from campaign.models import Product
from campaign.tests.factories import CampaignFactory, CommuneFactory
from collectors.attainment import attainment
from collectors.tests.factories import AgencyFactory, CollectorFactory, WeeklyQuotaFactory, officer_user
from enrollments.services import record_enrollment, set_gift_stock
from enrollments.tests.factories import bhxh_request, bhyt_request

pytestmark = pytest.mark.django_db

TODAY = date(2025, 12, 10)  # week 5


@pytest.fixture
def home(client, settings):
    settings.APP_TODAY = TODAY
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    campaign = CampaignFactory()
    commune = CommuneFactory(province=campaign.province)
    agency = AgencyFactory()
    agency.communes.add(commune)
    week = campaign.weeks.get(number=5)
    WeeklyQuotaFactory(week=week, agency=agency, product=Product.BHXH_TN, count=4)
    WeeklyQuotaFactory(week=week, agency=agency, product=Product.BHYT_HGD, count=10)
    user = officer_user(agency=agency)
    colleague = CollectorFactory(agency=agency)
    me = user.collector
    for number, collector in ((1, me), (2, me), (3, colleague)):
        request = bhxh_request(number, commune_code=commune.code, collected_on=TODAY)
        record_enrollment(campaign=campaign, collector=collector, request=request)
    record_enrollment(
        campaign=campaign, collector=colleague, request=bhyt_request(4, commune_code=commune.code, collected_on=TODAY)
    )
    set_gift_stock(campaign=campaign, agency=agency, received=7)
    client.force_login(user)
    return {"client": client, "campaign": campaign, "agency": agency}


def test_the_officer_home_starts_with_record_enrollment(home):
    body = home["client"].get(reverse("dashboard:agency_home")).content.decode()
    main = body[body.index("<main") :]
    first_link = re.search(r"<a [^>]*href=\"([^\"]+)\"[^>]*>([^<]+)</a>", main)
    assert (first_link.group(1), first_link.group(2).strip()) == (reverse("enrollments:start"), "Record enrollment")


def test_the_officer_sees_the_week_quota_and_their_own_part_of_it(home):
    body = home["client"].get(reverse("dashboard:agency_home")).content.decode()
    assert "BHXH TN: 3 / 4" in body and "BHYT HGĐ: 1 / 10" in body  # the agency against its quota
    mine = re.search(r'data-figure="mine">(.*?)</div>', body, re.DOTALL).group(1)
    share = attainment({"bhxh_tn": 2, "bhyt_hgd": 0}, {"bhxh_tn": 4, "bhyt_hgd": 10})
    assert share == 25  # (2/4 + 0/10) / 2, equal weights
    assert "BHXH TN 2" in mine and "BHYT HGĐ 0" in mine and "25,00" in mine
    assert re.search(r'data-figure="mugs-on-hand">([^<]*)<', body).group(1).strip() == "7"


def test_the_mugs_left_are_shown_where_a_mug_is_handed_over(home):
    from enrollments.models import Enrollment

    first, second = Enrollment.objects.filter(product=Product.BHXH_TN, collector__user__isnull=False)[:2]
    receipt = reverse("enrollments:receipt") + f"?e={first.pk}&e={second.pk}"
    body = home["client"].get(receipt).content.decode()
    assert body.count("Hand over the mug") == 2
    assert re.search(r'data-figure="mugs-on-hand">([^<]*)<', body).group(1).strip() == "Your agency has 7 mugs left."
    home["client"].post(reverse("enrollments:gift", args=[first.pk]), {"next": receipt})
    body = home["client"].get(receipt).content.decode()
    assert re.search(r'data-figure="mugs-on-hand">([^<]*)<', body).group(1).strip() == "Your agency has 6 mugs left."
    detail = home["client"].get(reverse("enrollments:detail", args=[second.pk])).content.decode()
    assert "Your agency has 6 mugs left." in detail
