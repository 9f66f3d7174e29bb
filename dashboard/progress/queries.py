"""Progress toward the targets, from the database: a few aggregate queries whatever the number of enrollments.

The costly part, the distinct people added per commune and product, is carried forward from the
latest snapshot that still stands (incremental.py), else one GROUP BY over the campaign; it is kept
in the cache for ``COUNTS_SECONDS`` under a key that changes as soon as an enrollment of the
campaign is recorded or cancelled (core.freshness), so the figures are live. While one request
recomputes after a write, concurrent ones are given the figures of just before it.
"""

import hashlib
from dataclasses import dataclass, field
from datetime import date

from django.db.models import Count, F, Q, Sum

from awards.selectors import attainment_weights
from campaign.models import BhxhOffice, Campaign, CampaignWeek, Commune, CoverageBaseline, Product
from campaign.selectors import week_of
from collectors.attainment import attainment
from collectors.models import CollectionAgency, WeeklyQuota
from core import caching, freshness
from enrollments.models import Enrollment
from enrollments.vocabulary import COUNTED, RENEWED, figures_generation

from .figures import NO_COUNTS, Counts, Coverage, Window, coverage
from .incremental import carried_forward

COUNTS_SECONDS = 60
# The coverage a product adds to: BHYT ← BHYT hộ gia đình, BHXH ← BHXH tự nguyện.
MEASURES = {"bhyt": Product.BHYT_HGD, "bhxh": Product.BHXH_TN}
PRODUCTS = (Product.BHXH_TN, Product.BHYT_HGD)


def window_of(campaign: Campaign, today: date) -> Window:
    return Window.of(today=today, campaign_start=campaign.start_date, target_date=campaign.target_date)


def added_by_commune(
    campaign: Campaign, window: Window, *, cached: bool = True, incremental: bool = True
) -> dict[tuple[int, str], tuple[int, int]]:
    """(commune id, product) → (people added since the commune's baseline, of them in the pace window).

    Distinct people with a counted enrollment collected from the baseline's date to today,
    counted in their commune. Carried forward from the latest snapshot that still stands
    (incremental.py: the same figures without recounting the campaign), else counted in full;
    ``incremental=False`` always counts in full (the snapshots of record do).
    """

    def count() -> dict[tuple[int, str], tuple[int, int]]:
        if incremental:
            carried = carried_forward(campaign, window, cached=cached)
            if carried is not None:
                return carried
        return full_count(campaign, window)

    if not cached:
        return count()
    return cached_counts(campaign, f"added:{window.today.isoformat()}:{window.first_day.isoformat()}", count)


def full_count(campaign: Campaign, window: Window) -> dict[tuple[int, str], tuple[int, int]]:
    """The GROUP BY over every counted enrollment of the campaign (bench/bench_dashboard.py's raw SQL)."""
    rows = (
        Enrollment.objects.filter(
            COUNTED,
            campaign=campaign,
            participant__commune__baselines__campaign=campaign,
            collected_on__gte=F("participant__commune__baselines__as_of"),
            collected_on__lte=window.today,
        )
        .order_by()
        .values("participant__commune_id", "product")
        .annotate(
            added=Count("participant", distinct=True),
            in_window=Count("participant", distinct=True, filter=Q(collected_on__gte=window.first_day)),
        )
    )
    return {(r["participant__commune_id"], r["product"]): (r["added"], r["in_window"]) for r in rows}


@dataclass
class Area:
    """A commune, a BHXH cơ sở or the province, with its counts per measure ("bhyt", "bhxh")."""

    code: str
    name: str
    pk: int | None = None  # a commune's id
    counts: dict[str, Counts] = field(default_factory=lambda: dict.fromkeys(MEASURES, NO_COUNTS))
    office: str = ""  # a commune's BHXH cơ sở (its name)
    office_code: str = ""
    figures: dict[str, Coverage] = field(default_factory=dict)

    def add(self, other: "Area") -> None:
        self.counts = {measure: self.counts[measure] + other.counts[measure] for measure in MEASURES}


def _commune_areas(
    campaign: Campaign, window: Window, commune_ids: set[int] | None, cached: bool, incremental: bool
) -> list[Area]:
    added = added_by_commune(campaign, window, cached=cached, incremental=incremental)
    baselines = CoverageBaseline.objects.filter(campaign=campaign).select_related("commune", "commune__office")
    if commune_ids is not None:
        baselines = baselines.filter(commune_id__in=commune_ids)
    areas = []
    for baseline in baselines.order_by("commune__code"):
        commune = baseline.commune
        area = Area(
            commune.code,
            commune.name,
            pk=commune.pk,
            office=commune.office.name if commune.office else "",
            office_code=commune.office.code if commune.office else "",
        )
        for measure, product, denominator, insured in (
            ("bhyt", Product.BHYT_HGD, baseline.population, baseline.bhyt_insured),
            ("bhxh", Product.BHXH_TN, baseline.labour_force, baseline.bhxh_insured),
        ):
            people, in_window = added.get((commune.pk, product), (0, 0))
            area.counts[measure] = Counts(denominator, insured, people, in_window)
        areas.append(area)
    return areas


def _figure(campaign: Campaign, area: Area, window: Window) -> Area:
    targets = {"bhyt": campaign.bhyt_target_pct, "bhxh": campaign.bhxh_target_pct}
    area.figures = {m: coverage(area.counts[m], target_pct=targets[m], window=window) for m in MEASURES}
    return area


@dataclass
class CoverageProgress:
    today: date
    window: Window
    province: Area
    offices: list[Area]
    communes: list[Area]


def coverage_progress(
    *,
    campaign: Campaign,
    today: date,
    commune_ids: set[int] | None = None,
    cached: bool = True,
    incremental: bool = True,
) -> CoverageProgress:
    """Coverage for the province (or the communes given), each BHXH cơ sở and each commune with a baseline.

    ``cached=False`` reads the database whatever the cache holds; ``incremental=False`` counts every
    enrollment again rather than carrying a snapshot forward (the snapshots of record do both).
    """
    window = window_of(campaign, today)
    areas = _commune_areas(campaign, window, commune_ids, cached, incremental)
    communes = [_figure(campaign, area, window) for area in areas]
    offices: dict[str, Area] = {}
    province = Area(campaign.province.code if campaign.province_id else "", str(campaign.province))
    for area in communes:
        province.add(area)
        if area.office_code:
            office = offices.setdefault(area.office_code, Area(area.office_code, area.office))
            office.add(area)
    return CoverageProgress(
        today,
        window,
        _figure(campaign, province, window),
        [_figure(campaign, office, window) for office in offices.values()],
        communes,
    )


# --- quotas and what counted ----------------------------------------------------------------------


def scope_key(ids: set[int] | None) -> str:
    """A short, stable name for a set of ids in a cache key ("all" for no limit)."""
    if ids is None:
        return "all"
    return hashlib.sha256(",".join(map(str, sorted(ids))).encode()).hexdigest()[:16]


def cached_counts(campaign: Campaign, name: str, compute):
    """An enrollment aggregate kept until the next write or ``COUNTS_SECONDS``; while one request
    recomputes it after a write, the others get the previous figures (core.caching.fresh_or_previous)."""
    generation = freshness.generation(figures_generation(campaign.pk))
    return caching.fresh_or_previous(f"dashboard:{name}:{campaign.pk}", generation, compute, COUNTS_SECONDS)


@dataclass
class WeekProgress:
    week: CampaignWeek
    quota: dict[str, int]
    actual: dict[str, int]
    renewals: dict[str, int]


def weeks_progress(*, campaign: Campaign, agency_ids: set[int] | None = None) -> list[WeekProgress]:
    """Quota against what counts toward it, and renewals, per week and product (the agencies given, or all)."""
    quotas = WeeklyQuota.objects.filter(week__campaign=campaign)
    enrollments = Enrollment.objects.in_scope(campaign=campaign)
    if agency_ids is not None:
        quotas, enrollments = quotas.filter(agency_id__in=agency_ids), enrollments.filter(agency_id__in=agency_ids)
    quota = {
        (r["week_id"], r["product"]): r["total"]
        for r in quotas.order_by().values("week_id", "product").annotate(total=Sum("count"))
    }
    counted = cached_counts(
        campaign,
        f"weeks:{scope_key(agency_ids)}",
        lambda: {
            (r["week_id"], r["product"]): (r["counted"], r["renewals"])
            for r in enrollments.order_by()
            .values("week_id", "product")
            .annotate(counted=Count("pk", filter=COUNTED), renewals=Count("pk", filter=RENEWED))
        },
    )
    return [
        WeekProgress(
            week,
            {p: quota.get((week.pk, p), 0) for p in PRODUCTS},
            {p: counted.get((week.pk, p), (0, 0))[0] for p in PRODUCTS},
            {p: counted.get((week.pk, p), (0, 0))[1] for p in PRODUCTS},
        )
        for week in campaign.weeks.order_by("number")
    ]


@dataclass
class AgencyProgress:
    agency: CollectionAgency
    quota: dict[str, int]
    actual: dict[str, int]
    renewals: dict[str, int]
    attainment_pct: object  # Decimal | None: None without a quota

    @property
    def status(self) -> str:
        return attainment_status(self.attainment_pct)


def attainment_status(pct) -> str:
    """ "ahead" (100 % or more), "close" (80 % or more), "behind", or "no_quota" (``pct`` None)."""
    if pct is None:
        return "no_quota"
    if pct >= 100:
        return "ahead"
    return "close" if pct >= 80 else "behind"


def reporting_week(*, campaign: Campaign, today: date) -> CampaignWeek | None:
    """The current week; after the campaign, its last week; before it, none."""
    week = week_of(campaign=campaign, day=today)
    if week is None and today > campaign.end_date:
        week = campaign.weeks.order_by("-number").first()
    return week


def agencies_progress(
    *, campaign: Campaign, week: CampaignWeek, agency_ids: set[int] | None = None
) -> list[AgencyProgress]:
    """Each agency's quota, counted and renewals per product for ``week``, and its weighted attainment."""
    # Subqueries, not joins: joining every agency to all its quotas and enrollments, then DISTINCT,
    # took 9 s over a million enrollments (bench/bench_dashboard.py).
    agencies = CollectionAgency.objects.filter(
        Q(office__province_id=campaign.province_id, active=True)
        | Q(pk__in=WeeklyQuota.objects.filter(week=week).values("agency_id"))
        | Q(pk__in=Enrollment.objects.filter(week=week).values("agency_id"))
    )
    if agency_ids is not None:
        agencies = agencies.filter(pk__in=agency_ids)
    agencies = agencies.select_related("office").order_by("code")
    quota = {
        (r["agency_id"], r["product"]): r["total"]
        for r in WeeklyQuota.objects.filter(week=week)
        .order_by()
        .values("agency_id", "product")
        .annotate(total=Sum("count"))
    }
    counted = cached_counts(
        campaign,
        f"agencies:{week.pk}",
        lambda: {
            (r["agency_id"], r["product"]): (r["counted"], r["renewals"])
            for r in Enrollment.objects.filter(week=week)
            .order_by()
            .values("agency_id", "product")
            .annotate(counted=Count("pk", filter=COUNTED), renewals=Count("pk", filter=RENEWED))
        },
    )
    weights = attainment_weights(campaign=campaign)
    rows = []
    for agency in agencies:
        quotas = {p: quota.get((agency.pk, p), 0) for p in PRODUCTS}
        actual = {p: counted.get((agency.pk, p), (0, 0))[0] for p in PRODUCTS}
        renewals = {p: counted.get((agency.pk, p), (0, 0))[1] for p in PRODUCTS}
        rows.append(AgencyProgress(agency, quotas, actual, renewals, attainment(actual, quotas, weights)))
    return rows


def offices_of(campaign: Campaign) -> list[BhxhOffice]:
    return list(BhxhOffice.objects.filter(province_id=campaign.province_id).order_by("code"))


def communes_served(agency: CollectionAgency, campaign: Campaign) -> set[int]:
    return set(Commune.objects.filter(agencies=agency, province_id=campaign.province_id).values_list("pk", flat=True))
