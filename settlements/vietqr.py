"""VietQR: the QR code a Vietnamese banking app scans to pay an amount into an account.

The payload is NAPAS's profile of EMVCo's merchant-presented QR: fields as ID (2 digits), length
(2 digits) and value, the beneficiary as the bank's BIN and the account number under NAPAS's GUID
A000000727 with service QRIBFTTA (transfer to an account), the amount in đồng (currency 704), the
transfer's content in the additional data (field 62, sub-field 08), and a CRC-16/CCITT-FALSE over all
that precedes it, "6304" included. The content is the receipt number, so the bank's statement
names the receipt each transfer pays.
"""

import re
from dataclasses import dataclass

import segno

NAPAS_GUID = "A000000727"
TO_ACCOUNT = "QRIBFTTA"
CONTENT_MAX = 25
_CONTENT_ALLOWED = re.compile(r"[^A-Za-z0-9 ./-]")


@dataclass(frozen=True)
class Account:
    bank_bin: str
    number: str
    holder: str = ""


def _field(tag: str, value: str) -> str:
    if len(value) > 99:
        raise ValueError(f"field {tag} is longer than 99 characters")
    return f"{tag}{len(value):02d}{value}"


def crc16_ccitt(data: bytes) -> int:
    """CRC-16/CCITT-FALSE: polynomial 0x1021, initial value 0xFFFF, no reflection."""
    crc = 0xFFFF
    for byte in data:
        crc ^= byte << 8
        for _ in range(8):
            crc = ((crc << 1) ^ 0x1021) if crc & 0x8000 else crc << 1
            crc &= 0xFFFF
    return crc


def transfer_content(receipt_no: str) -> str:
    """The receipt number as banks carry it: ASCII letters, digits, space . / - and at most 25 characters."""
    return _CONTENT_ALLOWED.sub("", receipt_no)[:CONTENT_MAX]


def payload(account: Account, *, amount: int, content: str) -> str:
    if not (account.bank_bin.isdigit() and len(account.bank_bin) == 6):
        raise ValueError("the bank's BIN is six digits")
    if not (account.number.isascii() and account.number.isalnum()):
        raise ValueError("the account number is letters and digits")
    if amount <= 0:
        raise ValueError("the amount is more than 0")
    beneficiary = _field("00", account.bank_bin) + _field("01", account.number)
    merchant = _field("00", NAPAS_GUID) + _field("01", beneficiary) + _field("02", TO_ACCOUNT)
    body = (
        _field("00", "01")
        + _field("01", "12")  # dynamic: this amount, this once
        + _field("38", merchant)
        + _field("53", "704")
        + _field("54", str(amount))
        + _field("58", "VN")
        + _field("62", _field("08", transfer_content(content)))
        + "6304"
    )
    return body + f"{crc16_ccitt(body.encode('ascii')):04X}"


def qr_svg(text: str) -> str:
    """The QR code as an inline <svg> (no image file, nothing loaded from elsewhere)."""
    return segno.make(text, error="m").svg_inline(scale=4, border=2)
