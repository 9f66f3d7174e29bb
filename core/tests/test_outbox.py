"""Follow-up work that found Redis away is kept in the database and done once Redis answers (core.outbox)."""

from unittest import mock

import pytest
from django.core.cache import cache
from django.test import override_settings
from kombu.exceptions import OperationalError

from config.celery import app as celery_app
from core import freshness, outbox
from core.models import PendingWork
from core.tasks import flush_pending_work

pytestmark = pytest.mark.django_db

# Nothing listens on port 1: every cache call fails at once, as with Redis stopped.
UNREACHABLE = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": "redis://127.0.0.1:1/0",
        "OPTIONS": {"socket_connect_timeout": 0.2, "socket_timeout": 0.2},
    }
}


def test_a_bump_the_cache_refused_is_kept_and_done_once_by_the_next_flush():
    key = freshness.name("enrollments", 7)
    assert freshness.generation(key) == 1
    with override_settings(CACHES=UNREACHABLE):
        freshness.bump(key)
        freshness.bump(key)
        assert outbox.flush() == 0  # still away: nothing done, the attempt counted
    assert [(w.kind, w.name, w.attempts) for w in PendingWork.objects.all()] == [
        ("bump", "generation:enrollments:7", 2),
        ("bump", "generation:enrollments:7", 1),
    ]
    assert "ConnectionError" in PendingWork.objects.first().last_error
    assert outbox.flush() == 2
    assert cache.get(key) == 2  # moved on once: one bump of a key makes everything cached under it stale
    assert not PendingWork.objects.exists() and outbox.flush() == 0


def test_a_bump_that_reaches_the_cache_keeps_nothing():
    key = freshness.name("enrollments", 8)
    freshness.bump(key)
    freshness.bump(key)
    assert cache.get(key) == 3 and not PendingWork.objects.exists()


@pytest.fixture
def through_a_broker():
    eager = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = False
    yield
    celery_app.conf.task_always_eager = eager


def test_a_task_the_broker_refused_is_kept_with_its_arguments_and_sent_by_the_flush(through_a_broker):
    task = flush_pending_work
    refused = OperationalError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")
    with mock.patch.object(task, "apply_async", side_effect=refused):
        assert outbox.send(task.name, [3], {"limit": 5}) is False
        assert outbox.flush() == 0
    work = PendingWork.objects.get()
    assert (work.kind, work.name, work.args, work.kwargs, work.attempts) == (
        "task",
        "core.tasks.flush_pending_work",
        [3],
        {"limit": 5},
        2,
    )
    with mock.patch.object(task, "apply_async") as sent:
        assert outbox.flush() == 1
    sent.assert_called_once_with(args=[3], kwargs={"limit": 5})
    assert not PendingWork.objects.exists()


def test_the_flush_stops_at_the_first_failure_and_keeps_the_order(through_a_broker):
    task = flush_pending_work
    for number in (1, 2, 3):
        PendingWork.objects.create(kind="task", name=task.name, args=[number])
    with mock.patch.object(task, "apply_async", side_effect=[None, OperationalError("down")]) as sent:
        assert outbox.flush() == 1
    assert sent.call_count == 2
    assert list(PendingWork.objects.values_list("args", "attempts")) == [([2], 1), ([3], 0)]


def test_without_a_broker_tasks_run_at_once_and_nothing_is_kept():
    task = flush_pending_work
    assert outbox.send(task.name) is True
    assert not PendingWork.objects.exists()


def test_beat_flushes_every_minute():
    entry = celery_app.conf.beat_schedule["core-pending-work"]
    assert entry["task"] == "core.tasks.flush_pending_work" and entry["task"] in celery_app.tasks
    assert entry["schedule"].minute == set(range(60))
