"""bench/run.py's choice of paths (``--only``): a subset of the paths against an existing world."""

import pytest

from bench.run import READ_KEYS, WRITE_KEYS, only_keys, reads


def test_every_read_key_names_a_read_that_is_loaded(monkeypatch):
    monkeypatch.setattr("bench.run.week_number", lambda: 5)  # the campaign's week, read from a built world
    labels = {label for label, *_ in reads("bench_officer_01")}
    assert set(READ_KEYS.values()) == labels


def test_only_keeps_the_paths_named():
    assert only_keys(None) is None
    assert only_keys("overview, progress") == {"overview", "progress"}
    assert only_keys("post,live") == {"post", "live"}
    assert set(WRITE_KEYS) == {"post", "household"}


@pytest.mark.parametrize("text", ["nothing-like-it", "overview,nope", " , "])
def test_an_unknown_or_empty_choice_stops_with_the_keys(text):
    with pytest.raises(SystemExit, match="overview"):
        only_keys(text)
