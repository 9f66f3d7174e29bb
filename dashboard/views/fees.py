"""The agency's monthly statement: the collection fees (settlements) and the prizes it won (awards).

It lives here, above both, because each owns half of it: ``settlements.fees`` computes what the
month's enrollments earn under the fee rates, ``awards.selectors.prizes_won`` lists the prizes of the
published rankings for that month. Settlements sits below awards and cannot read rankings; the
read side composes them (DESIGN.md's layers), so neither of the two knows of the other's data.
"""

from dataclasses import dataclass

from django.http import HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from awards.selectors import PrizeLine, prizes_won
from campaign.models import Product
from collectors.roles import role_required
from core.excel.writer import XLSX_CONTENT_TYPE, Column, table_to_bytes
from enrollments.classification import Classification
from settlements.fees import FeeStatement, fee_statement
from settlements.forms import FeeChoiceForm
from settlements.models import FeeRate
from settlements.views.access import ADMIN_AND_OFFICER, own_agency


@dataclass(frozen=True)
class MonthStatement:
    """What the agency earns for the month: the fees, and the prizes marked as such."""

    fees: FeeStatement
    prizes: list[PrizeLine]

    @property
    def prize_total(self) -> int:
        return sum(line.prize for line in self.prizes)

    @property
    def total(self) -> int:
        return self.fees.fee + self.prize_total


def _statement(request):
    choice = FeeChoiceForm(request.GET or {}, agency=own_agency(request.user))
    if not choice.is_valid():
        return choice, None
    agency, month = choice.cleaned_data["agency"], choice.cleaned_data["month"]
    return choice, MonthStatement(fees=fee_statement(agency, month=month), prizes=prizes_won(agency, month=month))


def rate_text(rate: FeeRate | None) -> str:
    if rate is None:
        return _("no rate")
    if rate.method == FeeRate.Method.PERCENT:
        return f"{rate.percent.normalize():f}%".replace(".", ",")
    return f"{rate.fixed_amount:,} đ/người".replace(",", ".")


def scope_text(line: PrizeLine) -> str:
    return _("Week %(number)s") % {"number": line.week} if line.week is not None else _("Final")


@role_required(*ADMIN_AND_OFFICER)
def fee_page(request):
    choice, statement = _statement(request)
    groups = []
    if statement is not None:
        groups = [
            {"product": Product(g.product).label, "classification": Classification(g.classification).label, "g": g}
            for g in statement.fees.groups
        ]
    prizes = [{"line": line, "scope": scope_text(line)} for line in statement.prizes] if statement else []
    context = {
        "choice": choice,
        "statement": statement.fees if statement else None,
        "month_statement": statement,
        "groups": groups,
        "prizes": prizes,
        "query": request.GET.urlencode(),
    }
    return render(request, "dashboard/fees.html", context)


def _fee_rows(fees: FeeStatement):
    for line in fees.lines:
        yield (
            _("Fee"), line.enrollment_id, line.collected_on, line.full_name, Product(line.product).label,
            Classification(line.classification).label, line.base, rate_text(line.rate), line.fee,
        )  # fmt: skip
    yield ("", "", "", _("Total fees"), "", "", fees.base, "", fees.fee)


def _prize_rows(statement: MonthStatement):
    for line in statement.prizes:
        who = _("%(name)s (officer)") % {"name": line.winner} if line.by_officer else line.winner
        yield (
            _("Prize"), "", line.period_end, who, line.rule, scope_text(line), None,
            _("Rank %(rank)s") % {"rank": line.rank}, line.prize,
        )  # fmt: skip
    yield ("", "", "", _("Total prizes"), "", "", None, "", statement.prize_total)
    yield ("", "", "", _("Total earned (fees and prizes)"), "", "", None, "", statement.total)


@role_required(*ADMIN_AND_OFFICER)
def fee_xlsx(request):
    choice, statement = _statement(request)
    if statement is None:
        return HttpResponse(" ".join(m for ms in choice.errors.values() for m in ms), status=400)
    fees = statement.fees
    content = table_to_bytes(
        sheet_title=_("Fees"),
        title_lines=[
            f"{fees.agency.name} ({fees.agency.code})",
            _("Collection fees and prizes, %(month)s") % {"month": f"{fees.month:%m/%Y}"},
        ],
        columns=[
            Column(_("Fee or prize"), 12),
            Column(_("Enrollment"), 10, "int"),
            Column(_("Date"), 12, "date"),
            Column(_("Full name"), 26),
            Column(_("Product or award"), 20),
            Column(_("Classification or ranking"), 16),
            Column(_("Amount collected (đồng)"), 16, "money"),
            Column(_("Rate or rank"), 14),
            Column(_("Earned (đồng)"), 14, "money"),
        ],
        rows=[*_fee_rows(fees), *_prize_rows(statement)],
    )
    response = HttpResponse(content, content_type=XLSX_CONTENT_TYPE)
    name = f"thu-lao_{fees.agency.code}_{fees.month:%Y-%m}.xlsx"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
