"""One computation of a kind at a time, across every worker and web process.

On PostgreSQL the lock is a transaction-level advisory lock: it is released when the
computation's transaction ends, even if the worker dies halfway, so it can never be left
behind. Elsewhere (SQLite, the zero-setup default) it is an entry in the shared cache,
added atomically and kept at most as long as a task may run. A second computation does not
wait: it is refused with ``Busy`` (or the subclass given), and a Celery task retries later.
"""

import hashlib
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

from django.conf import settings
from django.core.cache import cache
from django.db import connection, transaction
from django.utils.translation import gettext_lazy as _

from .errors import ConflictError

LOCK_SECONDS = getattr(settings, "CELERY_TASK_TIME_LIMIT", 30 * 60)


class Busy(ConflictError):
    """Another worker is doing the same computation right now."""

    default_message = _("This is being computed right now; try again in a minute.")

    def __init__(self, message=None):  # the message argument lets Celery rebuild the exception
        super().__init__(message or self.default_message)


def advisory_key(name: str) -> int:
    """A stable signed 64-bit key for pg_try_advisory_xact_lock."""
    return int.from_bytes(hashlib.blake2b(name.encode(), digest_size=8).digest(), "big", signed=True)


@contextmanager
def exclusive(name: str, *, busy: type[Busy] = Busy) -> Iterator[None]:
    """Hold ``name`` for the block, which runs in a transaction; raise ``busy`` if it is taken."""
    if connection.vendor == "postgresql":
        with transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_try_advisory_xact_lock(%s)", [advisory_key(name)])
                (acquired,) = cursor.fetchone()
            if not acquired:
                raise busy()
            yield
        return
    token = uuid.uuid4().hex
    if not cache.add(name, token, timeout=LOCK_SECONDS):
        raise busy()
    try:
        with transaction.atomic():
            yield
    finally:
        if cache.get(name) == token:
            cache.delete(name)
