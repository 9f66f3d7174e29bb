"""Celery doors onto the progress snapshots: thin, safe to run twice, retried on database errors.

``compute_daily_progress`` runs on the beat schedule after midnight local time (config/celery.py)
and stores how the day that just ended stood, for every campaign under way or still short of its
target date; ``compute_campaign_progress`` does one campaign and day, also on demand.
"""

import logging
from datetime import date, timedelta

from celery import shared_task
from django.db import DatabaseError

from campaign.models import Campaign
from core import clock, outbox

from .progress.snapshots import ProgressBusy, compute_progress

logger = logging.getLogger(__name__)

RETRY = {
    "autoretry_for": (DatabaseError,),
    "retry_backoff": 5,
    "retry_backoff_max": 600,
    "retry_jitter": True,
    "max_retries": 5,
}
BUSY_RETRY_SECONDS = 30


@shared_task(bind=True, **RETRY)
def compute_campaign_progress(self, campaign_id: int, day: str | None = None) -> dict:
    """One campaign's snapshots of ``day`` (ISO date; default the app's today)."""
    campaign = Campaign.objects.select_related("province").get(pk=campaign_id)
    when = date.fromisoformat(day) if day else clock.today()
    try:
        rows = compute_progress(campaign=campaign, day=when)
    except ProgressBusy as exc:
        raise self.retry(exc=exc, countdown=BUSY_RETRY_SECONDS) from exc
    return {"campaign": campaign.code, "day": when.isoformat(), "snapshots": rows}


@shared_task(bind=True, **RETRY)
def compute_daily_progress(self) -> list[int]:
    """Enqueue yesterday's snapshots for every running campaign whose period or target date covers it."""
    yesterday = clock.today() - timedelta(days=1)
    campaigns = list(
        Campaign.objects.filter(
            status=Campaign.Status.ACTIVE, start_date__lte=yesterday, target_date__gte=yesterday
        ).values_list("pk", flat=True)
    )
    for campaign_id in campaigns:
        outbox.enqueue_on_commit(compute_campaign_progress, campaign_id, yesterday.isoformat())
    return campaigns
