"""A fixed-window rate limit in the shared cache; it lets everything through when the cache is down."""

import logging
import time

from django.core.cache import cache

logger = logging.getLogger(__name__)


def allow(name: str, *, limit: int, window_seconds: int = 60) -> bool:
    """Count one use of ``name`` in the current window; False once the window has seen ``limit`` uses."""
    key = f"ratelimit:{name}:{int(time.time()) // window_seconds}"
    try:
        if cache.add(key, 1, timeout=window_seconds + 1):
            return True
        return cache.incr(key) <= limit
    except Exception:
        logger.warning("cache unavailable for rate limit %s", name, exc_info=True)
        return True
