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

Four aggregate queries (two per product) whatever the number of people, but over the whole
province's coverage: tens of seconds at 3.3 million people. So they never run inside a page request
(with a worker): ``refresh_retention`` computes the campaign so far and its reporting week in a Celery
task (dashboard/tasks.py: on the beat schedule every RETENTION_SECONDS, after the night's snapshots,
and when a page finds the figures missing or stale) and stores them (``RetentionPeriod``,
``RetentionCount``); the pages read the stored figures in two queries (``stored_retention``) and say
when they were computed.
"""

import logging
import time
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

from celery import current_app
from django.core.cache import cache
from django.db.models import Count, Exists, OuterRef, Q
from django.utils.translation import gettext_lazy as _

from campaign.models import Campaign, CampaignWeek, Product
from core import clock, freshness, outbox
from core.locks import Busy, exclusive
from core.percent import percent
from enrollments.models import Enrollment
from enrollments.renewals.selectors import coverage_ending_between
from enrollments.vocabulary import RENEWED

logger = logging.getLogger(__name__)

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
    computed_at: datetime | None = None  # when the stored figures were computed
    as_of: date | None = None  # the day they counted renewals up to
    pending: bool = False  # nothing stored yet: the worker has been asked for them

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


def retention_generation(campaign_id: int) -> str:
    """Moved on each time ``campaign``'s stored retention is rewritten (the cached pages show it then)."""
    return freshness.name("retention", campaign_id)


def retention_version(campaign: Campaign) -> str:
    """What content showing ``campaign``'s retention is keyed on: the round (a page rendered in it
    asks for the round's figures), the stored figures' generation and the setup's (a prior-coverage
    import). Not every enrollment write: a renewal shows in the figures within RETENTION_SECONDS."""
    generation = freshness.generation(retention_generation(campaign.pk))
    return f"{refresh_round()}.{generation}.{freshness.generation(freshness.SETUP)}"


# --- What the pages read: the stored figures (one or two queries), never a computation -------------


def retention(*, campaign: Campaign, today: date, week: CampaignWeek | None = None) -> RetentionFigures:
    """Retention in ``campaign``'s province for the week (or the campaign so far), as last stored."""
    return stored_retention(campaign=campaign, today=today, weeks=[week])[0]


def stored_retention(*, campaign: Campaign, today: date, weeks: list[CampaignWeek | None]) -> list[RetentionFigures]:
    """The stored figures of each period asked (a week, or None for the campaign so far), in order.

    Two queries (the periods, their counts) whatever the number of agencies. A period with nothing
    stored yet comes back ``pending``; missing or stale figures (an earlier round, another day, a
    prior-coverage import since) ask the worker for the campaign's retention, once a round
    (``ask_for_retention``). With eager tasks (the zero-setup default, the tests) that computes it
    here and now, and the fresh figures are read back.
    """
    periods = [period_of(campaign=campaign, today=today, week=week) for week in weeks]
    if all(period is None for period in periods):
        return [RetentionFigures(start=None, end=None) for _ in weeks]
    stored, setup = _read_stored(campaign, weeks), freshness.generation(freshness.SETUP)
    stale = any(_stale(stored.get(_week_id(w)), p, today, setup) for w, p in zip(weeks, periods, strict=True) if p)
    if stale and ask_for_retention(campaign, today=today, weeks=weeks) and current_app.conf.task_always_eager:
        stored = _read_stored(campaign, weeks)  # computed here and now
    return [
        _figures(stored.get(_week_id(week)), period) if period else RetentionFigures(start=None, end=None)
        for week, period in zip(weeks, periods, strict=True)
    ]


def _week_id(week: CampaignWeek | None) -> int | None:
    return week.pk if week is not None else None


def _read_stored(campaign: Campaign, weeks: list[CampaignWeek | None]) -> dict[int | None, tuple]:
    """{week id (None: the campaign): (its RetentionPeriod, its counts as value rows)}."""
    from .models import RetentionCount, RetentionPeriod

    which = Q(week_id__in=[week.pk for week in weeks if week is not None])
    if None in weeks:
        which |= Q(week__isnull=True)
    periods = {period.pk: period for period in RetentionPeriod.objects.filter(which, campaign=campaign)}
    if not periods:
        return {}
    counts: dict[int, list] = {pk: [] for pk in periods}
    rows = RetentionCount.objects.filter(period_id__in=periods).values_list(
        "period_id", "scope", "scope_id", "product", "due", "renewed"
    )
    for period_id, *row in rows:
        counts[period_id].append(row)
    return {period.week_id: (period, counts[pk]) for pk, period in periods.items()}


def _stale(stored: tuple | None, period: tuple[date, date], today: date, setup: int) -> bool:
    """Missing, or computed for another period, day, round or setup generation than ``setup``."""
    if stored is None:
        return True
    row = stored[0]
    return (row.start, row.end, row.as_of, row.round, row.setup_generation) != (
        period[0],
        period[1],
        today,
        refresh_round(),
        setup,
    )


def _figures(stored: tuple | None, period: tuple[date, date]) -> RetentionFigures:
    if stored is None:
        return RetentionFigures(start=period[0], end=period[1], pending=True)
    row, counts = stored
    by_agency: dict[tuple[int, str], Retention] = {}
    by_commune: dict[tuple[int, str], Retention] = {}
    totals: dict[str, Retention] = {}
    for scope, scope_id, product, due, renewed in counts:
        figures = Retention(due, renewed)
        if scope == "agency":
            by_agency[scope_id, product] = figures
        else:
            by_commune[scope_id, product] = figures
            totals[product] = totals.get(product, NOBODY) + figures  # every due person has a commune
    return RetentionFigures(
        start=row.start,
        end=row.end,
        by_agency=by_agency,
        by_commune=by_commune,
        total_by_product=totals,
        computed_at=row.computed_at,
        as_of=row.as_of,
    )


def ask_for_retention(campaign: Campaign, *, today: date, weeks: list[CampaignWeek | None]) -> bool:
    """Enqueue the computation of ``campaign``'s retention on ``today`` (with ``weeks`` beside its usual
    periods), unless the same was asked for in this round already. True when this call enqueued it.

    With the cache unreachable nothing is asked (the beat's round will compute it; the broker is the
    same Redis): a page never floods the queue.
    """
    from .tasks import compute_campaign_retention

    week_ids = sorted(week.pk for week in weeks if week is not None)
    key = f"dashboard:retention:asked:{campaign.pk}:{today.isoformat()}:{week_ids}:{refresh_round()}"
    try:
        first = cache.add(key, 1, RETENTION_SECONDS)
    except Exception:
        logger.warning("cache unavailable: retention of campaign %s not asked for", campaign.pk, exc_info=True)
        return False
    if first:
        outbox.send(compute_campaign_retention.name, [campaign.pk, today.isoformat(), week_ids])
    return first


# --- What the worker does: compute and store, once a round --------------------------------------------


class RetentionBusy(Busy):
    default_message = _("Retention is being computed right now; try again in a minute.")


def refresh_retention(*, campaign: Campaign, today: date, weeks: list[CampaignWeek] = ()) -> list[date]:
    """Compute and store ``campaign``'s retention for the campaign so far, its reporting week and
    ``weeks``, unless they are fresh (computed in this round, for today, since the last prior-coverage
    import).

    The starts of the periods computed are returned. Under a lock: a second worker meanwhile gets
    ``RetentionBusy`` (its figures would be the same).
    """
    from .models import RetentionCount, RetentionPeriod
    from .progress.queries import reporting_week

    with exclusive(f"dashboard:retention:{campaign.pk}", busy=RetentionBusy):
        reporting = reporting_week(campaign=campaign, today=today)
        weeks = [None, *({week.pk: week for week in [reporting, *weeks] if week is not None}.values())]
        stored, setup = _read_stored(campaign, weeks), freshness.generation(freshness.SETUP)
        computed = []
        for week in weeks:
            period = period_of(campaign=campaign, today=today, week=week)
            if period is None or not _stale(stored.get(_week_id(week)), period, today, setup):
                continue
            # Stamped before counting: a renewal or an import meanwhile shows in the next round.
            stamp = {"round": refresh_round(), "setup_generation": setup}
            computed_at, started = clock.now(), time.perf_counter()
            figures = compute_retention(province_id=campaign.province_id, start=period[0], end=period[1], today=today)
            row, _ = RetentionPeriod.objects.update_or_create(
                campaign=campaign,
                week=week,
                defaults={
                    "start": period[0],
                    "end": period[1],
                    "as_of": today,
                    "computed_at": computed_at,
                    "seconds": time.perf_counter() - started,
                    **stamp,
                },
            )
            RetentionCount.objects.filter(period=row).delete()
            RetentionCount.objects.bulk_create(_count_rows(row, figures), batch_size=1000)
            computed.append(period[0])
        if computed:
            freshness.bump_on_commit(retention_generation(campaign.pk))
    return computed


def _count_rows(period, figures: RetentionFigures) -> list:
    from .models import RetentionCount

    scopes = ((RetentionCount.Scope.AGENCY, figures.by_agency), (RetentionCount.Scope.COMMUNE, figures.by_commune))
    return [
        RetentionCount(
            period=period, scope=scope, scope_id=key, product=product, due=counts.due, renewed=counts.renewed
        )
        for scope, by_key in scopes
        for (key, product), counts in by_key.items()
    ]


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
