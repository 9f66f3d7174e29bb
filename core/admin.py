from django.contrib import admin

from core.models import ImportRecord, PendingWork


@admin.register(ImportRecord)
class ImportRecordAdmin(admin.ModelAdmin):
    """The audit trail of uploads: read-only; the upload pages create the records."""

    list_display = ["created_at", "kind", "file_name", "actor", "source", "rows_read", "rows_written", "outcome"]
    list_filter = ["kind", "outcome", "source"]
    search_fields = ["file_name", "sha256", "actor"]
    date_hierarchy = "created_at"
    exclude = ["pending_file", "rejected_file"]

    def get_queryset(self, request):
        return super().get_queryset(request).defer("pending_file", "rejected_file")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(PendingWork)
class PendingWorkAdmin(admin.ModelAdmin):
    """What waits for Redis to come back (core.outbox); beat does it every minute. Read-only."""

    list_display = ["created_at", "kind", "name", "attempts", "last_error"]
    list_filter = ["kind"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
