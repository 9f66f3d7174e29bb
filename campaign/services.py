"""Writes of the campaign app: campaigns and their weeks, the geography import, coverage baselines."""

from dataclasses import dataclass, field

from django.db import transaction
from vietnam_provinces import Province as VnProvince
from vietnam_provinces import ProvinceCode, VietNamDivisionType, Ward

from core import freshness
from core.errors import DomainError, full_clean_or_refuse
from core.excel.importing import Plan

from .models import Campaign, CampaignWeek, Commune, CoverageBaseline, Province
from .weeks import week_ranges

BASELINE_FIGURES = ("population", "labour_force", "bhyt_insured", "bhxh_insured", "as_of")
_COMMUNE_KINDS = {
    VietNamDivisionType.XA: Commune.Kind.XA,
    VietNamDivisionType.PHUONG: Commune.Kind.PHUONG,
    VietNamDivisionType.DAC_KHU: Commune.Kind.DAC_KHU,
}


@transaction.atomic
def sync_weeks(*, campaign: Campaign) -> list[CampaignWeek]:
    """Make the campaign's weeks match its dates: create, move and drop as needed.

    A week that has quotas or enrollments attached is protected by its foreign keys,
    so shortening a campaign under way fails loudly instead of losing data.
    """
    wanted = week_ranges(campaign.start_date, campaign.end_date)
    existing = {week.number: week for week in campaign.weeks.all()}
    weeks = []
    for rng in wanted:
        week = existing.pop(rng.number, None)
        if week is None:
            week = CampaignWeek.objects.create(
                campaign=campaign, number=rng.number, start_date=rng.start_date, end_date=rng.end_date
            )
        elif (week.start_date, week.end_date) != (rng.start_date, rng.end_date):
            week.start_date, week.end_date = rng.start_date, rng.end_date
            week.save(update_fields=["start_date", "end_date"])
        weeks.append(week)
    if existing:
        CampaignWeek.objects.filter(pk__in=[week.pk for week in existing.values()]).delete()
    return weeks


@transaction.atomic
def save_campaign(*, campaign: Campaign) -> Campaign:
    """Validate and store a campaign, then derive its weeks from its dates."""
    full_clean_or_refuse(campaign)
    campaign.save()
    sync_weeks(campaign=campaign)
    return campaign


@transaction.atomic
def import_geography(*, province_code: int) -> Province:
    """Load a province and its communes from the official post-1/7/2025 list.

    Idempotent: re-running updates names and kinds by code and adds nothing twice.
    The BHXH office of each commune is left as it is.
    """
    try:
        source = VnProvince.from_code(ProvinceCode(province_code))
    except ValueError as exc:
        raise DomainError({"province_code": str(exc)}) from exc
    province, _ = Province.objects.update_or_create(
        code=str(int(source.code)), defaults={"name": source.name, "codename": source.codename}
    )
    existing = {commune.code: commune for commune in province.communes.all()}
    to_create, to_update = [], []
    for ward in Ward.iter_by_province(source.code):
        code = f"{int(ward.code):05d}"
        values = {"name": ward.name, "codename": ward.codename, "kind": _COMMUNE_KINDS[ward.division_type]}
        commune = existing.get(code)
        if commune is None:
            to_create.append(Commune(code=code, province=province, **values))
        elif any(getattr(commune, field) != value for field, value in values.items()):
            for field, value in values.items():
                setattr(commune, field, value)
            to_update.append(commune)
    Commune.objects.bulk_create(to_create)
    Commune.objects.bulk_update(to_update, ["name", "codename", "kind"])
    return province


@dataclass(kw_only=True)
class BaselinePlan(Plan):
    """Coverage baselines to add, and stored ones to change (already holding their new figures)."""

    add: list[CoverageBaseline] = field(default_factory=list)
    change: list[CoverageBaseline] = field(default_factory=list)


@transaction.atomic
def save_baselines(*, plan: BaselinePlan) -> int:
    """Write a confirmed plan of baselines (a commune's figures replace its earlier ones); how many were written."""
    plan.refuse_if_problems()
    CoverageBaseline.objects.bulk_create(plan.add)
    CoverageBaseline.objects.bulk_update(plan.change, BASELINE_FIGURES)
    freshness.bump_on_commit(freshness.SETUP)
    return len(plan.add) + len(plan.change)
