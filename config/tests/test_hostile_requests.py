"""Hostile input ends in a 400/422 or a form error with a message, never in a database error (a 500).

NUL characters anywhere in a request, an ?offset= beyond 64 bits, a superscript digit where a
number is read, control characters in names, a phone that is not digits, and the admin's mug
stock set below what was handed over.
"""

import json
from datetime import date

import pytest
from django.urls import reverse

from campaign.tests.factories import CampaignFactory, CommuneFactory
from collectors.roles import Role
from collectors.tests.factories import AgencyFactory, UserFactory, officer_user
from core.errors import DomainError
from enrollments.models import Enrollment, GiftStock
from enrollments.services import issue_gift, prepare_enrollment, record_enrollment, set_gift_stock
from enrollments.tests.factories import bhyt_request, cccd_of

pytestmark = pytest.mark.django_db

TODAY = date(2025, 12, 10)


@pytest.fixture
def world(settings, client):
    settings.APP_TODAY = TODAY
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    campaign = CampaignFactory(code="TN-2025")
    commune = CommuneFactory(code="25480", province=campaign.province)
    agency = AgencyFactory(code="BD-01")
    officer = officer_user(agency=agency)
    return {"campaign": campaign, "commune": commune, "agency": agency, "officer": officer}


def enrollment_body(commune: str, **person) -> dict:
    return {
        "campaign": "TN-2025",
        "participant": {
            "cccd": cccd_of(7),
            "full_name": "Nguyễn Văn A",
            "date_of_birth": "1985-03-02",
            "sex": "male",
            "phone": "0912345678",
            "commune_code": commune,
            "target_group": "farmer",
        }
        | person,
        "product": "bhyt_hgd",
        "months": 12,
        "collected_on": "2025-12-10",
    }


# (method, path with its query, form or JSON body): each carries a NUL somewhere.
NUL_REQUESTS = [
    ("get", "/api/v1/enrollments?campaign=TN%00", None),
    ("get", "/api/v1/enrollments?agency=BD%00", None),
    ("get", "/api/v1/participants/07208500%000007/status?product=bhyt_hgd", None),
    ("get", "/api/v1/campaigns/TN%00/progress", None),
    ("get", "/agencies/?q=B%00", None),
    ("get", "/agencies/BD%0001/", None),
    ("get", "/enrollments/?q=Nguy%00", None),
    ("get", "/enroll/lookup/bhyt_hgd/?cccd=072085000007&household_code=HGD%00", None),
    ("post", "/api/v1/enrollments", "json-full-name"),
    ("post", "/api/v1/enrollments", "json-commune"),
    ("post", "/enroll/bhyt/", "form-household"),
]


def _send(client, world, method: str, url: str, body: str | None):
    if body is None:
        return client.get(url)
    if body.startswith("json"):
        person = {"full_name": "Nguyễn\x00A"} if body == "json-full-name" else {"commune_code": "25480\x00"}
        data = enrollment_body(world["commune"].code, **person)
        return client.post(url, json.dumps(data), content_type="application/json")
    return client.post(url, {"household_code": "HGD\x00", "months": "12", "members-TOTAL_FORMS": "1"})


def _assert_nul_refused(client, world):
    client.force_login(world["officer"])
    for method, url, body in NUL_REQUESTS:
        response = _send(client, world, method, url, body)
        assert response.status_code == 400, (url, body, response.status_code)
        if url.startswith("/api/"):
            answer = response.json()
            assert "NUL character" in answer["detail"] and answer["errors"][0]["field"], url
        else:
            assert "NUL character" in response.content.decode(), url
    assert not Enrollment.objects.exists()


def test_a_nul_anywhere_in_a_request_is_a_400_with_a_message(client, world):
    _assert_nul_refused(client, world)


@pytest.mark.postgres
def test_a_nul_never_reaches_postgresql(client, world):
    _assert_nul_refused(client, world)


@pytest.mark.postgres
def test_a_nul_from_a_spreadsheet_is_refused_by_the_service_on_postgresql(world):
    """Cells can carry NUL (Excel's _x0000_): the service refuses it before any look-up by that code."""
    code = world["commune"].code
    cases = [
        {"commune_code": f"{code}\x00"},
        {"commune_code": code, "household_code": "HGD\x00"},
        {"commune_code": code, "person": {"full_name": "A\x00"}},
    ]
    for case in cases:
        request = bhyt_request(1, collected_on=TODAY, **case)
        with pytest.raises(DomainError) as refused:
            prepare_enrollment(campaign=world["campaign"], request=request)
        assert "invisible or control characters (U+0000)" in " ".join(refused.value.messages)


@pytest.mark.parametrize(
    "query",
    ["offset=18446744073709551616", "offset=-1", "limit=0", "week=1180591620717411303424", "offset=²"],
)
def test_list_parameters_beyond_their_range_are_422(client, world, query):
    client.force_login(world["officer"])
    response = client.get(f"/api/v1/enrollments?{query}")
    assert response.status_code == 422, response.content
    assert response.json()["errors"][0]["field"] in {"offset", "limit", "week"}


def test_a_superscript_digit_is_not_a_number(client, world):
    from awards.forms import PrizeListField
    from campaign.selectors import commune_lookup
    from enrollments.forms import DongField

    assert "²".isdigit()  # what str.isdigit() lets through, and int() then refuses
    with pytest.raises(Exception) as refused:
        DongField().clean("1²")
    assert refused.type.__name__ == "ValidationError"
    with pytest.raises(Exception) as refused:
        PrizeListField().clean("1.000.000²")
    assert refused.type.__name__ == "ValidationError"
    with pytest.raises(DomainError):
        commune_lookup().find("²")
    client.force_login(world["officer"])
    assert client.get(reverse("enrollments:receipt"), {"e": ["²", "1"]}).status_code == 200


@pytest.mark.parametrize(
    ("person", "field", "message"),
    [
        ({"full_name": "Nguyễn \u202eA"}, "full_name", "invisible or control characters (U+202E)"),
        ({"full_name": "Nguyễn\nVăn A"}, "full_name", "invisible or control characters (U+000A)"),
        ({"address": "Ấp 1\u200b"}, "address", "invisible or control characters (U+200B)"),
        ({"phone": "09123x5678"}, "phone", "is not a phone number"),
        ({"phone": "０９１２３４５６７８"}, "phone", "is not a phone number"),  # full-width digits
    ],
)
def test_control_characters_in_names_and_a_phone_that_is_not_digits_are_refused(world, person, field, message):
    request = bhyt_request(1, commune_code=world["commune"].code, collected_on=TODAY, person=person)
    with pytest.raises(DomainError) as refused:
        prepare_enrollment(campaign=world["campaign"], request=request)
    assert message in refused.value.errors[field][0]


def test_a_phone_typed_with_spaces_or_plus_84_is_stored_as_digits(world):
    for number, phone in ((1, "0912 345.678"), (2, "+84912345678")):
        request = bhyt_request(number, commune_code=world["commune"].code, collected_on=TODAY, person={"phone": phone})
        record_enrollment(campaign=world["campaign"], collector=world["officer"].collector, request=request)
    assert sorted(Enrollment.objects.values_list("participant__phone", flat=True)) == ["+84912345678", "0912345678"]


def test_the_admin_cannot_set_the_mug_stock_below_what_was_handed_over(client, world):
    campaign, agency = world["campaign"], world["agency"]
    set_gift_stock(campaign=campaign, agency=agency, received=5)
    request = bhyt_request(1, commune_code=world["commune"].code, collected_on=TODAY)
    enrollment = record_enrollment(campaign=campaign, collector=world["officer"].collector, request=request)
    issue_gift(enrollment=enrollment, user=world["officer"])
    issue_gift(
        enrollment=record_enrollment(
            campaign=campaign,
            collector=world["officer"].collector,
            request=bhyt_request(2, commune_code=world["commune"].code, collected_on=TODAY),
        ),
        user=world["officer"],
    )
    stock = GiftStock.objects.get()
    client.force_login(UserFactory(role=Role.ADMIN, is_staff=True, is_superuser=True))
    response = client.post(reverse("admin:enrollments_giftstock_change", args=[stock.pk]), {"received": "1"})
    assert response.status_code == 200
    assert "2 mugs were already handed over: the number received cannot be less than that." in (
        response.content.decode()
    )
    stock.refresh_from_db()
    assert (stock.received, stock.on_hand) == (5, 3)
    saved = client.post(reverse("admin:enrollments_giftstock_change", args=[stock.pk]), {"received": "2"})
    assert saved.status_code == 302
    stock.refresh_from_db()
    assert (stock.received, stock.on_hand) == (2, 0)
