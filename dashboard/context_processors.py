from django.conf import settings

from campaign.selectors import current_campaign_for
from core import clock


def campaign(request) -> dict:
    """The running campaign for the layout, and whether the app shows demo data or a pinned day."""
    if not getattr(request, "user", None) or not request.user.is_authenticated:
        return {}
    return {
        "current_campaign": current_campaign_for(request),
        "app_today": clock.today(),
        "app_today_fixed": bool(settings.APP_TODAY),
    }
