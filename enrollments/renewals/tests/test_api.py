"""`GET /api/v1/renewals`: DESIGN.md's shape, scoping, masking, filters, pages and refusals."""

import pytest

from collectors.tokens import issue_api_token
from enrollments.tests.factories import cccd_of

from .world import build_world

pytestmark = pytest.mark.django_db

URL = "/api/v1/renewals"


@pytest.fixture
def world(settings):
    return build_world(settings)


def bearer(user) -> dict:
    _token, raw = issue_api_token(user=user, name="test system")
    return {"Authorization": f"Bearer {raw}"}


def test_an_officer_gets_their_agencys_list_in_designs_shape(client, world):
    answer = client.get(URL, headers=bearer(world["officer"]))
    assert answer.status_code == 200
    body = answer.json()
    assert body["count"] == 4
    first = body["items"][0]
    assert first == {
        "cccd": cccd_of(1),
        "full_name": "Nguyễn Văn Thử 1",
        "phone": "0912345678",
        "product": "bhyt_hgd",
        "coverage_end": "2025-12-31",
        "status": "due",
        "days_left": 21,
        "agency": "MINE",
        "commune_code": world["served"].code,
        "household_code": "HGD-1",
        "last_months": 3,
        "amount_payable": 315_900,
        "mug_due": False,
        "personal_data_masked": False,
        "last_contact_on": None,
        "last_contact_outcome": None,
    }
    lapsed = body["items"][-1]
    # Known only from prior coverage: nobody recorded them, so their number stays masked for an officer.
    assert (lapsed["cccd"], lapsed["status"], lapsed["agency"], lapsed["mug_due"]) == (
        "072*******08",
        "lapsed_rejoin",
        None,
        True,
    )


def test_provincial_staff_get_everyone_masked(client, world):
    body = client.get(URL, {"within": 60}, headers=bearer(world["provincial"])).json()
    assert body["count"] == 7
    assert all(item["personal_data_masked"] for item in body["items"])
    assert {item["cccd"][:3] + item["cccd"][-2:] for item in body["items"]} >= {"07201", "07207"}
    assert all("*" in item["cccd"] for item in body["items"])


@pytest.mark.parametrize(
    ("params", "count"),
    [
        ({"status": "lapsed_renew"}, 1),
        ({"product": "bhxh_tn"}, 1),
        ({"agency": "OTHER"}, 1),
        ({"within": 60, "limit": 2}, 7),
    ],
)
def test_filters_and_pages(client, world, params, count):
    body = client.get(URL, params, headers=bearer(world["admin"])).json()
    assert body["count"] == count
    assert len(body["items"]) == min(count, params.get("limit", 100))


def test_the_commune_filter(client, world):
    body = client.get(URL, {"commune": world["elsewhere"].code}, headers=bearer(world["admin"])).json()
    assert [item["full_name"] for item in body["items"]] == ["Phạm Văn Chín"]


@pytest.mark.parametrize(
    "params", [{"within": 45}, {"product": "bhyt"}, {"status": "gone"}, {"limit": 0}, {"offset": -1}]
)
def test_invalid_parameters_are_422_in_the_error_shape(client, world, params):
    answer = client.get(URL, params, headers=bearer(world["admin"]))
    assert answer.status_code == 422
    assert set(answer.json()) == {"detail", "errors"}


def test_an_officer_naming_an_agency_is_refused(client, world):
    answer = client.get(URL, {"agency": "OTHER"}, headers=bearer(world["officer"]))
    assert answer.status_code == 403
    assert "detail" in answer.json()


def test_without_credentials_it_is_401(client, world):
    assert client.get(URL).status_code == 401


def test_the_query_count_does_not_grow(client, world, django_assert_max_num_queries):
    headers = bearer(world["admin"])
    with django_assert_max_num_queries(16):
        assert client.get(URL, {"within": 60}, headers=headers).status_code == 200
