"""VietQR payloads: the EMVCo fields NAPAS reads, and the CRC checked against the standard's own check value."""

import binascii
from datetime import date

import pytest
from django.urls import reverse
from django.utils import timezone

from collectors.roles import Role
from enrollments.services import record_enrollment, record_household
from enrollments.tests.factories import bhxh_request, bhyt_request
from settlements.models import AgencyProfile, Receipt, ReceiptSeries, StatementLine
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


def _with_account(world):
    AgencyProfile.objects.filter(agency=world["mine"]).update(
        bank_bin="970436", bank_account="0011001234567", account_name="BUU DIEN HOA THANH"
    )
    ReceiptSeries.objects.create(agency=world["mine"], prefix="BH25-HT")


def _recorded_page(client, enrollments):
    return client.get(reverse("enrollments:receipt"), {"e": [e.pk for e in enrollments]})


def test_the_forms_confirmation_shows_the_code_of_the_receipt_just_taken(client, world):
    _with_account(world)
    client.force_login(world["users"][Role.OFFICER])
    form = {
        "cccd": "072085000041", "full_name": "Lê Văn Tự Nguyện", "date_of_birth": "02/03/1985", "sex": "male",
        "phone": "0987654321", "target_group": "informal_worker", "commune_code": world["commune"].code,
        "months": "12", "income": "1.500.000", "support_group": "other", "collected_on": "2025-12-10",
        "receipt_no": "",
    }  # fmt: skip
    url = reverse("enrollments:enroll_bhxh")
    review = client.post(url, form)
    assert b"<svg" not in review.content  # before confirming there is no receipt number to pay
    carried = dict(review.context["carried"]) | {"submission": review.context["submission"], "action": "confirm"}
    page = client.post(url, carried, follow=True)
    [panel] = page.context["panels"]
    [code] = panel["context"]["codes"]
    assert code["payload"] == payload(ACCOUNT, amount=3_168_000, content="BH25-HT-0000001")
    body = page.content.decode()
    assert "<svg" in body and "BH25-HT-0000001" in body and "0011001234567" in body


def test_a_household_pays_its_one_receipt_with_one_code(client, world):
    _with_account(world)
    members = record_household(
        campaign=world["campaign"],
        collector=world["collector"],
        requests=[
            bhyt_request(n, commune_code=world["commune"].code, collected_on=date(2025, 12, 10), household_code="H1")
            for n in (2, 3)
        ],
    )
    client.force_login(world["users"][Role.OFFICER])
    [panel] = _recorded_page(client, members).context["panels"]
    assert [c["payload"] for c in panel["context"]["codes"]] == [
        payload(ACCOUNT, amount=1_263_600 + 884_520, content="BH25-HT-0000001")
    ]
    # Another agency's officer asking for the same rows sees neither them nor a code.
    client.force_login(world["users"]["other_officer"])
    assert _recorded_page(client, members).context["panels"] == []


def test_no_code_without_an_account_or_once_paid(client, world):
    ReceiptSeries.objects.create(agency=world["mine"], prefix="BH25-HT")
    request = bhxh_request(1, commune_code=world["commune"].code, collected_on=date(2025, 12, 10))
    enrollment = record_enrollment(campaign=world["campaign"], collector=world["collector"], request=request)
    client.force_login(world["users"][Role.OFFICER])
    assert _recorded_page(client, [enrollment]).context["panels"] == []
    AgencyProfile.objects.filter(agency=world["mine"]).update(bank_bin="970436", bank_account="0011001234567")
    assert len(_recorded_page(client, [enrollment]).context["panels"]) == 1
    StatementLine.objects.create(
        agency=world["mine"], credited_on=date(2025, 12, 11), amount=3_168_000, content="BH25-HT-0000001",
        bank_reference="FT1", result=StatementLine.Result.MATCHED, receipt=Receipt.objects.get(),
        recorded_at=timezone.now(),
    )  # fmt: skip
    assert _recorded_page(client, [enrollment]).context["panels"] == []
