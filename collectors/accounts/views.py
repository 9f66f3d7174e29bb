"""The user's own account page, logging out of every device, and two-step login."""

from django.conf import settings
from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST
from django_otp import login as otp_login
from django_otp.plugins.otp_static.models import StaticDevice

from core.errors import DomainError

from ..models import ApiToken
from ..roles import ALL_ROLES, Role, role_of, role_required
from . import two_step
from .forms import CodeForm
from .middleware import two_step_allows
from .sessions import end_other_sessions, log_out_everywhere


@role_required(*ALL_ROLES)
def account(request):
    user = request.user
    context = {
        "role": role_of(user),
        "active_tokens": ApiToken.objects.filter(user=user, revoked_at__isnull=True).count(),
        "two_step_on": two_step.app_device(user) is not None if role_of(user) == Role.ADMIN else None,
    }
    return render(request, "accounts/account.html", context)


@role_required(*ALL_ROLES)
@require_POST
def logout_everywhere(request):
    log_out_everywhere(request)
    messages.success(request, _("You have been logged out of every device. Log in again to go on."))
    return redirect("login")


def _next_url(request) -> str:
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    hosts = {request.get_host()}
    if url_has_allowed_host_and_scheme(candidate, allowed_hosts=hosts, require_https=request.is_secure()):
        return candidate
    return settings.LOGIN_REDIRECT_URL


@two_step_allows(two_step.VERIFY)
@role_required(*ALL_ROLES)
@never_cache
def two_step_verify(request):
    step = two_step.refresh_step(request) if request.method == "GET" else two_step.step_needed(request)
    if step != two_step.VERIFY:
        return redirect(_next_url(request) if step is None else "two_step")
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            device = two_step.verify_code(user=request.user, code=form.cleaned_data["code"])
        except DomainError as exc:
            form.add_error("code", exc.messages)
        else:
            request.session.cycle_key()
            otp_login(request, device)
            if isinstance(device, StaticDevice):
                left = two_step.backup_codes_left(request.user)
                messages.warning(request, _("Backup code used: %(count)s left.") % {"count": left})
            return redirect(_next_url(request))
    return render(request, "accounts/two_step_verify.html", {"form": form, "next": _next_url(request)})


def _start(request, form):
    two_step.start_enrolment(user=request.user)
    return redirect("two_step")


def _confirm(request, form):
    device, codes = two_step.confirm_enrolment(user=request.user, code=form.data.get("code", ""))
    end_other_sessions(request)  # they log in again, with the code
    request.session[two_step.HAS_DEVICE_KEY] = True
    otp_login(request, device)
    return render(request, "accounts/two_step_codes.html", {"codes": codes, "enrolled": True})


def _new_codes(request, form):
    two_step.verify_code(user=request.user, code=form.data.get("code", ""))
    codes = two_step.new_backup_codes(user=request.user)
    return render(request, "accounts/two_step_codes.html", {"codes": codes, "enrolled": False})


def _turn_off(request, form):
    if settings.ADMIN_TWO_STEP_REQUIRED:
        raise DomainError(_("Two-step login is required for administrators here; it cannot be turned off."))
    two_step.verify_code(user=request.user, code=form.data.get("code", ""))
    two_step.turn_off(user=request.user)
    request.session[two_step.HAS_DEVICE_KEY] = False
    messages.success(request, _("Two-step login is off."))
    return redirect("account")


ACTIONS = {"start": _start, "confirm": _confirm, "codes": _new_codes, "off": _turn_off}


@two_step_allows(two_step.ENROL)
@role_required(Role.ADMIN)
@never_cache
def two_step_page(request):
    """Enrol an authenticator app, see how many backup codes are left, make new ones, turn it off."""
    form = CodeForm(request.POST or None)
    name = request.POST.get("action", "") if request.method == "POST" else ""
    action = ACTIONS.get(name)
    if action is not None:
        try:
            return action(request, form)
        except DomainError as exc:
            form.add_error(None if exc.errors.keys() == {"__all__"} else "code", exc.messages)
    device = two_step.app_device(request.user)
    pending = None if device else two_step.app_device(request.user, confirmed=False)
    context = {
        "form": form,
        "blank": CodeForm(),
        "failed": name,
        "device": device,
        "pending": pending,
        "qr_svg": two_step.qr_code_svg(pending) if pending else "",
        "key": two_step.key_for_typing(pending) if pending else "",
        "backup_left": two_step.backup_codes_left(request.user) if device else 0,
        "required": settings.ADMIN_TWO_STEP_REQUIRED,
    }
    return render(request, "accounts/two_step.html", context)
