"""Receipts: the agency's list, a printable receipt with the amount in words, voiding a spoiled one."""

from django.contrib import messages
from django.db.models import Prefetch, Q
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from collectors.roles import role_required
from core.downloads import record_download
from core.errors import DomainError
from enrollments.privacy import person_fields_for

from ..models import Receipt, ReceiptLine
from ..receipts import void_receipt
from ..receipts.payment import paid_lines, payment_qr, receipt_amount
from ..receipts.pdf import receipt_pdf as receipt_pdf_file
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


def _printed(request, pk: int) -> dict:
    """What the print view and the PDF show of a receipt the viewer may open."""
    receipt = get_object_or_404(_with_lines(Receipt.objects.select_related("agency__office", "series")), pk=pk)
    check_agency(request.user, receipt.agency)
    lines = [line.enrollment for line in receipt.lines.all()]
    for enrollment in lines:
        enrollment.shown = person_fields_for(request.user, enrollment)
    amount = receipt_amount(lines)
    return {
        "receipt": receipt,
        "enrollments": lines,
        "amount": amount,
        "amount_words": dong_in_words(amount),
        "collector": lines[0].collector if lines else None,
    }


@role_required(*ADMIN_AND_OFFICER)
def receipt_print(request, pk: int):
    context = _printed(request, pk)
    receipt = context["receipt"]
    context["paid"] = paid_lines([receipt.pk]).get(receipt.pk)
    context["qr"] = payment_qr(receipt, context["amount"])
    return render(request, "settlements/receipt_print.html", context)


@role_required(*ADMIN_AND_OFFICER)
def receipt_pdf(request, pk: int):
    context = _printed(request, pk)
    receipt = context["receipt"]
    try:
        content = receipt_pdf_file(**context)
    except DomainError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("settlements:receipt", pk=receipt.pk)
    name = f"bien-lai_{slugify(receipt.receipt_no) or receipt.pk}.pdf"
    # The people's CCCD as the viewer may see them, in a file that leaves the app: the download is kept.
    record_download(
        request, export="settlements.receipt_pdf", file_name=name, rows=len(context["enrollments"]),
        filters={"receipt": receipt.pk},
    )  # fmt: skip
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


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
