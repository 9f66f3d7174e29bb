"""Percentages as the product shows them: Decimals with two places, rounded half up (93,50 %)."""

from decimal import ROUND_HALF_UP, Decimal

HUNDRED = Decimal(100)
CENT = Decimal("0.01")


def two_places(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def exact_percent(part: int, whole: int) -> Decimal:
    return Decimal(part) * HUNDRED / whole


def percent(part: int, whole: int | None) -> Decimal | None:
    """part / whole × 100 with two decimals; None when there is no whole to measure against."""
    return two_places(exact_percent(part, whole)) if whole else None
