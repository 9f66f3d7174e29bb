"""Sends that a phone repeats: a record's uuid and a household bundle are recorded exactly once."""

import json
from datetime import date

import pytest
from django.test import Client

from campaign.tests.factories import CampaignFactory, CommuneFactory
from collectors.tests.factories import officer_user
from enrollments.models import Enrollment, IdempotentRequest
from enrollments.services import record_enrollment
from enrollments.tests import test_api
from enrollments.tests.factories import bhyt_request, cccd_of
from enrollments.tests.racing import at_once
from enrollments.tests.test_api import API, CAMPAIGN_CODE, assert_error_shape, bearer, body, fields, post

pytestmark = pytest.mark.django_db

# The API tests' fixtures: an officer of MINE, a colleague agency OTHER, the campaign of DESIGN.md.
world = test_api.world
officer_headers = test_api.officer_headers

FORM_UUID = "3f2b8a4e-9c1d-4e5f-8a7b-6c5d4e3f2a10"
BUNDLE_UUID = "b1a2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5d"


def with_uuid(commune_code: str, value: str = FORM_UUID, **overrides) -> dict:
    return body(commune_code, **overrides) | {"uuid": value}


# --- One enrollment under its uuid ---------------------------------------------------------------


def test_a_resent_uuid_answers_with_the_stored_enrollment_and_records_nothing(client, world, officer_headers):
    data = with_uuid(world["commune"].code)
    first = post(client, data, officer_headers)
    again = post(client, data, officer_headers)
    assert (first.status_code, again.status_code) == (201, 201)
    assert again.json() == first.json() and again["Idempotent-Replayed"] == "true"
    assert "Idempotent-Replayed" not in first
    stored = Enrollment.objects.get()
    assert str(stored.uuid) == FORM_UUID and first.json()["uuid"] == FORM_UUID
    assert IdempotentRequest.objects.get().key == f"uuid:{FORM_UUID}"


def test_transport_noise_is_not_content(client, world, officer_headers):
    post(client, with_uuid(world["commune"].code), officer_headers)
    noisy = with_uuid(world["commune"].code, months="12", receipt_no="  BL-000123 ")
    noisy["sent_at"] = "2025-12-10T08:00:00+07:00"  # a field the API does not read
    del noisy["member_order"]  # a default left out instead of spelled out
    reordered = json.dumps(dict(reversed(list(noisy.items()))))
    response = post(client, reordered, officer_headers)
    assert response.status_code == 201 and response["Idempotent-Replayed"] == "true"
    assert Enrollment.objects.count() == 1


def test_the_same_uuid_with_other_content_is_409_in_vietnamese(client, world, officer_headers):
    post(client, with_uuid(world["commune"].code), officer_headers)
    changed = with_uuid(world["commune"].code, months=6)
    response = post(client, changed, officer_headers)
    data = assert_error_shape(response, 409)
    assert fields(response) == ["uuid"]
    assert data["detail"].startswith("Hồ sơ này đã được gửi và lưu với nội dung khác.")
    english = post(client, changed, officer_headers, **{"Accept-Language": "en"}).json()["detail"]
    assert english.startswith("This record was already sent and saved with different content.")
    assert Enrollment.objects.get().months == 12


def test_a_uuid_saved_by_another_account_is_a_conflict(client, world, officer_headers):
    post(client, with_uuid(world["commune"].code), officer_headers)
    colleague = bearer(officer_user(agency=world["mine"]))
    other = with_uuid(world["commune"].code, participant={"cccd": cccd_of(2)})
    response = post(client, other, colleague, **{"Accept-Language": "en"})
    assert_error_shape(response, 409)
    assert fields(response) == ["uuid"] and Enrollment.objects.count() == 1


def test_a_uuid_takes_precedence_over_an_idempotency_key(client, world, officer_headers):
    data = with_uuid(world["commune"].code)
    assert post(client, data, officer_headers, **{"Idempotency-Key": "k-1"}).status_code == 201
    again = post(client, data, officer_headers, **{"Idempotency-Key": "k-2"})
    assert again.status_code == 201 and again["Idempotent-Replayed"] == "true"
    assert Enrollment.objects.count() == 1


def test_a_person_covered_by_another_agency_is_refused_with_the_reason_and_the_refusal_kept(
    client, world, officer_headers
):
    record_enrollment(
        campaign=world["campaign"],
        collector=world["other_collector"],
        request=bhyt_request(
            commune_code=world["commune"].code,
            collected_on=date(2025, 11, 20),
            household_code="HGD-0001",
            person={"full_name": "Nguyễn Văn A"},
        ),
    )
    data = with_uuid(world["commune"].code)
    first = post(client, data, officer_headers, **{"Accept-Language": "en"})
    body_ = assert_error_shape(first, 409)
    assert fields(first) == ["participant.cccd"]
    assert (
        "already recorded for" in body_["detail"]
        and "on 20/11/2025" in body_["detail"]
        and "Bưu điện Khác" in body_["detail"]
    )
    again = post(client, data, officer_headers, **{"Accept-Language": "en"})
    assert again.status_code == 409 and again["Idempotent-Replayed"] == "true"
    assert Enrollment.objects.count() == 1


# --- Household bundles ---------------------------------------------------------------------------


def member(commune_code: str, number: int, **overrides) -> dict:
    data = body(
        commune_code,
        participant={"cccd": cccd_of(number), "full_name": f"Nguyễn Văn Thử {number}", "household_code": None},
        receipt_no=f"BL-{number:06d}",
    )
    del data["campaign"]
    return data | overrides


def bundle(commune_code: str, numbers=(1, 2, 3), **overrides) -> dict:
    return {
        "campaign": CAMPAIGN_CODE,
        "uuid": BUNDLE_UUID,
        "household_code": "HGD-0100",
        "members": [member(commune_code, number) for number in numbers],
    } | overrides


def post_bundle(client, data, headers, **extra):
    return client.post(
        f"{API}/households", json.dumps(data), content_type="application/json", headers={**headers, **extra}
    )


def test_a_household_is_recorded_whole_in_ladder_order(client, world, officer_headers):
    response = post_bundle(client, bundle(world["commune"].code), officer_headers)
    assert response.status_code == 201, response.content
    data = response.json()
    assert (data["uuid"], data["household_code"]) == (BUNDLE_UUID, "HGD-0100")
    assert [(m["member_order"], m["amount_due"]) for m in data["members"]] == [
        (1, 1_263_600),
        (2, 884_520),
        (3, 758_160),
    ]
    assert set(Enrollment.objects.values_list("participant__household__code", flat=True)) == {"HGD-0100"}


def test_a_refused_member_records_none_and_is_named(client, world, officer_headers):
    record_enrollment(
        campaign=world["campaign"],
        collector=world["other_collector"],
        request=bhyt_request(2, commune_code=world["commune"].code, collected_on=date(2025, 11, 20)),
    )
    response = post_bundle(client, bundle(world["commune"].code), officer_headers, **{"Accept-Language": "en"})
    data = assert_error_shape(response, 409)
    assert fields(response) == ["members.1.participant.cccd"] and "Bưu điện Khác" in data["detail"]
    assert Enrollment.objects.count() == 1  # only the other agency's


def test_a_resent_bundle_records_nothing_and_other_content_is_409(client, world, officer_headers):
    data = bundle(world["commune"].code)
    first = post_bundle(client, data, officer_headers)
    again = post_bundle(client, data, officer_headers)
    assert (first.status_code, again.status_code) == (201, 201)
    assert again.json() == first.json() and again["Idempotent-Replayed"] == "true"
    changed = post_bundle(client, bundle(world["commune"].code, numbers=(1, 2)), officer_headers)
    assert_error_shape(changed, 409)
    assert fields(changed) == ["uuid"] and Enrollment.objects.count() == 3


def test_a_bundle_uuid_is_not_an_enrollment_uuid(client, world, officer_headers):
    post_bundle(client, bundle(world["commune"].code), officer_headers)
    response = post(client, with_uuid(world["commune"].code, value=BUNDLE_UUID), officer_headers)
    assert_error_shape(response, 409)
    assert Enrollment.objects.count() == 3


def test_members_keep_their_own_uuids(client, world, officer_headers):
    data = bundle(world["commune"].code, numbers=(1,))
    data["members"][0]["uuid"] = FORM_UUID
    assert post_bundle(client, data, officer_headers).json()["members"][0]["uuid"] == FORM_UUID


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"campaign": "OTHER-2025"}, "members.0.campaign"),
        ({"participant": {"household_code": "HGD-9999"}}, "members.0.participant.household_code"),
    ],
)
def test_a_member_that_contradicts_the_bundle_is_refused(client, world, officer_headers, change, field):
    data = bundle(world["commune"].code, numbers=(1, 2))
    data["members"][0] = {**data["members"][0], **change}
    if "participant" in change:
        data["members"][0]["participant"] = member(world["commune"].code, 1)["participant"] | change["participant"]
    response = post_bundle(client, data, officer_headers)
    assert_error_shape(response, 422)
    assert fields(response) == [field] and Enrollment.objects.count() == 0


@pytest.mark.parametrize(
    ("mutate", "field"),
    [
        (lambda d: d.update(members=[]), "members"),
        (lambda d: d.pop("uuid"), "uuid"),
        (lambda d: d.update(uuid="not-a-uuid"), "uuid"),
        (lambda d: d["members"][1].update(months="many"), "members.1.months"),
    ],
)
def test_malformed_bundles_get_422_with_the_path(client, world, officer_headers, mutate, field):
    data = bundle(world["commune"].code)
    mutate(data)
    response = post_bundle(client, data, officer_headers)
    assert_error_shape(response, 422)
    assert fields(response) == [field]


def test_only_officers_may_send_bundles(client, world):
    from collectors.roles import Role

    response = post_bundle(client, bundle(world["commune"].code), bearer(world["users"][Role.PROVINCIAL]))
    assert response.status_code == 403


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_the_same_bundle_sent_twice_at_once_gives_one_record_set(settings, default_policies):
    settings.APP_TODAY = date(2025, 12, 10)
    campaign = CampaignFactory(code=CAMPAIGN_CODE)
    commune = CommuneFactory(province=campaign.province)
    headers = bearer(officer_user())
    data = bundle(commune.code)
    responses = at_once(*(lambda: post_bundle(Client(), data, headers) for _ in range(2)))
    assert sorted(r.status_code for r in responses) == [201, 201]
    assert responses[0].json() == responses[1].json()
    assert sorted(r.has_header("Idempotent-Replayed") for r in responses) == [False, True]
    assert Enrollment.objects.count() == 3 and IdempotentRequest.objects.count() == 1
    assert Enrollment.objects.values("participant").distinct().count() == 3
