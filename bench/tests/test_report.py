"""The report's arithmetic and the "nothing lost" check of ``make bench``: pure functions, no server."""

import math

import pytest

from bench.report import (
    Outcome,
    at_least,
    at_most,
    below,
    check_nothing_lost,
    missed,
    percentile,
    ratio,
    render,
    shown,
    summarize,
)


def test_percentile_is_the_nearest_rank_of_measured_values():
    values = list(range(1, 101))  # 1..100
    assert percentile(values, 50) == 50
    assert percentile(values, 95) == 95
    assert percentile(values, 100) == 100
    assert percentile([7.0], 95) == 7.0
    assert percentile([5, 1, 3], 50) == 3  # unsorted input
    assert percentile([10, 20], 95) == 20


@pytest.mark.parametrize("q", [0, -1, 101])
def test_percentile_refuses_a_q_outside_0_100(q):
    with pytest.raises(ValueError):
        percentile([1, 2], q)


def test_percentile_refuses_no_values():
    with pytest.raises(ValueError):
        percentile([], 50)


def test_summarize_counts_statuses_and_rate():
    latency = summarize([10, 20, 30, 40], 2.0, [200, 200, 201, "TimeoutError"])
    assert (latency.requests, latency.p50, latency.max) == (4, 20, 40)
    assert latency.rate == 2.0
    assert latency.statuses == {"200": 2, "201": 1, "TimeoutError": 1}
    assert latency.failures() == 2
    assert latency.failures(ok=(200, 201)) == 1


def test_ratio_of_a_zero_reference():
    assert ratio(6, 2) == 3
    assert ratio(0, 0) == 0
    assert math.isinf(ratio(1, 0))


def test_at_most_is_met_at_the_limit_and_missed_above_it_with_both_numbers():
    assert at_most("p95", 300, 300, "ms", bar="≤ 3× health p95").met is True
    row = at_most("p95", 812, 255, "ms", bar="≤ 3× health p95", reference="health 85.0 ms")
    assert row.met is False
    assert row.verdict == "**MISSED** (812 ms > 255 ms)"
    assert row.bar == "≤ 3× health p95 (255 ms)"


def test_below_is_strict():
    assert below("rankings", 999, 1000, "ms", bar="under 1 s").met is True
    assert below("rankings", 1000, 1000, "ms", bar="under 1 s").met is False


def test_at_least_for_a_rate():
    assert at_least("rate", 150, 150, "/s", bar="≥ 60%").met is True
    row = at_least("rate", 33.3, 144, "/s", bar="≥ 60% of health's rate")
    assert row.met is False
    assert "33.3 /s < 144 /s" in row.verdict


def test_render_marks_every_missed_bar_and_counts_them():
    rows = [
        shown("health p50", "10 ms"),
        at_most("list p95", 900, 300, "ms", bar="≤ 3× health p95"),
        at_most("overview p95", 100, 300, "ms", bar="≤ 3× health p95"),
        missed("export", "step failed"),
    ]
    text = render(rows, title="make bench", notes=["load average 1.0"])
    assert "| figure | measured | reference (same run) | bar | verdict |" in text
    assert "- load average 1.0" in text
    assert "2 of 3 bars MISSED:" in text
    assert "- MISSED list p95: 900 ms > 300 ms" in text
    assert "- MISSED export: step failed" in text
    assert "overview p95 | 100 ms |" in text and "| met |" in text


def test_render_says_when_every_bar_is_met():
    text = render([at_most("p95", 1, 2, "ms", bar="≤ 2")], title="t")
    assert "Every bar met (1)." in text
    assert "MISSED" not in text


def test_render_escapes_pipes_in_cells():
    assert "a \\| b" in render([shown("a | b", "1")], title="t")


# --- nothing lost ---------------------------------------------------------------------------------


def test_nothing_lost_when_each_2xx_is_stored_once_and_refusals_left_nothing():
    outcomes = [
        Outcome(("a",), 201),
        Outcome(("b", "c"), 201),
        Outcome(("d",), 422, "The CCCD number does not match the birth date."),
        Outcome(("e",), 409, "Already recorded."),
    ]
    check = check_nothing_lost(outcomes, {"a": 1, "b": 1, "c": 1})
    assert check.ok
    assert (check.accepted, check.refused, check.server_errors) == (2, 2, 0)


def test_a_2xx_missing_or_stored_twice_is_lost():
    check = check_nothing_lost([Outcome(("a",), 201), Outcome(("b", "c"), 201)], {"a": 2, "b": 1})
    assert not check.ok
    assert check.problems == ("201 but stored a ×2", "201 but stored c ×0")


def test_a_refusal_without_a_reason_or_that_was_stored_is_a_problem():
    check = check_nothing_lost([Outcome(("a",), 422, "  "), Outcome(("b",), 409, "taken")], {"b": 1})
    assert check.problems == ("422 without a reason (a)", "409 but stored (b)")


def test_a_5xx_or_no_answer_is_a_problem():
    check = check_nothing_lost([Outcome(("a",), 500, "boom"), Outcome(("b",), "TimeoutError")], {})
    assert check.server_errors == 2
    assert check.problems == ("500 for a", "TimeoutError for b")


def test_many_problems_are_summarized():
    outcomes = [Outcome((str(n),), 500) for n in range(8)]
    check = check_nothing_lost(outcomes, {}, shown_problems=3)
    assert not check.ok
    assert len(check.problems) == 4
    assert check.problems[-1] == "and 5 more"


# --- the bodies make bench sends ------------------------------------------------------------------


def test_the_bench_writes_valid_people_except_the_one_in_25_meant_to_be_refused():
    from datetime import date

    from bench.run import REFUSED_EVERY, Writes
    from core.errors import DomainError
    from enrollments.identity import validate_cccd

    writes = Writes("101085", ["25480", "25481"])
    refused = 0
    for n in range(2 * REFUSED_EVERY):
        person = writes.enrollment(n)["participant"]
        try:
            validate_cccd(person["cccd"], date_of_birth=date.fromisoformat(person["date_of_birth"]), sex=person["sex"])
        except DomainError:
            refused += 1
    assert refused == 2
    bundle = writes.household(0)
    cccds = [member["participant"]["cccd"] for member in bundle["members"]]
    assert len(set(cccds)) == 3 and all(c.startswith("101085") for c in cccds)
    for member in bundle["members"]:
        person = member["participant"]
        validate_cccd(person["cccd"], date_of_birth=date.fromisoformat(person["date_of_birth"]), sex=person["sex"])
