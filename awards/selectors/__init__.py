"""Reads of the awards app: the numbers behind a ranking, standings, and what a viewer may see of them."""

from .live import LIVE_SECONDS, LiveStanding, live_key, live_place, live_rows, provisional_standings
from .numbers import (
    ScopeNumbers,
    attainment_weights,
    closes_at,
    current_fingerprint,
    entry_from_standing,
    entry_values,
    numbers_for,
    scope_numbers,
)
from .prizes import PrizeLine, prizes_won
from .schedule import BudgetLine, PrizeBudget, prize_budget, rankings_due
from .stored import RuleRankings, entries_of, late_enrollments, latest_published, rankings_of
from .viewers import OFFICER_VIEW_TOP, MyPlace, Row, Viewer, my_place, rows_for

__all__ = [
    "LIVE_SECONDS",
    "OFFICER_VIEW_TOP",
    "BudgetLine",
    "LiveStanding",
    "MyPlace",
    "PrizeBudget",
    "PrizeLine",
    "Row",
    "RuleRankings",
    "ScopeNumbers",
    "Viewer",
    "attainment_weights",
    "closes_at",
    "current_fingerprint",
    "entries_of",
    "entry_from_standing",
    "entry_values",
    "late_enrollments",
    "latest_published",
    "live_key",
    "live_place",
    "live_rows",
    "my_place",
    "numbers_for",
    "prize_budget",
    "prizes_won",
    "provisional_standings",
    "rankings_due",
    "rankings_of",
    "rows_for",
    "scope_numbers",
]
