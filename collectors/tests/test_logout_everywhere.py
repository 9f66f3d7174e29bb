"""Log out of every device: every session of the user ends, whatever the session store (issue 10, fault 7)."""

import pytest
from django.conf import settings
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse

from collectors.models import ApiToken
from collectors.roles import Role
from collectors.tests.factories import UserFactory, officer_user
from collectors.tokens import issue_api_token

pytestmark = pytest.mark.django_db

PASSWORD = "secret-pass-123"  # the factories' password
STORES = [
    "django.contrib.sessions.backends.db",
    "django.contrib.sessions.backends.cache",
    "django.contrib.sessions.backends.cached_db",
    "django.contrib.sessions.backends.signed_cookies",
]


def _device(user, address) -> Client:
    """A browser that logs in through the login form, as a person would."""
    browser = Client(REMOTE_ADDR=address)
    response = browser.post(reverse("login"), {"username": user.username, "password": PASSWORD})
    assert response.status_code == 302, "the login itself failed"
    return browser


def _signed_in(browser) -> bool:
    return browser.get(reverse("account")).status_code == 200


@pytest.mark.parametrize("store", STORES)
def test_logging_out_everywhere_from_one_phone_ends_the_session_on_the_other(settings, store):
    settings.SESSION_ENGINE = store
    user = officer_user()
    phone, laptop = _device(user, "10.0.0.1"), _device(user, "10.0.0.2")
    assert _signed_in(phone) and _signed_in(laptop)

    response = phone.post(reverse("logout_everywhere"))

    assert response.status_code == 302 and response["Location"] == reverse("login")
    assert not _signed_in(phone)
    refused = laptop.get(reverse("account"))
    assert refused.status_code == 302 and refused["Location"].startswith(reverse("login"))
    # A new login works again, on either device.
    assert _signed_in(_device(user, "10.0.0.2"))


def test_another_user_keeps_their_sessions():
    user, colleague = officer_user(), officer_user()
    mine, theirs = _device(user, "10.0.0.1"), _device(colleague, "10.0.0.2")
    mine.post(reverse("logout_everywhere"))
    assert _signed_in(theirs)


def test_logout_everywhere_is_a_post_for_signed_in_users(client):
    assert client.post(reverse("logout_everywhere"))["Location"].startswith(reverse("login"))
    client.force_login(UserFactory(role=Role.PROVINCIAL))
    assert client.get(reverse("logout_everywhere")).status_code == 405
    assert _signed_in(client)  # a link followed by mistake logs nobody out


def test_the_account_page_offers_the_button_in_vietnamese(client):
    client.force_login(UserFactory(role=Role.PROVINCIAL))
    page = client.get(reverse("account")).content.decode()
    assert "Đăng xuất khỏi mọi thiết bị" in page
    assert f'action="{reverse("logout_everywhere")}"' in page


def test_the_users_own_logout_everywhere_keeps_their_api_tokens(client):
    user = officer_user()
    _, raw = issue_api_token(user=user, name="post office system")
    browser = _device(user, "10.0.0.1")
    page = browser.get(reverse("account")).content.decode()
    assert "1" in page and "API" in page
    browser.post(reverse("logout_everywhere"))
    assert ApiToken.objects.get(user=user).revoked_at is None
    api = client.get("/api/v1/enrollments", HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert api.status_code == 200


def test_a_session_used_by_the_api_ends_too():
    user = officer_user()
    phone, laptop = _device(user, "10.0.0.1"), _device(user, "10.0.0.2")
    assert laptop.get("/api/v1/enrollments").status_code == 200
    phone.post(reverse("logout_everywhere"))
    assert laptop.get("/api/v1/enrollments").status_code == 401


def _admin_action(client, action: str, users: list[User]):
    return client.post(
        reverse("admin:auth_user_changelist"),
        {"action": action, "_selected_action": [user.pk for user in users]},
        follow=True,
    )


def test_an_admin_logs_a_user_out_everywhere_keeping_or_revoking_their_tokens(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    target, other = officer_user(), officer_user()
    token, _ = issue_api_token(user=target, name="post office system")
    target_phone, other_phone = _device(target, "10.0.0.1"), _device(other, "10.0.0.2")
    client.force_login(UserFactory(role=Role.ADMIN, is_staff=True))

    kept = _admin_action(client, "log_out_everywhere", [target])
    assert "1 users logged out of every device; 0 API tokens revoked." in kept.content.decode()
    assert not _signed_in(target_phone) and _signed_in(other_phone)
    token.refresh_from_db()
    assert token.revoked_at is None

    target_phone = _device(target, "10.0.0.1")
    revoked = _admin_action(client, "log_out_everywhere_and_revoke_tokens", [target])
    assert "1 users logged out of every device; 1 API tokens revoked." in revoked.content.decode()
    assert not _signed_in(target_phone)
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert _signed_in(client)  # the admin's own session is not touched


def test_a_session_from_before_the_feature_is_kept_until_the_first_logout_everywhere(client):
    user = UserFactory(role=Role.PROVINCIAL)
    client.force_login(user)
    session = client.session
    del session["_session_epoch"]
    session.save()
    assert _signed_in(client)
    Client().force_login(user)
    from collectors.accounts.sessions import end_all_sessions

    end_all_sessions(user=user)
    assert not _signed_in(client)


def test_deactivating_a_user_ends_their_sessions_and_tokens_at_once(client):
    user = officer_user()
    _, raw = issue_api_token(user=user, name="post office system")
    browser = _device(user, "10.0.0.1")
    user.is_active = False
    user.save()
    assert not _signed_in(browser)
    assert client.get("/api/v1/enrollments", HTTP_AUTHORIZATION=f"Bearer {raw}").status_code == 401
