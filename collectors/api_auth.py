"""Who may call the JSON API: a bearer token or a browser session, and then the caller's role.

Every operation of the API declares its rule, as every page does: ``auth=api_auth(Role.OFFICER)``
for a role-limited operation, or ``auth=None`` with the view marked ``@public`` (collectors.roles)
for the few open ones. A test walks the API and fails on an operation with neither.

A caller with neither a valid token nor a session gets 401; a caller whose role the rule does
not name gets 403. The role is checked inside the authentication step so that the answer says
"who are you?" (401) or "you may not" (403) before any input is parsed.
"""

from collections.abc import Iterable

from django.conf import settings
from django.utils.translation import gettext as _
from ninja.errors import HttpError
from ninja.security import HttpBearer
from ninja.security.apikey import APIKeyCookie
from ninja.utils import check_csrf

from .roles import ALL_ROLES, Role, role_of
from .tokens import user_for_token


class ApiAuthenticationError(HttpError):
    """No credentials, or credentials that do not identify an active user (401)."""

    def __init__(self, message: str | None = None):
        super().__init__(401, message or _("Sign in, or send an API token as 'Authorization: Bearer <token>'."))


def _role_checked(user, allowed_roles: frozenset[Role]):
    """The user when their role is one of ``allowed_roles``; otherwise a 403 naming who may."""
    if role_of(user) not in allowed_roles:
        names = ", ".join(sorted(role.label for role in allowed_roles))
        raise HttpError(403, _("Your role may not do this; it is for: %(roles)s.") % {"roles": names})
    return user


class BearerTokenAuth(HttpBearer):
    """``Authorization: Bearer <token>`` with a token issued by an admin (collectors.tokens)."""

    def __init__(self, allowed_roles: Iterable[Role]):
        self.allowed_roles = frozenset(allowed_roles)
        super().__init__()

    def authenticate(self, request, token: str):
        user = user_for_token(token.strip())
        if user is None:
            # A token was sent but is unknown, revoked or its user deactivated: say so rather than
            # falling through to the session, so the other system's operator sees what is wrong.
            raise ApiAuthenticationError(_("This API token is not valid or has been revoked; ask for a new one."))
        return _role_checked(user, self.allowed_roles)


class SessionAuth(APIKeyCookie):
    """The Django session of a signed-in browser, with the CSRF check for unsafe methods.

    Unlike ninja's ``django_auth``, CSRF is checked only once a session user is found, so a
    caller with no credentials at all gets 401 rather than a CSRF 403.
    """

    param_name = settings.SESSION_COOKIE_NAME

    def __init__(self, allowed_roles: Iterable[Role]):
        self.allowed_roles = frozenset(allowed_roles)
        super().__init__(csrf=True)

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return None
        if self.csrf and not getattr(request, "_ninja_csrf_exempt", False) and check_csrf(request):
            raise HttpError(403, _("CSRF check failed: send the X-CSRFToken header with the csrftoken cookie."))
        return _role_checked(user, self.allowed_roles)

    def authenticate(self, request, key):  # pragma: no cover - __call__ does the work
        return None


def api_auth(*roles: Role) -> list:
    """The auth rule of an operation open to ``roles`` (all three when none are named)."""
    allowed = frozenset(roles) or ALL_ROLES
    return [BearerTokenAuth(allowed), SessionAuth(allowed)]
