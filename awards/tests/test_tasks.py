"""The Celery tasks: the one service, retried on database errors, scheduled after each cut-off, run by a real worker."""

import uuid
from datetime import date
from unittest import mock

import pytest
from celery import signals
from celery.contrib.testing.worker import start_worker
from django.db import DatabaseError, OperationalError, connections

from awards import tasks
from awards.locks import RankingBusy, lock_name
from awards.models import Period, Ranking
from awards.selectors import rankings_due
from awards.services import compute_rankings, publish_ranking
from awards.tests.factories import AwardRuleFactory, local, officer_points_rule
from awards.tests.other_worker import held_elsewhere
from campaign.models import Product
from config.celery import app as celery_app

BHXH, BHYT = Product.BHXH_TN, Product.BHYT_HGD
W1_DAY = date(2025, 11, 14)


def test_the_task_computes_the_week_and_reports_each_rule(world):
    rule = officer_points_rule(world.campaign)
    world.record("CB-A1", BHXH, on=W1_DAY)
    result = tasks.compute_week_rankings.delay(world.campaign.pk, 1).get()
    ranking = Ranking.objects.get()
    assert result == {
        "campaign": world.campaign.code,
        "week": 1,
        "rankings": [{"rule": rule.code, "ranking": ranking.pk, "version": 1, "outcome": "created"}],
    }
    assert tasks.compute_week_rankings.delay(world.campaign.pk, 1).get()["rankings"][0]["outcome"] == "unchanged"
    assert Ranking.objects.count() == 1


def test_the_final_task_computes_the_final_rules(world):
    officer_points_rule(world.campaign, period=Period.FINAL, threshold=30)
    result = tasks.compute_final_rankings.delay(world.campaign.pk).get()
    assert result["rankings"][0]["outcome"] == "created"
    assert Ranking.objects.get().week is None


@pytest.mark.parametrize(
    "task",
    [tasks.compute_week_rankings, tasks.compute_final_rankings, tasks.compute_due_rankings],
    ids=lambda task: task.name.rsplit(".", 1)[-1],
)
def test_the_task_declares_its_retry_policy(task):
    # Database errors only, 5 retries, waits doubling from 5 s (jittered, at most 10 minutes), as Saleor's tasks do.
    policy = (task.autoretry_for, task.retry_backoff, task.retry_backoff_max, task.retry_jitter, task.max_retries)
    assert policy == ((DatabaseError,), 5, 600, True, 5)


@pytest.fixture
def eager_retries():
    """Eager tasks re-run their retries in place only when errors are not propagated at once."""
    propagates = celery_app.conf.task_eager_propagates
    celery_app.conf.task_eager_propagates = False
    yield
    celery_app.conf.task_eager_propagates = propagates


def test_a_database_error_is_retried_with_backoff_then_succeeds(world, eager_retries):
    officer_points_rule(world.campaign)
    real = compute_rankings
    calls = []

    def flaky(**kwargs):
        calls.append(kwargs)
        if len(calls) < 3:
            raise OperationalError("server closed the connection unexpectedly")
        return real(**kwargs)

    with mock.patch("awards.services.compute_rankings", side_effect=flaky):
        result = tasks.compute_week_rankings.apply(args=[world.campaign.pk, 1])
    assert result.successful() and len(calls) == 3
    assert result.get()["rankings"][0]["outcome"] == "created"


def test_after_five_retries_the_error_surfaces_and_the_previous_draft_stays(world, eager_retries):
    officer_points_rule(world.campaign)
    (before,) = compute_rankings(campaign=world.campaign, week_number=1)
    world.record("CB-A1", BHXH, on=W1_DAY)
    with mock.patch("awards.services.scope_numbers", side_effect=OperationalError("down")) as broken:
        result = tasks.compute_week_rankings.apply(args=[world.campaign.pk, 1])
    assert result.failed() and isinstance(result.result, OperationalError)
    assert broken.call_count == 6  # the first try and five retries
    ranking = Ranking.objects.get()
    assert ranking.fingerprint == before.ranking.fingerprint
    assert not ranking.entries.filter(metric_value__gt=0).exists()


def test_a_busy_lock_makes_the_task_retry_later(world, eager_retries):
    officer_points_rule(world.campaign)
    with (
        held_elsewhere(lock_name(world.campaign.pk, 1)),
        mock.patch.object(tasks.compute_week_rankings, "retry", wraps=tasks.compute_week_rankings.retry) as retry,
    ):
        result = tasks.compute_week_rankings.apply(args=[world.campaign.pk, 1])
    assert result.failed() and isinstance(result.result, RankingBusy)
    assert retry.call_count == 6 and retry.call_args.kwargs["countdown"] == 30
    assert not Ranking.objects.exists()
    assert tasks.compute_week_rankings.apply(args=[world.campaign.pk, 1]).get()["rankings"][0]["outcome"] == "created"


def test_a_refusal_is_reported_not_retried(world, settings):
    officer_points_rule(world.campaign)
    settings.APP_TODAY = date(2025, 11, 18)
    result = tasks.compute_week_rankings.delay(world.campaign.pk, 1).get()
    assert result["rankings"] == [] and "19/11/2025 12:00" in result["refused"][0]


# --- Beat -----------------------------------------------------------------------------------------


def test_beat_looks_for_closed_weeks_every_quarter_hour_in_local_time():
    entry = celery_app.conf.beat_schedule["awards-rankings-after-cutoff"]
    assert entry["task"] == "awards.tasks.compute_due_rankings"
    assert entry["task"] in celery_app.tasks
    assert celery_app.conf.timezone == "Asia/Ho_Chi_Minh"
    assert entry["schedule"].minute == {1, 16, 31, 46}


def test_due_scopes_follow_the_campaign_s_cut_off(world):
    weekly = officer_points_rule(world.campaign)
    officer_points_rule(world.campaign, period=Period.FINAL, code="final", threshold=30)
    campaign = world.campaign
    assert rankings_due(now=local(date(2025, 11, 19), 11, 59)) == []
    assert rankings_due(now=local(date(2025, 11, 19), 12)) == [(campaign.pk, 1)]
    # The cut-off is data: two days' grace at 08:00 moves it.
    campaign.cutoff_days, campaign.cutoff_time = 2, local(W1_DAY, 8).time()
    campaign.save()
    assert rankings_due(now=local(date(2025, 11, 19), 12)) == []
    assert rankings_due(now=local(date(2025, 11, 20), 8)) == [(campaign.pk, 1)]
    # Ranked weeks are not due again; the final comes after the last week's cut-off.
    (computed,) = compute_rankings(campaign=campaign, week_number=1)
    publish_ranking(ranking=computed.ranking)
    assert computed.rule == weekly
    after = local(date(2025, 12, 18), 8)
    assert rankings_due(now=after) == [
        (campaign.pk, 2),
        (campaign.pk, 3),
        (campaign.pk, 4),
        (campaign.pk, 5),
        (campaign.pk, None),
    ]


def test_the_dispatcher_enqueues_each_due_scope_after_commit(world, django_capture_on_commit_callbacks):
    officer_points_rule(world.campaign)
    with (
        mock.patch("core.clock.now", return_value=local(date(2025, 11, 26), 12, 1)),
        mock.patch.object(tasks.compute_week_rankings, "apply_async") as sent,
        django_capture_on_commit_callbacks(execute=True),
    ):
        due = tasks.compute_due_rankings.delay().get()
    assert due == [[world.campaign.pk, 1], [world.campaign.pk, 2]]
    assert [c.kwargs["args"] for c in sent.call_args_list] == [[world.campaign.pk, 1], [world.campaign.pk, 2]]


def test_rules_of_draft_campaigns_are_not_scheduled(world):
    AwardRuleFactory(campaign=world.campaign)
    world.campaign.status = "draft"
    world.campaign.save()
    assert rankings_due(now=local(date(2026, 1, 1), 0)) == []


# --- A real worker ----------------------------------------------------------------------------------


@pytest.fixture
def real_worker_queue():
    """Tasks go through the broker (not eagerly) to an in-process worker listening on a queue of its own."""
    queue = f"awards-test-{uuid.uuid4().hex[:8]}"
    eager = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = False

    def close_worker_connections(**kwargs):
        connections.close_all()  # runs in the worker's thread, whose connection the test cannot close

    signals.task_postrun.connect(close_worker_connections, weak=False)
    try:
        with start_worker(
            celery_app, perform_ping_check=False, queues=[queue], loglevel="WARNING", shutdown_timeout=20
        ):
            yield queue
    finally:
        signals.task_postrun.disconnect(close_worker_connections)
        celery_app.conf.task_always_eager = eager


@pytest.mark.redis
@pytest.mark.django_db(transaction=True)
def test_a_real_worker_computes_the_week_through_redis(world, default_policies, real_worker_queue):
    rule = officer_points_rule(world.campaign)
    for _ in range(3):
        world.record("CB-A1", BHXH, on=W1_DAY)
    world.record("CB-A1", BHYT, on=W1_DAY)
    world.record("CB-B1", BHYT, on=W1_DAY)

    result = tasks.compute_week_rankings.apply_async(args=[world.campaign.pk, 1], queue=real_worker_queue)
    assert result.get(timeout=30)["rankings"][0]["outcome"] == "created"

    ranking = Ranking.objects.get(rule=rule)
    assert (ranking.status, ranking.week.number, ranking.version) == (Ranking.Status.DRAFT, 1, 1)
    rows = {e.code: (e.rank, e.metric_value, e.prize, e.eligible) for e in ranking.entries.all()}
    assert rows["CB-A1"] == (1, 10, 1_000_000, True)
    assert rows["CB-B1"][1:] == (1, 0, False)
    again = tasks.compute_week_rankings.apply_async(args=[world.campaign.pk, 1], queue=real_worker_queue)
    assert again.get(timeout=30)["rankings"][0]["outcome"] == "unchanged"
    assert Ranking.objects.count() == 1
