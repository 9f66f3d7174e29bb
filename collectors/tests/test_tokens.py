"""API tokens: issued once and kept hashed, checked on each request, revoked in the admin or by command."""

import re
from datetime import UTC, datetime
from io import StringIO
from unittest import mock

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from collectors.models import ApiToken
from collectors.roles import Role
from collectors.tests.factories import UserFactory, officer_user
from collectors.tokens import issue_api_token, revoke_api_token, user_for_token

pytestmark = pytest.mark.django_db


def test_a_token_is_stored_only_as_its_hash():
    user = officer_user()
    token, raw = issue_api_token(user=user, name="post office system")
    stored = ApiToken.objects.values().get(pk=token.pk)
    assert raw not in str(stored) and len(raw) >= 40
    assert stored["prefix"] == raw[:8] and len(stored["key_hash"]) == 64
    assert user_for_token(raw) == user


def test_unknown_empty_revoked_and_deactivated_tokens_identify_nobody():
    user = officer_user()
    token, raw = issue_api_token(user=user, name="post office system")
    assert user_for_token("") is None and user_for_token(raw + "x") is None
    revoke_api_token(token=token)
    assert user_for_token(raw) is None

    _other, raw_other = issue_api_token(user=user, name="second system")
    user.is_active = False
    user.save()
    assert user_for_token(raw_other) is None


def test_revoking_twice_keeps_the_first_moment():
    token, _raw = issue_api_token(user=officer_user(), name="post office system")
    revoke_api_token(token=token)
    first = ApiToken.objects.get().revoked_at
    revoke_api_token(token=token)
    assert first is not None and ApiToken.objects.get().revoked_at == first


def test_use_is_recorded_at_most_once_a_minute():
    token, raw = issue_api_token(user=officer_user(), name="post office system")
    first, a_minute_later, a_minute_and_a_second_later = (
        datetime(2025, 11, 20, 3, 0, 0, tzinfo=UTC),
        datetime(2025, 11, 20, 3, 1, 0, tzinfo=UTC),
        datetime(2025, 11, 20, 3, 1, 1, tzinfo=UTC),
    )
    for now, recorded in [
        (first, first),
        (a_minute_later, first),  # 60 seconds since: not written again
        (a_minute_and_a_second_later, a_minute_and_a_second_later),
    ]:
        with mock.patch("collectors.tokens.timezone.now", return_value=now):
            assert user_for_token(raw) == token.user
        token.refresh_from_db()
        assert token.last_used_at == recorded


# --- Admin ----------------------------------------------------------------------------------------


@pytest.fixture
def admin_client(client):
    admin_user = UserFactory(role=Role.ADMIN, is_staff=True)
    client.force_login(admin_user)
    client.admin_user = admin_user
    return client


def test_admin_issues_a_token_and_shows_it_once(admin_client):
    officer = officer_user()
    response = admin_client.post(
        reverse("admin:collectors_apitoken_add"), {"user": officer.pk, "name": "Bưu điện system"}, follow=True
    )
    assert response.status_code == 200
    token = ApiToken.objects.get()
    assert (token.user, token.name, token.created_by) == (officer, "Bưu điện system", admin_client.admin_user)
    shown = re.findall(r"<code>([^<]+)</code>", response.content.decode())
    assert len(shown) == 1 and shown[0].startswith(token.prefix)
    assert user_for_token(shown[0]) == officer
    # The next page no longer shows it.
    assert "<code>" not in admin_client.get(reverse("admin:collectors_apitoken_changelist")).content.decode()


def test_admin_list_shows_prefix_user_and_use_and_revokes(admin_client):
    officer = officer_user(username="postofficer")
    token, raw = issue_api_token(user=officer, name="post office system")
    page = admin_client.get(reverse("admin:collectors_apitoken_changelist")).content.decode()
    assert f"{token.prefix}…" in page and "postofficer" in page and raw not in page
    assert "delete_selected" not in page

    response = admin_client.post(
        reverse("admin:collectors_apitoken_changelist"),
        {"action": "revoke", "_selected_action": [token.pk]},
        follow=True,
    )
    assert response.status_code == 200
    token.refresh_from_db()
    assert token.revoked_at is not None and user_for_token(raw) is None


def test_an_issued_token_cannot_be_edited(admin_client):
    token, _raw = issue_api_token(user=officer_user(), name="post office system")
    other = officer_user()
    url = reverse("admin:collectors_apitoken_change", args=[token.pk])
    assert admin_client.get(url).status_code == 200
    admin_client.post(url, {"user": other.pk, "name": "changed"})
    token.refresh_from_db()
    assert token.name == "post office system" and token.user != other


def test_officers_cannot_reach_the_token_admin(client):
    officer = officer_user(is_staff=True)
    client.force_login(officer)
    # The admin site is closed to every role but admin: the officer is sent to its login page.
    response = client.get(reverse("admin:collectors_apitoken_changelist"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("admin:login"))


# --- Command ---------------------------------------------------------------------------------------


def test_command_prints_a_working_token_once():
    officer = officer_user(username="postofficer")
    out, err = StringIO(), StringIO()
    call_command("issue_api_token", "postofficer", "--name", "post office system", stdout=out, stderr=err)
    raw = out.getvalue().strip()
    assert user_for_token(raw) == officer
    assert ApiToken.objects.get().name == "post office system"
    assert "shown only this once" in err.getvalue() and raw not in err.getvalue()


def test_command_refuses_an_unknown_or_deactivated_user():
    with pytest.raises(CommandError, match="No user"):
        call_command("issue_api_token", "nobody", "--name", "x")
    UserFactory(username="gone", is_active=False, role=Role.OFFICER)
    with pytest.raises(CommandError, match="deactivated"):
        call_command("issue_api_token", "gone", "--name", "x")
    assert ApiToken.objects.count() == 0


def test_command_warns_when_the_token_could_do_nothing():
    UserFactory(username="norole")
    err = StringIO()
    call_command("issue_api_token", "norole", "--name", "x", stdout=StringIO(), stderr=err)
    assert "no role" in err.getvalue()
    UserFactory(username="unlinked", role=Role.OFFICER)
    err = StringIO()
    call_command("issue_api_token", "unlinked", "--name", "x", stdout=StringIO(), stderr=err)
    assert "cannot record" in err.getvalue()
