"""Logins are throttled per user and address; sessions end after inactivity (issue 10, fault 7)."""

import pytest
from django.conf import settings
from django.urls import reverse

from collectors.roles import Role
from collectors.tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def _login(client, username, password, address="10.0.0.1"):
    return client.post(reverse("login"), {"username": username, "password": password}, REMOTE_ADDR=address)


def test_five_wrong_passwords_lock_the_user_out_from_that_address(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    user = UserFactory(username="canbo", role=Role.PROVINCIAL)
    user.set_password("mat-khau-dung-2025")
    user.save()
    for _ in range(4):
        assert _login(client, "canbo", "sai").status_code == 200  # the form again, with its error
    assert _login(client, "canbo", "sai").status_code == 429  # the fifth locks the pair out
    locked = _login(client, "canbo", "mat-khau-dung-2025")
    assert locked.status_code == 429
    assert "Too many failed log-ins" in locked.content.decode()
    assert "_auth_user_id" not in client.session
    # Another address is not locked out by someone else's guesses.
    other = _login(client, "canbo", "mat-khau-dung-2025", address="10.0.0.2")
    assert other.status_code == 302 and client.session["_auth_user_id"] == str(user.pk)


def test_a_session_ends_eight_hours_after_its_last_use(client):
    from unittest import mock

    user = UserFactory(role=Role.PROVINCIAL)
    with mock.patch("core.sessions.time.time", return_value=1_000_000):
        client.force_login(user)
        client.get(reverse("home"))
    assert client.session["_last_touch"] == 1_000_000
    first = client.session.get_expiry_date()
    with mock.patch("core.sessions.time.time", return_value=1_000_000 + 600):
        client.get(reverse("home"))  # used again ten minutes later: the session is renewed
    assert settings.SESSION_COOKIE_AGE == 8 * 60 * 60
    assert client.session["_last_touch"] == 1_000_600
    assert client.session.get_expiry_date() >= first
