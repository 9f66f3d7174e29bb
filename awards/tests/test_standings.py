"""The ranking arithmetic on its own: metrics, threshold, eligibility, prizes and every tie-break."""

from datetime import UTC, datetime
from decimal import Decimal

import pytest

from awards.models import IneligibleReason, Metric, Subject, TieBreak
from awards.standings import Numbers, RuleTerms, fingerprint, rank_standings

ONE = Decimal("1.00")


def terms(metric=Metric.POINTS, *, subject=Subject.COLLECTOR, threshold="0", prizes=(300, 200, 100), **kwargs):
    return RuleTerms(
        code="r",
        name="Rule",
        period="weekly",
        subject=subject,
        metric=metric,
        weights=kwargs.pop("weights", {"bhxh_tn": Decimal("3"), "bhyt_hgd": ONE}),
        threshold=Decimal(threshold),
        prizes=tuple(prizes),
        tie_breaks=tuple(kwargs.pop("tie_breaks", ("bhxh_tn", "amount", "earlier", "code"))),
    )


def numbers(code, bhxh=0, bhyt=0, *, amount=None, quota=None, reached=None, agency_id=1):
    amounts = {"bhxh_tn": bhxh * 3_168_000, "bhyt_hgd": bhyt * 1_263_600}
    if amount is not None:
        amounts = {"bhxh_tn": 0, "bhyt_hgd": amount}
    return Numbers(
        agency_id=agency_id,
        collector_id=None if quota is not None else hash(code) % 10_000,
        code=code,
        name=code,
        counts={"bhxh_tn": bhxh, "bhyt_hgd": bhyt},
        amounts=amounts,
        quotas=quota,
        reached_at=reached or (datetime(2025, 11, 15, 3, tzinfo=UTC) if bhxh or bhyt else None),
    )


def by_code(standings):
    return {s.numbers.code: s for s in standings}


# --- Metrics --------------------------------------------------------------------------------------


def test_points_weigh_each_product_by_the_rule():
    ranked = by_code(rank_standings(terms(), [numbers("X", bhxh=2, bhyt=5), numbers("Y", bhyt=10)]))
    assert ranked["X"].metric_value == Decimal("11.00") and ranked["X"].rank == 1
    assert ranked["Y"].metric_value == Decimal("10.00") and ranked["Y"].rank == 2


def test_count_adds_new_and_rejoining_people_of_both_products():
    ranked = by_code(rank_standings(terms(Metric.COUNT), [numbers("X", bhxh=2, bhyt=5), numbers("Y", bhyt=8)]))
    assert (ranked["X"].metric_value, ranked["Y"].metric_value) == (7, 8)
    assert ranked["Y"].rank == 1


def test_amount_adds_what_was_collected():
    ranked = by_code(rank_standings(terms(Metric.AMOUNT), [numbers("X", bhxh=1), numbers("Y", bhyt=2)]))
    assert ranked["X"].metric_value == 3_168_000 and ranked["Y"].metric_value == 2_527_200
    assert ranked["X"].rank == 1


@pytest.mark.parametrize(
    ("weights", "expected"),
    [
        # 3/2 = 150% of BHXH TN, 2/4 = 50% of BHYT HGĐ: equal weights → 100%.
        ({"bhxh_tn": ONE, "bhyt_hgd": ONE}, Decimal("100.00")),
        # BHXH TN weighs 3: (3 × 150 + 1 × 50) / 4 = 125%.
        ({"bhxh_tn": Decimal("3"), "bhyt_hgd": ONE}, Decimal("125.00")),
    ],
)
def test_attainment_is_the_weighted_mean_over_the_products_with_a_quota(weights, expected):
    agency = numbers("A", bhxh=3, bhyt=2, quota={"bhxh_tn": 2, "bhyt_hgd": 4})
    (standing,) = rank_standings(terms(Metric.ATTAINMENT, subject=Subject.AGENCY, weights=weights), [agency])
    assert standing.metric_value == expected
    assert standing.attainment == {"bhxh_tn": Decimal("150.00"), "bhyt_hgd": Decimal("50.00")}


def test_attainment_leaves_out_a_product_without_a_quota():
    agency = numbers("A", bhxh=5, bhyt=3, quota={"bhxh_tn": 0, "bhyt_hgd": 4})
    (standing,) = rank_standings(terms(Metric.ATTAINMENT, subject=Subject.AGENCY), [agency])
    assert standing.metric_value == Decimal("75.00")
    assert standing.attainment["bhxh_tn"] is None


def test_an_agency_without_a_quota_is_not_eligible_for_attainment_and_says_why():
    ranked = by_code(
        rank_standings(
            terms(Metric.ATTAINMENT, subject=Subject.AGENCY, threshold="100"),
            [
                numbers("NOQ", bhxh=9, bhyt=9, quota={"bhxh_tn": 0, "bhyt_hgd": 0}),
                numbers("A", bhxh=2, bhyt=4, quota={"bhxh_tn": 2, "bhyt_hgd": 4}),
            ],
        )
    )
    assert ranked["NOQ"].metric_value is None
    assert ranked["NOQ"].ineligible_reason == IneligibleReason.NO_QUOTA
    assert ranked["NOQ"].rank == 2 and ranked["NOQ"].prize == 0
    assert ranked["A"].eligible and ranked["A"].prize == 300


# --- Threshold and prizes ------------------------------------------------------------------------------


def test_the_threshold_decides_who_may_win():
    ranked = by_code(
        rank_standings(
            terms(threshold="10"),
            [numbers("TEN", bhyt=10), numbers("NINE", bhyt=9), numbers("TWELVE", bhxh=4)],
        )
    )
    assert ranked["TWELVE"].prize == 300 and ranked["TEN"].prize == 200
    assert not ranked["NINE"].eligible and ranked["NINE"].prize == 0
    assert ranked["NINE"].ineligible_reason == IneligibleReason.BELOW_THRESHOLD


def test_more_eligible_entries_than_prizes_leave_the_rest_eligible_without_a_prize():
    ranked = rank_standings(terms(prizes=(500,)), [numbers("A", bhyt=3), numbers("B", bhyt=2)])
    assert [(s.numbers.code, s.prize, s.eligible) for s in ranked] == [("A", 500, True), ("B", 0, True)]


def test_nothing_counted_never_wins_even_with_a_zero_threshold():
    ranked = rank_standings(terms(threshold="0"), [numbers("A"), numbers("B")])
    assert all(s.ineligible_reason == IneligibleReason.NOTHING_COUNTED and s.prize == 0 for s in ranked)
    assert [s.rank for s in ranked] == [1, 2]


# --- Ties -----------------------------------------------------------------------------------------------


def test_more_bhxh_tn_enrollments_break_a_tie():
    # 3 points each: one BHXH TN against three BHYT HGĐ.
    ranked = rank_standings(terms(), [numbers("B", bhyt=3), numbers("A", bhxh=1)])
    assert [s.numbers.code for s in ranked] == ["A", "B"]
    assert {s.tie_break for s in ranked} == {TieBreak.BHXH_TN}
    assert (ranked[0].tied_with, ranked[1].tied_with) == ("B", "A")


def test_a_larger_amount_breaks_a_tie_when_bhxh_tn_counts_are_equal():
    ranked = rank_standings(
        terms(Metric.COUNT), [numbers("A", bhyt=1, amount=631_800), numbers("B", bhyt=1, amount=1_263_600)]
    )
    assert [s.numbers.code for s in ranked] == ["B", "A"]
    assert {s.tie_break for s in ranked} == {TieBreak.AMOUNT}


def test_the_earlier_final_score_breaks_a_tie_when_amounts_are_equal():
    early, late = datetime(2025, 11, 14, 2, tzinfo=UTC), datetime(2025, 11, 14, 9, tzinfo=UTC)
    ranked = rank_standings(terms(), [numbers("A", bhyt=2, reached=late), numbers("B", bhyt=2, reached=early)])
    assert [s.numbers.code for s in ranked] == ["B", "A"]
    assert {s.tie_break for s in ranked} == {TieBreak.EARLIER}


def test_the_code_settles_what_is_still_tied():
    ranked = rank_standings(terms(), [numbers("CB-9", bhyt=2), numbers("CB-1", bhyt=2)])
    assert [s.numbers.code for s in ranked] == ["CB-1", "CB-9"]
    assert {s.tie_break for s in ranked} == {TieBreak.CODE}
    assert [s.rank for s in ranked] == [1, 2]  # never a shared rank


def test_the_rule_orders_its_tie_breaks():
    early, late = datetime(2025, 11, 14, 2, tzinfo=UTC), datetime(2025, 11, 14, 9, tzinfo=UTC)
    a = numbers("A", bhxh=1, reached=late)  # more BHXH TN, later
    b = numbers("B", bhyt=3, reached=early)
    by_bhxh = rank_standings(terms(), [a, b])
    by_time = rank_standings(terms(tie_breaks=("earlier", "bhxh_tn", "code")), [a, b])
    assert [s.numbers.code for s in by_bhxh] == ["A", "B"]
    assert [s.numbers.code for s in by_time] == ["B", "A"] and by_time[0].tie_break == TieBreak.EARLIER


def test_a_tie_for_the_last_prize_is_decided_not_shared():
    ranked = rank_standings(
        terms(prizes=(300, 200)), [numbers("A", bhyt=5), numbers("C", bhyt=3), numbers("B", bhyt=3)]
    )
    assert [(s.numbers.code, s.prize, s.tie_break) for s in ranked] == [
        ("A", 300, ""),
        ("B", 200, "code"),
        ("C", 0, "code"),
    ]


def test_untied_entries_name_no_tie_break():
    ranked = rank_standings(terms(), [numbers("A", bhyt=5), numbers("B", bhyt=3)])
    assert [(s.tie_break, s.tied_with) for s in ranked] == [("", ""), ("", "")]


def test_the_fingerprint_follows_the_figures_and_the_rule():
    rows = [numbers("A", bhyt=5), numbers("B", bhyt=3)]
    first = fingerprint(terms(), None, rank_standings(terms(), rows))
    assert first == fingerprint(terms(), None, rank_standings(terms(), [numbers("A", bhyt=5), numbers("B", bhyt=3)]))
    assert first != fingerprint(terms(), None, rank_standings(terms(), [numbers("A", bhyt=5), numbers("B", bhyt=4)]))
    assert first != fingerprint(terms(threshold="4"), None, rank_standings(terms(threshold="4"), rows))
