"""A worker killed (SIGKILL) while it computes rankings: the previous results stay, the lock goes, the next run works.

The worker is a real child process running the Celery task against the test's PostgreSQL
database. It is held after it has deleted the draft's old entries and written the new ones, in
its open transaction (the worst moment to die), and killed there.
"""

import os
import signal
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from awards.locks import RankingBusy, _advisory_key, lock_name
from awards.models import Ranking
from awards.services import compute_rankings
from awards.tests.conftest import AFTER_THE_CAMPAIGN
from awards.tests.factories import officer_points_rule
from campaign.models import Product

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

W1_DAY = date(2025, 11, 14)
PROJECT = Path(settings.BASE_DIR)

# The child: the week-1 task as a worker runs it, stopped for good once the new entries are written.
WORKER = """
import sys, time
from unittest import mock
import django
django.setup()
from django.conf import settings
settings.APP_TODAY = "{today}"
from awards import services, tasks
real = services._store_entries
def store_then_hang(ranking, rows):
    real(ranking, rows)
    print("HOLDING", len(rows), flush=True)
    time.sleep(600)
with mock.patch.object(services, "_store_entries", store_then_hang):
    tasks.compute_week_rankings.apply(args=[{campaign}, 1])
"""


def start_worker(campaign_id: int) -> subprocess.Popen:
    database = connection.settings_dict
    password = f":{database['PASSWORD']}" if database["PASSWORD"] else ""
    where = f"{database['HOST'] or '127.0.0.1'}:{database['PORT'] or 5432}"
    url = f"postgres://{database['USER']}{password}@{where}/{database['NAME']}"
    env = {**os.environ, "DATABASE_URL": url, "DJANGO_SETTINGS_MODULE": "config.test_settings"}
    env.pop("REDIS_URL", None)  # eager tasks in the child: it computes in its own process
    script = WORKER.format(today=AFTER_THE_CAMPAIGN.isoformat(), campaign=campaign_id)
    return subprocess.Popen(
        [sys.executable, "-c", script], cwd=PROJECT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )


def lock_is_free(name: str) -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(%s)", [_advisory_key(name)])
        (taken,) = cursor.fetchone()
        if taken:
            cursor.execute("SELECT pg_advisory_unlock(%s)", [_advisory_key(name)])
    return taken


def entries(ranking: Ranking) -> list[tuple]:
    return list(ranking.entries.order_by("code").values_list("code", "rank", "metric_value", "prize"))


def test_a_killed_worker_keeps_the_previous_ranking_frees_the_lock_and_the_next_run_completes(world, default_policies):
    officer_points_rule(world.campaign)
    for _ in range(4):
        world.record("CB-A1", Product.BHXH_TN, on=W1_DAY)  # 12 points: CB-A1 wins week 1
    (before,) = compute_rankings(campaign=world.campaign, week_number=1)
    previous = entries(before.ranking)
    assert previous[0] == ("CB-A1", 1, 12, 1_000_000)
    for _ in range(5):
        world.record("CB-B1", Product.BHXH_TN, on=W1_DAY)  # 15 points: CB-B1 would now win

    worker = start_worker(world.campaign.pk)
    try:
        line = worker.stdout.readline()
        assert line.startswith("HOLDING"), (line, worker.stderr.read() if worker.poll() is not None else "")
        with pytest.raises(RankingBusy):  # the worker holds the lock while it computes
            compute_rankings(campaign=world.campaign, week_number=1)
        os.kill(worker.pid, signal.SIGKILL)
        assert worker.wait(timeout=10) == -signal.SIGKILL
    finally:
        if worker.poll() is None:
            worker.kill()
        worker.communicate(timeout=10)

    name = lock_name(world.campaign.pk, 1)
    deadline = time.monotonic() + 10
    while not lock_is_free(name):  # PostgreSQL ends the dead worker's session and its transaction
        assert time.monotonic() < deadline, "the dead worker's lock is still held"
        time.sleep(0.1)
    ranking = Ranking.objects.get()
    assert (ranking.pk, ranking.fingerprint) == (before.ranking.pk, before.ranking.fingerprint)
    assert entries(ranking) == previous

    (after,) = compute_rankings(campaign=world.campaign, week_number=1)
    assert (after.outcome, after.ranking.pk) == ("updated", before.ranking.pk)
    winners = [row for row in entries(after.ranking) if row[3]]
    assert winners == [("CB-A1", 2, 12, 700_000), ("CB-B1", 1, 15, 1_000_000)]
