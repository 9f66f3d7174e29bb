"""Receipt series: the next number of the agency's series unless a paper number is typed; none twice."""

import json
from datetime import date

import pytest
from django.utils import translation

from collectors.roles import Role
from collectors.tokens import issue_api_token
from core.errors import ConflictError, DomainError
from enrollments.models import Enrollment, Source
from enrollments.services import cancel_enrollment, record_enrollment, record_household
from enrollments.tests.factories import bhxh_request, bhyt_request, cccd_of
from settlements.models import Receipt, ReceiptSeries
from settlements.receipts import void_receipt

DAY = date(2025, 12, 10)


@pytest.fixture
def series(world):
    return ReceiptSeries.objects.create(agency=world["mine"], prefix="BH25-AG/08907/E")


def _bhxh(world, number, receipt_no="", collector=None, source=Source.WEB):
    return record_enrollment(
        campaign=world["campaign"],
        collector=collector or world["collector"],
        request=bhxh_request(number, commune_code=world["commune"].code, collected_on=DAY, receipt_no=receipt_no),
        source=source,
        recorded_by=world["users"][Role.OFFICER],
    )


def _household(world, numbers, receipt_no="", code="HGD-1"):
    requests = [
        bhyt_request(
            n, commune_code=world["commune"].code, collected_on=DAY, receipt_no=receipt_no, household_code=code
        )
        for n in numbers
    ]
    return record_household(campaign=world["campaign"], collector=world["collector"], requests=requests)


def test_numbers_follow_from_one_with_no_gap(world, series):
    stored = [_bhxh(world, n) for n in (1, 2, 3)]
    assert [e.receipt_no for e in stored] == ["BH25-AG/08907/E-0000001", "BH25-AG/08907/E-0000002",
                                               "BH25-AG/08907/E-0000003"]  # fmt: skip
    assert list(Enrollment.objects.order_by("pk").values_list("receipt_no", flat=True)) == [
        e.receipt_no for e in stored
    ]
    assert list(Receipt.objects.order_by("number").values_list("number", flat=True)) == [1, 2, 3]
    series.refresh_from_db()
    assert series.next_number == 4


def test_a_household_shares_one_receipt(world, series):
    members = _household(world, (1, 2, 3))
    assert {e.receipt_no for e in members} == {"BH25-AG/08907/E-0000001"}
    receipt = Receipt.objects.get()
    assert receipt.lines.count() == 3


def test_a_refused_recording_uses_no_number(world, series):
    _bhxh(world, 1)
    with pytest.raises(DomainError):
        _bhxh(world, 1)  # the same person twice the same day
    assert _bhxh(world, 2).receipt_no == "BH25-AG/08907/E-0000002"


def test_a_paper_number_is_kept_and_used_once(world, series):
    first = _bhxh(world, 1, receipt_no="GIAY-0042")
    assert first.receipt_no == "GIAY-0042" and Receipt.objects.get().series is None
    with translation.override("en"), pytest.raises(ConflictError) as refused:
        _bhxh(world, 2, receipt_no="giay-0042")
    assert refused.value.errors == {
        "receipt_no": [
            f"Receipt number giay-0042 is already used for the enrollment of Nguyễn Văn Thử 1 "
            f"(no. {first.pk}, collected on 10/12/2025)."
        ]
    }
    assert Enrollment.objects.count() == 1
    # Another agency's receipts are its own.
    assert _bhxh(world, 3, receipt_no="GIAY-0042", collector=world["other_collector"]).receipt_no == "GIAY-0042"


def test_a_number_stored_before_receipts_were_kept_is_refused_too(world, series):
    old = _bhxh(world, 1)
    Enrollment.objects.filter(pk=old.pk).update(receipt_no="BL-OLD-7")
    with pytest.raises(ConflictError):
        _bhxh(world, 2, receipt_no="BL-OLD-7")


def test_a_series_number_cannot_be_typed(world, series):
    with translation.override("en"), pytest.raises(ConflictError, match="given by the app"):
        _bhxh(world, 1, receipt_no="BH25-AG/08907/E-0000009")


def test_a_household_member_added_later_the_same_day_joins_its_receipt(world, series):
    _household(world, (1,), receipt_no="GIAY-9")
    _household(world, (2,), receipt_no="GIAY-9")
    assert Receipt.objects.get().lines.count() == 2
    with pytest.raises(ConflictError):
        _household(world, (3,), receipt_no="GIAY-9", code="HGD-OTHER")


def test_without_a_series_nothing_is_numbered(world):
    assert _bhxh(world, 1).receipt_no == "" and not Receipt.objects.exists()


def test_a_paper_import_keeps_its_empty_number(world, series):
    assert _bhxh(world, 1, source=Source.IMPORT).receipt_no == ""
    series.refresh_from_db()
    assert series.next_number == 1


def test_voiding_keeps_the_receipt_and_gives_the_next_number(world, series):
    first = _bhxh(world, 1)
    receipt = Receipt.objects.get()
    replacement = void_receipt(receipt=receipt, reason="In lỗi", user=world["users"][Role.OFFICER])
    receipt.refresh_from_db()
    first.refresh_from_db()
    assert (receipt.status, receipt.void_reason, receipt.replaced_by) == ("void", "In lỗi", replacement)
    assert first.receipt_no == replacement.receipt_no == "BH25-AG/08907/E-0000002"
    # The voided number is never used again, typed or not.
    assert _bhxh(world, 2).receipt_no == "BH25-AG/08907/E-0000003"
    with translation.override("en"), pytest.raises(ConflictError, match="given by the app"):
        _bhxh(world, 3, receipt_no="BH25-AG/08907/E-0000001")
    with translation.override("en"), pytest.raises(ConflictError, match="already void"):
        void_receipt(receipt=receipt, reason="again", user=None)


def test_voiding_needs_a_reason_and_a_paper_receipt_a_new_number(world):
    enrollment = _bhxh(world, 1, receipt_no="GIAY-1")
    receipt = Receipt.objects.get()
    with pytest.raises(DomainError):
        void_receipt(receipt=receipt, reason="  ", user=None)
    with pytest.raises(DomainError) as refused:
        void_receipt(receipt=receipt, reason="Rách", user=None)
    assert "replacement_no" in refused.value.errors
    receipt.refresh_from_db()
    assert receipt.status == "issued"  # refused whole
    void_receipt(receipt=receipt, reason="Rách", user=None, replacement_no="GIAY-2")
    enrollment.refresh_from_db()
    assert enrollment.receipt_no == "GIAY-2"
    with pytest.raises(ConflictError):
        _bhxh(world, 2, receipt_no="GIAY-1")


def test_voiding_the_receipt_of_a_cancelled_enrollment_issues_none(world, series):
    enrollment = _bhxh(world, 1)
    cancel_enrollment(enrollment=enrollment, reason="Trùng", user=None)
    assert void_receipt(receipt=Receipt.objects.get(), reason="Hủy hồ sơ", user=None) is None


def test_the_api_takes_the_next_number_and_names_the_holder_of_a_duplicate(client, world, series):
    _token, raw = issue_api_token(user=world["users"][Role.OFFICER], name="post office")
    headers = {"Authorization": f"Bearer {raw}", "Accept-Language": "en"}
    body = {
        "campaign": world["campaign"].code,
        "participant": {"cccd": cccd_of(1), "full_name": "Nguyễn Văn A", "date_of_birth": "1985-03-02",
                        "sex": "male", "commune_code": world["commune"].code},
        "product": "bhxh_tn", "months": 12, "income": 1_500_000, "support_group": "other",
        "collected_on": "2025-12-10",
    }  # fmt: skip
    created = client.post("/api/v1/enrollments", json.dumps(body), content_type="application/json", headers=headers)
    assert created.status_code == 201 and created.json()["receipt_no"] == "BH25-AG/08907/E-0000001"
    paper = body | {"receipt_no": "GIAY-5", "participant": body["participant"] | {"cccd": cccd_of(2)}}
    assert client.post("/api/v1/enrollments", json.dumps(paper), content_type="application/json",
                       headers=headers).status_code == 201  # fmt: skip
    again = paper | {"participant": body["participant"] | {"cccd": cccd_of(3)}}
    refused = client.post("/api/v1/enrollments", json.dumps(again), content_type="application/json", headers=headers)
    assert refused.status_code == 409
    holder = Enrollment.objects.get(receipt_no="GIAY-5")
    assert refused.json()["errors"] == [
        {
            "field": "receipt_no",
            "message": f"Receipt number GIAY-5 is already used for the enrollment of Nguyễn Văn A "
            f"(no. {holder.pk}, collected on 10/12/2025).",
        }
    ]
