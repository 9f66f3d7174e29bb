"""Quota attainment, the one definition (DOMAIN.md "Quotas and attainment").

Per product: actual / quota × 100. An agency's attainment is the weighted mean over the
products it has a quota for, with the award rule's weights (equal when none are given). The
award rankings, the Excel report and the dashboard all call these, so they never disagree.
Percentages are Decimals rounded half up to two places, as shown; the mean is taken over the
unrounded per-product values.
"""

from collections.abc import Mapping
from decimal import Decimal

from core.percent import exact_percent, percent, two_places


def product_attainment(actual: int, quota: int | None) -> Decimal | None:
    """actual / quota × 100, two decimals; None without a quota (nothing to attain)."""
    return percent(actual, quota)


def attainment(
    actual: Mapping[str, int], quotas: Mapping[str, int | None], weights: Mapping[str, Decimal] | None = None
) -> Decimal | None:
    """The weighted mean of the per-product attainments over the products with a quota; None when there is none.

    A product with weight 0 does not count; with no weights every product with a quota weighs the same.
    """
    weighted = [
        (
            Decimal(1) if weights is None else Decimal(weights.get(product, 0)),
            exact_percent(actual.get(product, 0), quota),
        )
        for product, quota in quotas.items()
        if quota
    ]
    total_weight = sum(weight for weight, _ in weighted)
    if not total_weight:
        return None
    return two_places(sum(weight * value for weight, value in weighted) / total_weight)
