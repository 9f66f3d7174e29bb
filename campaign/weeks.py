"""Week arithmetic of a campaign, on local calendar dates.

Week k runs from ``start + 7(k-1)`` to ``start + 7k - 1``, cut at the end date, so
a campaign whose length is not a multiple of seven ends with a partial week.
"""

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.utils import timezone

WEEK = timedelta(days=7)


@dataclass(frozen=True)
class WeekRange:
    number: int
    start_date: date
    end_date: date


def week_ranges(start: date, end: date) -> list[WeekRange]:
    if end < start:
        raise ValueError("end before start")
    ranges = []
    number, week_start = 1, start
    while week_start <= end:
        ranges.append(WeekRange(number, week_start, min(week_start + WEEK - timedelta(days=1), end)))
        number, week_start = number + 1, week_start + WEEK
    return ranges


def week_number(start: date, end: date, day: date | datetime) -> int | None:
    """The week of ``day`` (a local date, or a moment taken in local time), None outside."""
    if isinstance(day, datetime):
        day = timezone.localtime(day).date()
    if not start <= day <= end:
        return None
    return (day - start).days // 7 + 1
