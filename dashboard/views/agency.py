"""The officer's home: their own agency's dashboard, and never another agency's."""

from django.http import Http404
from django.shortcuts import render

from campaign.selectors import current_campaign_for
from collectors.roles import Role, role_required
from collectors.scoping import agency_of
from core import clock
from enrollments.renewals.selectors import renewal_summary

from ..progress import pages
from ..progress.answer import progress_scope
from .province import agency_retention, officers_week, render_part


def officer_agency(request):
    agency = agency_of(request.user)
    if agency is None:
        raise Http404("no agency")
    return agency


@role_required(Role.OFFICER)
def agency_home(request):
    agency = officer_agency(request)
    campaign = current_campaign_for(request)
    if campaign is None:
        return render(request, "dashboard/agency.html", {"agency": agency, "campaign": None})
    scope = progress_scope(request.user, campaign=campaign)
    context = pages.agency_dashboard(
        campaign=campaign,
        today=clock.today(),
        agency=agency,
        user=request.user,
        commune_ids=scope.commune_ids,
        officers_week=officers_week(request),
    )
    context = agency_retention(context, campaign=campaign, agency=agency)
    context["staff_view"] = False
    context["mine"] = pages.officer_week(
        campaign=campaign,
        user=request.user,
        week=context["week"],
        this_week=context["this_week"],
        rows=context["collectors"] if context["officers_week"] == context["week"] else None,
    )
    if not request.htmx:  # a redrawn table needs no renewals
        context["renewals"] = renewal_summary(request.user, today=clock.today(), campaign=campaign)
    return render_part(request, "dashboard/agency.html", context, ("officers",))
