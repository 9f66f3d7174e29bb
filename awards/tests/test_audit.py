"""The audit trail of award rules and rankings: the admin site, the publish button, the command and the task."""

import io
from datetime import date
from decimal import Decimal

from django.core.management import call_command
from django.urls import reverse

from awards import tasks
from awards.models import AwardRule, Ranking
from awards.services import compute_rankings
from awards.tests.factories import AwardRuleFactory
from campaign.models import Product
from collectors.roles import Role
from collectors.tests.factories import UserFactory
from core.audit import SYSTEM_USERNAME
from core.tests.admin_forms import admin_form_data

W1_DAY = date(2025, 11, 14)


def test_a_rule_edited_in_the_admin_site_is_kept_with_the_admin_and_the_change(client, world):
    rule = AwardRuleFactory(campaign=world.campaign, code="tuan", threshold=Decimal("100"))
    admin = UserFactory(username="qt", role=Role.ADMIN, is_staff=True)
    client.force_login(admin)
    url = reverse("admin:awards_awardrule_change", args=[rule.pk])
    response = client.post(url, admin_form_data(client.get(url)) | {"threshold": "80"})
    assert response.status_code == 302, response.context["adminform"].form.errors

    created, changed = AwardRule.history.filter(id=rule.pk).order_by("history_id")
    assert (changed.history_type, changed.history_user, changed.threshold) == ("~", admin, Decimal("80.00"))
    assert [c.field for c in changed.diff_against(created).changes] == ["threshold"]


def test_publishing_on_the_page_is_kept_with_the_admin(client, world):
    AwardRuleFactory(campaign=world.campaign)
    world.record("CB-A1", Product.BHXH_TN, on=W1_DAY)
    [computed] = compute_rankings(campaign=world.campaign, week_number=1)
    draft = computed.ranking
    admin = UserFactory(username="qt", role=Role.ADMIN)
    client.force_login(admin)
    client.post(reverse("awards:publish", args=[draft.pk]), {"fingerprint": draft.fingerprint})

    rows = list(Ranking.history.filter(id=draft.pk).order_by("history_id"))
    assert [(r.status, r.history_type) for r in rows] == [("draft", "+"), ("published", "~")]
    assert (rows[-1].history_user, rows[-1].published_by_id) == (admin, admin.pk)


def test_the_command_names_its_user_and_without_one_the_system(world):
    AwardRuleFactory(campaign=world.campaign)
    world.record("CB-A1", Product.BHXH_TN, on=W1_DAY)
    UserFactory(username="qt", role=Role.ADMIN)
    call_command("compute_rankings", "--campaign", world.campaign.code, "--week", "1", stdout=io.StringIO())
    call_command(
        "compute_rankings", "--campaign", world.campaign.code, "--week", "1", "--publish", "--user", "qt",
        stdout=io.StringIO(),
    )  # fmt: skip

    rows = list(Ranking.history.select_related("history_user").order_by("history_id"))
    assert [(r.status, r.history_user.username, r.history_change_reason) for r in rows] == [
        ("draft", SYSTEM_USERNAME, "manage.py compute_rankings"),
        ("published", "qt", "manage.py compute_rankings"),
    ]


def test_a_task_run_by_a_worker_names_the_system_and_the_task(world):
    AwardRuleFactory(campaign=world.campaign)
    world.record("CB-A1", Product.BHXH_TN, on=W1_DAY)
    tasks.compute_week_rankings.apply(args=[world.campaign.pk, 1])

    [row] = Ranking.history.select_related("history_user")
    assert (row.history_type, row.history_user.username, row.history_change_reason) == (
        "+",
        SYSTEM_USERNAME,
        "task awards.tasks.compute_week_rankings",
    )
