import pytest
from django.urls import reverse

from campaign.tests.factories import CampaignFactory, CommuneFactory, CoverageBaselineFactory
from collectors.roles import Role
from collectors.tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_login_page_is_in_vietnamese_and_fits_a_phone(client):
    body = client.get(reverse("login")).content.decode()
    assert '<html lang="vi">' in body
    assert "Đăng nhập" in body and "Tên đăng nhập" in body and "Mật khẩu" in body
    assert 'name="viewport" content="width=device-width, initial-scale=1"' in body
    assert "/static/bootstrap/css/bootstrap.min.css" in body  # served by the app, no CDN
    assert "https://" not in body


def test_english_is_available(client):
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    body = client.get(reverse("login")).content.decode()
    assert '<html lang="en">' in body and "Log in" in body


def test_wrong_password_gets_a_vietnamese_message_and_no_session(client):
    UserFactory(username="cb01", role=Role.OFFICER)
    response = client.post(reverse("login"), {"username": "cb01", "password": "wrong"})
    assert response.status_code == 200
    assert "mật khẩu chính xác" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_logout_needs_a_post_and_ends_the_session(client):
    client.force_login(UserFactory(role=Role.PROVINCIAL))
    response = client.post(reverse("logout"))
    assert response.status_code == 302
    assert "_auth_user_id" not in client.session


def test_password_change(client):
    user = UserFactory(role=Role.OFFICER)
    client.force_login(user)
    response = client.post(
        reverse("password_change"),
        {"old_password": "secret-pass-123", "new_password1": "mua-thu-ha-noi-42", "new_password2": "mua-thu-ha-noi-42"},
    )
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.check_password("mua-thu-ha-noi-42")


def test_overview_shows_coverage_against_targets(client, settings):
    settings.APP_TODAY = "2025-11-20"
    campaign = CampaignFactory()
    # DOMAIN.md's coverage example before the campaign's people: 27.900 of 30.000 = 93,00%; 95% → gap 600.
    CoverageBaselineFactory(campaign=campaign, commune=CommuneFactory())
    client.force_login(UserFactory(role=Role.PROVINCIAL))
    body = client.get(reverse("dashboard:overview")).content.decode()
    assert "93,00%" in body
    assert "còn thiếu 600 người" in body
    assert "tuần 2" in body
    assert "27.900 / 30.000" in body


def test_pages_stay_vietnamese_for_a_phone_set_to_english(client):
    body = client.get(reverse("login"), headers={"Accept-Language": "en-US,en;q=0.9"}).content.decode()
    assert '<html lang="vi">' in body and "Đăng nhập" in body


def test_the_api_follows_accept_language(client):
    english = client.get("/api/v1/quote?product=bhyt_hgd&months=24", headers={"Accept-Language": "en"})
    vietnamese = client.get("/api/v1/quote?product=bhyt_hgd&months=24", headers={"Accept-Language": "vi"})
    assert english.headers["Content-Language"] == "en" and vietnamese.headers["Content-Language"] == "vi"
