"""The shared cache as a help, never a dependency: when it is down, figures are computed without it.

Redis going away must not turn a page into a 500 (issue 10, fault 4): a failed read is a miss, a
failed write is skipped, each logged once per call.
"""

import logging
from collections.abc import Callable
from contextlib import AbstractContextManager, ExitStack

from django.core.cache import cache

from .locks import Busy

logger = logging.getLogger(__name__)


def read(key: str):
    """The cached value, or None when it is missing or the cache cannot be reached."""
    try:
        return cache.get(key)
    except Exception:
        logger.warning("cache unavailable reading %s; computing without it", key, exc_info=True)
        return None


def keep(key: str, value, timeout: int) -> None:
    try:
        cache.set(key, value, timeout)
    except Exception:
        logger.warning("cache unavailable writing %s", key, exc_info=True)


def read_many(keys: list[str]) -> dict:
    """The cached values found among ``keys`` (one round trip); none when the cache cannot be reached."""
    try:
        return cache.get_many(keys)
    except Exception:
        logger.warning("cache unavailable reading %s keys like %s", len(keys), keys[:1], exc_info=True)
        return {}


def keep_many(values: dict, timeout: int) -> None:
    try:
        cache.set_many(values, timeout)
    except Exception:
        logger.warning("cache unavailable writing %s keys", len(values), exc_info=True)


# How long one caller may hold the right to recompute a figure before another may take it over
# (a worker killed mid-computation must not leave everyone on the previous figures for long).
RECOMPUTE_SECONDS = 30
# How long the previous figures may be served while one caller recomputes them.
PREVIOUS_SECONDS = 600


def _claim(key: str) -> bool:
    """True when this caller may compute ``key``: no one else is, or the cache cannot say."""
    try:
        return bool(cache.add(key, 1, RECOMPUTE_SECONDS))
    except Exception:
        logger.warning("cache unavailable claiming %s", key, exc_info=True)
        return True


def _hold(stack: ExitStack, exclusive, key: str) -> bool:
    """Enter ``exclusive()`` on ``stack``; False when another caller holds it. A lock that cannot be
    taken at all (its cache down) is no reason to fail: the caller computes without it."""
    try:
        stack.enter_context(exclusive())
    except Busy:
        return False
    except Exception:
        logger.warning("lock unavailable for %s; computing without it", key, exc_info=True)
    return True


def _release(key: str) -> None:
    try:
        cache.delete(key)
    except Exception:
        logger.warning("cache unavailable releasing %s", key, exc_info=True)


def fresh_or_previous(
    key: str,
    generation: int | str,
    compute,
    timeout: int,
    *,
    exclusive: Callable[[], AbstractContextManager] | None = None,
):
    """The value of ``key`` for ``generation``, computed by one caller at a time.

    When the generation has moved on (a write) and its value is not cached yet, the first caller
    computes it; callers arriving meanwhile get the value of the previous generation instead of
    piling up on the same costly queries, and only when there is none do they compute too. A
    caller alone (a test, a quiet morning) therefore always gets the fresh value.

    ``exclusive`` (e.g. a PostgreSQL advisory lock, ``core.locks.exclusive``) makes the rule hold
    where the cache's claim cannot: a computation outliving ``RECOMPUTE_SECONDS``, or the cache
    down. A caller finding it taken (``Busy``) gets the previous value too, when there is one.
    """
    current_key = f"{key}:g{generation}"
    value = read(current_key)
    if value is not None:
        return value
    claim_key = f"{key}:computing"
    if not _claim(claim_key):
        previous = read(f"{key}:previous")
        if previous is not None:
            return previous
    try:
        with ExitStack() as stack:
            if exclusive is not None and not _hold(stack, exclusive, key):
                previous = read(f"{key}:previous")
                if previous is not None:
                    return previous
            value = compute()
    finally:
        _release(claim_key)
    keep(current_key, value, timeout)
    keep(f"{key}:previous", value, PREVIOUS_SECONDS)
    return value
