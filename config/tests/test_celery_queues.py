"""Rankings and snapshots go to queues of their own when the deployment splits the workers."""

from celery.app.routes import Router, prepare
from django.conf import settings

from config.celery import app


def queue_of(router: Router, name: str) -> str:
    return router.route({}, name)["queue"].name


def test_each_task_goes_to_its_queue_when_the_queues_are_split():
    app.loader.import_default_modules()
    router = Router(prepare(settings.CELERY_QUEUE_ROUTES), app.amqp.queues, app=app)
    ours = sorted(name for name in app.tasks if name.split(".")[0] in {"awards", "dashboard", "core", "enrollments"})
    assert any(name.startswith("awards.") for name in ours) and any(name.startswith("dashboard.") for name in ours)
    for name in ours:
        expected = {"awards": "rankings", "dashboard": "snapshots"}.get(name.split(".")[0], "celery")
        assert queue_of(router, name) == expected, name


def test_one_queue_for_everything_by_default():
    # The zero-setup default: one worker, the default queue, does all the work.
    assert not getattr(settings, "CELERY_TASK_ROUTES", None)
    router = Router(prepare(None), app.amqp.queues, app=app)
    assert queue_of(router, "awards.tasks.compute_due_rankings") == "celery"
