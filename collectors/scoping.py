"""Agency and province scoping: the functions every query a user triggers goes through.

An officer sees only rows of the agency they belong to. Several provinces can share one
instance: provincial staff see the rows of the province they are posted to (StaffPosting),
admins too when posted, and an admin without a posting sees every province. An officer's
province is their agency's BHXH office's. Anyone else sees nothing.
"""

from django.db.models import QuerySet

from campaign.models import Province

from .models import CollectionAgency, Collector, StaffPosting
from .roles import Role, role_of


def agency_of(user) -> CollectionAgency | None:
    """The agency of an officer's active collector record, if any."""
    if user is None or not user.is_authenticated:
        return None
    collector = collector_of(user)
    return collector.agency if collector else None


def province_of(user) -> Province | None:
    """The one province ``user`` works in: an officer's agency's, else their posting's; None if none."""
    if user is None or not user.is_authenticated:
        return None
    if not hasattr(user, "_province_cache"):
        role = role_of(user)
        province = None
        if role == Role.OFFICER:
            agency = agency_of(user)
            province = agency.office.province if agency is not None else None
        elif role in (Role.ADMIN, Role.PROVINCIAL):
            # Joined to the signed-in user already (accounts.backends, tokens); else one query.
            try:
                province = user.posting.province
            except StaffPosting.DoesNotExist:
                province = None
        user._province_cache = province
    return user._province_cache


def sees_every_province(user) -> bool:
    """An admin with no posting: the instance's every province."""
    return role_of(user) == Role.ADMIN and province_of(user) is None


def in_province(user, queryset: QuerySet, field: str = "province") -> QuerySet:
    """Limit ``queryset`` to ``user``'s province; ``field`` is the lookup path to the province
    (``"province"``, ``"office__province"``, ``"campaign__province"``, ...)."""
    if sees_every_province(user):
        return queryset
    province = province_of(user)
    if province is None:
        return queryset.none()
    return queryset.filter(**{field: province.pk})


def agencies_in_province(user) -> QuerySet:
    """The agencies of ``user``'s province (every agency for an admin without a posting)."""
    return in_province(user, CollectionAgency.objects.all(), "office__province")


def visible_to(
    user, queryset: QuerySet, *, agency_field: str = "agency", province_field: str | None = None
) -> QuerySet:
    """Limit ``queryset`` to what ``user`` may see.

    ``agency_field`` is the lookup path from the queryset's model to its agency
    (``"agency"``, ``"collector__agency"``, ...); ``"pk"`` when the model is the agency.
    Staff see the rows of their province: those whose agency is in it, or, with
    ``province_field`` (a path to a province, e.g. ``"province"`` for communes), those in it.
    """
    role = role_of(user)
    if role in (Role.ADMIN, Role.PROVINCIAL):
        if province_field is not None:
            return in_province(user, queryset, province_field)
        if sees_every_province(user):
            return queryset
        # A subquery on the agency key: the rows' own query joins no office or province table.
        return queryset.filter(**{f"{agency_field}__in": agencies_in_province(user).values("pk")})
    if role == Role.OFFICER:
        agency = agency_of(user)
        if agency is not None:
            return queryset.filter(**{agency_field: agency.pk})
    return queryset.none()


def visible_agencies(user) -> QuerySet:
    """The agencies ``user`` may open by code: an officer's own, the province's for staff."""
    return visible_to(user, CollectionAgency.objects.select_related("office"), agency_field="pk")


def collector_of(user) -> Collector | None:
    """The officer's own active collector record (the "who" of what they record), if any."""
    if user is None or not user.is_authenticated:
        return None
    if not hasattr(user, "_collector_cache"):
        user._collector_cache = (
            Collector.objects.select_related("agency", "agency__office", "agency__office__province")
            .filter(user=user, active=True, agency__active=True)
            .first()
        )
    return user._collector_cache
