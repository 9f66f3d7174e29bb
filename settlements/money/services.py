"""The money writes: a transfer to BHXH recorded, a sent list reconciled."""

from datetime import date

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from collectors.models import CollectionAgency
from core import clock
from core.errors import ConflictError, DomainError
from core.text import text_problem

from ..models import DeclarationBatch, Transfer

MAX_TRANSFER = 100_000_000_000  # 100 tỷ: anything above is a typing slip


def _check(*, transferred_on: date | None, amount: int | None, bank_reference: str, note: str) -> dict:
    errors = {}
    if transferred_on is None:
        errors["transferred_on"] = _("Enter the date the money was handed over.")
    elif transferred_on > clock.today():
        errors["transferred_on"] = _("The date cannot be in the future.")
    if amount is None or amount <= 0:
        errors["amount"] = _("Enter the amount handed over, in whole đồng, more than 0.")
    elif amount > MAX_TRANSFER:
        errors["amount"] = _("The amount is too large; check the number of zeros.")
    if not bank_reference:
        errors["bank_reference"] = _("Enter the bank's reference of the transfer.")
    elif problem := text_problem(bank_reference):
        errors["bank_reference"] = problem
    if problem := text_problem(note):
        errors["note"] = problem
    return errors


@transaction.atomic
def record_transfer(
    *, agency: CollectionAgency, transferred_on: date | None, amount: int | None, bank_reference: str, note: str = "",
    user,
) -> Transfer:  # fmt: skip
    """Store one transfer; a bank reference the agency already recorded is refused (no transfer counted twice)."""
    bank_reference, note = (bank_reference or "").strip(), (note or "").strip()
    if errors := _check(transferred_on=transferred_on, amount=amount, bank_reference=bank_reference, note=note):
        raise DomainError(errors)
    earlier = Transfer.objects.filter(agency=agency, bank_reference__iexact=bank_reference).first()
    if earlier is not None:
        raise ConflictError(
            {
                "bank_reference": _("The transfer %(reference)s of %(day)s is already recorded.")
                % {"reference": earlier.bank_reference, "day": f"{earlier.transferred_on:%d/%m/%Y}"}
            }
        )
    try:
        with transaction.atomic():
            return Transfer.objects.create(
                agency=agency,
                transferred_on=transferred_on,
                amount=amount,
                bank_reference=bank_reference,
                note=note,
                recorded_at=clock.now(),
                recorded_by=user,
            )
    except IntegrityError as exc:
        raise ConflictError({"bank_reference": _("This transfer was recorded at the same moment.")}) from exc


@transaction.atomic
def reconcile_batch(*, batch: DeclarationBatch, user, note: str = "") -> DeclarationBatch:
    """BHXH has checked the sent list against the money received: mark it, once, with who and when."""
    note = (note or "").strip()
    if problem := text_problem(note):
        raise DomainError({"note": problem})
    updated = DeclarationBatch.objects.filter(pk=batch.pk, reconciled_at__isnull=True).update(
        reconciled_at=clock.now(), reconciled_by=user, reconcile_note=note[:300]
    )
    if not updated:
        raise ConflictError(_("This list is already reconciled."))
    batch.refresh_from_db()
    return batch
