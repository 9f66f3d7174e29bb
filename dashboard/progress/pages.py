"""What each dashboard page shows, gathered from the progress queries and the breakdowns.

The pages and the progress API read the same queries with the same scope (answer.progress_scope),
so a figure on a page is the API's figure. Each function is a fixed number of queries whatever
the number of communes, agencies, weeks or enrollments (the page tests pin them).
"""

from datetime import date

from awards.selectors import attainment_weights
from campaign.models import BhxhOffice, Campaign, CampaignWeek, Commune
from collectors.attainment import attainment
from collectors.models import CollectionAgency
from enrollments.privacy import person_fields_for

from . import breakdowns, charts
from .answer import Scope
from .queries import PRODUCTS, AgencyProgress, agencies_progress, coverage_progress, reporting_week, weeks_progress
from .snapshots import coverage_trend


def _trend_charts(campaign: Campaign, coverage, commune_ids: set[int] | None, area) -> dict:
    trend = coverage_trend(campaign=campaign, commune_ids=commune_ids)
    return {
        measure: charts.coverage_chart(
            trend=trend[measure],
            live=area.figures[measure],
            today=coverage.today,
            start=campaign.start_date,
            target_date=campaign.target_date,
        )
        for measure in ("bhyt", "bhxh")
    }


def province_dashboard(*, campaign: Campaign, today: date, filters: dict) -> dict:
    """The provincial dashboard: headline, trend, weeks, agencies, communes, leaders, groups and channels."""
    coverage = coverage_progress(campaign=campaign, today=today)
    week = reporting_week(campaign=campaign, today=today)
    weeks = weeks_progress(campaign=campaign)
    agencies = agencies_progress(campaign=campaign, week=week) if week else []
    week_list = [row.week for row in weeks]
    return {
        "campaign": campaign,
        "today": today,
        "week": week,
        "coverage": coverage,
        "area": coverage.province,
        "headline": breakdowns.headline(campaign=campaign, today=today, week=week, weeks=weeks),
        "trend": _trend_charts(campaign, coverage, None, coverage.province),
        "weeks": weeks,
        "week_charts": charts.weeks_charts(weeks),
        "agencies": breakdowns.agency_rows(
            agencies,
            office=filters["office"],
            kind=filters["kind"],
            product=filters["product"],
            sort=filters["sort"] or "-pct",
        ),
        "communes": breakdowns.commune_rows(
            coverage.communes, measure=filters["measure"], office=filters["office"], sort=filters["csort"] or "pct"
        ),
        "leaders": breakdowns.provisional_leaders(campaign=campaign, week=week),
        "target_groups": breakdowns.people_by(campaign=campaign, weeks=week_list, grouping="target_group"),
        "channels": breakdowns.people_by(campaign=campaign, weeks=week_list, grouping="channel"),
        "filters": filters,
    }


def office_dashboard(*, campaign: Campaign, today: date, scope: Scope, filters: dict) -> dict:
    """A BHXH cơ sở: its coverage and trend, its communes, and its agencies this week."""
    office: BhxhOffice = scope.office
    coverage = coverage_progress(campaign=campaign, today=today, commune_ids=scope.commune_ids)
    week = reporting_week(campaign=campaign, today=today)
    agency_ids = set(office.agencies.values_list("pk", flat=True))
    agencies = agencies_progress(campaign=campaign, week=week, agency_ids=agency_ids) if week else []
    return {
        "campaign": campaign,
        "today": today,
        "week": week,
        "office": office,
        "area": coverage.offices[0] if coverage.offices else coverage.province,
        "trend": _trend_charts(
            campaign, coverage, scope.commune_ids, coverage.offices[0] if coverage.offices else coverage.province
        ),
        "agencies": breakdowns.agency_rows(
            agencies, kind=filters["kind"], product=filters["product"], sort=filters["sort"] or "-pct"
        ),
        "communes": breakdowns.commune_rows(
            coverage.communes, measure=filters["measure"], sort=filters["csort"] or "pct"
        ),
        "filters": filters,
    }


def commune_dashboard(*, campaign: Campaign, today: date, commune: Commune) -> dict:
    """A commune: its coverage and trend, and which agencies serve it and what they brought there."""
    coverage = coverage_progress(campaign=campaign, today=today, commune_ids={commune.pk})
    area = coverage.communes[0] if coverage.communes else None
    return {
        "campaign": campaign,
        "today": today,
        "commune": commune,
        "area": area,
        "trend": _trend_charts(campaign, coverage, {commune.pk}, area) if area else {},
        "agencies": breakdowns.commune_agencies(campaign=campaign, commune=commune),
    }


def officer_week(
    *, campaign: Campaign, user, week: CampaignWeek | None, this_week: AgencyProgress | None, rows=None
) -> dict | None:
    """What the signed-in officer brought in this week against their agency's quota (its attainment
    function: ``collectors.attainment``); ``rows`` are this week's officers when already read."""
    if week is None or this_week is None:
        return None
    if rows is None:
        rows = breakdowns.collectors_this_week(agency=this_week.agency, week=week)
    mine = next((row for row in rows if row.collector.user_id == user.pk), None)
    actual = dict(mine.counted) if mine else dict.fromkeys(PRODUCTS, 0)
    return {
        "actual": actual,
        "attainment_pct": attainment(actual, this_week.quota, attainment_weights(campaign=campaign)),
    }


def agency_dashboard(
    *,
    campaign: Campaign,
    today: date,
    agency: CollectionAgency,
    user,
    commune_ids: set[int],
    officers_week: int | None = None,
) -> dict:
    """An agency: its quota and attainment per week and product, its officers in a week (this one unless
    ``officers_week`` names another), recent enrollments, mugs, and the coverage of the communes it serves.
    ``commune_ids`` comes from the viewer's scope."""
    week = reporting_week(campaign=campaign, today=today)
    weeks = weeks_progress(campaign=campaign, agency_ids={agency.pk})
    chosen = next((row.week for row in weeks if row.week.number == officers_week), week)
    this_week = agencies_progress(campaign=campaign, week=week, agency_ids={agency.pk}) if week else []
    coverage = coverage_progress(campaign=campaign, today=today, commune_ids=commune_ids)
    recent = breakdowns.recent_enrollments(agency=agency, campaign=campaign)
    return {
        "campaign": campaign,
        "today": today,
        "week": week,
        "agency": agency,
        "this_week": this_week[0] if this_week else None,
        "headline": breakdowns.headline(campaign=campaign, today=today, week=week, weeks=weeks, agency_ids={agency.pk}),
        "weeks": weeks,
        "week_charts": charts.weeks_charts(weeks),
        "officers_week": chosen,
        "collectors": breakdowns.collectors_this_week(agency=agency, week=chosen),
        "recent": [(e, person_fields_for(user, e)) for e in recent],
        "mugs": breakdowns.mugs_of(agency=agency, campaign=campaign),
        "communes": breakdowns.commune_rows(coverage.communes, sort="pct"),
    }
