"""Stored rankings: the one in force, drafts under review, older versions, and the late entries."""

from collections import defaultdict
from dataclasses import dataclass

from django.db.models import QuerySet

from campaign.models import Campaign, CampaignWeek
from collectors.scoping import visible_to
from enrollments.models import Enrollment

from ..models import AwardRule, Ranking, RankingEntry


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
