from django.contrib import admin

from .models import AgencyProfile, DeclarationBatch, FeeRate, Receipt, ReceiptSeries, StatementLine, Transfer


class ReadOnlyAdmin(admin.ModelAdmin):
    """Rows written only by the app's services: seen here, never added, changed or deleted."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(AgencyProfile)
class AgencyProfileAdmin(admin.ModelAdmin):
    list_display = ["agency", "tax_code", "phone", "email"]
    search_fields = ["agency__code", "agency__name", "tax_code"]
    autocomplete_fields = ["agency"]


@admin.register(DeclarationBatch)
class DeclarationBatchAdmin(ReadOnlyAdmin):
    """Read-only: a sent list never changes; it is sent and reconciled from the app's pages."""

    list_display = ["agency", "form", "number", "period_from", "period_to", "sent_at", "reconciled_at"]
    list_filter = ["form"]
    search_fields = ["agency__code", "agency__name"]
    list_select_related = ["agency"]


@admin.register(ReceiptSeries)
class ReceiptSeriesAdmin(admin.ModelAdmin):
    """An admin opens an agency's series; numbers are then taken by recording, never typed here."""

    list_display = ["prefix", "agency", "digits", "next_number", "active"]
    list_filter = ["active"]
    search_fields = ["prefix", "agency__code", "agency__name"]
    list_select_related = ["agency"]
    autocomplete_fields = ["agency"]
    readonly_fields = ["next_number"]

    def get_readonly_fields(self, request, obj=None):
        # Once a number is issued, the prefix and width are what the printed receipts say.
        return ["next_number", "prefix", "digits", "agency"] if obj and obj.next_number > 1 else ["next_number"]

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Receipt)
class ReceiptAdmin(ReadOnlyAdmin):
    """Read-only: receipts are issued by recording and voided from the receipt's page, never deleted."""

    list_display = ["receipt_no", "agency", "status", "issued_at", "void_reason"]
    list_filter = ["status"]
    search_fields = ["receipt_no", "agency__code"]
    list_select_related = ["agency"]


@admin.register(Transfer)
class TransferAdmin(ReadOnlyAdmin):
    """Recorded on the money page by the agency; kept as the trail of what was handed over."""

    list_display = ["agency", "transferred_on", "amount", "bank_reference", "recorded_at"]
    search_fields = ["bank_reference", "agency__code"]
    list_select_related = ["agency"]


@admin.register(StatementLine)
class StatementLineAdmin(ReadOnlyAdmin):
    """Written by confirming an uploaded bank statement; kept as the trail of what paid which receipt."""

    list_display = ["agency", "credited_on", "amount", "bank_reference", "result", "receipt"]
    list_filter = ["result"]
    search_fields = ["bank_reference", "content", "agency__code", "receipt__receipt_no"]
    list_select_related = ["agency", "receipt"]
    date_hierarchy = "credited_on"


@admin.register(FeeRate)
class FeeRateAdmin(admin.ModelAdmin):
    """The admin sets what each kind of agency earns; a new rate gets a new "in force from" date."""

    list_display = ["agency_kind", "product", "classification", "method", "percent", "fixed_amount", "effective_from"]
    list_filter = ["agency_kind", "product", "classification"]
