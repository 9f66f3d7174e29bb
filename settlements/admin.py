from django.contrib import admin

from .models import AgencyProfile, DeclarationBatch


@admin.register(AgencyProfile)
class AgencyProfileAdmin(admin.ModelAdmin):
    list_display = ["agency", "tax_code", "phone", "email"]
    search_fields = ["agency__code", "agency__name", "tax_code"]
    autocomplete_fields = ["agency"]


@admin.register(DeclarationBatch)
class DeclarationBatchAdmin(admin.ModelAdmin):
    """Read-only: a sent list never changes; it is sent and reconciled from the app's pages."""

    list_display = ["agency", "form", "number", "period_from", "period_to", "sent_at", "reconciled_at"]
    list_filter = ["form"]
    search_fields = ["agency__code", "agency__name"]
    list_select_related = ["agency"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
