"""Vietnamese first (pages ignore the browser's Accept-Language; the API honours it), and no NUL in a request.

Officers' phones are often set to English, yet the product speaks Vietnamese unless a
user picks English with the language switch (a cookie). Systems calling the API choose
the language of error messages with Accept-Language, as HTTP means it.
"""

import json

from django.conf import settings
from django.http import HttpResponseBadRequest, JsonResponse
from django.middleware.locale import LocaleMiddleware
from django.utils.translation import gettext as _

from core.api_errors import error_body

API_PREFIX = "/api/"
NUL = "\x00"


class VietnameseFirstLocaleMiddleware(LocaleMiddleware):
    def process_request(self, request):
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        if not chosen and not request.path_info.startswith(API_PREFIX):
            request.META.pop("HTTP_ACCEPT_LANGUAGE", None)
        super().process_request(request)


class RefuseNulMiddleware:
    """A request with a NUL character anywhere (path, query, headers, form or JSON body) gets 400.

    PostgreSQL cannot store NUL in text, and a look-up by a code holding one fails in the
    database (a 500). No name, code or parameter ever holds one: one check here covers every
    page, endpoint and look-up. A file's bytes (a multipart upload) are left to the reader.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        where = _nul_in(request)
        if where is None:
            return self.get_response(request)
        message = _("The request holds a NUL character (\\0) in %(where)s; remove it and send it again.") % {
            "where": where
        }
        if request.path_info.startswith(API_PREFIX):
            return JsonResponse(error_body(message, [{"field": where, "message": message}]), status=400)
        return HttpResponseBadRequest(message, content_type="text/plain; charset=utf-8")


def _nul_in(request) -> str | None:
    """Where a NUL is ("path", "query", a header's or a field's name), or None."""
    if NUL in request.path_info or "%00" in request.META.get("QUERY_STRING", ""):
        return "path" if NUL in request.path_info else "query"
    if any(_holds_nul(key, values) for key, values in request.GET.lists()):
        return "query"
    for key, value in request.META.items():
        if key.startswith("HTTP_") and NUL in str(value):
            return key[5:].replace("_", "-").lower()
    if request.method in ("GET", "HEAD", "OPTIONS"):
        return None
    return _nul_in_body(request)


def _nul_in_body(request) -> str | None:
    content_type = request.META.get("CONTENT_TYPE", "")
    if content_type.startswith("application/json"):
        body = request.body
        if b"\x00" in body or (b"\\u0000" in body and _json_holds_nul(body)):
            return "body"
        return None
    if content_type.startswith(("application/x-www-form-urlencoded", "multipart/form-data")):
        return next((key for key, values in request.POST.lists() if _holds_nul(key, values)), None)
    return None  # a body nothing here parses


def _holds_nul(key: str, values: list) -> bool:
    return NUL in key or any(NUL in value for value in values if isinstance(value, str))


def _json_holds_nul(body: bytes) -> bool:
    try:
        parsed = json.loads(body)
    except (ValueError, RecursionError):
        return False  # not JSON: the API says so itself
    stack = [parsed]
    while stack:
        item = stack.pop()
        if isinstance(item, str) and NUL in item:
            return True
        if isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return False
