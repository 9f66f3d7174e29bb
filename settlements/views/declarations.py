"""The D03-TS / D05-TS pages: pick a list, read it, download it as Excel or XML, mark it as sent."""

import tempfile

from django.contrib import messages
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from campaign.selectors import current_campaign_for
from collectors.roles import role_required
from core.errors import DomainError
from core.excel.writer import XLSX_CONTENT_TYPE

from ..declarations import batches_of, declaration_xml, live_list, mark_sent, sent_list, write_declaration
from ..forms import ListChoiceForm
from ..models import DeclarationBatch
from .access import ADMIN_AND_OFFICER, check_agency, own_agency

BATCHES_SHOWN = 30


def _choice(request, data) -> ListChoiceForm:
    campaign = current_campaign_for(request)
    weeks = list(campaign.weeks.order_by("number")) if campaign else []
    return ListChoiceForm(data, agency=own_agency(request.user), weeks=weeks)


def _file(listing, kind: str, stem: str):
    if kind == "xml":
        response = HttpResponse(declaration_xml(listing), content_type="application/xml; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{stem}.xml"'
        return response
    buffer = tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024)  # noqa: SIM115 (FileResponse closes it)
    write_declaration(buffer, listing)
    buffer.seek(0)
    return FileResponse(buffer, as_attachment=True, filename=f"{stem}.xlsx", content_type=XLSX_CONTENT_TYPE)


def _stem(listing) -> str:
    code = "D03-TS" if listing.form == "d03" else "D05-TS"
    stem = f"{code}_{listing.agency.code}_{listing.period_from:%Y%m%d}-{listing.period_to:%Y%m%d}"
    return stem + (f"_dot{listing.batch_number}" if listing.batch_number else "")


@role_required(*ADMIN_AND_OFFICER)
def list_page(request):
    choice = _choice(request, request.GET or None)
    listing, query = None, ""
    if choice.is_bound and choice.is_valid():
        data = choice.cleaned_data
        try:
            listing = live_list(
                agency=data["agency"], form=data["form"], period_from=data["period_from"], period_to=data["period_to"]
            )
        except DomainError as exc:
            choice.add_error(None, exc.messages)
        query = request.GET.urlencode()
    agency = own_agency(request.user)
    context = {
        "choice": choice,
        "listing": listing,
        "query": query,
        "batches": batches_of(agency)[:BATCHES_SHOWN],
    }
    return render(request, "settlements/list_page.html", context)


@role_required(*ADMIN_AND_OFFICER)
def list_download(request, kind: str):
    if kind not in ("xlsx", "xml"):
        raise Http404
    choice = _choice(request, request.GET)
    if not choice.is_valid():
        return HttpResponse(" ".join(m for ms in choice.errors.values() for m in ms), status=400)
    data = choice.cleaned_data
    try:
        listing = live_list(
            agency=data["agency"], form=data["form"], period_from=data["period_from"], period_to=data["period_to"]
        )
    except DomainError as exc:
        return HttpResponse(" ".join(exc.messages), status=400)
    return _file(listing, kind, _stem(listing))


@role_required(*ADMIN_AND_OFFICER)
@require_POST
def list_send(request):
    choice = _choice(request, request.POST)
    if not choice.is_valid():
        messages.error(request, " ".join(m for ms in choice.errors.values() for m in ms))
        return redirect("settlements:lists")
    data = choice.cleaned_data
    try:
        batch = mark_sent(
            agency=data["agency"],
            form=data["form"],
            period_from=data["period_from"],
            period_to=data["period_to"],
            user=request.user,
        )
    except DomainError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect(reverse("settlements:lists") + "?" + request.POST.get("query", ""))
    messages.success(request, _("Batch %(number)s is marked as sent; it will not change.") % {"number": batch.number})
    return redirect("settlements:batch", pk=batch.pk)


def _batch(request, pk: int) -> DeclarationBatch:
    batch = get_object_or_404(DeclarationBatch.objects.select_related("agency__office"), pk=pk)
    check_agency(request.user, batch.agency)
    return batch


@role_required(*ADMIN_AND_OFFICER)
def batch_detail(request, pk: int):
    batch = _batch(request, pk)
    return render(request, "settlements/batch.html", {"batch": batch, "listing": sent_list(batch)})


@role_required(*ADMIN_AND_OFFICER)
def batch_download(request, pk: int, kind: str):
    if kind not in ("xlsx", "xml"):
        raise Http404
    listing = sent_list(_batch(request, pk))
    return _file(listing, kind, _stem(listing))
