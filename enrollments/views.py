"""The officer's pages: sign people up at a market stall or a family's door, then find what was recorded.

Every write goes through ``enrollments.services``; a ``DomainError`` becomes form errors next to
the field it names, and the form comes back with everything the officer typed.
"""

import re
import uuid
from dataclasses import dataclass
from datetime import date, datetime
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.core.paginator import Paginator
from django.forms import Form
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from campaign.models import Campaign, Product
from campaign.selectors import current_campaign
from collectors.models import Collector
from collectors.roles import ALL_ROLES, Role, role_of, role_required
from collectors.scoping import collector_of
from core import clock
from core.errors import ConflictError, DomainError

from . import queries_web
from .forms import (
    DATE_INPUT_FORMATS,
    BhxhForm,
    CancelForm,
    ChannelForm,
    DongField,
    EnrollmentFilterForm,
    HouseholdForm,
    MemberFormSet,
)
from .identity import validate_cccd
from .models import Channel, Enrollment
from .privacy import mask_name, person_fields_for
from .selectors import (
    enrollments_for,
    ladder_length,
    ladder_orders,
    mug_due_on_recording,
    participant_status,
    policy_on,
)
from .services import (
    EnrollmentRequest,
    PersonData,
    Prepared,
    cancel_enrollment,
    issue_gift,
    prepare_enrollment,
    quote,
    record_enrollment,
    record_household,
)
from .vocabulary import mug_due

CHANNEL_KEY = "enrollment_channel"
SUBMITTED_KEY = "enrollment_submissions"
MEMBER_PREFIX = "members"
LIST_PAGE_SIZE = 25
# Fields the confirmation page carries back unchanged; these are its own.
NOT_CARRIED = {"csrfmiddlewaretoken", "action", "submission"}


# --- the officer's working session ------------------------------------------------------------


@dataclass(frozen=True)
class Desk:
    """What every entry page needs: the campaign, who records, where they are, and the day."""

    campaign: Campaign
    collector: Collector
    channel: str
    today: date

    @property
    def channel_label(self) -> str:
        return Channel(self.channel).label


def _session_channel(request) -> str:
    value = request.session.get(CHANNEL_KEY)
    return value if value in Channel.values else Channel.OTHER


def _desk(request) -> tuple[Desk | None, object]:
    """The officer's desk, or the page that explains why they cannot record (never a 500)."""
    collector = collector_of(request.user)
    if collector is None:
        return None, _unavailable(
            request,
            _("You are not linked to an active collection officer record"),
            _(
                "To record enrollments your account must belong to an officer of an active collection agency. "
                "Ask the BHXH administrator to link your account."
            ),
        )
    campaign = current_campaign()
    if campaign is None:
        return None, _unavailable(
            request,
            _("No campaign is running"),
            _("Enrollments are recorded within a campaign. Ask the BHXH administrator to start one."),
        )
    return Desk(campaign=campaign, collector=collector, channel=_session_channel(request), today=clock.today()), None


def _unavailable(request, title: str, text: str):
    return render(request, "enrollments/unavailable.html", {"title": title, "text": text}, status=403)


def _allowed_months(product: str, today: date) -> tuple[int, ...]:
    try:
        policy = policy_on(today).policy
    except DomainError:
        return ()
    return policy.bhyt_months if product == Product.BHYT_HGD else policy.bhxh_months


def _form_options(desk: Desk, product: str) -> dict:
    return {
        "communes": list(queries_web.communes_of(desk.campaign)),
        "default_commune": queries_web.default_commune(agency=desk.collector.agency, campaign=desk.campaign),
        "months": _allowed_months(product, desk.today),
        "today": desk.today,
    }


def _attach_errors(exc: DomainError, form: Form, person_form: Form | None = None) -> None:
    """Put each message of a service's error next to its field; what has no field goes on top."""
    for key, messages_ in exc.errors.items():
        texts = [str(message) for message in messages_]
        if person_form is not None and key in person_form.fields:
            target, field = person_form, key
        elif key in form.fields:
            target, field = form, key
        elif key == "member_order" and person_form is not None:
            target, field = person_form, None
        else:
            target, field = form, None
        shown = target.errors.get(field or NON_FIELD_ERRORS, [])
        fresh = [text for text in texts if text not in shown]
        if fresh:
            target.add_error(field, fresh)


def _mug_due(prepared: Prepared, campaign: Campaign) -> bool:
    return mug_due_on_recording(
        cccd=prepared.request.person.cccd,
        campaign=campaign,
        classification=prepared.classification,
        in_campaign=prepared.week is not None,
    )


def _confirmation(request, desk: Desk, *, product: str, prepared: list[Prepared], extra: dict | None = None):
    rows = [{"prepared": p, "mug_due": _mug_due(p, desk.campaign)} for p in prepared]
    context = {
        "desk": desk,
        "product": product,
        "product_label": Product(product).label,
        "rows": rows,
        "total": sum(p.quote.amount_payable for p in prepared),
        "carried": [(key, value) for key, values in request.POST.lists() if key not in NOT_CARRIED for value in values],
        "submission": uuid.uuid4().hex,
        **(extra or {}),
    }
    return render(request, "enrollments/confirm.html", context)


def _already_recorded(request) -> str | None:
    """The receipt of a confirmation already sent (a double tap or a retry on a bad network)."""
    return request.session.get(SUBMITTED_KEY, {}).get(request.POST.get("submission", ""))


def _recorded(request, enrollments: list[Enrollment]):
    url = reverse("enrollments:receipt") + "?" + urlencode([("e", e.pk) for e in enrollments])
    token = request.POST.get("submission", "")
    if token:
        submitted = dict(list(request.session.get(SUBMITTED_KEY, {}).items())[-19:])
        submitted[token] = url
        request.session[SUBMITTED_KEY] = submitted
    return redirect(url)


# --- entry pages ------------------------------------------------------------------------------


@role_required(Role.OFFICER)
def start(request):
    """Pick where the officer works today; it carries over to every form until changed."""
    desk, refusal = _desk(request)
    if refusal:
        return refusal
    if request.method == "POST":
        form = ChannelForm(request.POST)
        if form.is_valid():
            request.session[CHANNEL_KEY] = form.cleaned_data["channel"]
            messages.success(
                request, _("Working at: %(channel)s.") % {"channel": Channel(form.cleaned_data["channel"]).label}
            )
            return redirect("enrollments:start")
    else:
        form = ChannelForm(initial={"channel": desk.channel})
    chosen = CHANNEL_KEY in request.session
    return render(request, "enrollments/start.html", {"desk": desk, "form": form, "channel_chosen": chosen})


def _household_forms(request, desk: Desk, data=None) -> tuple[HouseholdForm, MemberFormSet]:
    form = HouseholdForm(data, **_form_options(desk, Product.BHYT_HGD))
    formset = MemberFormSet(data, prefix=MEMBER_PREFIX)
    return form, formset


def _household_requests(form: HouseholdForm, members: list, channel: str) -> list[EnrollmentRequest]:
    household = form.cleaned_data
    return [
        EnrollmentRequest(
            person=PersonData(
                cccd=member.cleaned_data["cccd"],
                full_name=member.cleaned_data["full_name"],
                date_of_birth=member.cleaned_data["date_of_birth"],
                sex=member.cleaned_data["sex"],
                commune_code=household["commune_code"],
                phone=member.cleaned_data["phone"],
                household_code=household["household_code"].strip(),
                target_group=member.cleaned_data["target_group"],
                address=household["address"],
            ),
            product=Product.BHYT_HGD,
            months=household["months"],
            collected_on=household["collected_on"],
            receipt_no=household["receipt_no"],
            channel=channel,
        )
        for member in members
    ]


def _member_orders(form: HouseholdForm, formset: MemberFormSet, desk: Desk) -> list[int]:
    """The ladder places of the members on the form, from the household typed and the collection date."""
    code, on = form["household_code"].value(), desk.today
    if form.is_bound:
        try:
            on = form.fields["collected_on"].clean(form["collected_on"].value())
        except ValidationError:  # a date not yet valid: today's order is the best guess
            on = desk.today
    household = queries_web.household_by_code(code or "")
    return ladder_orders(household=household, collected_on=on, members=max(len(formset.forms), 1))


def _household_page(request, desk: Desk, form: HouseholdForm, formset: MemberFormSet, *, status: int = 200):
    orders = _member_orders(form, formset, desk)
    base, last = orders[0], ladder_length(desk.today)
    members = list(zip(formset.forms, orders, strict=False))
    context = {
        "desk": desk,
        "form": form,
        "formset": formset,
        "members": members,
        "base_order": base,
        "ladder_last": last,
    }
    return render(request, "enrollments/enroll_bhyt.html", context, status=status)


@role_required(Role.OFFICER)
def enroll_bhyt(request):
    """BHYT hộ gia đình: one household visit, one or more members, one receipt, all or nothing."""
    desk, refusal = _desk(request)
    if refusal:
        return refusal
    if request.method != "POST":
        return _household_page(request, desk, *_household_forms(request, desk))
    form, formset = _household_forms(request, desk, request.POST)
    action = request.POST.get("action", "review")
    valid = [form.is_valid(), formset.is_valid()]  # both, so every error shows at once
    if action == "back" or not all(valid):
        return _household_page(request, desk, form, formset)

    members = formset.filled_forms()
    requests = _household_requests(form, members, desk.channel)
    prepared, failed = [], False
    for position, (member, enrollment_request) in enumerate(zip(members, requests, strict=True)):
        try:
            prepared.append(
                prepare_enrollment(campaign=desk.campaign, request=enrollment_request, batch_position=position)
            )
        except DomainError as exc:
            _attach_errors(exc, form, member)
            failed = True
    if failed:
        return _household_page(request, desk, form, formset)
    if action != "confirm":
        return _confirmation(
            request,
            desk,
            product=Product.BHYT_HGD,
            prepared=prepared,
            extra={"address": form.cleaned_data["address"], "household_code": form.cleaned_data["household_code"]},
        )

    done = _already_recorded(request)
    if done:
        return redirect(done)
    try:
        enrollments = record_household(
            campaign=desk.campaign, collector=desk.collector, requests=requests, recorded_by=request.user
        )
    except DomainError as exc:
        _attach_errors(exc, form, members[exc.index] if exc.index is not None else None)
        return _household_page(request, desk, form, formset)
    return _recorded(request, enrollments)


def _bhxh_page(request, desk: Desk, form: BhxhForm):
    return render(request, "enrollments/enroll_bhxh.html", {"desk": desk, "form": form})


def _bhxh_request(form: BhxhForm, channel: str) -> EnrollmentRequest:
    data = form.cleaned_data
    return EnrollmentRequest(
        person=PersonData(
            cccd=data["cccd"],
            full_name=data["full_name"],
            date_of_birth=data["date_of_birth"],
            sex=data["sex"],
            commune_code=data["commune_code"],
            phone=data["phone"],
            target_group=data["target_group"],
        ),
        product=Product.BHXH_TN,
        months=data["months"],
        collected_on=data["collected_on"],
        income=data["income"],
        support_group=data["support_group"],
        receipt_no=data["receipt_no"],
        channel=channel,
    )


@role_required(Role.OFFICER)
def enroll_bhxh(request):
    """BHXH tự nguyện: one person, the income they choose, the State support of their group."""
    desk, refusal = _desk(request)
    if refusal:
        return refusal
    options = _form_options(desk, Product.BHXH_TN)
    if request.method != "POST":
        return _bhxh_page(request, desk, BhxhForm(**options))
    form = BhxhForm(request.POST, **options)
    action = request.POST.get("action", "review")
    if action == "back" or not form.is_valid():
        return _bhxh_page(request, desk, form)
    enrollment_request = _bhxh_request(form, desk.channel)
    try:
        prepared = prepare_enrollment(campaign=desk.campaign, request=enrollment_request)
    except DomainError as exc:
        _attach_errors(exc, form)
        return _bhxh_page(request, desk, form)
    if action != "confirm":
        return _confirmation(request, desk, product=Product.BHXH_TN, prepared=[prepared])

    done = _already_recorded(request)
    if done:
        return redirect(done)
    try:
        enrollment = record_enrollment(
            campaign=desk.campaign, collector=desk.collector, request=enrollment_request, recorded_by=request.user
        )
    except DomainError as exc:
        _attach_errors(exc, form)
        return _bhxh_page(request, desk, form)
    return _recorded(request, [enrollment])


# --- the CCCD lookup while typing -------------------------------------------------------------

_CCCD_PARAM = re.compile(r"^(?:(?P<prefix>[\w]+)-(?P<row>\d+)-)?cccd$")


def _cccd_param(params) -> tuple[str, int]:
    """The CCCD typed and the member row it was typed in (``members-2-cccd`` → row 2)."""
    for key, value in params.items():
        match = _CCCD_PARAM.match(key)
        if match:
            return value.strip(), int(match["row"] or 0)
    return "", 0


def _lookup_day(value: str, today: date) -> date:
    for pattern in DATE_INPUT_FORMATS:
        try:
            return datetime.strptime((value or "").strip(), pattern).date()
        except ValueError:
            continue
    return today


def _lookup_quote(params, *, product: str, cccd: str, row: int, on: date, months: int) -> dict:
    if product == Product.BHYT_HGD:
        household = queries_web.household_by_code(params.get("household_code", ""))
        order = ladder_orders(household=household, collected_on=on, members=row + 1, exclude_cccd=cccd)[row]
        return {"order": order, "quote": quote(product=product, months=months, on=on, member_order=order)}
    try:
        income = DongField(required=False).clean(params.get("income", ""))
    except ValidationError:  # a half-typed income: no amount yet
        income = None
    if income is None:
        return {"needs_income": True}
    return {
        "quote": quote(
            product=product,
            months=months,
            on=on,
            income=income,
            support_group=params.get("support_group") or "other",
            cccd=cccd,
        )
    }


@role_required(Role.OFFICER)
def lookup(request, product: str):
    """What the officer should know about a CCCD as soon as its 12 digits are typed (an htmx fragment)."""
    if product not in Product.values:
        product = Product.BHYT_HGD
    cccd, row = _cccd_param(request.GET)
    today = clock.today()
    context = {"cccd": cccd, "digits": len(cccd), "product": product}
    if not cccd or (len(cccd) < 12 and cccd.isdigit()):
        return render(request, "enrollments/lookup.html", context | {"state": "typing"})
    try:
        cccd = validate_cccd(cccd)
    except DomainError as exc:
        return render(request, "enrollments/lookup.html", context | {"state": "invalid", "errors": exc.messages})
    collector = collector_of(request.user)
    campaign = current_campaign()
    on = min(_lookup_day(request.GET.get("collected_on", ""), today), today)
    allowed = _allowed_months(product, on) or (12,)
    try:
        months = int(request.GET.get("months", ""))
    except ValueError:
        months = max(allowed)
    if months not in allowed:
        months = max(allowed)
    participant, ours = queries_web.person_on_record(cccd=cccd, agency_id=collector.agency_id if collector else None)
    status = participant_status(cccd=cccd, product=product, on=on, campaign=campaign)
    try:
        amounts = _lookup_quote(request.GET, product=product, cccd=cccd, row=row, on=on, months=months)
    except DomainError as exc:
        amounts = {"quote_errors": exc.messages}
    context |= {
        "state": "found",
        "participant": participant,
        "name": (participant.full_name if ours else mask_name(participant.full_name)) if participant else "",
        "status": status,
        "on": on,
        "months": months,
        **amounts,
    }
    return render(request, "enrollments/lookup.html", context)


# --- after recording: the receipt and the mugs ------------------------------------------------


def _mug_due_for(enrollment: Enrollment) -> bool:
    return mug_due(enrollment, issued=enrollment.person_has_gift)


@role_required(Role.OFFICER)
def receipt(request):
    """What was just recorded, with a button to hand over each mug that is due."""
    ids = [int(value) for value in request.GET.getlist("e")[:50] if value.isdigit() and len(value) < 19]
    enrollments = list(
        queries_web.with_person_gift(enrollments_for(request.user)).filter(pk__in=ids).order_by("member_order", "pk")
    )
    for enrollment in enrollments:
        enrollment.mug_due = _mug_due_for(enrollment)
    context = {
        "enrollments": enrollments,
        "total": sum(e.amount_payable for e in enrollments if e.status == Enrollment.Status.RECORDED),
        "here": request.get_full_path(),
    }
    return render(request, "enrollments/receipt.html", context)


def _back_to(request, fallback: str) -> str:
    target = request.POST.get("next", "")
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return target
    return fallback


@role_required(Role.OFFICER)
@require_POST
def hand_over_gift(request, pk: int):
    enrollment = get_object_or_404(enrollments_for(request.user), pk=pk)
    try:
        issue_gift(enrollment=enrollment, user=request.user)
    except DomainError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Mug handed over to %(name)s.") % {"name": enrollment.participant.full_name})
    return redirect(_back_to(request, reverse("enrollments:detail", args=[pk])))


# --- the agency's list and one enrollment -----------------------------------------------------


@role_required(*ALL_ROLES)
def enrollment_list(request):
    campaign = current_campaign()
    weeks = list(campaign.weeks.all()) if campaign else []
    form = EnrollmentFilterForm(request.GET, weeks=weeks)
    filters = form.filters() | ({"campaign": campaign.code} if campaign else {})
    enrollments = enrollments_for(request.user, filters=filters, search=form.search())
    page = Paginator(enrollments, LIST_PAGE_SIZE).get_page(request.GET.get("page"))
    rows = list(page.object_list)
    for enrollment in rows:
        enrollment.cccd_shown = _shown_cccd(request.user, enrollment)
    context = {
        "form": form,
        "page": page,
        "rows": rows,
        "campaign": campaign,
        "show_agency": role_of(request.user) != Role.OFFICER,
    }
    template = "enrollments/enrollment_list.html"
    if request.htmx:
        template += "#enrollment-table"
    return render(request, template, context)


def _shown_cccd(user, enrollment: Enrollment) -> str:
    return person_fields_for(user, enrollment).cccd


def _visible(request, pk: int) -> Enrollment:
    return get_object_or_404(queries_web.with_person_gift(enrollments_for(request.user)), pk=pk)


def _detail_page(request, enrollment: Enrollment, *, cancel_form: CancelForm | None = None, status: int = 200):
    user, person = request.user, enrollment.participant
    role = role_of(user)
    shown = person_fields_for(user, enrollment)
    own = shown.full
    officer_here = role == Role.OFFICER and collector_of(user) is not None and own
    recorded = enrollment.status == Enrollment.Status.RECORDED
    context = {
        "e": enrollment,
        "person": person,
        "cccd": shown.cccd,
        "date_of_birth": shown.birth(),
        "phone": shown.phone,
        "gifts": queries_web.gifts_of(enrollment),
        "mug_due": officer_here and _mug_due_for(enrollment),
        "can_cancel": recorded and (role == Role.ADMIN or officer_here),
        "cancel_form": cancel_form or CancelForm(),
    }
    return render(request, "enrollments/enrollment_detail.html", context, status=status)


@role_required(*ALL_ROLES)
def enrollment_detail(request, pk: int):
    return _detail_page(request, _visible(request, pk))


@role_required(Role.OFFICER, Role.ADMIN)
@require_POST
def cancel(request, pk: int):
    enrollment = _visible(request, pk)  # an officer sees only their own agency's enrollments
    form = CancelForm(request.POST)
    if not form.is_valid():
        return _detail_page(request, enrollment, cancel_form=form)
    try:
        cancel_enrollment(enrollment=enrollment, reason=form.cleaned_data["reason"], user=request.user)
    except ConflictError as exc:
        messages.error(request, " ".join(exc.messages))
    except DomainError as exc:
        _attach_errors(exc, form)
        return _detail_page(request, enrollment, cancel_form=form)
    else:
        messages.success(request, _("The enrollment is cancelled."))
    return redirect("enrollments:detail", pk=pk)
