from django.conf import settings

from campaign.selectors import campaign_choices, current_campaign_for
from core import clock


def campaign(request) -> dict:
    """The campaign the page is for and every campaign (the layout's chooser), and whether the app's day is pinned."""
    if not getattr(request, "user", None) or not request.user.is_authenticated:
        return {}
    return {
        "current_campaign": current_campaign_for(request),
        "campaign_choices": campaign_choices(request),
        "app_today": clock.today(),
        "app_today_fixed": bool(settings.APP_TODAY),
    }
