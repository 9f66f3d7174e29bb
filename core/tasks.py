"""Beat's door onto ``core.outbox``: every minute, the follow-up work kept while Redis was away is done."""

from celery import shared_task

from . import outbox


@shared_task
def flush_pending_work() -> int:
    """Do the kept cache refreshes and send the kept tasks; the number done (0 while Redis is still away)."""
    return outbox.flush()
