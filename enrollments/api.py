"""The JSON doors onto the enrollment services: quotes, a person's status, recording and listing.

Each endpoint parses, calls one service or selector, and shapes the answer; the rules live in
services.py and selectors.py, shared with the web form and the Excel import.
"""

from datetime import date
from typing import Annotated

from django.http import Http404, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Header, Query, Router, Schema, Status
from ninja.errors import HttpError
from ninja.pagination import PaginationBase, paginate

from campaign.models import Campaign
from campaign.selectors import campaign_for, campaign_running_on, current_campaign
from collectors.api_auth import api_auth
from collectors.roles import Role
from collectors.scoping import collector_of
from core import clock
from core.api_errors import ERROR_RESPONSES, ErrorOut, error_body
from core.errors import DomainError
from core.keyset import Cursor, KeysetPage, bounded_count, keyset_page

from .api_schemas import (
    EnrollmentIn,
    EnrollmentOut,
    ParticipantStatusOut,
    ProductCode,
    QuoteOut,
    SupportGroupCode,
)
from .identity import validate_cccd
from .models import Enrollment, Source
from .privacy import PersonFields, masked_fields, person_fields_reader
from .selectors import (
    LIST_COUNT_LIMIT,
    allow_cccd_lookup,
    finish_page,
    has_gift,
    listed_for,
    lookup_limit_message,
    participant_status,
)
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
    campaign = current_campaign(user=request.auth)
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
    campaign = campaign_for(request.auth, campaign_code)
    if campaign is None:
        raise Http404(_("No campaign has the code %(code)s.") % {"code": campaign_code})
    return collector, campaign


def stored_answer(enrollment: Enrollment, campaign: Campaign) -> dict:
    """The JSON of one recorded enrollment, as a 201 shows it and a replay repeats it."""
    gift_issued = getattr(enrollment, "person_has_gift", None)  # known when recording stored the person
    if gift_issued is None:
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


class EnrollmentPage(PaginationBase):
    """``limit``/``offset`` pages as before, or keyset pages (``cursor``, with ``next``/``previous`` links);
    rows shaped (and masked) for the caller; ``count`` exact up to 10,000 rows past ``offset``, then bounded."""

    class Input(Schema):
        limit: int = Field(100, ge=1, le=2**31)  # above MAX_PAGE it is cut to MAX_PAGE
        offset: int = Field(0, ge=0, le=MAX_OFFSET)
        cursor: str | None = Field(
            None,
            max_length=60,
            description="The `next` or `previous` link's cursor: the page after (or before) a row, stable while "
            "enrollments are recorded. Not with `offset`.",
        )

    class Output(Schema):
        items: list[EnrollmentOut]
        count: int = Field(description="Rows matching, counted up to `offset` + 10,000 (see `count_exact`).")
        count_exact: bool = Field(description="False when more rows match than `count` says.")
        next: str | None = Field(None, description="The link to the older rows after this page, if any.")
        previous: str | None = Field(None, description="The link to the newer rows before this page, if any.")

    items_attribute = "items"

    def __init__(self, *, max_limit: int = MAX_PAGE, **kwargs):
        self.max_limit = max_limit
        super().__init__(**kwargs)

    def paginate_queryset(self, queryset, pagination, request, **params):
        limit = min(pagination.limit, self.max_limit)
        cursor = None
        if pagination.cursor is not None:
            cursor = Cursor.decode(pagination.cursor)
            if cursor is None:
                raise DomainError(
                    {"cursor": _("This cursor is not one of this list's links; start from the first page.")}
                )
            if pagination.offset:
                raise DomainError({"offset": _("Use either offset or cursor, not both.")})
        if cursor is None and pagination.offset:
            rows = list(queryset[pagination.offset : pagination.offset + limit + 1])
            page = KeysetPage(rows[:limit], _after_row(rows, limit), None)
        else:
            page = keyset_page(queryset, cursor=cursor, size=limit)
        count, exact = bounded_count(queryset, pagination.offset + LIST_COUNT_LIMIT)
        shown = person_fields_reader(request.auth)
        return {
            self.items_attribute: [
                enrollment_out(enrollment, shown=shown(enrollment), gift_issued=enrollment.person_has_gift)
                for enrollment in finish_page(page.rows)
            ],
            "count": count,
            "count_exact": exact,
            "next": _link(request, page.next, limit),
            "previous": _link(request, page.previous, limit),
        }


def _after_row(rows: list, limit: int) -> Cursor | None:
    """The cursor of the page after an offset page (its last row), when there are more rows."""
    return Cursor(rows[limit - 1].recorded_at, rows[limit - 1].pk) if len(rows) > limit else None


def _link(request, cursor: Cursor | None, limit: int) -> str | None:
    """The same list (same filters and limit) from ``cursor``."""
    if cursor is None:
        return None
    query = request.GET.copy()
    query.pop("offset", None)
    query["cursor"] = cursor.encode()
    query["limit"] = str(limit)
    return request.build_absolute_uri(f"{request.path}?{query.urlencode()}")


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
    """The enrollments the caller may see (an officer: their agency's), newest first (`limit` 100 by default,
    at most 500), by `limit`/`offset` or by following the `next` and `previous` links (`cursor`), which stay
    put while enrollments are recorded and cost the same however deep the page.

    CCCD, birth date and phone are masked unless the caller is an admin or an officer of the agency
    that recorded the enrollment.
    """
    filters = {"campaign": campaign, "week": week, "agency": agency, "product": product}
    return listed_for(request.auth, filters=filters)
