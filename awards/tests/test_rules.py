"""Award rules: what a rule may say, the editor in the admin site, the prize budget, and the demo's rules."""

from decimal import Decimal

import pytest
from django.conf import settings
from django.db import IntegrityError, transaction
from django.urls import reverse

from awards.forms import AwardRuleForm, PrizeListField, prizes_as_text
from awards.models import AwardRule, Metric, Period, Ranking, Subject, TieBreak
from awards.selectors import current_fingerprint, prize_budget
from awards.services import purge_demo_rankings, save_award_rule
from awards.tests.factories import AwardRuleFactory
from campaign.errors import DomainError
from campaign.tests.factories import CampaignFactory
from collectors.roles import Role
from collectors.tests.factories import UserFactory
from dashboard.demo_awards import seed_award_rules


@pytest.mark.parametrize(
    ("text", "prizes"),
    [
        ("3.000.000, 2.000.000, 1.000.000", [3_000_000, 2_000_000, 1_000_000]),
        ("1.500.000 × 3, 1.000.000 x 3, 500.000 ₫ * 4", [1_500_000] * 3 + [1_000_000] * 3 + [500_000] * 4),
        ("300000", [300_000]),
        ("", []),
    ],
)
def test_prizes_are_typed_as_admins_write_them(text, prizes):
    assert PrizeListField(required=False).clean(text) == prizes


@pytest.mark.parametrize("text", ["ba triệu", "1.000.000 × 0", "1,5 triệu", "-500.000"])
def test_unreadable_prizes_say_how_to_write_them(text):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        PrizeListField(required=False).clean(text)


def test_prizes_are_shown_compactly():
    assert prizes_as_text([1_500_000] * 3 + [1_000_000] * 3 + [500_000] * 4) == (
        "1.500.000 × 3, 1.000.000 × 3, 500.000 × 4"
    )


@pytest.mark.django_db
def test_only_agencies_are_ranked_on_attainment():
    rule = AwardRuleFactory.build(campaign=CampaignFactory(), subject=Subject.COLLECTOR, metric=Metric.ATTAINMENT)
    with pytest.raises(DomainError) as refused:
        save_award_rule(rule=rule)
    assert "metric" in refused.value.errors
    with pytest.raises(IntegrityError), transaction.atomic():
        rule.save()


@pytest.mark.django_db
def test_a_rule_needs_a_weighted_product_and_distinct_tie_breaks():
    campaign = CampaignFactory()
    with pytest.raises(DomainError):
        save_award_rule(
            rule=AwardRuleFactory.build(
                campaign=campaign, metric=Metric.POINTS, bhxh_tn_weight=Decimal(0), bhyt_hgd_weight=Decimal(0)
            )
        )
    with pytest.raises(DomainError):
        save_award_rule(rule=AwardRuleFactory.build(campaign=campaign, tie_breaks=["code", "code"]))
    with pytest.raises(DomainError):
        save_award_rule(rule=AwardRuleFactory.build(campaign=campaign, prizes=[1_000_000, -5]))


@pytest.mark.django_db
def test_the_editor_orders_tie_breaks_and_always_ends_with_the_code():
    campaign = CampaignFactory()
    data = {
        "campaign": campaign.pk,
        "code": "tuan",
        "name": "Giải tuần",
        "period": Period.WEEKLY,
        "subject": Subject.COLLECTOR,
        "metric": Metric.POINTS,
        "bhxh_tn_weight": "3",
        "bhyt_hgd_weight": "1",
        "threshold": "10",
        "prizes": "1.000.000, 700.000",
        "tie_break_1": "earlier",
        "tie_break_2": "amount",
        "active": "on",
    }
    form = AwardRuleForm(data)
    assert form.is_valid(), form.errors
    rule = form.save()
    assert rule.tie_breaks == [TieBreak.EARLIER, TieBreak.AMOUNT, TieBreak.CODE]
    assert rule.prizes == [1_000_000, 700_000]
    twice = AwardRuleForm(data | {"code": "other", "tie_break_2": "earlier"})
    assert not twice.is_valid() and "tie_break_1" in twice.errors


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
    from dashboard.demo_data import seed_demo

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
    from dashboard.demo_awards import seed_awards
    from dashboard.demo_data import seed_demo

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
