"""One computation of a ranking at a time, across every worker and web process.

On PostgreSQL the lock is a transaction-level advisory lock: it is released when the
computation's transaction ends, even if the worker dies halfway, so it can never be left
behind. Elsewhere (SQLite, the zero-setup default) it is an entry in the shared cache,
added atomically and kept at most as long as a task may run. A second computation does not
wait: it is refused with ``RankingBusy``, and the Celery task retries it a little later.
"""

import hashlib
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

from django.conf import settings
from django.core.cache import cache
from django.db import connection, transaction
from django.utils.translation import gettext_lazy as _

from core.errors import ConflictError

LOCK_SECONDS = getattr(settings, "CELERY_TASK_TIME_LIMIT", 30 * 60)


class RankingBusy(ConflictError):
    """Another worker is computing the same rankings right now."""

    def __init__(self, message=None):  # the message argument lets Celery rebuild the exception
        super().__init__(message or _("These rankings are being computed right now; try again in a minute."))


def lock_name(campaign_id: int, week_number: int | None) -> str:
    return f"awards:rankings:{campaign_id}:{'final' if week_number is None else week_number}"


def _advisory_key(name: str) -> int:
    """A stable signed 64-bit key for pg_try_advisory_xact_lock."""
    return int.from_bytes(hashlib.blake2b(name.encode(), digest_size=8).digest(), "big", signed=True)


@contextmanager
def ranking_lock(name: str) -> Iterator[None]:
    """Hold ``name`` for the block, which runs in a transaction; raise RankingBusy if it is taken."""
    if connection.vendor == "postgresql":
        with transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_try_advisory_xact_lock(%s)", [_advisory_key(name)])
                (acquired,) = cursor.fetchone()
            if not acquired:
                raise RankingBusy()
            yield
        return
    token = uuid.uuid4().hex
    if not cache.add(name, token, timeout=LOCK_SECONDS):
        raise RankingBusy()
    try:
        with transaction.atomic():
            yield
    finally:
        if cache.get(name) == token:
            cache.delete(name)
