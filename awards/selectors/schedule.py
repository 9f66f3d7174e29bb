"""The prize budget and which rankings are due to be computed."""

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime

from campaign.models import Campaign, CampaignWeek

from ..models import AwardRule, Period, Ranking


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
