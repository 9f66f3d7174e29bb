"""Collected against handed over, per agency and day, with the balance still held and its age.

Collected on a day is the sum of the amounts payable of the agency's not-cancelled enrollments
collected that day (both products): what the D03-TS and D05-TS lists of that day add up to.
Money is handed over oldest first, so the balance held is the latest collections; its age is the
number of days since the oldest day whose collections are not yet all handed over.
"""

from dataclasses import dataclass
from datetime import date, timedelta
from itertools import accumulate

from django.db.models import Sum

from collectors.models import CollectionAgency
from enrollments.models import Enrollment
from enrollments.vocabulary import Status

from ..models import Transfer


@dataclass(frozen=True)
class LedgerDay:
    day: date
    collected: int
    handed_over: int
    balance: int  # held at the end of the day, everything before included
    age_days: int | None  # of the oldest money still held at the end of the day; None when nothing is held


@dataclass(frozen=True)
class Ledger:
    agency: CollectionAgency
    days: list[LedgerDay]
    opening_balance: int  # held at the start of the first day

    @property
    def collected(self) -> int:
        return sum(d.collected for d in self.days)

    @property
    def handed_over(self) -> int:
        return sum(d.handed_over for d in self.days)

    @property
    def closing(self) -> LedgerDay | None:
        return self.days[-1] if self.days else None


def collected_by_day(agency: CollectionAgency, *, until: date) -> dict[date, int]:
    rows = (
        Enrollment.objects.filter(agency=agency, status=Status.RECORDED, collected_on__lte=until)
        .values("collected_on")
        .annotate(total=Sum("amount_payable"))
    )
    return {row["collected_on"]: row["total"] for row in rows}


def handed_over_by_day(agency: CollectionAgency, *, until: date) -> dict[date, int]:
    rows = (
        Transfer.objects.filter(agency=agency, transferred_on__lte=until)
        .values("transferred_on")
        .annotate(total=Sum("amount"))
    )
    return {row["transferred_on"]: row["total"] for row in rows}


def _oldest_unpaid(collections: list[tuple[date, int]], paid: int) -> date | None:
    """The first day whose collections, added to all before it, exceed what was handed over."""
    for day, running in zip((d for d, _ in collections), accumulate(a for _, a in collections), strict=True):
        if running > paid:
            return day
    return None


def ledger(agency: CollectionAgency, *, period_from: date, period_to: date) -> Ledger:
    """Every day of the period, with what came before it counted in the balance (two aggregate queries)."""
    collected = collected_by_day(agency, until=period_to)
    handed = handed_over_by_day(agency, until=period_to)
    before = period_from - timedelta(days=1)
    opening = sum(a for d, a in collected.items() if d <= before) - sum(a for d, a in handed.items() if d <= before)
    collections = sorted(collected.items())
    paid = sum(a for d, a in handed.items() if d <= before)
    balance, days, day = opening, [], period_from
    while day <= period_to:
        got, gave = collected.get(day, 0), handed.get(day, 0)
        balance += got - gave
        paid += gave
        oldest = _oldest_unpaid([c for c in collections if c[0] <= day], paid) if balance > 0 else None
        days.append(LedgerDay(day, got, gave, balance, (day - oldest).days if oldest else None))
        day += timedelta(days=1)
    return Ledger(agency=agency, days=days, opening_balance=opening)
