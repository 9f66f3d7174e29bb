"""Excel downloads of the dashboard's tables, with the role rule of the page each table is on."""

from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404

from campaign.models import BhxhOffice, Commune
from collectors.roles import Role, role_required
from collectors.scoping import visible_agencies
from core import clock
from core.downloads import record_download
from core.excel.writer import XLSX_CONTENT_TYPE

from .. import exports
from ..forms import DashboardFilters
from ..progress import pages
from ..progress.answer import progress_scope
from ..progress.queries import communes_served
from ..reports import Report
from .agency import officer_agency
from .province import STAFF, agency_retention, officers_week, running_campaign, with_retention

# Tables that list people (CCCD, birth date, phone as the viewer may see them): each download is kept.
PERSONAL_TABLES = frozenset({"enrollments"})


def _download(tables: dict, table: str, context: dict, *, request=None) -> FileResponse:
    report: Report = tables[table](context)
    if request is not None and table in PERSONAL_TABLES:
        filters = {key: request.GET[key] for key in request.GET} | {"agency": context["agency"].code}
        record_download(
            request, export=f"dashboard.agency.{table}", file_name=report.filename, rows=report.rows, filters=filters
        )
    return FileResponse(report.file, as_attachment=True, filename=report.filename, content_type=XLSX_CONTENT_TYPE)


def _table(tables: dict, table: str) -> str:
    if table not in tables:
        raise Http404("no such table")
    return table


def _filters(request) -> dict:
    return DashboardFilters(request.GET, offices=[]).values() | {"office": ""}


@role_required(*STAFF)
def province_export(request, table: str):
    _table(exports.PROVINCE_TABLES, table)
    campaign = running_campaign(request)
    filters = _filters(request) | {"office": request.GET.get("office", "")}
    context = pages.province_dashboard(campaign=campaign, today=clock.today(), filters=filters)
    context = with_retention(context, campaign=campaign, filters=filters)
    return _download(exports.PROVINCE_TABLES, table, context)


@role_required(*STAFF)
def office_export(request, code: str, table: str):
    _table({"agencies", "communes"}, table)
    campaign = running_campaign(request)
    get_object_or_404(BhxhOffice, code=code, province_id=campaign.province_id)
    scope = progress_scope(request.user, campaign=campaign, office_code=code)
    filters = _filters(request)
    context = pages.office_dashboard(campaign=campaign, today=clock.today(), scope=scope, filters=filters)
    context = with_retention(context, campaign=campaign, filters=filters)
    return _download(exports.PROVINCE_TABLES, table, context)


@role_required(*STAFF)
def commune_export(request, code: str):
    campaign = running_campaign(request)
    place = get_object_or_404(Commune, code=code, province_id=campaign.province_id)
    context = pages.commune_dashboard(campaign=campaign, today=clock.today(), commune=place)
    return _download({"agencies": exports.commune_agencies_table}, "agencies", context)


@role_required(*STAFF)
def agency_export(request, code: str, table: str):
    _table(exports.AGENCY_TABLES, table)
    campaign = running_campaign(request)
    chosen = get_object_or_404(visible_agencies(request.user), code=code)
    context = pages.agency_dashboard(
        campaign=campaign,
        today=clock.today(),
        agency=chosen,
        user=request.user,
        commune_ids=communes_served(chosen, campaign),
        officers_week=officers_week(request),
    )
    context = agency_retention(context, campaign=campaign, agency=chosen)
    return _download(exports.AGENCY_TABLES, table, context, request=request)


@role_required(Role.OFFICER)
def my_agency_export(request, table: str):
    _table(exports.AGENCY_TABLES, table)
    agency = officer_agency(request)
    campaign = running_campaign(request)
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
    return _download(exports.AGENCY_TABLES, table, context, request=request)
