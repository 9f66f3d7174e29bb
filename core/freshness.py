"""Generations of cached figures: a counter in the shared cache that a write moves on.

A reader puts the generation of what it read into its cache key; a write bumps it after its
transaction commits, so every cached figure built on the old data is simply never read again.
The cache being down never fails a write: the bump is kept in the database (``core.outbox``) and
done once Redis is back, so figures cached before the outage are not served as current after it.
"""

import logging

from django.core.cache import cache

from .models import PendingWork

logger = logging.getLogger(__name__)


def name(kind: str, scope) -> str:
    return f"generation:{kind}:{scope}"


def generation(key: str) -> int:
    try:
        return cache.get_or_set(key, 1, timeout=None)
    except Exception:
        logger.warning("cache unavailable reading %s", key, exc_info=True)
        return 0


def bump(key: str) -> None:
    """Move ``key`` on; with the cache unreachable, keep the bump for ``core.outbox.flush``."""
    try:
        bump_or_raise(key)
    except Exception as exc:
        from . import outbox

        outbox.keep(PendingWork.Kind.BUMP, key, error=exc)


def bump_or_raise(key: str) -> None:
    try:
        cache.incr(key)
    except ValueError:  # never read yet: any new value differs from what no one has cached
        cache.set(key, 2, timeout=None)


# Rare writes that change what the dashboards show besides enrollments (quotas, baselines, the
# roster, the night's snapshots) move this one generation on.
SETUP = name("setup", "all")


def bump_on_commit(key: str) -> None:
    """Bump ``key`` once the current transaction commits (at once outside one)."""
    from django.db import transaction

    transaction.on_commit(lambda: bump(key))
