"""Exactly-once recording for phones that send again: an answer kept per key and per content.

A phone that lost its signal cannot know whether its send arrived, so it sends again. Two names
for "the same send" exist: the `Idempotency-Key` header (any string) and the `uuid` the client
gives a record when its form opens (DESIGN.md). Either way the server keeps one
``IdempotentRequest`` row per user and key, holding a SHA-256 of the send's content and the
answer it got. A send whose key is known gets that answer again (the same status, with the
header ``Idempotent-Replayed: true``) and records nothing; the same key with other content is
refused. The row is claimed before recording, inside the recording's transaction, so a twin sent
at the same moment waits on the unique (user, key) row and then finds the answer.
"""

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from uuid import UUID

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from core.api_errors import domain_error_body
from core.errors import ConflictError, DomainError

from .models import Enrollment, IdempotentRequest

REPLAYED_HEADER = "Idempotent-Replayed"
UUID_KEY_PREFIX = "uuid:"


@dataclass(frozen=True)
class Answer:
    status: int
    body: dict
    replayed: bool = False


def canonical(value):
    """The content of a send, as sorted JSON with surrounding spaces of text removed.

    The body has already been validated, so what the transport varies (key order, `12` or `"12"`,
    a default left out or spelled out, fields the API does not read) is gone before hashing.
    """
    if isinstance(value, dict):
        return {key: canonical(item) for key, item in value.items()}
    if isinstance(value, list):
        return [canonical(item) for item in value]
    if isinstance(value, str):
        return value.strip()
    return value


def fingerprint(operation: str, content: dict) -> str:
    text = json.dumps(canonical(content), sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(f"{operation}\n{text}".encode()).hexdigest()


def uuid_key(value: UUID) -> str:
    return f"{UUID_KEY_PREFIX}{value}"


def _content_differs(key: str) -> DomainError:
    if key.startswith(UUID_KEY_PREFIX):
        return ConflictError(
            {
                "uuid": _(
                    "This record was already sent and saved with different content. It may have been changed "
                    "on the phone after it was sent: check the saved record, and if the change is needed, "
                    "enter it as a new record."
                )
            }
        )
    return DomainError(
        {
            "Idempotency-Key": _(
                "This Idempotency-Key was already used for a different request; "
                "send each new enrollment with a new key."
            )
        }
    )


def refuse_used_uuids(values) -> None:
    """A client's uuid names one record: one stored under it by another account is a conflict."""
    wanted = [value for value in values if value is not None]
    if wanted and Enrollment.objects.filter(uuid__in=wanted).exists():
        raise ConflictError(
            {
                "uuid": _(
                    "Another record was already saved under this record's identifier (uuid). "
                    "Enter it again as a new record."
                )
            }
        )


def answer_once(*, user, key: str, digest: str, produce: Callable[[], dict], status: int = 201) -> Answer:
    """``produce()``'s answer for this key, computed once: later sends get the stored answer.

    A refusal by the rules (a ``DomainError``) is an answer too and is kept; any other exception
    (401/403/404, a server error) rolls the claim back, so the key stays free for a corrected send.
    """
    with transaction.atomic():
        try:
            with transaction.atomic():
                claim = IdempotentRequest.objects.create(
                    user=user, key=key, request_hash=digest, status_code=0, response={}
                )
        except IntegrityError:
            stored = IdempotentRequest.objects.get(user=user, key=key)
            if stored.request_hash != digest:
                raise _content_differs(key) from None
            return Answer(stored.status_code, stored.response, replayed=True)
        try:
            answer = Answer(status, produce())
        except DomainError as exc:
            answer = Answer(exc.status_code, domain_error_body(exc))
        claim.status_code, claim.response = answer.status, answer.body
        claim.save(update_fields=["status_code", "response"])
    return answer
