"""The user admin's actions for accounts: log out of every device, turn off two-step login.

django-otp's own device admins are taken off the site: they show each authenticator's secret
key to every admin. An admin helps a user who lost their phone with "Turn off two-step login";
the user enrols again on their account page.
"""

from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin
from django.utils.translation import gettext_lazy as _
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from ..models import StaffPosting
from . import two_step
from .sessions import end_all_sessions

User = get_user_model()


class StaffPostingInline(admin.StackedInline):
    """The province a member of BHXH staff works for: without one, provincial staff see nothing
    and an admin sees every province. Officers need none (their agency's province is theirs)."""

    model = StaffPosting
    can_delete = True
    extra = 0
    max_num = 1
    autocomplete_fields = ["province"]


class AccountUserAdmin(UserAdmin):
    inlines = [*UserAdmin.inlines, StaffPostingInline]
    list_filter = [*UserAdmin.list_filter, "posting__province"]
    actions = [*UserAdmin.actions, "log_out_everywhere", "log_out_everywhere_and_revoke_tokens", "turn_off_two_step"]

    def _end_sessions(self, request, queryset, *, revoke_tokens: bool) -> None:
        revoked = sum(end_all_sessions(user=user, by=request.user, revoke_tokens=revoke_tokens) for user in queryset)
        text = _("%(users)s users logged out of every device; %(tokens)s API tokens revoked.")
        self.message_user(request, text % {"users": len(queryset), "tokens": revoked}, messages.SUCCESS)

    @admin.action(description=_("Log out of every device"), permissions=["change"])
    def log_out_everywhere(self, request, queryset) -> None:
        self._end_sessions(request, queryset, revoke_tokens=False)

    @admin.action(description=_("Log out of every device and revoke their API tokens"), permissions=["change"])
    def log_out_everywhere_and_revoke_tokens(self, request, queryset) -> None:
        self._end_sessions(request, queryset, revoke_tokens=True)

    @admin.action(description=_("Turn off two-step login (lost phone)"), permissions=["change"])
    def turn_off_two_step(self, request, queryset) -> None:
        for user in queryset:
            two_step.turn_off(user=user)
        text = _("Two-step login turned off for %(users)s users; they can enrol again on their account page.")
        self.message_user(request, text % {"users": len(queryset)}, messages.SUCCESS)


def register(site: admin.AdminSite) -> None:
    for model in (TOTPDevice, StaticDevice):
        if site.is_registered(model):
            site.unregister(model)
    if site.is_registered(User):
        site.unregister(User)
    site.register(User, AccountUserAdmin)
