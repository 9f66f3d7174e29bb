"""Every page has an explicit role rule, and each role gets exactly the pages it should."""

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from campaign.tests.factories import CampaignFactory
from collectors.roles import PUBLIC, Role
from collectors.tests.factories import AgencyFactory, UserFactory, WeeklyQuotaFactory, officer_user


def _patterns(resolver=None, prefix=""):
    for entry in (resolver or get_resolver()).url_patterns:
        if isinstance(entry, URLResolver):
            if entry.app_name == "admin":
                continue  # Django's admin checks is_staff and model permissions itself.
            if entry.namespace == "api":
                continue  # Each API operation declares its auth rule (config/tests/test_api.py).
            yield from _patterns(entry, prefix + str(entry.pattern))
        elif isinstance(entry, URLPattern):
            yield prefix + str(entry.pattern), entry.callback


def test_every_url_has_an_explicit_role_rule():
    missing = [route for route, view in _patterns() if not getattr(view, "allowed_roles", None)]
    assert missing == []


def test_only_the_login_logout_and_language_views_are_public():
    public = sorted(route for route, view in _patterns() if view.allowed_roles == PUBLIC)
    # The web app's manifest and service worker hold no data, and browsers fetch the manifest without
    # the session: public on purpose (enrollments/views/field_app.py).
    assert public == ["accounts/login/", "accounts/logout/", "i18n/setlang/", "manifest.webmanifest", "sw.js"]


@pytest.fixture
def world(db):
    campaign = CampaignFactory()
    mine, other = AgencyFactory(code="MINE"), AgencyFactory(code="OTHER")
    WeeklyQuotaFactory(agency=mine, week=campaign.weeks.get(number=1))
    return {
        "users": {
            Role.ADMIN: UserFactory(role=Role.ADMIN, is_staff=True),
            Role.PROVINCIAL: UserFactory(role=Role.PROVINCIAL),
            Role.OFFICER: officer_user(agency=mine),
            None: UserFactory(),
        },
        "mine": mine,
        "other": other,
        "campaign": campaign,
    }


PAGES = [
    # (url name, kwargs, {role: expected status})
    ("dashboard:overview", {}, {Role.ADMIN: 200, Role.PROVINCIAL: 200, Role.OFFICER: 403, None: 403}),
    ("dashboard:admin_home", {}, {Role.ADMIN: 200, Role.PROVINCIAL: 403, Role.OFFICER: 403, None: 403}),
    ("collectors:agency_list", {}, {Role.ADMIN: 200, Role.PROVINCIAL: 200, Role.OFFICER: 200, None: 403}),
    (
        "collectors:agency_detail",
        {"code": "MINE"},
        {Role.ADMIN: 200, Role.PROVINCIAL: 200, Role.OFFICER: 200, None: 403},
    ),
    (
        "collectors:agency_detail",
        {"code": "OTHER"},
        {Role.ADMIN: 200, Role.PROVINCIAL: 200, Role.OFFICER: 404, None: 403},
    ),
    ("collectors:my_agency", {}, {Role.ADMIN: 403, Role.PROVINCIAL: 403, Role.OFFICER: 200, None: 403}),
    ("enrollments:start", {}, {Role.ADMIN: 403, Role.PROVINCIAL: 403, Role.OFFICER: 200, None: 403}),
    ("enrollments:enroll_bhyt", {}, {Role.ADMIN: 403, Role.PROVINCIAL: 403, Role.OFFICER: 200, None: 403}),
    ("enrollments:enroll_bhxh", {}, {Role.ADMIN: 403, Role.PROVINCIAL: 403, Role.OFFICER: 200, None: 403}),
    (
        "enrollments:lookup",
        {"product": "bhyt_hgd"},
        {Role.ADMIN: 403, Role.PROVINCIAL: 403, Role.OFFICER: 200, None: 403},
    ),
    ("enrollments:receipt", {}, {Role.ADMIN: 403, Role.PROVINCIAL: 403, Role.OFFICER: 200, None: 403}),
    ("enrollments:list", {}, {Role.ADMIN: 200, Role.PROVINCIAL: 200, Role.OFFICER: 200, None: 403}),
    ("awards:index", {}, {Role.ADMIN: 200, Role.PROVINCIAL: 200, Role.OFFICER: 200, None: 403}),
    ("awards:live", {}, {Role.ADMIN: 200, Role.PROVINCIAL: 200, Role.OFFICER: 200, None: 403}),
    ("awards:week", {"number": 1}, {Role.ADMIN: 200, Role.PROVINCIAL: 200, Role.OFFICER: 200, None: 403}),
    ("awards:final", {}, {Role.ADMIN: 200, Role.PROVINCIAL: 200, Role.OFFICER: 200, None: 403}),
    ("dashboard:imports", {}, {Role.ADMIN: 200, Role.PROVINCIAL: 403, Role.OFFICER: 403, None: 403}),
    (
        "dashboard:import_upload",
        {"kind": "quotas"},
        {Role.ADMIN: 200, Role.PROVINCIAL: 403, Role.OFFICER: 403, None: 403},
    ),
    (
        "dashboard:import_template",
        {"kind": "roster"},
        {Role.ADMIN: 200, Role.PROVINCIAL: 403, Role.OFFICER: 403, None: 403},
    ),
    ("dashboard:reports", {}, {Role.ADMIN: 200, Role.PROVINCIAL: 200, Role.OFFICER: 403, None: 403}),
    ("dashboard:report_attainment", {}, {Role.ADMIN: 200, Role.PROVINCIAL: 200, Role.OFFICER: 403, None: 403}),
    ("dashboard:report_coverage", {}, {Role.ADMIN: 200, Role.PROVINCIAL: 200, Role.OFFICER: 403, None: 403}),
    ("dashboard:report_enrollments", {}, {Role.ADMIN: 200, Role.PROVINCIAL: 403, Role.OFFICER: 403, None: 403}),
    ("password_change", {}, {Role.ADMIN: 200, Role.PROVINCIAL: 200, Role.OFFICER: 200, None: 403}),
    ("admin:index", {}, {Role.ADMIN: 200, Role.PROVINCIAL: 302, Role.OFFICER: 302, None: 302}),
    ("account", {}, {Role.ADMIN: 200, Role.PROVINCIAL: 200, Role.OFFICER: 200, None: 403}),
    ("logout_everywhere", {}, {Role.ADMIN: 405, Role.PROVINCIAL: 405, Role.OFFICER: 405, None: 403}),
    ("two_step", {}, {Role.ADMIN: 200, Role.PROVINCIAL: 403, Role.OFFICER: 403, None: 403}),
    # Without an enrolled authenticator there is no code to ask for: back to the page asked for.
    ("two_step_verify", {}, {Role.ADMIN: 302, Role.PROVINCIAL: 302, Role.OFFICER: 302, None: 403}),
]


@pytest.mark.parametrize("role", [Role.ADMIN, Role.PROVINCIAL, Role.OFFICER, None], ids=str)
@pytest.mark.parametrize(("name", "kwargs", "expected"), PAGES, ids=[f"{p[0]}{p[1]}" for p in PAGES])
def test_role_access_to_each_page(client, world, name, kwargs, expected, role):
    client.force_login(world["users"][role])
    assert client.get(reverse(name, kwargs=kwargs)).status_code == expected[role]


@pytest.mark.parametrize(("name", "kwargs", "_"), PAGES, ids=[f"{p[0]}{p[1]}" for p in PAGES])
def test_anonymous_visitors_are_sent_to_the_login_page(client, db, name, kwargs, _):
    response = client.get(reverse(name, kwargs=kwargs))
    assert response.status_code == 302
    assert "login" in response["Location"]


@pytest.mark.parametrize(
    ("role", "home"),
    [
        (Role.ADMIN, "dashboard:admin_home"),
        (Role.PROVINCIAL, "dashboard:overview"),
        (Role.OFFICER, "dashboard:agency_home"),
    ],
)
def test_home_sends_each_role_to_its_own_page(client, world, role, home):
    client.force_login(world["users"][role])
    response = client.get(reverse("home"))
    assert response.status_code == 302 and response["Location"] == reverse(home)


def test_officer_agency_list_shows_only_their_agency(client, world):
    client.force_login(world["users"][Role.OFFICER])
    body = client.get(reverse("collectors:agency_list")).content.decode()
    assert "MINE" in body and "OTHER" not in body


def test_agency_search_returns_the_table_partial_to_htmx(client, world):
    client.force_login(world["users"][Role.ADMIN])
    response = client.get(reverse("collectors:agency_list"), {"q": "oth"}, headers={"HX-Request": "true"})
    body = response.content.decode()
    assert "<html" not in body and 'id="agency-table"' in body
    assert "OTHER" in body and "MINE" not in body


@pytest.mark.parametrize(
    ("name", "role", "limit"),
    [
        # 22 + retention as stored (2 queries, both periods), less 1; + the incremental count's 5, less the full one
        ("dashboard:overview", Role.PROVINCIAL, 24),
        ("dashboard:admin_home", Role.ADMIN, 14),
        ("collectors:agency_list", Role.PROVINCIAL, 12),
        ("collectors:my_agency", Role.OFFICER, 14),
    ],
)
def test_page_query_counts_do_not_grow_with_data(client, world, django_assert_max_num_queries, name, role, limit):
    from core import clock
    from dashboard.retention import refresh_retention

    for _ in range(20):
        AgencyFactory()
    refresh_retention(campaign=world["campaign"], today=clock.today())  # what the worker stores each round
    client.force_login(world["users"][role])
    with django_assert_max_num_queries(limit):
        assert client.get(reverse(name)).status_code == 200
