from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, render

from campaign.selectors import current_campaign_for, current_week

from .models import CollectionAgency
from .roles import ALL_ROLES, Role, role_required
from .scoping import agency_of, visible_to
from .selectors import agencies_for, collectors_for, quotas_by_week


@role_required(*ALL_ROLES)
def agency_list(request):
    campaign = current_campaign_for(request)
    week = current_week(campaign=campaign) if campaign else None
    search = request.GET.get("q", "").strip()
    page = Paginator(agencies_for(request.user, week=week, search=search), 25).get_page(request.GET.get("page"))
    context = {"page": page, "week": week, "campaign": campaign, "search": search}
    template = "collectors/agency_list.html"
    if request.htmx:
        template += "#agency-table"
    return render(request, template, context)


def _agency_page(request, agency: CollectionAgency):
    campaign = current_campaign_for(request)
    context = {
        "agency": agency,
        "campaign": campaign,
        "week": current_week(campaign=campaign) if campaign else None,
        "collectors": collectors_for(request.user, agency=agency),
        "quota_weeks": quotas_by_week(request.user, agency=agency, campaign=campaign) if campaign else [],
        "communes": agency.communes.order_by("name"),
    }
    return render(request, "collectors/agency_detail.html", context)


@role_required(*ALL_ROLES)
def agency_detail(request, code: str):
    agencies = visible_to(request.user, CollectionAgency.objects.select_related("office"), agency_field="pk")
    return _agency_page(request, get_object_or_404(agencies, code=code))


@role_required(Role.OFFICER)
def my_agency(request):
    agency = agency_of(request.user)
    if agency is None:
        raise Http404("no agency")
    return _agency_page(request, agency)
