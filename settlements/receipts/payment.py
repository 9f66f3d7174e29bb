"""Paying a receipt by bank transfer: its VietQR code, on the receipt page and the form's confirmation.

The code carries the amount the receipt still accounts for and the receipt number as the transfer's
content, to the agency's collection account (``AgencyProfile``); none is shown for a void receipt,
one already paid by a transfer the bank statement named, or an agency without an account.
"""

from enrollments.vocabulary import Status

from ..models import AgencyProfile, Receipt, ReceiptLine, StatementLine
from ..vietqr import Account, payload, qr_svg


def receipt_amount(enrollments) -> int:
    """What the receipt still accounts for: its enrollments less those cancelled since."""
    return sum(e.amount_payable for e in enrollments if e.status == Status.RECORDED)


def paid_lines(receipt_ids) -> dict[int, StatementLine]:
    """The bank statement line that paid each receipt, for those a transfer paid."""
    lines = StatementLine.objects.filter(receipt_id__in=list(receipt_ids), result=StatementLine.Result.MATCHED)
    return {line.receipt_id: line for line in lines}


def payment_qr(receipt: Receipt, amount: int, *, profile: AgencyProfile | None = None) -> dict | None:
    """A VietQR code to pay the receipt into the agency's collection account, when it has one."""
    if profile is None:
        profile = AgencyProfile.objects.filter(agency_id=receipt.agency_id).first()
    if receipt.status != Receipt.Status.ISSUED or amount <= 0 or not (profile and profile.bank_bin):
        return None
    account = Account(bank_bin=profile.bank_bin, number=profile.bank_account, holder=profile.account_name)
    try:
        text = payload(account, amount=amount, content=receipt.receipt_no)
    except ValueError:
        return None  # account data an admin typed wrong: no code rather than a wrong one
    return {"svg": qr_svg(text), "account": account, "payload": text, "receipt": receipt, "amount": amount}


def confirmation_panel(sender, *, request, enrollments, **kwargs) -> dict | None:
    """For ``enrollments.signals.recorded_page_panels``: the VietQR code of each receipt just issued.

    A household's members share one receipt: its code is for all of them (cancelled ones left out).
    """
    issued = Receipt.objects.filter(lines__enrollment_id__in=[e.pk for e in enrollments], status=Receipt.Status.ISSUED)
    receipts: dict[int, tuple[Receipt, list]] = {}
    lines = ReceiptLine.objects.filter(receipt_id__in=issued.values("pk")).select_related("receipt", "enrollment")
    for line in lines.order_by("receipt__issued_at", "receipt_id", "pk"):
        receipts.setdefault(line.receipt_id, (line.receipt, []))[1].append(line.enrollment)
    if not receipts:
        return None
    paid = paid_lines(receipts)
    agencies = {receipt.agency_id for receipt, _members in receipts.values()}
    profiles = {p.agency_id: p for p in AgencyProfile.objects.filter(agency_id__in=agencies)}
    codes = []
    for receipt, members in receipts.values():
        profile = profiles.get(receipt.agency_id)
        if receipt.pk in paid or profile is None:
            continue
        qr = payment_qr(receipt, receipt_amount(members), profile=profile)
        if qr is not None:
            codes.append(qr)
    return {"template": "settlements/_payment_qr.html", "context": {"codes": codes}} if codes else None
