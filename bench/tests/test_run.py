"""bench/run.py's choice of reads (``--only``): a subset of the paths against an existing world."""

import pytest

from bench.run import chosen

PATHS = [
    ("provincial dashboard (overview)", "/overview/", "provincial", "added_by_commune"),
    ("progress API", "/api/v1/campaigns/X/progress", "provincial", "added_by_commune"),
    ("officer's agency dashboard", "/my-agency/", "officer", "rankings_week"),
]


def test_only_keeps_the_reads_named_by_a_word_of_their_label():
    assert chosen(PATHS, "") == PATHS
    assert [p[1] for p in chosen(PATHS, "overview, Progress")] == ["/overview/", "/api/v1/campaigns/X/progress"]
    assert [p[1] for p in chosen(PATHS, "agency")] == ["/my-agency/"]


def test_only_naming_nothing_stops_with_the_labels():
    with pytest.raises(SystemExit, match="progress API"):
        chosen(PATHS, "nothing-like-it")
