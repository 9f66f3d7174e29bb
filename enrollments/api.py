"""The JSON doors onto the enrollment services: quotes, a person's status, recording and listing.

Each endpoint parses, calls one service or selector, and shapes the answer; the rules live in
services.py and selectors.py, shared with the web form and the Excel import.
"""

from datetime import date
from typing import Annotated

from django.db.models import Exists, OuterRef
from django.http import Http404, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Header, Query, Router, Schema, Status
from ninja.errors import HttpError
from ninja.pagination import LimitOffsetPagination, paginate

from campaign.models import Campaign
from campaign.selectors import campaign_running_on, current_campaign
from collectors.api_auth import api_auth
from collectors.roles import Role
from collectors.scoping import collector_of
from core import clock
from core.api_errors import ERROR_RESPONSES, ErrorOut, error_body
from core.errors import DomainError

from .api_schemas import (
    EnrollmentIn,
    EnrollmentOut,
    ParticipantStatusOut,
    ProductCode,
    QuoteOut,
    SupportGroupCode,
)
from .identity import validate_cccd
from .models import Enrollment, GiftIssue, Source
from .privacy import PersonFields, masked_fields, person_fields_for
from .selectors import allow_cccd_lookup, enrollments_for, has_gift, lookup_limit_message, participant_status
from .services import EnrollmentRequest, PersonData, quote, record_enrollment
from .sync import REPLAYED_HEADER, answer_once, fingerprint, refuse_used_uuids, uuid_key
from .vocabulary import mug_due

router = Router(tags=["enrollments"])

# The service names a person's fields plainly ("cccd"); the API names them by their place in the body.
PERSON_FIELDS = frozenset(PersonData.__dataclass_fields__)
IDEMPOTENCY_HEADER = "Idempotency-Key"
IdempotencyKey = Annotated[
    str | None,
    Header(
        None,
        alias=IDEMPOTENCY_HEADER,
        max_length=100,
        description="Any unique string per enrollment (a UUID): a retry with the same key and body "
        "returns the first answer instead of recording again.",
    ),
]


# --- Quotes and a person's status ------------------------------------------------------------


@router.get("/quote", response={200: QuoteOut, **ERROR_RESPONSES}, auth=api_auth(*Role), summary="Quote")
def get_quote(
    request,
    product: ProductCode,
    months: int,
    member_order: int | None = None,
    income: int | None = None,
    support_group: SupportGroupCode | None = None,
    on: date | None = None,
    cccd: str | None = None,
):
    """What a person pays: `member_order` for bhyt_hgd (default 1), `income` and `support_group` for bhxh_tn.

    `on` (default today) picks the rates in force; with `cccd`, a bhxh_tn quote counts the months
    of State support the person already had.
    """
    on = on or clock.today()
    number = validate_cccd(cccd) if cccd else ""
    try:
        amounts = quote(
            product=product,
            months=months,
            on=on,
            member_order=member_order,
            income=income,
            support_group=support_group,
            cccd=number,
        )
    except DomainError as exc:
        raise _renamed(exc, {"collected_on": "on"}) from exc
    return {**amounts.__dict__, "on": on}


@router.get(
    "/participants/{cccd}/status",
    response={200: ParticipantStatusOut, 429: ErrorOut, **ERROR_RESPONSES},
    auth=api_auth(*Role),
    summary="Participant status",
)
def get_participant_status(request, cccd: str, product: ProductCode, on: date | None = None):
    """Whether recording this person on `on` (default today) would be new, rejoin or renewal, and their mug.

    Limited per user and minute (CCCD_LOOKUPS_PER_MINUTE, default 60): 429 beyond it."""
    number = validate_cccd(cccd)
    if not allow_cccd_lookup(request.auth):
        return Status(429, error_body(lookup_limit_message()))
    on = on or clock.today()
    campaign = current_campaign()
    if campaign is not None:
        campaign = campaign_running_on(campaign=campaign, day=on)
    status = participant_status(cccd=number, product=product, on=on, campaign=campaign)
    return {
        "product": status.product,
        "on": status.on,
        "classification": status.classification,
        "last_coverage_end": status.last_coverage_end,
        "gift_eligible": status.gift_eligible,
        "gift_issued": status.gift_issued,
    }


# --- Recording ----------------------------------------------------------------------------------


def enrollment_out(enrollment: Enrollment, *, shown: PersonFields, gift_issued: bool) -> dict:
    """One enrollment as the API shows it, with the personal data as ``shown`` (privacy.person_fields_for)."""
    person = enrollment.participant
    warnings = []
    if enrollment.week_id is None:
        warnings.append(
            _("The collection date is outside the campaign: it is recorded but not counted in quotas or awards.")
        )
    return {
        "id": enrollment.pk,
        "uuid": enrollment.uuid,
        "campaign": enrollment.campaign.code,
        "week": enrollment.week.number if enrollment.week_id else None,
        "product": enrollment.product,
        "months": enrollment.months,
        "collected_on": enrollment.collected_on,
        "classification": enrollment.classification,
        "coverage_start": enrollment.coverage_start,
        "coverage_end": enrollment.coverage_end,
        "member_order": enrollment.member_order,
        "income": enrollment.income,
        "support_group": enrollment.support_group or None,
        "amount_due": enrollment.amount_due,
        "state_support": enrollment.state_support,
        "supported_months": enrollment.supported_months,
        "amount_payable": enrollment.amount_payable,
        "gift_eligible": mug_due(enrollment, issued=gift_issued),
        "gift_issued": gift_issued,
        "agency": enrollment.agency.code,
        "collector": enrollment.collector.code,
        "receipt_no": enrollment.receipt_no,
        "channel": enrollment.channel,
        "status": enrollment.status,
        "source": enrollment.source,
        "recorded_at": timezone.localtime(enrollment.recorded_at),
        "personal_data_masked": not shown.full,
        "participant": {
            "uuid": person.uuid,
            "cccd": shown.cccd,
            "full_name": person.full_name,
            "date_of_birth": shown.birth("%Y-%m-%d"),
            "sex": person.sex,
            "phone": shown.phone,
            "commune_code": person.commune.code,
            "target_group": person.target_group,
        },
        "warnings": warnings,
    }


def enrollment_request(payload: EnrollmentIn) -> EnrollmentRequest:
    person = payload.participant
    return EnrollmentRequest(
        person=PersonData(
            cccd=person.cccd,
            full_name=person.full_name,
            date_of_birth=person.date_of_birth,
            sex=person.sex,
            commune_code=person.commune_code,
            phone=person.phone or "",
            household_code=person.household_code or "",
            target_group=person.target_group,
            bhxh_code=person.bhxh_code or "",
            household_head_cccd=person.household_head_cccd or "",
        ),
        product=payload.product,
        months=payload.months,
        collected_on=payload.collected_on,
        member_order=payload.member_order,
        income=payload.income,
        support_group=payload.support_group,
        receipt_no=payload.receipt_no or "",
        channel=payload.channel,
        uuid=payload.uuid,
    )


def _renamed(exc: DomainError, names: dict[str, str]) -> DomainError:
    """The same refusal with its fields named as the API names them."""
    return type(exc)({names.get(key, key): messages for key, messages in exc.errors.items()})


def in_body_terms(exc: DomainError) -> DomainError:
    """The person's fields named by their path in the body (``participant.cccd``)."""
    return _renamed(exc, {key: f"participant.{key}" for key in PERSON_FIELDS})


def recording_context(request, campaign_code: str):
    """The calling officer's collector and the campaign named in the body: 403 or 404 otherwise."""
    collector = collector_of(request.auth)
    if collector is None:
        raise HttpError(
            403,
            _(
                "Your account is not linked to an active collection officer of an active agency, so it cannot "
                "record enrollments; ask the administrator to link it."
            ),
        )
    campaign = Campaign.objects.select_related("province").filter(code=campaign_code.strip()).first()
    if campaign is None:
        raise Http404(_("No campaign has the code %(code)s.") % {"code": campaign_code})
    return collector, campaign


def stored_answer(enrollment: Enrollment, campaign: Campaign) -> dict:
    """The JSON of one recorded enrollment, as a 201 shows it and a replay repeats it."""
    gift_issued = has_gift(cccd=enrollment.participant.cccd, campaign=campaign)
    # The caller sent the personal data and the answer may be stored for retries: it need not carry it back.
    body = enrollment_out(enrollment, shown=masked_fields(enrollment.participant), gift_issued=gift_issued)
    return EnrollmentOut.model_validate(body).model_dump(mode="json")


def _record(request, payload: EnrollmentIn) -> dict:
    """Record the enrollment for the calling officer's agency; the JSON of the 201 answer."""
    collector, campaign = recording_context(request, payload.campaign)
    try:
        refuse_used_uuids([payload.uuid])
        enrollment = record_enrollment(
            campaign=campaign,
            collector=collector,
            request=enrollment_request(payload),
            recorded_by=request.auth,
            source=Source.API,
        )
    except DomainError as exc:
        raise in_body_terms(exc) from exc
    return stored_answer(enrollment, enrollment.campaign)


@router.post(
    "/enrollments",
    response={201: EnrollmentOut, **ERROR_RESPONSES},
    auth=api_auth(Role.OFFICER),
    summary="Record an enrollment",
)
def create_enrollment(
    request,
    payload: EnrollmentIn,
    response: HttpResponse,
    idempotency_key: IdempotencyKey = None,
):
    """Record one enrollment for the calling officer's agency (officers only); the answer is the stored row.

    A body with a `uuid` (made by the client when its form opens) is recorded once: the first answer
    (201, or a 409/422 refusal) is kept, and a send of the same uuid and content gets it again, with
    the same status and the header `Idempotent-Replayed: true`; the same uuid with other content gets
    409. Without a uuid, an `Idempotency-Key` header does the same, except that another body under a
    used key gets 422. With both, the uuid decides.
    """
    key = uuid_key(payload.uuid) if payload.uuid else (idempotency_key or "").strip()
    if not key:
        return Status(201, _record(request, payload))
    answer = answer_once(
        user=request.auth,
        key=key,
        digest=fingerprint("POST /enrollments", payload.model_dump(mode="json")),
        produce=lambda: _record(request, payload),
    )
    if answer.replayed:
        response[REPLAYED_HEADER] = "true"
    return Status(answer.status, answer.body)


# --- Listing ------------------------------------------------------------------------------------


MAX_PAGE = 500
# Far beyond any list, far within the database's 64-bit OFFSET: ?offset=2**64 is a 422, not a 500.
MAX_OFFSET = 100_000_000


class EnrollmentPage(LimitOffsetPagination):
    """limit/offset pages whose rows are shaped (and masked) for the caller."""

    class Input(Schema):
        limit: int = Field(100, ge=1, le=2**31)  # above MAX_PAGE it is cut to MAX_PAGE
        offset: int = Field(0, ge=0, le=MAX_OFFSET)

    def paginate_queryset(self, queryset, pagination, request, **params):
        page = super().paginate_queryset(queryset, pagination, request, **params)
        user = request.auth
        page[self.items_attribute] = [
            enrollment_out(
                enrollment,
                shown=person_fields_for(user, enrollment),
                gift_issued=enrollment.person_has_gift,
            )
            for enrollment in page[self.items_attribute]
        ]
        return page


@router.get(
    "/enrollments",
    response={200: list[EnrollmentOut], 401: ErrorOut, 403: ErrorOut, 422: ErrorOut},
    auth=api_auth(*Role),
    summary="List enrollments",
)
@paginate(EnrollmentPage, max_limit=MAX_PAGE)
def list_enrollments(
    request,
    campaign: str | None = None,
    week: int | None = Query(None, ge=1, le=1000),
    agency: str | None = None,
    product: ProductCode | None = None,
):
    """The enrollments the caller may see (an officer: their agency's), newest first, `limit`/`offset` pages
    (`limit` 100 by default, at most 500).

    CCCD, birth date and phone are masked unless the caller is an admin or an officer of the agency
    that recorded the enrollment.
    """
    filters = {"campaign": campaign, "week": week, "agency": agency, "product": product}
    return (
        enrollments_for(request.auth, filters=filters)
        .select_related("participant__commune")
        .annotate(
            person_has_gift=Exists(
                GiftIssue.objects.filter(participant=OuterRef("participant"), campaign=OuterRef("campaign"))
            )
        )
    )
