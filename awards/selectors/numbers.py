"""The numbers behind a ranking: one GROUP BY over enrollments by agency, officer and product.

Plus one query each for quotas, agencies and officers: a few aggregate queries whatever the
number of enrollments. Agency and officer rankings of the same week share them.
"""

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from django.db.models import Count, Max, Q, Sum, Value

from campaign.models import Campaign, CampaignWeek
from collectors.models import CollectionAgency, Collector, WeeklyQuota
from core.aggregates import large_aggregates
from enrollments.models import Enrollment
from enrollments.vocabulary import COUNTED, RENEWED, recorded_before

from ..models import AwardRule, Metric, Period, RankingEntry, Subject
from ..standings import PRODUCTS, Numbers, RuleTerms, Standing, fingerprint, rank_standings


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
    """One GROUP BY agency, officer and product over the not-cancelled enrollments of the scope.

    Over a campaign's million enrollments (the final ranking) the server's defaults JIT-compile it and
    sort in 4 MB, spilling to disk: core.aggregates lifts both for its transaction.
    """
    enrollments = Enrollment.objects.in_scope(campaign=campaign, week=week).not_cancelled()
    on_time = recorded_before(cutoff)
    # The final ranking counts late entries too: nothing is late there.
    late = Count("pk", filter=COUNTED & ~on_time) if cutoff else Value(0)
    with large_aggregates():
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


def _with_missing(found: dict, wanted: set, fetch) -> dict:
    """``found`` plus the ids of ``wanted`` it lacks, fetched by ``fetch(ids)`` (usually none are missing)."""
    missing = wanted - set(found)
    if missing:
        found.update(fetch(missing))
    return found


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
    # Everyone of the campaign's province who could compete, and anyone who recorded for it anyway
    # (asked for by id only when missing: an IN list of thousands of ids cost more than the rest).
    in_province = Q(office__province_id=campaign.province_id)
    agency_fields = ("pk", "code", "name")

    def agencies_by_id(ids) -> dict:
        return {a.pk: a for a in CollectionAgency.objects.filter(pk__in=ids).only(*agency_fields)}

    agencies = _with_missing(
        {a.pk: a for a in CollectionAgency.objects.filter(in_province, active=True).only(*agency_fields)},
        {row["agency_id"] for row in rows},
        agencies_by_id,
    )
    collectors = {}
    if Subject.COLLECTOR in subjects:
        officer_fields = ("pk", "code", "name", "agency_id")

        def collectors_by_id(ids) -> dict:
            found = Collector.objects.filter(pk__in=ids).values_list(*officer_fields)
            return {pk: (code, name, agency_id) for pk, code, name, agency_id in found}

        competing = Collector.objects.filter(
            active=True, agency__active=True, agency__office__province_id=campaign.province_id
        ).values_list(*officer_fields)
        collectors = _with_missing(
            {pk: (code, name, agency_id) for pk, code, name, agency_id in competing},
            {row["collector_id"] for row in rows},
            collectors_by_id,
        )
        _with_missing(agencies, {agency_id for *_, agency_id in collectors.values()}, agencies_by_id)
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


def current_fingerprint(*, rule: AwardRule, week: CampaignWeek | None) -> str:
    """The fingerprint the rule's ranking of ``week`` would get if computed now (to tell a stale one)."""
    scope = scope_numbers(campaign=rule.campaign, week=week, subjects={rule.subject})
    terms = RuleTerms.from_rule(rule)
    return fingerprint(terms, scope.cutoff, rank_standings(terms, numbers_for(scope, rule.subject)))
