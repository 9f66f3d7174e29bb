"""Reads of agencies, officers and quotas (through agency scoping), and what the imports look up."""

from collections.abc import Iterable

from django.db.models import Count, IntegerField, Model, OuterRef, Q, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _

from campaign.models import CampaignWeek, Product
from core.errors import DomainError

from .models import CollectionAgency, Collector, WeeklyQuota
from .scoping import visible_to


def _week_quota(week: CampaignWeek, product: Product):
    quota = WeeklyQuota.objects.filter(agency=OuterRef("pk"), week=week, product=product).values("count")[:1]
    return Coalesce(Subquery(quota, output_field=IntegerField()), Value(0))


def agencies_for(user, *, week: CampaignWeek | None = None, search: str = "") -> QuerySet[CollectionAgency]:
    """The agencies ``user`` may see, with their active officers and the week's quotas."""
    agencies = visible_to(user, CollectionAgency.objects.all(), agency_field="pk").select_related("office")
    if search:
        agencies = agencies.filter(Q(code__icontains=search) | Q(name__icontains=search))
    agencies = agencies.annotate(
        collector_count=Count("collectors", filter=Q(collectors__active=True)),
    )
    if week is not None:
        agencies = agencies.annotate(
            quota_bhxh_tn=_week_quota(week, Product.BHXH_TN),
            quota_bhyt_hgd=_week_quota(week, Product.BHYT_HGD),
        )
    return agencies.order_by("office__code", "code")


def collectors_for(user, *, agency: CollectionAgency | None = None) -> QuerySet[Collector]:
    collectors = visible_to(user, Collector.objects.select_related("agency"))
    if agency is not None:
        collectors = collectors.filter(agency=agency)
    return collectors.order_by("code")


def quotas_by_week(user, *, agency: CollectionAgency, campaign) -> list[dict]:
    """An agency's quota per week of a campaign, one row per week, both products side by side."""
    quotas = visible_to(user, WeeklyQuota.objects.filter(agency=agency, week__campaign=campaign))
    return list(
        campaign.weeks.order_by("number")
        .annotate(
            bhxh_tn=Coalesce(
                Sum("quotas__count", filter=Q(quotas__in=quotas, quotas__product=Product.BHXH_TN)), Value(0)
            ),
            bhyt_hgd=Coalesce(
                Sum("quotas__count", filter=Q(quotas__in=quotas, quotas__product=Product.BHYT_HGD)), Value(0)
            ),
        )
        .values("number", "start_date", "end_date", "bhxh_tn", "bhyt_hgd")
    )


class AgencyLookup:
    """Agencies by code, in any case."""

    def __init__(self, agencies: Iterable[CollectionAgency]):
        self.by_code = {agency.code.upper(): agency for agency in agencies}

    def find(self, code: str) -> CollectionAgency:
        agency = self.by_code.get((code or "").strip().upper())
        if agency is None:
            raise DomainError(
                _("Unknown agency code %(code)s; add the agency with the roster import first.") % {"code": code}
            )
        return agency


def agency_lookup() -> AgencyLookup:
    """Every agency, active or not, ready to be found by code."""
    return AgencyLookup(CollectionAgency.objects.all())


def referenced(model: type[Model], items: Iterable[Model], *, ignore: dict | None = None) -> set[int]:
    """The ids among ``items`` that a row of another table points to (an enrollment, a quota, ...).

    Walks the model's reverse relations, so this app need not know the apps above it.
    ``ignore`` leaves out rows that will no longer point there: ``{Collector: {ids}}``.
    """
    ids = {item.pk for item in items}
    found: set[int] = set()
    if not ids:
        return found
    ignore = ignore or {}
    for relation in model._meta.related_objects:
        if relation.many_to_many or not relation.field.concrete:
            continue
        related = relation.related_model._default_manager.filter(**{f"{relation.field.name}__in": ids})
        if relation.related_model in ignore:
            related = related.exclude(pk__in=ignore[relation.related_model])
        found |= set(related.values_list(relation.field.attname, flat=True).distinct())
    return found
