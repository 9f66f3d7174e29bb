"""The JSON API under /api/v1/: one NinjaAPI, with a router per app, and one error shape.

Every error answer is ``{"detail": "...", "errors": [{"field": ..., "message": ...}]}``, with
messages in the language of the request (LocaleMiddleware reads ``Accept-Language``).
"""

import logging

from csp.decorators import csp_exempt
from django.core.exceptions import PermissionDenied
from django.db import DatabaseError, connection
from django.http import Http404
from django.utils.translation import gettext as _
from ninja import NinjaAPI, Schema, Status, Swagger
from ninja.errors import HttpError, ValidationError

from awards.api import router as awards_router
from collectors.api_auth import api_auth
from collectors.roles import public
from core.api_errors import domain_error_body, error_body
from core.errors import DomainError
from dashboard.api import router as dashboard_router
from enrollments.api import router as enrollments_router
from enrollments.api_households import router as households_router
from enrollments.api_renewals import router as renewals_router

logger = logging.getLogger(__name__)

DESCRIPTION = """
Enrollments and quotes of the BHXH/BHYT campaign, for the collection agencies' own systems.

**Auth**: `Authorization: Bearer <token>` (an admin issues tokens in the admin site or with
`manage.py issue_api_token`), or the session of a signed-in browser (unsafe methods then need
the `X-CSRFToken` header). Money is integer đồng, dates ISO 8601.

**Errors**: `{"detail": "...", "errors": [{"field": "participant.cccd", "message": "..."}]}`;
messages follow `Accept-Language` (`vi` by default, `en`).
"""

api = NinjaAPI(
    title="BHXH campaign API",
    version="1",
    description=DESCRIPTION,
    urls_namespace="api",
    # The docs and the OpenAPI document stay public: they describe the interface and hold no data,
    # and the agencies' integrators read them before they have an account. Swagger UI's files
    # come from ninja's static folder ("ninja" is in INSTALLED_APPS), never from a CDN.
    docs=Swagger(settings={"persistAuthorization": True}),
    # Swagger UI styles itself inline; its page holds no data, so it goes without the site's CSP.
    docs_decorator=csp_exempt(),
    # Secure by default: an operation that forgot its rule would still need a signed-in role.
    # Every operation declares its own rule anyway (config/tests/test_api.py checks it).
    auth=api_auth(),
)
api.add_router("/", enrollments_router)
api.add_router("/", renewals_router)
api.add_router("/", households_router)
api.add_router("/", awards_router)
api.add_router("/", dashboard_router)


# --- One error shape -------------------------------------------------------------------------


def _field_path(loc) -> str:
    """``("body", "payload", "participant", "cccd")`` → ``"participant.cccd"``; ``("query", "on")`` → ``"on"``."""
    parts = [str(part) for part in loc[1:]]
    if loc and loc[0] == "body" and parts and parts[0] == "payload":
        parts = parts[1:]
    return ".".join(parts) or str(loc[0] if loc else "")


# pydantic's error types, grouped, with the message each group gets and the context it names.
_MESSAGES = [
    (("missing",), lambda ctx: _("This field is required.")),
    (("int_parsing", "int_type", "int_from_float"), lambda ctx: _("Enter a whole number.")),
    (("enum", "literal_error"), lambda ctx: _("Choose one of: %(choices)s.") % {"choices": ctx.get("expected", "")}),
    (("string_type", "string_sub_type"), lambda ctx: _("Enter text.")),
    (("string_too_long",), lambda ctx: _("Enter at most %(max)s characters.") % {"max": ctx.get("max_length")}),
    (("string_too_short",), lambda ctx: _("Enter at least %(min)s characters.") % {"min": ctx.get("min_length")}),
    (
        ("greater_than_equal",),
        lambda ctx: (
            _("Ensure this value is greater than or equal to %(limit_value)s.") % {"limit_value": ctx.get("ge")}
        ),
    ),
    (
        ("less_than_equal",),
        lambda ctx: _("Ensure this value is less than or equal to %(limit_value)s.") % {"limit_value": ctx.get("le")},
    ),
    (("bool_parsing", "bool_type"), lambda ctx: _("Enter true or false.")),
    (("model_type", "model_attributes_type", "dict_type"), lambda ctx: _("Send a JSON object.")),
]
_BY_TYPE = {kind: message for kinds, message in _MESSAGES for kind in kinds}


def _readable(error: dict) -> str:
    """A translated message for pydantic's usual error types; pydantic's own English otherwise."""
    kind, ctx = error.get("type", ""), error.get("ctx") or {}
    if kind.startswith("date"):  # date_*, datetime_*
        return _("Enter a date as YYYY-MM-DD.")
    message = _BY_TYPE.get(kind)
    return message(ctx) if message else str(error.get("msg", ""))


@api.exception_handler(DomainError)
def on_domain_error(request, exc: DomainError):
    return api.create_response(request, domain_error_body(exc), status=exc.status_code)


@api.exception_handler(ValidationError)
def on_validation_error(request, exc: ValidationError):
    errors = [{"field": _field_path(error.get("loc", ())), "message": _readable(error)} for error in exc.errors]
    return api.create_response(
        request, error_body(_("Some fields are missing or not in the expected form."), errors), status=422
    )


@api.exception_handler(HttpError)
def on_http_error(request, exc: HttpError):
    # ninja's own HttpErrors carry English text: 400 only for a body it cannot parse, 401 with no credentials.
    detail = str(exc)
    if exc.status_code == 400:
        detail = _("The request body could not be read: send a JSON object.")
    elif exc.status_code == 401 and detail == "Unauthorized":
        detail = _("Sign in, or send an API token as 'Authorization: Bearer <token>'.")
    response = api.create_response(request, error_body(detail), status=exc.status_code)
    if exc.status_code == 401:
        response["WWW-Authenticate"] = 'Bearer realm="api"'
    return response


@api.exception_handler(Http404)
def on_not_found(request, exc: Http404):
    detail = str(exc) if exc.args else _("Not found.")
    return api.create_response(request, error_body(detail), status=404)


@api.exception_handler(PermissionDenied)
def on_permission_denied(request, exc: PermissionDenied):
    return api.create_response(request, error_body(str(exc) or _("You may not do this.")), status=403)


# --- Health ----------------------------------------------------------------------------------


class HealthOut(Schema):
    status: str
    database: str
    broker: str


BROKER_TIMEOUT_SECONDS = 1


def _database_ok() -> bool:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            return cursor.fetchone() == (1,)
    except DatabaseError:
        logger.exception("Health check: the database does not answer")
        return False


def _broker_ok() -> bool:
    """One quick connection attempt; a user's write never waits on the broker, so this is only a report."""
    from config.celery import app as celery_app

    try:
        with celery_app.connection_for_write(
            connect_timeout=BROKER_TIMEOUT_SECONDS,
            transport_options={
                "socket_connect_timeout": BROKER_TIMEOUT_SECONDS,
                "socket_timeout": BROKER_TIMEOUT_SECONDS,
                "max_retries": 0,
            },
        ) as conn:
            conn.ensure_connection(max_retries=1, interval_start=0, interval_step=0, timeout=BROKER_TIMEOUT_SECONDS)
        return True
    except Exception:  # any transport error means the same thing here: not reachable now
        logger.warning("Health check: the Celery broker is unavailable", exc_info=True)
        return False


@api.get("/health", response={200: HealthOut, 503: HealthOut}, auth=None, tags=["health"], summary="Health")
@public
def health(request):
    """Whether the database and the Celery broker answer. No auth, for load balancers and monitoring.

    503 when the database does not answer; the broker being down is reported but is not an
    outage, since tasks wait and no user's write depends on it.
    """
    database_ok = _database_ok()
    body = {
        "status": "ok" if database_ok else "error",
        "database": "ok" if database_ok else "unavailable",
        "broker": "ok" if _broker_ok() else "unavailable",
    }
    return Status(200 if database_ok else 503, body)
