"""The fee statement: what an agency earns for a month's collecting, on a page and in Excel."""

from django.http import HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from campaign.models import Product
from collectors.roles import role_required
from core.excel.writer import XLSX_CONTENT_TYPE, Column, table_to_bytes
from enrollments.classification import Classification

from ..fees import fee_statement
from ..forms import FeeChoiceForm
from ..models import FeeRate
from .access import ADMIN_AND_OFFICER, own_agency


def _statement(request):
    choice = FeeChoiceForm(request.GET or {}, agency=own_agency(request.user))
    if not choice.is_valid():
        return choice, None
    return choice, fee_statement(choice.cleaned_data["agency"], month=choice.cleaned_data["month"])


def rate_text(rate: FeeRate | None) -> str:
    if rate is None:
        return _("no rate")
    if rate.method == FeeRate.Method.PERCENT:
        return f"{rate.percent.normalize():f}%".replace(".", ",")
    return f"{rate.fixed_amount:,} đ/người".replace(",", ".")


@role_required(*ADMIN_AND_OFFICER)
def fee_page(request):
    choice, statement = _statement(request)
    groups = []
    if statement is not None:
        groups = [
            {"product": Product(g.product).label, "classification": Classification(g.classification).label, "g": g}
            for g in statement.groups
        ]
    context = {"choice": choice, "statement": statement, "groups": groups, "query": request.GET.urlencode()}
    return render(request, "settlements/fees.html", context)


@role_required(*ADMIN_AND_OFFICER)
def fee_xlsx(request):
    choice, statement = _statement(request)
    if statement is None:
        return HttpResponse(" ".join(m for ms in choice.errors.values() for m in ms), status=400)
    content = table_to_bytes(
        sheet_title=_("Fees"),
        title_lines=[
            f"{statement.agency.name} ({statement.agency.code})",
            _("Collection fees, %(month)s") % {"month": f"{statement.month:%m/%Y}"},
        ],
        columns=[
            Column(_("Enrollment"), 10, "int"),
            Column(_("Collection date"), 12, "date"),
            Column(_("Full name"), 26),
            Column(_("Product"), 16),
            Column(_("Classification"), 14),
            Column(_("Amount collected (đồng)"), 16, "money"),
            Column(_("Rate"), 14),
            Column(_("Fee (đồng)"), 14, "money"),
        ],
        rows=[
            *(
                (
                    line.enrollment_id, line.collected_on, line.full_name, Product(line.product).label,
                    Classification(line.classification).label, line.base, rate_text(line.rate), line.fee,
                )
                for line in statement.lines
            ),
            ("", "", _("Total"), "", "", statement.base, "", statement.fee),
        ],
    )  # fmt: skip
    response = HttpResponse(content, content_type=XLSX_CONTENT_TYPE)
    name = f"thu-lao_{statement.agency.code}_{statement.month:%Y-%m}.xlsx"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
