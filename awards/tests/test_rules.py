"""Award rules: what a rule may say and how the editor orders tie-breaks."""

from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction

from awards.forms import AwardRuleForm, PrizeListField, prizes_as_text
from awards.models import AwardRule, Metric, Period, Subject, TieBreak
from awards.services import save_award_rule
from awards.tests.factories import AwardRuleFactory
from campaign.tests.factories import CampaignFactory
from core.errors import DomainError


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

    with pytest.raises(ValidationError) as refused:
        PrizeListField(required=False).clean(text)
    assert refused.value.messages == [
        "Write the prizes from the 1st rank down, separated by commas, in whole đồng; '× 3' repeats one, for "
        "example: 1.500.000 × 3, 1.000.000 × 3, 500.000 × 4."
    ]


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


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        (
            {"metric": Metric.POINTS, "bhxh_tn_weight": Decimal(0), "bhyt_hgd_weight": Decimal(0)},
            "bhxh_tn_weight",
            "Give at least one product a weight above zero.",
        ),
        ({"tie_breaks": ["code", "code"]}, "tie_breaks", "Choose each tie-break at most once."),
        ({"prizes": [1_000_000, -5]}, "prizes", "List the prizes as whole numbers of đồng, from the 1st rank down."),
    ],
    ids=["no weight", "a tie-break twice", "a negative prize"],
)
@pytest.mark.django_db
def test_a_rule_needs_a_weighted_product_distinct_tie_breaks_and_whole_prizes(change, field, message):
    with pytest.raises(DomainError) as refused:
        save_award_rule(rule=AwardRuleFactory.build(campaign=CampaignFactory(), **change))
    assert {name: [str(text) for text in texts] for name, texts in refused.value.errors.items()} == {field: [message]}
    assert not AwardRule.objects.exists()


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
