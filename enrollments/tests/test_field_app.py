"""The installable app: its manifest and service worker are served from the site root, to anyone."""

import json

import pytest
from django.urls import reverse

from campaign.tests.factories import CommuneFactory
from collectors.roles import Role
from enrollments.tests import test_views
from enrollments.tests.test_views import TODAY

pytestmark = pytest.mark.django_db

world = test_views.world
english = test_views.english
officer = test_views.officer


def test_the_manifest_is_public_and_starts_at_the_entry_page(client):
    response = client.get("/manifest.webmanifest")
    assert response.status_code == 200 and response["Content-Type"] == "application/manifest+json"
    data = json.loads(response.content)
    assert (data["start_url"], data["scope"], data["display"]) == ("/enroll/", "/", "standalone")
    assert [icon["sizes"] for icon in data["icons"]] == ["192x192", "512x512"]
    assert all(icon["src"].startswith("/static/icons/icon-") for icon in data["icons"])


def test_the_service_worker_is_served_from_the_root_and_never_kept_stale(client):
    response = client.get("/sw.js")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/javascript")
    assert (response["Service-Worker-Allowed"], response["Cache-Control"]) == ("/", "no-cache")
    assert 'addEventListener("fetch"' in response.content.decode()
    assert client.post("/sw.js").status_code == 405


def test_officer_pages_link_the_app_and_show_the_outbox(officer):
    body = officer.get(reverse("enrollments:enroll_bhxh")).content.decode()
    assert '<link rel="manifest" href="/manifest.webmanifest">' in body
    assert 'id="outbox-bar"' in body and "js/outbox.js" in body
    assert 'data-campaign="' in body and 'data-product="bhxh_tn"' in body


def test_other_roles_get_no_outbox(client, world):
    client.force_login(world["users"][Role.PROVINCIAL])
    body = client.get("/").content.decode()
    assert "outbox-bar" not in body and "manifest.webmanifest" not in body


# --- the field kit: what the phone keeps to quote offline ----------------------------------------


def test_the_field_kit_serves_every_rate_row_the_weeks_and_the_agencys_communes(officer, world):
    from campaign.models import PolicyParameters

    response = officer.get(reverse("enrollments:field_kit"))
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store, private"
    kit = json.loads(response.content)
    starts = [row["effective_from"] for row in kit["policies"]]
    assert starts == sorted(str(d) for d in PolicyParameters.objects.values_list("effective_from", flat=True))
    in_2025 = next(row for row in kit["policies"] if row["effective_from"] == "2025-07-01")
    assert (in_2025["bhyt_rate_pct"], in_2025["bhyt_ladder_pct"]) == ("4.5", ["100", "70", "60", "50", "40"])
    assert in_2025["bhxh_support_pct"] == {"poor": "50", "near_poor": "40", "ethnic_minority": "30", "other": "20"}
    assert [w["start_date"] for w in kit["campaign"]["weeks"]][:2] == ["2025-11-12", "2025-11-19"]
    assert kit["communes"] == [{"code": world["commune"].code, "name": world["commune"].name}]


def test_the_field_kit_names_people_by_a_hash_and_leaves_out_other_agencies_people(officer, world):
    from collectors.tests.factories import CollectorFactory
    from enrollments.field_kit import person_key
    from enrollments.models import PriorCoverage
    from enrollments.services import record_enrollment
    from enrollments.tests.factories import bhxh_request, cccd_of

    PriorCoverage.objects.create(
        cccd=cccd_of(30),
        product="bhyt_hgd",
        last_coverage_end="2025-08-14",
        commune=world["commune"],
        full_name="Lê Văn A",
    )
    elsewhere = CommuneFactory(province=world["campaign"].province)
    record_enrollment(
        campaign=world["campaign"],
        collector=CollectorFactory(agency=world["other"]),
        request=bhxh_request(31, commune_code=elsewhere.code, collected_on=TODAY),
    )
    body = officer.get(reverse("enrollments:field_kit")).content.decode()
    kit = json.loads(body)
    assert kit["people"][person_key(cccd_of(30))] == {
        "ends": {"bhyt_hgd": "2025-08-14"},
        "support_used": 0,
        "mug": None,
    }
    assert person_key(cccd_of(31)) not in kit["people"]
    assert cccd_of(30) not in body and "Lê Văn A" not in body


@pytest.mark.parametrize("role", [Role.ADMIN, Role.PROVINCIAL, None], ids=str)
def test_only_officers_get_the_field_kit(client, world, role):
    client.force_login(world["users"][role])
    assert client.get(reverse("enrollments:field_kit")).status_code == 403


def test_officer_pages_load_the_quote_script(officer):
    body = officer.get(reverse("enrollments:enroll_bhyt")).content.decode()
    assert "js/quote.js" in body and 'id="provisional-box"' in body


def test_the_field_kit_is_read_in_a_fixed_number_of_queries(officer, world, django_assert_max_num_queries):
    from collectors.tests.factories import CollectorFactory
    from enrollments.services import record_enrollment
    from enrollments.tests.factories import bhyt_request

    collector = CollectorFactory(agency=world["mine"])

    def grow(start: int) -> None:
        for number in range(start, start + 3):
            request = bhyt_request(
                number, commune_code=world["commune"].code, collected_on=TODAY, household_code=f"HGD-{number % 2}"
            )
            record_enrollment(campaign=world["campaign"], collector=collector, request=request)

    grow(40)
    officer.get(reverse("enrollments:field_kit"))
    with django_assert_max_num_queries(15) as few:  # session, user, role, agency, campaign and the kit
        officer.get(reverse("enrollments:field_kit"))
    grow(50)
    with django_assert_max_num_queries(len(few.captured_queries)):
        kit = json.loads(officer.get(reverse("enrollments:field_kit")).content)
    assert len(kit["people"]) == 6 and sorted(kit["households"]) == ["HGD-0", "HGD-1"]
