"""Another worker holding the ranking lock, for tests of what a second computation does meanwhile."""

import threading
from contextlib import contextmanager

from django.core.cache import cache
from django.db import connection, connections

from awards.locks import _advisory_key


@contextmanager
def held_elsewhere(name: str):
    """Hold the ranking lock as another worker would: another connection (PostgreSQL) or the shared cache."""
    if connection.vendor != "postgresql":
        assert cache.add(name, "another-worker", timeout=60)
        try:
            yield
        finally:
            cache.delete(name)
        return
    taken, release = threading.Event(), threading.Event()

    def other_worker():
        try:
            with connections["default"].cursor() as cursor:
                cursor.execute("SELECT pg_advisory_lock(%s)", [_advisory_key(name)])
                taken.set()
                release.wait(timeout=20)
                cursor.execute("SELECT pg_advisory_unlock(%s)", [_advisory_key(name)])
        finally:
            connections.close_all()

    thread = threading.Thread(target=other_worker)
    thread.start()
    assert taken.wait(timeout=10)
    try:
        yield
    finally:
        release.set()
        thread.join(timeout=10)
