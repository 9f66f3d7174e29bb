"""The money page: collected against handed over per day, the balance held and its age; transfers; reconciling."""

from datetime import timedelta

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from campaign.selectors import current_campaign_for
from collectors.models import CollectionAgency
from collectors.roles import Role, role_required
from core import clock
from core.errors import DomainError
from core.excel.writer import XLSX_CONTENT_TYPE, Column, table_to_bytes

from ..declarations import check_period
from ..forms import PeriodChoiceForm, TransferForm
from ..models import DeclarationBatch, Transfer
from ..money import ledger, reconcile_batch, record_transfer
from .access import ADMIN_AND_OFFICER, check_agency, own_agency

DEFAULT_DAYS = 14


def _choice(request) -> PeriodChoiceForm:
    data = request.GET.copy()
    if not data.get("week") and not data.get("period_from"):
        data["period_from"] = (clock.today() - timedelta(days=DEFAULT_DAYS - 1)).isoformat()
        data.setdefault("period_to", clock.today().isoformat())
    campaign = current_campaign_for(request)
    weeks = list(campaign.weeks.order_by("number")) if campaign else []
    return PeriodChoiceForm(data, agency=own_agency(request.user), weeks=weeks)


def _ledger(choice: PeriodChoiceForm):
    if not choice.is_valid():
        return None
    data = choice.cleaned_data
    try:
        check_period(data["period_from"], data["period_to"])
    except DomainError as exc:
        choice.add_error(None, exc.messages)
        return None
    return ledger(data["agency"], period_from=data["period_from"], period_to=data["period_to"])


@role_required(*ADMIN_AND_OFFICER)
def money_page(request):
    choice = _choice(request)
    book = _ledger(choice)
    context = {"choice": choice, "ledger": book, "query": request.GET.urlencode(), "transfer_form": TransferForm()}
    if book is not None:
        first, last = book.days[0].day, book.days[-1].day
        context["transfers"] = Transfer.objects.filter(agency=book.agency, transferred_on__range=(first, last))
        context["batches"] = DeclarationBatch.objects.filter(
            agency=book.agency, period_to__gte=first, period_from__lte=last
        ).order_by("-sent_at")
    return render(request, "settlements/money.html", context)


@role_required(*ADMIN_AND_OFFICER)
def money_xlsx(request):
    choice = _choice(request)
    book = _ledger(choice)
    if book is None:
        return HttpResponse(" ".join(m for ms in choice.errors.values() for m in ms), status=400)
    first, last = book.days[0].day, book.days[-1].day
    content = table_to_bytes(
        sheet_title=_("Money"),
        title_lines=[
            f"{book.agency.name} ({book.agency.code})",
            _("Collected and handed over, %(start)s–%(end)s")
            % {"start": f"{first:%d/%m/%Y}", "end": f"{last:%d/%m/%Y}"},
            _("Held at the start: %(amount)s đồng") % {"amount": f"{book.opening_balance:,}".replace(",", ".")},
        ],
        columns=[
            Column(_("Date"), 12, "date"),
            Column(_("Collected (đồng)"), 16, "money"),
            Column(_("Handed over (đồng)"), 16, "money"),
            Column(_("Held at the end of the day (đồng)"), 18, "money"),
            Column(_("Age of the oldest money held (days)"), 14, "int"),
        ],
        rows=[(d.day, d.collected, d.handed_over, d.balance, d.age_days) for d in book.days],
    )
    response = HttpResponse(content, content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = (
        f'attachment; filename="tien-thu_{book.agency.code}_{first:%Y%m%d}-{last:%Y%m%d}.xlsx"'
    )
    return response


@role_required(*ADMIN_AND_OFFICER)
@require_POST
def transfer_create(request):
    agency = own_agency(request.user) or get_object_or_404(CollectionAgency, code=request.POST.get("agency", ""))
    back = reverse("settlements:money") + "?" + request.POST.get("query", "")
    form = TransferForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(m for ms in form.errors.values() for m in ms))
        return redirect(back)
    try:
        transfer = record_transfer(agency=agency, user=request.user, **form.cleaned_data)
    except DomainError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect(back)
    messages.success(request, _("Transfer %(reference)s recorded.") % {"reference": transfer.bank_reference})
    return redirect(back)


@role_required(Role.ADMIN)
@require_POST
def batch_reconcile(request, pk: int):
    batch = get_object_or_404(DeclarationBatch.objects.select_related("agency"), pk=pk)
    check_agency(request.user, batch.agency)
    try:
        reconcile_batch(batch=batch, user=request.user, note=request.POST.get("note", "")[:300])
    except DomainError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Batch %(number)s is reconciled.") % {"number": batch.number})
    return redirect("settlements:batch", pk=batch.pk)
