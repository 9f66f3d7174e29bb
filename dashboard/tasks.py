"""Celery doors onto the progress snapshots and retention: thin, safe to run twice, retried on database errors.

``compute_daily_progress`` runs on the beat schedule every hour, ten minutes past (config/celery.py),
and stores how the days that ended stood, for every campaign under way or still short of its
target date, once per day; ``compute_campaign_progress`` does one campaign and day, also on demand,
and then has the campaign's retention brought up to date. ``compute_running_retention`` runs every
RETENTION_SECONDS and has each running campaign's retention stored (``compute_campaign_retention``,
also asked for by a page that finds it missing or stale): the pages never compute it.
"""

import logging
from datetime import date, timedelta

from celery import shared_task
from django.db import DatabaseError

from campaign.models import Campaign
from core import clock, outbox

from .models import CoverageSnapshot
from .progress.snapshots import ProgressBusy, compute_progress
from .retention import RetentionBusy, refresh_retention

logger = logging.getLogger(__name__)

RETRY = {
    "autoretry_for": (DatabaseError,),
    "retry_backoff": 5,
    "retry_backoff_max": 600,
    "retry_jitter": True,
    "max_retries": 5,
}
BUSY_RETRY_SECONDS = 30
CATCH_UP_DAYS = 7  # how far back a missed night is made up


@shared_task(bind=True, **RETRY)
def compute_campaign_progress(self, campaign_id: int, day: str | None = None) -> dict:
    """One campaign's snapshots of ``day`` (ISO date; default the app's today)."""
    campaign = Campaign.objects.select_related("province").get(pk=campaign_id)
    when = date.fromisoformat(day) if day else clock.today()
    try:
        rows = compute_progress(campaign=campaign, day=when)
    except ProgressBusy as exc:
        raise self.retry(exc=exc, countdown=BUSY_RETRY_SECONDS) from exc
    # A new day (and the setup generation the snapshots moved on): the retention of today's periods.
    outbox.enqueue_on_commit(compute_campaign_retention, campaign.pk)
    return {"campaign": campaign.code, "day": when.isoformat(), "snapshots": rows}


@shared_task(bind=True, **RETRY)
def compute_daily_progress(self) -> list[int]:
    """Enqueue the snapshots of every day of the last week still missing one, for every running campaign.

    Mostly that is yesterday, once; but a night when beat could not reach the broker (Redis away
    at 00:10) or no worker ran is made up on the next hourly round, instead of leaving a hole
    in the trend. The campaigns with a day enqueued are returned.
    """
    yesterday = clock.today() - timedelta(days=1)
    first = yesterday - timedelta(days=CATCH_UP_DAYS - 1)
    campaigns = Campaign.objects.filter(
        status=Campaign.Status.ACTIVE, start_date__lte=yesterday, target_date__gte=first
    ).order_by("pk")
    enqueued = []
    for campaign in campaigns:
        stored = set(CoverageSnapshot.objects.filter(campaign=campaign, day__gte=first).values_list("day", flat=True))
        days = [
            day
            for day in (first + timedelta(days=n) for n in range(CATCH_UP_DAYS))
            if campaign.start_date <= day <= min(yesterday, campaign.target_date) and day not in stored
        ]
        for day in days:
            outbox.enqueue_on_commit(compute_campaign_progress, campaign.pk, day.isoformat())
        if days:
            enqueued.append(campaign.pk)
    return enqueued


@shared_task(bind=True, **RETRY)
def compute_campaign_retention(self, campaign_id: int, day: str | None = None, week_ids: list[int] = ()) -> dict:
    """Store one campaign's retention on ``day`` (ISO date; default the app's today) for the campaign so
    far, its reporting week and the weeks named, unless this round's is stored already."""
    campaign = Campaign.objects.get(pk=campaign_id)
    weeks = list(campaign.weeks.filter(pk__in=week_ids)) if week_ids else []
    try:
        computed = refresh_retention(
            campaign=campaign, today=date.fromisoformat(day) if day else clock.today(), weeks=weeks
        )
    except RetentionBusy:
        # Another worker is storing the same figures right now: nothing to retry.
        return {"campaign": campaign.code, "busy": True}
    return {"campaign": campaign.code, "periods": [start.isoformat() for start in computed]}


@shared_task(bind=True, **RETRY)
def compute_running_retention(self) -> list[int]:
    """Enqueue the retention of every running campaign that has begun; the campaigns are returned."""
    campaigns = Campaign.objects.filter(status=Campaign.Status.ACTIVE, start_date__lte=clock.today()).order_by("pk")
    enqueued = list(campaigns.values_list("pk", flat=True))
    for campaign_id in enqueued:
        outbox.enqueue_on_commit(compute_campaign_retention, campaign_id)
    return enqueued
