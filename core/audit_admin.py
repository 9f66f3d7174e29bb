"""The admin site's history pages for audited models: read the trail, never replay it."""

from django.core.exceptions import PermissionDenied
from simple_history.admin import SimpleHistoryAdmin


class HistoryAdmin(SimpleHistoryAdmin):
    """simple-history's *History* pages without their revert form.

    Reverting saves an old row through the admin's form, past the services and their rules
    (a published ranking, a person another agency recorded); SIMPLE_HISTORY_REVERT_DISABLED only
    hides the button, so the POST is refused here.
    """

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        if request.method != "GET":
            raise PermissionDenied
        return super().history_form_view(request, object_id, version_id, extra_context)
