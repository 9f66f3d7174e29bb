"""The bank statement: upload → preview → confirm, the template, and the lines no receipt took.

Admins and the agency's own officers; an officer uploads for their own agency and never sees
another agency's uploads (not found, as for its other rows).
"""

import hashlib

from django import forms
from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from collectors.models import CollectionAgency
from collectors.roles import role_required
from core.errors import DomainError
from core.excel.importing import cancel_import, confirm_import, forget_stale_uploads, record_refusal, run_import
from core.excel.reader import too_large_message, vn_int
from core.excel.writer import XLSX_CONTENT_TYPE
from core.models import ImportRecord

from ..models import StatementLine
from ..statements.imports import BankStatementImport, result_label
from .access import ADMIN_AND_OFFICER, check_agency, own_agency

IMPORTER = BankStatementImport()
HARD_LIMIT_FACTOR = 4
SHOWN = 100
COUNT_KEYS = [*StatementLine.Result.values, "skipped", "debit"]


def _count_label(key: str) -> str:
    if key in StatementLine.Result.values:
        return result_label(key)
    return {"skipped": _("already uploaded, skipped"), "debit": _("debit lines, left aside")}.get(key, key)


class StatementUploadForm(forms.Form):
    agency = forms.ModelChoiceField(
        label=gettext_lazy("Agency"), queryset=CollectionAgency.objects.none(), to_field_name="code"
    )
    file = forms.FileField(
        label=gettext_lazy("Bank statement (Excel)"),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.xls,.ods", "class": "form-control form-control-lg"}),
    )

    def __init__(self, *args, agency: CollectionAgency | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        if agency is None:
            self.fields["agency"].queryset = CollectionAgency.objects.order_by("code")
            self.fields["agency"].widget.attrs["class"] = "form-select form-select-lg"
        else:
            del self.fields["agency"]


def _records(agency: CollectionAgency | None):
    records = ImportRecord.objects.defer("pending_file", "rejected_file").filter(kind=IMPORTER.kind)
    return records.filter(parameters__agency=agency.code) if agency is not None else records


def _chosen_agency(request) -> CollectionAgency | None:
    mine = own_agency(request.user)
    if mine is not None:
        return mine
    code = request.GET.get("agency") or ""
    return CollectionAgency.objects.filter(code=code).first() if code else None


@role_required(*ADMIN_AND_OFFICER)
def statement_page(request):
    mine = own_agency(request.user)
    if request.method == "POST":
        length = int(request.META.get("CONTENT_LENGTH") or 0)
        if length > HARD_LIMIT_FACTOR * settings.IMPORT_MAX_BYTES:
            messages.error(request, too_large_message(length, settings.IMPORT_MAX_BYTES))
            return redirect("settlements:statements")
        form = StatementUploadForm(request.POST, request.FILES, agency=mine)
        if form.is_valid():
            agency = mine or form.cleaned_data["agency"]
            record = _receive(request, agency, form.cleaned_data["file"])
            return redirect("settlements:statement_upload", pk=record.pk)
        agency = mine
    else:
        agency = _chosen_agency(request)
        form = StatementUploadForm(agency=mine, initial={"agency": agency.code if agency else None})
    unmatched = StatementLine.objects.none()
    if agency is not None:
        unmatched = (
            StatementLine.objects.filter(agency=agency)
            .exclude(result=StatementLine.Result.MATCHED)
            .select_related("receipt")
            .order_by("-credited_on", "-pk")[:SHOWN]
        )
    context = {
        "form": form,
        "agency": agency,
        "unmatched": unmatched,
        "records": _records(agency)[:10] if agency is not None or mine is None else [],
        "limit_mb": vn_int(settings.IMPORT_MAX_BYTES // (1024 * 1024)),
    }
    return render(request, "settlements/statements.html", context)


def _receive(request, agency: CollectionAgency, upload) -> ImportRecord:
    forget_stale_uploads()
    common = {
        "file_name": upload.name,
        "source": ImportRecord.Source.WEB,
        "user": request.user,
        "codes": {"agency": agency.code},
    }
    if upload.size > settings.IMPORT_MAX_BYTES:
        digest = hashlib.sha256()
        for chunk in upload.chunks():
            digest.update(chunk)
        return record_refusal(IMPORTER, size=upload.size, sha256=digest.hexdigest(), **common)
    return run_import(IMPORTER, data=upload.read(), write=False, keep_pending=True, **common)


def _record(request, pk: int) -> ImportRecord:
    record = get_object_or_404(ImportRecord.objects.defer("pending_file", "rejected_file"), pk=pk, kind=IMPORTER.kind)
    agency = CollectionAgency.objects.filter(code=record.parameters.get("agency", "")).first()
    if agency is None:
        raise Http404("no agency")
    check_agency(request.user, agency)
    record.agency = agency
    return record


@role_required(*ADMIN_AND_OFFICER)
def statement_upload(request, pk: int):
    record = _record(request, pk)
    counts = record.summary.get("counts", {})
    lines = record.summary.get("lines", [])
    context = {
        "record": record,
        "counts": [(_count_label(key), vn_int(counts[key])) for key in COUNT_KEYS if key in counts],
        "problems": record.problems[:200],
        "more_problems": record.problem_count - len(record.problems[:200]),
        "lines": lines,
        "more_lines": record.summary.get("line_count", 0) - len(lines),
        "awaiting": record.outcome == ImportRecord.Outcome.PREVIEWED
        and ImportRecord.objects.filter(pk=record.pk, pending_file__isnull=False).exists(),
    }
    return render(request, "settlements/statement_upload.html", context)


@role_required(*ADMIN_AND_OFFICER)
@require_POST
def statement_confirm(request, pk: int):
    record = _record(request, pk)
    try:
        record = confirm_import(IMPORTER, record=record)
    except DomainError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("settlements:statement_upload", pk=pk)
    if record.outcome == ImportRecord.Outcome.WRITTEN:
        messages.success(request, _("Recorded: %(rows)s credit lines.") % {"rows": vn_int(record.rows_written)})
    else:
        messages.error(
            request, _("The data changed since the preview and the file no longer passes; nothing was written.")
        )
    return redirect("settlements:statement_upload", pk=pk)


@role_required(*ADMIN_AND_OFFICER)
@require_POST
def statement_cancel(request, pk: int):
    record = _record(request, pk)
    cancel_import(record=record)
    messages.info(request, _("Cancelled: nothing was written."))
    return redirect(reverse("settlements:statements") + f"?agency={record.agency.code}")


@role_required(*ADMIN_AND_OFFICER)
def statement_template(request):
    response = HttpResponse(IMPORTER.template(None), content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{IMPORTER.template_name}"'
    return response
