"""The planning rule, over plain numbers: what each commune needs next week, and who should bring it.

Per commune and product, the gap spread evenly over the days left to the target date
(``needed_per_day``, DOMAIN.md "Coverage") gives the people needed next week: the days of a
week (or fewer, when fewer are left) times the need per day, never more than the gap; with no
day left, the whole gap; after the target date, nothing. That need is shared between the
agencies serving the commune in proportion to the counted people each brought there so far
(equal shares when none brought any). An agency's suggestion is the sum of its shares over its
communes, rounded up to whole people only at the end, so that an agency serving many communes
is not rounded up once per commune.
"""

from collections import defaultdict
from collections.abc import Collection, Hashable, Mapping
from dataclasses import dataclass
from fractions import Fraction
from math import ceil

WEEK_DAYS = 7

Commune = Hashable
Agency = Hashable
Product = str


def week_need(*, gap: int, needed_per_day: int, days_left: int) -> int:
    """The people a commune needs next week for one product."""
    if days_left < 0:
        return 0  # after the target date there is nothing left to plan for
    if days_left == 0:
        return gap
    return min(gap, min(WEEK_DAYS, days_left) * needed_per_day)


@dataclass(frozen=True)
class Suggestions:
    by_agency: dict[tuple[Agency, Product], int]  # whole people, rounded up
    unserved: dict[Product, int]  # need of communes no agency serves: nobody gets it


def share_needs(
    *,
    needs: Mapping[tuple[Commune, Product], int],
    serving: Mapping[Commune, Collection[Agency]],
    brought: Mapping[tuple[Commune, Agency, Product], int],
) -> Suggestions:
    """Share each commune's need between the agencies serving it, by what each brought there so far.

    ``needs``: (commune, product) → people needed next week; ``serving``: commune → its agencies;
    ``brought``: (commune, agency, product) → counted people that agency brought in that commune.
    """
    shares: dict[tuple[Agency, Product], Fraction] = defaultdict(Fraction)
    unserved: dict[Product, int] = defaultdict(int)
    for (commune, product), need in needs.items():
        agencies = sorted(set(serving.get(commune, ())), key=str)
        if not need:
            continue
        if not agencies:
            unserved[product] += need
            continue
        weights = {agency: brought.get((commune, agency, product), 0) for agency in agencies}
        total = sum(weights.values())
        if not total:
            weights, total = dict.fromkeys(agencies, 1), len(agencies)
        for agency, weight in weights.items():
            shares[(agency, product)] += Fraction(need * weight, total)
    return Suggestions({key: ceil(share) for key, share in shares.items()}, dict(unserved))
