"""Every URL of the project, asked by every kind of caller, GET and POST (issue 10, "Proofs: access").

The routes are found by walking the URL resolver (pages, the JSON API's operations and the Django
admin's pages, each registered model's changelist, add, change, history and delete); their path
parameters are filled with rows of two agencies, A and B (access_world.py). Each is requested by
an anonymous visitor, an officer of A, an officer of B, provincial staff and an admin; pages with a
browser session and the CSRF check enforced, the API with each user's bearer token. For each
answer the test checks:

- its status against the table of access_rules.py (who may GET, who may POST);
- that an officer's answer shows none of the other agency's people (CCCD, phone, birth date, name),
  in HTML, JSON or the cells of an .xlsx;
- that nothing an officer asks changes the other agency's rows, and nothing a provincial user or
  an anonymous visitor asks changes any row at all.

A URL name missing from the table fails, as does a page without a role rule.
"""

import json

import pytest
from django.contrib import admin
from django.test import Client
from django.test.utils import override_settings
from django.urls import reverse
from django.utils import translation

from collectors.roles import PUBLIC, Role

from .access_probe import (
    CSRF_SECRET,
    WHO,
    admin_model_names,
    ask,
    clients,
    every_row,
    fingerprint,
    routes,
    rows_of,
)
from .access_rules import (
    ADMIN_ALL_VIEWS_FOR,
    ADMIN_MODEL_RULE,
    ADMIN_MODEL_VIEWS_ASKED,
    ADMIN_MODELS,
    NOBODY,
    READ_ONLY,
    RULES,
    Rule,
    admin_status,
)
from .access_world import TODAY, build_access_world

ROLE_OF = {"anonymous": None, "officer_a": Role.OFFICER, "officer_b": Role.OFFICER}
ROLE_OF |= {"provincial": Role.PROVINCIAL, "admin": Role.ADMIN}
OWN_SIDE = {"officer_a": "A", "officer_b": "B"}
LOGIN = {"web": "/accounts/login/", "admin": "/admin/login/"}

ROUTES = {route.name: route for route in routes()}
ADMIN_MODEL_ROUTES = admin_model_names()


def rule_for(name: str) -> Rule:
    return ADMIN_MODEL_RULE if name in ADMIN_MODEL_ROUTES else RULES[name]


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    """Built once for the module, inside a transaction rolled back at its end."""
    from django.db import transaction

    with (
        django_db_blocker.unblock(),
        override_settings(APP_TODAY=TODAY),
        translation.override("en"),
        transaction.atomic(),
    ):
        yield build_access_world()
        transaction.set_rollback(True)


@pytest.fixture(scope="module")
def callers(world):
    """The five callers, signed in once for the module (their sessions live in its transaction)."""
    return clients(world)


@pytest.fixture(scope="module")
def baselines(world):
    """What each caller must leave as it is, as stored before any request (the world never changes)."""
    return {who: fingerprint(_watched(who, world)) for who in WHO}


# --- the table covers every route, and every page has a role rule -------------------------------


def test_every_url_name_has_an_entry_in_the_table():
    unnamed = sorted(r.pattern for r in ROUTES.values() if not r.name and r.kind != "admin")
    assert unnamed == [], "give these URL patterns a name and an entry in access_rules.RULES"
    named = {name for name, route in ROUTES.items() if name}
    # Django's admin also has unnamed patterns: redirects to a model's change page and its catch-all.
    assert sorted(named - set(RULES) - set(ADMIN_MODEL_ROUTES)) == []
    assert sorted(set(RULES) - named) == [], "entries for routes that are gone"
    assert sorted(set(ADMIN_MODEL_ROUTES) - named) == []


def test_every_page_declares_its_role_rule():
    """``@role_required(...)`` or ``@public`` on every page; the API and the admin have their own rules."""
    missing = sorted(
        r.name for r in ROUTES.values() if r.kind == "web" and not getattr(r.callback, "allowed_roles", None)
    )
    assert missing == []
    public = sorted(r.name for r in ROUTES.values() if r.kind == "web" and r.callback.allowed_roles == PUBLIC)
    assert public == sorted(name for name, rule in RULES.items() if rule.get == PUBLIC and ROUTES[name].kind == "web")


def test_every_admin_model_has_its_rights_in_the_table():
    assert sorted(model._meta.label for model in admin.site._registry) == sorted(ADMIN_MODELS)


def test_every_admin_model_has_a_row_to_open(world, db):
    empty = sorted(model._meta.label for model in admin.site._registry if not model._default_manager.exists())
    assert empty == [], "add a row of these models to access_world.py"


# --- the matrix ---------------------------------------------------------------------------------


def expected(rule: Rule, kind: str, method: str, who: str, owner: str) -> tuple[set[int], str | None]:
    """The statuses allowed for this answer, and where a redirect must lead (a login page), if it must."""
    if (method, who) in rule.extra:
        status, *location = (
            rule.extra[(method, who)] if isinstance(rule.extra[(method, who)], tuple) else (rule.extra[(method, who)],)
        )
        return {status}, location[0] if location else None
    allowed = rule.get if method == "GET" else rule.post
    read_only = allowed == READ_ONLY
    if read_only and kind == "api":
        return {405}, None  # an operation answers only its own method, before any credentials
    if read_only:
        allowed = rule.get
    ok = {rule.ok if method == "GET" else rule.post_ok} | ({rule.ok, 405} if read_only else set())
    role = ROLE_OF[who]
    if allowed == PUBLIC:
        return ok, None
    if role is None or role not in allowed:
        return _refused(rule, kind, method, role, allowed)
    if rule.scoped and role == Role.OFFICER and OWN_SIDE[who] != owner:
        return {404}, None
    return ok, None


def _refused(rule: Rule, kind: str, method: str, role, allowed) -> tuple[set[int], str | None]:
    """Anonymous: the login page (401 from the API). A role not let in: 403 (the admin: its login page);
    405 when the role may use the other method of a one-method route."""
    if role is None:
        return ({401}, None) if kind == "api" else ({302}, LOGIN[kind])
    if kind == "admin":
        return {302}, LOGIN["admin"]
    others = rule.post if method == "GET" else rule.get
    if allowed == NOBODY and isinstance(others, frozenset) and role in others:
        return {405}, None
    return {403}, None


def _urls(name: str, rule: Rule, world):
    """(owner, url) for each filling of the path with A's rows, then B's; the same url once."""
    seen = set()
    for owner in ("A", "B"):
        filled = rule.args(world, world.sides[owner]) if name not in ADMIN_MODEL_ROUTES else admin_args(name, world)
        for kwargs in filled if isinstance(filled, list) else [filled]:
            kwargs = dict(kwargs)
            query, positional = kwargs.pop("?", ""), kwargs.pop("*", ())
            url = reverse(name, args=positional, kwargs=kwargs) if positional else reverse(name, kwargs=kwargs)
            url += f"?{query}" if query else ""
            if url not in seen:
                seen.add(url)
                yield owner, url


def admin_args(name: str, world) -> dict:
    label = ADMIN_MODEL_ROUTES[name]
    if name.endswith(("_changelist", "_add")):
        return {}
    model = next(m for m in admin.site._registry if m._meta.label == label)
    return {"object_id": model._default_manager.order_by("pk").values_list("pk", flat=True).first()}


def _post_body(kind: str) -> dict:
    if kind == "api":
        return {"data": "{}", "content_type": "application/json"}
    return {"data": {"csrfmiddlewaretoken": CSRF_SECRET}}


def _watched(who: str, world) -> list:
    if who in OWN_SIDE:
        other = "B" if who == "officer_a" else "A"
        return rows_of(world.sides[other])
    return [] if who == "admin" else every_row(own=world.users.get(who))


def _check(world, callers, baselines, route, rule, owner, url, who, method) -> list[str]:
    problems = []
    if route.name in ADMIN_MODEL_ROUTES and who == "admin":
        view = route.name.rsplit("_", 1)[1]
        rule = Rule(
            get=rule.get,
            post=rule.post,
            ok=admin_status(ADMIN_MODEL_ROUTES[route.name], view, "GET"),
            post_ok=admin_status(ADMIN_MODEL_ROUTES[route.name], view, "POST"),
        )
    sent = _post_body(route.kind) if method == "POST" else {}
    watched = _watched(who, world)
    client = callers[who][route.kind]
    response, text, changed = ask(client, method, url, watched=watched, baseline=baselines[who], **sent)
    statuses, login = expected(rule, route.kind, method, who, owner)
    where = f"{method} {url} as {who}"
    if response.status_code not in statuses:
        problems.append(f"{where}: {response.status_code}, expected {sorted(statuses)}")
    elif login and not response["Location"].startswith(login):
        problems.append(f"{where}: sent to {response['Location']}, expected {login}")
    if changed:
        problems.append(f"{where}: changed rows it must not touch (wrote to {sorted(changed)})")
    if who in OWN_SIDE:
        other = world.sides["B" if who == "officer_a" else "A"]
        leaked = sorted(secret for secret in other.secrets() if secret in text and secret not in url)
        if leaked:
            problems.append(f"{where}: shows the other agency's people: {leaked}")
    return problems


def _asked(name: str) -> bool:
    view = name.rsplit("_", 1)[1]
    return view in ADMIN_MODEL_VIEWS_ASKED or ADMIN_MODEL_ROUTES[name] in ADMIN_ALL_VIEWS_FOR


MATRIX = sorted(RULES) + sorted(filter(_asked, ADMIN_MODEL_ROUTES))


@pytest.mark.parametrize("name", MATRIX)
def test_each_caller_gets_what_the_table_says(world, callers, baselines, db, name):
    route, rule = ROUTES[name], rule_for(name)
    problems = []
    for owner, url in _urls(name, rule, world):
        for who in WHO:
            for method in ("GET", "POST"):
                problems += _check(world, callers, baselines, route, rule, owner, url, who, method)
    assert not problems, "\n".join(problems)


# --- staff of another province --------------------------------------------------------------------


def _names_a_row(rule: Rule, world) -> bool:
    """Whether the route's path names one of the world's rows (an office, an agency, a ranking ...)."""
    filled = rule.args(world, world.sides["A"])
    return any({"pk", "code"} & set(kwargs) for kwargs in (filled if isinstance(filled, list) else [filled]))


def test_staff_of_another_province_see_none_of_this_ones_rows(world, db):
    """Provincial staff posted to another province (with its own campaign) ask every route provincial
    staff may read, filled with A's and B's rows: 404 for a route that names one, never a 5xx, none
    of A's or B's people in any answer, and nothing written."""
    from campaign.tests.factories import CampaignFactory, ProvinceFactory
    from collectors.tests.factories import UserFactory
    from collectors.tokens import issue_api_token

    elsewhere = ProvinceFactory(code="01", name="Hà Nội", codename="ha_noi")
    CampaignFactory(code="HN-ACCESS", province=elsewhere)
    staff = UserFactory(username="provincial_ha_noi", role=Role.PROVINCIAL, province=elsewhere)
    browser, api = Client(enforce_csrf_checks=True), Client()
    browser.force_login(staff)
    api.defaults["HTTP_AUTHORIZATION"] = f"Bearer {issue_api_token(user=staff, name='test')[1]}"
    callers = {"web": browser, "admin": browser, "api": api}
    secrets = world.sides["A"].secrets() | world.sides["B"].secrets()
    watched = every_row(own=staff)
    baseline = fingerprint(watched)
    problems = []
    for name, rule in RULES.items():
        if name.startswith("admin:") or rule.get == PUBLIC or Role.PROVINCIAL not in rule.get:
            continue
        for _owner, url in _urls(name, rule, world):
            response, text, changed = ask(callers[ROUTES[name].kind], "GET", url, watched=watched, baseline=baseline)
            status, leaked = response.status_code, sorted(s for s in secrets if s in text and s not in url)
            if status >= 500 or (_names_a_row(rule, world) and status != 404) or leaked or changed:
                problems.append(f"GET {url}: {status}, shows {leaked}, wrote {sorted(changed)}")
    assert not problems, "\n".join(problems)


# --- the checks themselves can fail --------------------------------------------------------------


def test_a_post_without_the_csrf_token_is_refused(world, db):
    """Every page that takes a POST refuses one without the CSRF token, whoever sends it."""
    refused = []
    for name, rule in RULES.items():
        if ROUTES[name].kind == "api" or rule.post in (READ_ONLY, NOBODY):
            continue
        who = "anonymous" if rule.post == PUBLIC else next(w for w in WHO if ROLE_OF[w] in rule.post)
        client = Client(enforce_csrf_checks=True)
        if who != "anonymous":
            client.force_login(world.users[who])
        for _owner, url in _urls(name, rule, world):
            status = client.post(url, {}).status_code
            if status != 403:
                refused.append(f"POST {url} as {who} without the CSRF token: {status}")
    assert refused == []


def test_the_checks_see_people_and_writes_where_they_are(world, callers, baselines, db):
    """The same searches and fingerprints find B's people on pages that show them, and a write to B's rows."""
    side = world.sides["B"]
    detail = reverse("enrollments:detail", kwargs={"pk": side.enrollment.pk})
    _response, text, _ = ask(callers["officer_b"]["web"], "GET", detail, watched=[], baseline=[])
    assert {side.cccds[0], "Lò Văn Bêchín", "23/07/1961", "0972200201"} <= {s for s in side.secrets() if s in text}
    export = reverse("dashboard:agency_export", kwargs={"code": "B", "table": "enrollments"})
    _response, text, _ = ask(callers["admin"]["web"], "GET", export, watched=[], baseline=[])
    assert "Lò Thị Bêmười" in text and side.cccds[1] in text  # the cells of the .xlsx are read
    cancel = reverse("enrollments:cancel", kwargs={"pk": side.enrollment.pk})
    body = {"csrfmiddlewaretoken": CSRF_SECRET, "reason": "Nhập nhầm"}
    response, _text, changed = ask(
        callers["admin"]["web"], "POST", cancel, watched=rows_of(side), baseline=baselines["officer_a"], data=body
    )
    assert response.status_code == 302 and "enrollments_enrollment" in changed


# --- an officer recording the other agency's people or household ---------------------------------


def _body(world, *, cccd: str, name: str, born: str, **participant) -> dict:
    commune = world.sides["B"].commune.code
    person = {"cccd": cccd, "full_name": name, "date_of_birth": born, "sex": "male", "commune_code": commune}
    return {
        "campaign": world.campaign.code,
        "participant": person | participant,
        "product": "bhxh_tn",
        "months": 12,
        "income": 1_500_000,
        "support_group": "other",
        "collected_on": "2025-12-04",
    }


BHYT = {"product": "bhyt_hgd", "income": None, "support_group": None}


def _hostile(world):
    b_person = {"cccd": world.sides["B"].cccds[0], "born": "1961-07-23"}
    newcomer = {"cccd": "072090000301", "name": "Người Mới Một", "born": "1990-01-01"}
    return [
        # B's person with a new phone: only B may change it.
        ("phone", 422, _body(world, **b_person, name="Lò Văn Bêchín", phone="0961100777")),
        # B's CCCD with another name: refused, without telling the stored one.
        ("name", 422, _body(world, **b_person, name="Lò Văn Khác")),
        # A newcomer joining B's household without its head's CCCD: refused, without naming the head.
        ("household", 422, _body(world, **newcomer, household_code="HGD-B")),
        # B's person under another name, for the product B already sold them: refused on the name.
        ("duplicate", 422, _body(world, **b_person, name="Lò Văn Khác") | BHYT),
        # B's person as stored, for the product B has not sold them: A records it; B's rows stay.
        ("same person", 201, _body(world, **b_person, name="Lò Văn Bêchín")),
    ]


@pytest.mark.parametrize("case", ["phone", "name", "household", "duplicate", "same person"])
def test_an_officer_recording_the_other_agencys_people_changes_and_learns_nothing(world, callers, baselines, db, case):
    _case, status, body = next(c for c in _hostile(world) if c[0] == case)
    url = reverse("api:create_enrollment")
    response, text, changed = ask(
        callers["officer_a"]["api"],
        "POST",
        url,
        watched=rows_of(world.sides["B"]),
        baseline=baselines["officer_a"],
        data=json.dumps(body),
        content_type="application/json",
    )
    typed = json.dumps(body, ensure_ascii=False)
    leaked = sorted(secret for secret in world.sides["B"].secrets() if secret in text and secret not in typed)
    assert (response.status_code, leaked, changed) == (status, [], set()), text
