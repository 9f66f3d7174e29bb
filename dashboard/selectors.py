"""Reads behind the dashboard pages: a few aggregate queries per page."""

from dataclasses import dataclass
from decimal import Decimal
from math import ceil

from django.db.models import Count, IntegerField, Q, Sum, Value
from django.db.models.functions import Coalesce

from campaign.models import Campaign, Commune, Product
from campaign.selectors import baseline_totals, current_week
from collectors.models import CollectionAgency, Collector
from core import clock
from core.percent import percent


@dataclass(frozen=True)
class CoverageFigure:
    insured: int
    denominator: int
    target_pct: Decimal

    @property
    def pct(self) -> Decimal | None:
        return percent(self.insured, self.denominator)

    @property
    def target_count(self) -> int:
        # Integer arithmetic on the exact decimal: ceil(target% × denominator / 100).
        return ceil(self.target_pct * self.denominator / 100)

    @property
    def gap(self) -> int:
        return max(self.target_count - self.insured, 0)


def campaign_overview(*, campaign: Campaign) -> dict:
    """The province-wide picture of a campaign before enrollments: baselines, quotas, network."""
    totals = baseline_totals(campaign=campaign)
    weeks = campaign.weeks.order_by("number").annotate(
        quota_bhxh_tn=Coalesce(
            Sum("quotas__count", filter=Q(quotas__product=Product.BHXH_TN)), Value(0), output_field=IntegerField()
        ),
        quota_bhyt_hgd=Coalesce(
            Sum("quotas__count", filter=Q(quotas__product=Product.BHYT_HGD)), Value(0), output_field=IntegerField()
        ),
    )
    today = clock.today()
    return {
        "campaign": campaign,
        "today": today,
        "week": current_week(campaign=campaign),
        "days_left": max((campaign.end_date - today).days, 0),
        "days_to_target": max((campaign.target_date - today).days, 0),
        "totals": totals,
        "bhyt": CoverageFigure(totals["bhyt_insured"], totals["population"], campaign.bhyt_target_pct),
        "bhxh": CoverageFigure(totals["bhxh_insured"], totals["labour_force"], campaign.bhxh_target_pct),
        "weeks": list(weeks),
        "network": CollectionAgency.objects.aggregate(
            agencies=Count("pk", filter=Q(active=True)),
            post_offices=Count("pk", filter=Q(active=True, kind=CollectionAgency.Kind.POST_OFFICE)),
        )
        | {"collectors": Collector.objects.filter(active=True).count()},
    }


def setup_status(*, campaign: Campaign | None) -> dict:
    """What an admin has set up so far, to show what is missing."""
    status = Commune.objects.aggregate(
        communes=Count("pk"), communes_without_office=Count("pk", filter=Q(office__isnull=True))
    )
    status |= Collector.objects.filter(active=True).aggregate(
        collectors=Count("pk"), officers_with_login=Count("pk", filter=Q(user__isnull=False))
    )
    status["agencies"] = CollectionAgency.objects.filter(active=True).count()
    if campaign is not None:
        status |= {
            "weeks": campaign.weeks.count(),
            "baselines": campaign.baselines.count(),
            "weeks_with_quotas": campaign.weeks.filter(quotas__isnull=False).distinct().count(),
        }
    return status
