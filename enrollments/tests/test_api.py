"""The JSON API under /api/v1/: each endpoint's happy path and its refusals, in one place."""

import json
import re
import time
from datetime import date

import pytest
from django.test import Client

from campaign.tests.factories import CampaignFactory, CommuneFactory
from collectors.roles import Role
from collectors.tests.factories import AgencyFactory, CollectorFactory, UserFactory, officer_user
from collectors.tokens import issue_api_token, revoke_api_token
from enrollments.models import Enrollment, GiftIssue, IdempotentRequest, Participant, PriorCoverage, Source
from enrollments.services import issue_gift, record_enrollment, set_gift_stock
from enrollments.tests.factories import bhxh_request, bhyt_request, cccd_of
from enrollments.tests.racing import at_once

pytestmark = pytest.mark.django_db

API = "/api/v1"
CAMPAIGN_CODE = "TN-CAODIEM-2025"


@pytest.fixture
def world(settings):
    settings.APP_TODAY = date(2025, 12, 10)
    campaign = CampaignFactory(code=CAMPAIGN_CODE)
    commune = CommuneFactory(province=campaign.province)
    mine, other = AgencyFactory(code="MINE", name="Bưu điện Của tôi"), AgencyFactory(code="OTHER", name="Bưu điện Khác")
    officer = officer_user(agency=mine)
    return {
        "campaign": campaign,
        "commune": commune,
        "mine": mine,
        "other": other,
        "officer": officer,
        "collector": officer.collector,
        "other_collector": CollectorFactory(agency=other),
        "users": {
            Role.ADMIN: UserFactory(role=Role.ADMIN),
            Role.PROVINCIAL: UserFactory(role=Role.PROVINCIAL),
            Role.OFFICER: officer,
        },
    }


def bearer(user) -> dict:
    _token, raw = issue_api_token(user=user, name="test system")
    return {"Authorization": f"Bearer {raw}"}


@pytest.fixture
def officer_headers(world):
    return bearer(world["officer"])


def body(commune_code: str, **overrides) -> dict:
    """The POST body of DESIGN.md, for test person 1 (CCCD 072085000001, a man born 1985)."""
    participant = {
        "cccd": cccd_of(1),
        "full_name": "Nguyễn Văn A",
        "date_of_birth": "1985-03-02",
        "sex": "male",
        "phone": "0912345678",
        "commune_code": commune_code,
        "household_code": "HGD-0001",
        "target_group": "farmer",
    } | overrides.pop("participant", {})
    return {
        "campaign": CAMPAIGN_CODE,
        "participant": participant,
        "product": "bhyt_hgd",
        "months": 12,
        "member_order": None,
        "income": None,
        "support_group": None,
        "collected_on": "2025-11-20",
        "receipt_no": "BL-000123",
        "channel": "market",
    } | overrides


def post(client, data, headers=None, **extra_headers):
    payload = data if isinstance(data, str) else json.dumps(data)
    return client.post(
        f"{API}/enrollments", payload, content_type="application/json", headers={**(headers or {}), **extra_headers}
    )


def fields(response) -> list:
    return [error["field"] for error in response.json()["errors"]]


def assert_error_shape(response, status: int) -> dict:
    assert response.status_code == status, response.content
    data = response.json()
    assert set(data) == {"detail", "errors"} and data["detail"]
    assert all(set(error) == {"field", "message"} for error in data["errors"])
    return data


# --- Health, OpenAPI and docs ----------------------------------------------------------------


def test_health_needs_no_auth_and_reports_database_and_broker(client):
    response = client.get(f"{API}/health")
    assert response.status_code == 200
    # Without REDIS_URL the broker is Celery's in-memory transport, which connects.
    assert response.json() == {"status": "ok", "database": "ok", "broker": "ok"}


def test_health_reports_an_unreachable_broker_quickly(client, monkeypatch):
    from config.celery import app as celery_app

    connect = celery_app.connection_for_write
    # Nothing listens on port 1: the connection is refused, as when Redis is down.
    monkeypatch.setattr(celery_app, "connection_for_write", lambda **kw: connect(url="redis://127.0.0.1:1/0", **kw))
    started = time.monotonic()
    response = client.get(f"{API}/health")
    # Without the one-attempt options kombu retries for minutes; the bound leaves room for a busy CI box
    # (3,2 s were seen with a load average of 9 on 2 CPUs).
    assert time.monotonic() - started < 10
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "broker": "unavailable"}


def test_health_is_503_when_the_database_does_not_answer(client, monkeypatch):
    from django.db import OperationalError

    import config.api

    class Down:
        def cursor(self):
            raise OperationalError("connection refused")

    monkeypatch.setattr(config.api, "connection", Down())
    response = client.get(f"{API}/health")
    assert response.status_code == 503
    assert response.json()["status"] == "error" and response.json()["database"] == "unavailable"


def test_openapi_document_is_public_and_describes_the_endpoints(client):
    response = client.get(f"{API}/openapi.json")
    assert response.status_code == 200
    schema = response.json()
    assert {f"{API}/health", f"{API}/quote", f"{API}/participants/{{cccd}}/status", f"{API}/enrollments"} <= set(
        schema["paths"]
    )
    assert set(schema["components"]["securitySchemes"]) == {"BearerTokenAuth", "SessionAuth"}
    post_parameters = schema["paths"][f"{API}/enrollments"]["post"]["parameters"]
    assert any(p["name"] == "Idempotency-Key" and p["in"] == "header" for p in post_parameters)


def test_docs_are_served_offline_from_the_apps_static_files(client):
    response = client.get(f"{API}/docs")
    assert response.status_code == 200
    html = response.content.decode()
    assert "swagger-ui" in html
    assets = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert assets and all(url.startswith("/static/") for url in assets), assets
    assert "cdn" not in html.lower() and "https://" not in html and "http://" not in html
    for url in assets:
        assert client.get(url).status_code == 200, url


# --- Auth --------------------------------------------------------------------------------------

ENDPOINTS = [
    ("get", f"{API}/quote?product=bhyt_hgd&months=12"),
    ("get", f"{API}/participants/{cccd_of(1)}/status?product=bhyt_hgd"),
    ("get", f"{API}/enrollments"),
    ("post", f"{API}/enrollments"),
]


@pytest.mark.parametrize(("method", "url"), ENDPOINTS)
def test_no_credentials_get_401(client, world, method, url):
    response = getattr(client, method)(url, **({"content_type": "application/json"} if method == "post" else {}))
    data = assert_error_shape(response, 401)
    assert "Bearer" in response["WWW-Authenticate"]
    assert data["errors"] == []


@pytest.mark.parametrize(("method", "url"), ENDPOINTS)
def test_a_revoked_token_gets_401(client, world, method, url):
    token, raw = issue_api_token(user=world["officer"], name="post office")
    revoke_api_token(token=token)
    kwargs = {"content_type": "application/json", "data": json.dumps(body(world["commune"].code))}
    response = getattr(client, method)(
        url, headers={"Authorization": f"Bearer {raw}"}, **(kwargs if method == "post" else {})
    )
    assert_error_shape(response, 401)
    assert Enrollment.objects.count() == 0


def test_an_unknown_token_or_a_deactivated_user_gets_401(client, world):
    assert_error_shape(client.get(f"{API}/enrollments", headers={"Authorization": "Bearer not-a-token"}), 401)
    headers = bearer(world["officer"])
    world["officer"].is_active = False
    world["officer"].save()
    assert_error_shape(client.get(f"{API}/enrollments", headers=headers), 401)


def test_a_valid_token_is_accepted_and_marks_its_use(client, world):
    token, raw = issue_api_token(user=world["officer"], name="post office")
    assert token.last_used_at is None
    assert client.get(f"{API}/enrollments", headers={"Authorization": f"Bearer {raw}"}).status_code == 200
    token.refresh_from_db()
    assert token.last_used_at is not None


@pytest.mark.parametrize("role", [Role.ADMIN, Role.PROVINCIAL])
def test_only_officers_may_record(client, world, role):
    response = post(client, body(world["commune"].code), bearer(world["users"][role]))
    assert_error_shape(response, 403)
    assert Enrollment.objects.count() == 0


def test_a_user_without_a_role_gets_403_everywhere(client, world):
    headers = bearer(UserFactory())
    for method, url in ENDPOINTS:
        response = getattr(client, method)(url, headers=headers, content_type="application/json")
        assert_error_shape(response, 403)


def test_an_officer_without_a_collector_record_gets_403_with_a_reason(client, world):
    response = post(
        client, body(world["commune"].code), bearer(UserFactory(role=Role.OFFICER)), **{"Accept-Language": "en"}
    )
    data = assert_error_shape(response, 403)
    assert "not linked to an active collection officer" in data["detail"]
    assert Enrollment.objects.count() == 0


@pytest.mark.parametrize("role", list(Role))
def test_every_role_may_quote_check_status_and_list(client, world, role):
    headers = bearer(world["users"][role])
    for method, url in ENDPOINTS[:3]:
        assert getattr(client, method)(url, headers=headers).status_code == 200, url


def test_a_browser_session_works_and_posts_need_the_csrf_token(world):
    client = Client(enforce_csrf_checks=True)
    client.force_login(world["officer"])
    assert client.get(f"{API}/enrollments").status_code == 200

    refused = post(client, body(world["commune"].code))
    assert_error_shape(refused, 403)
    assert Enrollment.objects.count() == 0

    client.get(f"{API}/docs")  # renders the CSRF token, which sets the cookie
    token = client.cookies["csrftoken"].value
    assert post(client, body(world["commune"].code), **{"X-CSRFToken": token}).status_code == 201


def test_a_bearer_token_needs_no_csrf_token(world):
    client = Client(enforce_csrf_checks=True)
    assert post(client, body(world["commune"].code), bearer(world["officer"])).status_code == 201


# --- Quote ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        # DOMAIN.md: BHYT HGĐ 12 months, 2nd member; BHXH TN 12 months at 1.500.000 ₫, others; poor.
        (
            "product=bhyt_hgd&months=12&member_order=2&on=2025-11-20",
            {"amount_due": 884_520, "state_support": 0, "amount_payable": 884_520, "monthly_due": 73_710},
        ),
        (
            "product=bhyt_hgd&months=6",
            {"amount_due": 631_800, "amount_payable": 631_800, "member_order": 1, "on": "2025-12-10"},
        ),
        (
            "product=bhxh_tn&months=12&income=1500000&support_group=other&on=2025-11-20",
            {"amount_due": 3_960_000, "state_support": 792_000, "amount_payable": 3_168_000, "supported_months": 12},
        ),
        (
            "product=bhxh_tn&months=12&income=1500000&support_group=poor&on=2025-11-20",
            {"state_support": 1_980_000, "amount_payable": 1_980_000, "support_group": "poor", "income": 1_500_000},
        ),
    ],
)
def test_quote(client, world, officer_headers, query, expected):
    response = client.get(f"{API}/quote?{query}", headers=officer_headers)
    assert response.status_code == 200
    data = response.json()
    assert {key: data[key] for key in expected} == expected
    assert {"amount_due", "state_support", "amount_payable", "monthly_due", "months", "product"} <= set(data)


@pytest.mark.parametrize(
    ("query", "field", "message"),
    [
        ("product=bhyt_hgd&months=5", "months", "Choose a period of 3, 6, 12 months"),
        ("product=bhxh_tn&months=12&income=1450000", "income", "from 1.500.000 ₫ to 46.800.000 ₫"),
        ("product=bhxh_tn&months=12&income=46850000", "income", "from 1.500.000 ₫ to 46.800.000 ₫"),
        ("product=bhxh_tn&months=12", "income", "Enter the monthly income"),
        ("product=bhxh_tn&months=60&income=2000000", "months", "does not sell payments for several years"),
        ("product=car&months=12", "product", "Choose one of"),
        ("product=bhyt_hgd&months=twelve", "months", "Enter a whole number."),
        ("product=bhyt_hgd", "months", "This field is required."),
        ("product=bhyt_hgd&months=12&on=20/11/2025", "on", "Enter a date as YYYY-MM-DD."),
        ("product=bhxh_tn&months=12&income=2000000&cccd=12345", "cccd", "must have 12 digits"),
        ("product=bhyt_hgd&months=12&on=2020-01-01", "on", "No contribution rates are set for this date"),
    ],
)
def test_quote_refusals_name_the_field(client, world, officer_headers, query, field, message):
    response = client.get(f"{API}/quote?{query}", headers={**officer_headers, "Accept-Language": "en"})
    data = assert_error_shape(response, 422)
    assert fields(response) == [field]
    assert message in data["errors"][0]["message"]


def test_a_bhxh_quote_with_a_cccd_counts_the_support_already_had(client, world, officer_headers):
    record_enrollment(
        campaign=world["campaign"],
        collector=world["collector"],
        request=bhxh_request(commune_code=world["commune"].code, collected_on=date(2025, 11, 20)),
    )
    query = f"product=bhxh_tn&months=12&income=1500000&support_group=other&cccd={cccd_of(1)}"
    assert client.get(f"{API}/quote?{query}", headers=officer_headers).json()["supported_months"] == 12


# --- Participant status -------------------------------------------------------------------------


def status_of(client, headers, cccd=None, **query):
    query = {"product": "bhyt_hgd"} | query
    return client.get(f"{API}/participants/{cccd or cccd_of(1)}/status", query, headers=headers)


def test_status_of_an_unknown_person_is_new_and_gift_eligible(client, world, officer_headers):
    response = status_of(client, officer_headers)
    assert response.status_code == 200
    assert response.json() == {
        "product": "bhyt_hgd",
        "on": "2025-12-10",
        "classification": "new",
        "last_coverage_end": None,
        "gift_eligible": True,
        "gift_issued": False,
    }


@pytest.mark.parametrize(
    ("on", "classification", "gift_eligible"),
    [("2025-11-15", "rejoin", True), ("2025-11-14", "renewal", False)],
    ids=["rejoin", "renewal"],
)
def test_status_follows_prior_coverage(client, world, officer_headers, on, classification, gift_eligible):
    PriorCoverage.objects.create(cccd=cccd_of(1), product="bhyt_hgd", last_coverage_end=date(2025, 8, 14))
    data = status_of(client, officer_headers, on=on).json()
    assert (data["classification"], data["last_coverage_end"]) == (classification, "2025-08-14")
    assert (data["gift_eligible"], data["gift_issued"]) == (gift_eligible, False)


def test_status_shows_a_mug_handed_over(client, world, officer_headers):
    enrollment = record_enrollment(
        campaign=world["campaign"],
        collector=world["collector"],
        request=bhyt_request(commune_code=world["commune"].code, collected_on=date(2025, 11, 20)),
    )
    set_gift_stock(campaign=world["campaign"], agency=world["mine"], received=5)
    assert status_of(client, officer_headers).json()["gift_eligible"] is True
    issue_gift(enrollment=enrollment, user=world["officer"])
    data = status_of(client, officer_headers).json()
    assert data["classification"] == "renewal" and data["last_coverage_end"] == "2026-12-19"
    assert (data["gift_eligible"], data["gift_issued"]) == (False, True)


@pytest.mark.parametrize("cccd", ["07208512345", "099085123456", "07208512345x"])
def test_status_refuses_a_malformed_cccd(client, world, officer_headers, cccd):
    response = status_of(client, officer_headers, cccd=cccd)
    assert_error_shape(response, 422)
    assert fields(response) == ["cccd"]


def test_status_needs_a_product(client, world, officer_headers):
    response = client.get(f"{API}/participants/{cccd_of(1)}/status", headers=officer_headers)
    assert_error_shape(response, 422)
    assert fields(response) == ["product"]


# --- Recording ------------------------------------------------------------------------------------


def test_post_records_an_enrollment_for_the_officers_agency(client, world, officer_headers):
    response = post(client, body(world["commune"].code), officer_headers)
    assert response.status_code == 201, response.content
    data = response.json()
    enrollment = Enrollment.objects.get()
    assert data["id"] == enrollment.pk and data["uuid"] == str(enrollment.uuid)
    assert data["week"] == 2 and data["classification"] == "new"
    assert (data["coverage_start"], data["coverage_end"]) == ("2025-12-20", "2026-12-19")
    assert (data["amount_due"], data["state_support"], data["amount_payable"]) == (1_263_600, 0, 1_263_600)
    assert data["gift_eligible"] is True and data["member_order"] == 1
    assert data["participant"]["cccd"] == "072*******01" and data["personal_data_masked"] is True
    assert data["warnings"] == [] and data["recorded_at"].endswith("+07:00")
    assert (enrollment.agency, enrollment.collector) == (world["mine"], world["collector"])
    assert (enrollment.source, enrollment.recorded_by) == (Source.API, world["officer"])
    assert (enrollment.receipt_no, enrollment.channel) == ("BL-000123", "market")


def test_post_a_voluntary_social_insurance_enrollment(client, world, officer_headers):
    data = body(world["commune"].code, product="bhxh_tn", income=1_500_000, support_group="near_poor")
    response = post(client, data, officer_headers)
    assert response.status_code == 201, response.content
    result = response.json()
    assert (result["amount_due"], result["state_support"], result["amount_payable"]) == (
        3_960_000,
        1_584_000,
        2_376_000,
    )
    # BHXH tự nguyện, new: whole months from the first day of the collection month.
    assert (result["coverage_start"], result["coverage_end"]) == ("2025-11-01", "2026-10-31")
    assert result["member_order"] is None and result["support_group"] == "near_poor"


def test_post_computes_the_household_ladder(client, world, officer_headers):
    commune = world["commune"].code
    assert post(client, body(commune), officer_headers).json()["member_order"] == 1
    second = body(commune, participant={"cccd": cccd_of(2), "full_name": "Nguyễn Thị B", "sex": "male"})
    result = post(client, second, officer_headers).json()
    assert (result["member_order"], result["amount_due"]) == (2, 884_520)


def test_post_defaults_the_collection_date_to_today(client, world, officer_headers):
    data = body(world["commune"].code)
    del data["collected_on"]
    result = post(client, data, officer_headers).json()
    assert (result["collected_on"], result["week"]) == ("2025-12-10", 5)


def test_post_outside_the_campaign_is_recorded_without_a_week(client, world, officer_headers):
    response = post(
        client, body(world["commune"].code, collected_on="2025-11-11"), officer_headers, **{"Accept-Language": "en"}
    )
    assert response.status_code == 201
    data = response.json()
    assert (data["week"], data["classification"], data["gift_eligible"]) == (None, "new", False)
    assert data["warnings"] == [
        "The collection date is outside the campaign: it is recorded but not counted in quotas or awards."
    ]
    assert Enrollment.objects.get().week is None


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"participant": {"cccd": "07208500001"}}, "participant.cccd", "must have 12 digits"),
        ({"participant": {"cccd": "0720850000012"}}, "participant.cccd", "must have 12 digits"),
        ({"participant": {"cccd": "099085000001"}}, "participant.cccd", "not a province or country code"),
        ({"participant": {"cccd": "072185000001"}}, "participant.cccd", "that of a woman"),
        ({"participant": {"cccd": "072285000001"}}, "participant.cccd", "born from 2000 to 2099"),
        ({"participant": {"date_of_birth": "1986-03-02"}}, "participant.cccd", "last two digits of the birth year"),
        ({"participant": {"date_of_birth": "2026-01-01"}}, "participant.date_of_birth", "cannot be in the future"),
        ({"participant": {"commune_code": "99999"}}, "participant.commune_code", "is not in"),
        ({"participant": {"full_name": "  "}}, "participant.full_name", "full name"),
        ({"collected_on": "2025-12-11"}, "collected_on", "cannot be in the future"),
        ({"months": 5}, "months", "Choose a period of 3, 6, 12 months"),
        ({"member_order": 3}, "member_order", "member number 1 of household HGD-0001"),
        ({"income": 2_000_000}, "income", "only for voluntary social insurance"),
        (
            {"product": "bhxh_tn", "income": 1_450_000, "support_group": "other"},
            "income",
            "from 1.500.000 ₫ to 46.800.000 ₫",
        ),
        (
            {"product": "bhxh_tn", "income": 46_850_000, "support_group": "other"},
            "income",
            "from 1.500.000 ₫ to 46.800.000 ₫",
        ),
        ({"product": "bhxh_tn", "income": 2_000_000, "months": 24}, "months", "Choose a period of 1, 3, 6, 12"),
    ],
)
def test_post_refusals_name_the_field_in_body_terms(client, world, officer_headers, overrides, field, message):
    response = post(client, body(world["commune"].code, **overrides), officer_headers, **{"Accept-Language": "en"})
    data = assert_error_shape(response, 422)
    assert field in fields(response)
    assert any(message in error["message"] for error in data["errors"] if error["field"] == field), data
    assert Enrollment.objects.count() == 0 and Participant.objects.count() == 0


def test_a_refusal_lists_every_field_at_fault(client, world, officer_headers):
    data = body(world["commune"].code, participant={"cccd": "07208500001"}, collected_on="2025-12-11")
    response = post(client, data, officer_headers, **{"Accept-Language": "en"})
    result = assert_error_shape(response, 422)
    assert sorted(fields(response)) == ["collected_on", "participant.cccd"]
    assert "2 problems" in result["detail"]


@pytest.mark.parametrize(
    ("mutate", "field", "message"),
    [
        (lambda b: b["participant"].pop("cccd"), "participant.cccd", "This field is required."),
        (lambda b: b.pop("participant"), "participant", "This field is required."),
        (lambda b: b.update(months="twelve"), "months", "Enter a whole number."),
        (lambda b: b["participant"].update(sex="m"), "participant.sex", "Choose one of: 'male' or 'female'."),
        (lambda b: b["participant"].update(date_of_birth="02/03/1985"), "participant.date_of_birth", "YYYY-MM-DD"),
        (lambda b: b.update(channel="phone"), "channel", "Choose one of"),
        (lambda b: b.update(receipt_no="x" * 41), "receipt_no", "at most 40 characters"),
    ],
)
def test_malformed_bodies_get_422_with_the_field_path(client, world, officer_headers, mutate, field, message):
    data = body(world["commune"].code)
    mutate(data)
    response = post(client, data, officer_headers, **{"Accept-Language": "en"})
    result = assert_error_shape(response, 422)
    assert fields(response) == [field]
    assert message in result["errors"][0]["message"]


def test_a_body_that_is_not_json_gets_400(client, world, officer_headers):
    assert_error_shape(post(client, "{not json", officer_headers), 400)


def test_an_unknown_campaign_gets_404(client, world, officer_headers):
    response = post(
        client, body(world["commune"].code, campaign="NO-SUCH"), officer_headers, **{"Accept-Language": "en"}
    )
    data = assert_error_shape(response, 404)
    assert "NO-SUCH" in data["detail"]


def test_a_duplicate_gets_409_naming_the_agency_that_recorded_it(client, world, officer_headers):
    first = record_enrollment(
        campaign=world["campaign"],
        collector=world["other_collector"],
        request=bhyt_request(commune_code=world["commune"].code, collected_on=date(2025, 11, 20)),
    )
    response = post(client, body(world["commune"].code), officer_headers, **{"Accept-Language": "en"})
    data = assert_error_shape(response, 409)
    assert fields(response) == ["participant.cccd"]
    assert "Bưu điện Khác" in data["detail"] and str(first.pk) in data["detail"]
    assert Enrollment.objects.count() == 1


def test_paying_again_another_day_renews_after_the_first_card(client, world, officer_headers):
    # The same person as the body's, recorded by another agency: who they are is unchanged.
    record_enrollment(
        campaign=world["campaign"],
        collector=world["other_collector"],
        request=bhyt_request(
            commune_code=world["commune"].code,
            collected_on=date(2025, 11, 20),
            household_code="HGD-0001",
            person={"full_name": "Nguyễn Văn A"},
        ),
    )
    # Not a duplicate (another day), and the new card follows on from the first: no overlap.
    response = post(client, body(world["commune"].code, collected_on="2025-11-21"), officer_headers)
    assert response.status_code == 201
    assert response.json()["classification"] == "renewal"
    assert response.json()["coverage_start"] == "2026-12-20"


# --- Languages -------------------------------------------------------------------------------------


def test_messages_follow_accept_language_english(client, world, officer_headers):
    data = body(world["commune"].code, participant={"cccd": "07208500001"})
    response = post(client, data, officer_headers, **{"Accept-Language": "en"})
    assert response["Content-Language"] == "en"
    assert response.json()["errors"][0]["message"] == (
        "The CCCD number must have 12 digits; check that none is missing or extra."
    )


@pytest.mark.parametrize("accept_language", ["vi", None], ids=["vi", "default"])
def test_messages_are_vietnamese_by_default(client, world, officer_headers, accept_language):
    data = body(world["commune"].code)
    data["participant"].pop("cccd")
    headers = officer_headers | ({"Accept-Language": accept_language} if accept_language else {})
    response = post(client, data, headers)
    assert response["Content-Language"] == "vi"
    # A message Django itself translates, so the test does not wait for our own catalogue.
    assert response.json()["errors"] == [{"field": "participant.cccd", "message": "Trường này là bắt buộc."}]


# --- Idempotency -----------------------------------------------------------------------------------


def test_a_retry_with_the_same_key_returns_the_first_answer_and_records_once(client, world, officer_headers):
    data = body(world["commune"].code)
    first = post(client, data, officer_headers, **{"Idempotency-Key": "k-1"})
    again = post(client, data, officer_headers, **{"Idempotency-Key": "k-1"})
    assert (first.status_code, again.status_code) == (201, 201)
    assert again.json() == first.json()
    assert again["Idempotent-Replayed"] == "true" and "Idempotent-Replayed" not in first
    assert Enrollment.objects.count() == 1
    stored = IdempotentRequest.objects.get()
    assert (stored.user, stored.key, stored.status_code) == (world["officer"], "k-1", 201)


def test_the_same_key_with_another_body_is_refused(client, world, officer_headers):
    post(client, body(world["commune"].code), officer_headers, **{"Idempotency-Key": "k-1"})
    other = body(world["commune"].code, participant={"cccd": cccd_of(2)})
    response = post(client, other, officer_headers, **{"Idempotency-Key": "k-1", "Accept-Language": "en"})
    data = assert_error_shape(response, 422)
    assert fields(response) == ["Idempotency-Key"] and "different request" in data["detail"]
    assert Enrollment.objects.count() == 1 and IdempotentRequest.objects.count() == 1


def test_keys_belong_to_their_user(client, world, officer_headers):
    post(client, body(world["commune"].code), officer_headers, **{"Idempotency-Key": "k-1"})
    colleague = officer_user(agency=world["mine"])
    other = body(world["commune"].code, participant={"cccd": cccd_of(2)})
    assert post(client, other, bearer(colleague), **{"Idempotency-Key": "k-1"}).status_code == 201
    assert Enrollment.objects.count() == 2


def test_without_a_key_a_repeat_is_a_duplicate(client, world, officer_headers):
    data = body(world["commune"].code)
    assert post(client, data, officer_headers).status_code == 201
    assert post(client, data, officer_headers).status_code == 409
    assert IdempotentRequest.objects.count() == 0


def test_a_refusal_is_kept_and_replayed_too(client, world, officer_headers):
    data = body(world["commune"].code, months=5)
    first = post(client, data, officer_headers, **{"Idempotency-Key": "k-1"})
    again = post(client, data, officer_headers, **{"Idempotency-Key": "k-1"})
    assert (first.status_code, again.status_code) == (422, 422)
    assert again.json() == first.json() and again["Idempotent-Replayed"] == "true"
    assert IdempotentRequest.objects.get().status_code == 422


def test_answers_that_are_not_about_the_enrollment_are_not_kept(client, world, officer_headers):
    data = body(world["commune"].code, campaign="NO-SUCH")
    assert post(client, data, officer_headers, **{"Idempotency-Key": "k-1"}).status_code == 404
    assert post(client, {"campaign": CAMPAIGN_CODE}, officer_headers, **{"Idempotency-Key": "k-1"}).status_code == 422
    assert IdempotentRequest.objects.count() == 0
    # The key is still free for the corrected request.
    assert post(client, body(world["commune"].code), officer_headers, **{"Idempotency-Key": "k-1"}).status_code == 201


def test_an_over_long_key_is_refused(client, world, officer_headers):
    response = post(client, body(world["commune"].code), officer_headers, **{"Idempotency-Key": "k" * 101})
    assert_error_shape(response, 422)
    assert fields(response) == ["Idempotency-Key"]


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_identical_requests_at_the_same_moment_record_once(settings, default_policies):
    settings.APP_TODAY = date(2025, 12, 10)
    campaign = CampaignFactory(code=CAMPAIGN_CODE)
    commune = CommuneFactory(province=campaign.province)
    headers = bearer(officer_user()) | {"Idempotency-Key": "same-moment"}
    data = body(commune.code)
    responses = at_once(*(lambda: post(Client(), data, headers) for _ in range(2)))
    assert [r.status_code for r in responses] == [201, 201]
    assert responses[0].json() == responses[1].json()
    assert Enrollment.objects.count() == 1 and IdempotentRequest.objects.count() == 1


# --- Listing -----------------------------------------------------------------------------------------


@pytest.fixture
def recorded(world):
    """Two enrollments of MINE (weeks 2 and 3, BHYT and BHXH) and one of OTHER."""
    commune = world["commune"].code
    for number, collected_on, request_for in [
        (1, date(2025, 11, 20), bhyt_request),
        (2, date(2025, 11, 27), bhxh_request),
    ]:
        record_enrollment(
            campaign=world["campaign"],
            collector=world["collector"],
            request=request_for(number, commune_code=commune, collected_on=collected_on),
        )
    record_enrollment(
        campaign=world["campaign"],
        collector=world["other_collector"],
        request=bhyt_request(3, commune_code=commune, collected_on=date(2025, 11, 20)),
    )
    return world


def listing(client, user, **query):
    response = client.get(f"{API}/enrollments", query, headers=bearer(user))
    assert response.status_code == 200, response.content
    return response.json()


def test_an_officer_sees_only_their_agencys_enrollments(client, recorded):
    data = listing(client, recorded["officer"])
    assert data["count"] == 2 and {item["agency"] for item in data["items"]} == {"MINE"}
    assert all(item["recorded_at"].endswith("+07:00") for item in data["items"])
    assert listing(client, recorded["officer"], agency="OTHER")["count"] == 0


def test_an_officer_sees_the_personal_data_of_their_own_agencys_people(client, recorded):
    item = listing(client, recorded["officer"], product="bhyt_hgd")["items"][0]
    assert item["personal_data_masked"] is False
    assert item["participant"]["cccd"] == cccd_of(1)
    assert (item["participant"]["date_of_birth"], item["participant"]["phone"]) == ("1985-03-02", "0912345678")


def test_provincial_staff_see_every_agency_masked(client, recorded):
    data = listing(client, recorded["users"][Role.PROVINCIAL])
    assert data["count"] == 3
    for item in data["items"]:
        person = item["participant"]
        assert item["personal_data_masked"] is True
        assert re.fullmatch(r"\d{3}\*{7}\d{2}", person["cccd"])
        assert person["date_of_birth"] == "**/**/1985" and person["phone"] == "091****678"


def test_admins_see_every_agency_in_full(client, recorded):
    data = listing(client, recorded["users"][Role.ADMIN])
    assert data["count"] == 3 and not any(item["personal_data_masked"] for item in data["items"])


@pytest.mark.parametrize(
    ("query", "count"),
    [
        ({"campaign": CAMPAIGN_CODE}, 3),
        ({"campaign": "NO-SUCH"}, 0),
        ({"week": 2}, 2),
        ({"week": 3}, 1),
        ({"agency": "OTHER"}, 1),
        ({"product": "bhxh_tn"}, 1),
        ({"product": "bhyt_hgd", "agency": "MINE"}, 1),
    ],
)
def test_list_filters(client, recorded, query, count):
    assert listing(client, recorded["users"][Role.ADMIN], **query)["count"] == count


def test_list_is_paginated_newest_first(client, recorded):
    admin = recorded["users"][Role.ADMIN]
    # Recorded in the order of people 1, 2 and 3: the newest, person 3, comes first.
    first, second, third = (Enrollment.objects.get(participant__cccd=cccd_of(n)).pk for n in (1, 2, 3))
    assert [item["id"] for item in listing(client, admin)["items"]] == [third, second, first]
    page = listing(client, admin, limit=2, offset=1)
    assert page["count"] == 3 and [item["id"] for item in page["items"]] == [second, first]


@pytest.mark.parametrize(("query", "field"), [({"week": "two"}, "week"), ({"limit": 0}, "limit")])
def test_list_rejects_a_bad_filter_or_page(client, recorded, officer_headers, query, field):
    response = client.get(f"{API}/enrollments", query, headers=officer_headers)
    assert_error_shape(response, 422)
    assert fields(response) == [field]


def test_list_shows_gifts(client, recorded):
    enrollment = Enrollment.objects.get(participant__cccd=cccd_of(1))
    set_gift_stock(campaign=recorded["campaign"], agency=recorded["mine"], received=1)
    issue_gift(enrollment=enrollment, user=recorded["officer"])
    items = {item["id"]: item for item in listing(client, recorded["officer"])["items"]}
    assert (items[enrollment.pk]["gift_issued"], items[enrollment.pk]["gift_eligible"]) == (True, False)
    assert GiftIssue.objects.count() == 1


def test_list_query_count_does_not_grow_with_rows(client, recorded, django_assert_max_num_queries):
    for number in range(10, 30):
        record_enrollment(
            campaign=recorded["campaign"],
            collector=recorded["collector"],
            request=bhyt_request(number, commune_code=recorded["commune"].code, collected_on=date(2025, 12, 1)),
        )
    headers = bearer(recorded["officer"])
    with django_assert_max_num_queries(8):
        response = client.get(f"{API}/enrollments", headers=headers)
    assert response.json()["count"] == 22 and len(response.json()["items"]) == 22
