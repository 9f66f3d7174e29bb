"""The live standings at scale: cached in chunks, read as far as shown, paged in the API, sent as cached JSON,
and recomputed by one worker at a time while the others serve the previous standings."""

import threading
from datetime import date
from unittest import mock

import pytest
from django.conf import settings as django_settings
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from awards.api import RankingsOut
from awards.locks import live_lock_name
from awards.selectors import live as live_module
from awards.selectors import provisional_standings
from awards.services import compute_rankings, publish_ranking
from awards.tests.factories import AwardRuleFactory, officer_points_rule
from awards.tests.other_worker import held_elsewhere
from campaign.models import Product
from collectors.roles import Role
from collectors.tests.factories import CollectorFactory, UserFactory, officer_user
from collectors.tokens import issue_api_token
from core.cached_json import matches_schema
from enrollments.tests.racing import at_once

DURING_WEEK_2 = date(2025, 11, 21)
OFFICERS = 120  # with the world's four: 124 officers, three chunks of 50


def bearer(user) -> dict:
    _token, raw = issue_api_token(user=user, name="test")
    return {"Authorization": f"Bearer {raw}", "Accept-Language": "en"}


@pytest.fixture
def crowd(world, settings):
    """Week 2 under way: the agency and officer rules, 124 officers, B1 ahead of everyone."""
    settings.APP_TODAY = DURING_WEEK_2
    AwardRuleFactory(campaign=world.campaign, code="tuan-tap-the")
    officer_points_rule(world.campaign, code="tuan-ca-nhan")
    for number in range(OFFICERS):
        CollectorFactory(code=f"CB-X{number:03d}", name=f"Cán bộ X{number:03d}", agency=world.agencies["AG-A"])
    world.record("CB-B1", Product.BHXH_TN, on=date(2025, 11, 20))
    return world


def sign_in(client, user) -> None:
    client.force_login(user)
    client.cookies[django_settings.LANGUAGE_COOKIE_NAME] = "en"


def api(world, **query) -> str:
    params = "&".join(f"{k}={v}" for k, v in ({"week": 2, "provisional": 1} | query).items())
    return f"/api/v1/campaigns/{world.campaign.code}/rankings?{params}"


def officer_ranking(body: dict) -> dict:
    return next(r for r in body["rankings"] if r["rule"]["subject"] == "collector")


# --- The API's pages ---------------------------------------------------------------------------------


def test_the_api_pages_the_entries_and_bounds_the_answer(client, crowd):
    headers = bearer(UserFactory(role=Role.PROVINCIAL))
    default = client.get(api(crowd), headers=headers)
    ranking = officer_ranking(default.json())
    assert (ranking["entry_count"], ranking["row_count"], ranking["offset"], ranking["limit"]) == (124, 124, 0, 100)
    assert [e["rank"] for e in ranking["entries"]] == list(range(1, 101))
    # Bounded by the page, not the ranking: 100 officers and 3 agencies, well under a kilobyte each.
    assert len(default.content) < 103 * 1000

    seen = []
    for offset in range(0, 124, 50):
        page = officer_ranking(client.get(api(crowd, limit=50, offset=offset), headers=headers).json())
        seen += [e["rank"] for e in page["entries"]]
    assert seen == list(range(1, 125))  # every place once, in order
    assert officer_ranking(client.get(api(crowd, offset=124), headers=headers).json())["entries"] == []
    assert officer_ranking(client.get(api(crowd, limit=10**6), headers=headers).json())["limit"] == 500


@pytest.mark.parametrize("query", [{"limit": 0}, {"offset": -1}, {"limit": "many"}, {"offset": 2**64}])
def test_bad_pages_get_the_error_shape(client, crowd, query):
    response = client.get(api(crowd, **query), headers=bearer(UserFactory(role=Role.ADMIN)))
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] in query


def signed_up_officer(world):
    """An officer of AG-B placed last (nothing recorded, the last code): below the top ten."""
    user = UserFactory(role=Role.OFFICER)
    CollectorFactory(code="ZZ-B9", name="Đinh Văn B9", agency=world.agencies["AG-B"], user=user)
    return user


def test_an_officer_pages_through_the_top_and_their_own_agency(client, crowd):
    headers = bearer(signed_up_officer(crowd))
    body = client.get(api(crowd, limit=8), headers=headers).json()
    agencies = next(r for r in body["rankings"] if r["rule"]["subject"] == "agency")
    assert agencies["row_count"] == 3 and all(e["numbers"] is not None for e in agencies["entries"])
    officers = officer_ranking(body)
    # The top ten (more than the five prizes), then AG-B's officers placed further down (the signed-up one).
    assert officers["entry_count"] == 125 and officers["row_count"] == 11 and len(officers["entries"]) == 8
    rest = officer_ranking(client.get(api(crowd, limit=8, offset=8), headers=headers).json())["entries"]
    rows = officers["entries"] + rest
    assert [e["rank"] for e in rows][:10] == list(range(1, 11)) and len(rows) == 11
    assert (rows[-1]["code"], rows[-1]["rank"]) == ("ZZ-B9", 125)
    for entry in rows:
        mine = entry["agency_code"] == "AG-B"
        assert (entry["numbers"] is not None) == mine and (entry["code"] is not None) == mine


def test_the_cached_json_sent_is_the_documented_schema(client, crowd):
    """The answers go out as the cached JSON itself: RankingsOut must still describe them exactly."""
    staff = bearer(UserFactory(role=Role.PROVINCIAL))
    officer = bearer(officer_user(agency=crowd.agencies["AG-B"]))
    with mock.patch("core.clock.now", return_value=crowd.week(1).cutoff):
        for item in compute_rankings(campaign=crowd.campaign, week_number=1):
            publish_ranking(ranking=item.ranking)
    for url in (api(crowd), api(crowd, limit=3, offset=2), f"/api/v1/campaigns/{crowd.campaign.code}/rankings?week=1"):
        for headers in (staff, officer):
            first = client.get(url, headers=headers)
            assert first.status_code == 200 and first["Content-Type"] == "application/json"
            assert matches_schema(RankingsOut, first.content)
            assert client.get(url, headers=headers).content == first.content  # the cached bytes, as they are


def test_a_cached_answer_is_sent_in_a_few_queries(client, crowd, django_assert_max_num_queries):
    headers = bearer(UserFactory(role=Role.PROVINCIAL))
    client.get(api(crowd), headers=headers)
    # Token, campaign, week, rules: the standings and the answer come from the cache.
    with django_assert_max_num_queries(6):
        assert client.get(api(crowd), headers=headers).status_code == 200


# --- The live page reads what it shows -------------------------------------------------------------------


def test_the_live_page_reads_only_the_places_it_shows(client, crowd, django_assert_max_num_queries):
    sign_in(client, UserFactory(role=Role.PROVINCIAL))
    provisional_standings(campaign=crowd.campaign, week=crowd.week(2))  # computed and cached
    unpacked = []
    real_unpack = live_module._unpack
    with mock.patch.object(live_module, "_unpack", side_effect=lambda row: unpacked.append(row) or real_unpack(row)):
        with django_assert_max_num_queries(8):
            body = client.get(reverse("awards:live")).content.decode()
        assert body.count("<tr class=") == 3 + 50 and "Showing the top 50 of 124" in body
        assert len(unpacked) == 3 + 50  # the agencies' chunk and the first 50 officers, not all 124
        # The tables are rendered once per computation: the next visit (or htmx refresh) reads none.
        assert client.get(reverse("awards:live"), headers={"HX-Request": "true"}).content.decode() in body
        assert len(unpacked) == 53


def test_an_officer_sees_their_place_and_agency_on_the_live_page(client, crowd):
    sign_in(client, signed_up_officer(crowd))
    client.get(reverse("awards:live"))
    body = client.get(reverse("awards:live")).content.decode()  # from the cache this time
    assert "Phạm Văn B1" in body and "Đinh Văn B9" in body
    assert "Your agency is ranked 1 of 3" in body and "You are ranked 125 of 125" in body
    assert body.count("<tr class=") == 3 + 11  # three agencies; the top ten officers and the signed-up one
    assert "Cán bộ X115" not in body  # an AG-A officer outside the top ten


def test_a_lost_chunk_is_recomputed_not_an_error(client, crowd):
    sign_in(client, UserFactory(role=Role.PROVINCIAL))
    client.get(reverse("awards:live"))
    live = provisional_standings(campaign=crowd.campaign, week=crowd.week(2))[1].entries.live
    assert cache.get(live._chunk_key(live.head, 1, 0)) is not None
    cache.delete_many([live._chunk_key(live.head, 1, n) for n in range(3)])  # evicted
    assert client.get(reverse("awards:live")).status_code == 200
    standing = provisional_standings(campaign=crowd.campaign, week=crowd.week(2))[1]
    assert [e.rank for e in standing.entries[45:55]] == list(range(46, 56))


# --- One recomputation at a time -------------------------------------------------------------------------


def counting_computations(monkeypatch) -> list:
    calls = []
    real = live_module.scope_numbers

    def counted(**kwargs):
        calls.append(kwargs)
        return real(**kwargs)

    monkeypatch.setattr(live_module, "scope_numbers", counted)
    return calls


def test_when_the_standings_expire_one_caller_recomputes_and_the_others_get_the_previous(crowd, monkeypatch):
    week = crowd.week(2)
    first = provisional_standings(campaign=crowd.campaign, week=week)
    crowd.record("CB-A1", Product.BHXH_TN, on=date(2025, 11, 20))
    crowd.record("CB-A1", Product.BHXH_TN, on=date(2025, 11, 20))
    seen = []
    real = live_module.scope_numbers

    def slow(**kwargs):
        # Another request arrives while this one recomputes the expired standings.
        seen.append(provisional_standings(campaign=crowd.campaign, week=week))
        return real(**kwargs)

    generation = live_module._generation() + 1
    with mock.patch.object(live_module, "_generation", return_value=generation):
        monkeypatch.setattr(live_module, "scope_numbers", slow)
        fresh = provisional_standings(campaign=crowd.campaign, week=week)
        monkeypatch.setattr(live_module, "scope_numbers", lambda **kw: pytest.fail("recomputed"))
        again = provisional_standings(campaign=crowd.campaign, week=week)
    (previous,) = seen  # computed once, the caller meanwhile served at once
    officer = 1  # the rules by subject: agency, then collector
    assert previous[officer].entries[0].code == "CB-B1" and previous[officer].as_of == first[officer].as_of
    assert fresh[officer].entries[0].code == "CB-A1" and again[officer].as_of == fresh[officer].as_of


# Committed: on PostgreSQL the lock is a transaction's, and a test's own transaction would keep it.
@pytest.mark.django_db(transaction=True)
def test_with_the_lock_held_elsewhere_the_previous_standings_are_served(default_policies, crowd, monkeypatch):
    """The cache's claim has lapsed (a computation longer than it), yet another worker still holds the lock."""
    week = crowd.week(2)
    first = provisional_standings(campaign=crowd.campaign, week=week)
    calls = counting_computations(monkeypatch)
    generation = live_module._generation() + 1
    with (
        mock.patch.object(live_module, "_generation", return_value=generation),
        held_elsewhere(live_lock_name(crowd.campaign.pk, 2)),
    ):
        served = provisional_standings(campaign=crowd.campaign, week=week)
    assert not calls and served[0].as_of == first[0].as_of
    with mock.patch.object(live_module, "_generation", return_value=generation):
        assert provisional_standings(campaign=crowd.campaign, week=week)[0].as_of != first[0].as_of
    assert len(calls) == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_requests_after_expiry_make_one_recomputation(default_policies, world, settings, monkeypatch):
    """Six API requests at once, each on its own connection, as gunicorn's workers would make them."""
    settings.APP_TODAY = DURING_WEEK_2
    officer_points_rule(world.campaign, code="tuan-ca-nhan")
    headers = bearer(UserFactory(role=Role.PROVINCIAL))
    url = api(world)
    assert Client().get(url, headers=headers).status_code == 200
    previous = Client().get(url, headers=headers).content

    calls, answered = [], []
    others_answered = threading.Event()
    real = live_module.scope_numbers

    def slow(**kwargs):
        calls.append(1)
        others_answered.wait(timeout=10)  # the recomputation outlasts the other requests
        return real(**kwargs)

    def request():
        response = Client().get(url, headers=headers)
        answered.append(response.content)
        if len(answered) == 5:
            others_answered.set()
        return response

    monkeypatch.setattr(live_module, "scope_numbers", slow)
    generation = live_module._generation() + 1
    with mock.patch.object(live_module, "_generation", return_value=generation):
        responses = at_once(*([request] * 6))
    assert [getattr(r, "status_code", r) for r in responses] == [200] * 6
    assert len(calls) == 1
    assert answered[:5] == [previous] * 5  # the others got the previous standings at once
