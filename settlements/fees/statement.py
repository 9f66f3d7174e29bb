"""What an agency earns for a month's collecting: each enrollment's fee under the rate in force.

The base is the amount payable of the agency's not-cancelled enrollments collected in the month;
a percentage rate pays that share of each enrollment's amount (rounded half up to the đồng), a
fixed rate its sum per person. An enrollment no rate covers earns nothing and is listed as such.
"""

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from collectors.models import CollectionAgency
from enrollments.contributions import round_half_up
from enrollments.models import Enrollment
from enrollments.vocabulary import Status

from ..models import FeeRate


@dataclass(frozen=True)
class FeeLine:
    enrollment_id: int
    collected_on: date
    full_name: str
    product: str
    classification: str
    base: int
    rate: FeeRate | None
    fee: int


@dataclass(frozen=True)
class FeeGroup:
    product: str
    classification: str
    people: int
    base: int
    fee: int


@dataclass(frozen=True)
class FeeStatement:
    agency: CollectionAgency
    month: date  # its first day
    lines: list[FeeLine]

    @property
    def base(self) -> int:
        return sum(line.base for line in self.lines)

    @property
    def fee(self) -> int:
        return sum(line.fee for line in self.lines)

    @property
    def groups(self) -> list[FeeGroup]:
        sums: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0, 0])
        for line in self.lines:
            group = sums[(line.product, line.classification)]
            group[0] += 1
            group[1] += line.base
            group[2] += line.fee
        return [FeeGroup(p, c, *values) for (p, c), values in sorted(sums.items())]


def month_bounds(month: date) -> tuple[date, date]:
    first = month.replace(day=1)
    following = (first + timedelta(days=32)).replace(day=1)
    return first, following - timedelta(days=1)


def _rate_on(rates: list[FeeRate], product: str, classification: str, day: date) -> FeeRate | None:
    """The latest rate of the kind, product and classification in force on ``day`` (``rates`` newest first)."""
    return next(
        (r for r in rates if r.product == product and r.classification == classification and r.effective_from <= day),
        None,
    )


def fee_of(rate: FeeRate | None, base: int) -> int:
    if rate is None:
        return 0
    if rate.method == FeeRate.Method.FIXED:
        return rate.fixed_amount or 0
    return round_half_up(Decimal(base) * rate.percent / 100)


def fee_statement(agency: CollectionAgency, *, month: date) -> FeeStatement:
    first, last = month_bounds(month)
    rates = list(FeeRate.objects.filter(agency_kind=agency.kind, effective_from__lte=last).order_by("-effective_from"))
    enrollments = (
        Enrollment.objects.filter(agency=agency, status=Status.RECORDED, collected_on__range=(first, last))
        .select_related("participant")
        .order_by("collected_on", "pk")
    )
    lines = []
    for e in enrollments:
        rate = _rate_on(rates, e.product, e.classification, e.collected_on)
        lines.append(
            FeeLine(
                enrollment_id=e.pk,
                collected_on=e.collected_on,
                full_name=e.participant.full_name,
                product=e.product,
                classification=e.classification,
                base=e.amount_payable,
                rate=rate,
                fee=fee_of(rate, e.amount_payable),
            )
        )
    return FeeStatement(agency=agency, month=first, lines=lines)
