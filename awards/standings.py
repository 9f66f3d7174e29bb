"""Ranking arithmetic: from each subject's counted numbers to scores, eligibility, ranks and prizes.

Pure functions over a few hundred or thousand aggregated rows (one per agency or officer, never
one per enrollment), so the same code ranks a stored ranking, the live standings and the API's
provisional answer, and tests can feed it numbers directly.

Ties never share a rank: the rule's tie-breaks decide in order (the code last of all), and each
tied entry records the tie-break that separated it from its tied neighbour.
"""

import hashlib
import json
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from campaign.models import Product
from collectors.attainment import attainment, product_attainment
from core.percent import CENT, two_places

from .models import DEFAULT_TIE_BREAKS, AwardRule, IneligibleReason, Metric, TieBreak

PRODUCTS = tuple(Product.values)


@dataclass(frozen=True)
class RuleTerms:
    """The rule as it was applied: stored with each ranking, so an edited rule never rewrites the past."""

    code: str
    name: str
    period: str
    subject: str
    metric: str
    weights: dict[str, Decimal]
    threshold: Decimal
    prizes: tuple[int, ...]
    tie_breaks: tuple[str, ...]

    @classmethod
    def from_rule(cls, rule: AwardRule) -> "RuleTerms":
        order = [t for t in (rule.tie_breaks or DEFAULT_TIE_BREAKS) if t in TieBreak.values]
        if TieBreak.CODE not in order:
            order.append(TieBreak.CODE.value)  # the code always ends a tie: ranks are never shared
        return cls(
            code=rule.code,
            name=rule.name,
            period=rule.period,
            subject=rule.subject,
            metric=rule.metric,
            # Quantized as the database stores them, so an unsaved rule and a stored one agree.
            weights={product: Decimal(rule.weight(product)).quantize(CENT) for product in PRODUCTS},
            threshold=Decimal(rule.threshold).quantize(CENT),
            prizes=tuple(int(p) for p in rule.prizes or []),
            tie_breaks=tuple(order),
        )

    @classmethod
    def from_dict(cls, data: dict) -> "RuleTerms":
        return cls(
            code=data["code"],
            name=data["name"],
            period=data["period"],
            subject=data["subject"],
            metric=data["metric"],
            weights={product: Decimal(value) for product, value in data["weights"].items()},
            threshold=Decimal(data["threshold"]),
            prizes=tuple(data["prizes"]),
            tie_breaks=tuple(data["tie_breaks"]),
        )

    def as_dict(self) -> dict:
        return {
            "code": self.code,
            "name": self.name,
            "period": self.period,
            "subject": self.subject,
            "metric": self.metric,
            "weights": {product: str(weight) for product, weight in self.weights.items()},
            "threshold": str(self.threshold),
            "prizes": list(self.prizes),
            "tie_breaks": list(self.tie_breaks),
        }

    @property
    def prize_total(self) -> int:
        return sum(self.prizes)


@dataclass
class Numbers:
    """What one agency or officer brought in over the ranking's period, from the aggregate queries."""

    agency_id: int
    collector_id: int | None
    code: str
    name: str
    counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(PRODUCTS, 0))
    amounts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(PRODUCTS, 0))
    quotas: dict[str, int] | None = None  # agencies only; None for officers, who have no quota
    renewal_count: int = 0
    renewal_amount: int = 0
    late_count: int = 0
    reached_at: datetime | None = None

    @property
    def counted(self) -> int:
        return sum(self.counts.values())

    @property
    def amount(self) -> int:
        return sum(self.amounts.values())


@dataclass
class Standing:
    numbers: Numbers
    metric_value: Decimal | None
    attainment: dict[str, Decimal | None]
    ineligible_reason: str = ""
    rank: int = 0
    prize: int = 0
    tie_break: str = ""
    tied_with: str = ""

    @property
    def eligible(self) -> bool:
        return not self.ineligible_reason


def attainment_by_product(numbers: Numbers) -> dict[str, Decimal | None]:
    """actual / quota × 100 per product, two decimals; None where the agency has no quota for it."""
    quotas = numbers.quotas or {}
    return {product: product_attainment(numbers.counts[product], quotas.get(product)) for product in PRODUCTS}


def score(terms: RuleTerms, numbers: Numbers) -> Decimal | None:
    """The rule's metric for one subject, rounded to two decimals as shown (ties are judged on it)."""
    if terms.metric == Metric.POINTS:
        return two_places(sum(terms.weights[p] * numbers.counts[p] for p in PRODUCTS))
    if terms.metric == Metric.COUNT:
        return Decimal(numbers.counted)
    if terms.metric == Metric.AMOUNT:
        return Decimal(numbers.amount)
    # Attainment: the weighted mean over the products the agency has a quota for.
    return attainment(numbers.counts, numbers.quotas or {}, terms.weights)


def _ineligible_reason(terms: RuleTerms, numbers: Numbers, value: Decimal | None) -> str:
    if value is None:
        return IneligibleReason.NO_QUOTA
    if not numbers.counted:
        return IneligibleReason.NOTHING_COUNTED
    if value < terms.threshold:
        return IneligibleReason.BELOW_THRESHOLD
    return ""


_FAR_FUTURE = datetime.max.replace(tzinfo=None)


def _earlier(numbers: Numbers) -> tuple:
    # Nothing counted: no moment, after everyone who has one.
    return (1, _FAR_FUTURE) if numbers.reached_at is None else (0, numbers.reached_at.replace(tzinfo=None))


# What each tie-break compares, smallest first; the code for any other (it always ends the list).
_TIE_VALUES = {
    TieBreak.BHXH_TN: lambda numbers: -numbers.counts[Product.BHXH_TN],
    TieBreak.AMOUNT: lambda numbers: -numbers.amount,
    TieBreak.EARLIER: _earlier,
}


def _by_code(numbers: Numbers) -> str:
    return numbers.code


def _sort_key_of(terms: RuleTerms):
    """The sort key of a rule's standings: the score (none last), then its tie-breaks in order.

    Built once per ranking, so each of its thousands of entries only calls the functions it needs.
    """
    ties = tuple(_TIE_VALUES.get(t, _by_code) for t in terms.tie_breaks)

    def key(standing: Standing) -> tuple:
        value, numbers = standing.metric_value, standing.numbers
        head = (1, Decimal(0)) if value is None else (0, -value)
        return (head, *[tie(numbers) for tie in ties])

    return key


def rank_standings(terms: RuleTerms, subjects: list[Numbers]) -> list[Standing]:
    """Score, order, and hand out prizes: the k-th eligible entry gets the k-th prize."""
    standings = []
    for numbers in subjects:
        value = score(terms, numbers)
        standings.append(
            Standing(
                numbers=numbers,
                metric_value=value,
                attainment=attainment_by_product(numbers) if numbers.quotas is not None else dict.fromkeys(PRODUCTS),
                ineligible_reason=_ineligible_reason(terms, numbers, value),
            )
        )
    sort_key = _sort_key_of(terms)
    keyed = sorted(((sort_key(s), s) for s in standings), key=lambda pair: pair[0])
    prizes = iter(terms.prizes)
    for index, (key, standing) in enumerate(keyed):
        standing.rank = index + 1
        if standing.eligible:
            standing.prize = next(prizes, 0)
        if index and key[0] == keyed[index - 1][0][0]:  # the same score as the entry above
            above_key, above = keyed[index - 1]
            # The first tie-break on which they differ; the code always does.
            position = next(i for i in range(1, len(key)) if key[i] != above_key[i])
            decided_by = terms.tie_breaks[position - 1]
            standing.tie_break, standing.tied_with = decided_by, above.numbers.code
            if not above.tie_break:
                above.tie_break, above.tied_with = decided_by, standing.numbers.code
    return [standing for _, standing in keyed]


def fingerprint(terms: RuleTerms, cutoff: datetime | None, standings: list[Standing]) -> str:
    """A digest of everything a ranking shows: equal digests mean a recomputation changed nothing."""
    rows = [_fingerprint_row(s, s.numbers) for s in standings]
    # The rows hold only ints, strings, None and lists of them, whose repr is stable (and quick).
    head = json.dumps({"terms": terms.as_dict(), "cutoff": cutoff.isoformat() if cutoff else None}, sort_keys=True)
    return hashlib.sha256((head + repr(rows)).encode()).hexdigest()


def _fingerprint_row(s: Standing, n: Numbers) -> list:
    counts, amounts, quotas = n.counts, n.amounts, n.quotas
    return [
        s.rank,
        n.agency_id,
        n.collector_id,
        n.code,
        n.name,
        str(s.metric_value),
        [counts[p] for p in PRODUCTS],
        [amounts[p] for p in PRODUCTS],
        [quotas.get(p) for p in PRODUCTS] if quotas is not None else None,
        n.renewal_count,
        n.renewal_amount,
        n.late_count,
        n.reached_at.isoformat() if n.reached_at else None,
        s.ineligible_reason,
        s.prize,
        s.tie_break,
        s.tied_with,
    ]
