"""Writes of the collectors app: the weekly quotas and the roster of agencies and officers, as imports plan
them, and the posting of BHXH staff to a province."""

from dataclasses import dataclass, field

from django.db import transaction
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from campaign.models import Campaign, Province
from core import freshness
from core.audit import history_reason, history_user, record_history
from core.excel.importing import Plan

from .models import CollectionAgency, Collector, StaffPosting, WeeklyQuota


@dataclass(kw_only=True)
class QuotaPlan(Plan):
    """Quotas of a campaign to add, to change (already holding their new count) and to remove (ids)."""

    campaign: Campaign
    add: list[WeeklyQuota] = field(default_factory=list)
    change: list[WeeklyQuota] = field(default_factory=list)
    remove: list[int] = field(default_factory=list)


@transaction.atomic
def save_quotas(*, plan: QuotaPlan) -> int:
    """Write a confirmed plan of quotas, one quota import of a campaign at a time; how many quotas it wrote."""
    plan.refuse_if_problems()
    Campaign.objects.select_for_update().filter(pk=plan.campaign.pk).first()
    WeeklyQuota.objects.filter(pk__in=plan.remove).delete()  # one signal per quota: its history row
    # bulk writes send no signal: simple-history's helpers write the history rows in bulk beside them
    who = {"default_user": history_user(), "default_change_reason": history_reason()}
    bulk_create_with_history(plan.add, WeeklyQuota, **who)
    bulk_update_with_history(plan.change, WeeklyQuota, ["count"], **who)
    freshness.bump_on_commit(freshness.SETUP)
    return len(plan.add) + len(plan.change) + len(plan.remove)


@dataclass(kw_only=True)
class RosterPlan(Plan):
    """The roster's writes, in order: agencies and officers to save, then those to deactivate or delete (ids).

    ``agencies`` pairs each agency (new, or holding its new values) with the communes it
    serves from now on, or None to leave them as they are. A new officer may point to a new
    agency: it is saved first.
    """

    agencies: list[tuple[CollectionAgency, set[int] | None]] = field(default_factory=list)
    collectors: list[Collector] = field(default_factory=list)
    deactivate_collectors: list[int] = field(default_factory=list)
    remove_collectors: list[int] = field(default_factory=list)
    deactivate_agencies: list[int] = field(default_factory=list)
    remove_agencies: list[int] = field(default_factory=list)


@transaction.atomic
def sync_roster(*, plan: RosterPlan) -> int:
    """Make the stored roster the planned one; how many agencies and officers it wrote."""
    plan.refuse_if_problems()
    freshness.bump_on_commit(freshness.SETUP)
    for agency, communes in plan.agencies:
        agency.save()
        if communes is not None:
            agency.communes.set(communes)
    for collector in plan.collectors:
        collector.save()
    Collector.objects.filter(pk__in=plan.deactivate_collectors).update(active=False)
    record_history(Collector.objects.filter(pk__in=plan.deactivate_collectors))
    Collector.objects.filter(pk__in=plan.remove_collectors).delete()
    CollectionAgency.objects.filter(pk__in=plan.deactivate_agencies).update(active=False)
    CollectionAgency.objects.filter(pk__in=plan.remove_agencies).delete()
    retired = (plan.deactivate_collectors, plan.remove_collectors, plan.deactivate_agencies, plan.remove_agencies)
    return len(plan.agencies) + len(plan.collectors) + sum(len(ids) for ids in retired)


def post_to_province(*, user, province: Province | None) -> None:
    """Post ``user`` (provincial staff or an admin) to ``province``: their pages then show it only.

    ``None`` takes the posting away: an admin then sees every province, provincial staff none.
    """
    if province is None:
        StaffPosting.objects.filter(user=user).delete()
    else:
        StaffPosting.objects.update_or_create(user=user, defaults={"province": province})
    user._state.fields_cache.pop("posting", None)  # the user read it again, and their province with it
    user.__dict__.pop("_province_cache", None)
