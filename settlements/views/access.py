"""Who opens the agency's paperwork and money: admins, and the agency's own officers for their agency."""

from django.core.exceptions import PermissionDenied
from django.http import Http404

from collectors.models import CollectionAgency
from collectors.roles import Role, role_of
from collectors.scoping import agency_of

ADMIN_AND_OFFICER = (Role.ADMIN, Role.OFFICER)


def own_agency(user) -> CollectionAgency | None:
    """None for an admin (any agency); the officer's agency; refused for an officer without one."""
    if role_of(user) == Role.ADMIN:
        return None
    agency = agency_of(user)
    if agency is None:
        raise PermissionDenied
    return agency


def check_agency(user, agency: CollectionAgency) -> None:
    """Another agency's row is not found, as for its enrollments: a refusal would tell it exists."""
    mine = own_agency(user)
    if mine is not None and mine.pk != agency.pk:
        raise Http404
