"""The dashboard's tables beyond the progress answer: headline counts, people by group and channel,
the agencies and communes tables as the pages filter and sort them, and an agency's own figures.

Every read over enrollments is one aggregate query; filtering and sorting happen on the few
hundred agency or commune rows the progress queries already return, never on enrollments.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db.models import Count, Exists, OuterRef, Q, Sum

from awards.selectors import provisional_standings
from campaign.models import Campaign, CampaignWeek, Commune, Product
from collectors.attainment import product_attainment
from collectors.models import CollectionAgency, Collector
from enrollments.classification import BROUGHT_IN, Classification
from enrollments.models import Channel, Enrollment, GiftIssue, GiftStock, TargetGroup
from enrollments.vocabulary import COUNTED, RENEWED, Status

from .figures import Coverage
from .queries import PRODUCTS, AgencyProgress, Area, WeekProgress, attainment_status, cached_counts, scope_key

LEADER_ROWS = 5
RECENT_ROWS = 10

# --- headline ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Headline:
    week: CampaignWeek | None
    week_quota: dict[str, int]
    week_actual: dict[str, int]
    new_people: int
    rejoining_people: int
    mugs_handed_over: int
    days_left: int  # to the campaign's end
    days_to_target: int

    @property
    def week_quota_total(self) -> int:
        return sum(self.week_quota.values())

    @property
    def week_actual_total(self) -> int:
        return sum(self.week_actual.values())

    @property
    def week_pct(self) -> Decimal | None:
        return product_attainment(self.week_actual_total, self.week_quota_total)


def headline(
    *,
    campaign: Campaign,
    today: date,
    week: CampaignWeek | None,
    weeks: list[WeekProgress],
    agency_ids: set[int] | None = None,
) -> Headline:
    """This week's quota against what counted, people brought in, mugs handed over and days left: two queries."""
    this_week = next((row for row in weeks if week is not None and row.week.pk == week.pk), None)
    enrollments = Enrollment.objects.in_scope(campaign=campaign).filter(COUNTED)
    mugs = GiftIssue.objects.filter(campaign=campaign, flagged=False)
    if agency_ids is not None:
        enrollments, mugs = enrollments.filter(agency_id__in=agency_ids), mugs.filter(agency_id__in=agency_ids)
    people = cached_counts(
        campaign,
        f"headline:{scope_key(agency_ids)}",
        lambda: enrollments.aggregate(
            new=Count("participant", distinct=True, filter=Q(classification=Classification.NEW)),
            rejoin=Count("participant", distinct=True, filter=Q(classification=Classification.REJOIN)),
        ),
    )
    return Headline(
        week=week,
        week_quota=this_week.quota if this_week else dict.fromkeys(PRODUCTS, 0),
        week_actual=this_week.actual if this_week else dict.fromkeys(PRODUCTS, 0),
        new_people=people["new"],
        rejoining_people=people["rejoin"],
        mugs_handed_over=mugs.count(),
        days_left=max((campaign.end_date - today).days, 0),
        days_to_target=max((campaign.target_date - today).days, 0),
    )


# --- people by target group and by outreach channel ------------------------------------------------


@dataclass(frozen=True)
class GroupRow:
    key: str
    label: str
    per_week: list[int]  # people brought in (new + rejoining), one per week of the campaign
    new: int
    rejoin: int

    @property
    def total(self) -> int:
        return self.new + self.rejoin


@dataclass(frozen=True)
class GroupTable:
    weeks: list[CampaignWeek]
    rows: list[GroupRow]

    @property
    def week_totals(self) -> list[int]:
        return [sum(row.per_week[i] for row in self.rows) for i in range(len(self.weeks))]

    @property
    def totals(self) -> tuple[int, int, int]:
        return (sum(r.new for r in self.rows), sum(r.rejoin for r in self.rows), sum(r.total for r in self.rows))


GROUPINGS = {"target_group": ("participant__target_group", TargetGroup), "channel": ("channel", Channel)}


def people_by(
    *, campaign: Campaign, weeks: list[CampaignWeek], grouping: str, agency_ids: set[int] | None = None
) -> GroupTable:
    """New and rejoining people per week and target group (or outreach channel): one aggregate query.

    A person counts once per week and group whatever the products; the totals add the weeks, so a
    person brought in for BHYT in one week and for BHXH in another counts in both.
    """
    field, choices = GROUPINGS[grouping]
    enrollments = Enrollment.objects.in_scope(campaign=campaign).filter(COUNTED)
    if agency_ids is not None:
        enrollments = enrollments.filter(agency_id__in=agency_ids)
    counts = cached_counts(
        campaign,
        f"people-by:{grouping}:{scope_key(agency_ids)}",
        lambda: {
            (r["week_id"], r[field]): (r["new"], r["rejoin"])
            for r in enrollments.order_by()
            .values("week_id", field)
            .annotate(
                new=Count("participant", distinct=True, filter=Q(classification=Classification.NEW)),
                rejoin=Count("participant", distinct=True, filter=Q(classification=Classification.REJOIN)),
            )
        },
    )
    rows = []
    for key, label in choices.choices:
        cells = [counts.get((week.pk, key), (0, 0)) for week in weeks]
        rows.append(
            GroupRow(key, str(label), [n + r for n, r in cells], sum(n for n, _ in cells), sum(r for _, r in cells))
        )
    return GroupTable(weeks, rows)


# --- agencies by this week's attainment ------------------------------------------------------------


@dataclass(frozen=True)
class AgencyRow:
    agency: CollectionAgency
    quota: int
    actual: int
    renewals: int
    pct: Decimal | None  # the weighted attainment, or one product's when the table shows one

    @property
    def status(self) -> str:
        return attainment_status(self.pct)


def _agency_row(row: AgencyProgress, product: str) -> AgencyRow:
    if product:
        quota, actual = row.quota[product], row.actual[product]
        return AgencyRow(row.agency, quota, actual, row.renewals[product], product_attainment(actual, quota))
    return AgencyRow(
        row.agency,
        sum(row.quota.values()),
        sum(row.actual.values()),
        sum(row.renewals.values()),
        row.attainment_pct,
    )


AGENCY_SORTS: dict[str, Callable[[AgencyRow], object]] = {
    "code": lambda r: r.agency.code,
    "name": lambda r: r.agency.name,
    "office": lambda r: r.agency.office.name,
    "quota": lambda r: r.quota,
    "actual": lambda r: r.actual,
    "pct": lambda r: r.pct,
}


def agency_rows(
    rows: Iterable[AgencyProgress], *, office: str = "", kind: str = "", product: str = "", sort: str = "-pct"
) -> list[AgencyRow]:
    """The agencies of one BHXH cơ sở and kind (or all), for one product (or weighted), sorted."""
    picked = [
        _agency_row(row, product)
        for row in rows
        if (not office or row.agency.office.code == office)
        and (not kind or row.agency.kind == kind)
        and (not product or row.quota[product] or row.actual[product])
    ]
    return sort_rows(picked, AGENCY_SORTS, sort, default="-pct")


def sort_rows(rows: list, keys: dict[str, Callable], sort: str, *, default: str) -> list:
    """Sort by ``keys[sort]`` ("-name" descending), rows without a value last either way."""
    if sort.lstrip("-") not in keys:
        sort = default
    key = keys[sort.lstrip("-")]
    present = [row for row in rows if key(row) is not None]
    missing = [row for row in rows if key(row) is None]
    return sorted(present, key=key, reverse=sort.startswith("-")) + missing


# --- communes by coverage --------------------------------------------------------------------------


def _figure(measure: str) -> Callable[[Area], Coverage]:
    return lambda area: area.figures[measure]


def commune_rows(communes: Iterable[Area], *, measure: str = "bhyt", office: str = "", sort: str = "pct") -> list[Area]:
    """The communes of one BHXH cơ sở (or all), sorted by a figure of ``measure``."""
    figure = _figure(measure)
    keys = {
        "code": lambda a: a.code,
        "name": lambda a: a.name,
        "office": lambda a: a.office,
        "pct": lambda a: figure(a).pct,
        "gap": lambda a: figure(a).gap,
        "pace": lambda a: figure(a).pace_per_day,
        "needed": lambda a: figure(a).needed_per_day,
        "forecast": lambda a: figure(a).forecast_pct,
    }
    picked = [area for area in communes if not office or area.office_code == office]
    return sort_rows(picked, keys, sort, default="pct")


# --- the current week's provisional leaders ----------------------------------------------------------


@dataclass(frozen=True)
class Leaders:
    name: str
    subject: str
    metric: str
    entries: list  # RankingEntry, unsaved


def provisional_leaders(*, campaign: Campaign, week: CampaignWeek | None) -> list[Leaders]:
    """The first few of each active weekly rule's live standings (awards.selectors)."""
    if week is None:
        return []
    return [
        Leaders(s.terms.name, s.rule.subject, s.terms.metric, s.entries[:LEADER_ROWS])
        for s in provisional_standings(campaign=campaign, week=week)
    ]


# --- a commune: who serves it and what they brought there --------------------------------------------


@dataclass(frozen=True)
class CommuneAgency:
    agency: CollectionAgency
    serves: bool  # listed among the communes the agency serves
    people: dict[str, int]  # distinct people brought in per product, in the campaign
    renewals: dict[str, int]


def commune_agencies(*, campaign: Campaign, commune: Commune) -> list[CommuneAgency]:
    """The agencies that serve ``commune`` or brought someone from it, with what they brought: two queries."""
    brought = {
        (r["agency_id"], r["product"]): (r["people"], r["renewals"])
        for r in Enrollment.objects.in_scope(campaign=campaign)
        .filter(participant__commune=commune)
        .order_by()
        .values("agency_id", "product")
        .annotate(people=Count("participant", distinct=True, filter=COUNTED), renewals=Count("pk", filter=RENEWED))
    }
    agencies = (
        CollectionAgency.objects.filter(Q(communes=commune) | Q(pk__in={a for a, _ in brought}))
        .select_related("office")
        .annotate(serves=Count("communes", filter=Q(communes=commune)))
        .order_by("code")
    )
    return [
        CommuneAgency(
            agency,
            bool(agency.serves),
            {p: brought.get((agency.pk, p), (0, 0))[0] for p in PRODUCTS},
            {p: brought.get((agency.pk, p), (0, 0))[1] for p in PRODUCTS},
        )
        for agency in agencies
    ]


# --- an agency's own page -------------------------------------------------------------------------


@dataclass(frozen=True)
class CollectorResult:
    collector: Collector
    counted: dict[str, int]
    renewals: int
    amount: int


def collectors_this_week(*, agency: CollectionAgency, week: CampaignWeek | None) -> list[CollectorResult]:
    """Each active officer of the agency (and any who recorded this week) with what counted this week: one query."""
    in_week = Q(enrollments__week=week) if week is not None else Q(pk__in=[])
    recorded = in_week & Q(enrollments__status=Status.RECORDED)
    counted = recorded & Q(enrollments__classification__in=BROUGHT_IN)
    recorded_this_week = Enrollment.objects.filter(agency=agency, week=week).values("collector_id")
    collectors = (
        Collector.objects.filter(Q(active=True) | Q(pk__in=recorded_this_week), agency=agency)
        .annotate(
            bhxh_tn=Count("enrollments", filter=counted & Q(enrollments__product=Product.BHXH_TN)),
            bhyt_hgd=Count("enrollments", filter=counted & Q(enrollments__product=Product.BHYT_HGD)),
            renewed=Count("enrollments", filter=recorded & Q(enrollments__classification=Classification.RENEWAL)),
            amount=Sum("enrollments__amount_payable", filter=recorded),
        )
        .order_by("-bhxh_tn", "-bhyt_hgd", "name")
    )
    return [
        CollectorResult(c, {Product.BHXH_TN: c.bhxh_tn, Product.BHYT_HGD: c.bhyt_hgd}, c.renewed, c.amount or 0)
        for c in collectors
    ]


def recent_enrollments(*, agency: CollectionAgency, campaign: Campaign) -> list[Enrollment]:
    return list(
        Enrollment.objects.filter(agency=agency, campaign=campaign)
        .select_related("participant", "collector", "participant__commune")
        .order_by("-recorded_at")[:RECENT_ROWS]
    )


@dataclass(frozen=True)
class Mugs:
    on_hand: int
    received: int
    still_due: int  # people with a counted enrollment of the campaign here who have no mug yet

    @property
    def short(self) -> int:
        return max(self.still_due - self.on_hand, 0)


def mugs_of(*, agency: CollectionAgency, campaign: Campaign) -> Mugs:
    """Mugs on hand and people still owed one by this agency: two queries."""
    stock = GiftStock.objects.filter(campaign=campaign, agency=agency).values("on_hand", "received").first()
    handed = GiftIssue.objects.filter(campaign=campaign, participant=OuterRef("participant"))
    due = (
        Enrollment.objects.earning_mugs(campaign=campaign)
        .filter(agency=agency)
        .filter(~Exists(handed))
        .aggregate(people=Count("participant", distinct=True))["people"]
    )
    return Mugs(stock["on_hand"] if stock else 0, stock["received"] if stock else 0, due)
