"""The table of expectations of the access matrix: one entry per URL name, who may GET and who may POST.

A new URL pattern or API operation without an entry here fails ``test_access_matrix.py``; so does
an entry whose route is gone. To add a route: add ``"namespace:name": Rule(get=..., post=...,
args=...)`` with the roles that may read it and the roles that may write through it.

- ``get`` / ``post``: the roles let in (``PUBLIC`` for anyone, signed in or not). ``post=READ_ONLY``
  for a page that takes no POST: a POST then gets what a GET gets (or 405) and must write nothing.
  ``get=NOBODY`` for a POST-only action: a GET from a role let in is 405.
- ``scoped``: the path names one agency's row; an officer of the other agency gets 404.
- ``args(world, side)``: the path parameters (and ``?query``) filled with the rows of ``side``
  (agency A or B); a list of them to request each. ``"*"`` holds positional ones (a regex route).
- ``ok`` / ``post_ok``: the status a role that is let in gets (200 unless said).

The Django admin's model pages (changelist, add, change, history, delete of every registered
model) follow one rule, ``ADMIN_MODEL_RULE``: the admin role only; everyone else is sent to the
admin's login page.
"""

from collections.abc import Callable
from dataclasses import dataclass, field

from collectors.roles import ALL_ROLES, PUBLIC, Role

ADMIN = frozenset({Role.ADMIN})
STAFF = frozenset({Role.ADMIN, Role.PROVINCIAL})
OFFICER = frozenset({Role.OFFICER})
NOBODY = frozenset()
READ_ONLY = "read-only"


def _none(world, side):
    return {}


@dataclass(frozen=True)
class Rule:
    get: frozenset | str
    post: frozenset | str = READ_ONLY
    args: Callable = _none
    scoped: bool = False
    ok: int = 200
    post_ok: int = 200
    extra: dict = field(default_factory=dict)


def enrollment(world, side):
    return {"pk": side.enrollment.pk}


def office(world, side):
    return {"code": side.office.code}


def commune(world, side):
    return {"code": side.commune.code}


def agency(world, side):
    return {"code": side.agency.code}


def campaign(world, side):
    return {"code": world.campaign.code}


def published(world, side):
    return {"pk": world.rankings["published"].pk}


def draft(world, side):
    return {"pk": world.rankings["draft"].pk}


def pending_import(world, side):
    return {"pk": world.import_record.pk}


def rejected_import(world, side):
    return {"pk": world.rejected_import.pk}


def tables(*names, more=_none):
    return lambda world, side: [more(world, side) | {"table": name} for name in names]


def query(text, more=_none):
    """Path parameters and a query string; ``{cccd}`` and ``{agency}`` name the side's rows."""

    def fill(world, side):
        values = {"cccd": side.cccds[0], "agency": side.agency.code, "campaign": world.campaign.code}
        return more(world, side) | {"?": text.format(**values)}

    return fill


def signed_in_sent_on() -> dict:
    return {
        (method, who): 302 for method in ("GET", "POST") for who in ("officer_a", "officer_b", "provincial", "admin")
    }


def admin_logout() -> dict:
    others = {("GET", who): (302, "/admin/") for who in ("anonymous", "officer_a", "officer_b", "provincial")}
    return others | {("GET", "admin"): 405}


def view_on_site(world, side):
    from django.contrib.contenttypes.models import ContentType

    return {"content_type_id": ContentType.objects.get_for_model(side.agency).pk, "object_id": side.agency.pk}


def row(attribute: str, **more):
    """The pk of the side's row ``attribute`` (its receipt, batch ...), and fixed parameters."""
    return lambda world, side: {"pk": getattr(side, attribute).pk} | more


def each(fill, name: str, *values):
    """One filling per value of the path parameter ``name``."""
    return lambda world, side: [fill(world, side) | {name: value} for value in values]


def history_row(app_label: str, model_name: str):
    """A saved version of the model's first row, for django-simple-history's revert page."""

    def fill(world, side):
        from django.apps import apps

        model = apps.get_model(app_label, model_name)
        version = model.history.order_by("history_id").first()
        return {"*": (version.id, version.history_id)}

    return fill


HISTORY_MODELS = (
    ("awards", "awardrule"),
    ("awards", "ranking"),
    ("campaign", "policyparameters"),
    ("collectors", "collector"),
    ("collectors", "weeklyquota"),
    ("enrollments", "enrollment"),
    ("enrollments", "household"),
    ("enrollments", "participant"),
)
AGENCY_TABLES = ("weeks", "collectors", "communes", "enrollments")
ALL = ALL_ROLES
# The agency's paperwork and money (settlements/): admins for any agency, officers for their own.
PAPERWORK = frozenset({Role.ADMIN, Role.OFFICER})
RENEWAL_CONTACT = frozenset({Role.OFFICER, Role.ADMIN})
PERIOD = "agency={agency}&week=3"

RULES: dict[str, Rule] = {
    # --- accounts and the site -----------------------------------------------------------------
    "home": Rule(get=ALL, ok=302),
    # The login form again for a bad POST; a signed-in user is sent on to their page.
    "login": Rule(get=PUBLIC, post=PUBLIC, extra=signed_in_sent_on()),
    "logout": Rule(get=PUBLIC, post=PUBLIC, ok=405, post_ok=302),  # POST only, for anyone
    "password_change": Rule(get=ALL, post=ALL),
    "password_change_done": Rule(get=ALL),
    "set_language": Rule(get=PUBLIC, post=PUBLIC, ok=302, post_ok=302),
    # The user's own account: every role; logging out everywhere is a POST (a form on the page).
    "account": Rule(get=ALL),
    "logout_everywhere": Rule(get=NOBODY, post=ALL, post_ok=302),
    # Two-step login: only admins enrol (an empty POST shows the page again); the code page sends
    # on whoever has no code to give (no device, or already verified).
    "two_step": Rule(get=ADMIN, post=ADMIN),
    "two_step_verify": Rule(get=ALL, post=ALL, ok=302, post_ok=302),
    # --- dashboard -----------------------------------------------------------------------------
    "dashboard:overview": Rule(get=STAFF),
    # Staff-only downloads: one table each (officers never get in; each table is the same view).
    "dashboard:province_export": Rule(get=STAFF, args=tables("agencies")),
    "dashboard:office": Rule(get=STAFF, args=office),
    "dashboard:office_export": Rule(get=STAFF, args=tables("communes", more=office)),
    "dashboard:commune": Rule(get=STAFF, args=commune),
    "dashboard:commune_export": Rule(get=STAFF, args=commune),
    "dashboard:agency": Rule(get=STAFF, args=agency),
    "dashboard:agency_export": Rule(get=STAFF, args=tables("enrollments", more=agency)),
    "dashboard:agency_home": Rule(get=OFFICER, args=query("week=3")),
    "dashboard:my_agency_export": Rule(get=OFFICER, args=tables(*AGENCY_TABLES)),
    "dashboard:admin_home": Rule(get=ADMIN),
    "dashboard:imports": Rule(get=ADMIN),
    "dashboard:import_upload": Rule(get=ADMIN, post=ADMIN, args=lambda w, s: {"kind": "quotas"}),
    "dashboard:import_template": Rule(get=ADMIN, args=lambda w, s: {"kind": "quotas"}),
    "dashboard:import_record": Rule(get=ADMIN, args=pending_import),
    "dashboard:import_confirm": Rule(get=NOBODY, post=ADMIN, args=pending_import, post_ok=302),
    "dashboard:import_cancel": Rule(get=NOBODY, post=ADMIN, args=pending_import, post_ok=302),
    "dashboard:import_rejected": Rule(get=ADMIN, args=rejected_import),
    "dashboard:reports": Rule(get=STAFF),
    "dashboard:report_attainment": Rule(get=STAFF),
    "dashboard:report_coverage": Rule(get=STAFF),
    "dashboard:report_enrollments": Rule(get=ADMIN),
    "dashboard:planning": Rule(get=STAFF),
    "dashboard:planning_download": Rule(get=ADMIN),
    "dashboard:audit_log": Rule(get=ADMIN),
    "dashboard:download_log": Rule(get=ADMIN),
    # --- collectors ----------------------------------------------------------------------------
    "collectors:agency_list": Rule(get=ALL, args=query("q={agency}")),
    "collectors:agency_detail": Rule(get=ALL, args=agency, scoped=True),
    "collectors:my_agency": Rule(get=OFFICER),
    # --- enrollments ---------------------------------------------------------------------------
    "enrollments:start": Rule(get=OFFICER, post=OFFICER),
    "enrollments:enroll_bhyt": Rule(get=OFFICER, post=OFFICER),
    "enrollments:enroll_bhxh": Rule(get=OFFICER, post=OFFICER),
    "enrollments:lookup": Rule(get=OFFICER, args=query("cccd={cccd}", lambda w, s: {"product": "bhyt_hgd"})),
    "enrollments:receipt": Rule(get=OFFICER),
    "enrollments:list": Rule(get=ALL, args=lambda w, s: [{}, {"?": f"agency={s.agency.code}&q={s.cccds[0]}"}]),
    "enrollments:detail": Rule(get=ALL, args=enrollment, scoped=True),
    "enrollments:cancel": Rule(get=NOBODY, post=frozenset({Role.OFFICER, Role.ADMIN}), args=enrollment, scoped=True),
    "enrollments:gift": Rule(get=NOBODY, post=OFFICER, args=enrollment, scoped=True, post_ok=302),
    # The installable field app: browsers fetch both without the session.
    "enrollments:manifest": Rule(get=PUBLIC),
    "enrollments:service_worker": Rule(get=PUBLIC),
    "enrollments:field_kit": Rule(get=OFFICER),
    # Renewal lists: every role reads (scoped and masked inside); officers and admins log a call
    # (an empty form: back to the list); renewing is an officer's, for a person on their own list.
    "enrollments:renewals": Rule(get=ALL, args=lambda w, s: [{}, {"?": f"cccd={s.cccds[0]}&within=60"}]),
    "enrollments:renewals_xlsx": Rule(get=ALL),
    "enrollments:renewal_contact": Rule(get=NOBODY, post=RENEWAL_CONTACT, post_ok=302),
    "enrollments:renew": Rule(get=OFFICER, post=OFFICER, args=query("product=bhxh_tn&cccd={cccd}"), scoped=True),
    # --- settlements ---------------------------------------------------------------------------
    "settlements:lists": Rule(get=PAPERWORK, args=lambda w, s: [{}, query(f"form=d03&{PERIOD}")(w, s)]),
    "settlements:list_download": Rule(get=PAPERWORK, args=each(query(f"form=d03&{PERIOD}"), "kind", "xlsx", "xml")),
    # An empty form: back to the lists with the error.
    "settlements:list_send": Rule(get=NOBODY, post=PAPERWORK, post_ok=302),
    "settlements:batch": Rule(get=PAPERWORK, args=row("batch"), scoped=True),
    "settlements:batch_download": Rule(get=PAPERWORK, args=each(row("batch"), "kind", "xlsx", "xml"), scoped=True),
    "settlements:batch_reconcile": Rule(get=NOBODY, post=ADMIN, args=row("batch"), post_ok=302),
    "settlements:receipts": Rule(get=PAPERWORK, args=lambda w, s: [{}, {"?": f"q={s.receipt.receipt_no}"}]),
    "settlements:receipt": Rule(get=PAPERWORK, args=row("receipt"), scoped=True),
    "settlements:receipt_pdf": Rule(get=PAPERWORK, args=row("receipt"), scoped=True),
    # Without a reason nothing is voided: back to the receipt with the error.
    "settlements:receipt_void": Rule(get=NOBODY, post=PAPERWORK, args=row("receipt"), scoped=True, post_ok=302),
    "settlements:money": Rule(get=PAPERWORK, args=lambda w, s: [{}, query(PERIOD)(w, s)]),
    "settlements:money_xlsx": Rule(get=PAPERWORK, args=query(PERIOD)),
    # An empty form: back to the money page; an admin must name the agency, else 404.
    "settlements:transfer_create": Rule(get=NOBODY, post=PAPERWORK, post_ok=302, extra={("POST", "admin"): 404}),
    # The monthly statement (fees and prizes) is composed in dashboard/, above settlements and awards.
    "dashboard:fees": Rule(get=PAPERWORK, args=lambda w, s: [{}, query("agency={agency}&month=2025-11")(w, s)]),
    "dashboard:fees_xlsx": Rule(get=PAPERWORK, args=query("agency={agency}&month=2025-11")),
    # An empty POST re-shows the upload form with its errors.
    "settlements:statements": Rule(
        get=PAPERWORK, post=PAPERWORK, args=lambda w, s: [{}, query("agency={agency}")(w, s)]
    ),
    "settlements:statement_template": Rule(get=PAPERWORK),
    "settlements:statement_upload": Rule(get=PAPERWORK, args=row("statement_upload"), scoped=True),
    "settlements:statement_confirm": Rule(
        get=NOBODY, post=PAPERWORK, args=row("statement_upload"), scoped=True, post_ok=302
    ),
    "settlements:statement_cancel": Rule(
        get=NOBODY, post=PAPERWORK, args=row("statement_upload"), scoped=True, post_ok=302
    ),
    # --- awards --------------------------------------------------------------------------------
    "awards:index": Rule(get=ALL),
    "awards:live": Rule(get=ALL),
    "awards:live_export": Rule(get=ALL, args=query("rule=weekly-agency")),
    "awards:week": Rule(get=ALL, args=lambda w, s: {"number": 3}),
    "awards:final": Rule(get=ALL),
    "awards:compute": Rule(get=NOBODY, post=ADMIN, post_ok=302),
    "awards:detail": Rule(get=ALL, args=published),
    "awards:export": Rule(get=ALL, args=published),
    "awards:publish": Rule(get=NOBODY, post=ADMIN, args=draft, post_ok=302),
    "awards:reopen": Rule(get=ADMIN, post=ADMIN, args=published, post_ok=400),  # a reason is required
    "awards:copy_campaign": Rule(get=ADMIN, post=ADMIN),  # an empty form: the errors on the page
    # --- JSON API (/api/v1/): 401 without credentials, 403 for a role not let in -----------------
    # The OpenAPI document and its Swagger page are plain pages: a POST reads them too.
    "api:openapi-json": Rule(get=PUBLIC, post=PUBLIC),
    "api:openapi-view": Rule(get=PUBLIC, post=PUBLIC),
    "api:api-root": Rule(get=PUBLIC, post=PUBLIC, ok=404, post_ok=404),  # ninja's name for the prefix
    "api:health": Rule(get=PUBLIC),
    "api:get_quote": Rule(get=ALL, args=query("product=bhyt_hgd&months=12&member_order=1")),
    "api:get_participant_status": Rule(get=ALL, args=lambda w, s: {"cccd": s.cccds[0], "?": "product=bhyt_hgd"}),
    # One path, two operations: GET lists, POST records.
    "api:list_enrollments": Rule(get=ALL, post=OFFICER, args=query("agency={agency}&campaign={campaign}"), post_ok=422),
    "api:create_enrollment": Rule(get=ALL, post=OFFICER, post_ok=422),
    "api:get_rankings": Rule(get=ALL, args=query("week=3", campaign)),
    "api:get_progress": Rule(get=ALL, args=campaign),
    "api:list_renewals": Rule(get=ALL, args=lambda w, s: [{}, {"?": f"cccd={s.cccds[0]}"}]),
    # POST only: a GET is 405 for anyone; an empty body is refused on its fields.
    "api:create_household": Rule(get=READ_ONLY, post=OFFICER, post_ok=422),
    # --- the Django admin's own pages (its model pages: ADMIN_MODEL_RULE) --------------------------
    "admin:index": Rule(get=ADMIN),
    "admin:login": Rule(get=PUBLIC, post=PUBLIC, extra={("GET", "admin"): 302}),
    # POST only; Django's admin sends anyone it does not let in back to its index instead.
    "admin:logout": Rule(get=PUBLIC, post=PUBLIC, post_ok=302, extra=admin_logout()),
    "admin:password_change": Rule(get=ADMIN, post=ADMIN),
    "admin:password_change_done": Rule(get=ADMIN),
    "admin:autocomplete": Rule(
        get=ADMIN, args=query("app_label=enrollments&model_name=household&field_name=commune&term=257")
    ),
    "admin:jsi18n": Rule(get=ADMIN),
    # No model of ours has a public page: the admin answers 404 once it has let the admin in.
    "admin:view_on_site": Rule(get=ADMIN, post=ADMIN, ok=404, post_ok=404, args=view_on_site),
    "admin:app_list": Rule(get=ADMIN, args=lambda w, s: {"app_label": "enrollments"}),
    "admin:auth_user_password_change": Rule(get=ADMIN, post=ADMIN, args=lambda w, s: {"id": s.officer.pk}),
    # django-simple-history's page of one saved version: read only, its revert POST refused even
    # to the admin (core/audit_admin.py: reverting would pass the services' rules).
    **{
        f"admin:{app}_{model}_simple_history": Rule(get=ADMIN, post=ADMIN, post_ok=403, args=history_row(app, model))
        for app, model in HISTORY_MODELS
    },
}

ADMIN_MODEL_VIEWS = ("changelist", "add", "change", "history", "delete")
# Requested for every registered model; the history and delete pages (the same permission check of
# Django's ModelAdmin) for the models below, to keep the matrix fast.
ADMIN_MODEL_VIEWS_ASKED = ("changelist", "add", "change")
ADMIN_ALL_VIEWS_FOR = ("enrollments.Participant", "enrollments.Enrollment", "collectors.CollectionAgency")
ADMIN_MODEL_RULE = Rule(get=ADMIN, post=ADMIN)

# What the admin role may do with each registered model in the Django admin (a new one needs its
# line): "full" (add, change, delete), "view" (read only: add, saving and deleting answer 403),
# "view+delete" (django-axes's lock-outs: an admin unlocks by deleting). "saves" marks a change form
# that an empty POST passes (every field it shows is optional or read-only): the admin gets 302;
# "no-add" / "no-delete" a page the admin never offers (numbers taken by recording, a series in use).
ADMIN_MODELS = {
    "auth.Group": "view",
    "auth.User": "full",
    "axes.AccessAttempt": "view+delete",
    "axes.AccessLog": "view+delete",
    "axes.AccessFailureLog": "view+delete",
    "core.ImportRecord": "view",
    "campaign.Campaign": "full",
    "campaign.CampaignWeek": "full saves no-add",
    "campaign.Province": "full",
    "campaign.BhxhOffice": "full",
    "campaign.Commune": "full",
    "campaign.CoverageBaseline": "full",
    "campaign.PolicyParameters": "full",
    "collectors.CollectionAgency": "full",
    "collectors.Collector": "full",
    "collectors.WeeklyQuota": "full",
    "collectors.ApiToken": "full saves",
    "enrollments.Household": "full",
    "enrollments.Participant": "full",
    "enrollments.PriorCoverage": "full",
    "enrollments.Enrollment": "view",
    "enrollments.GiftStock": "full",
    "enrollments.GiftIssue": "full",
    "enrollments.ParticipantChange": "view",
    "awards.AwardRule": "full",
    "awards.Ranking": "view",
    "core.DownloadRecord": "view",
    "core.PendingWork": "view",
    "enrollments.RenewalContact": "view",
    "settlements.AgencyProfile": "full",
    "settlements.DeclarationBatch": "view",
    "settlements.ReceiptSeries": "full saves no-delete",
    "settlements.Receipt": "view",
    "settlements.Transfer": "view",
    "settlements.StatementLine": "view",
    "settlements.FeeRate": "full",
}


def admin_status(label: str, view: str, method: str) -> int:
    """What the admin role gets from a model page of the Django admin, by ADMIN_MODELS."""
    rights = ADMIN_MODELS[label].split()
    may_write = rights[0] == "full"
    if view == "add" and (not may_write or "no-add" in rights):
        return 403
    if method == "POST" and view == "change" and not may_write:
        return 403
    if view == "delete" and (rights[0] == "view" or "no-delete" in rights):
        return 403
    if method == "POST" and view == "change" and "saves" in rights:
        return 302
    return 200
