import importlib

import pytest
from django.apps import apps as django_apps

from campaign.models import Commune
from campaign.tests.factories import BhxhOfficeFactory, CommuneFactory, ProvinceFactory
from collectors.models import CollectionAgency, Collector, StaffPosting, WeeklyQuota
from collectors.roles import Role
from collectors.scoping import agency_of, in_province, province_of, sees_every_province, visible_to
from collectors.selectors import agencies_for, collectors_for
from collectors.services import post_to_province
from collectors.tests.factories import AgencyFactory, CollectorFactory, UserFactory, WeeklyQuotaFactory, officer_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_agencies():
    mine, other = AgencyFactory(code="MINE"), AgencyFactory(code="OTHER")
    for agency in (mine, other):
        CollectorFactory.create_batch(2, agency=agency)
        WeeklyQuotaFactory(agency=agency)
    return mine, other


def test_officer_sees_only_their_own_agency_rows(two_agencies):
    mine, other = two_agencies
    officer = officer_user(agency=mine)

    agencies = visible_to(officer, CollectionAgency.objects.all(), agency_field="pk")
    collectors = visible_to(officer, Collector.objects.all())
    quotas = visible_to(officer, WeeklyQuota.objects.all())

    assert list(agencies) == [mine]
    assert collectors.count() == 3  # two made above and the officer's own record
    assert not collectors.filter(agency=other).exists()
    assert set(quotas.values_list("agency__code", flat=True)) == {"MINE"}


def test_officer_query_never_returns_another_agency_even_when_asked_for_it(two_agencies):
    mine, other = two_agencies
    officer = officer_user(agency=mine)
    assert not visible_to(officer, Collector.objects.filter(agency=other)).exists()
    assert list(collectors_for(officer, agency=other)) == []


@pytest.mark.parametrize("role", [Role.ADMIN, Role.PROVINCIAL])
def test_admin_and_provincial_staff_see_every_agency(two_agencies, role):
    user = UserFactory(role=role)
    assert visible_to(user, CollectionAgency.objects.all(), agency_field="pk").count() == 2
    assert visible_to(user, Collector.objects.all()).count() == 4


def test_a_user_without_a_role_sees_nothing(two_agencies):
    assert not visible_to(UserFactory(), Collector.objects.all()).exists()


def test_an_officer_without_an_agency_sees_nothing(two_agencies):
    officer = UserFactory(role=Role.OFFICER)
    assert agency_of(officer) is None
    assert not visible_to(officer, Collector.objects.all()).exists()


def test_an_officer_whose_collector_record_is_inactive_sees_nothing(two_agencies):
    mine, _ = two_agencies
    officer = officer_user(agency=mine)
    Collector.objects.filter(user=officer).update(active=False)
    officer.refresh_from_db()
    assert not visible_to(officer, Collector.objects.all()).exists()


def test_agencies_for_counts_active_officers_and_week_quotas(two_agencies):
    mine, _ = two_agencies
    week = WeeklyQuota.objects.filter(agency=mine).get().week
    officer = officer_user(agency=mine)
    [row] = agencies_for(officer, week=week)
    assert (row.code, row.collector_count, row.quota_bhyt_hgd, row.quota_bhxh_tn) == ("MINE", 3, 50, 0)


# --- provinces ----------------------------------------------------------------------------------


def _unposted(role: Role):
    user = UserFactory(role=role)
    post_to_province(user=user, province=None)
    return type(user).objects.get(pk=user.pk)


def test_staff_see_the_agencies_of_their_province_and_an_unposted_admin_every_one():
    ha_noi = ProvinceFactory(code="01", name="Hà Nội", codename="ha_noi")
    here, there = AgencyFactory(code="HERE"), AgencyFactory(code="THERE", office=BhxhOfficeFactory(province=ha_noi))
    provincial = UserFactory(role=Role.PROVINCIAL, province=ha_noi)
    assert list(visible_to(provincial, CollectionAgency.objects.all(), agency_field="pk")) == [there]
    assert list(visible_to(provincial, Collector.objects.filter(agency__in=[here, there]))) == []
    assert set(visible_to(_unposted(Role.ADMIN), CollectionAgency.objects.all(), agency_field="pk")) == {here, there}
    assert not visible_to(_unposted(Role.PROVINCIAL), CollectionAgency.objects.all(), agency_field="pk").exists()


def test_an_officers_province_is_their_agencys_and_a_posting_does_not_change_it():
    ha_noi = ProvinceFactory(code="01", name="Hà Nội", codename="ha_noi")
    officer = officer_user(agency=AgencyFactory(office=BhxhOfficeFactory(province=ha_noi)))
    assert not sees_every_province(officer)
    post_to_province(user=officer, province=ProvinceFactory())  # Tây Ninh: ignored for an officer
    commune, _elsewhere = CommuneFactory(province=ha_noi, office=None), CommuneFactory()
    assert province_of(officer) == ha_noi
    assert list(in_province(officer, Commune.objects.all())) == [commune]


def test_posting_again_moves_the_user_and_none_takes_the_posting_away():
    ha_noi = ProvinceFactory(code="01", name="Hà Nội", codename="ha_noi")
    admin = UserFactory(role=Role.ADMIN)
    assert sees_every_province(admin)
    post_to_province(user=admin, province=ha_noi)
    assert (province_of(admin), sees_every_province(admin)) == (ha_noi, False)
    post_to_province(user=admin, province=ProvinceFactory())
    assert province_of(admin).code == "80"
    post_to_province(user=admin, province=None)
    assert (province_of(admin), sees_every_province(admin), StaffPosting.objects.count()) == (None, True, 0)


@pytest.mark.parametrize("provinces", [1, 2])
def test_the_migration_posts_provincial_staff_to_the_only_province(provinces):
    ProvinceFactory()
    if provinces == 2:
        ProvinceFactory(code="01", name="Hà Nội", codename="ha_noi")
    staff, admin = _unposted(Role.PROVINCIAL), _unposted(Role.ADMIN)
    migration = importlib.import_module("collectors.migrations.0005_staff_posting")
    migration.post_provincial_staff_to_the_only_province(django_apps, None)
    posted = set(StaffPosting.objects.values_list("user__username", "province__code"))
    assert posted == ({(staff.username, "80")} if provinces == 1 else set())
    assert admin.username not in {username for username, _code in posted}
