"""Which enrollments a list holds: the live list of a period, and a sent list as it was sent.

The live list of an agency, form and period is what has not been declared yet:
- "I. Tăng": not-cancelled enrollments of the form's product collected in the period that no sent
  list has declared as added;
- "II. Giảm": enrollments a sent list declared as added, cancelled since (on or before the period's
  last day), that no sent list has declared as removed yet, whatever day they were collected.
Marking the list as sent freezes exactly these rows (``sending.mark_sent``).
"""

from datetime import date, datetime, time

from django.db.models import Exists, OuterRef
from django.utils import timezone
from django.utils.translation import gettext as _

from collectors.models import CollectionAgency
from core.errors import DomainError
from enrollments.models import Enrollment
from enrollments.selectors import policy_on
from enrollments.vocabulary import Status

from ..models import FORM_PRODUCT, AgencyProfile, DeclarationBatch, DeclarationLine, Form
from .rows import DeclarationList, ListRow, removed_row, rows_of

INCREASE = DeclarationLine.Section.INCREASE
DECREASE = DeclarationLine.Section.DECREASE
MAX_DAYS = 370


def check_period(period_from: date, period_to: date) -> None:
    if period_to < period_from:
        raise DomainError({"to": _("The period ends before it starts.")})
    if (period_to - period_from).days >= MAX_DAYS:
        raise DomainError({"to": _("A list covers at most a year; choose a shorter period.")})


def _declared(section: str):
    return Exists(DeclarationLine.objects.filter(enrollment=OuterRef("pk"), section=section))


def pending_added(agency: CollectionAgency, form: str, period_from: date, period_to: date):
    return Enrollment.objects.filter(
        agency=agency,
        product=FORM_PRODUCT[Form(form)],
        status=Status.RECORDED,
        collected_on__range=(period_from, period_to),
    ).filter(~_declared(INCREASE))


def pending_removed(agency: CollectionAgency, form: str, period_to: date) -> list[ListRow]:
    end = timezone.make_aware(datetime.combine(period_to, time.max))
    lines = (
        DeclarationLine.objects.filter(
            section=INCREASE,
            batch__agency=agency,
            batch__form=form,
            enrollment__status=Status.CANCELLED,
            enrollment__cancelled_at__lte=end,
        )
        .exclude(enrollment__declaration_lines__section=DECREASE)
        .select_related("enrollment")
        .order_by("enrollment__cancelled_at", "pk")
    )
    return [removed_row(ListRow.from_json(line.row), line.enrollment.cancel_reason) for line in lines]


def _header(agency: CollectionAgency, period_to: date) -> tuple[dict, int]:
    profile = AgencyProfile.objects.filter(agency=agency).first() or AgencyProfile(agency=agency)
    header = {
        "tax_code": profile.tax_code,
        "address": profile.address,
        "phone": profile.phone,
        "email": profile.email,
        "office": agency.office.name,
    }
    try:
        base_salary = policy_on(period_to).policy.base_salary
    except DomainError:
        base_salary = 0
    return header, base_salary


def live_list(*, agency: CollectionAgency, form: str, period_from: date, period_to: date) -> DeclarationList:
    check_period(period_from, period_to)
    header, base_salary = _header(agency, period_to)
    return DeclarationList(
        form=form,
        agency=agency,
        period_from=period_from,
        period_to=period_to,
        added=rows_of(pending_added(agency, form, period_from, period_to)),
        removed=pending_removed(agency, form, period_to),
        header=header,
        base_salary=base_salary,
    )


def sent_list(batch: DeclarationBatch) -> DeclarationList:
    header, base_salary = _header(batch.agency, batch.period_to)
    lines = list(batch.lines.order_by("position"))
    return DeclarationList(
        form=batch.form,
        agency=batch.agency,
        period_from=batch.period_from,
        period_to=batch.period_to,
        added=[ListRow.from_json(line.row) for line in lines if line.section == INCREASE],
        removed=[ListRow.from_json(line.row) for line in lines if line.section == DECREASE],
        batch_number=batch.number,
        header=header,
        base_salary=base_salary,
    )


def batches_of(agency: CollectionAgency | None, form: str | None = None):
    batches = DeclarationBatch.objects.select_related("agency")
    if agency is not None:
        batches = batches.filter(agency=agency)
    if form:
        batches = batches.filter(form=form)
    return batches.order_by("-sent_at", "-pk")
