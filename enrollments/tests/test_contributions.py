from dataclasses import replace
from decimal import Decimal

import pytest
from django.utils import translation

from core.errors import DomainError
from enrollments.contributions import (
    POLICY_BEFORE_2025_07_01,
    POLICY_FROM_2025_07_01,
    Quote,
    format_dong,
    quote_bhxh,
    quote_bhyt,
    round_half_up,
)

POLICY = POLICY_FROM_2025_07_01


def refusal(call, *args, **kwargs) -> DomainError:
    with translation.override("en"), pytest.raises(DomainError) as excinfo:
        call(*args, **kwargs)
    return excinfo.value


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (Decimal("0.5"), 1),
        (Decimal("1.5"), 2),
        (Decimal("2.5"), 3),
        (Decimal("2.4999"), 2),
        (Decimal("73710.0"), 73710),
        (Decimal("100"), 100),
    ],
)
def test_round_half_up_rounds_halves_up_to_the_dong(value, expected):
    assert round_half_up(value) == expected


def test_first_member_pays_4_5_percent_of_the_base_salary_per_month():
    assert quote_bhyt(POLICY, months=3, member_order=1).monthly_due == 105_300


@pytest.mark.parametrize(
    ("member_order", "months", "amount"),
    [
        # DOMAIN.md examples.
        (1, 12, 1_263_600),
        (2, 12, 884_520),
        (3, 12, 758_160),
        (4, 12, 631_800),
        (5, 12, 505_440),
        (1, 6, 631_800),
        (2, 3, 221_130),
        # Our own: the 5th rate holds for every later member.
        (6, 12, 505_440),
        (9, 3, 126_360),
    ],
)
def test_bhyt_household_ladder(member_order, months, amount):
    quote = quote_bhyt(POLICY, months=months, member_order=member_order)
    assert quote.amount_due == amount
    assert quote.amount_payable == amount
    assert quote.amount_due == quote.monthly_due * months
    assert (quote.state_support, quote.monthly_support, quote.supported_months) == (0, 0, 0)
    assert quote.product == "bhyt_hgd"
    assert quote.member_order == min(member_order, 5)
    assert (quote.income, quote.support_group) == (None, None)


def test_bhyt_household_of_six_for_12_months():
    orders = [1, 2, 3, 4, 5, 5]
    assert sum(quote_bhyt(POLICY, months=12, member_order=order).amount_due for order in orders) == 4_548_960


def test_bhyt_follows_the_policy_it_is_given():
    policy = replace(POLICY, base_salary=2_530_000, bhyt_ladder_pct=(Decimal(100), Decimal(70)))
    assert quote_bhyt(policy, months=12, member_order=1).monthly_due == 113_850
    # 113.850 × 70% = 79.695; a ladder of two entries applies its last to every later member.
    assert quote_bhyt(policy, months=12, member_order=4).monthly_due == 79_695


@pytest.mark.parametrize("months", [1, 2, 24, 60, 0, -12, "12", 12.0, True])
def test_bhyt_period_other_than_3_6_or_12_months_is_refused(months):
    error = refusal(quote_bhyt, POLICY, months=months, member_order=1)
    assert list(error.errors) == ["months"]
    assert "3, 6, 12 months" in error.messages[0]


@pytest.mark.parametrize("member_order", [0, -1, None, "1"])
def test_bhyt_member_order_below_one_is_refused(member_order):
    error = refusal(quote_bhyt, POLICY, months=12, member_order=member_order)
    assert list(error.errors) == ["member_order"]


@pytest.mark.parametrize(
    ("months", "income", "groups", "due", "support", "payable", "group"),
    [
        # DOMAIN.md examples.
        (12, 1_500_000, ["other"], 3_960_000, 792_000, 3_168_000, "other"),
        (12, 1_500_000, ["poor"], 3_960_000, 1_980_000, 1_980_000, "poor"),
        (12, 1_500_000, ["near_poor"], 3_960_000, 1_584_000, 2_376_000, "near_poor"),
        (12, 1_500_000, ["ethnic_minority"], 3_960_000, 1_188_000, 2_772_000, "ethnic_minority"),
        (3, 5_000_000, ["other"], 3_300_000, 198_000, 3_102_000, "other"),
        (12, 1_525_000, ["other"], 4_026_000, 792_000, 3_234_000, "other"),
        # Our own: the bounds, one month, and no group given.
        (1, 46_800_000, [], 10_296_000, 66_000, 10_230_000, "other"),
        (6, 1_500_000, [], 1_980_000, 396_000, 1_584_000, "other"),
        (1, 1_500_001, ["poor"], 330_000, 165_000, 165_000, "poor"),
    ],
)
def test_bhxh_voluntary_due_support_and_payable(months, income, groups, due, support, payable, group):
    quote = quote_bhxh(POLICY, months=months, income=income, support_groups=groups)
    assert (quote.amount_due, quote.state_support, quote.amount_payable) == (due, support, payable)
    assert quote.amount_due == quote.monthly_due * months
    assert quote.state_support == quote.monthly_support * quote.supported_months
    assert quote.supported_months == months
    assert (quote.product, quote.months, quote.income, quote.support_group) == ("bhxh_tn", months, income, group)
    assert quote.member_order is None


def test_bhxh_monthly_amount_is_rounded_half_up_before_the_months():
    # 22% of 1.500.003 is 330.000,66 per month: 330.001 × 12, not round(3.960.007,92).
    quote = quote_bhxh(POLICY, months=12, income=1_500_003, support_groups=["other"])
    assert (quote.monthly_due, quote.amount_due) == (330_001, 3_960_012)
    # 22% of 1.500.025 is 330.005,5: the half goes up.
    assert quote_bhxh(POLICY, months=1, income=1_500_025, support_groups=[]).monthly_due == 330_006


@pytest.mark.parametrize(
    ("groups", "expected_group", "support"),
    [
        (["other", "near_poor", "ethnic_minority"], "near_poor", 1_584_000),
        (["ethnic_minority", "poor"], "poor", 1_980_000),
        (["ethnic_minority", "other"], "ethnic_minority", 1_188_000),
        (("near_poor", "near_poor"), "near_poor", 1_584_000),
        ("poor", "poor", 1_980_000),
    ],
)
def test_bhxh_person_in_several_groups_gets_the_highest_support(groups, expected_group, support):
    quote = quote_bhxh(POLICY, months=12, income=1_500_000, support_groups=groups)
    assert (quote.support_group, quote.state_support) == (expected_group, support)


@pytest.mark.parametrize(
    ("used", "supported_months", "support", "payable"),
    [
        (0, 12, 792_000, 3_168_000),
        (108, 12, 792_000, 3_168_000),
        (115, 5, 330_000, 3_630_000),
        (119, 1, 66_000, 3_894_000),
        (120, 0, 0, 3_960_000),
        (150, 0, 0, 3_960_000),
    ],
)
def test_bhxh_support_stops_after_120_months(used, supported_months, support, payable):
    quote = quote_bhxh(POLICY, months=12, income=1_500_000, support_groups=["other"], supported_months_used=used)
    assert (quote.supported_months, quote.state_support, quote.amount_payable) == (supported_months, support, payable)
    assert quote.monthly_support == 66_000
    assert quote.amount_due == 3_960_000


def test_bhxh_negative_months_used_is_a_programming_error():
    with pytest.raises(ValueError):
        quote_bhxh(POLICY, months=12, income=1_500_000, support_groups=[], supported_months_used=-1)


@pytest.mark.parametrize(
    ("groups", "expected_group", "support", "payable"),
    [
        (["poor"], "poor", 1_188_000, 2_772_000),
        (["near_poor"], "near_poor", 990_000, 2_970_000),
        (["other"], "other", 396_000, 3_564_000),
        ([], "other", 396_000, 3_564_000),
        # Before 1/7/2025 ethnic minorities had no rate of their own: they were among the others.
        (["ethnic_minority"], "other", 396_000, 3_564_000),
    ],
)
def test_bhxh_support_before_1_july_2025(groups, expected_group, support, payable):
    quote = quote_bhxh(POLICY_BEFORE_2025_07_01, months=12, income=1_500_000, support_groups=groups)
    assert (quote.support_group, quote.state_support, quote.amount_payable) == (expected_group, support, payable)
    assert quote.amount_due == 3_960_000


def test_bhxh_group_missing_from_the_policy_gets_no_support():
    policy = replace(POLICY, bhxh_support_pct={"poor": Decimal(50)})
    quote = quote_bhxh(policy, months=12, income=1_500_000, support_groups=["near_poor"])
    assert (quote.monthly_support, quote.state_support, quote.amount_payable) == (0, 0, 3_960_000)


def test_bhxh_support_never_exceeds_the_amount_due():
    policy = replace(POLICY, bhxh_support_pct={"poor": Decimal(150)})
    quote = quote_bhxh(policy, months=3, income=1_500_000, support_groups=["poor"])
    assert (quote.monthly_support, quote.monthly_due, quote.amount_payable) == (330_000, 330_000, 0)


@pytest.mark.parametrize("groups", [["rich"], ["poor", "veteran"], ["Poor"]])
def test_bhxh_unknown_support_group_is_refused(groups):
    error = refusal(quote_bhxh, POLICY, months=12, income=1_500_000, support_groups=groups)
    assert list(error.errors) == ["support_group"]


@pytest.mark.parametrize("income", [1_450_000, 46_850_000, 1_499_999, 46_800_001, 0, -1_500_000])
def test_bhxh_income_outside_poverty_line_to_20_reference_levels_is_refused(income):
    error = refusal(quote_bhxh, POLICY, months=12, income=income, support_groups=["other"])
    assert list(error.errors) == ["income"]
    assert "1.500.000" in error.messages[0]
    assert "46.800.000" in error.messages[0]


@pytest.mark.parametrize("income", [1_500_000.0, Decimal(1_500_000), "1500000", None, True])
def test_bhxh_income_that_is_not_whole_dong_is_refused(income):
    error = refusal(quote_bhxh, POLICY, months=12, income=income, support_groups=["other"])
    assert list(error.errors) == ["income"]


@pytest.mark.parametrize("months", [2, 24, 60, 0, "12", True])
def test_bhxh_period_other_than_1_3_6_or_12_months_is_refused(months):
    error = refusal(quote_bhxh, POLICY, months=months, income=1_500_000, support_groups=["other"])
    assert list(error.errors) == ["months"]
    assert "1, 3, 6, 12 months" in error.messages[0]
    assert "lump-sum" in error.messages[0]


def test_every_bhxh_problem_is_reported_at_once():
    error = refusal(quote_bhxh, POLICY, months=24, income=1_450_000, support_groups=["rich"])
    assert set(error.errors) == {"months", "income", "support_group"}


def test_every_bhyt_problem_is_reported_at_once():
    error = refusal(quote_bhyt, POLICY, months=24, member_order=0)
    assert set(error.errors) == {"months", "member_order"}


@pytest.mark.parametrize(
    ("amount", "expected"),
    [(0, "0"), (999, "999"), (1_500_000, "1.500.000"), (46_800_000, "46.800.000")],
)
def test_amounts_are_formatted_with_dots_between_thousands(amount, expected):
    assert format_dong(amount) == expected


def test_quote_is_immutable():
    quote = quote_bhyt(POLICY, months=12, member_order=1)
    assert isinstance(quote, Quote)
    with pytest.raises(AttributeError):
        quote.amount_due = 0  # type: ignore[misc]


def test_policy_support_rates_cannot_be_changed_in_place():
    with pytest.raises(TypeError):
        POLICY.bhxh_support_pct["other"] = Decimal(100)  # type: ignore[index]
