"""Celery doors onto the ranking services: thin, safe to run twice, retried on database errors.

``compute_due_rankings`` runs on the beat schedule (config/celery.py) and enqueues the
computation of every week whose cut-off has passed, and of the final ranking once the
campaign's last cut-off has passed, for rules not ranked yet. Cut-offs are campaign data
(Campaign.cutoff_days and cutoff_time), so the schedule only says how often to look.
"""

import logging

from celery import shared_task
from django.db import DatabaseError

from campaign.models import Campaign
from core import clock, outbox
from core.errors import DomainError

from . import services
from .locks import RankingBusy
from .selectors import rankings_due

logger = logging.getLogger(__name__)

RETRY = {
    "autoretry_for": (DatabaseError,),
    "retry_backoff": 5,
    "retry_backoff_max": 600,
    "retry_jitter": True,
    "max_retries": 5,
}
BUSY_RETRY_SECONDS = 30


def _run(task, campaign_id: int, *, week_number: int | None) -> dict:
    campaign = Campaign.objects.get(pk=campaign_id)
    try:
        computed = services.compute_rankings(campaign=campaign, week_number=week_number, final=week_number is None)
    except RankingBusy as exc:
        # Another worker holds the lock: come back once it is done (it usually takes well under a second).
        raise task.retry(exc=exc, countdown=BUSY_RETRY_SECONDS) from exc
    except DomainError as exc:
        # Not closed yet, no such week: nothing to retry. The previous draft and the published stay.
        logger.warning("Rankings of %s %s not computed: %s", campaign.code, week_number or "final", exc.messages)
        return {"campaign": campaign.code, "week": week_number, "refused": exc.messages, "rankings": []}
    return {
        "campaign": campaign.code,
        "week": week_number,
        "rankings": [
            {
                "rule": item.rule.code,
                "ranking": item.ranking.pk,
                "version": item.ranking.version,
                "outcome": item.outcome,
            }
            for item in computed
        ],
    }


@shared_task(bind=True, **RETRY)
def compute_week_rankings(self, campaign_id: int, week_number: int) -> dict:
    """The drafts of every weekly rule for one week, counting what was recorded before its cut-off."""
    return _run(self, campaign_id, week_number=week_number)


@shared_task(bind=True, **RETRY)
def compute_final_rankings(self, campaign_id: int) -> dict:
    """The drafts of every final rule, over the whole campaign, late entries included."""
    return _run(self, campaign_id, week_number=None)


@shared_task(bind=True, **RETRY)
def compute_due_rankings(self) -> list[list]:
    """Enqueue the computation of every scope past its cut-off that a rule has not been ranked for."""
    due = rankings_due(now=clock.now())
    for campaign_id, week_number in due:
        if week_number is None:
            outbox.enqueue_on_commit(compute_final_rankings, campaign_id)
        else:
            outbox.enqueue_on_commit(compute_week_rankings, campaign_id, week_number)
    return [list(scope) for scope in due]
