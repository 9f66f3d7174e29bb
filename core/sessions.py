"""Sessions end SESSION_COOKIE_AGE after their last use, not after their login.

Saving the session on every request would cost a write per page; touching it at login and then
once every ``TOUCH_SECONDS`` keeps the idle limit to within that margin.
"""

import time

TOUCH_SECONDS = 300
KEY = "_last_touch"


def touch_on_login(sender, request, user, **kwargs):
    """``user_logged_in`` receiver: the login's own save records the first touch."""
    if request is not None and hasattr(request, "session"):
        request.session[KEY] = int(time.time())


class IdleSessionMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        session = getattr(request, "session", None)
        user = getattr(request, "user", None)
        if session is not None and user is not None and user.is_authenticated:
            now = int(time.time())
            if now - session.get(KEY, 0) >= TOUCH_SECONDS:
                session[KEY] = now  # marks the session modified: saved with a new expiry
        return self.get_response(request)
