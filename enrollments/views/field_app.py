"""The installable web app for officers: its manifest and its service worker, both served from the
site root so the worker's scope covers every page (a worker under /static/ would control none)."""

from pathlib import Path

from django.contrib.staticfiles import finders
from django.http import Http404, HttpResponse, JsonResponse
from django.templatetags.static import static
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from campaign.selectors import current_campaign
from collectors.roles import Role, public, role_required
from core import clock

from ..field_kit import field_kit

SERVICE_WORKER = "js/service-worker.js"


@public
@require_GET
def manifest(request):
    """The web app manifest: public, as browsers fetch it without the session."""
    icons = [
        {"src": static(f"icons/icon-{size}.png"), "sizes": f"{size}x{size}", "type": "image/png", "purpose": "any"}
        for size in (192, 512)
    ]
    body = {
        "name": _("BHXH campaign: record enrollments"),
        "short_name": "BHXH",
        "lang": "vi",
        "start_url": reverse("enrollments:start"),
        "scope": "/",
        "display": "standalone",
        "background_color": "#ffffff",
        "theme_color": "#0b5cab",
        "icons": icons,
    }
    return JsonResponse(body, content_type="application/manifest+json", json_dumps_params={"ensure_ascii": False})


@public
@require_GET
def service_worker(request):
    """The service worker's script (static/js/service-worker.js) at /sw.js, never cached stale."""
    path = finders.find(SERVICE_WORKER)
    if not path:
        raise Http404(SERVICE_WORKER)
    response = HttpResponse(Path(path).read_text(encoding="utf-8"), content_type="text/javascript; charset=utf-8")
    response["Cache-Control"] = "no-cache"
    response["Service-Worker-Allowed"] = "/"
    return response


@role_required(Role.OFFICER)
@require_GET
def kit(request):
    """The field kit (enrollments/field_kit.py) the phone keeps to quote and classify with no signal."""
    body = field_kit(request.user, campaign=current_campaign(user=request.user), today=clock.today())
    response = JsonResponse(body, json_dumps_params={"ensure_ascii": False, "separators": (",", ":")})
    response["Cache-Control"] = "no-store, private"
    return response
