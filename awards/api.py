"""The JSON door onto the rankings: the published ranking of a week or of the campaign, or the live standings.

Officers see what the pages show them (``selectors.rows_for``): the whole agency ranking, and in
an officer ranking the top places and their own agency's officers, with the numbers behind only
for their own agency.
"""

from datetime import datetime
from decimal import Decimal
from typing import Literal

from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema

from campaign.models import Campaign
from collectors.api_auth import api_auth
from collectors.roles import Role
from core.api_errors import ERROR_RESPONSES
from core.errors import DomainError

from .models import Ranking
from .selectors import Row, Viewer, entries_of, provisional_standings, rankings_of, rows_for
from .services import week_of_campaign
from .standings import RuleTerms

router = Router(tags=["rankings"])


class RuleOut(Schema):
    code: str
    name: str
    period: Literal["weekly", "final"]
    subject: Literal["agency", "collector"]
    metric: Literal["attainment", "points", "count", "amount"]
    threshold: Decimal = Field(description="The least score that can win, in the metric's unit (decimal as a string)")
    weights: dict[str, Decimal] = Field(description="Per product: points per enrollment, or weight in the mean")
    prizes: list[int] = Field(description="đồng, from the 1st rank down")
    tie_breaks: list[Literal["bhxh_tn", "amount", "earlier", "code"]]


class NumbersOut(Schema):
    bhxh_tn_count: int = Field(description="New or rejoining BHXH tự nguyện enrollments counted")
    bhyt_hgd_count: int
    bhxh_tn_amount: int = Field(description="đồng collected for them")
    bhyt_hgd_amount: int
    bhxh_tn_quota: int | None = Field(description="Agencies only")
    bhyt_hgd_quota: int | None
    bhxh_tn_attainment: Decimal | None = Field(description="actual / quota × 100; agencies with a quota only")
    bhyt_hgd_attainment: Decimal | None
    renewal_count: int = Field(description="Renewals: shown as retention, never counted")
    renewal_amount: int
    late_count: int = Field(description="Recorded after the week's cut-off: counted in the final ranking only")
    reached_at: datetime | None = Field(description="When the last counted enrollment was recorded")


class EntryOut(Schema):
    rank: int
    code: str | None = Field(description="Null for another agency's officer, seen by an officer")
    name: str
    agency_code: str
    agency_name: str
    score: Decimal | None = Field(description="Null when it cannot be computed (an agency with no quota)")
    eligible: bool
    ineligible_reason: Literal["no_quota", "nothing_counted", "below_threshold"] | None
    prize: int
    tie_break: Literal["bhxh_tn", "amount", "earlier", "code"] | None = Field(
        description="The tie-break that separated this entry from a neighbour with the same score"
    )
    numbers: NumbersOut | None = Field(description="Null for another agency's officer, seen by an officer")


class RankingOut(Schema):
    rule: RuleOut
    status: Literal["published", "provisional"]
    version: int | None
    computed_at: datetime | None
    published_at: datetime | None
    counted_until: datetime | None = Field(description="Weekly: entries recorded from this moment on are late")
    late_count: int
    entry_count: int
    entries: list[EntryOut]


class RankingsOut(Schema):
    campaign: str
    week: int | None
    final: bool
    provisional: bool
    rankings: list[RankingOut]


def _rule_out(terms: RuleTerms) -> dict:
    return terms.as_dict() | {"threshold": terms.threshold, "weights": terms.weights}


def _entry_out(row: Row) -> dict:
    entry = row.entry
    numbers = None
    if row.numbers_shown:
        numbers = {name: getattr(entry, name) for name in NumbersOut.model_fields}
        numbers["reached_at"] = _local(entry.reached_at)
    return {
        "rank": entry.rank,
        "code": entry.code if row.numbers_shown else None,
        "name": entry.name,
        "agency_code": entry.agency.code,
        "agency_name": entry.agency.name,
        "score": entry.metric_value,
        "eligible": entry.eligible,
        "ineligible_reason": entry.ineligible_reason or None,
        "prize": entry.prize,
        "tie_break": entry.tie_break or None,
        "numbers": numbers,
    }


def _local(moment: datetime | None) -> datetime | None:
    """Times go out with the +07:00 offset, as the rest of the API's."""
    return timezone.localtime(moment) if moment else None


def _ranking_out(viewer: Viewer, terms: RuleTerms, entries: list, *, ranking: Ranking | None, late_count: int) -> dict:
    rows = rows_for(viewer, entries, subject=terms.subject, prize_count=len(terms.prizes))
    return {
        "rule": _rule_out(terms),
        "status": "provisional" if ranking is None else "published",
        "version": ranking.version if ranking else None,
        "computed_at": _local(ranking.computed_at) if ranking else None,
        "published_at": _local(ranking.published_at) if ranking else None,
        "counted_until": _local(ranking.cutoff) if ranking else None,
        "late_count": late_count,
        "entry_count": len(entries),
        "entries": [_entry_out(row) for row in rows],
    }


@router.get(
    "/campaigns/{code}/rankings",
    response={200: RankingsOut, **ERROR_RESPONSES},
    auth=api_auth(*Role),
    summary="Rankings",
)
def get_rankings(request, code: str, week: int | None = None, final: bool = False, provisional: bool = False):
    """The published rankings of week `week` or, with `final=1`, of the whole campaign (the latest
    published version of each rule); `provisional=1` computes the standings from what is recorded now.

    Scores, thresholds and attainments are decimals written as strings; money is integer đồng.
    404 when nothing is published yet for that week.
    """
    campaign = Campaign.objects.filter(code=code).first()
    if campaign is None:
        raise Http404(_("No campaign has the code %(code)s.") % {"code": code})
    if final == (week is not None):
        raise DomainError({"week": _("Give week=N for a week's rankings or final=1 for the final ones.")})
    scope_week = week_of_campaign(campaign=campaign, number=week) if week is not None else None
    viewer = Viewer.of(request.auth)
    if provisional:
        rankings = [
            _ranking_out(viewer, live.terms, live.entries, ranking=None, late_count=live.late_count)
            for live in provisional_standings(campaign=campaign, week=scope_week)
        ]
    else:
        published = [g.published for g in rankings_of(campaign=campaign, week=scope_week, with_drafts=False)]
        if not published:
            scope = _("week %(number)s") % {"number": week} if week is not None else _("the final ranking")
            raise Http404(_("Nothing is published yet for %(scope)s.") % {"scope": scope})
        entries = entries_of(published)
        rankings = [
            _ranking_out(
                viewer,
                RuleTerms.from_dict(ranking.rule_terms),
                entries.get(ranking.pk, []),
                ranking=ranking,
                late_count=ranking.late_count,
            )
            for ranking in published
        ]
    return {
        "campaign": campaign.code,
        "week": week,
        "final": final,
        "provisional": provisional,
        "rankings": rankings,
    }
