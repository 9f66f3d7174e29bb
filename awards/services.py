"""Writes of the awards app: rules, computing rankings, publishing them, re-opening a published one.

The Celery tasks, the ``compute_rankings`` command, the pages and ``seed_demo`` all call these.
A ranking is computed only after its cut-off, under a lock, in one transaction: a failure
leaves the previous draft and every published ranking as they were. Computing again with
nothing changed leaves the draft exactly as it is (same row, same entries, same fingerprint).
"""

from dataclasses import dataclass
from enum import StrEnum

from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from campaign.models import Campaign, CampaignWeek
from collectors.roles import Role, role_of
from core import clock
from core.audit import acting_as, record_history
from core.errors import ConflictError, DomainError, full_clean_or_refuse

from .locks import lock_name, ranking_lock
from .models import AwardRule, Period, Ranking, RankingEntry
from .selectors import (
    ScopeNumbers,
    closes_at,
    entry_values,
    latest_published,
    numbers_for,
    scope_numbers,
)
from .standings import RuleTerms, fingerprint, rank_standings

DRAFT, PUBLISHED = Ranking.Status.DRAFT, Ranking.Status.PUBLISHED
ENTRY_BATCH = 1000


class Outcome(StrEnum):
    CREATED = "created"
    UPDATED = "updated"
    UNCHANGED = "unchanged"
    PUBLISHED = "published"  # a published version stands and no draft is open: nothing was computed


@dataclass(frozen=True)
class Computed:
    rule: AwardRule
    ranking: Ranking
    outcome: Outcome


@transaction.atomic
def save_award_rule(*, rule: AwardRule) -> AwardRule:
    """Validate and store a rule. Rankings already computed keep the terms they were computed with."""
    full_clean_or_refuse(rule)
    rule.save()
    return rule


def week_of_campaign(*, campaign: Campaign, number: int) -> CampaignWeek:
    week = campaign.weeks.filter(number=number).first()
    if week is None:
        raise DomainError(
            {
                "week": _("Campaign %(code)s has no week %(number)s; it has weeks 1 to %(last)s.")
                % {"code": campaign.code, "number": number, "last": campaign.weeks.count()}
            }
        )
    week.campaign = campaign  # the cut-off reads the campaign's grace period
    return week


def _check_closed(campaign: Campaign, week: CampaignWeek | None) -> None:
    deadline = closes_at(campaign, week)
    if clock.now() < deadline:
        when = timezone.localtime(deadline).strftime("%d/%m/%Y %H:%M")
        if week is not None:
            message = _(
                "Week %(number)s counts entries recorded until %(when)s; its ranking is computed after that. "
                "Until then the live standings show it."
            ) % {"number": week.number, "when": when}
        else:
            message = _("The final ranking is computed after %(when)s, once the campaign's last entries are in.") % {
                "when": when
            }
        raise DomainError({"week" if week is not None else "final": message})


def compute_rankings(*, campaign: Campaign, week_number: int | None = None, final: bool = False) -> list[Computed]:
    """Compute the drafts of every active rule of a week (or of the final rules), one lock, one transaction.

    A rule whose ranking is published and not re-opened is left alone (outcome ``published``).
    """
    if final == (week_number is not None):
        raise DomainError(_("Give a week number or ask for the final ranking, not both."))
    week = None if final else week_of_campaign(campaign=campaign, number=week_number)
    _check_closed(campaign, week)
    period = Period.FINAL if final else Period.WEEKLY
    rules = list(campaign.award_rules.filter(active=True, period=period).order_by("subject", "code"))
    if not rules:
        return []
    with ranking_lock(lock_name(campaign.pk, week_number)):
        scope = scope_numbers(campaign=campaign, week=week, subjects={rule.subject for rule in rules})
        return [_compute(rule, scope) for rule in rules]


def _compute(rule: AwardRule, scope: ScopeNumbers, *, draft: Ranking | None = None) -> Computed:
    if draft is None:
        draft = (
            Ranking.objects.select_for_update(of=("self",))
            .filter(rule=rule, week=scope.week, status=DRAFT)
            .order_by("pk")
            .first()
        )
    if draft is None:
        published = latest_published(rule=rule, week=scope.week)
        if published is not None:
            return Computed(rule, published, Outcome.PUBLISHED)
    terms = RuleTerms.from_rule(rule)
    standings = rank_standings(terms, numbers_for(scope, rule.subject))
    digest = fingerprint(terms, scope.cutoff, standings)
    if draft is not None and draft.fingerprint == digest:
        return Computed(rule, draft, Outcome.UNCHANGED)
    values = {
        "computed_at": clock.now(),
        "fingerprint": digest,
        "rule_terms": terms.as_dict(),
        "cutoff": scope.cutoff,
        "late_count": scope.late_count,
    }
    if draft is None:
        draft = Ranking.objects.create(rule=rule, campaign=scope.campaign, week=scope.week, version=1, **values)
        outcome = Outcome.CREATED
    else:
        draft.entries.all().delete()
        for name, value in values.items():
            setattr(draft, name, value)
        draft.save(update_fields=list(values))
        outcome = Outcome.UPDATED
    _store_entries(draft, [entry_values(standing) for standing in standings])
    return Computed(rule, draft, outcome)


def _store_entries(ranking: Ranking, rows: list[dict]) -> None:
    """Write a ranking's entries: COPY on PostgreSQL (thousands of officers in a few ms), bulk_create elsewhere."""
    if not rows:
        return
    if connection.vendor != "postgresql":
        RankingEntry.objects.bulk_create([RankingEntry(ranking=ranking, **row) for row in rows], batch_size=ENTRY_BATCH)
        return
    columns = [*rows[0], "ranking_id"]
    names = ", ".join(connection.ops.quote_name(column) for column in columns)
    statement = f"COPY {RankingEntry._meta.db_table} ({names}) FROM STDIN"
    with connection.cursor() as cursor, cursor.cursor.copy(statement) as copy:
        for row in rows:
            copy.write_row([*row.values(), ranking.pk])


def _require_admin(user, message: str) -> None:
    if user is not None and role_of(user) != Role.ADMIN:
        raise DomainError(message)


@transaction.atomic
def publish_ranking(*, ranking: Ranking, user=None, expected_fingerprint: str | None = None) -> Ranking:
    """Publish a draft as it stands; from then on it never changes.

    ``expected_fingerprint`` is the draft the admin reviewed: if it was recomputed since, nothing
    is published and the admin looks again. ``user`` None means the command line.
    """
    _require_admin(user, _("Only an administrator publishes rankings."))
    filters = {"pk": ranking.pk, "status": DRAFT}
    if expected_fingerprint is not None:
        filters["fingerprint"] = expected_fingerprint
    published = Ranking.objects.filter(**filters).update(status=PUBLISHED, published_at=clock.now(), published_by=user)
    if not published:
        if Ranking.objects.filter(pk=ranking.pk, status=PUBLISHED).exists():
            raise ConflictError(_("This ranking is already published; re-open it to make a new version."))
        raise ConflictError(_("The draft was recomputed after you opened it: check the new figures, then publish."))
    ranking.refresh_from_db()
    with acting_as(user):
        record_history([ranking])  # an update() sends no signal: the publication's history row
    return ranking


def reopen_ranking(*, ranking: Ranking, user, reason: str) -> Ranking:
    """Start a new version of a published ranking, computed afresh; the published one stays as it was.

    Who re-opened it, when and why are kept on the new version; until it is published, the old
    version remains the one in force.
    """
    reason = (reason or "").strip()
    if not reason:
        raise DomainError({"reason": _("Say why the ranking is re-opened; the reason is kept with the new version.")})
    if user is None or role_of(user) != Role.ADMIN:
        raise DomainError(_("Only an administrator re-opens a published ranking."))
    if ranking.status != PUBLISHED:
        raise ConflictError(_("Only a published ranking can be re-opened; a draft is simply computed again."))
    campaign, week = ranking.campaign, ranking.week
    if week is not None:
        week.campaign = campaign
    with acting_as(user), ranking_lock(lock_name(campaign.pk, week.number if week else None)):
        latest = (
            Ranking.objects.select_for_update(of=("self",))
            .filter(rule=ranking.rule_id, week=ranking.week_id)
            .order_by("-version")
        ).first()
        if latest.pk != ranking.pk:
            raise ConflictError(
                _("Version %(version)s of this ranking exists already; open the latest version.")
                % {"version": latest.version}
            )
        now = clock.now()
        draft = Ranking.objects.create(
            rule=ranking.rule,
            campaign=campaign,
            week=week,
            version=ranking.version + 1,
            computed_at=now,
            reopened_from=ranking,
            reopened_at=now,
            reopened_by=user,
            reopen_reason=reason,
        )
        scope = scope_numbers(campaign=campaign, week=week, subjects={ranking.rule.subject})
        _compute(ranking.rule, scope, draft=draft)
    draft.refresh_from_db()
    return draft


@transaction.atomic
def purge_demo_rankings(*, campaign: Campaign) -> int:
    """Remove every ranking of a demo campaign, so seed_demo can rebuild them from fresh demo data.

    Only demo campaigns: on PostgreSQL the immutability triggers let this one transaction delete
    published rankings, and nothing else.
    """
    if not campaign.is_demo:
        raise DomainError(_("Only the rankings of a demo campaign can be removed."))
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL awards.allow_demo_purge = 'on'")
    removed = 0
    # Newest versions first: an older version is protected while a newer one points at it.
    for ranking in Ranking.objects.filter(campaign=campaign).order_by("-version"):
        ranking.delete()
        removed += 1
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL awards.allow_demo_purge = 'off'")
    return removed
