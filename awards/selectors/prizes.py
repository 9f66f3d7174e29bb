"""The prizes an agency (or one of its officers) won in published rankings, by the month they are for.

A prize belongs to the month its ranking's period ends in: a weekly ranking's week's last day, a
final ranking's campaign's last day. Only the latest published version of a rule's week counts: a
re-opened and re-published ranking replaces the prizes of the version it corrects, so nothing is
paid twice and a correction never moves a prize to another month.
"""

from dataclasses import dataclass
from datetime import date, timedelta

from django.db.models import Q

from collectors.models import CollectionAgency

from ..models import Ranking, RankingEntry, Subject


@dataclass(frozen=True)
class PrizeLine:
    ranking_id: int
    rule: str
    week: int | None  # None: the final ranking of the whole campaign
    period_end: date
    rank: int
    winner: str  # the agency, or the officer who won it
    by_officer: bool
    prize: int


def _month(month: date) -> tuple[date, date]:
    first = month.replace(day=1)
    return first, (first + timedelta(days=32)).replace(day=1) - timedelta(days=1)


def prizes_won(agency: CollectionAgency, *, month: date) -> list[PrizeLine]:
    first, last = _month(month)
    rankings = Ranking.objects.filter(status=Ranking.Status.PUBLISHED).filter(
        Q(week__end_date__range=(first, last)) | Q(week__isnull=True, campaign__end_date__range=(first, last))
    )
    latest: dict[tuple[int, int | None], int] = {}
    for pk, rule_id, week_id in rankings.order_by("-version").values_list("pk", "rule_id", "week_id"):
        latest.setdefault((rule_id, week_id), pk)
    entries = RankingEntry.objects.filter(ranking_id__in=latest.values(), agency=agency, prize__gt=0).select_related(
        "ranking__rule", "ranking__week", "ranking__campaign"
    )
    lines = [
        PrizeLine(
            ranking_id=e.ranking_id,
            rule=e.ranking.rule.name,
            week=e.ranking.week.number if e.ranking.week_id else None,
            period_end=e.ranking.week.end_date if e.ranking.week_id else e.ranking.campaign.end_date,
            rank=e.rank,
            winner=e.name,
            by_officer=e.ranking.rule.subject == Subject.COLLECTOR,
            prize=e.prize,
        )
        for e in entries
    ]
    return sorted(lines, key=lambda line: (line.period_end, line.week is None, line.rule, line.rank))
