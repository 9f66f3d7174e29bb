"""After recording: the receipt and the mugs, the agency's list of enrollments, one enrollment, cancelling."""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from campaign.models import Product
from campaign.selectors import current_campaign_for
from campaign.templatetags.vn_format import vnd
from collectors.roles import ALL_ROLES, Role, role_of, role_required
from collectors.scoping import collector_of
from core.errors import ConflictError, DomainError
from core.keyset import Cursor, bounded_count, keyset_page
from core.text import is_digits

from ..classification import Classification
from ..forms import (
    CancelForm,
    EnrollmentFilterForm,
)
from ..models import Enrollment
from ..privacy import person_fields_for, person_fields_reader
from ..selectors import (
    LIST_COUNT_LIMIT,
    enrollments_for,
    finish_page,
    gifts_of,
    listed_for,
    mugs_on_hand,
    with_person_gift,
)
from ..services import (
    cancel_enrollment,
    issue_gift,
)
from ..signals import recorded_page_panels
from ..vocabulary import mug_due
from .desk import LIST_PAGE_SIZE, attach_errors

# --- after recording: the receipt and the mugs ------------------------------------------------


def _mug_due_for(enrollment: Enrollment) -> bool:
    return mug_due(enrollment, issued=enrollment.person_has_gift)


@role_required(Role.OFFICER)
def receipt(request):
    """What was just recorded, with a button to hand over each mug that is due."""
    ids = [int(value) for value in request.GET.getlist("e")[:50] if is_digits(value) and len(value) < 19]
    enrollments = list(
        with_person_gift(enrollments_for(request.user)).filter(pk__in=ids).order_by("member_order", "pk")
    )
    for enrollment in enrollments:
        enrollment.mug_due = _mug_due_for(enrollment)
    panels = recorded_page_panels.send(sender=receipt, request=request, enrollments=enrollments)
    due = next((e for e in enrollments if e.mug_due), None)
    context = {
        "enrollments": enrollments,
        "total": sum(e.amount_payable for e in enrollments if e.status == Enrollment.Status.RECORDED),
        "here": request.get_full_path(),
        "panels": [panel for _receiver, panel in panels if panel],
        "mugs_on_hand": mugs_on_hand(agency_id=due.agency_id, campaign_id=due.campaign_id) if due else None,
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
    """Newest first, 25 a page by keyset (``?cursor=``; core/keyset.py), the count bounded at 10,000."""
    campaign = current_campaign_for(request)
    weeks = list(campaign.weeks.all()) if campaign else []
    form = EnrollmentFilterForm(request.GET, weeks=weeks)
    filters = form.filters() | ({"campaign": campaign} if campaign else {})
    enrollments = listed_for(request.user, filters=filters, search=form.search())
    cursor = Cursor.decode(request.GET.get("cursor"))  # a mangled cursor shows the first page
    page = keyset_page(enrollments, cursor=cursor, size=LIST_PAGE_SIZE)
    rows = _shown_rows(request.user, finish_page(page.rows, weeks=weeks))
    count, exact = bounded_count(enrollments, LIST_COUNT_LIMIT)
    context = {
        "form": form,
        "page": page,
        "next_cursor": page.next.encode() if page.next else "",
        "previous_cursor": page.previous.encode() if page.previous else "",
        "paged": cursor is not None,
        "rows": rows,
        "count": count,
        "count_exact": exact,
        "campaign": campaign,
        "show_agency": role_of(request.user) != Role.OFFICER,
        "words": {"receipt": _("receipt"), "cancelled": _("cancelled"), "mug": _("Mug handed over")},
    }
    template = "enrollments/enrollment_list.html"
    if request.htmx:
        template += "#enrollment-table"
    return render(request, template, context)


_PK_MARK = 987654321  # stands for a row's id in its link, reversed once a page


def _shown_rows(user, rows: list[Enrollment]) -> list[Enrollment]:
    """Each row's shown values, formatted here once a page: the list's loop then only prints them
    (its tags, filters and translations per row were most of a page's time)."""
    detail = reverse("enrollments:detail", args=[_PK_MARK])
    classifications = dict(Classification.choices)
    week_word = _("week %(number)s")
    shown = person_fields_reader(user)
    for enrollment in rows:
        enrollment.cccd_shown = shown(enrollment).cccd
        enrollment.detail_url = detail.replace(str(_PK_MARK), str(enrollment.pk))
        enrollment.amount_shown = vnd(enrollment.amount_payable)
        enrollment.product_shown = "BHXH TN" if enrollment.product == Product.BHXH_TN else "BHYT HGĐ"
        enrollment.classification_shown = classifications.get(enrollment.classification, enrollment.classification)
        enrollment.collected_shown = enrollment.collected_on.strftime("%d/%m/%Y")
        enrollment.week_shown = week_word % {"number": enrollment.week.number} if enrollment.week else ""
        enrollment.cancelled = enrollment.status == Enrollment.Status.CANCELLED
    return rows


def _visible(request, pk: int) -> Enrollment:
    return get_object_or_404(with_person_gift(enrollments_for(request.user)), pk=pk)


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
        "gifts": gifts_of(enrollment),
        "mug_due": officer_here and _mug_due_for(enrollment),
        "mugs_on_hand": None,
        "can_cancel": recorded and (role == Role.ADMIN or officer_here),
        "cancel_form": cancel_form or CancelForm(),
    }
    if context["mug_due"]:
        context["mugs_on_hand"] = mugs_on_hand(agency_id=enrollment.agency_id, campaign_id=enrollment.campaign_id)
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
        attach_errors(exc, form)
        return _detail_page(request, enrollment, cancel_form=form)
    else:
        messages.success(request, _("The enrollment is cancelled."))
    return redirect("enrollments:detail", pk=pk)
