"""Reads behind the dashboard pages: a few aggregate queries per page."""

from dataclasses import dataclass
from decimal import Decimal
from math import ceil

from django.db.models import Count, Q

from campaign.models import Campaign, Commune
from collectors.models import CollectionAgency, Collector
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
