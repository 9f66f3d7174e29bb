"""The provincial and agency dashboards: who sees which page, the figures against the progress API,
filters, drill-downs, the Excel downloads, and the number of queries of each page."""

import io
import re
from decimal import Decimal

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from campaign.templatetags.vn_format import vn_number, vn_percent
from collectors.roles import Role
from collectors.tests.factories import UserFactory, officer_user
from core import clock
from dashboard.progress.answer import progress_answer, progress_scope

from .world import TODAY, build_world, grow, snapshot_days

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(settings):
    settings.APP_TODAY = TODAY
    world = build_world()
    snapshot_days(world)
    return world


@pytest.fixture
def users(world):
    return {
        Role.ADMIN: UserFactory(role=Role.ADMIN),
        Role.PROVINCIAL: UserFactory(role=Role.PROVINCIAL),
        Role.OFFICER: officer_user(agency=world.agencies["A"]),
        None: UserFactory(),
    }


def _answer(user, world, office: str = "") -> dict:
    scope = progress_scope(user, campaign=world.campaign, office_code=office)
    return progress_answer(campaign=world.campaign, scope=scope, today=clock.today())


def _figure(body: str, name: str) -> str:
    return re.search(rf'data-figure="{name}">([^<]*)<', body).group(1).strip()


def _agency_attainment(body: str, code: str) -> str:
    return re.search(rf'data-agency="{code}">.*?data-figure="attainment">([^<]*)<', body, re.DOTALL).group(1)


STAFF_ONLY = {Role.ADMIN: 200, Role.PROVINCIAL: 200, Role.OFFICER: 403, None: 403}
OFFICER_ONLY = {Role.ADMIN: 403, Role.PROVINCIAL: 403, Role.OFFICER: 200, None: 403}
PAGES = [
    ("dashboard:overview", {}, STAFF_ONLY),
    ("dashboard:office", {"code": "N"}, STAFF_ONLY),
    ("dashboard:commune", {"code": "25480"}, STAFF_ONLY),
    ("dashboard:agency", {"code": "C"}, STAFF_ONLY),
    ("dashboard:agency_home", {}, OFFICER_ONLY),
    *(("dashboard:province_export", {"table": t}, STAFF_ONLY) for t in ("agencies", "communes", "weeks")),
    *(("dashboard:province_export", {"table": t}, STAFF_ONLY) for t in ("target-groups", "channels")),
    *(("dashboard:office_export", {"code": "N", "table": t}, STAFF_ONLY) for t in ("agencies", "communes")),
    ("dashboard:commune_export", {"code": "25480"}, STAFF_ONLY),
    *(
        ("dashboard:agency_export", {"code": "C", "table": t}, STAFF_ONLY)
        for t in ("weeks", "collectors", "communes", "enrollments")
    ),
    *(
        ("dashboard:my_agency_export", {"table": t}, OFFICER_ONLY)
        for t in ("weeks", "collectors", "communes", "enrollments")
    ),
]


@pytest.mark.parametrize("role", [Role.ADMIN, Role.PROVINCIAL, Role.OFFICER, None], ids=str)
def test_each_role_gets_exactly_its_dashboard_pages(client, users, role):
    client.force_login(users[role])
    got = {(name, *kwargs.values()): client.get(reverse(name, kwargs=kwargs)).status_code for name, kwargs, _ in PAGES}
    assert got == {(name, *kwargs.values()): expected[role] for name, kwargs, expected in PAGES}


def test_unknown_places_and_tables_are_not_found(client, users):
    client.force_login(users[Role.PROVINCIAL])
    for url in ("/overview/offices/NOPE/", "/overview/communes/99999/", "/overview/agencies/NOPE/", "/overview/x.xlsx"):
        assert client.get(url).status_code == 404


def test_the_provincial_dashboard_shows_the_progress_apis_figures(client, world, users):
    user = users[Role.PROVINCIAL]
    answer = _answer(user, world)
    client.force_login(user)
    body = client.get(reverse("dashboard:overview")).content.decode()
    for measure in ("bhyt", "bhxh"):
        figures = answer["province"][measure]
        assert _figure(body, f"{measure}-pct") == vn_percent(Decimal(figures["pct"]))
        assert _figure(body, f"{measure}-gap") == f"còn thiếu {vn_number(figures['gap'])} người"
    for agency in answer["agencies"]:
        shown = vn_percent(Decimal(agency["attainment_pct"])) if agency["attainment_pct"] else "–"
        assert _agency_attainment(body, agency["code"]) == shown
    # Four baselines of 27.900 and four BHYT people from each agency; in week 5 one BHYT person each.
    assert answer["province"]["bhyt"]["insured"] == 111_600 + 12
    assert _figure(body, "week-actual") == "3"


def test_the_overview_is_rendered_once_until_the_figures_move_on(client, world, users, django_assert_max_num_queries):
    from core import freshness
    from enrollments.vocabulary import figures_generation

    client.force_login(users[Role.PROVINCIAL])
    url = reverse("dashboard:overview")
    assert _figure(client.get(url).content.decode(), "week-actual") == "3"
    # The second request renders only the page's shell: session, user, role, campaign, offices.
    with django_assert_max_num_queries(6):
        again = client.get(url)
    assert _figure(again.content.decode(), "week-actual") == "3"
    grow(world)  # written behind the services' back: nothing tells the cache
    assert _figure(client.get(url).content.decode(), "week-actual") == "3"
    freshness.bump(figures_generation(world.campaign.pk))  # what a recorded enrollment does on commit
    assert _figure(client.get(url).content.decode(), "week-actual") == "6"
    # Another filter is another content, rendered for itself.
    assert 'data-agency="X0"' in client.get(url, {"office": "X"}).content.decode()


def test_an_office_page_shows_the_apis_figures_for_that_office(client, world, users):
    user = users[Role.PROVINCIAL]
    office = _answer(user, world, office="N")["offices"][0]
    client.force_login(user)
    body = client.get(reverse("dashboard:office", kwargs={"code": "N"})).content.decode()
    assert _figure(body, "bhyt-pct") == vn_percent(Decimal(office["bhyt"]["pct"]))
    assert 'data-commune="25480"' in body and 'data-commune="25482"' not in body
    assert 'data-agency="A"' in body and 'data-agency="C"' not in body


def test_the_officers_home_is_their_agency_and_matches_the_api(client, world, users):
    user = users[Role.OFFICER]
    answer = _answer(user, world)
    client.force_login(user)
    response = client.get(reverse("home"))
    assert response["Location"] == "/my-agency/"
    body = client.get(response["Location"]).content.decode()
    [agency] = answer["agencies"]
    assert agency["code"] == "A"
    assert _figure(body, "attainment") == vn_percent(Decimal(agency["attainment_pct"]))
    assert "Bưu điện Bắc" in body
    # Never another agency's people or officers.
    assert "Người A 0" in body and "Người C 0" not in body and "Người B 0" not in body
    assert "Cán bộ A một" in body and "Cán bộ C một" not in body
    # Mugs: 20 received, 3 handed over; 3 counted people still without one.
    assert _figure(body, "mugs-on-hand") == "17"
    assert _figure(body, "mugs-due") == "3"
    # Their own people in full; the communes it serves, and no other.
    assert "072085000001" in body
    assert "Xã 25480" in body and "Xã 25482" not in body


def test_provincial_staff_see_an_agency_with_personal_data_masked(client, world, users):
    client.force_login(users[Role.PROVINCIAL])
    body = client.get(reverse("dashboard:agency", kwargs={"code": "A"})).content.decode()
    assert "072085000001" not in body and "072*******01" in body


def test_agencies_filter_by_office_kind_and_product_and_sort(client, world, users):
    client.force_login(users[Role.PROVINCIAL])
    url = reverse("dashboard:overview")
    body = client.get(url, {"kind": "post_office"}).content.decode()
    assert 'data-agency="A"' in body and 'data-agency="C"' in body and 'data-agency="B"' not in body
    body = client.get(url, {"office": "S"}).content.decode()
    assert re.findall(r'data-agency="(\w+)"', body) == ["C"]
    assert re.findall(r'data-commune="(\w+)"', body) == ["25482", "25483"]
    body = client.get(url, {"sort": "-name"}).content.decode()
    assert re.findall(r'data-agency="(\w+)"', body) == ["B", "C", "A"]  # Đại lý, Bưu điện Nam, Bưu điện Bắc
    body = client.get(url, {"product": "bhyt_hgd"}).content.decode()
    # Week 5: each agency counted one BHYT HGĐ person (10/12) against a quota of 4.
    assert _agency_attainment(body, "A") == "25,00%"


def test_htmx_gets_only_the_filtered_tables(client, world, users):
    client.force_login(users[Role.PROVINCIAL])
    htmx = {"HX-Request": "true", "HX-Target": "filtered"}
    response = client.get(reverse("dashboard:overview"), {"kind": "commune_agent"}, headers=htmx)
    body = response.content.decode()
    assert "<html" not in body and body.lstrip().startswith('<div id="filtered">')
    assert re.findall(r'data-agency="(\w+)"', body) == ["B"]


def test_communes_that_will_miss_the_target_are_marked(client, world, users):
    client.force_login(users[Role.PROVINCIAL])
    body = client.get(reverse("dashboard:overview")).content.decode()
    # At a pace of a few people a month, every commune misses 95% from 93%.
    assert body.count("will miss") + body.count("sẽ không đạt") >= 4


def test_a_commune_page_shows_who_serves_it_and_what_they_brought(client, world, users):
    client.force_login(users[Role.PROVINCIAL])
    body = client.get(reverse("dashboard:commune", kwargs={"code": "25481"})).content.decode()
    table = body[body.index('id="commune-agencies"') :]
    assert "Bưu điện Bắc" in table and "Đại lý xã Bắc" in table and "Bưu điện Nam" not in table


def _sheet(response) -> list[tuple]:
    content = b"".join(response.streaming_content)
    return list(load_workbook(io.BytesIO(content), read_only=True).active.iter_rows(values_only=True))


def test_the_exports_hold_what_the_pages_show(client, world, users):
    client.force_login(users[Role.PROVINCIAL])
    rows = _sheet(client.get(reverse("dashboard:province_export", kwargs={"table": "agencies"}), {"office": "S"}))
    header = rows.index(next(r for r in rows if r and r[0] == "Mã tổ chức thu"))
    assert [r[0] for r in rows[header + 1 :]] == ["C"]
    rows = _sheet(client.get(reverse("dashboard:province_export", kwargs={"table": "communes"})))
    assert sorted(r[0] for r in rows[3:]) == ["25480", "25481", "25482", "25483"]
    rows = _sheet(client.get(reverse("dashboard:province_export", kwargs={"table": "channels"})))
    assert [r[-1] for r in rows[3:]] == [6, 3, 3, 3, 3, 0]  # market, household business, home, counter, event, other


def test_an_officers_export_holds_only_their_agency(client, world, users):
    client.force_login(users[Role.OFFICER])
    rows = _sheet(client.get(reverse("dashboard:my_agency_export", kwargs={"table": "enrollments"})))
    names = [r[2] for r in rows[3:]]
    assert names and all(name.startswith("Người A") for name in names)
    assert "072085000001" in [r[3] for r in rows[3:]]


# --- query counts: pinned at the measured count, on a world grown so that an N+1 would show ---------

# Retention (dashboard/retention.py) is read as the worker stored it: 2 queries (the periods, their
# counts) for both periods, whatever the number of agencies and communes; the campaign is read once
# per request. The people added are carried forward from the snapshots (progress/incremental.py): five
# small queries (baseline dates, the latest snapshots, whether their past moved, the pace window's
# past, the rows since) where the full count was one, whatever the number of enrollments.
QUERY_PINS = [
    # 26 + retention (2) - the campaign read once (1) + the live leaders under their lock (2, and on
    # PostgreSQL the advisory lock's own query and the ranking's SET LOCAL, core/aggregates.py) + 5
    ("dashboard:overview", {}, Role.PROVINCIAL, 36),
    ("dashboard:office", {"code": "N"}, Role.PROVINCIAL, 23),  # 17 + 2 - 1 + 5
    ("dashboard:commune", {"code": "25480"}, Role.PROVINCIAL, 17),  # 11 + 2 - 1 + 5
    ("dashboard:agency", {"code": "A"}, Role.PROVINCIAL, 29),  # 23 + 2 - 1 + 5
    # 23 + the renewals (5) + 2 - 1 + the weights of "you this week" + 5
    ("dashboard:agency_home", {}, Role.OFFICER, 35),
]


@pytest.mark.parametrize(("name", "kwargs", "role", "pin"), QUERY_PINS, ids=[p[0] for p in QUERY_PINS])
def test_dashboard_query_counts_do_not_grow_with_data(
    client, world, users, django_assert_max_num_queries, name, kwargs, role, pin
):
    from dashboard.retention import refresh_retention

    grow(world)
    snapshot_days(world)
    refresh_retention(campaign=world.campaign, today=TODAY)  # what the worker stores each round
    client.force_login(users[role])
    with django_assert_max_num_queries(pin):
        assert client.get(reverse(name, kwargs=kwargs)).status_code == 200


def test_an_agency_page_shows_its_officers_for_the_week_chosen(client, world, users):
    client.force_login(users[Role.OFFICER])
    htmx = {"HX-Request": "true", "HX-Target": "officers"}
    body = client.get(reverse("dashboard:agency_home"), {"week": "3"}, headers=htmx).content.decode()
    assert body.lstrip().startswith('<section class="mb-4" id="officers">')
    assert "Tuần 3" in body or "tuần 3" in body
    # Week 3 (26/11–02/12): A's officers one and two each recorded one person (26/11 and 01/12).
    rows = re.findall(r"<tr><td>(Cán bộ A \w+)</td><td class=\"num\">(\d+)</td><td class=\"num\">(\d+)</td>", body)
    assert sorted(rows) == [("Cán bộ A hai", "0", "1"), ("Cán bộ A một", "1", "0")]
