"""GET /api/v1/campaigns/{code}/progress: DESIGN.md's contract, scoped like the pages."""

from datetime import date

import pytest

from campaign.tests.factories import BhxhOfficeFactory, CampaignFactory, CommuneFactory, CoverageBaselineFactory
from collectors.roles import Role
from collectors.tests.factories import AgencyFactory, CollectorFactory, UserFactory, WeeklyQuotaFactory, officer_user
from collectors.tokens import issue_api_token
from enrollments.services import record_enrollment
from enrollments.tests.factories import bhxh_request, bhyt_request

pytestmark = pytest.mark.django_db


def bearer(user) -> dict:
    _token, raw = issue_api_token(user=user, name="test")
    return {"Authorization": f"Bearer {raw}", "Accept-Language": "en"}


@pytest.fixture
def world(settings):
    settings.APP_TODAY = date(2025, 12, 10)
    campaign = CampaignFactory(code="TN-2025")
    north, south = (
        BhxhOfficeFactory(province=campaign.province, code=c, name=n) for c, n in (("N", "Bắc"), ("S", "Nam"))
    )
    communes = {
        code: CommuneFactory(province=campaign.province, office=office, code=code, name=f"Xã {code}")
        for code, office in (("25480", north), ("25481", south))
    }
    for commune in communes.values():
        CoverageBaselineFactory(campaign=campaign, commune=commune, as_of=date(2025, 11, 1))
    agency_a, agency_b = AgencyFactory(code="A"), AgencyFactory(code="B")
    agency_a.communes.add(communes["25480"])
    week_5 = campaign.weeks.get(number=5)
    WeeklyQuotaFactory(week=week_5, agency=agency_a, product="bhyt_hgd", count=2)
    collector_a, collector_b = CollectorFactory(agency=agency_a), CollectorFactory(agency=agency_b)
    for number, collector, commune, on, make in (
        (1, collector_a, "25480", date(2025, 12, 10), bhyt_request),
        (2, collector_b, "25481", date(2025, 12, 10), bhyt_request),
        (3, collector_b, "25481", date(2025, 11, 20), bhxh_request),
    ):
        record_enrollment(
            campaign=campaign, collector=collector, request=make(number, commune_code=commune, collected_on=on)
        )
    return campaign, agency_a


def test_the_answer_has_the_contracts_shape_and_figures(client, world):
    response = client.get("/api/v1/campaigns/TN-2025/progress", headers=bearer(UserFactory(role=Role.PROVINCIAL)))
    assert response.status_code == 200
    body = response.json()
    assert list(body) == ["campaign", "today", "target_date", "province", "offices", "communes", "weeks", "agencies"]
    assert (body["campaign"], body["today"], body["target_date"]) == ("TN-2025", "2025-12-10", "2025-12-31")
    assert body["province"]["bhyt"] == {
        "denominator": 60_000,
        "baseline_insured": 55_800,
        "added": 2,
        "insured": 55_802,
        "pct": "93.00",
        "target_pct": "95.00",
        "target_count": 57_000,
        "gap": 1_198,
        "pace_per_day": "0.14",
        "forecast": 55_805,
        "forecast_pct": "93.01",
        "needed_per_day": 58,
    }
    assert body["province"]["bhxh"]["added"] == 1
    assert [(o["code"], o["bhyt"]["added"]) for o in body["offices"]] == [("N", 1), ("S", 1)]
    assert [(c["code"], c["name"], c["office"]) for c in body["communes"]] == [
        ("25480", "Xã 25480", "Bắc"),
        ("25481", "Xã 25481", "Nam"),
    ]
    assert body["weeks"][1] == {
        "number": 2,
        "start": "2025-11-19",
        "end": "2025-11-25",
        "quota": {"bhxh_tn": 0, "bhyt_hgd": 0},
        "actual": {"bhxh_tn": 1, "bhyt_hgd": 0},
        "renewals": {"bhxh_tn": 0, "bhyt_hgd": 0},
    }
    agencies = {a["code"]: a for a in body["agencies"]}
    assert agencies["A"] == {
        "code": "A",
        "name": agencies["A"]["name"],
        "week": 5,
        "quota": {"bhxh_tn": 0, "bhyt_hgd": 2},
        "actual": {"bhxh_tn": 0, "bhyt_hgd": 1},
        "attainment_pct": "50.00",
    }
    assert agencies["B"]["attainment_pct"] is None


def test_the_cached_json_sent_is_the_documented_schema(client, world):
    """The view sends the cached JSON as it is: the OpenAPI schema must still describe it exactly."""
    from core.cached_json import matches_schema
    from dashboard.api import ProgressOut

    response = client.get("/api/v1/campaigns/TN-2025/progress", headers=bearer(UserFactory(role=Role.PROVINCIAL)))
    assert matches_schema(ProgressOut, response.content)


def test_an_officer_gets_their_agency_and_the_communes_it_serves(client, world):
    _campaign, agency_a = world
    body = client.get("/api/v1/campaigns/TN-2025/progress", headers=bearer(officer_user(agency_a))).json()
    assert [c["code"] for c in body["communes"]] == ["25480"]
    assert body["province"]["bhyt"]["denominator"] == 30_000  # only what the agency serves
    assert [a["code"] for a in body["agencies"]] == ["A"]
    assert body["weeks"][4]["actual"] == {"bhxh_tn": 0, "bhyt_hgd": 1}
    assert body["weeks"][1]["actual"] == {"bhxh_tn": 0, "bhyt_hgd": 0}  # agency B's BHXH is not theirs


def test_staff_can_look_at_one_office_and_bad_requests_are_refused(client, world):
    headers = bearer(UserFactory(role=Role.PROVINCIAL))
    body = client.get("/api/v1/campaigns/TN-2025/progress", {"office": "S"}, headers=headers).json()
    assert [c["code"] for c in body["communes"]] == ["25481"]
    refused = client.get("/api/v1/campaigns/TN-2025/progress", {"office": "X"}, headers=headers)
    assert refused.status_code == 422
    assert refused.json()["errors"] == [
        {"field": "office", "message": "No BHXH office of this campaign's province has the code X."}
    ]
    assert client.get("/api/v1/campaigns/NOPE/progress", headers=headers).status_code == 404
    assert client.get("/api/v1/campaigns/TN-2025/progress").status_code == 401
