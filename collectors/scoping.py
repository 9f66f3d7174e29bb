"""Agency scoping: the one function every officer-triggered query goes through.

Admins and provincial staff see every agency; an officer sees only rows of the
agency they belong to; anyone else sees nothing.
"""

from django.db.models import QuerySet

from .models import CollectionAgency, Collector
from .roles import Role, role_of


def agency_of(user) -> CollectionAgency | None:
    """The agency of an officer's active collector record, if any."""
    if user is None or not user.is_authenticated:
        return None
    collector = collector_of(user)
    return collector.agency if collector else None


def visible_to(user, queryset: QuerySet, *, agency_field: str = "agency") -> QuerySet:
    """Limit ``queryset`` to what ``user`` may see.

    ``agency_field`` is the lookup path from the queryset's model to its agency
    (``"agency"``, ``"collector__agency"``, ...); ``"pk"`` when the model is the agency.
    """
    role = role_of(user)
    if role in (Role.ADMIN, Role.PROVINCIAL):
        return queryset
    if role == Role.OFFICER:
        agency = agency_of(user)
        if agency is not None:
            return queryset.filter(**{agency_field: agency.pk})
    return queryset.none()


def collector_of(user) -> Collector | None:
    """The officer's own active collector record (the "who" of what they record), if any."""
    if user is None or not user.is_authenticated:
        return None
    if not hasattr(user, "_collector_cache"):
        user._collector_cache = (
            Collector.objects.select_related("agency", "agency__office")
            .filter(user=user, active=True, agency__active=True)
            .first()
        )
    return user._collector_cache
