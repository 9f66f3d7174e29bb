"""The provincial dashboard and its drill-downs (admins and provincial staff): the province, a BHXH
cơ sở, a commune, an agency. Filters are plain GET parameters; with htmx only the filtered tables
are sent back (``#filtered``), so the same links work without JavaScript."""

from django.http import Http404
from django.shortcuts import get_object_or_404, render

from campaign.models import BhxhOffice, Campaign, Commune
from campaign.selectors import current_campaign, current_campaign_for
from collectors.models import CollectionAgency
from collectors.roles import Role, role_required
from core import clock

from ..forms import DashboardFilters
from ..progress import pages
from ..progress.answer import progress_scope
from ..progress.queries import communes_served, offices_of
from .cached import shared_content

STAFF = (Role.ADMIN, Role.PROVINCIAL)


def running_campaign() -> Campaign:
    campaign = current_campaign()
    if campaign is None:
        raise Http404("no campaign")
    return campaign


def officers_week(request) -> int | None:
    """The week an agency page shows its officers for (``?week=N``), or None for this week."""
    value = request.GET.get("week", "")
    return int(value) if value.isdigit() else None


def render_part(request, template: str, context: dict, parts: tuple[str, ...] = ("filtered",)):
    """The whole page, or with htmx only the part it asked to redraw (its id is the partial's name)."""
    if request.htmx and request.htmx.target in parts:
        template += "#" + request.htmx.target
    return render(request, template, context)


@role_required(*STAFF)
def overview(request):
    campaign = current_campaign_for(request)
    if campaign is None:
        return render(request, "dashboard/overview.html", {"campaign": None})

    def context() -> dict:
        offices = offices_of(campaign)
        form = DashboardFilters(request.GET, offices=offices)
        page = pages.province_dashboard(campaign=campaign, today=clock.today(), filters=form.values())
        return page | {"form": form, "offices": offices}

    if request.htmx and request.htmx.target == "filtered":
        return render(request, "dashboard/_overview.html#filtered", context())
    content = shared_content(request, campaign=campaign, template="dashboard/_overview.html", context=context)
    return render(request, "dashboard/overview.html", {"campaign": campaign, "content": content})


@role_required(*STAFF)
def office(request, code: str):
    campaign = running_campaign()
    get_object_or_404(BhxhOffice, code=code, province_id=campaign.province_id)
    scope = progress_scope(request.user, campaign=campaign, office_code=code)
    form = DashboardFilters(request.GET, offices=[])
    context = pages.office_dashboard(campaign=campaign, today=clock.today(), scope=scope, filters=form.values())
    return render_part(request, "dashboard/office.html", context | {"form": form})


@role_required(*STAFF)
def commune(request, code: str):
    campaign = running_campaign()
    place = get_object_or_404(Commune.objects.select_related("office"), code=code, province_id=campaign.province_id)
    context = pages.commune_dashboard(campaign=campaign, today=clock.today(), commune=place)
    return render(request, "dashboard/commune.html", context)


@role_required(*STAFF)
def agency(request, code: str):
    campaign = running_campaign()
    chosen = get_object_or_404(CollectionAgency.objects.select_related("office"), code=code)
    context = pages.agency_dashboard(
        campaign=campaign,
        today=clock.today(),
        agency=chosen,
        user=request.user,
        commune_ids=communes_served(chosen, campaign),
        officers_week=officers_week(request),
    )
    return render_part(request, "dashboard/agency.html", context | {"staff_view": True}, ("officers",))
