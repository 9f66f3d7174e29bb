from django.shortcuts import redirect, render

from campaign.selectors import current_campaign
from collectors.roles import ALL_ROLES, Role, role_of, role_required

from .selectors import campaign_overview, setup_status

ROLE_HOMES = {
    Role.ADMIN: "dashboard:admin_home",
    Role.PROVINCIAL: "dashboard:overview",
    Role.OFFICER: "collectors:my_agency",
}


@role_required(*ALL_ROLES)
def home(request):
    """Send each role to its own home page."""
    return redirect(ROLE_HOMES[role_of(request.user)])


@role_required(Role.ADMIN, Role.PROVINCIAL)
def overview(request):
    campaign = current_campaign()
    context = campaign_overview(campaign=campaign) if campaign else {"campaign": None}
    return render(request, "dashboard/overview.html", context)


@role_required(Role.ADMIN)
def admin_home(request):
    campaign = current_campaign()
    context = {"campaign": campaign, "status": setup_status(campaign=campaign)}
    return render(request, "dashboard/admin_home.html", context)
