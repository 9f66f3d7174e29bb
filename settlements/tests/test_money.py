"""Money handed over: the ledger against a hand-computed example, transfers, reconciling, who sees it."""

import io
from datetime import date

import openpyxl
import pytest
from django.urls import reverse
from django.utils import translation

from collectors.roles import Role
from core.errors import ConflictError, DomainError
from enrollments.services import cancel_enrollment, record_enrollment, record_household
from enrollments.tests.factories import bhxh_request, bhyt_request
from settlements.declarations import live_list, mark_sent
from settlements.models import Transfer
from settlements.money import ledger, reconcile_batch, record_transfer

D8, D9, D10 = date(2025, 12, 8), date(2025, 12, 9), date(2025, 12, 10)


@pytest.fixture
def money(world):
    """8/12: 3.168.000 (BHXH); 9/12: 1.263.600 + 884.520 (a household); 10/12: 3.168.000, and one cancelled.
    Handed over: 3.000.000 on 9/12, 2.000.000 on 10/12."""
    commune, campaign, collector = world["commune"].code, world["campaign"], world["collector"]

    def bhxh(number, day):
        request = bhxh_request(number, commune_code=commune, collected_on=day)
        return record_enrollment(campaign=campaign, collector=collector, request=request)

    bhxh(1, D8)
    record_household(
        campaign=campaign,
        collector=collector,
        requests=[bhyt_request(n, commune_code=commune, collected_on=D9, household_code="HGD-9") for n in (2, 3)],
    )
    bhxh(4, D10)
    cancel_enrollment(enrollment=bhxh(5, D10), reason="Nhầm", user=None)
    record_enrollment(  # another agency's money is not this agency's
        campaign=campaign,
        collector=world["other_collector"],
        request=bhxh_request(6, commune_code=commune, collected_on=D10),
    )
    officer = world["users"][Role.OFFICER]
    record_transfer(agency=world["mine"], transferred_on=D9, amount=3_000_000, bank_reference="FT25343A", user=officer)
    record_transfer(agency=world["mine"], transferred_on=D10, amount=2_000_000, bank_reference="FT25344B", user=officer)
    return world


def test_the_ledger_by_hand(money):
    book = ledger(money["mine"], period_from=D8, period_to=D10)
    rows = [(d.day, d.collected, d.handed_over, d.balance, d.age_days) for d in book.days]
    assert rows == [
        (D8, 3_168_000, 0, 3_168_000, 0),
        # 3.000.000 handed over does not cover 8/12's 3.168.000: the oldest money held is 1 day old.
        (D9, 2_148_120, 3_000_000, 2_316_120, 1),
        # 5.000.000 covers 8/12 and part of 9/12: the oldest held is from 9/12.
        (D10, 3_168_000, 2_000_000, 3_484_120, 1),
    ]
    assert (book.opening_balance, book.collected, book.handed_over) == (0, 8_484_120, 5_000_000)
    later = ledger(money["mine"], period_from=D9, period_to=D10)
    assert later.opening_balance == 3_168_000 and later.closing.balance == 3_484_120


def test_collected_equals_the_lists_totals_of_the_same_days(money):
    book = ledger(money["mine"], period_from=D8, period_to=D10)
    for day in book.days:
        lists = [
            live_list(agency=money["mine"], form=f, period_from=day.day, period_to=day.day) for f in ("d03", "d05")
        ]
        assert day.collected == sum(listing.totals.amount_paid for listing in lists)


def test_nothing_held_has_no_age(money):
    record_transfer(
        agency=money["mine"], transferred_on=D10, amount=3_484_120, bank_reference="FT-ALL", user=None
    )  # fmt: skip
    end = ledger(money["mine"], period_from=D10, period_to=D10).closing
    assert (end.balance, end.age_days) == (0, None)


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"amount": 0}, "amount"),
        ({"amount": None}, "amount"),
        ({"transferred_on": date(2025, 12, 11)}, "transferred_on"),
        ({"bank_reference": "  "}, "bank_reference"),
        ({"bank_reference": "FT\u202eX"}, "bank_reference"),
    ],
)
def test_bad_transfers_are_refused(world, fields, field):
    values = {"transferred_on": D10, "amount": 1_000, "bank_reference": "FT1"} | fields
    with pytest.raises(DomainError) as refused:
        record_transfer(agency=world["mine"], user=None, **values)
    assert field in refused.value.errors and not Transfer.objects.exists()


def test_a_bank_reference_counts_once(money):
    with translation.override("en"), pytest.raises(ConflictError, match="FT25343A of 09/12/2025 is already recorded"):
        record_transfer(agency=money["mine"], transferred_on=D10, amount=5, bank_reference="ft25343a", user=None)


def test_an_admin_reconciles_a_sent_list_once(money):
    admin = money["users"][Role.ADMIN]
    batch = mark_sent(agency=money["mine"], form="d05", period_from=D8, period_to=D10, user=admin)
    reconcile_batch(batch=batch, user=admin, note="Khớp sao kê 10/12")
    assert (batch.reconciled_by, batch.reconcile_note) == (admin, "Khớp sao kê 10/12")
    with pytest.raises(ConflictError):
        reconcile_batch(batch=batch, user=admin)


QUERY = {"period_from": "2025-12-08", "period_to": "2025-12-10"}


def test_the_money_page_and_its_excel_for_the_agencys_officer(client, money):
    client.force_login(money["users"][Role.OFFICER])
    page = client.get(reverse("settlements:money"), QUERY | {"agency": "BD-KHAC"})
    body = page.content.decode()
    assert page.status_code == 200
    assert "8.484.120 ₫" in body and "5.000.000 ₫" in body and "3.484.120 ₫" in body and "FT25344B" in body
    response = client.get(reverse("settlements:money_xlsx"), QUERY)
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    assert sheet["A1"].value == "Bưu điện Hòa Thành (BD-HT)"
    assert [c.value for c in sheet[5]][1:] == [3_168_000, 0, 3_168_000, 0]
    assert [c.value for c in sheet[7]][1:] == [3_168_000, 2_000_000, 3_484_120, 1]
    assert sheet["A7"].value.date() == D10


def test_an_officer_records_a_transfer_for_their_own_agency_only(client, money):
    client.force_login(money["users"][Role.OFFICER])
    data = {"agency": "BD-KHAC", "transferred_on": "2025-12-10", "amount": "1.484.120", "bank_reference": "FT9"}
    assert client.post(reverse("settlements:transfer_create"), data).status_code == 302
    transfer = Transfer.objects.get(bank_reference="FT9")
    assert (transfer.agency.code, transfer.amount) == ("BD-HT", 1_484_120)
    bad = client.post(reverse("settlements:transfer_create"), data | {"bank_reference": "FT10", "amount": "mười"})
    assert bad.status_code == 302 and not Transfer.objects.filter(bank_reference="FT10").exists()


@pytest.mark.parametrize(
    ("who", "status"), [(Role.ADMIN, 200), (Role.OFFICER, 200), (Role.PROVINCIAL, 403), (None, 403)]
)
def test_who_opens_the_money_page(client, money, who, status):
    client.force_login(money["users"][who])
    assert client.get(reverse("settlements:money"), QUERY | {"agency": "BD-HT"}).status_code == status


def test_only_admins_reconcile(client, money):
    batch = mark_sent(agency=money["mine"], form="d05", period_from=D8, period_to=D10, user=None)
    client.force_login(money["users"][Role.OFFICER])
    assert client.post(reverse("settlements:batch_reconcile", args=[batch.pk])).status_code == 403
    client.force_login(money["users"][Role.ADMIN])
    assert client.post(reverse("settlements:batch_reconcile", args=[batch.pk]), {"note": "ok"}).status_code == 302
    batch.refresh_from_db()
    assert batch.reconciled_at is not None
