"""Who a ranking lists: everyone of the province who could compete, and anyone who recorded anyway.

scope_numbers reads the competing agencies and officers by their province and flags, and asks by id
only for those who recorded without being among them (an officer of another province, an inactive
one, one whose own agency is neither); this pins that set on a mix of every case.
"""

from datetime import date

import pytest

from awards.selectors import scope_numbers
from awards.services import compute_rankings
from awards.tests.factories import AwardRuleFactory, officer_points_rule
from campaign.tests.factories import BhxhOfficeFactory, ProvinceFactory
from collectors.tests.factories import AgencyFactory, CollectorFactory
from enrollments.models import Enrollment

pytestmark = pytest.mark.django_db

ON = date(2025, 11, 13)  # week 1
# The world's (conftest): active, in the campaign's province.
COMPETING_AGENCIES = {"AG-A", "AG-B", "AG-NOQ"}
COMPETING_OFFICERS = {"CB-A1", "CB-A2", "CB-B1", "CB-N1"}


@pytest.fixture
def mixed(world):
    here = BhxhOfficeFactory(province=world.campaign.province)
    elsewhere = BhxhOfficeFactory(province=ProvinceFactory(code="79", name="Hồ Chí Minh", codename="ho_chi_minh"))
    agencies = {
        "IN": AgencyFactory(code="IN", office=here),
        "OFF": AgencyFactory(code="OFF", office=here),
        "FAR": AgencyFactory(code="FAR", office=elsewhere),
        "FAR2": AgencyFactory(code="FAR2", office=elsewhere),
    }
    officers = {
        "IN-1": ("IN", True),
        "IN-2": ("IN", False),
        "IN-3": ("IN", False),
        "OFF-1": ("OFF", True),
        "OFF-2": ("OFF", True),
        "FAR-1": ("FAR", True),
        "FAR-2": ("FAR", True),
        "FAR2-1": ("FAR2", True),
    }
    for code, (agency, _) in officers.items():
        world.collectors[code] = CollectorFactory(code=code, agency=agencies[agency])
    for code in ("IN-3", "OFF-2", "FAR-1", "FAR2-1"):
        world.record(code, on=ON)
    # Deactivated after recording (an inactive officer or agency records nothing).
    for code, (_, active) in officers.items():
        world.collectors[code].active = active
        world.collectors[code].save(update_fields=["active"])
    agencies["OFF"].active = False
    agencies["OFF"].save(update_fields=["active"])
    # FAR2-1 recorded for IN (the recording agency is the enrollment's): FAR2 itself recorded nothing.
    Enrollment.objects.filter(collector=world.collectors["FAR2-1"]).update(agency=agencies["IN"])
    return world


def test_the_province_competes_and_whoever_recorded_is_listed(mixed):
    scope = scope_numbers(campaign=mixed.campaign, week=mixed.week(1), subjects={"agency", "collector"})
    codes = {code for code, _, _ in scope.collectors.values()}
    # IN-2 (inactive), OFF-1 (inactive agency) and FAR-2 (another province) recorded nothing: not listed;
    # the world's own officers are active in the province.
    assert codes == {"IN-1", "IN-3", "OFF-2", "FAR-1", "FAR2-1", *COMPETING_OFFICERS}
    agency_codes = {agency.code for agency in scope.agencies.values()}
    # OFF and FAR recorded; FAR2 is the agency of a listed officer.
    assert agency_codes == {"IN", "OFF", "FAR", "FAR2", *COMPETING_AGENCIES}
    only_agencies = scope_numbers(campaign=mixed.campaign, week=mixed.week(1), subjects={"agency"})
    assert {agency.code for agency in only_agencies.agencies.values()} == {"IN", "OFF", "FAR", *COMPETING_AGENCIES}


def test_the_stored_rankings_list_them(mixed):
    AwardRuleFactory(campaign=mixed.campaign)
    officer_points_rule(mixed.campaign)
    computed = {c.rule.subject: c.ranking for c in compute_rankings(campaign=mixed.campaign, week_number=1)}
    officers = set(computed["collector"].entries.values_list("code", flat=True))
    assert officers == {"IN-1", "IN-3", "OFF-2", "FAR-1", "FAR2-1", *COMPETING_OFFICERS}
    agencies = set(computed["agency"].entries.values_list("code", flat=True))
    assert agencies == {"IN", "OFF", "FAR", "FAR2", *COMPETING_AGENCIES}
