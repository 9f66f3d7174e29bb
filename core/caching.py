"""The shared cache as a help, never a dependency: when it is down, figures are computed without it.

Redis going away must not turn a page into a 500 (issue 10, fault 4): a failed read is a miss, a
failed write is skipped, each logged once per call.
"""

import logging

from django.core.cache import cache

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
