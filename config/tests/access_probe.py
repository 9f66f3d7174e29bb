"""How the access matrix asks and looks: the routes of the project, the five callers, what an answer
says in plain text, and a fingerprint of rows to prove that nothing was written."""

import io
import json
import re
import zipfile
from dataclasses import dataclass
from http.cookies import SimpleCookie

from django.apps import apps
from django.contrib import admin
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import URLPattern, URLResolver, get_resolver

CSRF_SECRET = "a" * 32  # the csrftoken cookie every signed-in client carries; posted back as the form field
WHO = ("anonymous", "officer_a", "officer_b", "provincial", "admin")


@dataclass(frozen=True)
class Route:
    name: str
    pattern: str
    callback: object
    kind: str  # "web", "api" or "admin"


def routes(resolver=None, prefix: str = "", namespace: str = "", kind: str = "web"):
    """Every URL pattern of the project, with its full name and where it lives."""
    for entry in (resolver or get_resolver()).url_patterns:
        if isinstance(entry, URLResolver):
            inner = ":".join(part for part in (namespace, entry.namespace) if part)
            inner_kind = {"admin": "admin", "api": "api"}.get(entry.namespace or "", kind)
            yield from routes(entry, prefix + str(entry.pattern), inner, inner_kind)
        elif isinstance(entry, URLPattern):
            name = f"{namespace}:{entry.name}" if namespace and entry.name else entry.name
            yield Route(name or "", prefix + str(entry.pattern), entry.callback, kind)


def admin_model_names() -> dict[str, str]:
    """``admin:<app>_<model>_<view>`` → the model's label, for every model registered in the admin."""
    from .access_rules import ADMIN_MODEL_VIEWS

    return {
        f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}": model._meta.label
        for model in admin.site._registry
        for view in ADMIN_MODEL_VIEWS
    }


def clients(world) -> dict[str, dict[str, Client]]:
    """Per caller, the browser (session, CSRF enforced) and the API client (bearer token)."""
    made = {}
    for who in WHO:
        browser = Client(enforce_csrf_checks=True)
        browser.cookies["csrftoken"] = CSRF_SECRET
        api = Client()
        if who != "anonymous":
            browser.force_login(world.users[who])
            api.defaults["HTTP_AUTHORIZATION"] = f"Bearer {world.tokens[who]}"
        made[who] = {"web": browser, "admin": browser, "api": api}
    return made


def body_text(response) -> str:
    """What an answer shows, as text: HTML and JSON as read, the cells of an .xlsx unpacked."""
    raw = b"".join(response.streaming_content) if response.streaming else response.content
    if raw[:2] == b"PK":
        with zipfile.ZipFile(io.BytesIO(raw)) as archive:
            return "".join(archive.read(n).decode("utf-8", "replace") for n in archive.namelist() if n.endswith(".xml"))
    if response.get("Content-Type", "").startswith("application/json"):
        return json.dumps(json.loads(raw), ensure_ascii=False)
    return raw.decode("utf-8", "replace")


PRODUCT_APPS = ("core", "campaign", "collectors", "enrollments", "settlements", "awards", "dashboard")


# Bookkeeping of a sign-in, not data: when a token or an account was last used.
BOOKKEEPING = {"collectors.ApiToken": {"last_used_at"}, "auth.User": {"last_login"}}


def fingerprint(querysets) -> list:
    """Every stored value of the rows of ``querysets`` (bookkeeping left out), in a fixed order."""
    found = []
    for queryset in querysets:
        skipped = BOOKKEEPING.get(queryset.model._meta.label, set())
        fields = [f.attname for f in queryset.model._meta.concrete_fields if f.attname not in skipped]
        found.append(list(queryset.order_by("pk").values_list(*fields)))
    return found


# A caller's own sign-in state, theirs to change like their session: logging out of every device
# moves their own session epoch. Another user's epoch is watched like any row.
OWN_SIGN_IN = "collectors.SessionEpoch"
# Figures the read side keeps in the database for itself, nobody's rows: stored retention is computed
# by a task, which a dashboard page asks for when it finds none; with eager tasks (the tests) that
# computation runs inside the page's request and writes them (dashboard/retention.py).
DERIVED = {"dashboard.RetentionPeriod", "dashboard.RetentionCount"}


def every_row(own=None) -> list:
    """Every row of the product's apps and the users, but for ``own`` user's sign-in state and the
    read side's derived figures."""
    models = [m for m in apps.get_models() if m._meta.app_label in PRODUCT_APPS and m._meta.label not in DERIVED]
    models += [apps.get_model("auth", "User"), apps.get_model("auth", "Group")]
    return [
        model.objects.exclude(user=own) if own is not None and model._meta.label == OWN_SIGN_IN else model.objects.all()
        for model in models
    ]


def rows_of(side) -> list:
    """What agency ``side`` owns: itself, its officers, quotas, mugs, people, households, enrollments,
    its calls about renewals and its paperwork and money (receipts, declaration batches, transfers)."""
    from collectors.models import ApiToken, CollectionAgency, Collector, WeeklyQuota
    from enrollments.models import Enrollment, GiftIssue, GiftStock, Household, Participant, ParticipantChange
    from enrollments.renewals.models import RenewalContact
    from settlements.models import AgencyProfile, DeclarationBatch, Receipt, ReceiptSeries, Transfer

    agency = side.agency.pk
    people = Participant.objects.filter(enrollments__agency=agency).values("pk")
    return [
        CollectionAgency.objects.filter(pk=agency),
        Collector.objects.filter(agency=agency),
        WeeklyQuota.objects.filter(agency=agency),
        GiftStock.objects.filter(agency=agency),
        GiftIssue.objects.filter(enrollment__agency=agency),
        Enrollment.objects.filter(agency=agency),
        Participant.objects.filter(pk__in=people),
        Household.objects.filter(members__in=people).distinct(),
        ParticipantChange.objects.filter(agency=agency),
        RenewalContact.objects.filter(agency=agency),
        ReceiptSeries.objects.filter(agency=agency),
        Receipt.objects.filter(agency=agency),
        DeclarationBatch.objects.filter(agency=agency),
        Transfer.objects.filter(agency=agency),
        AgencyProfile.objects.filter(agency=agency),
        ApiToken.objects.filter(user=side.officer),
        apps.get_model("collectors", "SessionEpoch").objects.filter(user=side.officer),
        apps.get_model("auth", "User").objects.filter(pk=side.officer.pk),
    ]


WRITE = re.compile(r'^\s*(INSERT|UPDATE|DELETE)\b(?:.*?\b(?:INTO|FROM)\b)?\s*"?(\w+)', re.I)
NOT_DATA = {"django_session"}  # a session is the visitor's own, not the app's data
# The trail a read leaves of itself (who downloaded which file, core.downloads): an INSERT of it is
# the request's own record, like its session; changing or deleting a kept row still counts.
OWN_TRAIL = {"core_downloadrecord"}


def written_tables(queries) -> set[str]:
    """The tables an SQL statement of ``queries`` inserted into, updated or deleted from."""
    found = set()
    for query in queries:
        match = WRITE.match(query["sql"])
        if match and not (match.group(1).upper() == "INSERT" and match.group(2) in OWN_TRAIL):
            found.add(match.group(2))
    return found - NOT_DATA - {apps.get_model(label)._meta.db_table for label in DERIVED}


def ask(client: Client, method: str, url: str, *, watched: list, baseline: list, data=None, **extra):
    """Send one request inside a savepoint that is rolled back; the answer and the tables it wrote
    to that ``watched`` (rows whose fingerprint was ``baseline``) shows as changed.

    Rolling back keeps the world the same for the next request whatever an allowed write did;
    the client's cookies are put back too (a logout or a language switch would change them).
    """
    cookies = {key: morsel.value for key, morsel in client.cookies.items()}
    with transaction.atomic(), CaptureQueriesContext(connection) as queries:
        response = client.post(url, data, **extra) if method == "POST" else client.get(url, **extra)
        text = body_text(response)
        wrote = written_tables(queries.captured_queries)
        changed = wrote if wrote and watched and fingerprint(watched) != baseline else set()
        transaction.set_rollback(True)
    client.cookies = SimpleCookie()
    for key, value in cookies.items():
        client.cookies[key] = value
    return response, text, changed
