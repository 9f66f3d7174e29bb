"""Reads of agencies, officers and quotas, always through agency scoping."""

from django.db.models import Count, IntegerField, OuterRef, Q, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce

from campaign.models import CampaignWeek, Product

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
