"""The number of queries of the officer's busiest pages, pinned so that a query per row shows at once.

The CCCD look-up runs on every keystroke of the entry form (htmx); the detail and receipt pages open after
each recording. Each is measured for a small and a large household (and for a person with several
enrollments): the count must be the same, so a query per member, per enrollment or per receipt row fails.
"""

from datetime import date

import pytest
from django.test import Client
from django.urls import reverse

from campaign.tests.factories import CampaignFactory, CommuneFactory
from collectors.scoping import collector_of
from collectors.tests.factories import AgencyFactory, officer_user
from collectors.tokens import issue_api_token
from enrollments.models import Enrollment
from enrollments.services import cancel_enrollment, issue_gift, record_enrollment, record_household, set_gift_stock
from enrollments.tests.factories import bhxh_request, bhyt_request, cccd_of

pytestmark = pytest.mark.django_db

TODAY = date(2025, 12, 10)
HOUSEHOLD = "HGD-0001"
SIZES = pytest.mark.parametrize("members", [1, 5], ids=["one-member", "five-members"])


@pytest.fixture
def officer(client, settings):
    """A signed-in officer of agency MINE, which has mugs to hand over; pages in English."""
    settings.APP_TODAY = TODAY
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    campaign = CampaignFactory()
    commune = CommuneFactory(province=campaign.province)
    agency = AgencyFactory(code="MINE")
    agency.communes.add(commune)
    set_gift_stock(campaign=campaign, agency=agency, received=20)
    user = officer_user(agency=agency)
    client.force_login(user)
    client.campaign, client.commune, client.collector = campaign, commune, collector_of(user)
    client.user = user
    return client


def household(client, members: int, *, collected_on: date = date(2025, 11, 20)) -> list[Enrollment]:
    """``members`` people of one household recorded together for BHYT hộ gia đình."""
    requests = [
        bhyt_request(n, commune_code=client.commune.code, collected_on=collected_on, household_code=HOUSEHOLD)
        for n in range(1, members + 1)
    ]
    return record_household(campaign=client.campaign, collector=client.collector, requests=requests)


def more_enrollments_of_person_1(client) -> None:
    """Person 1 also paid BHXH tự nguyện twice: a query per enrollment of theirs would show."""
    for collected_on, months in ((date(2025, 11, 13), 1), (date(2025, 11, 27), 3)):
        record_enrollment(
            campaign=client.campaign,
            collector=client.collector,
            request=bhxh_request(1, commune_code=client.commune.code, collected_on=collected_on, months=months),
        )


# --- the CCCD look-up (every keystroke) -------------------------------------------------------


def lookup(client, product: str, params: dict):
    return client.get(reverse("enrollments:lookup", args=[product]), params, headers={"HX-Request": "true"})


def test_lookup_while_the_number_is_half_typed_reads_no_person(officer, django_assert_max_num_queries):
    # The session, the user, their role, their collector record (menu) and the running campaign (header).
    with django_assert_max_num_queries(5):
        response = lookup(officer, "bhyt_hgd", {"members-0-cccd": "07208"})
    assert "5 of 12 digits" in response.content.decode()


@pytest.mark.parametrize(
    ("members", "order", "amount"),
    [(1, 2, "884.520 ₫"), (5, 5, "505.440 ₫")],
    ids=["one-member", "five-members"],
)
def test_lookup_of_a_household_member_does_not_grow_with_the_household(
    officer, django_assert_max_num_queries, members, order, amount
):
    household(officer, members)
    more_enrollments_of_person_1(officer)
    params = {
        "members-1-cccd": cccd_of(1),
        "household_code": HOUSEHOLD,
        "months": "12",
        "collected_on": "2025-12-10",
    }
    # One of them looks for an enrollment the one being typed would repeat (selectors.conflicting_enrollment).
    with django_assert_max_num_queries(19):
        response = lookup(officer, "bhyt_hgd", params)
    body = response.content.decode()
    # Typed in row 2 (index 1): the other members already enrolled this year come first.
    assert "already known" in body and f"Order in the household: <strong>{order}</strong>" in body
    assert f"<strong>{amount}</strong>" in body


@SIZES
def test_lookup_for_voluntary_social_insurance_does_not_grow_with_the_enrollments(
    officer, django_assert_max_num_queries, members
):
    household(officer, members)
    more_enrollments_of_person_1(officer)
    params = {"cccd": cccd_of(1), "months": "12", "income": "1.500.000", "support_group": "other"}
    # One of them looks for an enrollment the one being typed would repeat (selectors.conflicting_enrollment).
    with django_assert_max_num_queries(17):
        response = lookup(officer, "bhxh_tn", params)
    body = response.content.decode()
    # 4 months supported so far: the 12 months quoted are all supported.
    assert "already known" in body and "<strong>3.168.000 ₫</strong>" in body and "792.000 ₫" in body


# --- the detail page ------------------------------------------------------------------------


@SIZES
def test_detail_page_does_not_grow_with_the_household_or_the_persons_enrollments(
    officer, django_assert_max_num_queries, members
):
    first, *_ = household(officer, members)
    more_enrollments_of_person_1(officer)
    issue_gift(enrollment=first, user=None)
    cancel_enrollment(enrollment=first, reason="Nhập nhầm", user=None)  # the mug is flagged, and shown so
    with django_assert_max_num_queries(8):
        response = officer.get(reverse("enrollments:detail", args=[first.pk]))
    assert "gift-flagged" in response.content.decode()


# --- the receipt page -----------------------------------------------------------------------


@SIZES
def test_receipt_page_does_not_grow_with_its_rows(officer, django_assert_max_num_queries, members):
    stored = household(officer, members, collected_on=TODAY)
    issue_gift(enrollment=stored[0], user=None)
    url = reverse("enrollments:receipt") + "?" + "&".join(f"e={e.pk}" for e in stored)
    # 6, + the receipts of the rows (for their VietQR codes), + the agency's mugs left (shown once).
    with django_assert_max_num_queries(8):
        response = officer.get(url)
    assert response.content.decode().count('class="card mb-3 receipt-row"') == members


# --- recording: prepared once, under the lock ----------------------------------------------------
# Before (statements, savepoints included): the API's POST of a household's second member made 49 and the
# form's confirmation of one person 54: each request was prepared (classified, priced, checked for
# duplicates) before and again after the person's row was locked, and the form prepared it a third
# time before recording. Now the rows are locked first and the request prepared once.


def bearer(user) -> dict:
    _token, raw = issue_api_token(user=user, name="test system")
    return {"Authorization": f"Bearer {raw}"}


def test_an_api_post_is_prepared_once(officer, django_assert_max_num_queries):
    household(officer, 1)  # the household exists: the new member's ladder place is read from it
    data = {
        "campaign": officer.campaign.code,
        "participant": {
            "cccd": cccd_of(2),
            "full_name": "Nguyễn Văn Hai",
            "date_of_birth": "1985-03-02",
            "sex": "male",
            "phone": "0912345678",
            "commune_code": officer.commune.code,
            "household_code": HOUSEHOLD,
            "target_group": "farmer",
        },
        "product": "bhyt_hgd",
        "months": 12,
        "collected_on": "2025-11-20",
        "receipt_no": "BL-000123",
    }
    api = Client()  # the token alone, as a phone or another system sends it
    with django_assert_max_num_queries(35):
        response = api.post("/api/v1/enrollments", data, content_type="application/json", headers=bearer(officer.user))
    assert response.status_code == 201, response.content
    assert response.json()["member_order"] == 2


def test_confirming_one_person_on_the_form_is_prepared_once(officer, django_assert_max_num_queries):
    url = reverse("enrollments:enroll_bhxh")
    data = {
        "cccd": cccd_of(41),
        "full_name": "Lê Văn Tự Nguyện",
        "date_of_birth": "02/03/1985",
        "sex": "male",
        "phone": "0987654321",
        "target_group": "informal_worker",
        "commune_code": officer.commune.code,
        "months": "12",
        "income": "1.500.000",
        "support_group": "other",
        "collected_on": "2025-12-10",
        "receipt_no": "BL-9",
    }
    review = officer.post(url, data)
    carried = dict(review.context["carried"]) | {"submission": review.context["submission"], "action": "confirm"}
    with django_assert_max_num_queries(37):
        response = officer.post(url, carried)
    assert response.status_code == 302 and Enrollment.objects.filter(participant__cccd=cccd_of(41)).count() == 1


# --- the lists: the same number of queries on every page ----------------------------------------


def many(client, count: int) -> None:
    for number in range(1, count + 1):
        record_enrollment(
            campaign=client.campaign,
            collector=client.collector,
            request=bhyt_request(number, commune_code=client.commune.code, collected_on=date(2025, 12, 1)),
        )


def test_the_list_page_reads_the_campaign_once_and_pages_in_the_same_queries(officer, django_assert_max_num_queries):
    many(officer, 30)
    # The session, the user, their role, the campaign (once for the view and the header), its weeks,
    # the collector (menu), the page's rows, their mugs and the bounded count.
    with django_assert_max_num_queries(9):
        first = officer.get(reverse("enrollments:list"))
    older = first.context["next_cursor"]
    assert older and len(first.context["rows"]) == 25
    with django_assert_max_num_queries(9):
        second = officer.get(reverse("enrollments:list"), {"cursor": older})
    assert len(second.context["rows"]) == 5


def test_the_api_list_pages_in_the_same_queries(officer, django_assert_max_num_queries):
    many(officer, 30)
    api, headers = Client(), bearer(officer.user)
    # The token (read, its use marked), the role, the collector (agency), the rows, their weeks and
    # campaigns (joining them in costs PostgreSQL more to plan than a query), their mugs, the count.
    with django_assert_max_num_queries(8):
        first = api.get("/api/v1/enrollments", {"limit": 20}, headers=headers).json()
    with django_assert_max_num_queries(8):
        second = api.get(first["next"], headers=headers).json()
    assert len(first["items"]) == 20 and len(second["items"]) == 10


# --- recording a person nobody stored yet: no history to read -----------------------------------
# A POST of a new person made 31 statements: with the person's row held and
# not found, their enrollments (last coverage, duplicates, State support, mug) were still read, the
# person was looked for again before the insert (get_or_create), and the enrollment had a savepoint
# of its own inside the recording's. Now the person is inserted straight away and the rest skipped.


def new_person_body(client, number: int, **extra) -> dict:
    return {
        "participant": {
            "cccd": cccd_of(number),
            "full_name": f"Người Mới {number}",
            "date_of_birth": "1985-03-02",
            "sex": "male",
            "commune_code": client.commune.code,
            "target_group": "farmer",
        },
        "product": "bhyt_hgd",
        "months": 12,
        "collected_on": "2025-12-10",
        "uuid": f"00000000-0000-4000-8000-{number:012d}",
        **extra,
    }


def test_an_api_post_of_a_new_person_reads_none_of_their_enrollments(officer, django_assert_max_num_queries):
    body = new_person_body(officer, 61) | {"campaign": officer.campaign.code}
    api, headers = Client(), bearer(officer.user)
    api.get("/api/v1/enrollments", {"limit": 1}, headers=headers)  # the token's first use is marked once
    # The token, the role; the transaction; the claim (savepoint, insert, release); the collector, the
    # campaign, the uuid; the recording's savepoint; the commune, the held person, the rates, the
    # imported history, the week; the person (savepoint, insert, history, release), the enrollment and
    # its history, the receipt series, release; the claim's answer; the commit.
    with django_assert_max_num_queries(25):
        response = api.post("/api/v1/enrollments", body, content_type="application/json", headers=headers)
    assert response.status_code == 201, response.content
    answer = response.json()
    assert answer["classification"] == "new" and answer["gift_eligible"] is True and answer["gift_issued"] is False


def test_a_household_bundle_costs_the_same_per_new_member(officer, django_assert_max_num_queries):
    api, headers = Client(), bearer(officer.user)
    api.get("/api/v1/enrollments", {"limit": 1}, headers=headers)  # the token's first use is marked once

    def bundle(numbers: list[int], uuid_tail: int) -> dict:
        members = [new_person_body(officer, n) for n in numbers]
        return {
            "campaign": officer.campaign.code,
            "uuid": f"10000000-0000-4000-8000-{uuid_tail:012d}",
            "members": members,
        }

    # 25 for one member as above; each further member: the commune, the held person, the rates, the
    # imported history, the week, the person (4), the enrollment and its history (the receipt series
    # is read once a recording). Before: 65 for three members.
    with django_assert_max_num_queries(25):
        one = api.post("/api/v1/households", bundle([71], 1), content_type="application/json", headers=headers)
    with django_assert_max_num_queries(25 + 2 * 11):
        three = api.post(
            "/api/v1/households", bundle([72, 73, 74], 2), content_type="application/json", headers=headers
        )
    assert one.status_code == 201 and three.status_code == 201, three.content
    assert [m["member_order"] for m in three.json()["members"]] == [1, 2, 3]
    assert not any(m["gift_issued"] for m in three.json()["members"])


def test_a_stored_person_with_a_mug_is_answered_with_it(officer):
    """The mug is read when the person was stored before: only a person this recording stored skips it."""
    (first,) = household(officer, 1, collected_on=TODAY)
    issue_gift(enrollment=first, user=None)
    body = new_person_body(officer, 1) | {
        "campaign": officer.campaign.code,
        "product": "bhxh_tn",
        "income": 1_500_000,
        "support_group": "other",
    }
    body["participant"] |= {"full_name": first.participant.full_name, "household_code": HOUSEHOLD}
    response = Client().post("/api/v1/enrollments", body, content_type="application/json", headers=bearer(officer.user))
    assert response.status_code == 201, response.content
    assert response.json()["gift_issued"] is True and response.json()["gift_eligible"] is False
