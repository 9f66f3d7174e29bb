from datetime import date
from decimal import Decimal

import pytest
from django.utils import translation

from campaign.tests.factories import CampaignFactory, CommuneFactory
from collectors.tests.factories import CollectorFactory
from core.errors import DomainError
from enrollments import services
from enrollments.contributions import Policy, Quote, format_dong, quote_bhxh, quote_bhyt, round_half_up
from enrollments.models import Enrollment
from enrollments.selectors import policy_on
from enrollments.tests.factories import bhxh_request, bhyt_request


def policy(**changes) -> Policy:
    """The rates in force from 1/7/2025 (Social Insurance Law 2024, Decree 188/2025), stated here.

    The arithmetic tests use these literal values; the tests of the rates in force read the rows.
    """
    values = {
        "base_salary": 2_340_000,
        "bhyt_rate_pct": Decimal("4.5"),
        "bhyt_ladder_pct": (Decimal(100), Decimal(70), Decimal(60), Decimal(50), Decimal(40)),
        "bhyt_months": (3, 6, 12),
        "bhxh_rate_pct": Decimal(22),
        "bhxh_income_floor": 1_500_000,
        "bhxh_income_cap": 46_800_000,
        "bhxh_support_pct": {
            "poor": Decimal(50),
            "near_poor": Decimal(40),
            "ethnic_minority": Decimal(30),
            "other": Decimal(20),
        },
        "bhxh_months": (1, 3, 6, 12),
        "bhxh_support_max_months": 120,
    }
    return Policy(**(values | changes))


POLICY = policy()


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
    ("member_order", "months", "monthly", "amount", "ladder_order"),
    [
        # DOMAIN.md examples.
        (1, 12, 105_300, 1_263_600, 1),
        (2, 12, 73_710, 884_520, 2),
        (3, 12, 63_180, 758_160, 3),
        (4, 12, 52_650, 631_800, 4),
        (5, 12, 42_120, 505_440, 5),
        (1, 6, 105_300, 631_800, 1),
        (2, 3, 73_710, 221_130, 2),
        # Our own: the 5th rate holds for every later member.
        (6, 12, 42_120, 505_440, 5),
        (9, 3, 42_120, 126_360, 5),
    ],
)
def test_bhyt_household_ladder(member_order, months, monthly, amount, ladder_order):
    quote = quote_bhyt(POLICY, months=months, member_order=member_order)
    assert (quote.monthly_due, quote.amount_due, quote.amount_payable) == (monthly, amount, amount)
    assert (quote.state_support, quote.monthly_support, quote.supported_months) == (0, 0, 0)
    assert quote.product == "bhyt_hgd"
    assert quote.member_order == ladder_order
    assert (quote.income, quote.support_group) == (None, None)


def test_bhyt_household_of_six_for_12_months():
    orders = [1, 2, 3, 4, 5, 5]
    assert sum(quote_bhyt(POLICY, months=12, member_order=order).amount_due for order in orders) == 4_548_960


def test_bhyt_follows_the_policy_it_is_given():
    short = policy(base_salary=2_530_000, bhyt_ladder_pct=(Decimal(100), Decimal(70)))
    assert quote_bhyt(short, months=12, member_order=1).monthly_due == 113_850
    # 113.850 × 70% = 79.695; a ladder of two entries applies its last to every later member.
    fourth = quote_bhyt(short, months=12, member_order=4)
    assert (fourth.monthly_due, fourth.member_order) == (79_695, 2)


def test_bhyt_ladder_is_as_long_as_the_policy_says():
    longer = policy(bhyt_ladder_pct=(Decimal(100), Decimal(70), Decimal(60), Decimal(50), Decimal(40), Decimal(30)))
    # 105.300 × 30% = 31.590 for the 6th member and every later one.
    sixth, seventh = (quote_bhyt(longer, months=12, member_order=order) for order in (6, 7))
    assert (sixth.member_order, sixth.monthly_due, sixth.amount_due) == (6, 31_590, 379_080)
    assert (seventh.member_order, seventh.monthly_due) == (6, 31_590)


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
    ("months", "income", "groups", "monthly", "due", "support", "payable", "group"),
    [
        # DOMAIN.md examples; ``monthly`` is (due, support) per month.
        (12, 1_500_000, ["other"], (330_000, 66_000), 3_960_000, 792_000, 3_168_000, "other"),
        (12, 1_500_000, ["poor"], (330_000, 165_000), 3_960_000, 1_980_000, 1_980_000, "poor"),
        (12, 1_500_000, ["near_poor"], (330_000, 132_000), 3_960_000, 1_584_000, 2_376_000, "near_poor"),
        (12, 1_500_000, ["ethnic_minority"], (330_000, 99_000), 3_960_000, 1_188_000, 2_772_000, "ethnic_minority"),
        (3, 5_000_000, ["other"], (1_100_000, 66_000), 3_300_000, 198_000, 3_102_000, "other"),
        (12, 1_525_000, ["other"], (335_500, 66_000), 4_026_000, 792_000, 3_234_000, "other"),
        # Our own: the bounds, one month, and no group given.
        (1, 46_800_000, [], (10_296_000, 66_000), 10_296_000, 66_000, 10_230_000, "other"),
        (6, 1_500_000, [], (330_000, 66_000), 1_980_000, 396_000, 1_584_000, "other"),
        (1, 1_500_001, ["poor"], (330_000, 165_000), 330_000, 165_000, 165_000, "poor"),
    ],
)
def test_bhxh_voluntary_due_support_and_payable(months, income, groups, monthly, due, support, payable, group):
    quote = quote_bhxh(POLICY, months=months, income=income, support_groups=groups)
    assert (quote.amount_due, quote.state_support, quote.amount_payable) == (due, support, payable)
    assert (quote.monthly_due, quote.monthly_support) == monthly
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
@pytest.mark.django_db
def test_bhxh_support_before_1_july_2025(groups, expected_group, support, payable):
    before = policy_on(date(2025, 6, 30)).policy
    quote = quote_bhxh(before, months=12, income=1_500_000, support_groups=groups)
    assert (quote.support_group, quote.state_support, quote.amount_payable) == (expected_group, support, payable)
    assert quote.amount_due == 3_960_000


def test_bhxh_group_missing_from_the_policy_gets_no_support():
    only_poor = policy(bhxh_support_pct={"poor": Decimal(50)})
    quote = quote_bhxh(only_poor, months=12, income=1_500_000, support_groups=["near_poor"])
    assert (quote.monthly_support, quote.state_support, quote.amount_payable) == (0, 0, 3_960_000)


def test_bhxh_support_never_exceeds_the_amount_due():
    generous = policy(bhxh_support_pct={"poor": Decimal(150)})
    quote = quote_bhxh(generous, months=3, income=1_500_000, support_groups=["poor"])
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


def test_a_quote_states_every_amount_of_the_rule():
    assert quote_bhyt(POLICY, months=12, member_order=2) == Quote(
        product="bhyt_hgd",
        months=12,
        monthly_due=73_710,
        amount_due=884_520,
        monthly_support=0,
        supported_months=0,
        state_support=0,
        amount_payable=884_520,
        member_order=2,
    )
    assert quote_bhxh(POLICY, months=3, income=5_000_000, support_groups=["other"]) == Quote(
        product="bhxh_tn",
        months=3,
        monthly_due=1_100_000,
        amount_due=3_300_000,
        monthly_support=66_000,
        supported_months=3,
        state_support=198_000,
        amount_payable=3_102_000,
        income=5_000_000,
        support_group="other",
    )


def test_a_policy_keeps_the_support_rates_it_was_built_with():
    rates = {"poor": Decimal(50), "near_poor": Decimal(40), "ethnic_minority": Decimal(30), "other": Decimal(20)}
    built = policy(bhxh_support_pct=rates)
    rates["other"] = Decimal(100)
    quote = quote_bhxh(built, months=12, income=1_500_000, support_groups=["other"])
    assert (quote.monthly_support, quote.state_support, quote.amount_payable) == (66_000, 792_000, 3_168_000)


# The rows in force (data migrations 0003 and 0007), through the selector and the services
# the pages, the API and the imports use: DOMAIN.md "Policy parameters in force".


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("day", "base_salary", "income_cap", "other_support"),
    [
        (date(2024, 7, 1), 2_340_000, 46_800_000, Decimal(10)),
        (date(2025, 6, 30), 2_340_000, 46_800_000, Decimal(10)),
        (date(2025, 7, 1), 2_340_000, 46_800_000, Decimal(20)),
        (date(2026, 6, 30), 2_340_000, 46_800_000, Decimal(20)),
        (date(2026, 7, 1), 2_530_000, 50_600_000, Decimal(20)),
        (date(2027, 1, 1), 2_530_000, 50_600_000, Decimal(20)),
    ],
)
def test_the_policy_of_a_day_is_the_latest_row_in_force_on_it(day, base_salary, income_cap, other_support):
    in_force = policy_on(day)
    assert (in_force.policy.base_salary, in_force.policy.bhxh_income_cap) == (base_salary, income_cap)
    assert in_force.policy.bhxh_support_pct["other"] == other_support
    assert (in_force.policy.bhxh_income_floor, in_force.bhyt_waiting_days) == (1_500_000, 30)


@pytest.mark.django_db
def test_a_day_before_every_row_has_no_policy():
    with translation.override("en"), pytest.raises(DomainError) as caught:
        policy_on(date(2024, 6, 30))
    assert list(caught.value.errors) == ["collected_on"]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("member_order", "months", "monthly", "amount"),
    [
        (1, 12, 113_850, 1_366_200),
        (2, 12, 79_695, 956_340),
        (3, 12, 68_310, 819_720),
        (4, 12, 56_925, 683_100),
        (5, 12, 45_540, 546_480),
        (1, 6, 113_850, 683_100),
    ],
)
def test_bhyt_household_from_1_july_2026(member_order, months, monthly, amount):
    quote = services.quote(product="bhyt_hgd", months=months, on=date(2026, 7, 1), member_order=member_order)
    assert (quote.monthly_due, quote.amount_due, quote.amount_payable) == (monthly, amount, amount)
    assert quote.member_order == member_order


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("income", "monthly_due", "due", "support", "payable"),
    [
        # The floor is unchanged.
        (1_500_000, 330_000, 3_960_000, 792_000, 3_168_000),
        # The highest income is 20 × 2.530.000 ₫.
        (50_600_000, 11_132_000, 133_584_000, 792_000, 132_792_000),
    ],
)
def test_bhxh_voluntary_from_1_july_2026(income, monthly_due, due, support, payable):
    quote = services.quote(product="bhxh_tn", months=12, on=date(2026, 11, 20), income=income, support_group="other")
    assert (quote.monthly_due, quote.monthly_support) == (monthly_due, 66_000)
    assert (quote.amount_due, quote.state_support, quote.amount_payable) == (due, support, payable)


@pytest.mark.django_db
def test_bhxh_income_above_20_reference_levels_of_2026_is_refused():
    with translation.override("en"), pytest.raises(DomainError) as caught:
        services.quote(product="bhxh_tn", months=12, on=date(2026, 11, 20), income=50_600_001, support_group="other")
    assert list(caught.value.errors) == ["income"]
    assert "1.500.000 ₫ to 50.600.000 ₫" in caught.value.messages[0]


@pytest.fixture
def desk(db, settings):
    """A campaign, a commune and an officer, on a day after the rates of 1/7/2026 came in."""
    settings.APP_TODAY = date(2026, 11, 30)
    campaign = CampaignFactory()
    commune = CommuneFactory(province=campaign.province)
    return {"campaign": campaign, "commune": commune, "collector": CollectorFactory()}


def _record(desk, request):
    return services.record_enrollment(campaign=desk["campaign"], collector=desk["collector"], request=request)


@pytest.mark.parametrize(("collected_on", "amount"), [(date(2026, 6, 30), 1_263_600), (date(2026, 7, 1), 1_366_200)])
def test_bhyt_first_member_pays_the_rate_in_force_on_the_collection_date(desk, collected_on, amount):
    enrollment = _record(desk, bhyt_request(commune_code=desk["commune"].code, collected_on=collected_on))
    assert (enrollment.member_order, enrollment.amount_due, enrollment.amount_payable) == (1, amount, amount)


def test_a_member_joining_after_the_rate_change_continues_the_ladder_at_the_new_rate(desk):
    code = desk["commune"].code
    first = _record(desk, bhyt_request(1, commune_code=code, collected_on=date(2026, 5, 20), household_code="H-26"))
    second = _record(desk, bhyt_request(2, commune_code=code, collected_on=date(2026, 7, 10), household_code="H-26"))
    assert (first.member_order, first.amount_payable) == (1, 1_263_600)
    assert (second.member_order, second.amount_payable) == (2, 956_340)


@pytest.mark.parametrize(("collected_on", "accepted"), [(date(2025, 11, 20), False), (date(2026, 11, 20), True)])
def test_bhxh_income_of_46_850_000_is_accepted_from_1_july_2026_only(desk, collected_on, accepted):
    request = bhxh_request(commune_code=desk["commune"].code, collected_on=collected_on, income=46_850_000)
    if not accepted:
        with pytest.raises(DomainError) as caught:
            _record(desk, request)
        assert list(caught.value.errors) == ["income"]
        assert not Enrollment.objects.exists()
        return
    enrollment = _record(desk, request)
    # 22% of 46.850.000 is 10.307.000 a month; the support is 22% × 20% of 1.500.000.
    assert (enrollment.amount_due, enrollment.state_support, enrollment.amount_payable) == (
        123_684_000,
        792_000,
        122_892_000,
    )
