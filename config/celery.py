"""The Celery app, configured from Django settings (namespace CELERY)."""

import os

from celery import Celery
from celery.schedules import crontab

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("config")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

# Beat, in CELERY_TIMEZONE (Asia/Ho_Chi_Minh). A week's cut-off is campaign data (the day after it
# ends at 12:00 by default, Campaign.cutoff_days/cutoff_time), so beat does not hard-code it: every
# quarter of an hour, one minute past, it looks for weeks past their cut-off (and campaigns past
# their last one, for the final ranking) that are not ranked yet and enqueues their computation.
# Ten minutes past every hour, the coverage of each day that ended without a snapshot is stored
# for the trend (normally the day just ended, at 00:10; a night the broker was away, an hour later). Every
# minute, the follow-up work that found Redis away (core.outbox) is done once it is back.
app.conf.beat_schedule = {
    "core-pending-work": {
        "task": "core.tasks.flush_pending_work",
        "schedule": crontab(),
    },
    "dashboard-progress-of-ended-days": {
        "task": "dashboard.tasks.compute_daily_progress",
        "schedule": crontab(minute=10),
    },
    "awards-rankings-after-cutoff": {
        "task": "awards.tasks.compute_due_rankings",
        "schedule": crontab(minute="1,16,31,46"),
    },
}
