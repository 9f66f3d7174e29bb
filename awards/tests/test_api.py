"""GET /api/v1/campaigns/{code}/rankings: published, final and provisional rankings, and who sees what."""

from datetime import date
from unittest import mock

import pytest

from awards.models import Period
from awards.services import compute_rankings, publish_ranking
from awards.tests.factories import AwardRuleFactory, local, officer_points_rule
from campaign.models import Product
from collectors.roles import Role
from collectors.tests.factories import UserFactory, officer_user
from collectors.tokens import issue_api_token

BHXH, BHYT = Product.BHXH_TN, Product.BHYT_HGD
W1_DAY = date(2025, 11, 14)


def url(world) -> str:
    return f"/api/v1/campaigns/{world.campaign.code}/rankings"


def bearer(user) -> dict:
    _token, raw = issue_api_token(user=user, name="test")
    return {"Authorization": f"Bearer {raw}", "Accept-Language": "en"}


@pytest.fixture
def week1(world):
    agency_rule = AwardRuleFactory(campaign=world.campaign, code="tuan-tap-the")
    officer_rule = officer_points_rule(world.campaign, code="tuan-ca-nhan")
    for _ in range(4):
        world.record("CB-A1", BHXH, on=W1_DAY)
    world.record("CB-B1", BHYT, on=W1_DAY)
    world.record("CB-B1", BHYT, on=W1_DAY, at=local(date(2025, 11, 20), 8))  # late
    with mock.patch("core.clock.now", return_value=local(date(2025, 11, 20), 9)):
        for item in compute_rankings(campaign=world.campaign, week_number=1):
            publish_ranking(ranking=item.ranking)
    return agency_rule, officer_rule


def test_the_published_rankings_of_a_week(client, world, week1):
    response = client.get(url(world), {"week": 1}, headers=bearer(UserFactory(role=Role.PROVINCIAL)))
    assert response.status_code == 200
    body = response.json()
    assert (body["campaign"], body["week"], body["final"], body["provisional"]) == (
        world.campaign.code,
        1,
        False,
        False,
    )
    agency, officer = body["rankings"]
    assert agency["rule"]["code"] == "tuan-tap-the" and agency["rule"]["metric"] == "attainment"
    assert agency["rule"]["threshold"] == "100.00" and agency["rule"]["prizes"] == [3_000_000, 2_000_000, 1_000_000]
    assert (agency["status"], agency["version"], agency["late_count"], agency["entry_count"]) == ("published", 1, 1, 3)
    assert (agency["counted_until"], agency["published_at"]) == (
        "2025-11-19T12:00:00+07:00",
        "2025-11-20T09:00:00+07:00",
    )
    first = agency["entries"][0]
    assert (first["rank"], first["code"], first["score"], first["prize"], first["eligible"]) == (
        1,
        "AG-A",
        "100.00",
        3_000_000,
        True,
    )
    assert first["numbers"]["bhxh_tn_count"] == 4 and first["numbers"]["bhxh_tn_quota"] == 2
    assert first["numbers"]["bhxh_tn_attainment"] == "200.00" and first["numbers"]["bhyt_hgd_attainment"] == "0.00"
    noq = next(e for e in agency["entries"] if e["code"] == "AG-NOQ")
    assert (noq["score"], noq["eligible"], noq["ineligible_reason"]) == (None, False, "no_quota")
    b1 = next(e for e in officer["entries"] if e["code"] == "CB-B1")
    assert b1["numbers"]["late_count"] == 1 and b1["numbers"]["bhyt_hgd_count"] == 1


def test_an_officer_gets_other_agencies_officers_without_their_numbers(client, world, week1):
    headers = bearer(officer_user(agency=world.agencies["AG-B"]))
    body = client.get(url(world), {"week": 1}, headers=headers).json()
    agency, officer = body["rankings"]
    assert all(entry["numbers"] is not None for entry in agency["entries"])  # organisations: all visible
    a1 = next(e for e in officer["entries"] if e["name"] == "Trần Thị A1")
    assert a1["code"] is None and a1["numbers"] is None and a1["prize"] == 1_000_000
    b1 = next(e for e in officer["entries"] if e["name"] == "Phạm Văn B1")
    assert b1["code"] == "CB-B1" and b1["numbers"]["bhyt_hgd_amount"] == 1_263_600


def test_provisional_standings_count_what_is_recorded_now(client, world, week1):
    world.record("CB-B1", BHXH, on=date(2025, 11, 20))
    headers = bearer(UserFactory(role=Role.ADMIN))
    body = client.get(url(world), {"week": 2, "provisional": 1}, headers=headers).json()
    assert body["provisional"] and {r["status"] for r in body["rankings"]} == {"provisional"}
    officer = next(r for r in body["rankings"] if r["rule"]["subject"] == "collector")
    assert officer["entries"][0]["code"] == "CB-B1" and officer["entries"][0]["score"] == "3.00"
    assert officer["version"] is None and officer["published_at"] is None


def test_the_final_ranking_published_and_provisional(client, world, week1):
    officer_points_rule(world.campaign, code="tong-ket", period=Period.FINAL, threshold=30)
    headers = bearer(UserFactory(role=Role.PROVINCIAL))
    assert client.get(url(world), {"final": 1}, headers=headers).status_code == 404
    live = client.get(url(world), {"final": 1, "provisional": 1}, headers=headers).json()
    b1 = next(e for e in live["rankings"][0]["entries"] if e["code"] == "CB-B1")
    assert b1["score"] == "2.00"  # the late BHYT HGĐ counts in the final ranking
    (computed,) = compute_rankings(campaign=world.campaign, final=True)
    publish_ranking(ranking=computed.ranking)
    body = client.get(url(world), {"final": "1"}, headers=headers).json()
    assert body["final"] and body["week"] is None and body["rankings"][0]["rule"]["code"] == "tong-ket"


@pytest.mark.parametrize(
    ("query", "status", "field"),
    [
        ({}, 422, "week"),
        ({"week": 1, "final": 1}, 422, "week"),
        ({"week": 9}, 422, "week"),
        ({"week": "one"}, 422, "week"),
        ({"week": 2}, 404, None),
    ],
)
def test_bad_queries_get_the_error_shape(client, world, week1, query, status, field):
    response = client.get(url(world), query, headers=bearer(UserFactory(role=Role.ADMIN)))
    assert response.status_code == status
    body = response.json()
    assert body["detail"] and isinstance(body["errors"], list)
    if field:
        assert body["errors"][0]["field"] == field


def test_an_unknown_campaign_is_404(client, world):
    response = client.get("/api/v1/campaigns/NOPE/rankings", {"week": 1}, headers=bearer(UserFactory(role=Role.ADMIN)))
    assert response.status_code == 404 and "NOPE" in response.json()["detail"]


def test_every_role_may_read_and_anonymous_callers_get_401(client, world, week1):
    assert client.get(url(world), {"week": 1}).status_code == 401
    for role in (Role.ADMIN, Role.PROVINCIAL):
        assert client.get(url(world), {"week": 1}, headers=bearer(UserFactory(role=role))).status_code == 200
    assert client.get(url(world), {"week": 1}, headers=bearer(officer_user())).status_code == 200
    assert client.get(url(world), {"week": 1}, headers=bearer(UserFactory())).status_code == 403
    client.force_login(officer_user())
    assert client.get(url(world), {"week": 1}).status_code == 200  # a browser session works too


def test_the_api_answers_in_a_few_queries(client, world, week1, django_assert_max_num_queries):
    headers = bearer(UserFactory(role=Role.PROVINCIAL))
    with django_assert_max_num_queries(8):
        assert client.get(url(world), {"week": 1}, headers=headers).status_code == 200
