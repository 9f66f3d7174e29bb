"""Two admins press *Publish* on the same draft at the same moment (PostgreSQL, two real connections): it is published
once, by one of them, and the other is told it already is."""

import threading
import time
from datetime import date
from unittest import mock

import pytest
from django.contrib.messages import get_messages
from django.db import connection, connections
from django.test import Client
from django.urls import reverse

from awards.models import Ranking
from awards.services import compute_rankings
from awards.tests.factories import officer_points_rule
from campaign.models import Product
from collectors.roles import Role
from collectors.tests.factories import UserFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

ALREADY = "This ranking is already published; re-open it to make a new version."


def waiting_on_a_lock() -> int:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'"
        )
        return cursor.fetchone()[0]


@pytest.fixture
def overlap():
    """The first publisher keeps its transaction open until the second one's UPDATE waits on the row."""
    seen = []
    real = Ranking.refresh_from_db

    def refresh(self, *args, **kwargs):
        deadline = time.monotonic() + 5
        while not waiting_on_a_lock() and time.monotonic() < deadline:
            time.sleep(0.02)
        seen.append(waiting_on_a_lock())
        return real(self, *args, **kwargs)

    with mock.patch.object(Ranking, "refresh_from_db", refresh):
        yield seen


def test_two_admins_publishing_the_same_draft_at_once_publish_it_once(world, default_policies, overlap):
    officer_points_rule(world.campaign, name="Giải tuần cán bộ")
    world.record("CB-A1", Product.BHXH_TN, on=date(2025, 11, 14))
    (computed,) = compute_rankings(campaign=world.campaign, week_number=1)
    draft = computed.ranking
    admins = [UserFactory(role=Role.ADMIN, username=name) for name in ("qt-mot", "qt-hai")]
    clients = []
    for admin in admins:
        client = Client()
        client.cookies["django_language"] = "en"
        client.force_login(admin)
        clients.append(client)
    barrier, said = threading.Barrier(2), [None, None]

    def press_publish(index):
        try:
            barrier.wait(timeout=10)
            response = clients[index].post(
                reverse("awards:publish", args=[draft.pk]), {"fingerprint": draft.fingerprint}
            )
            said[index] = (response.status_code, [str(m) for m in get_messages(response.wsgi_request)])
        finally:
            connections.close_all()

    threads = [threading.Thread(target=press_publish, args=(i,)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert overlap == [1]  # the winner saw the other UPDATE waiting on the row before it committed
    ranking = Ranking.objects.get()
    assert ranking.status == Ranking.Status.PUBLISHED and ranking.pk == draft.pk
    winner = [admin.username for admin in admins].index(ranking.published_by.username)
    loser = 1 - winner
    assert said[winner] == (302, ["Giải tuần cán bộ is published; it will not change."])
    assert said[loser] == (302, [ALREADY])
