"""Who sees which progress, and the progress answer of the API (DESIGN.md "The progress answer").

The pages and the API ask ``progress_scope`` what a user may see and build their figures from
the same queries, so the two never disagree (a test compares them).
"""

from dataclasses import dataclass
from datetime import date

from django.utils.translation import gettext as _

from campaign.models import BhxhOffice, Campaign, Commune
from collectors.roles import Role, role_of
from collectors.scoping import agency_of
from core import cached_json, caching, freshness
from core.errors import DomainError
from enrollments.vocabulary import figures_generation

from .queries import (
    COUNTS_SECONDS,
    AgencyProgress,
    Area,
    WeekProgress,
    agencies_progress,
    coverage_progress,
    reporting_week,
    scope_key,
    weeks_progress,
)


@dataclass(frozen=True)
class Scope:
    """The communes and agencies a user's progress covers; None means all of them."""

    commune_ids: set[int] | None
    agency_ids: set[int] | None
    office: BhxhOffice | None = None

    @property
    def whole_province(self) -> bool:
        return self.commune_ids is None and self.agency_ids is None


def progress_scope(user, *, campaign: Campaign, office_code: str = "") -> Scope:
    """Staff see the province (or one BHXH cơ sở); an officer their agency and the communes it serves."""
    role = role_of(user)
    if role == Role.OFFICER:
        agency = agency_of(user)
        if agency is None:
            return Scope(set(), set())
        communes = set(
            Commune.objects.filter(agencies=agency, province_id=campaign.province_id).values_list("pk", flat=True)
        )
        return Scope(communes, {agency.pk})
    if role not in (Role.ADMIN, Role.PROVINCIAL):
        return Scope(set(), set())
    if not office_code:
        return Scope(None, None)
    office = BhxhOffice.objects.filter(code=office_code, province_id=campaign.province_id).first()
    if office is None:
        raise DomainError(
            {"office": _("No BHXH office of this campaign's province has the code %(code)s.") % {"code": office_code}}
        )
    communes = set(office.communes.values_list("pk", flat=True))
    return Scope(communes, None, office)


def figures_version(campaign: Campaign) -> str:
    """What every cached dashboard figure of ``campaign`` is keyed on: its enrollments' generation and
    the setup's (quotas, baselines, the roster, snapshots), so a write of either shows at once."""
    enrollments = freshness.generation(figures_generation(campaign.pk))
    return f"{enrollments}.{freshness.generation(freshness.SETUP)}"


def _coverage_pair(area: Area) -> dict:
    return {"bhyt": area.figures["bhyt"].as_dict(), "bhxh": area.figures["bhxh"].as_dict()}


def _products(values: dict) -> dict:
    return {"bhxh_tn": values["bhxh_tn"], "bhyt_hgd": values["bhyt_hgd"]}


def _week(row: WeekProgress) -> dict:
    week = row.week
    return {
        "number": week.number,
        "start": week.start_date.isoformat(),
        "end": week.end_date.isoformat(),
        "quota": _products(row.quota),
        "actual": _products(row.actual),
        "renewals": _products(row.renewals),
    }


def _agency(row: AgencyProgress, week_number: int) -> dict:
    pct = row.attainment_pct
    return {
        "code": row.agency.code,
        "name": row.agency.name,
        "week": week_number,
        "quota": _products(row.quota),
        "actual": _products(row.actual),
        "attainment_pct": None if pct is None else f"{pct:.2f}",
    }


def progress_answer(*, campaign: Campaign, scope: Scope, today: date) -> dict:
    """The progress answer: coverage of the province, offices and communes, weeks, and agencies this week.

    Kept in the cache for everyone with the same scope until the next enrollment write (or
    ``COUNTS_SECONDS``): provincial staff refreshing the dashboard share one computation.
    """
    generation = figures_version(campaign)
    scoped = f"{scope_key(scope.commune_ids)}:{scope_key(scope.agency_ids)}"
    return caching.fresh_or_previous(
        f"dashboard:answer:{campaign.pk}:{today.isoformat()}:{scoped}",
        generation,
        lambda: _answer(campaign=campaign, scope=scope, today=today),
        COUNTS_SECONDS,
    )


def progress_json(*, campaign: Campaign, scope: Scope, today: date) -> bytes:
    """The progress answer as the API sends it, serialized once per generation and scope.

    Turning the answer of 96 communes and 300 agencies into JSON on every request cost more than
    reading it from the cache; the API's schema still documents it (a test validates one against it).
    """
    generation = figures_version(campaign)
    scoped = f"{scope_key(scope.commune_ids)}:{scope_key(scope.agency_ids)}"
    return cached_json.fresh_json(
        f"dashboard:answer-json:{campaign.pk}:{today.isoformat()}:{scoped}",
        generation,
        lambda: progress_answer(campaign=campaign, scope=scope, today=today),
        COUNTS_SECONDS,
    )


def _answer(*, campaign: Campaign, scope: Scope, today: date) -> dict:
    coverage = coverage_progress(campaign=campaign, today=today, commune_ids=scope.commune_ids)
    week = reporting_week(campaign=campaign, today=today)
    agencies = agencies_progress(campaign=campaign, week=week, agency_ids=scope.agency_ids) if week else []
    return {
        "campaign": campaign.code,
        "today": today.isoformat(),
        "target_date": campaign.target_date.isoformat(),
        "province": _coverage_pair(coverage.province),
        "offices": [{"code": o.code, "name": o.name, **_coverage_pair(o)} for o in coverage.offices],
        "communes": [
            {"code": c.code, "name": c.name, "office": c.office, **_coverage_pair(c)} for c in coverage.communes
        ],
        "weeks": [_week(row) for row in weeks_progress(campaign=campaign, agency_ids=scope.agency_ids)],
        "agencies": [_agency(row, week.number) for row in agencies],
    }
