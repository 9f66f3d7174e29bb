"""Receipts: the agency's list, a printable receipt with the amount in words, voiding a spoiled one."""

from django.contrib import messages
from django.db.models import Prefetch, Q
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from collectors.roles import role_required
from core.errors import DomainError
from enrollments.privacy import person_fields_for

from ..models import Receipt, ReceiptLine
from ..receipts import void_receipt
from ..receipts.payment import paid_lines, payment_qr, receipt_amount
from ..words import dong_in_words
from .access import ADMIN_AND_OFFICER, check_agency, own_agency

SHOWN = 50


def _receipts(user):
    receipts = Receipt.objects.select_related("agency", "series")
    agency = own_agency(user)
    return receipts.filter(agency=agency) if agency is not None else receipts


def _with_lines(receipts):
    lines = ReceiptLine.objects.select_related(
        "enrollment__participant", "enrollment__collector", "enrollment__agency"
    ).order_by("enrollment__member_order", "pk")
    return receipts.prefetch_related(Prefetch("lines", queryset=lines))


@role_required(*ADMIN_AND_OFFICER)
def receipt_list(request):
    search = (request.GET.get("q") or "").strip()[:40]
    receipts = _receipts(request.user)
    if search:
        receipts = receipts.filter(
            Q(receipt_no__icontains=search) | Q(lines__enrollment__participant__full_name__icontains=search)
        ).distinct()
    rows = list(_with_lines(receipts).order_by("-issued_at", "-pk")[:SHOWN])
    paid = paid_lines([receipt.pk for receipt in rows])
    for receipt in rows:
        receipt.paid_line = paid.get(receipt.pk)
        receipt.enrollments = [line.enrollment for line in receipt.lines.all()]
        receipt.amount = receipt_amount(receipt.enrollments)
    return render(request, "settlements/receipt_list.html", {"receipts": rows, "q": search})


@role_required(*ADMIN_AND_OFFICER)
def receipt_print(request, pk: int):
    receipt = get_object_or_404(_with_lines(Receipt.objects.select_related("agency__office", "series")), pk=pk)
    check_agency(request.user, receipt.agency)
    lines = [line.enrollment for line in receipt.lines.all()]
    for enrollment in lines:
        enrollment.shown = person_fields_for(request.user, enrollment)
    amount = receipt_amount(lines)
    context = {
        "paid": paid_lines([receipt.pk]).get(receipt.pk),
        "qr": payment_qr(receipt, amount),
        "receipt": receipt,
        "enrollments": lines,
        "amount": amount,
        "amount_words": dong_in_words(amount),
        "collector": lines[0].collector if lines else None,
    }
    return render(request, "settlements/receipt_print.html", context)


@role_required(*ADMIN_AND_OFFICER)
@require_POST
def receipt_void(request, pk: int):
    receipt = get_object_or_404(Receipt.objects.select_related("agency"), pk=pk)
    check_agency(request.user, receipt.agency)
    try:
        replacement = void_receipt(
            receipt=receipt,
            reason=request.POST.get("reason", "")[:300],
            user=request.user,
            replacement_no=request.POST.get("replacement_no", "")[:40],
        )
    except DomainError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("settlements:receipt", pk=receipt.pk)
    if replacement is None:
        messages.success(request, _("Receipt %(number)s is void.") % {"number": receipt.receipt_no})
        return redirect("settlements:receipt", pk=receipt.pk)
    messages.success(
        request,
        _("Receipt %(number)s is void; the new receipt is %(new)s.")
        % {"number": receipt.receipt_no, "new": replacement.receipt_no},
    )
    return redirect("settlements:receipt", pk=replacement.pk)
