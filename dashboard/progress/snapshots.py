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
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from campaign.models import Campaign, CoverageBaseline
from core import clock, freshness
from core.locks import Busy, exclusive
from core.percent import percent

from ..models import CoverageSnapshot
from .queries import MEASURES, coverage_progress


class ProgressBusy(Busy):
    default_message = _("The progress of this day is being computed right now; try again in a minute.")


# What a day's snapshot row holds beside its key, rewritten when the day is computed again.
SNAPSHOT_FIGURES = [
    "denominator",
    "baseline_insured",
    "added",
    "insured",
    "baseline_as_of",
    "people_as_of",
    "computed_at",
]


def compute_progress(*, campaign: Campaign, day: date) -> int:
    """Store the coverage of every commune with a baseline, per product, as of ``day``.

    Returns the number of rows written: a figure that did not change is left as it is, so a day
    computed twice writes nothing the second time.
    """
    with exclusive(f"dashboard:progress:{campaign.pk}:{day.isoformat()}", busy=ProgressBusy):
        # Stamped before counting: the figures carried forward from this snapshot (incremental.py) treat
        # every write from (about) this moment on as one the count may not have seen.
        now, people_as_of = clock.now(), timezone.now()
        progress = coverage_progress(campaign=campaign, today=day, cached=False, incremental=False)
        as_of = dict(CoverageBaseline.objects.filter(campaign=campaign).values_list("commune_id", "as_of"))
        stored = {
            (commune_id, product): figures
            for commune_id, product, *figures in CoverageSnapshot.objects.filter(
                campaign=campaign, day=day
            ).values_list(
                "commune_id", "product", "denominator", "baseline_insured", "added", "baseline_as_of", "people_as_of"
            )
        }
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
                baseline_as_of=as_of[area.pk],
                people_as_of=people_as_of,
                computed_at=now,
            )
            for area in progress.communes
            for measure, counts in area.counts.items()
            if _changed(
                stored.get((area.pk, MEASURES[measure])),
                [counts.denominator, counts.baseline_insured, counts.added, as_of[area.pk]],
            )
        ]
        if rows:
            freshness.bump_on_commit(freshness.SETUP)
        CoverageSnapshot.objects.bulk_create(
            rows,
            batch_size=1000,
            update_conflicts=True,
            unique_fields=["campaign", "commune", "product", "day"],
            update_fields=SNAPSHOT_FIGURES,
        )
        return len(rows)


def _changed(stored: list | None, figures: list) -> bool:
    """Whether a day's row must be written: a new or different figure, or one stored without the
    stamp the figures carried forward from it need (incremental.py)."""
    return stored is None or stored[:-1] != figures or stored[-1] is None


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
