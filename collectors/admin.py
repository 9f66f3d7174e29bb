from django.contrib import admin, messages
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from core.audit_admin import HistoryAdmin

from .accounts.admin import register as register_account_admin
from .models import ApiToken, CollectionAgency, Collector, WeeklyQuota
from .tokens import issue_api_token, revoke_api_token


class CollectorInline(admin.TabularInline):
    model = Collector
    extra = 0
    fields = ["code", "name", "phone", "user", "active"]
    raw_id_fields = ["user"]


@admin.register(CollectionAgency)
class CollectionAgencyAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "kind", "office", "active", "is_demo"]
    list_filter = ["kind", "office", "active", "is_demo"]
    search_fields = ["code", "name"]
    filter_horizontal = ["communes"]
    list_select_related = ["office"]
    inlines = [CollectorInline]


@admin.register(Collector)
class CollectorAdmin(HistoryAdmin):
    list_display = ["code", "name", "agency", "phone", "user", "active"]
    list_filter = ["active", "agency__kind", "agency__office"]
    search_fields = ["code", "name", "phone", "agency__code", "agency__name"]
    list_select_related = ["agency", "user"]
    raw_id_fields = ["user"]
    autocomplete_fields = ["agency"]


@admin.register(WeeklyQuota)
class WeeklyQuotaAdmin(HistoryAdmin):
    list_display = ["agency", "week", "product", "count"]
    list_filter = ["week__campaign", "week__number", "product"]
    search_fields = ["agency__code", "agency__name"]
    list_select_related = ["agency", "week", "week__campaign"]
    autocomplete_fields = ["agency"]


class RevokedFilter(admin.SimpleListFilter):
    title = _("revoked")
    parameter_name = "revoked"

    def lookups(self, request, model_admin):
        return [("no", _("active")), ("yes", _("revoked"))]

    def queryset(self, request, queryset):
        if self.value() in ("yes", "no"):
            return queryset.filter(revoked_at__isnull=self.value() == "no")
        return queryset


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    """Admins issue a token for a user's system; the token is shown once, then only its hash is kept.

    A token acts as its user: their role, and for an officer their agency, decide what it may do.
    Tokens are revoked, not deleted, so the list keeps who had access and when it was last used.
    """

    list_display = ["prefix_shown", "name", "user", "created_at", "created_by", "last_used_at", "is_revoked"]
    list_filter = [RevokedFilter, "created_at"]
    search_fields = ["name", "prefix", "user__username", "user__first_name", "user__last_name"]
    list_select_related = ["user", "created_by"]
    autocomplete_fields = ["user"]
    actions = ["revoke"]
    fields = ["user", "name"]
    readonly_fields_on_change = [
        "user",
        "name",
        "prefix_shown",
        "created_at",
        "created_by",
        "last_used_at",
        "revoked_at",
    ]

    def get_fields(self, request, obj=None):
        return self.readonly_fields_on_change if obj else self.fields

    def get_readonly_fields(self, request, obj=None):
        return self.readonly_fields_on_change if obj else []

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    @admin.display(description=_("token"), ordering="prefix")
    def prefix_shown(self, token: ApiToken) -> str:
        return f"{token.prefix}…"

    @admin.display(description=_("revoked"), boolean=True, ordering="revoked_at")
    def is_revoked(self, token: ApiToken) -> bool:
        return token.revoked_at is not None

    def save_model(self, request, obj: ApiToken, form, change: bool) -> None:
        if change:
            return  # nothing of an issued token is editable; revoke it and issue another
        token, raw = issue_api_token(user=obj.user, name=obj.name, issued_by=request.user)
        for field in ApiToken._meta.concrete_fields:
            setattr(obj, field.attname, getattr(token, field.attname))
        obj._state.adding, obj._state.db = False, token._state.db
        messages.warning(
            request,
            format_html(
                "{} <code>{}</code>",
                _("The API token for %(user)s, shown only this once; copy it into their system now:")
                % {"user": obj.user},
                raw,
            ),
        )

    @admin.action(description=_("Revoke the selected API tokens"), permissions=["change"])
    def revoke(self, request, queryset) -> None:
        tokens = list(queryset.filter(revoked_at__isnull=True))
        for token in tokens:
            revoke_api_token(token=token)
        self.message_user(request, _("%(count)s API tokens revoked.") % {"count": len(tokens)}, messages.SUCCESS)


# The user admin with the account actions (collectors/accounts/admin.py).
register_account_admin(admin.site)
