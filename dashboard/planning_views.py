"""Planning the next week: the suggested quotas per agency, and the same as the quota import's sheet.

Thin doors onto ``dashboard.planning``. Admins and provincial staff see the suggestions; only
admins download the sheet, since only they upload quotas.
"""

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from campaign.selectors import current_campaign_for
from collectors.roles import Role, role_required
from core import clock
from core.excel.writer import XLSX_CONTENT_TYPE

from .planning.selectors import offices_with_agencies, week_plan
from .planning.template import suggestions_file, suggestions_file_name


@role_required(Role.ADMIN, Role.PROVINCIAL)
def planning(request):
    campaign = current_campaign_for(request)
    if campaign is None:
        return render(request, "dashboard/planning.html", {"campaign": None})
    plan = week_plan(campaign=campaign, today=clock.today())
    offices = offices_with_agencies(campaign=campaign)
    office = next((o for o in offices if o.code == request.GET.get("office")), None)
    rows = [row for row in plan.agencies if office is None or row.agency.office_id == office.pk]
    context = {
        "campaign": campaign,
        "plan": plan,
        "rows": rows,
        "totals": plan.totals(rows),
        "offices": offices,
        "office": office,
    }
    template = "dashboard/planning.html#planning-table" if request.htmx else "dashboard/planning.html"
    return render(request, template, context)


@role_required(Role.ADMIN)
def planning_download(request):
    campaign = current_campaign_for(request)
    if campaign is None:
        raise Http404("no campaign")
    plan = week_plan(campaign=campaign, today=clock.today())
    if plan.week is None:
        messages.error(request, _("The campaign has no week left to plan."))
        return redirect("dashboard:planning")
    response = HttpResponse(suggestions_file(plan), content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{suggestions_file_name(plan)}"'
    return response
