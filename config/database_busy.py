"""A database that stays locked past its timeout answers 503 with a retry hint, never a 500.

On the zero-setup SQLite database writers wait for each other (WAL, a busy timeout and
immediate transactions: config/settings.py); when a write still cannot get the lock in time,
the user is told to try again in a few seconds, and an API client gets the usual error body
with ``Retry-After``.
"""

from django.db import OperationalError
from django.http import HttpResponse, JsonResponse
from django.utils.translation import gettext as _

from core.api_errors import error_body

RETRY_AFTER_SECONDS = 5
API_PREFIX = "/api/"


def _is_busy(exc: BaseException) -> bool:
    text = str(exc).lower()
    return isinstance(exc, OperationalError) and ("database is locked" in text or "database table is locked" in text)


class DatabaseBusyMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exc):
        if not _is_busy(exc):
            return None
        message = _("The database is busy; nothing was saved. Try again in a few seconds.")
        if request.path_info.startswith(API_PREFIX):
            response = JsonResponse(error_body(message), status=503)
        else:
            response = HttpResponse(message, status=503, content_type="text/plain; charset=utf-8")
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
        return response
