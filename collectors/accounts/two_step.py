"""Two-step login (TOTP) for admins, on django-otp, with static backup codes.

An admin enrols an authenticator app on their account page. From then on a session that has
passed the password is not yet let in: every page sends it to the code page until a 6-digit
code (or a backup code) is entered there (``TwoStepMiddleware``). With
``ADMIN_TWO_STEP_REQUIRED`` on, an admin without an app is sent to enrol one first.

Whether a user has a device is read once per session, at login, and kept in the session: the
pages then cost no query for it. It stays true because enrolling ends the user's other sessions
(they log in again and read it afresh); a device removed later only sends a stale session to
the code page, which reads it again. Wrong codes are throttled by django-otp per device: after
n wrong codes in a row, the next is not even checked for 2^(n-1) seconds.
"""

import math
import re
from base64 import b32encode

import segno
from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_otp import devices_for_user, match_token, user_has_device
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from core.errors import DomainError
from core.text import is_digits

from ..roles import Role, role_of

HAS_DEVICE_KEY = "_two_step_device"
VERIFY, ENROL = "verify", "enrol"
BACKUP_CODES = 10
APP_DEVICE_NAME, BACKUP_DEVICE_NAME = "authenticator", "backup"
_BACKUP_CODE = re.compile(r"[a-z2-7]{8}")


def remember_devices_on_login(sender, request, user, **kwargs) -> None:
    """``user_logged_in`` receiver: whether this session will need a code."""
    if request is not None and hasattr(request, "session"):
        request.session[HAS_DEVICE_KEY] = user_has_device(user)


def step_needed(request) -> str | None:
    """``VERIFY`` when the signed-in user must still enter a code, ``ENROL`` when they must enrol first."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or getattr(user, "is_verified", lambda: False)():
        return None
    if HAS_DEVICE_KEY not in request.session:  # a session from before two-step login existed
        request.session[HAS_DEVICE_KEY] = user_has_device(user)
    if request.session[HAS_DEVICE_KEY]:
        return VERIFY
    if settings.ADMIN_TWO_STEP_REQUIRED and role_of(user) == Role.ADMIN:
        return ENROL
    return None


def code_passed(request) -> bool:
    """Whether the session has entered its code, or the user has no device (read afresh, not the session's)."""
    user = request.user
    return getattr(user, "is_verified", lambda: False)() or not user_has_device(user)


def refresh_step(request) -> str | None:
    """Read the user's devices again (the code page does, in case one was removed meanwhile)."""
    request.session[HAS_DEVICE_KEY] = user_has_device(request.user)
    return step_needed(request)


# --- Enrolment ---------------------------------------------------------------------


def app_device(user, *, confirmed: bool | None = True) -> TOTPDevice | None:
    return TOTPDevice.objects.devices_for_user(user, confirmed=confirmed).order_by("-pk").first()


def start_enrolment(*, user) -> TOTPDevice:
    """A new, unconfirmed authenticator for ``user`` (an earlier unconfirmed one is dropped)."""
    if app_device(user) is not None:
        raise DomainError(_("Two-step login is already on; turn it off first to use another phone."))
    with transaction.atomic():
        TOTPDevice.objects.filter(user=user, confirmed=False).delete()
        return TOTPDevice.objects.create(user=user, name=APP_DEVICE_NAME, confirmed=False)


def confirm_enrolment(*, user, code: str) -> tuple[TOTPDevice, list[str]]:
    """Turn two-step login on once the app shows a right code; returns the device and backup codes.

    The device row is locked, so a double-tapped button confirms once and hands out one set of
    codes; a refusal is raised after the transaction, so a wrong code's throttling is kept.
    """
    with transaction.atomic():
        device = TOTPDevice.objects.select_for_update().filter(user=user, confirmed=False).order_by("-pk").first()
        if device is None:
            raise DomainError(_("Start again: scan a new QR code with your authenticator app."), field="code")
        _refuse_while_throttled([device])
        accepted = _kind_of(code) == "app" and device.verify_token(_normalised(code))
        if accepted:
            device.confirmed = True
            device.save(update_fields=["confirmed"])
            return device, new_backup_codes(user=user)
    raise DomainError(_("This code is not right. Enter the 6 digits your authenticator app shows now."), field="code")


def new_backup_codes(*, user) -> list[str]:
    """Ten fresh single-use backup codes for ``user``; any earlier ones stop working."""
    device, _ = StaticDevice.objects.get_or_create(user=user, name=BACKUP_DEVICE_NAME, defaults={"confirmed": True})
    device.token_set.all().delete()
    codes = [StaticToken.random_token() for _ in range(BACKUP_CODES)]
    StaticToken.objects.bulk_create(StaticToken(device=device, token=code) for code in codes)
    return codes


def backup_codes_left(user) -> int:
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()


def turn_off(*, user) -> None:
    """Remove the user's authenticator and backup codes (they lost their phone, or turned it off)."""
    with transaction.atomic():
        TOTPDevice.objects.filter(user=user).delete()
        StaticDevice.objects.filter(user=user).delete()


def qr_code_svg(device: TOTPDevice) -> str:
    """The device's otpauth:// address as an SVG QR code, drawn here (no image service, no script)."""
    return segno.make(device.config_url, error="m").svg_inline(scale=5, svgclass="two-step-qr", lineclass=None)


def key_for_typing(device: TOTPDevice) -> str:
    """The secret in base32, in groups of four, for an app that cannot scan."""
    secret = b32encode(device.bin_key).decode()
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


# --- Verification ------------------------------------------------------------------


def _normalised(code: str) -> str:
    return re.sub(r"[\s-]", "", code or "").lower()


def _kind_of(code: str) -> str | None:
    code = _normalised(code)
    if len(code) == 6 and is_digits(code):
        return "app"
    return "backup" if _BACKUP_CODE.fullmatch(code) else None


def _seconds_to_wait(devices: list) -> int:
    """0 when a code may be checked now; else how long every one of ``devices`` is throttled."""
    now, waits = timezone.now(), []
    for device in devices:
        allowed, info = device.verify_is_allowed()
        if not allowed and info and info.get("locked_until"):
            waits.append(info["locked_until"])
    if devices and len(waits) == len(devices):
        return max(1, math.ceil((min(waits) - now).total_seconds()))
    return 0


def _refuse_while_throttled(devices: list) -> None:
    wait = _seconds_to_wait(devices)
    if wait:
        raise DomainError(
            _("Too many wrong codes. Wait %(seconds)s seconds, then try the code your app shows at that time.")
            % {"seconds": wait},
            field="code",
        )


def verify_code(*, user, code: str):
    """The device that accepts ``code`` (the app's or a backup code, used up); else a refusal."""
    if _kind_of(code) is None:
        raise DomainError(
            _("Enter the 6 digits your authenticator app shows, or a backup code of 8 characters."), field="code"
        )
    _refuse_while_throttled(list(devices_for_user(user)))
    device = match_token(user, _normalised(code))
    if device is None:
        raise DomainError(
            _("This code is not right. Enter the 6 digits your authenticator app shows now, or a backup code."),
            field="code",
        )
    return device
