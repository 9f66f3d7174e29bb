"""Computing rankings from recorded enrollments: what counts, the stored numbers, idempotency, failures, the lock."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import OperationalError

from awards import services
from awards.locks import RankingBusy, lock_name
from awards.models import IneligibleReason, Metric, Period, Ranking, RankingEntry, Subject, TieBreak
from awards.services import Outcome, compute_rankings, publish_ranking
from awards.tests.factories import AwardRuleFactory, local, officer_points_rule
from awards.tests.other_worker import held_elsewhere
from campaign.models import Product
from core.errors import DomainError

BHXH, BHYT = Product.BHXH_TN, Product.BHYT_HGD
W1_DAY, W2_DAY = date(2025, 11, 14), date(2025, 11, 20)
W1_CUTOFF = local(date(2025, 11, 19), 12)  # 12:00 the day after week 1 ends


def entries(ranking) -> dict[str, RankingEntry]:
    return {e.code: e for e in ranking.entries.all()}


def only(computed, rule):
    return next(item for item in computed if item.rule.pk == rule.pk)


@pytest.fixture
def agency_rule(world):
    return AwardRuleFactory(campaign=world.campaign)


@pytest.fixture
def officer_rule(world):
    return officer_points_rule(world.campaign)


def test_a_weekly_agency_ranking_stores_the_numbers_behind_each_rank(world, agency_rule):
    # AG-A: 3 BHXH TN (one rejoining) and 4 BHYT HGĐ against quotas 2 and 4 → 150% and 100% → 125%.
    world.record("CB-A1", BHXH, on=W1_DAY)
    world.record("CB-A1", BHXH, on=W1_DAY, kind="rejoin")
    world.record("CB-A2", BHXH, on=W1_DAY)
    for _ in range(4):
        world.record("CB-A2", BHYT, on=W1_DAY)
    world.record("CB-A2", BHYT, on=W1_DAY, kind="renewal")  # retention, not counted
    world.record("CB-A2", BHYT, on=W1_DAY, cancelled=True)  # cancelled: not counted
    world.record("CB-A2", BHYT, on=W2_DAY)  # another week
    # AG-B: 1 of 2 BHXH TN and 4 of 4 BHYT HGĐ → 50% and 100% → 75%.
    world.record("CB-B1", BHXH, on=W1_DAY)
    for _ in range(4):
        world.record("CB-B1", BHYT, on=W1_DAY)

    (computed,) = compute_rankings(campaign=world.campaign, week_number=1)
    assert computed.outcome == Outcome.CREATED
    ranking = computed.ranking
    assert (ranking.status, ranking.version, ranking.cutoff) == (Ranking.Status.DRAFT, 1, W1_CUTOFF)
    rows = entries(ranking)
    a, b, noq = rows["AG-A"], rows["AG-B"], rows["AG-NOQ"]
    assert (a.rank, a.metric_value, a.prize, a.eligible) == (1, Decimal("125.00"), 3_000_000, True)
    assert (a.bhxh_tn_count, a.bhyt_hgd_count, a.bhxh_tn_quota, a.bhyt_hgd_quota) == (3, 4, 2, 4)
    assert (a.bhxh_tn_attainment, a.bhyt_hgd_attainment) == (Decimal("150.00"), Decimal("100.00"))
    # 3 × 3.168.000 ₫ and 4 × 1.263.600 ₫: the renewal, the cancelled one and week 2's are not in them.
    assert (a.bhxh_tn_amount, a.bhyt_hgd_amount) == (9_504_000, 5_054_400)
    assert (a.renewal_count, a.renewal_amount) == (1, 1_263_600)
    assert a.reached_at == local(W1_DAY, 10)
    assert (b.rank, b.metric_value, b.eligible, b.ineligible_reason) == (
        2,
        Decimal("75.00"),
        False,
        IneligibleReason.BELOW_THRESHOLD,
    )
    assert (noq.rank, noq.metric_value, noq.ineligible_reason) == (3, None, IneligibleReason.NO_QUOTA)
    assert ranking.rule_terms["metric"] == Metric.ATTAINMENT and ranking.rule_terms["threshold"] == "100.00"


def test_an_agency_with_no_quota_is_listed_with_its_numbers_and_the_reason(world, agency_rule):
    world.record("CB-N1", BHXH, on=W1_DAY)
    (computed,) = compute_rankings(campaign=world.campaign, week_number=1)
    noq = entries(computed.ranking)["AG-NOQ"]
    assert (noq.bhxh_tn_count, noq.bhxh_tn_quota, noq.bhyt_hgd_quota) == (1, 0, 0)
    assert not noq.eligible and noq.ineligible_reason == IneligibleReason.NO_QUOTA
    assert noq.get_ineligible_reason_display() == "no quota was set for this agency"


def test_officer_points_and_threshold(world, officer_rule):
    # CB-A1: 3 BHXH TN + 1 BHYT HGĐ = 10 points (eligible); CB-B1: 9 BHYT HGĐ = 9 points (not).
    for _ in range(3):
        world.record("CB-A1", BHXH, on=W1_DAY)
    world.record("CB-A1", BHYT, on=W1_DAY)
    for _ in range(9):
        world.record("CB-B1", BHYT, on=W1_DAY)
    (computed,) = compute_rankings(campaign=world.campaign, week_number=1)
    rows = entries(computed.ranking)
    assert (rows["CB-A1"].rank, rows["CB-A1"].metric_value, rows["CB-A1"].prize) == (1, Decimal("10.00"), 1_000_000)
    assert rows["CB-A1"].agency == world.agencies["AG-A"] and rows["CB-A1"].collector == world.collectors["CB-A1"]
    assert (rows["CB-B1"].metric_value, rows["CB-B1"].ineligible_reason) == (
        Decimal("9.00"),
        IneligibleReason.BELOW_THRESHOLD,
    )
    assert rows["CB-A2"].metric_value == 0 and rows["CB-A2"].ineligible_reason == IneligibleReason.NOTHING_COUNTED
    assert rows["CB-A2"].bhxh_tn_quota is None  # officers have no quota


@pytest.mark.parametrize(
    ("metric", "expected_a1", "expected_b1"),
    [(Metric.COUNT, Decimal("2"), Decimal("3")), (Metric.AMOUNT, Decimal("6336000"), Decimal("3790800"))],
)
def test_count_and_amount_metrics(world, metric, expected_a1, expected_b1):
    AwardRuleFactory(campaign=world.campaign, subject=Subject.COLLECTOR, metric=metric, threshold=Decimal("1"))
    world.record("CB-A1", BHXH, on=W1_DAY)
    world.record("CB-A1", BHXH, on=W1_DAY)
    for _ in range(3):
        world.record("CB-B1", BHYT, on=W1_DAY)
    (computed,) = compute_rankings(campaign=world.campaign, week_number=1)
    rows = entries(computed.ranking)
    assert (rows["CB-A1"].metric_value, rows["CB-B1"].metric_value) == (expected_a1, expected_b1)


def test_a_tie_is_decided_and_the_entry_says_how(world, officer_rule):
    # 3 points each; CB-A1 with one BHXH TN beats CB-B1 with three BHYT HGĐ.
    world.record("CB-B1", BHYT, on=W1_DAY)
    world.record("CB-B1", BHYT, on=W1_DAY)
    world.record("CB-B1", BHYT, on=W1_DAY)
    world.record("CB-A1", BHXH, on=W1_DAY)
    (computed,) = compute_rankings(campaign=world.campaign, week_number=1)
    rows = entries(computed.ranking)
    assert (rows["CB-A1"].rank, rows["CB-B1"].rank) == (1, 2)
    assert (rows["CB-A1"].tie_break, rows["CB-A1"].tied_with) == (TieBreak.BHXH_TN, "CB-B1")
    assert (rows["CB-B1"].tie_break, rows["CB-B1"].tied_with) == (TieBreak.BHXH_TN, "CB-A1")


def test_the_earlier_moment_is_the_last_counted_enrollment(world):
    AwardRuleFactory(campaign=world.campaign, subject=Subject.COLLECTOR, metric=Metric.COUNT, threshold=1)
    world.record("CB-A1", BHYT, on=W1_DAY, at=local(W1_DAY, 9))
    world.record("CB-A1", BHYT, on=W1_DAY, at=local(W1_DAY, 16))
    world.record("CB-B1", BHYT, on=W1_DAY, at=local(W1_DAY, 8))
    world.record("CB-B1", BHYT, on=W1_DAY, at=local(W1_DAY, 15))
    (computed,) = compute_rankings(campaign=world.campaign, week_number=1)
    rows = entries(computed.ranking)
    assert rows["CB-B1"].rank == 1 and rows["CB-B1"].tie_break == TieBreak.EARLIER
    assert rows["CB-B1"].reached_at == local(W1_DAY, 15)


def test_late_entries_count_only_in_the_final_ranking(world, officer_rule):
    final_rule = officer_points_rule(world.campaign, period=Period.FINAL, threshold=Decimal("30"))
    world.record("CB-A1", BHXH, on=W1_DAY, at=local(date(2025, 11, 19), 11, 59))  # just in time
    world.record("CB-A1", BHXH, on=W1_DAY, at=W1_CUTOFF)  # at the cut-off: late
    (weekly,) = compute_rankings(campaign=world.campaign, week_number=1)
    a1 = entries(weekly.ranking)["CB-A1"]
    assert (a1.metric_value, a1.late_count, weekly.ranking.late_count) == (Decimal("3.00"), 1, 1)
    (final,) = compute_rankings(campaign=world.campaign, final=True)
    assert final.rule == final_rule and final.ranking.week is None and final.ranking.cutoff is None
    assert entries(final.ranking)["CB-A1"].metric_value == Decimal("6.00")


def test_a_week_with_no_enrollments_ranks_everyone_at_zero_with_no_winner(world, agency_rule, officer_rule):
    computed = compute_rankings(campaign=world.campaign, week_number=3)
    assert {item.outcome for item in computed} == {Outcome.CREATED}
    for item in computed:
        rows = list(item.ranking.entries.all())
        assert rows and not any(e.prize or e.eligible for e in rows)
        assert all(e.counted == 0 and e.amount == 0 and e.reached_at is None for e in rows)
    agency_rows = entries(only(computed, agency_rule).ranking)
    assert agency_rows["AG-A"].metric_value == Decimal("0.00")
    assert agency_rows["AG-A"].ineligible_reason == IneligibleReason.NOTHING_COUNTED
    assert len(entries(only(computed, officer_rule).ranking)) == 4


def test_computing_twice_keeps_one_draft_unchanged(world, agency_rule, officer_rule):
    world.record("CB-A1", BHXH, on=W1_DAY)
    first = {item.rule.pk: item for item in compute_rankings(campaign=world.campaign, week_number=1)}
    before = {pk: list(item.ranking.entries.values_list("pk", "rank", "metric_value")) for pk, item in first.items()}
    second = compute_rankings(campaign=world.campaign, week_number=1)
    assert {item.outcome for item in second} == {Outcome.UNCHANGED}
    for item in second:
        assert item.ranking.pk == first[item.rule.pk].ranking.pk
        assert item.ranking.fingerprint == first[item.rule.pk].ranking.fingerprint
        assert list(item.ranking.entries.values_list("pk", "rank", "metric_value")) == before[item.rule.pk]
    assert Ranking.objects.count() == 2


def test_new_figures_update_the_same_draft(world, officer_rule):
    world.record("CB-A1", BHXH, on=W1_DAY)
    (first,) = compute_rankings(campaign=world.campaign, week_number=1)
    world.record("CB-B1", BHXH, on=W1_DAY)
    world.record("CB-B1", BHXH, on=W1_DAY)
    (second,) = compute_rankings(campaign=world.campaign, week_number=1)
    assert second.outcome == Outcome.UPDATED and second.ranking.pk == first.ranking.pk
    assert second.ranking.fingerprint != first.ranking.fingerprint
    assert entries(second.ranking)["CB-B1"].rank == 1
    assert Ranking.objects.filter(status=Ranking.Status.DRAFT).count() == 1


def test_a_week_is_computed_only_after_its_cut_off(world, officer_rule, settings):
    settings.APP_TODAY = date(2025, 11, 18)  # week 1 still running
    with pytest.raises(DomainError) as refused:
        compute_rankings(campaign=world.campaign, week_number=1)
    assert "19/11/2025 12:00" in refused.value.messages[0]
    with pytest.raises(DomainError):
        compute_rankings(campaign=world.campaign, final=True)
    assert not Ranking.objects.exists()


def test_unknown_week_and_ambiguous_scope_are_refused(world, officer_rule):
    with pytest.raises(DomainError) as unknown:
        compute_rankings(campaign=world.campaign, week_number=9)
    assert unknown.value.as_list() == [
        {"field": "week", "message": f"Campaign {world.campaign.code} has no week 9; it has weeks 1 to 5."}
    ]
    with pytest.raises(DomainError) as both:
        compute_rankings(campaign=world.campaign, week_number=1, final=True)
    assert both.value.messages == ["Give a week number or ask for the final ranking, not both."]
    assert not Ranking.objects.exists()


def test_inactive_rules_and_rules_of_the_other_period_are_left_out(world, officer_rule):
    AwardRuleFactory(campaign=world.campaign, active=False)
    AwardRuleFactory(campaign=world.campaign, period=Period.FINAL)
    computed = compute_rankings(campaign=world.campaign, week_number=1)
    assert [item.rule for item in computed] == [officer_rule]


def test_a_failure_leaves_the_previous_draft_and_the_published_rankings(world, agency_rule, officer_rule, monkeypatch):
    world.record("CB-A1", BHXH, on=W1_DAY)
    published_week = compute_rankings(campaign=world.campaign, week_number=2)
    for item in published_week:
        publish_ranking(ranking=item.ranking)
    drafts = compute_rankings(campaign=world.campaign, week_number=1)

    def snapshot():
        return {
            ranking.pk: (
                ranking.status,
                ranking.fingerprint,
                list(ranking.entries.values_list("code", "rank", "prize")),
            )
            for ranking in Ranking.objects.all()
        }

    before = snapshot()
    world.record("CB-B1", BHXH, on=W1_DAY)
    world.record("CB-B1", BHXH, on=W1_DAY)

    def fail(*args, **kwargs):
        raise OperationalError("the database went away halfway")

    monkeypatch.setattr(services, "_store_entries", fail)  # after the old entries were deleted
    with pytest.raises(OperationalError):
        compute_rankings(campaign=world.campaign, week_number=1)
    assert snapshot() == before
    assert len(drafts) == 2 and Ranking.objects.filter(status=Ranking.Status.DRAFT).count() == 2


# --- The lock ----------------------------------------------------------------------------------------


def test_a_second_computation_of_the_same_week_is_refused_while_one_runs(world, officer_rule):
    world.record("CB-A1", BHXH, on=W1_DAY)
    with held_elsewhere(lock_name(world.campaign.pk, 1)):
        with pytest.raises(RankingBusy) as busy:
            compute_rankings(campaign=world.campaign, week_number=1)
        assert busy.value.status_code == 409
        assert not Ranking.objects.exists()
        # Another week is another lock.
        (other,) = compute_rankings(campaign=world.campaign, week_number=2)
        assert other.outcome == Outcome.CREATED
    (done,) = compute_rankings(campaign=world.campaign, week_number=1)
    assert done.outcome == Outcome.CREATED


def test_the_lock_is_released_when_the_computation_fails(world, officer_rule, monkeypatch):
    monkeypatch.setattr(services, "scope_numbers", lambda **kwargs: (_ for _ in ()).throw(OperationalError("down")))
    with pytest.raises(OperationalError):
        compute_rankings(campaign=world.campaign, week_number=1)
    monkeypatch.undo()
    (done,) = compute_rankings(campaign=world.campaign, week_number=1)
    assert done.outcome == Outcome.CREATED


# --- The command ------------------------------------------------------------------------------------


def test_the_command_computes_and_publishes(world, agency_rule, officer_rule, capsys):
    world.record("CB-A1", BHXH, on=W1_DAY)
    call_command("compute_rankings", "--campaign", world.campaign.code, "--week", "1")
    out = capsys.readouterr().out
    assert f"{agency_rule.code}: v1 created, 3 entries" in out and f"{officer_rule.code}: v1 created" in out
    call_command("compute_rankings", "--campaign", world.campaign.code, "--week", "1", "--publish")
    assert "unchanged" in capsys.readouterr().out
    assert Ranking.objects.filter(status=Ranking.Status.PUBLISHED).count() == 2
    call_command("compute_rankings", "--campaign", world.campaign.code, "--week", "1")
    assert "v1 published" in capsys.readouterr().out


def test_the_command_reports_refusals(world, officer_rule, settings):
    with pytest.raises(CommandError, match="No campaign"):
        call_command("compute_rankings", "--campaign", "NOPE", "--week", "1")
    settings.APP_TODAY = date(2025, 12, 1)
    with pytest.raises(CommandError, match="final ranking is computed after"):
        call_command("compute_rankings", "--campaign", world.campaign.code, "--final")
    with pytest.raises(CommandError):
        call_command("compute_rankings", "--campaign", world.campaign.code)
