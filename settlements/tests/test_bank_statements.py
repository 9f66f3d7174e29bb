"""Bank statements: credit lines matched to receipts by number and amount; preview, confirm; hostile files."""

import io
import unicodedata
from datetime import date, datetime

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from collectors.roles import Role
from core.models import ImportRecord
from enrollments.services import record_enrollment, record_household
from enrollments.tests.factories import bhxh_request, bhyt_request
from settlements.models import Receipt, ReceiptSeries, StatementLine
from settlements.statements.imports import to_amount
from settlements.statements.matching import numbers_in, receipt_keys

DAY = date(2025, 12, 10)
Result = StatementLine.Result


def _keys(*numbers):
    keys = {key: number for number in numbers for key in receipt_keys(number)}
    return keys, {len(key) for key in keys}


@pytest.mark.parametrize(
    ("content", "found"),
    [
        ("Nộp tiền BHXH biên lai BH25-HT-0000001 Nguyễn Văn Thử", ["BH25-HT-0000001"]),
        ("NOP TIEN BH25 HT 0000001", ["BH25-HT-0000001"]),
        ("bh25ht0000001-nguyen van a", ["BH25-HT-0000001"]),
        ("Thanh toán – BH25-HT-0000001–", ["BH25-HT-0000001"]),
        ("  BH25 - HT - 0000002  ", ["BH25-HT-0000002"]),
        ("BH25-HT-00000012", []),  # a longer number is another number
        ("XBH25-HT-0000001", []),
        ("Chuyển tiền", []),
        ("BH25-HT-0000002 và BH25-HT-0000001", ["BH25-HT-0000002", "BH25-HT-0000001"]),
        # Decomposed diacritics (NFD), as some exports write them, around a number with slashes.
        ("Nộp tiền BH25-AG/08907/E-0000001 Nguyễn", ["BH25-AG/08907/E-0000001"]),
        ("BH25 AG 08907 E 0000001", ["BH25-AG/08907/E-0000001"]),
    ],
)
def test_the_receipt_number_is_found_in_the_content(content, found):
    keys, lengths = _keys("BH25-HT-0000001", "BH25-HT-0000002", "BH25-AG/08907/E-0000001")
    assert numbers_in(unicodedata.normalize("NFD", content), keys, lengths) == found
    assert numbers_in(content, keys, lengths) == found


@pytest.mark.parametrize(
    ("value", "amount"),
    [(1512000, 1_512_000), (1512000.0, 1_512_000), ("1.512.000", 1_512_000), ("1,512,000.00", 1_512_000),
     ("+1.512.000 VND", 1_512_000), ("-500.000", -500_000), ("3.168.000 đ", 3_168_000)],
)  # fmt: skip
def test_amounts_as_banks_write_them(value, amount):
    assert to_amount(value) == amount


@pytest.fixture
def receipts(world):
    """Mine: -0000001 and -0000002 (3.168.000 each), -0000003 a household (1.263.600 + 884.520); the other
    agency's BH25-KH-0000001."""
    ReceiptSeries.objects.create(agency=world["mine"], prefix="BH25-HT")
    ReceiptSeries.objects.create(agency=world["other"], prefix="BH25-KH")
    commune, campaign = world["commune"].code, world["campaign"]
    for number in (1, 2):
        request = bhxh_request(number, commune_code=commune, collected_on=DAY)
        record_enrollment(campaign=campaign, collector=world["collector"], request=request)
    record_household(
        campaign=campaign,
        collector=world["collector"],
        requests=[bhyt_request(n, commune_code=commune, collected_on=DAY, household_code="HGD-3") for n in (3, 4)],
    )
    request = bhxh_request(5, commune_code=commune, collected_on=DAY)
    record_enrollment(campaign=campaign, collector=world["other_collector"], request=request)
    return world


LINES = [
    # date, reference, debit, credit, content
    (date(2025, 12, 11), "FT001", None, 3_168_000, "Nộp tiền BHXH biên lai BH25-HT-0000001 Nguyễn Văn Thử 1"),
    (date(2025, 12, 11), "FT002", None, 3_000_000, "NOP TIEN BH25 HT 0000002"),
    ("12/12/2025 09:15:02", "FT003", None, "2.148.120", "MBVCB.123.BH25HT0000003-NGUYEN VAN THU 3"),
    (date(2025, 12, 12), "FT004", None, 3_168_000, "Chuyển tiền – BH25-HT-0000001 – lần 2"),
    (date(2025, 12, 12), "FT005", None, 3_168_000, "BH25-HT-00000012"),
    (date(2025, 12, 12), "FT006", None, 3_168_000, "BH25-KH-0000001"),
    (date(2025, 12, 12), "FT007", 50_000, None, "Phí SMS"),
    (date(2025, 12, 12), "FT008", None, 100_000, '=HYPERLINK("http://x","click")'),
]


def statement(lines=LINES) -> bytes:
    """A bank's own layout: a banner, its own headers, a total row and a signature line."""
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Sao kê"
    sheet.append(["NGÂN HÀNG TMCP NGOẠI THƯƠNG VIỆT NAM"])
    sheet.append(["SAO KÊ TÀI KHOẢN 0123456789 từ 11/12/2025 đến 12/12/2025"])
    sheet.append([])
    sheet.append(["STT", "Ngày GD", "Mã giao dịch", "Ghi nợ", "Ghi có", "Diễn giải"])
    for number, line in enumerate(lines, 1):
        sheet.append([number, *line])
    sheet.append(["Tổng cộng", None, None, 50_000, 15_920_120])
    sheet.append(["Người lập biểu"])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _upload(client, data: bytes, name="saoke.xlsx", **extra):
    return client.post(
        reverse("settlements:statements"), {"file": SimpleUploadedFile(name, data), **extra}, follow=False
    )


def _record(response) -> ImportRecord:
    assert response.status_code == 302, response.content.decode()[:2000]
    return ImportRecord.objects.get(pk=int(response["Location"].rstrip("/").rsplit("/", 1)[1]))


def test_upload_preview_then_confirm_matches_the_receipts(client, receipts):
    client.force_login(receipts["users"][Role.OFFICER])
    record = _record(_upload(client, statement()))
    assert record.outcome == "previewed" and StatementLine.objects.count() == 0
    preview = client.get(reverse("settlements:statement_upload", args=[record.pk]))
    assert preview.context["awaiting"]
    counts = {"matched": 2, "amount": 1, "unknown": 3, "duplicate": 1, "skipped": 0, "debit": 1}
    assert record.summary["counts"] == counts
    assert client.post(reverse("settlements:statement_confirm", args=[record.pk])).status_code == 302
    results = dict(StatementLine.objects.values_list("bank_reference", "result"))
    assert results == {
        "FT001": Result.MATCHED,
        "FT002": Result.AMOUNT_DIFFERS,
        "FT003": Result.MATCHED,
        "FT004": Result.ALREADY_PAID,
        "FT005": Result.UNKNOWN,
        "FT006": Result.UNKNOWN,  # another agency's receipt is not this agency's
        "FT008": Result.UNKNOWN,
    }
    mine = {r.receipt_no: r for r in Receipt.objects.filter(agency=receipts["mine"])}
    line = StatementLine.objects.get(bank_reference="FT003")
    assert (line.receipt, line.credited_on, line.amount) == (mine["BH25-HT-0000003"], date(2025, 12, 12), 2_148_120)
    assert StatementLine.objects.get(bank_reference="FT002").receipt == mine["BH25-HT-0000002"]
    # A formula is read as the value Excel stored (none here), never as something to run.
    assert StatementLine.objects.get(bank_reference="FT008").content == ""

    paid = reverse("settlements:receipt", args=[mine["BH25-HT-0000001"].pk])
    page = client.get(paid)
    assert "Đã thanh toán bằng chuyển khoản ngày 11/12/2025 (số tham chiếu FT001" in page.content.decode()
    listing = client.get(reverse("settlements:receipts")).content.decode()
    assert listing.count("paid-by-transfer") == 2
    unmatched = client.get(reverse("settlements:statements"))
    left = {line.bank_reference for line in unmatched.context["unmatched"]}
    assert left == {"FT002", "FT004", "FT005", "FT006", "FT008"}

    # The same statement again: every line is known, nothing is added.
    again = _record(_upload(client, statement()))
    assert again.summary["counts"]["skipped"] == 7
    client.post(reverse("settlements:statement_confirm", args=[again.pk]))
    assert StatementLine.objects.count() == 7


def test_a_later_statement_pays_the_remaining_receipt_and_not_a_paid_one(client, receipts):
    client.force_login(receipts["users"][Role.ADMIN])
    first = _record(_upload(client, statement(LINES[:1]), agency=receipts["mine"].code))
    client.post(reverse("settlements:statement_confirm", args=[first.pk]))
    later = [
        (date(2025, 12, 13), "FT101", None, 3_168_000, "BH25-HT-0000001"),
        (date(2025, 12, 13), "FT102", None, 3_168_000, "bh25-ht-0000002"),
    ]
    second = _record(_upload(client, statement(later), agency=receipts["mine"].code))
    client.post(reverse("settlements:statement_confirm", args=[second.pk]))
    results = dict(StatementLine.objects.values_list("bank_reference", "result"))
    assert results == {"FT001": Result.MATCHED, "FT101": Result.ALREADY_PAID, "FT102": Result.MATCHED}


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"<html><script>alert(1)</script></html>", "not a spreadsheet"),
        (b"PK\x03\x04garbage that is no zip", "could not be read"),
        (b"", "empty"),
    ],
)
def test_a_hostile_file_is_refused_with_a_message_and_writes_nothing(client, receipts, data, message):
    client.force_login(receipts["users"][Role.OFFICER])
    client.cookies["django_language"] = "en"
    response = _upload(client, data, name="saoke.xlsx")
    if not data:  # Django's form refuses an empty upload itself
        assert response.status_code == 200 and response.context["form"].errors["file"]
        return
    record = _record(response)
    assert record.outcome == "rejected"
    page = client.get(reverse("settlements:statement_upload", args=[record.pk])).content.decode()
    assert message in page
    assert StatementLine.objects.count() == 0


def test_a_statement_with_a_bad_line_writes_nothing(client, receipts):
    client.force_login(receipts["users"][Role.OFFICER])
    bad = [*LINES[:2], ("hôm qua", "FT009", None, 1_000, "BH25-HT-0000001"), (DAY, "", None, 5_000, "x")]
    record = _record(_upload(client, statement(bad)))
    assert record.outcome == "rejected"
    texts = " ".join(p["message"] for p in record.problems)
    assert "is not a date" in texts or "không phải" in texts
    assert {p["row"] for p in record.problems} == {7, 8}
    assert StatementLine.objects.count() == 0


def test_a_sheet_without_the_columns_says_which_are_missing(client, receipts):
    client.force_login(receipts["users"][Role.OFFICER])
    client.cookies["django_language"] = "en"
    book = openpyxl.Workbook()
    book.active.append(["Ngày GD", "Diễn giải"])
    book.active.append([datetime(2025, 12, 1), "BH25-HT-0000001"])
    out = io.BytesIO()
    book.save(out)
    record = _record(_upload(client, out.getvalue()))
    assert record.outcome == "rejected"
    assert "Số tiền ghi có" in record.problems[0]["message"]


def test_officers_see_only_their_agencys_uploads(client, receipts):
    client.force_login(receipts["users"][Role.OFFICER])
    record = _record(_upload(client, statement(LINES[:1]), agency=receipts["other"].code))
    assert record.parameters == {"agency": receipts["mine"].code}  # the officer's own, whatever was sent
    client.force_login(receipts["users"]["other_officer"])
    assert client.get(reverse("settlements:statement_upload", args=[record.pk])).status_code == 404
    assert client.post(reverse("settlements:statement_confirm", args=[record.pk])).status_code == 404
    assert StatementLine.objects.count() == 0
    assert receipts["mine"].code not in client.get(reverse("settlements:statements")).content.decode()
    client.force_login(receipts["users"][Role.PROVINCIAL])
    assert client.get(reverse("settlements:statements")).status_code == 403


def test_the_template_is_read_back_as_a_statement(client, receipts):
    client.force_login(receipts["users"][Role.OFFICER])
    response = client.get(reverse("settlements:statement_template"))
    assert response.status_code == 200
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    sheet = book.active
    headers = [c.value for c in next(r for r in sheet.iter_rows() if r[0].value == "STT")]
    assert headers == ["STT", "Ngày giao dịch", "Số tham chiếu", "Số tiền ghi nợ", "Số tiền ghi có", "Nội dung"]
    sheet.append([1, date(2025, 12, 11), "FT777", None, 3_168_000, "BH25-HT-0000002"])
    out = io.BytesIO()
    book.save(out)
    record = _record(_upload(client, out.getvalue()))
    assert record.summary["counts"]["matched"] == 1


def test_the_admin_sees_the_statement_lines_and_cannot_change_them(client, receipts):
    client.force_login(receipts["users"][Role.OFFICER])
    client.post(reverse("settlements:statement_confirm", args=[_record(_upload(client, statement())).pk]))
    admin = receipts["users"][Role.ADMIN]
    admin.is_staff = True
    admin.save(update_fields=["is_staff"])
    client.force_login(admin)
    listing = client.get(reverse("admin:settlements_statementline_changelist"), {"q": "FT003"})
    assert listing.status_code == 200
    assert "FT003" in listing.content.decode() and "FT005" not in listing.content.decode()
    line = StatementLine.objects.get(bank_reference="FT003")
    change = reverse("admin:settlements_statementline_change", args=[line.pk])
    client.post(change, {"amount": 1, "bank_reference": "X"})
    client.post(reverse("admin:settlements_statementline_delete", args=[line.pk]), {"post": "yes"})
    line.refresh_from_db()
    assert (line.amount, line.bank_reference) == (2_148_120, "FT003")
    assert client.get(reverse("admin:settlements_statementline_add")).status_code == 403
