"""The broker away when beat's dispatcher enqueues the rankings: they are sent once it is back, not lost."""

from datetime import date
from unittest import mock

import pytest

from awards import tasks
from awards.tests.factories import local, officer_points_rule
from config.celery import app as celery_app
from core.models import PendingWork
from core.tasks import flush_pending_work
from core.tests.outage import queued_tasks

pytestmark = [pytest.mark.redis, pytest.mark.django_db(transaction=True)]

WEEK_TASK = "awards.tasks.compute_week_rankings"


def test_rankings_the_dispatcher_could_not_enqueue_are_sent_once_the_broker_is_back(
    world, default_policies, redis_behind_proxy, settings
):
    proxy, queue = redis_behind_proxy, celery_app.conf.task_default_queue
    officer_points_rule(world.campaign)
    pk = world.campaign.pk

    proxy.stop()
    with mock.patch("core.clock.now", return_value=local(date(2025, 11, 26), 12, 1)):
        assert tasks.compute_due_rankings.apply().get() == [[pk, 1], [pk, 2]]  # as a worker runs it
    assert list(PendingWork.objects.values_list("kind", "name", "args")) == [
        ("task", WEEK_TASK, [pk, 1]),
        ("task", WEEK_TASK, [pk, 2]),
    ]

    proxy.start()
    assert queued_tasks(settings.REDIS_URL, queue) == []
    assert flush_pending_work.apply().get() == 2
    assert queued_tasks(settings.REDIS_URL, queue) == [(WEEK_TASK, [pk, 1]), (WEEK_TASK, [pk, 2])]
    assert not PendingWork.objects.exists()


def test_with_the_broker_up_the_dispatcher_enqueues_directly(world, default_policies, redis_behind_proxy, settings):
    officer_points_rule(world.campaign)
    with mock.patch("core.clock.now", return_value=local(date(2025, 11, 19), 12, 1)):
        assert tasks.compute_due_rankings.apply().get() == [[world.campaign.pk, 1]]
    queue = celery_app.conf.task_default_queue
    assert queued_tasks(settings.REDIS_URL, queue) == [(WEEK_TASK, [world.campaign.pk, 1])]
    assert not PendingWork.objects.exists()
