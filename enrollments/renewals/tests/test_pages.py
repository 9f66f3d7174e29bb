"""The renewal pages: the list, its Excel download, the contact log, the officer's home and renewing in one tap."""

import io
from datetime import date

import openpyxl
import pytest
from django.urls import reverse

from campaign.models import Product
from enrollments.models import Enrollment, RenewalContact
from enrollments.tests.factories import cccd_of

from .world import build_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(settings, client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return build_world(settings)


def test_the_officer_sees_their_list_with_phones_and_amounts(client, world):
    client.force_login(world["officer"])
    page = client.get(reverse("enrollments:renewals"))
    body = page.content.decode()
    assert page.status_code == 200
    assert "Nguyễn Văn Thử 1" in body and "0912345678" in body and "315.900" in body
    assert "Lê Thị Tám" in body and "098****321" in body  # prior only: the phone stays masked
    assert "Nguyễn Văn Thử 7" not in body  # another agency's person
    assert body.count('class="list-group-item renewal-row') == 4


def test_provincial_staff_see_everyone_masked_without_contact_forms(client, world):
    client.force_login(world["provincial"])
    body = client.get(reverse("enrollments:renewals"), {"within": "60"}).content.decode()
    assert body.count('class="list-group-item renewal-row') == 7
    assert "072*******01" in body and cccd_of(1) not in body
    assert "contact-form" not in body and "renew-link" not in body


def test_the_list_filters_by_status(client, world):
    client.force_login(world["admin"])
    body = client.get(reverse("enrollments:renewals"), {"status": "lapsed_rejoin"}).content.decode()
    assert body.count('class="list-group-item renewal-row') == 1
    assert "Lê Thị Tám" in body


def test_the_list_page_query_count_does_not_grow(client, world, django_assert_max_num_queries):
    client.force_login(world["officer"])
    with django_assert_max_num_queries(18):
        assert client.get(reverse("enrollments:renewals"), {"within": "60"}).status_code == 200


def test_the_excel_download_has_the_page_rows_masked_as_on_the_page(client, world):
    client.force_login(world["provincial"])
    answer = client.get(reverse("enrollments:renewals_xlsx"), {"within": "60"})
    assert answer.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(b"".join(answer.streaming_content))).active
    values = [row for row in sheet.iter_rows(values_only=True) if row and row[1] and str(row[1]).startswith("072")]
    assert len(values) == 7
    first = next(row for row in values if row[0] == "Nguyễn Văn Thử 1")
    assert (first[1], first[2], first[6], first[7], first[8]) == ("072*******01", "091****678", 21, 3, 315_900)


def _contact(client, cccd: str, product=Product.BHYT_HGD, **overrides):
    data = {"cccd": cccd, "product": product, "contacted_on": "09/12/2025", "outcome": "will_renew"} | overrides
    return client.post(reverse("enrollments:renewal_contact"), data)


def test_an_officer_marks_a_person_contacted_and_the_list_shows_it(client, world):
    client.force_login(world["officer"])
    answer = _contact(client, cccd_of(1), note="Gọi lại sau")
    assert answer.status_code == 302
    contact = RenewalContact.objects.get()
    assert (contact.cccd, contact.outcome, contact.contacted_on) == (cccd_of(1), "will_renew", date(2025, 12, 9))
    assert (contact.agency, contact.contacted_by) == (world["mine"], world["officer"])
    assert contact.recorded_at is not None
    body = client.get(reverse("enrollments:renewals")).content.decode()
    assert "Contacted 09/12/2025: will renew" in body and "Gọi lại sau" in body


def test_the_latest_contact_is_shown(client, world):
    client.force_login(world["officer"])
    _contact(client, cccd_of(8), outcome="not_reached", contacted_on="08/12/2025")
    _contact(client, cccd_of(8), outcome="moved", contacted_on="09/12/2025")
    body = client.get(reverse("enrollments:renewals")).content.decode()
    assert "Contacted 09/12/2025: moved away" in body and "not reached" not in body.split("Lê Thị Tám")[1][:600]


@pytest.mark.parametrize(
    ("cccd", "overrides"),
    [
        (cccd_of(7), {}),  # another agency's person
        (cccd_of(9), {}),  # prior only, in a commune the agency does not serve
        (cccd_of(1), {"contacted_on": "11/12/2025"}),  # in the future
        (cccd_of(1), {"outcome": "maybe"}),
    ],
)
def test_a_contact_outside_the_officers_list_or_invalid_is_refused(client, world, cccd, overrides):
    client.force_login(world["officer"])
    answer = _contact(client, cccd, **overrides)
    assert answer.status_code == 302
    assert not RenewalContact.objects.exists()


def test_provincial_staff_cannot_mark_contacts(client, world):
    client.force_login(world["provincial"])
    assert _contact(client, cccd_of(1)).status_code == 403


def test_the_officers_home_shows_their_renewals(client, world):
    client.force_login(world["officer"])
    body = client.get(reverse("dashboard:agency_home")).content.decode()
    assert "Renewals to follow up" in body
    assert "2 due within 30 days" in body
    assert "1 lapsed, renew without a mug" in body and "1 lapsed, rejoin with a mug" in body


def test_renewing_opens_the_confirmation_with_the_person_household_and_amount(client, world):
    client.force_login(world["officer"])
    page = client.get(reverse("enrollments:renew"), {"cccd": cccd_of(1), "product": "bhyt_hgd", "months": "6"})
    body = page.content.decode()
    assert page.status_code == 200
    assert "Nguyễn Văn Thử 1" in body and "HGD-1" in body
    assert "631.800" in body  # 6 months, 1st member, at 105.300 ₫
    assert not Enrollment.objects.filter(collected_on=date(2025, 12, 10)).exists()


def test_renewing_then_confirming_records_a_renewal(client, world):
    client.force_login(world["officer"])
    url = reverse("enrollments:renew") + f"?cccd={cccd_of(6)}&product=bhxh_tn"
    page = client.get(url)
    assert "1.122.000" in page.content.decode()  # 3 months at 2.000.000 ₫ less the support
    carried = dict(page.context["carried"]) | {"action": "confirm", "submission": page.context["submission"]}
    answer = client.post(url, carried)
    assert answer.status_code == 302
    renewal = Enrollment.objects.get(participant__cccd=cccd_of(6), collected_on=date(2025, 12, 10))
    assert (renewal.classification, renewal.amount_payable, renewal.months) == ("renewal", 1_122_000, 3)


def test_renewing_a_prior_only_person_opens_the_form_to_complete(client, world):
    client.force_login(world["officer"])
    page = client.get(reverse("enrollments:renew"), {"cccd": cccd_of(8), "product": "bhyt_hgd"})
    body = page.content.decode()
    assert page.status_code == 200
    assert "Lê Thị Tám" in body and "HGD-8" in body  # no birth date in the file: the form asks for it


def test_renewing_someone_not_on_the_list_is_not_found(client, world):
    client.force_login(world["officer"])
    assert client.get(reverse("enrollments:renew"), {"cccd": cccd_of(7), "product": "bhyt_hgd"}).status_code == 404
    # The confirmation's POST to the same address too: it is for the people on the officer's list.
    url = reverse("enrollments:renew") + f"?cccd={cccd_of(7)}&product=bhyt_hgd"
    assert client.post(url, {"action": "confirm"}).status_code == 404


def test_the_contact_form_sends_a_visitor_to_log_in_whatever_the_method(client, world):
    assert client.get(reverse("enrollments:renewal_contact"))["Location"].startswith("/accounts/login/")


def test_admins_read_the_contact_log_in_the_admin_site(client, world):
    from collectors.roles import Role
    from collectors.tests.factories import UserFactory

    client.force_login(world["officer"])
    _contact(client, cccd_of(1), outcome="refused")
    superuser = UserFactory(role=Role.ADMIN, is_staff=True, is_superuser=True)
    client.force_login(superuser)
    page = client.get("/admin/enrollments/renewalcontact/")
    assert page.status_code == 200 and cccd_of(1) in page.content.decode()
    assert client.get("/admin/enrollments/renewalcontact/add/").status_code == 403
