"""The next campaign: a campaign copied forward to new dates, with its rules, quotas and mugs.

It lives here, at the awards layer, because a campaign's setup spans the layers below it: the
campaign itself (campaign/), its weekly quotas (collectors/), its mug stock (enrollments/) and its
award rules (awards/). Nothing of the campaign copied from changes; the new one is a draft.
"""

from dataclasses import dataclass
from datetime import date

from django.db import transaction
from django.utils.translation import gettext as _

from campaign.models import Campaign
from campaign.services import save_campaign
from collectors.models import WeeklyQuota
from core.errors import DomainError, full_clean_or_refuse
from enrollments.models import GiftStock

from .models import AwardRule

# What a new campaign takes from the one it copies; the dates, code and status are its own.
COPIED_FIELDS = (
    "name",
    "theme",
    "province",
    "bhyt_target_pct",
    "bhxh_target_pct",
    "award_budget",
    "cutoff_days",
    "cutoff_time",
)


@dataclass(frozen=True)
class CopiedCampaign:
    campaign: Campaign
    weeks: int
    rules: int
    quotas: int
    stocks: int


def _refuse_bad_request(source: Campaign | None, source_code: str, code: str, start: date, end: date) -> None:
    errors = {}
    if source is None:
        errors["from"] = _("No campaign has the code %(code)s.") % {"code": source_code}
    if Campaign.objects.filter(code=code).exists():
        errors["code"] = _("A campaign with the code %(code)s already exists.") % {"code": code}
    if end < start:
        errors["end"] = _("The end date must be on or after the start date.")
    if errors:
        raise DomainError(errors)


def _copy_quotas(source: Campaign, new: Campaign) -> int:
    """Week k's quotas become the new week k's; weeks the new campaign does not have are left out."""
    weeks = {week.number: week for week in new.weeks.all()}
    quotas = [
        WeeklyQuota(week=weeks[quota.week.number], agency_id=quota.agency_id, product=quota.product, count=quota.count)
        for quota in WeeklyQuota.objects.filter(week__campaign=source).select_related("week")
        if quota.week.number in weeks
    ]
    WeeklyQuota.objects.bulk_create(quotas)
    return len(quotas)


def _copy_rules(source: Campaign, new: Campaign) -> int:
    rules = list(source.award_rules.all())
    for rule in rules:
        rule.pk, rule.campaign = None, new
        full_clean_or_refuse(rule)
    AwardRule.objects.bulk_create(rules)
    return len(rules)


def _carry_stock(source: Campaign, new: Campaign) -> int:
    """The mugs still on hand at each agency are what it starts the new campaign with."""
    stocks = [
        GiftStock(campaign=new, agency_id=stock.agency_id, received=stock.on_hand, on_hand=stock.on_hand)
        for stock in GiftStock.objects.filter(campaign=source, on_hand__gt=0)
    ]
    GiftStock.objects.bulk_create(stocks)
    return len(stocks)


@transaction.atomic
def copy_campaign(*, source_code: str, code: str, start: date, end: date, with_quotas: bool = True) -> CopiedCampaign:
    """A draft campaign ``code`` from ``start`` to ``end``, set up like ``source_code``; all of it or nothing.

    Its weeks are generated from its dates; its target date keeps the same distance from the end.
    """
    source = Campaign.objects.filter(code=source_code).first()
    _refuse_bad_request(source, source_code, code, start, end)
    new = Campaign(
        code=code,
        start_date=start,
        end_date=end,
        target_date=end + (source.target_date - source.end_date),
        status=Campaign.Status.DRAFT,
        **{name: getattr(source, name) for name in COPIED_FIELDS},
    )
    save_campaign(campaign=new)  # validates it, then makes its weeks
    return CopiedCampaign(
        campaign=new,
        weeks=new.weeks.count(),
        rules=_copy_rules(source, new),
        quotas=_copy_quotas(source, new) if with_quotas else 0,
        stocks=_carry_stock(source, new),
    )
