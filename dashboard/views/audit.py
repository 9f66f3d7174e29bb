"""The admins' audit pages: the trail of changes, and the downloads of personal data."""

from urllib.parse import urlencode

from django.shortcuts import render

from collectors.roles import Role, role_required
from core.models import DownloadRecord

from ..audit.forms import AuditFilterForm
from ..audit.trail import audit_trail

PAGE = 50


@role_required(Role.ADMIN)
def audit_log(request):
    form = AuditFilterForm(request.GET or None)
    entries, filters = [], {}
    if form.is_bound and form.is_valid():
        filters = {key: value for key, value in form.cleaned_data.items() if key != "before" and value}
        entries = audit_trail(**filters, before=form.cleaned_data["before"], limit=PAGE)
    elif not form.is_bound:
        entries = audit_trail(limit=PAGE)
    older = ""
    if len(entries) == PAGE:
        older = urlencode(filters | {"before": entries[-1].when.isoformat(timespec="microseconds")})
    context = {"form": form, "entries": entries, "filters": filters, "older": older}
    return render(request, "dashboard/audit.html", context)


@role_required(Role.ADMIN)
def download_log(request):
    records = DownloadRecord.objects.select_related("user").order_by("-downloaded_at", "-pk")[:200]
    return render(request, "dashboard/downloads.html", {"records": records})
