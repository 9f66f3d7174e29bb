"""Marking a list as sent: the one write that freezes it."""

from datetime import date

from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from collectors.models import CollectionAgency
from core import clock
from core.errors import ConflictError, DomainError

from ..models import DeclarationBatch, DeclarationLine
from .lists import DECREASE, INCREASE, live_list


@transaction.atomic
def mark_sent(*, agency: CollectionAgency, form: str, period_from: date, period_to: date, user) -> DeclarationBatch:
    """Freeze the agency's live list of the period as its next numbered batch, exactly as it reads now.

    The agency's row is locked, so two officers sending at once get consecutive batches, and the
    second holds only what the first did not (a person is declared added once, removed once).
    """
    CollectionAgency.objects.select_for_update().filter(pk=agency.pk).first()
    listing = live_list(agency=agency, form=form, period_from=period_from, period_to=period_to)
    if not listing.added and not listing.removed:
        raise DomainError(_("Nothing in this period is left to declare: the list is empty."))
    last = DeclarationBatch.objects.filter(agency=agency, form=form).aggregate(n=Max("number"))["n"] or 0
    batch = DeclarationBatch.objects.create(
        agency=agency,
        form=form,
        number=last + 1,
        period_from=period_from,
        period_to=period_to,
        sent_at=clock.now(),
        sent_by=user,
    )
    rows = [(INCREASE, row) for row in listing.added] + [(DECREASE, row) for row in listing.removed]
    try:
        with transaction.atomic():
            DeclarationLine.objects.bulk_create(
                DeclarationLine(
                    batch=batch, enrollment_id=row.enrollment_id, section=section, position=i, row=row.as_json()
                )
                for i, (section, row) in enumerate(rows, start=1)
            )
    except IntegrityError as exc:
        message = _("Another list with these people was sent at the same moment; open the lists again.")
        raise ConflictError(message) from exc
    return batch
