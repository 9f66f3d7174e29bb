from collections import Counter

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db.models import Count, F
from django.urls import reverse

from campaign.models import BhxhOffice, Campaign, Commune
from campaign.selectors import baseline_totals, campaigns_for
from collectors.models import CollectionAgency, Collector, WeeklyQuota
from collectors.scoping import province_of, sees_every_province
from demo.data import DEMO_USERS, seed_demo
from demo.enrollments import DEMO_DAY
from enrollments.classification import Classification
from enrollments.models import Enrollment, GiftIssue, GiftStock, Source

pytestmark = pytest.mark.django_db

PRODUCT_APPS = ("campaign", "collectors", "enrollments", "awards")


def _snapshot() -> dict[str, list[tuple]]:
    """Every row of the product's tables (and users and groups), keys included.

    The audit trail's history tables are left out: each run adds its rows to them, as it should.
    """
    models = [m for m in apps.get_models() if m._meta.app_label in PRODUCT_APPS and not hasattr(m, "instance_type")]
    models += [apps.get_model("auth", "User"), apps.get_model("auth", "Group")]
    snapshot = {}
    for model in models:
        fields = [f.attname for f in model._meta.concrete_fields if f.attname not in ("last_login",)]
        snapshot[model._meta.label] = list(model.objects.order_by("pk").values_list(*fields))
    snapshot["auth.User.groups"] = list(
        apps.get_model("auth", "User").groups.through.objects.order_by("pk").values_list("user_id", "group_id")
    )
    snapshot["collectors.CollectionAgency.communes"] = list(
        CollectionAgency.communes.through.objects.order_by("collectionagency_id", "commune_id").values_list(
            "collectionagency_id", "commune_id"
        )
    )
    return snapshot


def test_seed_demo_twice_leaves_the_same_data_and_a_campaign_near_its_end():
    report = seed_demo()
    first = _snapshot()
    seed_demo()
    assert _snapshot() == first

    # About 20.000 enrollments over the weeks up to the demo day, every classification present.
    enrollments = Enrollment.objects.filter(source=Source.DEMO)
    assert 18_000 <= report.enrollments == enrollments.count() <= 24_000
    by_kind = dict(enrollments.values_list("classification").annotate(n=Count("pk")))
    assert all(by_kind.get(kind, 0) > 1_000 for kind in Classification.values)
    by_week = dict(enrollments.values_list("week__number").annotate(n=Count("pk")))
    assert set(by_week) == {1, 2, 3, 4, 5} and by_week[5] < by_week[4]
    assert not enrollments.filter(collected_on__gt=DEMO_DAY).exists()
    assert enrollments.filter(recorded_at__date__gt=F("collected_on")).exists()  # some typed in late
    assert {"market", "household_business", "home"} <= set(enrollments.values_list("channel", flat=True))
    assert enrollments.values("agency").distinct().count() == CollectionAgency.objects.count()
    assert GiftIssue.objects.exists()
    assert not GiftStock.objects.filter(on_hand__lt=0).exists()
    # Each stored amount is what the rules give: payable = due - support, periods within the product's rules.
    assert not enrollments.exclude(amount_payable=F("amount_due") - F("state_support")).exists()


def test_seed_demo_builds_a_plausible_province():
    report = seed_demo(enrollment_scale=0.02)
    campaign = Campaign.objects.get(code="TN-CAODIEM-2025")
    assert campaign.is_demo and campaign.status == Campaign.Status.ACTIVE
    assert (campaign.bhyt_target_pct, campaign.bhxh_target_pct) == (95, 45)
    assert campaign.weeks.count() == 5

    assert Commune.objects.count() == 96
    assert not Commune.objects.filter(office__isnull=True).exists()
    assert BhxhOffice.objects.filter(is_demo=True).count() == report.offices

    totals = baseline_totals(campaign=campaign)
    assert 3_200_000 <= totals["population"] <= 3_300_000
    assert 0.92 <= totals["bhyt_insured"] / totals["population"] <= 0.94
    assert 0.37 <= totals["bhxh_insured"] / totals["labour_force"] <= 0.39
    assert campaign.baselines.count() == 96

    assert 55 <= CollectionAgency.objects.filter(is_demo=True).count() <= 65
    assert CollectionAgency.objects.filter(kind=CollectionAgency.Kind.POST_OFFICE).count() == report.offices
    assert 270 <= Collector.objects.filter(is_demo=True).count() <= 330
    agencies = CollectionAgency.objects.count()
    assert WeeklyQuota.objects.filter(week__campaign=campaign).count() == agencies * 5 * 2


def test_seed_demo_converges_when_an_earlier_run_left_extra_demo_rows():
    seed_demo(enrollment_scale=0.02)
    first = _snapshot()
    stray = Collector.objects.filter(is_demo=True).first()
    Collector.objects.create(code="OLD-99", name="Cũ", agency=stray.agency, is_demo=True)
    seed_demo(enrollment_scale=0.02)
    assert _snapshot()["collectors.Collector"] == first["collectors.Collector"]


@pytest.mark.parametrize(
    ("username", "home"),
    [
        ("demo_admin", "dashboard:admin_home"),
        ("demo_provincial", "dashboard:overview"),
        ("demo_officer", "dashboard:agency_home"),
    ],
)
def test_each_demo_user_logs_in_and_lands_on_their_home_page(client, username, home):
    seed_demo(enrollment_scale=0.02)
    password = next(u.password for u in DEMO_USERS if u.username == username)
    response = client.post(reverse("login"), {"username": username, "password": password}, follow=True)
    assert response.redirect_chain[-1][0] == reverse(home)
    assert response.status_code == 200


def test_the_demo_provincial_user_is_posted_to_the_demo_province_and_the_admin_to_none():
    report = seed_demo(enrollment_scale=0.02)
    users = get_user_model().objects.in_bulk(["demo_provincial", "demo_admin"], field_name="username")
    assert province_of(users["demo_provincial"]) == report.campaign.province
    assert list(campaigns_for(users["demo_provincial"])) == [report.campaign]
    assert sees_every_province(users["demo_admin"])


def test_seed_demo_command_prints_the_demo_users(capsys, settings):
    settings.DEBUG = True
    call_command("seed_demo", "--enrollment-scale", "0.02")
    out = capsys.readouterr().out
    for user in DEMO_USERS:
        assert f"{user.username} / {user.password}" in out


def test_seed_demo_refuses_to_run_with_debug_off_unless_forced(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError):
        call_command("seed_demo")
    assert not Campaign.objects.exists()


def test_seed_demo_adds_people_due_for_renewal_around_the_demo_day(settings):
    from enrollments.renewals.selectors import RenewalFilters, renewal_list

    settings.APP_TODAY = DEMO_DAY
    seed_demo(enrollment_scale=0.02)
    seed_demo(enrollment_scale=0.02)  # twice: the same people, not twice as many
    admin = get_user_model().objects.get(username="demo_admin")
    officer = get_user_model().objects.get(username="demo_officer")
    rows = renewal_list(admin, today=DEMO_DAY, filters=RenewalFilters(within=60), campaign=None)
    statuses = Counter(row.status for row in rows)
    assert set(statuses) == {"due", "lapsed_renew", "lapsed_rejoin"}
    assert all(count > 30 for count in statuses.values())
    assert 350 <= len(rows) <= 450
    assert renewal_list(officer, today=DEMO_DAY, filters=RenewalFilters(), campaign=None)
