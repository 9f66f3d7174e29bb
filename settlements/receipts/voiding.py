"""A spoiled receipt is voided with a reason, never deleted; what it paid for gets a new receipt."""

from django.db import transaction
from django.utils.translation import gettext as _

from core import clock
from core.errors import ConflictError, DomainError
from core.text import text_problem
from enrollments.models import Enrollment
from enrollments.vocabulary import Status

from ..models import Receipt
from .numbering import issue_receipt


@transaction.atomic
def void_receipt(*, receipt: Receipt, reason: str, user, replacement_no: str = "") -> Receipt | None:
    """Void ``receipt``; its not-cancelled enrollments move to a new one (typed, or the series' next).

    Returns the replacement, or None when nothing on the receipt is still recorded.
    """
    reason = (reason or "").strip()
    if not reason:
        raise DomainError({"reason": _("Give the reason for voiding the receipt.")})
    if problem := text_problem(reason) or text_problem(replacement_no):
        raise DomainError({"reason": problem})
    updated = Receipt.objects.filter(pk=receipt.pk, status=Receipt.Status.ISSUED).update(
        status=Receipt.Status.VOID, void_reason=reason[:300], voided_at=clock.now(), voided_by=user
    )
    if not updated:
        raise ConflictError(_("This receipt is already void."))
    still_paid = list(
        Enrollment.objects.filter(receipt_lines__receipt=receipt, status=Status.RECORDED)
        .select_related("participant")
        .order_by("pk")
    )
    replacement = None
    if still_paid:
        replacement = issue_receipt(
            agency_id=receipt.agency_id, enrollments=still_paid, receipt_no=replacement_no, user=user, auto=True
        )
        if replacement is None:
            raise DomainError(
                {"replacement_no": _("The agency has no receipt series: type the number of the new paper receipt.")}
            )
        Receipt.objects.filter(pk=receipt.pk).update(replaced_by=replacement)
        Enrollment.objects.filter(pk__in=[e.pk for e in still_paid]).update(receipt_no=replacement.receipt_no)
    receipt.refresh_from_db()
    return replacement
