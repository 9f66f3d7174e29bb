"""The entry pages: a household for BHYT hộ gia đình, one person for BHXH tự nguyện, a review, then record.

Every write goes through ``enrollments.services``; a ``DomainError`` becomes form errors next to
the field it names, and the form comes back with everything the officer typed.
"""

import uuid
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from campaign.models import Campaign, Product
from collectors.roles import Role, role_required
from core.errors import DomainError

from ..forms import (
    BhxhForm,
    ChannelForm,
    HouseholdForm,
    MemberFormSet,
)
from ..models import Channel, Enrollment
from ..selectors import (
    conflicting_enrollment,
    household_by_code,
    ladder_length,
    ladder_orders,
    mug_due_on_recording,
)
from ..services import (
    EnrollmentRequest,
    PersonData,
    Prepared,
    prepare_enrollment,
    record_enrollment,
    record_household,
)
from .desk import (
    CHANNEL_KEY,
    MEMBER_PREFIX,
    NOT_CARRIED,
    SUBMITTED_KEY,
    Desk,
    attach_errors,
    form_options,
    officer_desk,
)


def _mug_due(prepared: Prepared, campaign: Campaign) -> bool:
    return mug_due_on_recording(
        cccd=prepared.request.person.cccd,
        campaign=campaign,
        classification=prepared.classification,
        in_campaign=prepared.week is not None,
    )


def _conflict(prepared: Prepared) -> Enrollment | None:
    """What recording would refuse as a repeat, shown on the review before the officer can confirm."""
    return conflicting_enrollment(
        cccd=prepared.request.person.cccd,
        product=prepared.request.product,
        collected_on=prepared.collected_on,
        period=(prepared.coverage_start, prepared.coverage_end),
    )


def _confirmation(request, desk: Desk, *, product: str, prepared: list[Prepared], extra: dict | None = None):
    rows = [
        {"prepared": p, "mug_due": _mug_due(p, p.campaign or desk.campaign), "conflict": _conflict(p)} for p in prepared
    ]
    context = {
        "desk": desk,
        "agency_id": desk.collector.agency_id,
        "conflicts": any(row["conflict"] for row in rows),
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
    desk, refusal = officer_desk(request)
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
    form = HouseholdForm(data, **form_options(desk, Product.BHYT_HGD))
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
                household_head_cccd=household["household_head_cccd"].strip(),
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
    household = household_by_code(code or "")
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
    desk, refusal = officer_desk(request)
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
    if action != "confirm":
        # The review: every member prepared (and every refusal shown at once). Confirming prepares
        # in record_household only, once, under its lock.
        prepared, failed = [], False
        for position, (member, enrollment_request) in enumerate(zip(members, requests, strict=True)):
            try:
                prepared.append(
                    prepare_enrollment(campaign=desk.campaign, request=enrollment_request, batch_position=position)
                )
            except DomainError as exc:
                attach_errors(exc, form, member)
                failed = True
        if failed:
            return _household_page(request, desk, form, formset)
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
        attach_errors(exc, form, members[exc.index] if exc.index is not None else None)
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
    desk, refusal = officer_desk(request)
    if refusal:
        return refusal
    options = form_options(desk, Product.BHXH_TN)
    if request.method != "POST":
        return _bhxh_page(request, desk, BhxhForm(**options))
    form = BhxhForm(request.POST, **options)
    action = request.POST.get("action", "review")
    if action == "back" or not form.is_valid():
        return _bhxh_page(request, desk, form)
    enrollment_request = _bhxh_request(form, desk.channel)
    if action != "confirm":  # confirming prepares in record_enrollment only, once, under its lock
        try:
            prepared = prepare_enrollment(campaign=desk.campaign, request=enrollment_request)
        except DomainError as exc:
            attach_errors(exc, form)
            return _bhxh_page(request, desk, form)
        return _confirmation(request, desk, product=Product.BHXH_TN, prepared=[prepared])

    done = _already_recorded(request)
    if done:
        return redirect(done)
    try:
        enrollment = record_enrollment(
            campaign=desk.campaign, collector=desk.collector, request=enrollment_request, recorded_by=request.user
        )
    except DomainError as exc:
        attach_errors(exc, form)
        return _bhxh_page(request, desk, form)
    return _recorded(request, [enrollment])
