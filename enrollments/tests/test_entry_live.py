"""The entry form right at every keystroke: the look-up answers for every field that changes the
amount, and a person already recorded (by any agency) is shown before the officer can confirm."""

from datetime import date

import pytest
from django.urls import reverse

from collectors.roles import Role
from collectors.scoping import collector_of
from collectors.tests.factories import CollectorFactory
from enrollments.services import record_enrollment
from enrollments.tests import test_views
from enrollments.tests.factories import bhxh_request, bhyt_request, cccd_of
from enrollments.tests.test_views import bhxh_data, household_data

pytestmark = pytest.mark.django_db

# The view tests' fixtures: agencies MINE (the officer's) and OTHER, the demo day 10/12/2025, English.
world = test_views.world
english = test_views.english
officer = test_views.officer


def lookup(client, product: str, **params):
    response = client.get(reverse("enrollments:lookup", args=[product]), params)
    assert response.status_code == 200
    return response.content.decode()


def test_the_lookup_follows_income_period_and_household(officer, world):
    base = {"cccd": cccd_of(41), "months": "12", "collected_on": "10/12/2025", "support_group": "other"}
    assert "3.168.000" in lookup(officer, "bhxh_tn", **base, income="1.500.000")
    assert "7.128.000" in lookup(officer, "bhxh_tn", **base, income="3.000.000")
    assert "3.564.000" in lookup(officer, "bhxh_tn", **base | {"months": "6"}, income="3.000.000")
    record_enrollment(
        campaign=world["campaign"],
        collector=collector_of(world["users"][Role.OFFICER]),
        request=bhyt_request(
            50, commune_code=world["commune"].code, collected_on=date(2025, 12, 2), household_code="H-7"
        ),
    )
    member = {"members-0-cccd": cccd_of(51), "months": "12", "collected_on": "10/12/2025"}
    alone = lookup(officer, "bhyt_hgd", **member, household_code="")
    assert 'data-member-order="1"' in alone and "1.263.600" in alone
    second = lookup(officer, "bhyt_hgd", **member, household_code="H-7")
    assert 'data-member-order="2"' in second and "884.520" in second


def test_a_person_recorded_minutes_ago_by_another_agency_is_flagged_on_the_lookup(officer, world):
    other = CollectorFactory(agency=world["other"], name="Phạm Thị Khác")
    earlier = record_enrollment(
        campaign=world["campaign"],
        collector=other,
        request=bhyt_request(60, commune_code=world["commune"].code, collected_on=date(2025, 12, 10)),
    )
    body = lookup(officer, "bhyt_hgd", **{"members-0-cccd": cccd_of(60), "months": "12", "collected_on": "10/12/2025"})
    assert "lookup-conflict" in body and "Already recorded" in body
    assert world["other"].name in body and f"(enrollment {earlier.pk})" in body
    assert "collected on 10/12/2025" in body
    assert "Phạm Thị Khác" not in body  # another agency's officer is named by their agency only


def test_an_own_agency_record_names_the_officer(officer, world):
    mine = collector_of(world["users"][Role.OFFICER])
    record_enrollment(
        campaign=world["campaign"],
        collector=mine,
        request=bhxh_request(41, commune_code=world["commune"].code, collected_on=date(2025, 12, 10)),
    )
    body = lookup(officer, "bhxh_tn", cccd=cccd_of(41), months="12", income="1.500.000", collected_on="10/12/2025")
    assert "lookup-conflict" in body and f"Officer: {mine.name}." in body


def test_a_person_not_recorded_is_not_flagged(officer, world):
    body = lookup(officer, "bhyt_hgd", **{"members-0-cccd": cccd_of(61), "months": "12"})
    assert "lookup-result" in body and "lookup-conflict" not in body


def test_the_review_shows_the_repeat_and_offers_no_confirmation(officer, world):
    record_enrollment(
        campaign=world["campaign"],
        collector=CollectorFactory(agency=world["other"]),
        request=bhyt_request(2, commune_code=world["commune"].code, collected_on=date(2025, 12, 10)),
    )
    response = officer.post(reverse("enrollments:enroll_bhyt"), household_data(world, members=3, household_code=""))
    body = response.content.decode()
    assert response.status_code == 200 and body.count("lookup-conflict") == 1
    assert 'id="confirm-blocked"' in body and 'value="confirm"' not in body


def test_a_clean_review_still_offers_confirmation(officer, world):
    response = officer.post(reverse("enrollments:enroll_bhxh"), bhxh_data(world))
    body = response.content.decode()
    assert 'value="confirm"' in body and "confirm-blocked" not in body


def test_collection_dates_are_shown_and_typed_as_dd_mm_yyyy(officer, world):
    body = officer.get(reverse("enrollments:enroll_bhxh")).content.decode()
    assert 'name="collected_on" value="10/12/2025"' in body and 'type="date"' not in body
    assert "data-entry-live" in body and "js/entry-live.js" in body
