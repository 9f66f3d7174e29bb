"""The read side reads from a replica when one is configured, and only the read side, and only reads."""

import pytest
from django.core import serializers
from django.db import connections, transaction

from campaign.models import Campaign
from collectors.roles import Role
from collectors.tests.factories import UserFactory
from core.models import PendingWork
from core.replica import REPLICA, ReadSideRouter, read_side
from dashboard.tests.world import TODAY, build_world

BOTH = ["default", REPLICA]


def copy_to_replica() -> None:
    """The replica as streaming replication leaves it: the primary's rows, row for row."""
    rows = connections["default"].creation.serialize_db_to_string()
    with transaction.atomic(using=REPLICA), connections[REPLICA].constraint_checks_disabled():
        for row in serializers.deserialize("json", rows, using=REPLICA):
            row.save(using=REPLICA)


def test_reads_go_to_the_replica_only_inside_the_read_side(settings):
    router = ReadSideRouter()
    settings.READ_FROM_REPLICA = True
    assert router.db_for_read(Campaign) is None
    with read_side():
        assert router.db_for_read(Campaign) == REPLICA
        assert router.db_for_write(Campaign) is None
    assert router.db_for_read(Campaign) is None
    settings.READ_FROM_REPLICA = False
    with read_side():
        assert router.db_for_read(Campaign) is None


@pytest.fixture
def province(settings, client):
    settings.APP_TODAY = TODAY
    world = build_world()
    client.force_login(UserFactory(role=Role.PROVINCIAL))
    copy_to_replica()
    # The replica is a moment behind: the campaign was renamed on the primary since.
    Campaign.objects.filter(pk=world.campaign.pk).update(name="Tên mới trên bản chính")
    return world


@pytest.mark.django_db(databases=BOTH)
def test_the_dashboard_and_the_progress_api_read_from_the_replica(settings, client, province):
    settings.READ_FROM_REPLICA = True
    page = client.get("/overview/")
    assert page.status_code == 200
    assert province.campaign.name in page.content.decode()
    assert "Tên mới trên bản chính" not in page.content.decode()
    answer = client.get(f"/api/v1/campaigns/{province.campaign.code}/progress")
    assert answer.status_code == 200
    assert answer.json()["communes"]


@pytest.mark.django_db(databases=BOTH)
def test_without_the_setting_the_dashboard_reads_the_primary(settings, client, province):
    settings.READ_FROM_REPLICA = False
    page = client.get("/overview/")
    assert "Tên mới trên bản chính" in page.content.decode()


@pytest.mark.django_db(databases=BOTH)
def test_other_pages_and_every_write_use_the_primary(settings, client, province):
    settings.READ_FROM_REPLICA = True
    with read_side():
        PendingWork.objects.create(kind=PendingWork.Kind.TASK, name="core.tasks.flush_pending_work")
    assert PendingWork.objects.using("default").count() == 1
    assert PendingWork.objects.using(REPLICA).count() == 0
    # The admin's home is not the read side: it shows the primary's name.
    admin = UserFactory(role=Role.ADMIN)
    client.force_login(admin)
    assert "Tên mới trên bản chính" in client.get("/manage/").content.decode()
