"""The demo's award rules: edited in the admin site, within the budget, ranked and published by seed_demo."""

import pytest
from django.conf import settings
from django.urls import reverse

from awards.models import AwardRule, Ranking
from awards.selectors import current_fingerprint, prize_budget
from awards.services import purge_demo_rankings
from campaign.tests.factories import CampaignFactory
from collectors.roles import Role
from collectors.tests.factories import UserFactory
from demo.awards import seed_award_rules


@pytest.mark.django_db
def test_admins_edit_rules_in_the_admin_site_and_see_the_budget(client):
    campaign = CampaignFactory(name="Chiến dịch thử")
    seed_award_rules(campaign)
    client.force_login(UserFactory(role=Role.ADMIN, is_staff=True))
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    listing = client.get(reverse("admin:awards_awardrule_changelist")).content.decode()
    assert "63.500.000 ₫ of an award budget of 70.000.000 ₫" in listing
    rule = AwardRule.objects.get(code="tuan-ca-nhan")
    page = client.get(reverse("admin:awards_awardrule_change", args=[rule.pk]))
    assert page.status_code == 200 and "1.000.000, 700.000, 500.000, 300.000 × 2" in page.content.decode()
    assert client.get(reverse("admin:awards_awardrule_add")).status_code == 200
    assert client.get(reverse("admin:awards_ranking_changelist")).status_code == 200


@pytest.mark.django_db
def test_the_demo_rules_spend_63_5_million_of_the_70_million_budget():
    campaign = CampaignFactory()
    seed_award_rules(campaign)
    budget = prize_budget(campaign=campaign)
    assert (budget.total, budget.budget, budget.remaining, budget.over_budget) == (
        63_500_000,
        70_000_000,
        6_500_000,
        False,
    )
    lines = {line.rule.code: (line.times, line.total) for line in budget.lines}
    assert lines == {
        "tuan-tap-the": (5, 30_000_000),
        "tuan-ca-nhan": (5, 14_000_000),
        "tong-ket-tap-the": (1, 10_000_000),
        "tong-ket-ca-nhan": (1, 9_500_000),
    }


@pytest.mark.django_db
def test_seed_demo_publishes_the_closed_weeks_and_rebuilds_them_when_the_demo_changes():
    from demo.data import seed_demo

    seed_demo(enrollment_scale=0.02)
    published = Ranking.objects.filter(status=Ranking.Status.PUBLISHED)
    assert sorted(published.values_list("week__number", flat=True)) == [1, 1, 2, 2, 3, 3]
    assert all(ranking.entries.exists() for ranking in published)
    first = set(published.values_list("pk", "fingerprint"))
    seed_demo(enrollment_scale=0.02)
    assert set(published.values_list("pk", "fingerprint")) == first
    seed_demo(enrollment_scale=0.03)  # other demo enrollments: the demo's rankings are rebuilt from them
    assert published.count() == 6 and set(published.values_list("pk", "fingerprint")) != first
    for ranking in published.select_related("rule", "week"):
        assert ranking.fingerprint == current_fingerprint(rule=ranking.rule, week=ranking.week)


@pytest.mark.django_db
def test_seed_demo_converges_when_a_ranked_demo_officer_is_no_longer_in_the_plan():
    from collectors.models import Collector
    from demo.awards import seed_awards
    from demo.data import seed_demo

    report = seed_demo(enrollment_scale=0.02)
    stray = Collector.objects.filter(is_demo=True).first()
    Collector.objects.create(code="OLD-99", name="Cũ", agency=stray.agency, is_demo=True)
    purge_demo_rankings(campaign=report.campaign)
    seed_awards(report.campaign)
    assert Ranking.objects.filter(entries__code="OLD-99").exists()  # the stray officer is ranked (and protected)
    seed_demo(enrollment_scale=0.02)
    assert not Collector.objects.filter(code="OLD-99").exists()
    assert not Ranking.objects.filter(entries__code="OLD-99").exists()
    assert Ranking.objects.filter(status=Ranking.Status.PUBLISHED).count() == 6
