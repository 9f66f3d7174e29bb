import pytest

from collectors.models import CollectionAgency, Collector, WeeklyQuota
from collectors.roles import Role
from collectors.scoping import agency_of, visible_to
from collectors.selectors import agencies_for, collectors_for
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
