"""Retention on the dashboards: of the people due for renewal in a period, how many renewed.

One definition (README "Retention"), for a period from P0 to P1 (a campaign week, or the whole
campaign; P1 is cut at today):

- due: a person and product whose coverage, as it stood on P0 (prior coverage and the not-cancelled
  enrollments collected before P0, the later end of the two, as the renewal lists read it:
  ``enrollments.renewals.selectors.coverage_ending_between``), ends between P0 and P1 inclusive;
- renewed: a due person with a not-cancelled enrollment of that product classified as a renewal
  (``vocabulary.RENEWED``), collected from P0 to today, through any agency. A due person who came
  back only after a lapse of three months is a rejoin (counted with the new and rejoining people),
  not a renewal; a due person with nothing since has lapsed;
- per agency: the agency that recorded the enrollment giving that coverage; per commune: the
  person's commune. People known only from prior coverage belong to their commune and no agency.

Four aggregate queries (two per product) whatever the number of people; cached for a round of
RETENTION_SECONDS and until a prior-coverage import (``retention_version``).
"""

import time
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.db.models import Count, Exists, OuterRef, Q

from campaign.models import Campaign, CampaignWeek, Product
from core import caching, freshness
from core.percent import percent
from enrollments.models import Enrollment
from enrollments.renewals.selectors import coverage_ending_between
from enrollments.vocabulary import RENEWED

RETENTION_SECONDS = 300


@dataclass(frozen=True)
class Retention:
    due: int = 0
    renewed: int = 0

    @property
    def lapsed(self) -> int:
        return self.due - self.renewed

    @property
    def pct(self) -> Decimal | None:
        """The share of the due who renewed (two decimals), None when nobody was due."""
        return percent(self.renewed, self.due)

    def __add__(self, other: "Retention") -> "Retention":
        return Retention(self.due + other.due, self.renewed + other.renewed)


NOBODY = Retention()


# Which product each coverage measure of the commune tables is about.
MEASURE_PRODUCTS = {"bhyt": Product.BHYT_HGD, "bhxh": Product.BHXH_TN}


@dataclass(frozen=True)
class RetentionFigures:
    """Retention per (agency id, product) and (commune id, product) for one period."""

    start: date | None  # None: the period has not begun
    end: date | None
    by_agency: dict[tuple[int, str], Retention] = field(default_factory=dict)
    by_commune: dict[tuple[int, str], Retention] = field(default_factory=dict)
    total_by_product: dict[str, Retention] = field(default_factory=dict)

    def agency(self, agency_id: int, product: str = "") -> Retention:
        return _sum(self.by_agency, agency_id, product)

    def commune(self, commune_id: int, product: str = "") -> Retention:
        return _sum(self.by_commune, commune_id, product)

    def communes(self, commune_ids, product: str = "") -> Retention:
        total = NOBODY
        for commune_id in commune_ids:
            total += self.commune(commune_id, product)
        return total

    def total(self, product: str = "") -> Retention:
        products = [product] if product else list(Product.values)
        return sum((self.total_by_product.get(p, NOBODY) for p in products), NOBODY)

    def for_agencies(self, agency_ids, product: str = "") -> dict[int, Retention]:
        """A table's agencies (ids) with their retention for one product, or both."""
        return {agency_id: self.agency(agency_id, product) for agency_id in agency_ids}

    def for_communes(self, commune_ids, product: str = "") -> dict[int, Retention]:
        return {commune_id: self.commune(commune_id, product) for commune_id in commune_ids}


def _sum(figures: dict, key: int, product: str) -> Retention:
    products = [product] if product else list(Product.values)
    return sum((figures.get((key, p), NOBODY) for p in products), NOBODY)


def period_of(*, campaign: Campaign, today: date, week: CampaignWeek | None = None) -> tuple[date, date] | None:
    """The days a retention figure is about: the week's or the campaign's, cut at today; None before it starts."""
    start, end = (week.start_date, week.end_date) if week is not None else (campaign.start_date, campaign.end_date)
    if start > today:
        return None
    return start, min(end, today)


def refresh_round() -> int:
    """The current round of RETENTION_SECONDS: retention is recomputed once a round at most."""
    return int(time.time()) // RETENTION_SECONDS


def retention_version() -> str:
    """What cached retention is keyed on: the round, and the setup's writes (a prior-coverage import).

    Not every enrollment write: retention reads the coverage of the whole province (seconds at 3.3
    million people), and at a write a second it would never stop recomputing. A renewal therefore
    shows in the figures within RETENTION_SECONDS.
    """
    return f"{refresh_round()}.{freshness.generation(freshness.SETUP)}"


def retention(*, campaign: Campaign, today: date, week: CampaignWeek | None = None) -> RetentionFigures:
    """Retention in ``campaign``'s province for the week (or the campaign so far), cached for a round."""
    period = period_of(campaign=campaign, today=today, week=week)
    if period is None:
        return RetentionFigures(start=None, end=None)
    key = f"dashboard:retention:{campaign.pk}:{period[0].isoformat()}:{period[1].isoformat()}:{today.isoformat()}"
    return caching.fresh_or_previous(
        key,
        retention_version(),
        lambda: compute_retention(province_id=campaign.province_id, start=period[0], end=period[1], today=today),
        RETENTION_SECONDS,
    )


def compute_retention(*, province_id: int, start: date, end: date, today: date) -> RetentionFigures:
    """Retention of the people of a province due from ``start`` to ``end``, renewed by ``today`` (uncached)."""
    by_agency: dict[tuple[int, str], Retention] = {}
    by_commune: dict[tuple[int, str], Retention] = {}
    totals: dict[str, Retention] = {}

    def add(product: str, agency_id: int | None, commune_id: int, figures: Retention) -> None:
        totals[product] = totals.get(product, NOBODY) + figures
        if agency_id is not None:
            by_agency[agency_id, product] = by_agency.get((agency_id, product), NOBODY) + figures
        by_commune[commune_id, product] = by_commune.get((commune_id, product), NOBODY) + figures

    for product in Product.values:
        people, prior_only = coverage_ending_between(product, start, end, before=start)
        renewals = Enrollment.objects.filter(
            RENEWED, participant=OuterRef("pk"), product=product, collected_on__range=(start, today)
        )
        grouped = (
            people.filter(commune__province_id=province_id)
            .annotate(renewed=Exists(renewals))
            .order_by()
            .values("latest_agency", "commune_id")
            .annotate(due=Count("pk"), renewed_count=Count("pk", filter=Q(renewed=True)))
        )
        for row in grouped:
            add(product, row["latest_agency"], row["commune_id"], Retention(row["due"], row["renewed_count"]))
        # Known only from prior coverage: nothing recorded for them since, so none renewed.
        lapsed = prior_only.filter(commune__province_id=province_id).order_by().values("commune_id")
        for row in lapsed.annotate(due=Count("pk")):
            add(product, None, row["commune_id"], Retention(row["due"], 0))
    return RetentionFigures(start=start, end=end, by_agency=by_agency, by_commune=by_commune, total_by_product=totals)
