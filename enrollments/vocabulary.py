"""The words every reader of enrollments uses, each defined once.

"Counted" is what the campaign brought in: a not-cancelled new or rejoining enrollment. It
counts toward the recording agency's quota and the awards, adds to coverage, and (collected
inside the campaign) earns a mug. A "renewal" is shown beside it as retention and counts for
none of these. "Late" is counted in a week but recorded after the week's cut-off: it reaches the
final ranking and coverage, not the weekly ranking.

The conditions are ``Q`` objects so that aggregates can filter on them
(``Count("pk", filter=COUNTED)``); the queryset methods apply the same conditions to rows; the
gift rule below says the same in Python for one enrollment or a prospective one.
"""

from datetime import datetime

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from core import freshness

from .classification import BROUGHT_IN, Classification


class Status(models.TextChoices):
    RECORDED = "recorded", _("recorded")
    CANCELLED = "cancelled", _("cancelled")


NOT_CANCELLED = Q(status=Status.RECORDED)
COUNTED = NOT_CANCELLED & Q(classification__in=BROUGHT_IN)
RENEWED = NOT_CANCELLED & Q(classification=Classification.RENEWAL)
# Collected inside the campaign's dates: the enrollment belongs to one of its weeks.
IN_CAMPAIGN = Q(week__isnull=False)


def recorded_before(cutoff: datetime | None) -> Q:
    """Recorded in time for a ranking cut at ``cutoff``; everything when there is no cut-off (the final)."""
    return Q(recorded_at__lt=cutoff) if cutoff is not None else Q()


class EnrollmentQuerySet(models.QuerySet):
    def not_cancelled(self) -> "EnrollmentQuerySet":
        return self.filter(NOT_CANCELLED)

    def counted(self) -> "EnrollmentQuerySet":
        """New or rejoining and not cancelled: what counts toward quotas, awards and coverage."""
        return self.filter(COUNTED)

    def renewals(self) -> "EnrollmentQuerySet":
        return self.filter(RENEWED)

    def in_scope(self, *, campaign, week=None) -> "EnrollmentQuerySet":
        """The enrollments of one week, or (``week`` None) of every week of the campaign."""
        scoped = self.filter(campaign=campaign)
        return scoped.filter(week=week) if week is not None else scoped.filter(IN_CAMPAIGN)

    def late_for(self, week) -> "EnrollmentQuerySet":
        """Counted in ``week`` but recorded after its cut-off: only the final ranking takes them."""
        return self.counted().filter(week=week, recorded_at__gte=week.cutoff)

    def earning_mugs(self, *, campaign) -> "EnrollmentQuerySet":
        """The enrollments that entitle their person to the campaign's one mug (``earns_mug`` as a query)."""
        return self.counted().filter(IN_CAMPAIGN, campaign=campaign)


# --- The gift rule ----------------------------------------------------------------------------------


def why_no_mug(*, status: str, in_campaign: bool, classification: str) -> str | None:
    """Why this enrollment earns no mug, or None when it does (DOMAIN.md "Gifts")."""
    if status != Status.RECORDED:
        return _("This enrollment is cancelled: no mug.")
    if not in_campaign:
        return _("Collected outside the campaign: no mug.")
    if classification not in BROUGHT_IN:
        return _("Mugs are for people joining for the first time or coming back after 3 months or more.")
    return None


def earns_mug(*, classification: str, in_campaign: bool, status: str = Status.RECORDED) -> bool:
    return why_no_mug(status=status, in_campaign=in_campaign, classification=classification) is None


def mug_due(enrollment, *, issued: bool) -> bool:
    """A mug is still to be handed over for this enrollment: it earns one and the person has none yet."""
    return not issued and earns_mug(
        classification=enrollment.classification, in_campaign=enrollment.week_id is not None, status=enrollment.status
    )


# --- Freshness of what is computed from enrollments ----------------------------------------------


def figures_generation(campaign_id: int) -> str:
    """The cache generation that every figure computed from a campaign's enrollments is keyed on."""
    return freshness.name("enrollments", campaign_id)


# Moved on by every enrollment recorded or cancelled, whatever its campaign: figures that read
# people's coverage across campaigns (retention: who was due, who renewed) are keyed on it.
PEOPLE_GENERATION = freshness.name("enrollments", "people")
