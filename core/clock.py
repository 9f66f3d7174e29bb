"""The app's one clock.

Every "today" and "now" of the product comes from here, so that a demo can be pinned
to a day of the campaign (``APP_TODAY``) and tests can fix the day with ``settings``.
"""

from datetime import date, datetime

from django.conf import settings
from django.utils import timezone


def today() -> date:
    """The local calendar date (Asia/Ho_Chi_Minh), or ``APP_TODAY`` when set."""
    fixed = getattr(settings, "APP_TODAY", None)
    if fixed:
        return fixed if isinstance(fixed, date) else date.fromisoformat(str(fixed))
    return timezone.localdate()


def now() -> datetime:
    """The current aware moment; with ``APP_TODAY`` set, the local time of day on that date."""
    fixed = getattr(settings, "APP_TODAY", None)
    if not fixed:
        return timezone.now()
    local_now = timezone.localtime()
    return timezone.make_aware(datetime.combine(today(), local_now.time().replace(tzinfo=None)))
