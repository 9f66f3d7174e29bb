"""Receipt numbers: the next of the agency's series, or a paper number typed, never one used before.

Called inside the recording's transaction (``hooks.number_receipts``): a refusal here refuses the
recording, so no enrollment is stored without its receipt.
"""

from collections.abc import Sequence

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from core import clock
from core.errors import ConflictError
from enrollments.models import Enrollment

from ..models import Receipt, ReceiptLine, ReceiptSeries


def next_number(series_id: int) -> tuple[ReceiptSeries, int]:
    """Take the series' next number under a row lock: two officers at once get n and n + 1."""
    series = ReceiptSeries.objects.select_for_update().get(pk=series_id)
    number = series.next_number
    ReceiptSeries.objects.filter(pk=series.pk).update(next_number=number + 1)
    return series, number


def active_series(agency_id: int) -> ReceiptSeries | None:
    return ReceiptSeries.objects.filter(agency_id=agency_id, active=True).first()


def _same_visit(holder: Enrollment, enrollments: Sequence[Enrollment]) -> bool:
    """A household's members recorded apart on one day may share the receipt they were given together."""
    household = holder.participant.household_id
    return household is not None and all(
        e.participant.household_id == household and e.collected_on == holder.collected_on for e in enrollments
    )


def _refuse_used(receipt_no: str, holder: Enrollment | None, voided: bool = False) -> None:
    if voided:
        raise ConflictError({"receipt_no": _("Receipt number %(number)s was voided; it is never used again.")
                             % {"number": receipt_no}})  # fmt: skip
    raise ConflictError(
        {
            "receipt_no": _(
                "Receipt number %(number)s is already used for the enrollment of %(name)s "
                "(no. %(id)s, collected on %(day)s)."
            )
            % {
                "number": receipt_no,
                "name": holder.participant.full_name,
                "id": holder.pk,
                "day": f"{holder.collected_on:%d/%m/%Y}",
            }
        }
    )


def _check_typed(agency_id: int, receipt_no: str) -> None:
    for prefix in ReceiptSeries.objects.filter(agency_id=agency_id).values_list("prefix", flat=True):
        if receipt_no.upper().startswith(prefix.upper() + "-"):
            raise ConflictError(
                {
                    "receipt_no": _(
                        "Numbers of the series %(prefix)s are given by the app: leave the receipt number empty."
                    )
                    % {"prefix": prefix}
                }
            )


def _holder(agency_id: int, receipt_no: str, exclude: Sequence[int]) -> tuple[Receipt | None, Enrollment | None]:
    receipt = Receipt.objects.filter(agency_id=agency_id, receipt_no__iexact=receipt_no).first()
    if receipt is not None:
        line = receipt.lines.select_related("enrollment__participant").order_by("pk").first()
        return receipt, line.enrollment if line else None
    # Enrollments recorded before receipts were kept, and imports, carry the number only.
    earlier = (
        Enrollment.objects.filter(agency_id=agency_id, receipt_no__iexact=receipt_no)
        .exclude(pk__in=exclude)
        .select_related("participant")
        .order_by("pk")
        .first()
    )
    return None, earlier


def _create(**fields) -> Receipt:
    try:
        with transaction.atomic():
            return Receipt.objects.create(issued_at=clock.now(), **fields)
    except IntegrityError as exc:
        raise ConflictError(
            {"receipt_no": _("Receipt number %(number)s was just used by another officer.")
             % {"number": fields["receipt_no"]}}
        ) from exc  # fmt: skip


def issue_receipt(
    *, agency_id: int, enrollments: Sequence[Enrollment], receipt_no: str, user, auto: bool
) -> Receipt | None:
    """One receipt for ``enrollments`` (paid together): ``receipt_no`` typed, or the series' next when empty.

    Without a typed number and without ``auto`` (imports) or an active series, nothing is issued.
    """
    receipt_no = receipt_no.strip()
    if receipt_no:
        _check_typed(agency_id, receipt_no)
        existing, holder = _holder(agency_id, receipt_no, [e.pk for e in enrollments])
        if existing is not None and existing.status == Receipt.Status.VOID:
            _refuse_used(receipt_no, holder, voided=True)
        if holder is not None and not _same_visit(holder, enrollments):
            _refuse_used(receipt_no, holder)
        receipt = existing or _create(agency_id=agency_id, receipt_no=receipt_no, issued_by=user)
    else:
        series = active_series(agency_id) if auto else None
        if series is None:
            return None
        series, number = next_number(series.pk)
        receipt = _create(
            agency_id=agency_id, series=series, number=number, receipt_no=series.format(number), issued_by=user
        )
        Enrollment.objects.filter(pk__in=[e.pk for e in enrollments]).update(receipt_no=receipt.receipt_no)
        for enrollment in enrollments:
            enrollment.receipt_no = receipt.receipt_no
    ReceiptLine.objects.bulk_create(ReceiptLine(receipt=receipt, enrollment=e) for e in enrollments)
    return receipt
