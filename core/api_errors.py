"""The one error body of the JSON API: ``{"detail": ..., "errors": [{"field", "message"}]}``.

Every app's endpoints and config/api.py's exception handlers build it here; the enrollments
API builds it itself too, to keep refusals for ``Idempotency-Key`` retries.
"""

from django.utils.translation import gettext as _
from ninja import Field, Schema

from .errors import DomainError


class FieldError(Schema):
    field: str | None = Field(description="The input's path, e.g. `participant.cccd`; null for the request as a whole.")
    message: str


class ErrorOut(Schema):
    detail: str
    errors: list[FieldError] = []


def error_body(detail, errors: list[dict] | None = None) -> dict:
    return {"detail": str(detail), "errors": errors or []}


def domain_error_body(exc: DomainError) -> dict:
    """The body of a service's refusal, in the active language; ``__all__`` becomes ``field: null``."""
    errors = [
        {"field": None if item["field"] == "__all__" else item["field"], "message": item["message"]}
        for item in exc.as_list()
    ]
    if len(errors) == 1:
        detail = errors[0]["message"]
    else:
        detail = _("The request was refused: %(count)s problems, listed in errors.") % {"count": len(errors)}
    return error_body(detail, errors)


ERROR_RESPONSES = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut}
