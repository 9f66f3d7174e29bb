"""Issue, check and revoke the API's bearer tokens."""

import hashlib
import secrets

from django.utils import timezone

from .models import ApiToken

TOKEN_BYTES = 32


def _digest(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def issue_api_token(*, user, name: str, issued_by=None) -> tuple[ApiToken, str]:
    """Create a token for ``user``; returns the row and the raw token, which is not kept."""
    raw = secrets.token_urlsafe(TOKEN_BYTES)
    token = ApiToken.objects.create(user=user, name=name, prefix=raw[:8], key_hash=_digest(raw), created_by=issued_by)
    return token, raw


def user_for_token(raw: str):
    """The active user behind a valid, unrevoked token, or None."""
    if not raw:
        return None
    token = (
        ApiToken.objects.select_related("user", "user__posting__province")  # the province its pages keep to
        .filter(key_hash=_digest(raw), revoked_at__isnull=True, user__is_active=True)
        .first()
    )
    if token is None:
        return None
    now = timezone.now()
    if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 60:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user


def revoke_api_token(*, token: ApiToken) -> None:
    ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(revoked_at=timezone.now())
