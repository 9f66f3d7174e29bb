"""The renewal list pages: the list with its filters, its Excel download, and marking a person contacted."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import FileResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from campaign.selectors import current_campaign_for
from collectors.roles import ALL_ROLES, Role, role_of, role_required
from core import clock
from core.errors import DomainError
from core.excel.writer import XLSX_CONTENT_TYPE

from .exports import renewal_sheet
from .forms import ContactForm, RenewalFilterForm
from .selectors import renewal_list
from .services import record_contact

PAGE_SIZE = 50
CAN_CONTACT = (Role.OFFICER, Role.ADMIN)


def _rows(request):
    staff = role_of(request.user) in (Role.ADMIN, Role.PROVINCIAL)
    form = RenewalFilterForm(request.GET, staff=staff)
    filters = form.filters()
    rows = renewal_list(request.user, today=clock.today(), filters=filters, campaign=current_campaign_for(request))
    return form, filters, rows, staff


@role_required(*ALL_ROLES)
def renewals(request):
    """People due for renewal within 30 or 60 days and people who lapsed, as the viewer may see them."""
    form, filters, rows, staff = _rows(request)
    number = request.GET.get("page", "")
    rows.prefetch((int(number) - 1) * PAGE_SIZE if number.isdigit() and int(number) > 0 else 0, PAGE_SIZE)
    page = Paginator(rows, PAGE_SIZE).get_page(number)
    can_contact = role_of(request.user) in CAN_CONTACT
    items = [(row, ContactForm.for_row(row) if can_contact else None) for row in page.object_list]
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "form": form,
        "filters": filters,
        "page": page,
        "items": items,
        "staff": staff,
        "can_contact": can_contact,
        "can_renew": role_of(request.user) == Role.OFFICER,
        "query": query.urlencode(),
        "today": clock.today(),
    }
    return render(request, "enrollments/renewals/list.html", context)


@role_required(*ALL_ROLES)
def renewals_xlsx(request):
    """The same list, whole (not one page), for calling: streamed from the database in chunks."""
    _form, filters, rows, _staff = _rows(request)
    sheet = renewal_sheet(rows, within=filters.within)
    filename = f"gia-han-{clock.today():%Y%m%d}.xlsx"
    return FileResponse(sheet, as_attachment=True, filename=filename, content_type=XLSX_CONTENT_TYPE)


def _back(request) -> str:
    target = request.POST.get("next", "")
    list_url = reverse("enrollments:renewals")
    if target.startswith(list_url) and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return target
    return list_url


@role_required(*CAN_CONTACT)
@require_POST
def mark_contacted(request):
    """Keep a call or visit: the date, the outcome, who and when; the list shows the latest."""
    form = ContactForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(str(e) for errors in form.errors.values() for e in errors))
        return redirect(_back(request))
    data = form.cleaned_data
    try:
        record_contact(
            user=request.user,
            cccd=data["cccd"],
            product=data["product"],
            contacted_on=data["contacted_on"],
            outcome=data["outcome"],
            note=data["note"],
        )
    except DomainError as exc:
        messages.error(request, " ".join(str(message) for message in exc.messages))
        return redirect(_back(request))
    messages.success(request, _("Contact recorded."))
    return redirect(_back(request))
