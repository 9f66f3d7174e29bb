"""Reads of the campaign app."""

from datetime import date

from django.db.models import Sum

from core import clock

from .models import Campaign, CampaignWeek, CoverageBaseline
from .weeks import week_number


def week_of(*, campaign: Campaign, day: date) -> CampaignWeek | None:
    number = week_number(campaign.start_date, campaign.end_date, day)
    if number is None:
        return None
    return campaign.weeks.filter(number=number).first()


def current_campaign() -> Campaign | None:
    """The running campaign nearest to today: the one under way, else the latest started, else the next."""
    today = clock.today()
    running = list(Campaign.objects.select_related("province").filter(status=Campaign.Status.ACTIVE))
    under_way = [c for c in running if c.start_date <= today <= c.end_date]
    started = sorted((c for c in running if c.start_date <= today), key=lambda c: c.start_date, reverse=True)
    upcoming = sorted(running, key=lambda c: c.start_date)
    return next(iter(under_way + started + upcoming), None)


def campaign_chosen(code: str | None) -> Campaign | None:
    """The campaign a page was asked for (``?campaign=CODE``), or the current one when none was named."""
    if code:
        return Campaign.objects.select_related("province").filter(code=code).first()
    return current_campaign()


def current_week(*, campaign: Campaign) -> CampaignWeek | None:
    return week_of(campaign=campaign, day=clock.today())


def baseline_totals(*, campaign: Campaign) -> dict[str, int]:
    """Province totals of the campaign's baselines: sums of counts, never of percentages."""
    totals = CoverageBaseline.objects.filter(campaign=campaign).aggregate(
        population=Sum("population"),
        labour_force=Sum("labour_force"),
        bhyt_insured=Sum("bhyt_insured"),
        bhxh_insured=Sum("bhxh_insured"),
    )
    return {key: value or 0 for key, value in totals.items()}
