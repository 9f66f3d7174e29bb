"""Two-step login (TOTP) for admins: enrolment, the code at login, backup codes, throttling (issue 10, fault 7)."""

import re
import time
from datetime import timedelta
from unittest import mock

import pytest
from django.test import Client, RequestFactory
from django.urls import reverse
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from collectors.accounts import two_step
from collectors.admin_site import BhxhAdminSite
from collectors.roles import Role
from collectors.tests.factories import UserFactory, officer_user

pytestmark = pytest.mark.django_db

PASSWORD = "secret-pass-123"
WRONG = "Mã không đúng. Hãy nhập 6 chữ số ứng dụng xác thực đang hiện, hoặc một mã dự phòng."


def _browser(user, address="10.0.0.1") -> Client:
    browser = Client(REMOTE_ADDR=address)
    assert browser.post(reverse("login"), {"username": user.username, "password": PASSWORD}).status_code == 302
    return browser


def _code(device: TOTPDevice, steps_later: int = 0) -> str:
    """The code an authenticator app shows, computed from the device's key (RFC 6238), not by the app's code."""
    totp = TOTP(device.bin_key, step=30, digits=6)
    totp.time = time.time() + 30 * steps_later
    return f"{totp.token():06d}"


def _later(steps: int):
    """The server's clock ``steps`` time steps later, as the TOTP check reads it."""
    clock = mock.Mock(time=lambda: time.time() + 30 * steps)
    return mock.patch("django_otp.plugins.otp_totp.models.time", clock)


def _enrol(browser) -> tuple[TOTPDevice, list[str]]:
    assert browser.post(reverse("two_step"), {"action": "start"}).status_code == 302
    device = TOTPDevice.objects.get(confirmed=False)
    page = browser.post(reverse("two_step"), {"action": "confirm", "code": _code(device)})
    assert page.status_code == 200
    device.refresh_from_db()
    codes = list(StaticToken.objects.filter(device__user=device.user).values_list("token", flat=True))
    assert all(code in page.content.decode() for code in codes)
    return device, codes


@pytest.fixture
def admin():
    return UserFactory(role=Role.ADMIN, is_staff=True)


@pytest.fixture
def slow_throttle(settings):
    """A minute's wait after one wrong code (not the default second), so a loaded test machine stays inside it."""
    settings.OTP_TOTP_THROTTLE_FACTOR = settings.OTP_STATIC_THROTTLE_FACTOR = 60


def _waits(page) -> int:
    """The seconds the throttle message asks to wait."""
    found = re.search(r"Đã nhập sai quá nhiều lần\. Hãy chờ (\d+) giây", page.content.decode())
    assert found, "no throttle message"
    return int(found.group(1))


def test_an_admin_enrols_with_a_server_drawn_qr_code_and_gets_ten_backup_codes(admin, slow_throttle):
    browser = _browser(admin)
    assert "Bật đăng nhập hai bước" in browser.get(reverse("two_step")).content.decode()
    browser.post(reverse("two_step"), {"action": "start"})
    page = browser.get(reverse("two_step")).content.decode()
    assert (
        "<svg" in page
        and 'class="two-step-qr"' in page
        and "<script" not in page.split("<main", 1)[1].split("</main>")[0]
    )
    device = TOTPDevice.objects.get(user=admin)
    assert not device.confirmed
    assert two_step.key_for_typing(device).replace(" ", "") in page.replace(" ", "")

    refused = browser.post(
        reverse("two_step"), {"action": "confirm", "code": "000000" if _code(device) != "000000" else "111111"}
    )
    assert "Mã không đúng. Hãy nhập 6 chữ số ứng dụng xác thực đang hiện." in refused.content.decode()
    device.refresh_from_db()
    assert not device.confirmed
    throttled = browser.post(reverse("two_step"), {"action": "confirm", "code": _code(device)})
    assert 30 < _waits(throttled) <= 60
    device.refresh_from_db()
    assert not device.confirmed
    device.throttling_failure_timestamp = None  # as if a few seconds had passed
    device.save()

    done = browser.post(reverse("two_step"), {"action": "confirm", "code": _code(device)})
    assert done.status_code == 200 and "Mã dự phòng" in done.content.decode()
    device.refresh_from_db()
    assert device.confirmed
    assert StaticToken.objects.filter(device__user=admin).count() == 10
    assert browser.get(reverse("admin:index")).status_code == 200  # this session passed the code


def test_once_enrolled_the_login_asks_for_the_code_before_any_page(admin):
    device, _ = _enrol(_browser(admin))
    browser = _browser(admin, "10.0.0.2")
    for url in (reverse("home"), reverse("dashboard:admin_home"), reverse("account"), reverse("admin:index")):
        response = browser.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(reverse("two_step_verify")), url
    assert browser.get("/api/v1/enrollments").status_code == 401
    assert browser.get(reverse("two_step_verify")).status_code == 200

    with _later(1):
        response = browser.post(reverse("two_step_verify"), {"code": _code(device, 1), "next": "/admin/"})
    assert response.status_code == 302 and response["Location"] == "/admin/"
    assert browser.get(reverse("admin:index")).status_code == 200
    assert browser.get("/api/v1/enrollments").status_code == 200


def test_a_wrong_code_is_refused_in_vietnamese_and_wrong_codes_are_throttled(admin, slow_throttle):
    device, _ = _enrol(_browser(admin))
    browser = _browser(admin, "10.0.0.2")
    right = _code(device, 1)
    wrong = "123456" if right != "123456" else "654321"

    refused = browser.post(reverse("two_step_verify"), {"code": wrong})
    assert refused.status_code == 200 and WRONG in refused.content.decode()
    # Straight after a wrong code even the right one is not checked: the device waits (1 s by default,
    # then 2, 4, 8...; a minute per step here).
    with _later(1):
        throttled = browser.post(reverse("two_step_verify"), {"code": right})
    assert 30 < _waits(throttled) <= 60
    assert browser.get(reverse("home")).status_code == 302  # still not let in

    device.refresh_from_db()
    assert device.throttling_failure_count == 1
    device.throttling_failure_timestamp -= timedelta(seconds=61)  # the wait is over
    device.save()
    with _later(1):
        accepted = browser.post(reverse("two_step_verify"), {"code": right})
    assert accepted.status_code == 302
    device.refresh_from_db()
    assert device.throttling_failure_count == 0


def test_ten_wrong_codes_in_a_row_mean_a_wait_of_over_eight_minutes(admin):
    device, _ = _enrol(_browser(admin))
    device.throttling_failure_count = 9
    device.save()
    two_step.app_device(admin).throttle_increment()
    device.refresh_from_db()
    allowed, info = device.verify_is_allowed()
    assert not allowed
    assert info["locked_until"] - device.throttling_failure_timestamp == timedelta(seconds=512)


@pytest.mark.parametrize("code", ["١٢٣٤٥٦", "12345", "1234567", "abc", "²²²²²²", "12\x0034"])
def test_codes_that_are_not_six_ascii_digits_or_a_backup_code_are_refused_without_counting(admin, code):
    device, _ = _enrol(_browser(admin))
    browser = _browser(admin, "10.0.0.2")
    page = browser.post(reverse("two_step_verify"), {"code": code})
    assert page.status_code in (200, 400)
    if page.status_code == 200:
        assert "Hãy nhập 6 chữ số ứng dụng xác thực đang hiện, hoặc một mã dự phòng 8 ký tự." in page.content.decode()
    device.refresh_from_db()
    assert device.throttling_failure_count == 0


def test_a_backup_code_logs_in_once(admin):
    _, codes = _enrol(_browser(admin))
    browser = _browser(admin, "10.0.0.2")
    response = browser.post(reverse("two_step_verify"), {"code": codes[0].upper()}, follow=True)
    assert response.redirect_chain[0][0] == "/"
    assert "Đã dùng một mã dự phòng: còn 9 mã." in response.content.decode()
    again = _browser(admin, "10.0.0.3")
    assert WRONG in again.post(reverse("two_step_verify"), {"code": codes[0]}).content.decode()


def test_enrolling_logs_out_the_admins_other_sessions(admin):
    laptop = _browser(admin, "10.0.0.9")
    _enrol(_browser(admin))
    assert laptop.get(reverse("account"))["Location"].startswith(reverse("login"))


def test_without_a_device_nothing_changes_for_anyone(client, admin):
    browser = _browser(admin)
    assert browser.get(reverse("dashboard:admin_home")).status_code == 200
    assert _browser(officer_user(), "10.0.0.2").get(reverse("account")).status_code == 200


def test_the_setting_requires_admins_to_enrol_first(settings, admin):
    settings.ADMIN_TWO_STEP_REQUIRED = True
    browser = _browser(admin)
    response = browser.get(reverse("dashboard:admin_home"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("two_step"))
    page = browser.get(reverse("two_step")).content.decode()
    assert "Quản trị viên bắt buộc dùng đăng nhập hai bước" in page
    officer = _browser(officer_user(), "10.0.0.2")
    assert officer.get(reverse("account")).status_code == 200  # officers are not asked
    _enrol(browser)
    assert browser.get(reverse("dashboard:admin_home")).status_code == 200
    refused = browser.post(reverse("two_step"), {"action": "off", "code": "123456"})
    assert "không thể tắt" in refused.content.decode()
    assert two_step.app_device(admin) is not None


def test_turning_it_off_needs_a_current_code(admin):
    browser = _browser(admin)
    device, _ = _enrol(browser)
    browser.post(reverse("two_step"), {"action": "off", "code": "12345x"})
    assert two_step.app_device(admin) is not None
    with _later(1):
        response = browser.post(reverse("two_step"), {"action": "off", "code": _code(device, 1)})
    assert response.status_code == 302
    assert two_step.app_device(admin) is None
    assert _browser(admin, "10.0.0.2").get(reverse("dashboard:admin_home")).status_code == 200


def test_the_admin_site_itself_refuses_an_admin_who_has_a_device_but_no_code(admin):
    _enrol(_browser(admin))
    request = RequestFactory().get("/admin/")
    request.user = admin
    admin.is_verified = lambda: False
    assert not BhxhAdminSite().has_permission(request)
    admin.is_verified = lambda: True
    assert BhxhAdminSite().has_permission(request)


def test_an_admin_turns_off_two_step_login_for_a_user_who_lost_their_phone(client, admin):
    other = UserFactory(role=Role.ADMIN, is_staff=True)
    _enrol(_browser(other, "10.0.0.5"))
    client.force_login(admin)
    client.post(
        reverse("admin:auth_user_changelist"),
        {"action": "turn_off_two_step", "_selected_action": [other.pk]},
    )
    assert two_step.app_device(other) is None
    assert not StaticToken.objects.filter(device__user=other).exists()
    assert _browser(other, "10.0.0.6").get(reverse("dashboard:admin_home")).status_code == 200


def test_new_backup_codes_need_a_current_code_and_replace_the_old_ones(admin):
    browser = _browser(admin)
    device, old = _enrol(browser)
    refused = browser.post(reverse("two_step"), {"action": "codes", "code": "12345x"})
    assert "Hãy nhập 6 chữ số" in refused.content.decode()
    assert sorted(StaticToken.objects.filter(device__user=admin).values_list("token", flat=True)) == sorted(old)
    with _later(1):
        page = browser.post(reverse("two_step"), {"action": "codes", "code": _code(device, 1)})
    new = list(StaticToken.objects.filter(device__user=admin).values_list("token", flat=True))
    assert len(new) == 10 and not set(new) & set(old)
    assert all(code in page.content.decode() for code in new)


def test_htmx_requests_are_sent_to_the_code_page_whole_and_next_stays_on_the_site(admin):
    device, _ = _enrol(_browser(admin))
    browser = _browser(admin, "10.0.0.2")
    partial = browser.get(reverse("collectors:agency_list"), headers={"HX-Request": "true"})
    assert partial.status_code == 200 and partial["HX-Redirect"].startswith(reverse("two_step_verify"))
    with _later(1):
        response = browser.post(reverse("two_step_verify"), {"code": _code(device, 1), "next": "https://evil.example/"})
    assert response.status_code == 302 and response["Location"] == "/"
