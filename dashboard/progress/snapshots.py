"""The daily coverage snapshots behind the trend: written by compute_progress, read by the charts.

The current figures are always computed live (queries.py); a snapshot keeps how a day ended,
so the trend needs no history of enrollments to be replayed. Computing a day twice leaves one
row per commune and product (an upsert on the unique key), and a lock keeps two workers apart.
"""

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.db.models import Sum
from django.utils.translation import gettext_lazy as _

from campaign.models import Campaign
from core import clock, freshness
from core.locks import Busy, exclusive
from core.percent import percent

from ..models import CoverageSnapshot
from .queries import MEASURES, coverage_progress


class ProgressBusy(Busy):
    default_message = _("The progress of this day is being computed right now; try again in a minute.")


def compute_progress(*, campaign: Campaign, day: date) -> int:
    """Store the coverage of every commune with a baseline, per product, as of ``day``.

    Returns the number of rows written: a figure that did not change is left as it is, so a day
    computed twice writes nothing the second time.
    """
    with exclusive(f"dashboard:progress:{campaign.pk}:{day.isoformat()}", busy=ProgressBusy):
        progress = coverage_progress(campaign=campaign, today=day, cached=False)
        stored = {
            (commune_id, product): figures
            for commune_id, product, *figures in CoverageSnapshot.objects.filter(
                campaign=campaign, day=day
            ).values_list("commune_id", "product", "denominator", "baseline_insured", "added")
        }
        now = clock.now()
        rows = [
            CoverageSnapshot(
                campaign=campaign,
                commune_id=area.pk,
                product=MEASURES[measure],
                day=day,
                denominator=counts.denominator,
                baseline_insured=counts.baseline_insured,
                added=counts.added,
                insured=counts.baseline_insured + counts.added,
                computed_at=now,
            )
            for area in progress.communes
            for measure, counts in area.counts.items()
            if stored.get((area.pk, MEASURES[measure])) != [counts.denominator, counts.baseline_insured, counts.added]
        ]
        if rows:
            freshness.bump_on_commit(freshness.SETUP)
        CoverageSnapshot.objects.bulk_create(
            rows,
            batch_size=1000,
            update_conflicts=True,
            unique_fields=["campaign", "commune", "product", "day"],
            update_fields=["denominator", "baseline_insured", "added", "insured", "computed_at"],
        )
        return len(rows)


def days_to_backfill(campaign: Campaign, *, until: date) -> list[date]:
    """Every day from the campaign's start to ``until`` (inclusive), for a new install's trend."""
    first = campaign.start_date
    return [first + timedelta(days=n) for n in range((until - first).days + 1)]


@dataclass(frozen=True)
class TrendPoint:
    day: date
    insured: int
    denominator: int

    @property
    def pct(self) -> Decimal | None:
        return percent(self.insured, self.denominator)


def coverage_trend(*, campaign: Campaign, commune_ids: set[int] | None = None) -> dict[str, list[TrendPoint]]:
    """Per measure ("bhyt", "bhxh"), the snapshots' sums by day: one aggregate query."""
    snapshots = CoverageSnapshot.objects.filter(campaign=campaign)
    if commune_ids is not None:
        snapshots = snapshots.filter(commune_id__in=commune_ids)
    by_product = {product: measure for measure, product in MEASURES.items()}
    trend = defaultdict(list)
    for row in (
        snapshots.order_by("day")
        .values("day", "product")
        .annotate(insured=Sum("insured"), denominator=Sum("denominator"))
    ):
        trend[by_product[row["product"]]].append(TrendPoint(row["day"], row["insured"], row["denominator"]))
    return {measure: trend.get(measure, []) for measure in MEASURES}
