"""Provisional standings: every active rule ranked on what is recorded so far, never stored."""

import hashlib
from dataclasses import dataclass
from datetime import datetime

from campaign.models import Campaign, CampaignWeek
from core import caching, clock

from ..models import AwardRule, Period, RankingEntry
from ..standings import RuleTerms, rank_standings
from .numbers import entry_from_standing, numbers_for, scope_numbers


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
    live = caching.read(key)
    if live is not None:
        return live
    scope = scope_numbers(campaign=campaign, week=week, subjects={rule.subject for rule in rules})
    now = clock.now()
    live = []
    for rule, rule_terms in zip(rules, terms, strict=True):
        standings = rank_standings(rule_terms, numbers_for(scope, rule.subject))
        entries = [entry_from_standing(s, agencies=scope.agencies) for s in standings]
        live.append(LiveStanding(rule, rule_terms, entries, scope.late_count, now))
    caching.keep(key, live, LIVE_SECONDS)
    return live
