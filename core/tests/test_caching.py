"""The shared cache's stale-while-recompute rule: one caller recomputes, the others get the previous value."""

import pytest
from django.core.cache import cache

from core import caching


def test_a_caller_alone_gets_the_new_generations_value():
    assert caching.fresh_or_previous("t:alone", 1, lambda: "one", 60) == "one"
    assert caching.fresh_or_previous("t:alone", 2, lambda: "two", 60) == "two"
    # Cached for its generation: not computed again.
    assert caching.fresh_or_previous("t:alone", 2, lambda: pytest.fail("recomputed"), 60) == "two"


def test_while_one_caller_recomputes_the_others_get_the_previous_value():
    caching.fresh_or_previous("t:busy", 1, lambda: "first", 60)
    seen = []

    def slow():
        # Another request arrives while this one computes generation 2.
        seen.append(caching.fresh_or_previous("t:busy", 2, lambda: pytest.fail("computed twice"), 60))
        return "second"

    assert caching.fresh_or_previous("t:busy", 2, slow, 60) == "second"
    assert seen == ["first"]
    assert caching.fresh_or_previous("t:busy", 2, lambda: pytest.fail("recomputed"), 60) == "second"


def test_without_a_previous_value_a_waiting_caller_computes_itself():
    cache.add("t:none:computing", 1, 60)  # someone else is computing the very first value
    assert caching.fresh_or_previous("t:none", 1, lambda: "mine", 60) == "mine"


def test_a_failed_computation_releases_the_claim():
    def broken():
        raise RuntimeError("database gone")

    with pytest.raises(RuntimeError):
        caching.fresh_or_previous("t:fail", 1, broken, 60)
    assert caching.fresh_or_previous("t:fail", 1, lambda: "next", 60) == "next"


def test_the_cache_being_down_computes_every_time(monkeypatch):
    def down(*args, **kwargs):
        raise ConnectionError("redis gone")

    for name in ("get", "set", "add", "delete"):
        monkeypatch.setattr(cache, name, down)
    assert caching.fresh_or_previous("t:down", 1, lambda: "computed", 60) == "computed"


def test_a_lock_held_elsewhere_serves_the_previous_value_without_computing():
    from contextlib import contextmanager

    from core.locks import Busy

    @contextmanager
    def taken():
        raise Busy()
        yield  # pragma: no cover

    caching.fresh_or_previous("t:locked", 1, lambda: "first", 60)
    assert caching.fresh_or_previous("t:locked", 2, lambda: pytest.fail("computed"), 60, exclusive=taken) == "first"
    # Not kept as generation 2's value: the next caller with the lock free computes it.
    assert caching.fresh_or_previous("t:locked", 2, lambda: "second", 60) == "second"


def test_a_lock_that_cannot_be_taken_at_all_computes_without_it():
    def broken():
        raise ConnectionError("redis gone")

    assert caching.fresh_or_previous("t:nolock", 1, lambda: "computed", 60, exclusive=broken) == "computed"
