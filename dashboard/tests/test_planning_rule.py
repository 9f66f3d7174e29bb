"""The planning rule on literal numbers: a week's need per commune, shared by what each agency brought."""

import pytest

from dashboard.planning.rule import Suggestions, share_needs, week_need


@pytest.mark.parametrize(
    ("gap", "needed_per_day", "days_left", "need"),
    [
        (450, 22, 21, 154),  # DOMAIN.md's commune: 450 over 21 days → 22 a day → 7 × 22
        (1470, 70, 21, 490),  # the pace example: 70 a day for a week
        (5, 1, 21, 5),  # the gap is smaller than a week at 1 a day: never more than the gap
        (10, 4, 3, 10),  # 3 days left at 4 a day would be 12: capped at the gap
        (30, 10, 3, 30),  # fewer than 7 days left: those days only
        (0, 0, 21, 0),  # target reached
        (120, 120, 0, 120),  # the target date is today: the whole gap
        (120, 120, -1, 0),  # after the target date: nothing to plan
    ],
)
def test_a_communes_need_for_next_week(gap, needed_per_day, days_left, need):
    assert week_need(gap=gap, needed_per_day=needed_per_day, days_left=days_left) == need


def test_two_agencies_sharing_a_commune_3_to_1():
    suggestions = share_needs(
        needs={("X1", "bhyt_hgd"): 140, ("X1", "bhxh_tn"): 20},
        serving={"X1": {"A", "B"}},
        brought={("X1", "A", "bhyt_hgd"): 300, ("X1", "B", "bhyt_hgd"): 100, ("X1", "A", "bhxh_tn"): 6},
    )
    assert suggestions == Suggestions(
        {("A", "bhyt_hgd"): 105, ("B", "bhyt_hgd"): 35, ("A", "bhxh_tn"): 20, ("B", "bhxh_tn"): 0}, {}
    )


def test_a_commune_nobody_has_served_yet_is_shared_equally():
    suggestions = share_needs(needs={("X1", "bhyt_hgd"): 7}, serving={"X1": ["A", "B"]}, brought={})
    assert suggestions.by_agency == {("A", "bhyt_hgd"): 4, ("B", "bhyt_hgd"): 4}  # 3,5 each, rounded up


def test_what_an_agency_brought_in_a_commune_it_does_not_serve_gives_it_no_share():
    suggestions = share_needs(
        needs={("X1", "bhyt_hgd"): 10},
        serving={"X1": {"A", "B"}},
        brought={("X1", "C", "bhyt_hgd"): 50},
    )
    assert suggestions.by_agency == {("A", "bhyt_hgd"): 5, ("B", "bhyt_hgd"): 5}


def test_an_agencys_shares_are_summed_over_its_communes_before_rounding_up():
    # A gets 1/3 of 10 in each of three communes: 3,33… × 3 = 10, not 4 × 3 = 12.
    needs = {(commune, "bhyt_hgd"): 10 for commune in ("X1", "X2", "X3")}
    serving = {commune: {"A", "B"} for commune in ("X1", "X2", "X3")}
    brought = {
        key: count
        for c in ("X1", "X2", "X3")
        for key, count in {(c, "A", "bhyt_hgd"): 1, (c, "B", "bhyt_hgd"): 2}.items()
    }
    suggestions = share_needs(needs=needs, serving=serving, brought=brought)
    assert suggestions.by_agency == {("A", "bhyt_hgd"): 10, ("B", "bhyt_hgd"): 20}


def test_the_need_of_a_commune_no_agency_serves_is_reported_apart():
    suggestions = share_needs(
        needs={("X1", "bhyt_hgd"): 12, ("X2", "bhyt_hgd"): 8},
        serving={"X2": {"A"}},
        brought={},
    )
    assert suggestions == Suggestions({("A", "bhyt_hgd"): 8}, {"bhyt_hgd": 12})
