"""The JSON door onto the rankings: the published ranking of a week or of the campaign, or the live standings.

Officers see what the pages show them (``selectors.rows_for``): the whole agency ranking, and in
an officer ranking the top places and their own agency's officers, with the numbers behind only
for their own agency.

Each ranking's entries come in ``limit``/``offset`` pages of what the caller may see. The answer is
serialized once per scope, page and viewer (staff alike; an officer per agency), kept in the cache as
JSON bytes and sent as it is (``core.cached_json``): re-validating 3,300 entries against the schema
on every request cost half of it. A test validates a cached answer against ``RankingsOut``.
"""

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Literal

from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema

from campaign.selectors import campaign_for
from collectors.api_auth import api_auth
from collectors.roles import Role
from core.api_errors import ERROR_RESPONSES
from core.cached_json import dumps, fresh_json, json_response
from core.errors import DomainError

from .models import Ranking
from .selectors import (
    LIVE_SECONDS,
    Row,
    Viewer,
    entries_of,
    live_key,
    live_rows,
    provisional_standings,
    rankings_of,
    rows_for,
)
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
    entry_count: int = Field(description="Entries in the ranking")
    row_count: int = Field(description="Entries the caller may see (an officer: the top and their agency's officers)")
    offset: int
    limit: int
    entries: list[EntryOut] = Field(description="The caller's rows `offset` to `offset + limit`, by rank")


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


def _head(terms: RuleTerms, *, ranking: Ranking | None, late_count: int, entry_count: int) -> dict:
    return {
        "rule": _rule_out(terms),
        "status": "provisional" if ranking is None else "published",
        "version": ranking.version if ranking else None,
        "computed_at": _local(ranking.computed_at) if ranking else None,
        "published_at": _local(ranking.published_at) if ranking else None,
        "counted_until": _local(ranking.cutoff) if ranking else None,
        "late_count": late_count,
        "entry_count": entry_count,
    }


def _page(rows: list[Row], row_count: int, page: "Page") -> dict:
    return {
        "row_count": row_count,
        "offset": page.offset,
        "limit": page.limit,
        "entries": [_entry_out(row) for row in rows],
    }


def _published_out(viewer: Viewer, ranking: Ranking, entries: list, page: "Page") -> dict:
    terms = RuleTerms.from_dict(ranking.rule_terms)
    rows = rows_for(viewer, entries, subject=terms.subject, prize_count=len(terms.prizes))
    head = _head(terms, ranking=ranking, late_count=ranking.late_count, entry_count=len(entries))
    return head | _page(rows[page.offset : page.offset + page.limit], len(rows), page)


MAX_LIMIT = 500
# Far beyond any ranking, far within a 64-bit integer: ?offset=2**64 is a 422, not a 500.
MAX_OFFSET = 100_000_000
# Published rankings never change (a new version has another id): their answers may stay long.
PUBLISHED_SECONDS = 600


@dataclass(frozen=True)
class Page:
    offset: int
    limit: int


def _viewer_key(viewer: Viewer) -> str:
    """Whose answer it is: staff all see the same; an officer what their agency may see."""
    return f"agency{viewer.agency_id}" if viewer.is_officer else "staff"


@router.get(
    "/campaigns/{code}/rankings",
    response={200: RankingsOut, **ERROR_RESPONSES},
    auth=api_auth(*Role),
    summary="Rankings",
)
def get_rankings(
    request,
    code: str,
    week: int | None = None,
    final: bool = False,
    provisional: bool = False,
    limit: int = Query(100, ge=1, le=2**31, description="Entries per ranking; above 500 it is cut to 500"),
    offset: int = Query(0, ge=0, le=MAX_OFFSET),
):
    """The published rankings of week `week` or, with `final=1`, of the whole campaign (the latest
    published version of each rule); `provisional=1` the standings computed from what is recorded
    now (every 30 seconds).

    Each ranking lists the caller's entries `offset` to `offset + limit` by rank (`limit` 100 by
    default, at most 500); `entry_count` counts the ranking's entries, `row_count` those the caller
    may see. Scores, thresholds and attainments are decimals written as strings; money is integer
    đồng. 404 when nothing is published yet for that week.
    """
    page = Page(offset=offset, limit=min(limit, MAX_LIMIT))
    campaign = campaign_for(request.auth, code)
    if campaign is None:
        raise Http404(_("No campaign has the code %(code)s.") % {"code": code})
    if final == (week is not None):
        raise DomainError({"week": _("Give week=N for a week's rankings or final=1 for the final ones.")})
    scope_week = week_of_campaign(campaign=campaign, number=week) if week is not None else None
    viewer = Viewer.of(request.auth)
    answer = {"campaign": campaign.code, "week": week, "final": final, "provisional": provisional}
    paged = f"{_viewer_key(viewer)}:{page.offset}:{page.limit}"
    if provisional:
        standings = provisional_standings(campaign=campaign, week=scope_week)
        if not standings:
            return json_response(dumps(answer | {"rankings": []}))

        def build_live() -> dict:
            rankings = []
            for live in standings:
                rows, row_count = live_rows(viewer, live, offset=page.offset, limit=page.limit)
                head = _head(live.terms, ranking=None, late_count=live.late_count, entry_count=len(live.entries))
                rankings.append(head | _page(rows, row_count, page))
            return answer | {"rankings": rankings}

        # One computation of the standings, one answer per viewer and page built from it.
        key, token = live_key(standings[0])
        body = fresh_json(f"awards:api:{key}:{paged}", token, build_live, LIVE_SECONDS * 2)
        return json_response(body)
    published = [g.published for g in rankings_of(campaign=campaign, week=scope_week, with_drafts=False)]
    if not published:
        scope = _("week %(number)s") % {"number": week} if week is not None else _("the final ranking")
        raise Http404(_("Nothing is published yet for %(scope)s.") % {"scope": scope})

    def build_published() -> dict:
        entries = entries_of(published)
        return answer | {"rankings": [_published_out(viewer, r, entries.get(r.pk, []), page) for r in published]}

    versions = ".".join(str(r.pk) for r in published)
    body = fresh_json(f"awards:api:published:{versions}:{paged}", 0, build_published, PUBLISHED_SECONDS)
    return json_response(body)
