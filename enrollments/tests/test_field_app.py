"""The installable app: its manifest and service worker are served from the site root, to anyone."""

import json

import pytest
from django.urls import reverse

from collectors.roles import Role
from enrollments.tests import test_views

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
