"""The distinct people added per commune and product without recounting the whole campaign.

The full count (queries.added_by_commune) groups every counted enrollment of the campaign: over a
million rows, 1.2–1.5 s of database CPU each time an enrollment is recorded. Here the same figures
come from the latest snapshot before today (snapshots.compute_progress stores, per commune and
product, the distinct people added from the baseline's date to its day D) and the rows collected
after D:

- added = the snapshot's count + the people with a counted enrollment collected after D who have
  none collected from the baseline's date to D (an indexed NOT EXISTS: a person added before the
  snapshot and again after it is one person, as in the full count);
- added in the pace window [first, today] (first = the window's first day, not before the
  baseline's date) = the distinct people of [first, D] (a count over past rows only, kept in the
  cache as long as the snapshot stands) + the people collected in the window after D who have no
  enrollment of [first, D].

Both are exactly the full count's figures as long as the past the snapshot counted has not moved
since it was taken: no enrollment collected on or before D recorded or cancelled after it was
computed, nobody with such an enrollment changed (a person moved to another commune moves their
past too), and every commune's baseline date the one the snapshot counted from. Indexes on the
recording, cancelling and updating times answer that in a few index probes; when the past has
moved, or there is no complete snapshot, the caller falls back to the full count.
"""

import hashlib
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.db.models import Count, Exists, OuterRef, Q, Subquery

from campaign.models import Campaign, CoverageBaseline
from core import caching
from enrollments.models import Enrollment
from enrollments.vocabulary import COUNTED

from ..models import CoverageSnapshot
from .figures import Window

PRODUCTS = ("bhxh_tn", "bhyt_hgd")
# A row is stamped (clock.now()) before its transaction commits: a snapshot is trusted only against
# what was recorded or cancelled from this long before it was computed, so that a write committed
# while the snapshot counted is still seen as one made after it.
SETTLE = timedelta(minutes=10)
# The distinct people of the window's days before the snapshot: past rows only, so kept long.
HISTORY_SECONDS = 6 * 3600
# How many of the latest snapshot days are tried before counting in full.
DAYS_TRIED = 3

Added = dict[tuple[int, str], tuple[int, int]]


@dataclass(frozen=True)
class Base:
    """The snapshot the figures are carried forward from."""

    day: date
    since: datetime  # writes from this moment on may not be in it
    added: dict[tuple[int, str], int]
    people_since: datetime  # the same moment on the clock of the people's update times


def baseline_dates(campaign: Campaign) -> dict[int, date]:
    return dict(CoverageBaseline.objects.filter(campaign=campaign).values_list("commune_id", "as_of"))


def latest_base(campaign: Campaign, *, today: date, baselines: dict[int, date]) -> Base | None:
    """The latest snapshot before ``today`` that still stands, or None.

    A late record (collected yesterday, recorded today) topples yesterday's snapshot but not the one
    before it: the last few days are tried, latest first.
    """
    snapshots = CoverageSnapshot.objects.filter(campaign=campaign)
    latest = snapshots.filter(day__lt=today).order_by("-day").values("day").distinct()[:DAYS_TRIED]
    by_day = defaultdict(list)
    for row in snapshots.filter(day__in=Subquery(latest)).values_list(
        "day", "commune_id", "product", "added", "baseline_as_of", "computed_at", "people_as_of"
    ):
        by_day[row[0]].append(row[1:])
    for day in sorted(by_day, reverse=True):
        base = _standing(campaign, day, by_day[day], baselines)
        if base is not None:
            return base
    return None


def _standing(campaign: Campaign, day: date, rows, baselines: dict[int, date]) -> Base | None:
    added, computed, people = {}, [], []
    for commune_id, product, count, as_of, computed_at, people_as_of in rows:
        if commune_id in baselines:
            if as_of != baselines[commune_id] or people_as_of is None:
                return None  # counted from another baseline date (or stored before the dates were kept)
            added[(commune_id, product)] = count
            computed.append(computed_at)
            people.append(people_as_of)
    if not computed or len(added) != len(baselines) * len(PRODUCTS):
        return None  # a commune or a product without a snapshot that day
    base = Base(day, min(computed) - SETTLE, added, min(people) - SETTLE)
    return None if past_moved(campaign, base) else base


def past_moved(campaign: Campaign, base: Base) -> bool:
    """Whether an enrollment collected on or before the snapshot's day was recorded, cancelled or had
    its person changed since the snapshot: one query of three EXISTS, each an index range on a time
    (the enrollments' recording and cancelling times, the people's updates) and the few rows it finds.

    The recording and cancelling times are the app's clock (clock.now(), like the snapshot's
    computed_at); a person's update time is Django's auto_now, the real time, like people_as_of.
    """
    since = base.since
    dated = Enrollment.objects.filter(campaign=campaign, collected_on__lte=base.day)
    moved = (
        Campaign.objects.filter(pk=campaign.pk)
        .annotate(
            recorded=Exists(dated.filter(recorded_at__gte=since)),
            cancelled=Exists(dated.filter(cancelled_at__gte=since)),
            changed=Exists(dated.filter(participant__updated_at__gte=base.people_since)),
        )
        .values_list("recorded", "cancelled", "changed")
        .first()
    )
    return moved is None or any(moved)


def _earlier(campaign: Campaign, first: date, last: date) -> Exists:
    """The row's person has a counted enrollment of the row's product collected in [first, last]."""
    return Exists(
        Enrollment.objects.filter(
            COUNTED,
            campaign=campaign,
            participant=OuterRef("participant"),
            product=OuterRef("product"),
            collected_on__gte=first,
            collected_on__lte=last,
        )
    )


def _history(campaign: Campaign, communes: list[int], first: date, last: date) -> dict[tuple[int, str], int]:
    """Distinct people per commune and product with a counted enrollment collected in [first, last]."""
    rows = (
        Enrollment.objects.filter(
            COUNTED,
            campaign=campaign,
            participant__commune_id__in=communes,
            collected_on__gte=first,
            collected_on__lte=last,
        )
        .order_by()
        .values("participant__commune_id", "product")
        .annotate(people=Count("participant", distinct=True))
    )
    return {(r["participant__commune_id"], r["product"]): r["people"] for r in rows}


def _kept_history(campaign, communes, first, last, base: Base, cached: bool) -> dict[tuple[int, str], int]:
    if not cached:
        return _history(campaign, communes, first, last)
    key = (
        f"dashboard:window-history:{campaign.pk}:{first.isoformat()}:{last.isoformat()}:"
        f"{base.since.isoformat()}:{hashlib.sha256(repr(sorted(communes)).encode()).hexdigest()[:16]}"
    )
    kept = caching.read(key)
    if kept is None:
        kept = _history(campaign, communes, first, last)
        caching.keep(key, kept, HISTORY_SECONDS)
    return kept


def carried_forward(campaign: Campaign, window: Window, *, cached: bool = True) -> Added | None:
    """(commune id, product) → (people added since the baseline, of them in the pace window), as the
    full count gives them, from the latest standing snapshot; None when there is none."""
    baselines = baseline_dates(campaign)
    if not baselines:
        return None
    base = latest_base(campaign, today=window.today, baselines=baselines)
    if base is None:
        return None
    by_date = defaultdict(list)
    for commune_id, as_of in baselines.items():
        by_date[as_of].append(commune_id)
    added = {key: [count, 0] for key, count in base.added.items()}
    for as_of, communes in by_date.items():
        first = max(window.first_day, as_of)
        new_since_baseline = Q(~_earlier(campaign, as_of, base.day)) if as_of <= base.day else None
        new_in_window = Q(collected_on__gte=first)
        if first <= base.day:
            new_in_window &= Q(~_earlier(campaign, first, base.day))
            for key, people in _kept_history(campaign, communes, first, base.day, base, cached).items():
                added[key][1] += people
        rows = (
            Enrollment.objects.filter(
                COUNTED,
                campaign=campaign,
                participant__commune_id__in=communes,
                collected_on__gte=max(as_of, base.day + timedelta(days=1)),
                collected_on__lte=window.today,
            )
            .order_by()
            .values("participant__commune_id", "product")
            .annotate(
                added=Count("participant", distinct=True, filter=new_since_baseline),
                in_window=Count("participant", distinct=True, filter=new_in_window),
            )
        )
        for r in rows:
            counts = added[(r["participant__commune_id"], r["product"])]
            counts[0] += r["added"]
            counts[1] += r["in_window"]
    return {key: (people, in_window) for key, (people, in_window) in added.items() if people or in_window}
