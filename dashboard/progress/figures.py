"""Coverage arithmetic (DOMAIN.md "Coverage"): from counts to the figures of the dashboard.

Pure: counts in, a ``Coverage`` out. Province and BHXH cơ sở figures are built from the sums of
their communes' counts (``Counts.__add__``), never from averages of percentages.
"""

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from math import ceil

from core.percent import percent, two_places

PACE_DAYS = 14


@dataclass(frozen=True)
class Counts:
    """What a coverage figure is computed from, for one product over one area."""

    denominator: int  # population (BHYT) or labour force (BHXH)
    baseline_insured: int
    added: int  # distinct people new or rejoining since the baseline, up to today
    added_in_window: int  # the same, collected in the pace window

    def __add__(self, other: "Counts") -> "Counts":
        return Counts(
            self.denominator + other.denominator,
            self.baseline_insured + other.baseline_insured,
            self.added + other.added,
            self.added_in_window + other.added_in_window,
        )


NO_COUNTS = Counts(0, 0, 0, 0)


@dataclass(frozen=True)
class Window:
    """The days the pace is measured over and the days left to the target date, for one 'today'."""

    today: date
    first_day: date
    days: int  # 0 before the campaign has started
    days_left: int

    @classmethod
    def of(cls, *, today: date, campaign_start: date, target_date: date) -> "Window":
        """The last 14 days up to today inclusive, not before the campaign's start."""
        first = max(today - timedelta(days=PACE_DAYS - 1), campaign_start)
        return cls(today, first, max((today - first).days + 1, 0), (target_date - today).days)


@dataclass(frozen=True)
class Coverage:
    denominator: int
    baseline_insured: int
    added: int
    insured: int
    pct: Decimal | None
    target_pct: Decimal
    target_count: int
    gap: int
    pace_per_day: Decimal
    forecast: int
    forecast_pct: Decimal | None
    needed_per_day: int

    @property
    def on_track(self) -> bool:
        """Whether the forecast at the target date reaches the target."""
        return self.forecast >= self.target_count

    def as_dict(self) -> dict:
        """The COVERAGE object of the progress API: counts as integers, percentages and pace as strings."""
        return {
            "denominator": self.denominator,
            "baseline_insured": self.baseline_insured,
            "added": self.added,
            "insured": self.insured,
            "pct": _text(self.pct),
            "target_pct": _text(self.target_pct),
            "target_count": self.target_count,
            "gap": self.gap,
            "pace_per_day": _text(self.pace_per_day),
            "forecast": self.forecast,
            "forecast_pct": _text(self.forecast_pct),
            "needed_per_day": self.needed_per_day,
        }


def _text(value: Decimal | None) -> str | None:
    return None if value is None else f"{two_places(Decimal(value)):.2f}"


def coverage(counts: Counts, *, target_pct: Decimal, window: Window) -> Coverage:
    insured = counts.baseline_insured + counts.added
    target_count = ceil(Decimal(target_pct) * counts.denominator / 100)
    gap = max(target_count - insured, 0)
    pace = Decimal(counts.added_in_window) / window.days if window.days else Decimal(0)
    days_left = max(window.days_left, 0)
    # Whole numbers: pace × days left exactly (10 people in 3 days, 9 days left: 30, not 29.99…).
    forecast = insured + (counts.added_in_window * days_left // window.days if window.days else 0)
    needed = ceil(gap / days_left) if days_left else gap
    return Coverage(
        denominator=counts.denominator,
        baseline_insured=counts.baseline_insured,
        added=counts.added,
        insured=insured,
        pct=percent(insured, counts.denominator),
        target_pct=Decimal(target_pct),
        target_count=target_count,
        gap=gap,
        pace_per_day=two_places(pace),
        forecast=forecast,
        forecast_pct=percent(forecast, counts.denominator),
        needed_per_day=needed,
    )
