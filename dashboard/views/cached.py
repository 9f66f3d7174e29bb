"""Dashboard content rendered once for everyone who sees the same thing, until the figures change.

Rendering the provincial dashboard costs about 120 ms of CPU; twenty staff refreshing it would
queue behind each other on a few workers. Its content depends only on the campaign, the day, the
filters in the query string and the language (no user name, no CSRF token: those are in the page's
shell, rendered per request; the content is rendered without the context processors), so it is
kept under a key of those and the figures' version (and retention's: its round and stored figures), with
the previous content served while one request renders the new one (core.caching.fresh_or_previous).
"""

import hashlib

from django.template.loader import render_to_string
from django.utils.safestring import mark_safe
from django.utils.translation import get_language

from campaign.models import Campaign
from core import caching, clock

from ..progress.answer import figures_version
from ..progress.queries import COUNTS_SECONDS
from ..retention import retention_version


def shared_content(request, *, campaign: Campaign, template: str, context) -> str:
    """``template`` rendered with ``context()`` (called only when the content must be rendered anew)."""
    query = hashlib.sha256(request.GET.urlencode().encode()).hexdigest()[:16]
    key = f"dashboard:page:{template}:{campaign.pk}:{clock.today().isoformat()}:{get_language()}:{query}"
    html = caching.fresh_or_previous(
        key,
        # Retention is stored by a task once a round: the round and the stored figures' version too.
        f"{figures_version(campaign)}.{retention_version(campaign)}",
        lambda: str(render_to_string(template, context() | {"request": request})),
        COUNTS_SECONDS,
    )
    return mark_safe(html)  # our own template's output, escaped when it was rendered
