"""Keep a session that still owes its two-step code (or its enrolment) on the page that asks for it."""

from urllib.parse import urlencode

from django.http import JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django_htmx.http import HttpResponseClientRedirect

from core.api_errors import error_body

from ..roles import PUBLIC
from .two_step import ENROL, VERIFY, step_needed

STEP_PAGES = {VERIFY: "two_step_verify", ENROL: "two_step"}


def two_step_allows(*steps: str):
    """Let a view be reached by a session that still owes one of ``steps`` (the pages that settle it)."""

    def decorator(view):
        view.two_step_allows = frozenset(steps)
        return view

    return decorator


class TwoStepMiddleware:
    """After django-otp's OTPMiddleware: every other page sends such a session to its step's page.

    Public pages (login, logout, language) stay open. An API call with a bearer token is the
    token's (an admin-issued credential of a system), not the browser session's, and passes.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        if getattr(view_func, "allowed_roles", None) == PUBLIC:
            return None
        step = step_needed(request)
        if step is None or step in getattr(view_func, "two_step_allows", ()):
            return None
        if request.path_info.startswith("/api/"):
            if "HTTP_AUTHORIZATION" in request.META:
                return None
            return JsonResponse(error_body(_("Enter your two-step login code in the browser first.")), status=401)
        url = f"{reverse(STEP_PAGES[step])}?{urlencode({'next': request.get_full_path()})}"
        if getattr(request, "htmx", False):
            return HttpResponseClientRedirect(url)
        return redirect(url)
