"""The renewal lists counted, ordered and paged by the database: counts, order across pages, scoping, queries."""

import io
from collections import Counter
from datetime import timedelta

import openpyxl
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from enrollments.renewals import selectors, views
from enrollments.renewals.selectors import RenewalFilters, coverage_ending_between, renewal_list, renewal_summary
from enrollments.tests.factories import cccd_of

from .test_api import URL, bearer
from .world import TODAY, add_crowd, build_world

pytestmark = pytest.mark.django_db

STATUSES = ("due", "lapsed_renew", "lapsed_rejoin")


@pytest.fixture
def world(settings, client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    world = build_world(settings)
    world["crowd"] = add_crowd(world)
    return world


def the_rule(row):
    """DOMAIN.md's order, restated: due soonest first, then lapsed latest first, renewing before rejoining;
    then by name and CCCD in code point order, BHYT before BHXH."""
    rank = STATUSES.index(row.status)
    end = row.coverage_end.toordinal()
    return (rank, end if rank == 0 else -end, row.full_name, row.full_cccd, row.product != "bhyt_hgd")


def keys(rows):
    return [(row.full_cccd, row.product) for row in rows]


def everything(user, world, **filters):
    return renewal_list(user, today=TODAY, filters=RenewalFilters(**filters), campaign=world["campaign"])


def test_the_whole_list_is_in_the_rules_order_and_its_pages_join_up(world, monkeypatch):
    monkeypatch.setattr(selectors, "CHUNK", 4)  # the whole list is read a few rows at a time
    found = everything(world["admin"], world, within=60)
    whole = list(found)
    assert len(whole) == 7 + 30 + 4 + 4
    assert keys(whole) == keys(sorted(whole, key=the_rule))
    # Names sharing an end go in code point order: "Ánh" after "Bình" and "Yến".
    due_on_the_20th = [row.full_name for row in whole if row.full_cccd in world["crowd"]["served_prior"][:10]]
    assert due_on_the_20th == ["An", "Bình", "Bảo", "Chi", "Dũng", "Yến", "Ánh", "Ánh", "Ân", "Đức"]
    pages = [found[offset : offset + 6] for offset in range(0, len(whole), 6)]
    assert keys(row for page in pages for row in page) == keys(whole)
    assert found[len(whole) : len(whole) + 6] == []
    assert keys([found[0], found[-1]]) == keys([whole[0], whole[-1]])


@pytest.mark.parametrize("user", ["admin", "officer", "provincial"])
def test_the_counts_are_the_rows_of_each_status(world, user):
    whole = list(everything(world[user], world))
    counts = Counter(row.status for row in whole)
    summary = renewal_summary(world[user], today=TODAY, campaign=world["campaign"])
    assert summary["counts"] == {status: counts[status] for status in STATUSES}
    assert summary["total"] == len(whole) > 10
    assert keys(summary["rows"]) == keys(whole[:10])
    for status in STATUSES:
        filtered = everything(world[user], world, status=status)
        assert len(filtered) == counts[status]
        assert keys(filtered) == keys(row for row in whole if row.status == status)


def test_an_officer_never_sees_another_agencys_people_on_any_page(world, client, monkeypatch):
    crowd = world["crowd"]
    theirs = {cccd_of(7), *crowd["other"], cccd_of(9), *crowd["elsewhere_prior"]}
    ours = {cccd_of(1), cccd_of(3), cccd_of(6), cccd_of(8), *crowd["mine"], *crowd["served_prior"]}
    officer = world["officer"]
    whole = list(everything(officer, world))
    assert {row.full_cccd for row in whole} == ours
    summary = renewal_summary(officer, today=TODAY, campaign=world["campaign"])
    assert summary["total"] == len(whole)
    # The page, every page of it.
    monkeypatch.setattr(views, "PAGE_SIZE", 7)
    client.force_login(officer)
    seen, number = [], 1
    while True:
        page = client.get(reverse("enrollments:renewals"), {"page": number}).context["page"]
        seen += [row.full_cccd for row in page.object_list]
        if not page.has_next():
            break
        number += 1
    assert number == -(-len(whole) // 7)
    assert seen == [row.full_cccd for row in whole]
    # The Excel download.
    answer = client.get(reverse("enrollments:renewals_xlsx"))
    sheet = openpyxl.load_workbook(io.BytesIO(b"".join(answer.streaming_content))).active
    names = [row[0] for row in sheet.iter_rows(values_only=True)][-len(whole) :]
    assert names == [row.full_name for row in whole]
    assert sheet.max_row - len(whole) < 5  # nothing more than the title lines and the header
    # The API, following its links.
    items, url, params = [], URL, {"limit": 5}
    while url:
        body = client.get(url, params, headers=bearer(officer)).json()
        assert body["count"] == len(whole)
        items += body["items"]
        url, params = body["next"], None
    assert [item["full_name"] for item in items] == [row.full_name for row in whole]
    assert not {row.full_cccd for row in whole} & theirs


def test_the_api_pages_link_forward_and_back(world, client):
    headers = bearer(world["admin"])
    whole = list(everything(world["admin"], world, within=60))
    first = client.get(URL, {"within": 60, "limit": 20}, headers=headers).json()
    assert (first["count"], first["previous"]) == (len(whole), None)
    second = client.get(first["next"], headers=headers).json()
    assert "within=60" in first["next"] and "offset=20" in first["next"]
    last = client.get(second["next"], headers=headers).json()
    assert last["next"] is None
    assert len(first["items"]) + len(second["items"]) + len(last["items"]) == len(whole)
    assert [item["full_name"] for item in second["items"]] == [row.full_name for row in whole[20:40]]
    assert client.get(second["previous"], headers=headers).json() == first
    beyond = client.get(URL, {"within": 60, "offset": 500}, headers=headers).json()
    assert (beyond["items"], beyond["count"], beyond["next"]) == ([], len(whole), None)


def _queries(action) -> int:
    with CaptureQueriesContext(connection) as queries:
        action()
    return len(queries)


def _fresh_officer(world):
    """The same officer as a new request sees them (nothing cached on the user object)."""
    return type(world["officer"]).objects.get(pk=world["officer"].pk)


# Who the officer is (their role, their collector), the first rows with the counts (one query), the
# rates in force, the rows' mugs, households' ladders, State support used, agencies and last
# contacts; the page adds the session, the user and the running campaign. On PostgreSQL the rows'
# query comes after its settings (no JIT, more work_mem: core/aggregates.py), one statement more.
SETTINGS = 1 if connection.vendor == "postgresql" else 0
SUMMARY_QUERIES = 10 + SETTINGS
PAGE_QUERIES = 12 + SETTINGS


@pytest.mark.parametrize("within", [30, 60])
def test_the_summary_and_a_page_cost_the_same_queries_for_more_people(world, client, within, monkeypatch):
    def summary():
        # 40 rows shown: participants among them, so that every look-up of the rows is made.
        rows = renewal_summary(_fresh_officer(world), today=TODAY, campaign=world["campaign"], shown=40)["rows"]
        assert {row.known_only_from_prior_coverage for row in rows} == {True, False}

    def page():
        assert client.get(reverse("enrollments:renewals"), {"within": within}).status_code == 200

    def deep_page():
        assert client.get(reverse("enrollments:renewals"), {"within": within, "page": 3}).status_code == 200

    client.force_login(world["officer"])
    before = (_queries(summary), _queries(page))
    assert before == (SUMMARY_QUERIES, PAGE_QUERIES)
    monkeypatch.setattr(views, "PAGE_SIZE", 7)
    with CaptureQueriesContext(connection) as queries:
        deep_page()  # rows 15-21: the people found once, the counts with them
    assert [query["sql"].count("UNION ALL") > 0 for query in queries].count(True) == 1
    monkeypatch.undo()
    add_crowd(world, start=300)
    assert (_queries(summary), _queries(page)) == before


def test_the_list_is_found_without_jit_compiling_on_postgresql(world):
    """The planner's cost of an agency's list passes PostgreSQL's JIT thresholds, and compiling it took
    longer than running it (4.9 s of 7.9 s at 56,000 people): the list's query runs with JIT off, in
    the same transaction (``SET LOCAL``). Elsewhere (SQLite) nothing is set."""
    with CaptureQueriesContext(connection) as queries:
        renewal_summary(_fresh_officer(world), today=TODAY, campaign=world["campaign"])
    statements = [query["sql"] for query in queries]
    found = [index for index, sql in enumerate(statements) if "UNION ALL" in sql]
    assert len(found) == 1
    settings = [sql for sql in statements if sql.startswith("SET LOCAL")]
    if connection.vendor == "postgresql":
        assert statements[found[0] - 1] == settings[0]
        assert "jit = off" in settings[0]
    else:
        assert settings == []


def test_the_lists_and_retention_read_the_same_latest_coverage(world):
    """The lists read a person's latest coverage from their latest enrollment; ``coverage_ending_between``
    (the dashboards' retention) per person: the same people, ends and agencies."""
    low, high = selectors._window(TODAY, 60)
    listed = {
        (row.full_cccd, row.product): (row.coverage_end, row.agency_id)
        for row in everything(world["admin"], world, within=60)
    }
    read = {}
    for product in ("bhyt_hgd", "bhxh_tn"):
        people, prior_only = coverage_ending_between(product, low, high, before=TODAY + timedelta(days=1))
        read |= {(person.cccd, product): (person.end, person.latest_agency) for person in people}
        read |= {(prior.cccd, product): (prior.last_coverage_end, None) for prior in prior_only}
    assert listed == read
    assert len(read) == 45
