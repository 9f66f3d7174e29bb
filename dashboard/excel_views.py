"""The admin's Excel pages: upload → preview → confirm for each import, the templates, and the reports.

Thin doors: the imports run in ``core.excel.importing`` with each app's importer; the
reports come from ``dashboard.reports``. An upload is checked and previewed at once; the
file then waits on its import record (in the database, so any app server can confirm it)
until the admin confirms or cancels.
"""

import hashlib

from django.conf import settings
from django.contrib import messages
from django.db.models import BooleanField, ExpressionWrapper, Q
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from campaign.imports import BaselineImport
from campaign.models import Campaign
from campaign.selectors import campaign_choices, chosen_campaign, current_campaign_for
from collectors.imports import QuotaImport, RosterImport
from collectors.roles import Role, role_required
from core.downloads import record_download
from core.errors import DomainError
from core.excel.importing import (
    Importer,
    cancel_import,
    confirm_import,
    forget_stale_uploads,
    record_refusal,
    run_import,
    summary_counts,
)
from core.excel.reader import too_large_message, vn_int
from core.excel.writer import XLSX_CONTENT_TYPE
from core.models import ImportRecord
from enrollments.imports import PaperEnrollmentImport, PriorCoverageImport

from . import reports
from .forms import ReportForm, UploadForm

IMPORTERS: dict[str, Importer] = {
    importer.kind: importer
    for importer in (QuotaImport(), RosterImport(), BaselineImport(), PriorCoverageImport(), PaperEnrollmentImport())
}
SHOWN_PROBLEMS = 200
# A request this much larger than the limit is not even read.
HARD_LIMIT_FACTOR = 4


def _importer(kind: str) -> Importer:
    importer = IMPORTERS.get(kind)
    if importer is None:
        raise Http404("no such import")
    return importer


def _records():
    """Import records without their stored files, with whether they have one."""
    return (
        ImportRecord.objects.defer("pending_file", "rejected_file")
        .select_related("user")
        .annotate(
            has_pending=ExpressionWrapper(Q(pending_file__isnull=False), output_field=BooleanField()),
            has_rejected=ExpressionWrapper(Q(rejected_file__isnull=False), output_field=BooleanField()),
        )
    )


def _columns(importer: Importer) -> list[dict]:
    """What the page says about the expected columns: the template's header and the other accepted names."""
    described = []
    for spec in importer.specs:
        described.append(
            {
                "title": spec.title,
                "fields": [{"header": f.header, "aliases": f.aliases, "required": f.required} for f in spec.fields],
                "patterns": bool(spec.patterns),
            }
        )
    return described


@role_required(Role.ADMIN)
def imports(request):
    context = {
        "importers": [(kind, importer) for kind, importer in IMPORTERS.items()],
        "records": _records()[:20],
        "limit_mb": vn_int(settings.IMPORT_MAX_BYTES // (1024 * 1024)),
    }
    return render(request, "dashboard/imports.html", context)


@role_required(Role.ADMIN)
def import_upload(request, kind: str):
    importer = _importer(kind)
    campaign = current_campaign_for(request)
    if request.method == "POST":
        length = int(request.META.get("CONTENT_LENGTH") or 0)
        if length > HARD_LIMIT_FACTOR * settings.IMPORT_MAX_BYTES:
            # Not read at all: a file this large would only fill the server's disk.
            messages.error(request, too_large_message(length, settings.IMPORT_MAX_BYTES))
            return redirect("dashboard:import_upload", kind=kind)
        form = UploadForm(request.POST, request.FILES, parameters=importer.parameters, campaign=campaign)
        if form.is_valid():
            record = _receive(request, importer, form)
            return redirect("dashboard:import_record", pk=record.pk)
    else:
        form = UploadForm(parameters=importer.parameters, campaign=campaign)
    context = {
        "kind": kind,
        "importer": importer,
        "form": form,
        "columns": _columns(importer),
        "campaign": campaign,
        "records": _records().filter(kind=kind)[:10],
        "limit_mb": vn_int(settings.IMPORT_MAX_BYTES // (1024 * 1024)),
    }
    return render(request, "dashboard/import_upload.html", context)


def _receive(request, importer: Importer, form: UploadForm) -> ImportRecord:
    upload = form.cleaned_data["file"]
    forget_stale_uploads()
    common = {"file_name": upload.name, "source": ImportRecord.Source.WEB, "user": request.user, "codes": form.codes()}
    if upload.size > settings.IMPORT_MAX_BYTES:
        digest = hashlib.sha256()
        for chunk in upload.chunks():
            digest.update(chunk)
        return record_refusal(importer, size=upload.size, sha256=digest.hexdigest(), **common)
    return run_import(importer, data=upload.read(), write=False, keep_pending=True, **common)


@role_required(Role.ADMIN)
def import_template(request, kind: str):
    importer = _importer(kind)
    codes = {name: request.GET.get(name, "") for name in importer.parameters}
    if "campaign" in codes and not codes["campaign"] and (campaign := current_campaign_for(request)) is not None:
        codes["campaign"] = campaign.code
    if "agency" in codes:
        codes.pop("agency")  # the template of paper enrollments is the same for every agency
        context = None
    else:
        try:
            context = importer.context(**codes)
        except DomainError as exc:
            messages.error(request, " ".join(exc.messages))
            return redirect("dashboard:import_upload", kind=kind)
    response = HttpResponse(importer.template(context), content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{importer.template_name}"'
    return response


@role_required(Role.ADMIN)
def import_record(request, pk: int):
    record = get_object_or_404(_records(), pk=pk)
    if record.kind == ImportRecord.Kind.BANK_STATEMENT:
        # An agency's bank statement has its own page, with its agency and its matches.
        return redirect("settlements:statement_upload", pk=record.pk)
    problems = record.problems[:SHOWN_PROBLEMS]
    context = {
        "record": record,
        "importer": IMPORTERS.get(record.kind),
        "counts": summary_counts(record),
        "problems": problems,
        "more_problems": record.problem_count - len(problems),
        "lines": record.summary.get("lines", []),
        "more_lines": record.summary.get("line_count", 0) - len(record.summary.get("lines", [])),
        "awaiting": record.outcome == ImportRecord.Outcome.PREVIEWED and record.has_pending,
    }
    return render(request, "dashboard/import_record.html", context)


@role_required(Role.ADMIN)
@require_POST
def import_confirm(request, pk: int):
    record = get_object_or_404(ImportRecord.objects.defer("pending_file", "rejected_file"), pk=pk)
    try:
        record = confirm_import(_importer(record.kind), record=record)
    except DomainError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("dashboard:import_record", pk=pk)
    if record.outcome == ImportRecord.Outcome.WRITTEN:
        messages.success(request, _("Written: %(rows)s rows changed.") % {"rows": vn_int(record.rows_written)})
    else:
        messages.error(
            request, _("The data changed since the preview and the file no longer passes; nothing was written.")
        )
    return redirect("dashboard:import_record", pk=pk)


@role_required(Role.ADMIN)
@require_POST
def import_cancel(request, pk: int):
    record = get_object_or_404(ImportRecord.objects.defer("pending_file", "rejected_file"), pk=pk)
    cancel_import(record=record)
    messages.info(request, _("Cancelled: nothing was written."))
    return redirect("dashboard:import_upload", kind=record.kind)


@role_required(Role.ADMIN)
def import_rejected(request, pk: int):
    record = get_object_or_404(ImportRecord.objects.defer("pending_file"), pk=pk)
    if not record.rejected_file:
        raise Http404("no rejected rows")
    response = HttpResponse(bytes(record.rejected_file), content_type=XLSX_CONTENT_TYPE)
    stem = slugify(record.file_name.rsplit(".", 1)[0].replace("đ", "d").replace("Đ", "D"))[:80] or "import"
    response["Content-Disposition"] = f'attachment; filename="loi-{stem}.xlsx"'
    # The refused rows are the people as typed (CCCD, birth date, phone): the download is kept.
    refused_rows = {problem.get("row") for problem in record.problems if problem.get("row")}
    record_download(
        request,
        export="imports.rejected",
        file_name=f"loi-{stem}.xlsx",
        rows=len(refused_rows),
        filters={"import": record.pk, "kind": record.kind},
    )
    return response


# --- reports -------------------------------------------------------------------------------------


def _report_campaign(request) -> Campaign:
    return chosen_campaign(request)


@role_required(Role.ADMIN, Role.PROVINCIAL)
def reports_page(request):
    campaign = current_campaign_for(request)
    return render(
        request,
        "dashboard/reports.html",
        {"form": ReportForm(campaign=campaign, campaigns=campaign_choices(request)), "campaign": campaign},
    )


def _download(report: reports.Report) -> FileResponse:
    return FileResponse(report.file, as_attachment=True, filename=report.filename, content_type=XLSX_CONTENT_TYPE)


@role_required(Role.ADMIN, Role.PROVINCIAL)
def report_attainment(request):
    return _download(reports.quota_attainment_report(_report_campaign(request)))


@role_required(Role.ADMIN, Role.PROVINCIAL)
def report_coverage(request):
    return _download(reports.coverage_report(_report_campaign(request)))


@role_required(Role.ADMIN)
def report_enrollments(request):
    campaign = _report_campaign(request)
    report = reports.enrollments_report(campaign, user=request.user)
    filters = {"campaign": campaign.code}
    record_download(request, export="reports.enrollments", file_name=report.filename, rows=report.rows, filters=filters)
    return _download(report)
