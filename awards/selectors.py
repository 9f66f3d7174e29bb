"""Reads of the awards app: the numbers behind a ranking, standings, and what a viewer may see of them.

The numbers of a week (or of the whole campaign) come from one GROUP BY over enrollments, by
agency, officer and product, plus one query each for quotas, agencies and officers: a few
aggregate queries whatever the number of enrollments. Agency and officer rankings of the same
week share them.
"""

import hashlib
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from django.core.cache import cache
from django.db.models import Count, Max, Q, QuerySet, Sum, Value

from campaign.models import Campaign, CampaignWeek
from collectors.models import CollectionAgency, Collector, WeeklyQuota
from collectors.roles import Role, role_of
from collectors.scoping import agency_of, collector_of, visible_to
from core import clock
from enrollments.models import Enrollment
from enrollments.vocabulary import COUNTED, RENEWED, recorded_before

from .models import AwardRule, Metric, Period, Ranking, RankingEntry, Subject
from .standings import PRODUCTS, Numbers, RuleTerms, Standing, fingerprint, rank_standings

# An officer sees every officer placed up to this rank (or up to the last prize, if further down).
OFFICER_VIEW_TOP = 10


def closes_at(campaign: Campaign, week: CampaignWeek | None) -> datetime:
    return week.cutoff if week is not None else campaign.final_cutoff


# --- The numbers --------------------------------------------------------------------------------


@dataclass
class ScopeNumbers:
    """Everything counted for one week (cut at its cut-off) or for the whole campaign (late ones too)."""

    campaign: Campaign
    week: CampaignWeek | None
    cutoff: datetime | None
    rows: list[dict]
    quotas: dict[tuple[int, str], int]
    agencies: dict[int, CollectionAgency]
    collectors: dict[int, tuple[str, str, int]] = field(default_factory=dict)

    @property
    def late_count(self) -> int:
        return sum(row["late"] for row in self.rows)


def _grouped_counts(campaign: Campaign, week: CampaignWeek | None, cutoff: datetime | None) -> list[dict]:
    """One GROUP BY agency, officer and product over the not-cancelled enrollments of the scope."""
    enrollments = Enrollment.objects.in_scope(campaign=campaign, week=week).not_cancelled()
    on_time = recorded_before(cutoff)
    # The final ranking counts late entries too: nothing is late there.
    late = Count("pk", filter=COUNTED & ~on_time) if cutoff else Value(0)
    return list(
        enrollments.order_by()
        .values("agency_id", "collector_id", "product")
        .annotate(
            counted=Count("pk", filter=COUNTED & on_time),
            amount=Sum("amount_payable", filter=COUNTED & on_time),
            reached_at=Max("recorded_at", filter=COUNTED & on_time),
            renewals=Count("pk", filter=RENEWED & on_time),
            renewal_amount=Sum("amount_payable", filter=RENEWED & on_time),
            late=late,
        )
    )


def scope_numbers(*, campaign: Campaign, week: CampaignWeek | None, subjects: set[str]) -> ScopeNumbers:
    """The counts behind the rankings of ``week`` (None: the final ranking), for the subjects asked."""
    cutoff = week.cutoff if week is not None else None
    rows = _grouped_counts(campaign, week, cutoff)
    quota_rows = (
        WeeklyQuota.objects.filter(week=week)
        if week is not None
        else WeeklyQuota.objects.filter(week__campaign=campaign)
    )
    quotas = {
        (row["agency_id"], row["product"]): row["total"]
        for row in quota_rows.order_by().values("agency_id", "product").annotate(total=Sum("count"))
    }
    # Everyone of the campaign's province who could compete, and anyone who recorded for it anyway.
    in_province = Q(office__province_id=campaign.province_id)
    agencies = {
        agency.pk: agency
        for agency in CollectionAgency.objects.filter(
            (in_province & Q(active=True)) | Q(pk__in={row["agency_id"] for row in rows})
        ).only("pk", "code", "name")
    }
    collectors = {}
    if Subject.COLLECTOR in subjects:
        collectors = {
            pk: (code, name, agency_id)
            for pk, code, name, agency_id in Collector.objects.filter(
                Q(active=True, agency__active=True, agency__office__province_id=campaign.province_id)
                | Q(pk__in={row["collector_id"] for row in rows})
            ).values_list("pk", "code", "name", "agency_id")
        }
        missing = {agency_id for *_, agency_id in collectors.values()} - set(agencies)
        if missing:
            agencies.update(
                {a.pk: a for a in CollectionAgency.objects.filter(pk__in=missing).only("pk", "code", "name")}
            )
    return ScopeNumbers(campaign, week, cutoff, rows, quotas, agencies, collectors)


def _add(numbers: Numbers, row: dict) -> None:
    product = row["product"]
    numbers.counts[product] += row["counted"]
    numbers.amounts[product] += row["amount"] or 0
    numbers.renewal_count += row["renewals"]
    numbers.renewal_amount += row["renewal_amount"] or 0
    numbers.late_count += row["late"]
    if row["reached_at"] and (numbers.reached_at is None or row["reached_at"] > numbers.reached_at):
        numbers.reached_at = row["reached_at"]


def numbers_for(scope: ScopeNumbers, subject: str) -> list[Numbers]:
    """One Numbers per agency (by the recording agency) or per officer (with their agency)."""
    if subject == Subject.AGENCY:
        by_id = {
            pk: Numbers(
                agency_id=pk,
                collector_id=None,
                code=agency.code,
                name=agency.name,
                quotas={p: scope.quotas.get((pk, p), 0) for p in PRODUCTS},
            )
            for pk, agency in scope.agencies.items()
        }
        for row in scope.rows:
            _add(by_id[row["agency_id"]], row)
    else:
        by_id = {
            pk: Numbers(agency_id=agency_id, collector_id=pk, code=code, name=name)
            for pk, (code, name, agency_id) in scope.collectors.items()
        }
        for row in scope.rows:
            _add(by_id[row["collector_id"]], row)
    return list(by_id.values())


def entry_values(standing: Standing) -> dict:
    """The column values (attnames) of the entry a standing is stored as."""
    numbers = standing.numbers
    quotas = numbers.quotas
    return {
        "rank": standing.rank,
        "agency_id": numbers.agency_id,
        "collector_id": numbers.collector_id,
        "code": numbers.code,
        "name": numbers.name,
        "metric_value": standing.metric_value,
        "bhxh_tn_count": numbers.counts["bhxh_tn"],
        "bhyt_hgd_count": numbers.counts["bhyt_hgd"],
        "bhxh_tn_amount": numbers.amounts["bhxh_tn"],
        "bhyt_hgd_amount": numbers.amounts["bhyt_hgd"],
        "bhxh_tn_quota": quotas.get("bhxh_tn") if quotas is not None else None,
        "bhyt_hgd_quota": quotas.get("bhyt_hgd") if quotas is not None else None,
        "bhxh_tn_attainment": standing.attainment["bhxh_tn"],
        "bhyt_hgd_attainment": standing.attainment["bhyt_hgd"],
        "renewal_count": numbers.renewal_count,
        "renewal_amount": numbers.renewal_amount,
        "late_count": numbers.late_count,
        "reached_at": numbers.reached_at,
        "eligible": standing.eligible,
        "ineligible_reason": standing.ineligible_reason,
        "prize": standing.prize,
        "tie_break": standing.tie_break,
        "tied_with": standing.tied_with,
    }


def entry_from_standing(standing: Standing, *, agencies: dict[int, CollectionAgency]) -> RankingEntry:
    """The entry a standing would be stored as, unsaved: the live standings show these."""
    entry = RankingEntry(**entry_values(standing))
    entry.agency = agencies[standing.numbers.agency_id]
    return entry


def attainment_weights(*, campaign: Campaign) -> dict[str, Decimal] | None:
    """The product weights of the campaign's weekly agency ranking on attainment; None (equal) without one.

    The Excel report weighs attainment with these so that it agrees with the published ranking.
    """
    rule = (
        campaign.award_rules.filter(active=True, period=Period.WEEKLY, subject=Subject.AGENCY, metric=Metric.ATTAINMENT)
        .order_by("code")
        .first()
    )
    return RuleTerms.from_rule(rule).weights if rule is not None else None


# --- Live standings -------------------------------------------------------------------------------


@dataclass
class LiveStanding:
    """A rule's provisional standings, computed now and never stored."""

    rule: AwardRule
    terms: RuleTerms
    entries: list[RankingEntry]
    late_count: int
    as_of: datetime


# Everyone watching the live page polls it: one computation serves them all for this long.
LIVE_SECONDS = 30


def provisional_standings(*, campaign: Campaign, week: CampaignWeek | None) -> list[LiveStanding]:
    """Every active rule of the scope ranked on what is recorded so far: the same arithmetic as a stored ranking.

    Kept in the shared cache for ``LIVE_SECONDS``, keyed by the campaign, the week and the rules'
    terms (an edited rule shows at once); new enrollments show within that time.
    """
    period = Period.WEEKLY if week is not None else Period.FINAL
    rules = list(campaign.award_rules.filter(active=True, period=period).order_by("subject", "code"))
    if not rules:
        return []
    terms = [RuleTerms.from_rule(rule) for rule in rules]
    identity = (
        str(campaign.uuid),
        week.pk if week else None,
        [(r.pk, t.as_dict()) for r, t in zip(rules, terms, strict=True)],
    )
    key = "awards:live:" + hashlib.sha256(repr(identity).encode()).hexdigest()
    live = cache.get(key)
    if live is not None:
        return live
    scope = scope_numbers(campaign=campaign, week=week, subjects={rule.subject for rule in rules})
    now = clock.now()
    live = []
    for rule, rule_terms in zip(rules, terms, strict=True):
        standings = rank_standings(rule_terms, numbers_for(scope, rule.subject))
        entries = [entry_from_standing(s, agencies=scope.agencies) for s in standings]
        live.append(LiveStanding(rule, rule_terms, entries, scope.late_count, now))
    cache.set(key, live, LIVE_SECONDS)
    return live


# --- Stored rankings -------------------------------------------------------------------------------


@dataclass
class RuleRankings:
    """One rule's rankings of a scope: the one in force, a draft under review, and the older versions."""

    rule: AwardRule
    published: Ranking | None
    draft: Ranking | None
    history: list[Ranking]


def rankings_of(*, campaign: Campaign, week: CampaignWeek | None, with_drafts: bool) -> list[RuleRankings]:
    rankings = (
        Ranking.objects.filter(campaign=campaign, week=week)
        .select_related("rule", "published_by", "reopened_by", "reopened_from")
        .order_by("rule__subject", "rule__code", "-version")
    )
    if not with_drafts:
        rankings = rankings.filter(status=Ranking.Status.PUBLISHED)
    by_rule: dict[int, RuleRankings] = {}
    for ranking in rankings:
        group = by_rule.setdefault(ranking.rule_id, RuleRankings(ranking.rule, None, None, []))
        if ranking.is_draft:
            group.draft = ranking
        elif group.published is None:
            group.published = ranking
        else:
            group.history.append(ranking)
    return list(by_rule.values())


def entries_of(rankings: list[Ranking]) -> dict[int, list[RankingEntry]]:
    grouped = defaultdict(list)
    for entry in (
        RankingEntry.objects.filter(ranking__in=rankings).select_related("agency").order_by("ranking_id", "rank")
    ):
        grouped[entry.ranking_id].append(entry)
    return grouped


def latest_published(*, rule: AwardRule, week: CampaignWeek | None) -> Ranking | None:
    return Ranking.objects.filter(rule=rule, week=week, status=Ranking.Status.PUBLISHED).order_by("-version").first()


def late_enrollments(user, *, week: CampaignWeek) -> QuerySet[Enrollment]:
    """New or rejoining enrollments of the week recorded after its cut-off: counted only in the final ranking."""
    return (
        visible_to(user, Enrollment.objects.late_for(week))
        .select_related("agency", "collector")
        .order_by("recorded_at", "pk")
    )


# --- What a viewer sees ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Row:
    entry: RankingEntry
    numbers_shown: bool
    is_mine: bool


@dataclass(frozen=True)
class Viewer:
    """Who is looking: staff see everything; an officer sees the ranking and their own agency's numbers."""

    role: Role | None
    agency_id: int | None
    collector_id: int | None

    @classmethod
    def of(cls, user) -> "Viewer":
        role = role_of(user)
        if role != Role.OFFICER:
            return cls(role, None, None)
        agency, collector = agency_of(user), collector_of(user)
        return cls(role, agency.pk if agency else None, collector.pk if collector else None)

    @property
    def is_officer(self) -> bool:
        return self.role == Role.OFFICER

    @property
    def sees_drafts(self) -> bool:
        return self.role in (Role.ADMIN, Role.PROVINCIAL)


def rows_for(viewer: Viewer, entries: list[RankingEntry], *, subject: str, prize_count: int) -> list[Row]:
    """The rows ``viewer`` may see of a ranking.

    Agencies are organisations: everyone sees the whole agency ranking with its numbers. In an
    officer ranking an officer sees the officers placed up to the last prize (at least the top
    ten) by rank, name, agency, score and prize, and every officer of their own agency with the
    numbers behind; the counts and amounts of other agencies' people stay hidden.
    """
    if not viewer.is_officer:
        return [Row(entry, True, False) for entry in entries]
    if subject == Subject.AGENCY:
        return [Row(entry, True, entry.agency_id == viewer.agency_id) for entry in entries]
    top = max(prize_count, OFFICER_VIEW_TOP)
    return [
        Row(entry, entry.agency_id == viewer.agency_id, entry.collector_id == viewer.collector_id)
        for entry in entries
        if entry.rank <= top or entry.agency_id == viewer.agency_id
    ]


@dataclass(frozen=True)
class MyPlace:
    rank: int
    of: int
    entry: RankingEntry


def my_place(viewer: Viewer, entries: list[RankingEntry], *, subject: str) -> MyPlace | None:
    """An officer's own rank in an officer ranking, or their agency's in an agency ranking."""
    if not viewer.is_officer:
        return None
    if subject == Subject.AGENCY:
        mine = next((e for e in entries if e.agency_id == viewer.agency_id), None)
    else:
        mine = next((e for e in entries if e.collector_id and e.collector_id == viewer.collector_id), None)
    return MyPlace(mine.rank, len(entries), mine) if mine else None


# --- Budget and schedule ---------------------------------------------------------------------------


@dataclass(frozen=True)
class BudgetLine:
    rule: AwardRule
    times: int
    total: int


@dataclass(frozen=True)
class PrizeBudget:
    lines: list[BudgetLine]
    total: int
    budget: int

    @property
    def remaining(self) -> int:
        return self.budget - self.total

    @property
    def over_budget(self) -> bool:
        return self.total > self.budget


def prize_budget(*, campaign: Campaign) -> PrizeBudget:
    """Every prize the active rules can pay (a weekly rule once per week) against the campaign's budget."""
    weeks = campaign.weeks.count()
    lines = [
        BudgetLine(rule, weeks if rule.period == Period.WEEKLY else 1, rule.prize_total)
        for rule in campaign.award_rules.filter(active=True).order_by("period", "subject", "code")
    ]
    lines = [BudgetLine(line.rule, line.times, line.total * line.times) for line in lines]
    return PrizeBudget(lines=lines, total=sum(line.total for line in lines), budget=campaign.award_budget)


def rankings_due(*, now: datetime) -> list[tuple[int, int | None]]:
    """(campaign id, week number or None for final) of every scope past its cut-off with a rule not yet ranked."""
    rules = list(
        AwardRule.objects.filter(
            active=True, campaign__status__in=[Campaign.Status.ACTIVE, Campaign.Status.CLOSED]
        ).select_related("campaign")
    )
    if not rules:
        return []
    ranked = set(Ranking.objects.filter(rule__in=rules).values_list("rule_id", "week_id"))
    weeks = defaultdict(list)
    for week in CampaignWeek.objects.filter(campaign__in={rule.campaign_id for rule in rules}).select_related(
        "campaign"
    ):
        weeks[week.campaign_id].append(week)
    due = set()
    for rule in rules:
        if rule.period == Period.FINAL:
            if rule.campaign.final_cutoff <= now and (rule.pk, None) not in ranked:
                due.add((rule.campaign_id, None))
            continue
        for week in weeks[rule.campaign_id]:
            if week.cutoff <= now and (rule.pk, week.pk) not in ranked:
                due.add((rule.campaign_id, week.number))
    return sorted(due, key=lambda scope: (scope[0], scope[1] is None, scope[1] or 0))


def current_fingerprint(*, rule: AwardRule, week: CampaignWeek | None) -> str:
    """The fingerprint the rule's ranking of ``week`` would get if computed now (to tell a stale one)."""
    scope = scope_numbers(campaign=rule.campaign, week=week, subjects={rule.subject})
    terms = RuleTerms.from_rule(rule)
    return fingerprint(terms, scope.cutoff, rank_standings(terms, numbers_for(scope, rule.subject)))
