"""`POST /api/v1/households`: a household's members sent as one bundle, recorded whole or not at all.

A phone that entered a household offline sends it as one bundle named by its `uuid`, so the
members are stored together (in ladder order, by ``services.record_household``) or none is, and a
resend of the bundle records nothing (enrollments/sync.py).
"""

from uuid import UUID

from django.http import HttpResponse
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status

from collectors.api_auth import api_auth
from collectors.roles import Role
from core.api_errors import ERROR_RESPONSES
from core.errors import DomainError

from .api import enrollment_request, in_body_terms, recording_context, stored_answer
from .api_schemas import EnrollmentIn, EnrollmentOut
from .models import Source
from .services import record_household
from .sync import REPLAYED_HEADER, answer_once, fingerprint, refuse_used_uuids, uuid_key

router = Router(tags=["enrollments"])

MAX_MEMBERS = 30


class MemberIn(EnrollmentIn):
    campaign: str | None = Field(None, max_length=40, description="The bundle's campaign; if given, the same")


class HouseholdIn(Schema):
    campaign: str = Field(max_length=40, examples=["TN-CAODIEM-2025"])
    uuid: UUID = Field(description="Made by the client when the household's form opens")
    household_code: str | None = Field(
        None, max_length=30, description="Every member's household code; empty: the bundle is a household of its own"
    )
    members: list[MemberIn] = Field(min_length=1, max_length=MAX_MEMBERS, description="In ladder order")


class HouseholdOut(Schema):
    uuid: UUID
    campaign: str
    household_code: str
    members: list[EnrollmentOut]


def _member_problems(bundle: HouseholdIn) -> dict:
    code = (bundle.household_code or "").strip()
    problems = {}
    for index, member in enumerate(bundle.members):
        if member.campaign and member.campaign.strip() != bundle.campaign.strip():
            problems[f"members.{index}.campaign"] = _("Every member is recorded in the bundle's campaign.")
        own = (member.participant.household_code or "").strip()
        if own and own != code:
            problems[f"members.{index}.participant.household_code"] = _("Every member has the bundle's household code.")
    return problems


def _member_terms(exc: DomainError) -> DomainError:
    """The refusal of one member with its fields named by their path in the bundle."""
    named = in_body_terms(exc)
    if exc.index is None:
        return named
    return type(exc)({f"members.{exc.index}.{key}": value for key, value in named.errors.items()})


def _record(request, bundle: HouseholdIn) -> dict:
    collector, campaign = recording_context(request, bundle.campaign)
    if problems := _member_problems(bundle):
        raise DomainError(problems)
    code = (bundle.household_code or "").strip()
    requests = []
    for member in bundle.members:
        participant = member.participant.model_copy(update={"household_code": code})
        requests.append(enrollment_request(member.model_copy(update={"participant": participant})))
    try:
        refuse_used_uuids([member.uuid for member in bundle.members])
        stored = record_household(
            campaign=campaign, collector=collector, requests=requests, recorded_by=request.auth, source=Source.API
        )
    except DomainError as exc:
        raise _member_terms(exc) from exc
    return {
        "uuid": str(bundle.uuid),
        "campaign": stored[0].campaign.code,  # the campaign running on the collection date
        "household_code": code,
        "members": [stored_answer(enrollment, enrollment.campaign) for enrollment in stored],
    }


@router.post(
    "/households",
    response={201: HouseholdOut, **ERROR_RESPONSES},
    auth=api_auth(Role.OFFICER),
    summary="Record a household",
)
def create_household(request, payload: HouseholdIn, response: HttpResponse):
    """Record the members of one household together for the calling officer's agency: all, or none.

    Members are enrollment bodies (their `campaign` may be left out) in ladder order; their
    `member_order` is computed from the household when left out. A refusal names the member
    (`members.1.participant.cccd`) and nothing is recorded. The bundle's `uuid` is kept as for
    `POST /enrollments`: the same uuid and content gets the first answer again (same status,
    `Idempotent-Replayed: true`) and records nothing; other content under it gets 409.
    """
    answer = answer_once(
        user=request.auth,
        key=uuid_key(payload.uuid),
        digest=fingerprint("POST /households", payload.model_dump(mode="json", exclude={"uuid"})),
        produce=lambda: _record(request, payload),
    )
    if answer.replayed:
        response[REPLAYED_HEADER] = "true"
    return Status(answer.status, answer.body)
