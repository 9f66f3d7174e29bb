"""Vietnamese first: pages ignore the browser's Accept-Language; the API honours it.

Officers' phones are often set to English, yet the product speaks Vietnamese unless a
user picks English with the language switch (a cookie). Systems calling the API choose
the language of error messages with Accept-Language, as HTTP means it.
"""

from django.conf import settings
from django.middleware.locale import LocaleMiddleware

API_PREFIX = "/api/"


class VietnameseFirstLocaleMiddleware(LocaleMiddleware):
    def process_request(self, request):
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        if not chosen and not request.path_info.startswith(API_PREFIX):
            request.META.pop("HTTP_ACCEPT_LANGUAGE", None)
        super().process_request(request)
