"""What the planning rule needs, from the database: a handful of aggregate queries.

The gaps come from the dashboard's own coverage figures (``coverage_progress``), so the plan
closes exactly the gaps the dashboard shows; who serves which commune from the agencies'
communes; what each agency brought in each commune from one GROUP BY over the enrollments.
"""

from dataclasses import dataclass, field
from datetime import date

from django.db.models import Count, Sum

from campaign.models import BhxhOffice, Campaign, CampaignWeek
from collectors.models import CollectionAgency, WeeklyQuota
from dashboard.progress.queries import MEASURES, PRODUCTS, coverage_progress
from enrollments.models import Enrollment

from .rule import share_needs, week_need


@dataclass(frozen=True)
class AgencyPlan:
    agency: CollectionAgency
    communes: int  # how many communes of the province it serves
    suggested: dict[str, int]  # product → people for the coming week
    stored: dict[str, int]  # product → the quota already stored for that week


@dataclass(frozen=True)
class WeekPlan:
    campaign: Campaign
    today: date
    week: CampaignWeek | None  # the coming week; None when the campaign has no week left
    days_left: int  # to the target date
    agencies: list[AgencyPlan]  # every active agency of the province, by code
    unserved: dict[str, int] = field(default_factory=dict)  # need of communes no active agency serves

    def totals(self, agencies: list[AgencyPlan] | None = None) -> dict[str, int]:
        rows = self.agencies if agencies is None else agencies
        return {p: sum(row.suggested[p] for row in rows) for p in PRODUCTS}


def next_week(*, campaign: Campaign, today: date) -> CampaignWeek | None:
    """The first week of the campaign that starts after ``today``."""
    return campaign.weeks.filter(start_date__gt=today).order_by("number").first()


def week_plan(*, campaign: Campaign, today: date) -> WeekPlan:
    """The suggested quota of every active agency of the province for the week after ``today``."""
    week = next_week(campaign=campaign, today=today)
    progress = coverage_progress(campaign=campaign, today=today)
    days_left = progress.window.days_left
    needs = {
        (area.pk, product): week_need(
            gap=area.figures[measure].gap, needed_per_day=area.figures[measure].needed_per_day, days_left=days_left
        )
        for area in progress.communes
        for measure, product in MEASURES.items()
    }
    agencies = list(
        CollectionAgency.objects.filter(office__province_id=campaign.province_id, active=True)
        .select_related("office")
        .order_by("code")
    )
    active = {agency.pk for agency in agencies}
    serving: dict[int, set[int]] = {}
    served_by: dict[int, int] = dict.fromkeys(active, 0)
    links = CollectionAgency.communes.through.objects.filter(
        collectionagency_id__in=active, commune__province_id=campaign.province_id
    ).values_list("commune_id", "collectionagency_id")
    for commune_id, agency_id in links:
        serving.setdefault(commune_id, set()).add(agency_id)
        served_by[agency_id] += 1
    brought = {
        (r["participant__commune_id"], r["agency_id"], r["product"]): r["people"]
        for r in Enrollment.objects.counted()
        .filter(campaign=campaign, collected_on__lte=today)
        .order_by()
        .values("participant__commune_id", "agency_id", "product")
        .annotate(people=Count("participant", distinct=True))
    }
    suggestions = share_needs(needs=needs if week else {}, serving=serving, brought=brought)
    stored = {}
    if week is not None:
        stored = {
            (r["agency_id"], r["product"]): r["total"]
            for r in WeeklyQuota.objects.filter(week=week)
            .order_by()
            .values("agency_id", "product")
            .annotate(total=Sum("count"))
        }
    rows = [
        AgencyPlan(
            agency,
            served_by[agency.pk],
            {p: suggestions.by_agency.get((agency.pk, p), 0) for p in PRODUCTS},
            {p: stored.get((agency.pk, p), 0) for p in PRODUCTS},
        )
        for agency in agencies
    ]
    return WeekPlan(campaign, today, week, days_left, rows, {p: suggestions.unserved.get(p, 0) for p in PRODUCTS})


def offices_with_agencies(*, campaign: Campaign) -> list[BhxhOffice]:
    """The BHXH cơ sở of the province that have an active agency: the page's filter."""
    return list(
        BhxhOffice.objects.filter(province_id=campaign.province_id, agencies__active=True).distinct().order_by("code")
    )
