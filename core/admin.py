from django.contrib import admin

from core.models import DownloadRecord, ImportRecord, PendingWork


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


@admin.register(DownloadRecord)
class DownloadRecordAdmin(admin.ModelAdmin):
    """Who downloaded personal data: read-only; the download views write the records."""

    list_display = ["downloaded_at", "export", "file_name", "actor", "rows"]
    list_filter = ["export"]
    search_fields = ["actor", "file_name"]
    date_hierarchy = "downloaded_at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
