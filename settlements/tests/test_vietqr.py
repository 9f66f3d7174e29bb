"""VietQR payloads: the EMVCo fields NAPAS reads, and the CRC checked against the standard's own check value."""

import binascii
from datetime import date

import pytest
from django.urls import reverse

from collectors.roles import Role
from enrollments.services import record_enrollment
from enrollments.tests.factories import bhxh_request
from settlements.models import AgencyProfile, Receipt, ReceiptSeries
from settlements.vietqr import Account, crc16_ccitt, payload, transfer_content

ACCOUNT = Account(bank_bin="970436", number="0011001234567", holder="BUU DIEN HOA THANH")


def test_crc_is_ccitt_false():
    assert crc16_ccitt(b"123456789") == 0x29B1  # the catalogued check value of CRC-16/CCITT-FALSE
    assert crc16_ccitt(b"0002010102") == binascii.crc_hqx(b"0002010102", 0xFFFF)


def test_payload_fields():
    text = payload(ACCOUNT, amount=3_168_000, content="BH25-HT-0000001")
    assert text[:-4] == (
        "000201"
        "010212"
        "3857" "0010A000000727" "0127" "0006970436" "01130011001234567" "0208QRIBFTTA"
        "5303704"
        "54073168000"
        "5802VN"
        "6219" "0815BH25-HT-0000001"
        "6304"
    )  # fmt: skip
    assert text[-4:] == f"{binascii.crc_hqx(text[:-4].encode(), 0xFFFF):04X}"


def test_content_keeps_what_banks_carry():
    assert transfer_content("BH25-AG/08907/E-0000001") == "BH25-AG/08907/E-0000001"
    assert transfer_content("Biên lai #12") == "Bin lai 12"


@pytest.mark.parametrize(
    ("account", "amount"),
    [
        (Account("97043", "1"), 1),
        (Account("970436", "12 34"), 1),
        (ACCOUNT, 0),
    ],
)
def test_refusals(account, amount):
    with pytest.raises(ValueError):
        payload(account, amount=amount, content="X")


def test_the_receipt_shows_the_code_for_the_agency_account(client, world):
    AgencyProfile.objects.filter(agency=world["mine"]).update(
        bank_bin="970436", bank_account="0011001234567", account_name="BUU DIEN HOA THANH"
    )
    ReceiptSeries.objects.create(agency=world["mine"], prefix="BH25-HT")
    record_enrollment(
        campaign=world["campaign"],
        collector=world["collector"],
        request=bhxh_request(1, commune_code=world["commune"].code, collected_on=date(2025, 12, 10)),
    )
    receipt = Receipt.objects.get()
    client.force_login(world["users"][Role.OFFICER])
    response = client.get(reverse("settlements:receipt", args=[receipt.pk]))
    body = response.content.decode()
    assert "<svg" in body and "0011001234567" in body
    assert response.context["qr"]["payload"] == payload(ACCOUNT, amount=3_168_000, content="BH25-HT-0000001")
