"""The JSON door onto the read side: progress toward the targets, scoped like the dashboard pages."""

from django.http import Http404
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema

from campaign.selectors import campaign_for
from collectors.api_auth import api_auth
from collectors.roles import Role
from core import clock
from core.api_errors import ERROR_RESPONSES
from core.cached_json import json_response

from .progress.answer import progress_json, progress_scope

router = Router(tags=["progress"])


class CoverageOut(Schema):
    denominator: int = Field(description="Population (BHYT) or labour force (BHXH)")
    baseline_insured: int
    added: int = Field(description="Distinct people new or rejoining since the baseline, up to today")
    insured: int
    pct: str | None = Field(description='Coverage, two decimals, e.g. "93.50"')
    target_pct: str
    target_count: int
    gap: int = Field(description="People still needed to reach the target (at least 0)")
    pace_per_day: str = Field(description="People added a day over the last 14 days")
    forecast: int = Field(description="Insured at the target date at this pace")
    forecast_pct: str | None
    needed_per_day: int


class CoveragePairOut(Schema):
    bhyt: CoverageOut
    bhxh: CoverageOut


class OfficeOut(CoveragePairOut):
    code: str
    name: str


class CommuneOut(CoveragePairOut):
    code: str
    name: str
    office: str


class ProductCounts(Schema):
    bhxh_tn: int
    bhyt_hgd: int


class WeekOut(Schema):
    number: int
    start: str
    end: str
    quota: ProductCounts
    actual: ProductCounts = Field(description="What counts toward the quota: new or rejoining, not cancelled")
    renewals: ProductCounts


class AgencyOut(Schema):
    code: str
    name: str
    week: int
    quota: ProductCounts
    actual: ProductCounts
    attainment_pct: str | None = Field(description="Weighted as the weekly agency award rule; null without a quota")


class ProgressOut(Schema):
    campaign: str
    today: str
    target_date: str
    province: CoveragePairOut
    offices: list[OfficeOut]
    communes: list[CommuneOut]
    weeks: list[WeekOut]
    agencies: list[AgencyOut]


@router.get(
    "/campaigns/{code}/progress",
    response={200: ProgressOut, **ERROR_RESPONSES},
    auth=api_auth(*Role),
    summary="Progress toward the targets",
)
def get_progress(request, code: str, office: str = ""):
    """Coverage against the targets for the province, each BHXH cơ sở and each commune; quota against actual
    per week and product; the agencies' attainment this week. An officer gets their own agency and the
    communes it serves; `office` limits staff to one BHXH cơ sở."""
    campaign = campaign_for(request.auth, code)
    if campaign is None:
        raise Http404(_("No campaign has the code %(code)s.") % {"code": code})
    scope = progress_scope(request.auth, campaign=campaign, office_code=office)
    # Sent as the cached JSON itself: the answer is ProgressOut's shape (a test validates it).
    body = progress_json(campaign=campaign, scope=scope, today=clock.today())
    return json_response(body)
