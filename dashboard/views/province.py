"""The provincial dashboard and its drill-downs (admins and provincial staff): the province, a BHXH
cơ sở, a commune, an agency. Filters are plain GET parameters; with htmx only the filtered tables
are sent back (``#filtered``), so the same links work without JavaScript."""

from django.shortcuts import get_object_or_404, render

from campaign.models import BhxhOffice, Campaign, Commune
from campaign.selectors import chosen_campaign
from collectors.models import CollectionAgency
from collectors.roles import Role, role_required
from core import clock

from ..forms import DashboardFilters
from ..progress import pages
from ..progress.answer import progress_scope
from ..progress.queries import communes_served, offices_of
from ..retention import MEASURE_PRODUCTS, retention, stored_retention
from .cached import shared_content

STAFF = (Role.ADMIN, Role.PROVINCIAL)


def running_campaign(request) -> Campaign:
    """The campaign the page is for (``?campaign=CODE``, the one chosen before, or the current one); else 404."""
    return chosen_campaign(request)


def with_retention(context: dict, *, campaign: Campaign, filters: dict | None = None) -> dict:
    """The page's agency and commune tables with their retention (dashboard/retention.py): the
    agencies for the table's week, the communes for the campaign so far, for the product shown."""
    filters = filters or {}
    week, whole = stored_retention(campaign=campaign, today=context["today"], weeks=[context.get("week"), None])
    agencies = [row.agency.pk for row in context.get("agencies", []) if hasattr(row, "agency")]
    communes = [area.pk for area in context.get("communes", []) if getattr(area, "pk", None)]
    measure = MEASURE_PRODUCTS.get(filters.get("measure") or "bhyt")
    return context | {
        "agency_retention": week.for_agencies(agencies, filters.get("product", "")),
        "commune_retention": whole.for_communes(communes, measure),
        "retention_week": week,
        "retention_campaign": whole,
    }


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
    campaign = chosen_campaign(request, required=False)
    if campaign is None:
        return render(request, "dashboard/overview.html", {"campaign": None})

    def context() -> dict:
        offices = offices_of(campaign)
        form = DashboardFilters(request.GET, offices=offices)
        filters = form.values()
        page = pages.province_dashboard(campaign=campaign, today=clock.today(), filters=filters)
        return with_retention(page, campaign=campaign, filters=filters) | {"form": form, "offices": offices}

    if request.htmx and request.htmx.target == "filtered":
        return render(request, "dashboard/_overview.html#filtered", context())
    content = shared_content(request, campaign=campaign, template="dashboard/_overview.html", context=context)
    return render(request, "dashboard/overview.html", {"campaign": campaign, "content": content})


@role_required(*STAFF)
def office(request, code: str):
    campaign = running_campaign(request)
    get_object_or_404(BhxhOffice, code=code, province_id=campaign.province_id)
    scope = progress_scope(request.user, campaign=campaign, office_code=code)
    form = DashboardFilters(request.GET, offices=[])
    filters = form.values()
    context = pages.office_dashboard(campaign=campaign, today=clock.today(), scope=scope, filters=filters)
    context = with_retention(context, campaign=campaign, filters=filters)
    return render_part(request, "dashboard/office.html", context | {"form": form})


@role_required(*STAFF)
def commune(request, code: str):
    campaign = running_campaign(request)
    place = get_object_or_404(Commune.objects.select_related("office"), code=code, province_id=campaign.province_id)
    context = pages.commune_dashboard(campaign=campaign, today=clock.today(), commune=place)
    context["retention_campaign"] = retention(campaign=campaign, today=context["today"])
    context["retention"] = context["retention_campaign"].commune(place.pk)
    return render(request, "dashboard/commune.html", context)


@role_required(*STAFF)
def agency(request, code: str):
    campaign = running_campaign(request)
    chosen = get_object_or_404(CollectionAgency.objects.select_related("office"), code=code)
    context = pages.agency_dashboard(
        campaign=campaign,
        today=clock.today(),
        agency=chosen,
        user=request.user,
        commune_ids=communes_served(chosen, campaign),
        officers_week=officers_week(request),
    )
    context = agency_retention(context, campaign=campaign, agency=chosen)
    return render_part(request, "dashboard/agency.html", context | {"staff_view": True}, ("officers",))


def agency_retention(context: dict, *, campaign: Campaign, agency: CollectionAgency) -> dict:
    """An agency's page with its people's retention this week and in the campaign so far."""
    context = with_retention(context, campaign=campaign)
    return context | {
        "week_retention": context["retention_week"].agency(agency.pk),
        "campaign_retention": context["retention_campaign"].agency(agency.pk),
    }
