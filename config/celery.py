"""The Celery app, configured from Django settings (namespace CELERY)."""

import os

from celery import Celery
from celery.schedules import crontab
from celery.signals import task_postrun, task_prerun

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
# five minutes (RETENTION_SECONDS, at the start of each of its rounds) the running campaigns' retention
# is stored for the dashboards (dashboard/retention.py). Every minute, the follow-up work that found
# Redis away (core.outbox) is done once it is back.
app.conf.beat_schedule = {
    "core-pending-work": {
        "task": "core.tasks.flush_pending_work",
        "schedule": crontab(),
    },
    "dashboard-progress-of-ended-days": {
        "task": "dashboard.tasks.compute_daily_progress",
        "schedule": crontab(minute=10),
    },
    "dashboard-retention": {
        "task": "dashboard.tasks.compute_running_retention",
        "schedule": crontab(minute="*/5"),
    },
    "awards-rankings-after-cutoff": {
        "task": "awards.tasks.compute_due_rankings",
        "schedule": crontab(minute="1,16,31,46"),
    },
}


# A task's writes name the system user and the task in the audit trail (core/audit.py), unless the
# task runs eagerly inside a request, whose user it then keeps.
@task_prerun.connect
def _audit_as_system(task_id=None, task=None, **kwargs) -> None:
    from core.audit import begin_system_work, inside_request

    if not inside_request():
        task.request.audit_token = begin_system_work(f"task {task.name}")


@task_postrun.connect
def _audit_done(task_id=None, task=None, **kwargs) -> None:
    from core.audit import end_system_work

    token = getattr(task.request, "audit_token", None)
    if token is not None:
        end_system_work(token)
        task.request.audit_token = None
