"""Log out of every device: end all of a user's sessions, whatever the session store.

A session store cannot list a user's sessions (the database store would have to decode every
row, a cache store cannot at all), so each session carries the user's *epoch*, the number of
times their sessions were all ended, as it stood at login. Ending them all adds one to the
number; the middleware logs out any session still holding an older one on its next request.

API tokens are not sessions: they belong to a system an admin connected (the post office's
software, say), so a user logging out everywhere keeps them; an admin acting on a compromised
account revokes them with the same stroke (``revoke_tokens=True``). See README, "Security".
"""

import logging

from django.contrib.auth import logout
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from ..models import ApiToken, SessionEpoch

SESSION_KEY = "_session_epoch"
logger = logging.getLogger(__name__)


def epoch_of(user) -> int:
    """The user's epoch; the auth backend loads it with the user, so this is usually no query."""
    try:
        return user.session_epoch.number
    except SessionEpoch.DoesNotExist:
        return 0


def stamp_on_login(sender, request, user, **kwargs) -> None:
    """``user_logged_in`` receiver: the new session belongs to the epoch in force now."""
    if request is not None and hasattr(request, "session"):
        number = SessionEpoch.objects.filter(user=user).values_list("number", flat=True).first()
        request.session[SESSION_KEY] = number or 0


@transaction.atomic
def end_all_sessions(*, user, by=None, revoke_tokens: bool = False) -> int:
    """End every session of ``user`` on every device; with ``revoke_tokens``, their API tokens too.

    Returns how many API tokens were revoked.
    """
    epoch, _ = SessionEpoch.objects.select_for_update().get_or_create(user=user)
    SessionEpoch.objects.filter(pk=epoch.pk).update(number=F("number") + 1, changed_at=timezone.now(), changed_by=by)
    revoked = 0
    if revoke_tokens:
        revoked = ApiToken.objects.filter(user=user, revoked_at__isnull=True).update(revoked_at=timezone.now())
    logger.info(
        "all sessions of user %s ended by user %s; %s API tokens revoked", user.pk, getattr(by, "pk", None), revoked
    )
    return revoked


def end_other_sessions(request) -> None:
    """End the signed-in user's other sessions and keep this one (under a new key)."""
    end_all_sessions(user=request.user, by=request.user)
    request.session.cycle_key()
    request.session[SESSION_KEY] = SessionEpoch.objects.get(user=request.user).number


def log_out_everywhere(request, *, revoke_tokens: bool = False) -> int:
    """The signed-in user ends all their sessions, this one included."""
    revoked = end_all_sessions(user=request.user, by=request.user, revoke_tokens=revoke_tokens)
    logout(request)
    return revoked


class SessionEpochMiddleware:
    """Logs out a session whose epoch is older than its user's (after AuthenticationMiddleware)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        session = getattr(request, "session", None)
        signed_in = user is not None and session is not None and user.is_authenticated
        if signed_in and session.get(SESSION_KEY, 0) != epoch_of(user):
            logout(request)
        return self.get_response(request)
