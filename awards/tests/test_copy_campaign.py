"""`copy_campaign`: the next campaign set up like the last one, and the last one left as it was."""

from datetime import date, time
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command

from awards.copying import copy_campaign
from awards.models import AwardRule
from awards.tests.factories import AwardRuleFactory, officer_points_rule
from campaign.models import Campaign, Product
from campaign.tests.factories import CampaignFactory
from collectors.models import WeeklyQuota
from collectors.tests.factories import AgencyFactory
from enrollments.models import GiftStock

pytestmark = pytest.mark.django_db


@pytest.fixture
def source():
    campaign = CampaignFactory(
        code="TN-CAODIEM-2025", theme="Vì an sinh xã hội", cutoff_days=2, cutoff_time=time(17, 0), is_demo=True
    )
    AwardRuleFactory(campaign=campaign, code="weekly-agency")
    officer_points_rule(campaign, code="weekly-officer")
    one, two = AgencyFactory(code="A1"), AgencyFactory(code="A2")
    weeks = {week.number: week for week in campaign.weeks.all()}
    WeeklyQuota.objects.create(week=weeks[1], agency=one, product=Product.BHYT_HGD, count=50)
    WeeklyQuota.objects.create(week=weeks[2], agency=one, product=Product.BHXH_TN, count=7)
    WeeklyQuota.objects.create(week=weeks[5], agency=two, product=Product.BHYT_HGD, count=40)
    GiftStock.objects.create(campaign=campaign, agency=one, received=200, on_hand=35)
    GiftStock.objects.create(campaign=campaign, agency=two, received=100, on_hand=0)
    return campaign


def _snapshot(campaign: Campaign) -> tuple:
    campaign.refresh_from_db()
    return (
        (campaign.code, campaign.start_date, campaign.end_date, campaign.status),
        list(campaign.weeks.values_list("number", "start_date", "end_date")),
        list(campaign.award_rules.values_list("code", "prizes", "threshold").order_by("code")),
        list(WeeklyQuota.objects.filter(week__campaign=campaign).values_list("week__number", "count").order_by("pk")),
        list(GiftStock.objects.filter(campaign=campaign).values_list("received", "on_hand").order_by("pk")),
    )


def test_the_copy_has_the_settings_weeks_rules_quotas_and_mugs_of_the_old_campaign(source):
    before = _snapshot(source)
    copied = copy_campaign(
        source_code=source.code, code="TN-CAODIEM-2026", start=date(2026, 11, 11), end=date(2026, 12, 15)
    )
    new = copied.campaign
    assert (copied.weeks, copied.rules, copied.quotas, copied.stocks) == (5, 2, 3, 1)
    assert (new.name, new.theme, new.bhyt_target_pct, new.bhxh_target_pct) == (
        source.name,
        "Vì an sinh xã hội",
        Decimal("95.00"),
        Decimal("45.00"),
    )
    assert (new.cutoff_days, new.cutoff_time, new.award_budget) == (2, time(17, 0), 70_000_000)
    assert (new.status, new.is_demo, new.target_date) == (Campaign.Status.DRAFT, False, date(2026, 12, 30))
    assert list(new.weeks.values_list("number", "start_date", "end_date")) == [
        (1, date(2026, 11, 11), date(2026, 11, 17)),
        (2, date(2026, 11, 18), date(2026, 11, 24)),
        (3, date(2026, 11, 25), date(2026, 12, 1)),
        (4, date(2026, 12, 2), date(2026, 12, 8)),
        (5, date(2026, 12, 9), date(2026, 12, 15)),
    ]
    rules = AwardRule.objects.filter(campaign=new).order_by("code")
    assert [(r.code, r.prizes, r.metric) for r in rules] == [
        ("weekly-agency", [3_000_000, 2_000_000, 1_000_000], "attainment"),
        ("weekly-officer", [1_000_000, 700_000, 500_000, 300_000, 300_000], "points"),
    ]
    quotas = WeeklyQuota.objects.filter(week__campaign=new).order_by("week__number")
    assert [(q.week.number, q.week.start_date, q.agency.code, q.product, q.count) for q in quotas] == [
        (1, date(2026, 11, 11), "A1", "bhyt_hgd", 50),
        (2, date(2026, 11, 18), "A1", "bhxh_tn", 7),
        (5, date(2026, 12, 9), "A2", "bhyt_hgd", 40),
    ]
    stock = GiftStock.objects.get(campaign=new)
    assert (stock.agency.code, stock.received, stock.on_hand) == ("A1", 35, 35)
    assert _snapshot(source) == before


def test_a_shorter_campaign_drops_the_quotas_of_weeks_it_does_not_have_and_quotas_can_be_left_empty(source):
    short = copy_campaign(source_code=source.code, code="SHORT", start=date(2026, 11, 11), end=date(2026, 11, 24))
    assert (short.weeks, short.quotas) == (2, 2)
    empty = copy_campaign(
        source_code=source.code, code="EMPTY", start=date(2026, 11, 11), end=date(2026, 12, 15), with_quotas=False
    )
    assert (empty.quotas, WeeklyQuota.objects.filter(week__campaign=empty.campaign).count()) == (0, 0)


def test_the_command_copies_and_says_what_it_did(source, capsys):
    call_command(
        "copy_campaign", "--from", source.code, "--code", "TN-2026", "--start", "2026-11-11", "--end", "2026-12-15"
    )
    out = capsys.readouterr().out
    assert out.strip() == "TN-2026: 5 weeks, 2 award rules, 3 quotas, mug stock of 1 agencies (draft)"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--from", "NOPE", "--code", "X", "--start", "2026-11-11", "--end", "2026-12-15"], "NOPE"),
        (
            ["--from", "TN-CAODIEM-2025", "--code", "TN-CAODIEM-2025", "--start", "2026-11-11", "--end", "2026-12-15"],
            "already",
        ),
        (["--from", "TN-CAODIEM-2025", "--code", "X", "--start", "2026-12-15", "--end", "2026-11-11"], "end date"),
        (["--from", "TN-CAODIEM-2025", "--code", "X", "--start", "11/11/2026", "--end", "2026-12-15"], "YYYY-MM-DD"),
    ],
)
def test_refusals_change_nothing(source, args, message, settings):
    from django.utils import translation

    count = Campaign.objects.count()
    with translation.override("en"), pytest.raises(CommandError) as caught:
        call_command("copy_campaign", *args)
    assert message in str(caught.value)
    assert Campaign.objects.count() == count


def test_an_admin_copies_a_campaign_in_the_browser(client, source):
    from collectors.roles import Role
    from collectors.tests.factories import UserFactory

    client.force_login(UserFactory(role=Role.ADMIN))
    assert client.get("/campaigns/copy/").status_code == 200
    answer = client.post(
        "/campaigns/copy/",
        {"source": source.code, "code": "TN-2026", "start": "11/11/2026", "end": "15/12/2026", "with_quotas": "on"},
    )
    new = Campaign.objects.get(code="TN-2026")
    assert answer.status_code == 302 and answer["Location"] == f"/admin/campaign/campaign/{new.pk}/change/"
    assert (new.weeks.count(), WeeklyQuota.objects.filter(week__campaign=new).count()) == (5, 3)


def test_the_browser_form_shows_the_services_refusal_and_others_may_not_copy(client, source):
    from collectors.roles import Role
    from collectors.tests.factories import UserFactory

    client.force_login(UserFactory(role=Role.ADMIN))
    data = {"source": source.code, "code": source.code, "start": "2026-11-11", "end": "2026-12-15"}
    page = client.post("/campaigns/copy/", data, HTTP_ACCEPT_LANGUAGE="en")
    assert page.status_code == 200 and Campaign.objects.count() == 1
    assert page.context["form"].errors["code"]
    client.force_login(UserFactory(role=Role.PROVINCIAL))
    assert client.get("/campaigns/copy/").status_code == 403
