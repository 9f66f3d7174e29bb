"""The read side may read from a replica of the database, when one is configured.

A national deployment keeps one primary for writes and streams it to replicas; the dashboards,
read by many and written by none, can be served from a replica so that their large GROUP BYs
do not take CPU from the officers recording enrollments. Nothing else reads from it: a page that
writes, or reads what it has just written, stays on the primary.

Three parts, all off unless ``DATABASES`` has a ``replica`` alias and ``READ_FROM_REPLICA`` is on:

- ``read_side()``: a context in which reads go to the replica (writes always go to the primary);
- ``ReadSideRouter``: the database router that honours it;
- ``ReadSideMiddleware``: opens that context for GET and HEAD requests to the read side's paths
  (``READ_SIDE_PATHS``: the dashboards and the progress API), once the session and the user are
  loaded from the primary.

The replica lags the primary by a moment. The dashboards already show figures cached on a
version that moves on after each write, so a page may show the figures of a second ago; it
never shows a write as done that is not.
"""

from __future__ import annotations

import re
from contextlib import contextmanager
from contextvars import ContextVar

from django.conf import settings
from django.db import connections

REPLICA = "replica"
_reading_side: ContextVar[bool] = ContextVar("reading_side", default=False)


def replica_in_use() -> bool:
    """A replica is configured and the read side is told to use it."""
    return getattr(settings, "READ_FROM_REPLICA", False) and REPLICA in connections.settings


@contextmanager
def read_side():
    """Reads made inside go to the replica, when one is in use; writes stay on the primary."""
    token = _reading_side.set(True)
    try:
        yield
    finally:
        _reading_side.reset(token)


class ReadSideRouter:
    """Sends the read side's reads to the replica; everything else is Django's default."""

    def db_for_read(self, model, **hints):
        if _reading_side.get() and replica_in_use():
            return REPLICA
        return None

    def db_for_write(self, model, **hints):
        return None

    def allow_relation(self, obj1, obj2, **hints):
        # The replica holds the same rows as the primary: a row read from one relates to the other.
        return True


class ReadSideMiddleware:
    """GET and HEAD requests to the read side's paths read from the replica."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.paths = [re.compile(pattern) for pattern in getattr(settings, "READ_SIDE_PATHS", [])]

    def __call__(self, request):
        if request.method in ("GET", "HEAD") and any(p.match(request.path_info) for p in self.paths):
            # The session and the user come from the primary: a session saved a moment ago (the
            # login just before) may not have reached the replica yet.
            user = getattr(request, "user", None)
            if user is not None:
                user.is_authenticated  # noqa: B018 - loads the lazy user here, before the switch
            with read_side():
                return self.get_response(request)
        return self.get_response(request)
