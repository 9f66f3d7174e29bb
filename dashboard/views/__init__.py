"""The dashboard's pages: each role's home here, the provincial pages in ``province``, the officer's
agency page in ``agency``, and the Excel downloads of their tables in ``exports``."""

from django.shortcuts import redirect, render

from campaign.selectors import current_campaign_for
from collectors.roles import ALL_ROLES, Role, role_of, role_required

from ..selectors import setup_status

ROLE_HOMES = {
    Role.ADMIN: "dashboard:admin_home",
    Role.PROVINCIAL: "dashboard:overview",
    Role.OFFICER: "dashboard:agency_home",
}


@role_required(*ALL_ROLES)
def home(request):
    """Send each role to its own home page."""
    return redirect(ROLE_HOMES[role_of(request.user)])


@role_required(Role.ADMIN)
def admin_home(request):
    campaign = current_campaign_for(request)
    context = {"campaign": campaign, "status": setup_status(campaign=campaign)}
    return render(request, "dashboard/admin_home.html", context)
