"""Keyset pages of a list read newest first: a cursor is the (moment, id) of a row, not a row number.

A list ordered by ``moment DESC, id DESC`` (with an index in that order) reads the page after a row
as an index range that starts at that row, however deep the page is: no OFFSET that scans every row
before it, no exact COUNT of a million rows. Rows recorded meanwhile go on top and never shift the
pages already reached. ``bounded_count`` says "N" up to a limit and "more than N" beyond it.

A cursor travels in a link as opaque text (``n1733800000000000.42``: the page after, or ``p…``: the
page before); anything else is ``None`` for the caller to refuse or ignore.
"""

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from django.db.models import Q, QuerySet

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_TOKEN = re.compile(r"([np])(-?\d{1,19})\.(\d{1,19})")
MAX_ID = 2**63 - 1


@dataclass(frozen=True)
class Cursor:
    """A row's place in the list; ``before``: the page before it (newer rows), else the page after it."""

    moment: datetime
    pk: int
    before: bool = False

    def encode(self) -> str:
        micros = (self.moment - EPOCH) // timedelta(microseconds=1)
        return f"{'p' if self.before else 'n'}{micros}.{self.pk}"

    @classmethod
    def decode(cls, token: str | None) -> "Cursor | None":
        match = _TOKEN.fullmatch((token or "").strip())
        if match is None:
            return None
        direction, micros, pk = match.groups()
        try:
            moment = EPOCH + timedelta(microseconds=int(micros))
        except OverflowError:
            return None
        if int(pk) > MAX_ID:
            return None
        return cls(moment, int(pk), before=direction == "p")


@dataclass(frozen=True)
class KeysetPage:
    rows: list
    next: Cursor | None  # the older rows after this page
    previous: Cursor | None  # the newer rows before it

    @property
    def has_other_pages(self) -> bool:
        return self.next is not None or self.previous is not None


def keyset_page(queryset: QuerySet, *, cursor: Cursor | None, size: int, field: str = "recorded_at") -> KeysetPage:
    """One page of ``queryset`` in the order ``field DESC, pk DESC``, after (or before) ``cursor``.

    The conditions keep ``field`` alone as the range the index starts from (``<=``/``>=``); the id
    only breaks ties among rows of the same moment, so the scan begins at the cursor's row.
    """
    if cursor is None:
        rows = list(queryset.order_by(f"-{field}", "-pk")[: size + 1])
        return KeysetPage(rows[:size], _after(rows, size, field), None)
    at, pk = cursor.moment, cursor.pk
    if not cursor.before:
        older = Q(**{f"{field}__lte": at}) & (Q(**{f"{field}__lt": at}) | Q(pk__lt=pk))
        rows = list(queryset.filter(older).order_by(f"-{field}", "-pk")[: size + 1])
        page = rows[:size]
        return KeysetPage(page, _after(rows, size, field), Cursor(*_key(page[0], field), before=True) if page else None)
    newer = Q(**{f"{field}__gte": at}) & (Q(**{f"{field}__gt": at}) | Q(pk__gt=pk))
    # The same index read backwards (ASC, ASC), then shown newest first.
    rows = list(queryset.filter(newer).order_by(field, "pk")[: size + 1])
    page = rows[:size][::-1]
    previous = Cursor(*_key(page[0], field), before=True) if len(rows) > size else None
    return KeysetPage(page, Cursor(*_key(page[-1], field)) if page else None, previous)


def _key(row, field: str) -> tuple[datetime, int]:
    return getattr(row, field), row.pk


def _after(rows: list, size: int, field: str) -> Cursor | None:
    return Cursor(*_key(rows[size - 1], field)) if len(rows) > size else None


def bounded_count(queryset: QuerySet, limit: int) -> tuple[int, bool]:
    """How many rows ``queryset`` has, counting no further than ``limit``: (count, whether it is exact)."""
    found = queryset.order_by().values("pk")[: limit + 1].count()
    return (found, True) if found <= limit else (limit, False)
