"""The renewal lists against a hand-built set of people (see world.py): contents, statuses, amounts, scoping."""

from datetime import date

import pytest

from campaign.models import Product
from enrollments.renewals.selectors import RenewalFilters, renewal_list, status_on
from enrollments.tests.factories import cccd_of

from .world import TODAY, build_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(settings):
    return build_world(settings)


def listed(user, world, **filters):
    rows = renewal_list(user, today=TODAY, filters=RenewalFilters(**filters), campaign=world["campaign"])
    return {(row.full_cccd, row.product): row for row in rows}


@pytest.mark.parametrize(
    ("end", "today", "status", "days_left"),
    [
        # DOMAIN.md "Renewals": E = 31/12/2025, T = 10/12/2025 → due, 21 days left.
        (date(2025, 12, 31), date(2025, 12, 10), "due", 21),
        # E = 14/08/2025, T = 10/12/2025 → lapsed, rejoin, mug due.
        (date(2025, 8, 14), date(2025, 12, 10), "lapsed_rejoin", -118),
        (date(2025, 12, 10), date(2025, 12, 10), "due", 0),
        (date(2025, 12, 9), date(2025, 12, 10), "lapsed_renew", -1),
        # The lapse starts on 30/11/2025: rejoin from 28/02/2026 (month end clamped).
        (date(2025, 11, 29), date(2026, 2, 27), "lapsed_renew", -90),
        (date(2025, 11, 29), date(2026, 2, 28), "lapsed_rejoin", -91),
    ],
)
def test_status_on_a_day(end, today, status, days_left):
    assert status_on(end, today) == status
    assert (end - today).days == days_left


def test_the_admin_sees_everyone_due_within_30_days_or_lapsed(world):
    rows = listed(world["admin"], world)
    assert {key: (row.status, row.days_left) for key, row in rows.items()} == {
        (cccd_of(1), Product.BHYT_HGD): ("due", 21),
        (cccd_of(6), Product.BHXH_TN): ("due", 21),
        (cccd_of(7), Product.BHYT_HGD): ("due", 21),
        (cccd_of(9), Product.BHYT_HGD): ("due", 10),
        (cccd_of(3), Product.BHYT_HGD): ("lapsed_renew", -10),
        (cccd_of(8), Product.BHYT_HGD): ("lapsed_rejoin", -118),
    }


def test_within_60_days_adds_the_person_due_in_52_days(world):
    rows = listed(world["admin"], world, within=60)
    assert rows[(cccd_of(2), Product.BHYT_HGD)].days_left == 52
    assert len(rows) == 7


def test_the_list_is_ordered_due_soonest_first_then_lapsed(world):
    rows = renewal_list(world["admin"], today=TODAY, filters=RenewalFilters(), campaign=world["campaign"])
    assert [row.status for row in rows] == ["due"] * 4 + ["lapsed_renew", "lapsed_rejoin"]
    assert rows[0].full_cccd == cccd_of(9)


def test_only_a_rejoining_person_has_a_mug_due(world):
    rows = listed(world["admin"], world)
    assert rows[(cccd_of(8), Product.BHYT_HGD)].mug_due is True
    assert rows[(cccd_of(3), Product.BHYT_HGD)].mug_due is False
    assert rows[(cccd_of(1), Product.BHYT_HGD)].mug_due is False


def test_each_row_has_the_last_period_and_what_renewing_costs_today(world):
    rows = listed(world["admin"], world)
    bhyt, bhxh = rows[(cccd_of(1), Product.BHYT_HGD)], rows[(cccd_of(6), Product.BHXH_TN)]
    # 3 months of BHYT for the 1st member of the household at 105.300 ₫ a month.
    assert (bhyt.last_months, bhyt.amount, bhyt.household_code) == (3, 315_900, "HGD-1")
    # 3 months at 2.000.000 ₫: 440.000 a month less 66.000 of support.
    assert (bhxh.last_months, bhxh.amount) == (3, 1_122_000)
    prior_only = rows[(cccd_of(8), Product.BHYT_HGD)]
    assert (prior_only.last_months, prior_only.amount) == (None, 1_263_600)


def test_the_agency_is_the_one_of_the_latest_enrollment_and_prior_only_people_go_by_commune(world):
    rows = listed(world["admin"], world)
    assert rows[(cccd_of(1), Product.BHYT_HGD)].agency_code == "MINE"
    assert rows[(cccd_of(7), Product.BHYT_HGD)].agency_code == "OTHER"
    prior_only = rows[(cccd_of(8), Product.BHYT_HGD)]
    assert (prior_only.agency_code, prior_only.commune_code, prior_only.full_name) == (
        "",
        world["served"].code,
        "Lê Thị Tám",
    )
    assert prior_only.known_only_from_prior_coverage


def test_an_officer_sees_their_agencys_people_and_prior_only_people_of_the_communes_it_serves(world):
    rows = listed(world["officer"], world)
    assert set(rows) == {
        (cccd_of(1), Product.BHYT_HGD),
        (cccd_of(6), Product.BHXH_TN),
        (cccd_of(3), Product.BHYT_HGD),
        (cccd_of(8), Product.BHYT_HGD),
    }
    other = listed(world["other_officer"], world)
    assert set(other) == {(cccd_of(7), Product.BHYT_HGD)}


def test_personal_data_is_masked_except_for_admins_and_the_recording_agency(world):
    key = (cccd_of(1), Product.BHYT_HGD)
    mine, provincial, admin = (listed(world[who], world)[key] for who in ("officer", "provincial", "admin"))
    assert (mine.cccd, mine.phone, mine.masked) == (cccd_of(1), "0912345678", False)
    assert (admin.cccd, admin.phone) == (cccd_of(1), "0912345678")
    assert (provincial.cccd, provincial.phone, provincial.masked) == ("072*******01", "091****678", True)
    # Nobody recorded the prior-only person: only an admin sees their number in full.
    prior_key = (cccd_of(8), Product.BHYT_HGD)
    assert listed(world["officer"], world)[prior_key].phone == "098****321"
    assert listed(world["admin"], world)[prior_key].phone == "0987654321"


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        ({"product": Product.BHXH_TN}, {cccd_of(6)}),
        ({"status": "lapsed_renew"}, {cccd_of(3)}),
        ({"status": "lapsed_rejoin"}, {cccd_of(8)}),
        ({"agency": "OTHER"}, {cccd_of(7)}),
    ],
)
def test_filters(world, filters, expected):
    assert {cccd for cccd, _product in listed(world["admin"], world, **filters)} == expected


def test_the_commune_filter_lists_the_prior_only_people_of_a_commune(world):
    rows = listed(world["admin"], world, commune=world["elsewhere"].code)
    assert set(rows) == {(cccd_of(9), Product.BHYT_HGD)}


def test_the_query_count_does_not_grow_with_the_list(world, django_assert_max_num_queries):
    with django_assert_max_num_queries(12):
        rows = renewal_list(world["admin"], today=TODAY, filters=RenewalFilters(within=60), campaign=world["campaign"])
    assert len(rows) == 7
