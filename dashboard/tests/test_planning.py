"""Planning the next week from the database: the suggestions, the page, and the sheet read back by the quota import."""

import io
from datetime import date

import openpyxl
import pytest
from django.urls import reverse

from campaign.tests.factories import BhxhOfficeFactory, CampaignFactory, CommuneFactory, CoverageBaselineFactory
from collectors.imports import QuotaImport
from collectors.models import WeeklyQuota
from collectors.roles import Role
from collectors.tests.factories import AgencyFactory, CollectorFactory, UserFactory, WeeklyQuotaFactory, officer_user
from core.excel.importing import run_import
from core.models import ImportRecord
from dashboard.planning.selectors import week_plan
from enrollments.services import record_enrollment
from enrollments.tests.factories import bhxh_request, bhyt_request

pytestmark = pytest.mark.django_db
TODAY = date(2025, 12, 2)  # the last day of week 3: the coming week is week 4 (03/12–09/12), 29 days to 31/12


@pytest.fixture
def world(settings):
    """Commune X1 served by A and B (A brought 3 BHYT people, B one), X2 by nobody, X3 by C (nobody brought any)."""
    settings.APP_TODAY = TODAY
    campaign = CampaignFactory(code="TN-2025")
    north, south = BhxhOfficeFactory(code="BAC", name="BHXH Bắc"), BhxhOfficeFactory(code="NAM", name="BHXH Nam")
    x1, x2, x3 = (CommuneFactory(code=code, office=north, province=campaign.province) for code in ("X1", "X2", "X3"))
    # BHYT: 95 % of 1.000 = 950; BHXH: 45 % of 600 = 270.
    baseline = {"population": 1000, "labour_force": 600, "as_of": date(2025, 11, 1)}
    CoverageBaselineFactory(campaign=campaign, commune=x1, bhyt_insured=900, bhxh_insured=200, **baseline)
    CoverageBaselineFactory(campaign=campaign, commune=x2, bhyt_insured=950, bhxh_insured=241, **baseline)
    CoverageBaselineFactory(campaign=campaign, commune=x3, bhyt_insured=949, bhxh_insured=270, **baseline)
    a, b = AgencyFactory(code="A", office=north), AgencyFactory(code="B", office=north)
    c, idle = AgencyFactory(code="C", office=south), AgencyFactory(code="IDLE", office=south)
    AgencyFactory(code="OLD", office=south, active=False).communes.add(x1)
    a.communes.add(x1)
    b.communes.add(x1)
    c.communes.add(x3)
    collectors = {agency.code: CollectorFactory(agency=agency) for agency in (a, b, c)}
    for number, code in ((1, "A"), (2, "A"), (3, "A"), (4, "B")):
        request = bhyt_request(number, commune_code="X1", collected_on=date(2025, 11, 20))
        record_enrollment(campaign=campaign, collector=collectors[code], request=request)
    # C brought a BHXH person in X1, which it does not serve: that gives it no share of X1.
    request = bhxh_request(5, commune_code="X1", collected_on=date(2025, 11, 21))
    record_enrollment(campaign=campaign, collector=collectors["C"], request=request)
    week_4 = campaign.weeks.get(number=4)
    WeeklyQuotaFactory(week=week_4, agency=idle, product="bhyt_hgd", count=99)  # replaced by the upload
    WeeklyQuotaFactory(week=campaign.weeks.get(number=5), agency=a, product="bhyt_hgd", count=77)  # untouched
    return campaign


# X1 BHYT: 904 insured → gap 46 → 2 a day over 29 days → 14 next week, A 3/4 = 10,5 → 11, B 3,5 → 4.
# X1 BHXH: 201 insured (C's person) → gap 69 → 3 a day → 21, nobody of A and B brought any: 10,5 → 11 each.
# X2 BHXH: gap 29 → 1 a day → 7, no agency serves X2. X3 BHYT: gap 1 → 1 a day → 7 capped at the gap: 1, all to C.
EXPECTED = {
    "A": {"bhxh_tn": 11, "bhyt_hgd": 11},
    "B": {"bhxh_tn": 11, "bhyt_hgd": 4},
    "C": {"bhxh_tn": 0, "bhyt_hgd": 1},
    "IDLE": {"bhxh_tn": 0, "bhyt_hgd": 0},
}


def test_each_active_agency_gets_its_share_of_the_gaps_of_the_communes_it_serves(world):
    plan = week_plan(campaign=world, today=TODAY)
    assert plan.week.number == 4 and plan.days_left == 29
    assert {row.agency.code: row.suggested for row in plan.agencies} == EXPECTED
    assert {row.agency.code: row.communes for row in plan.agencies} == {"A": 1, "B": 1, "C": 1, "IDLE": 0}
    assert plan.unserved == {"bhxh_tn": 7, "bhyt_hgd": 0}
    assert plan.agencies[3].stored == {"bhxh_tn": 0, "bhyt_hgd": 99}


def test_after_the_target_date_nothing_is_suggested_and_after_the_last_week_nothing_is_planned(world):
    assert week_plan(campaign=world, today=date(2025, 12, 9)).week.number == 5
    assert week_plan(campaign=world, today=date(2025, 12, 10)).week is None  # week 5 started: no week after it
    late = week_plan(campaign=world, today=date(2025, 12, 10))
    assert late.totals() == {"bhxh_tn": 0, "bhyt_hgd": 0}


def test_the_downloaded_sheet_goes_back_through_the_quota_import_as_exactly_the_suggestions(client, world):
    admin = UserFactory(role=Role.ADMIN)
    client.force_login(admin)
    response = client.get(reverse("dashboard:planning_download"))
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="goi-y-chi-tieu-tuan-4.xlsx"'
    data = response.content
    sheet = openpyxl.load_workbook(io.BytesIO(data)).active
    header = [cell.value for cell in next(r for r in sheet.iter_rows() if r[0].value == "STT")]
    assert header == [
        "STT",
        "Mã tổ chức dịch vụ thu",
        "Tên tổ chức dịch vụ thu",
        "Tuần",
        "Chỉ tiêu BHXH tự nguyện",
        "Chỉ tiêu BHYT hộ gia đình",
    ]
    record = run_import(
        QuotaImport(), data=data, file_name="goi-y.xlsx", codes={"campaign": "TN-2025"}, write=True, source="web"
    )
    assert record.problems == [] and record.outcome == ImportRecord.Outcome.WRITTEN
    stored = {
        (q.week.number, q.agency.code, q.product): q.count
        for q in WeeklyQuota.objects.filter(week__campaign=world).select_related("week", "agency")
    }
    suggested = {
        (4, code, product): count for code, counts in EXPECTED.items() for product, count in counts.items() if count
    }
    assert stored == suggested | {(5, "A", "bhyt_hgd"): 77}


def test_the_page_lists_the_suggestions_filtered_by_office_and_only_admins_get_the_download(client, world):
    client.force_login(UserFactory(role=Role.PROVINCIAL))
    body = client.get(reverse("dashboard:planning")).content.decode()
    assert "03/12/2025" in body and "09/12/2025" in body  # week 4
    assert ">IDLE<" in body and ">A<" in body and ">C<" in body
    assert reverse("dashboard:planning_download") not in body
    assert client.get(reverse("dashboard:planning_download")).status_code == 403
    north = client.get(reverse("dashboard:planning"), {"office": "BAC"}, headers={"HX-Request": "true"})
    fragment = north.content.decode()
    assert "<html" not in fragment and 'id="planning-table"' in fragment
    assert ">A<" in fragment and ">B<" in fragment and ">C<" not in fragment and ">IDLE<" not in fragment
    client.force_login(UserFactory(role=Role.ADMIN))
    assert reverse("dashboard:planning_download") in client.get(reverse("dashboard:planning")).content.decode()


@pytest.mark.parametrize(
    ("role", "page", "download"),
    [(Role.ADMIN, 200, 200), (Role.PROVINCIAL, 200, 403), (Role.OFFICER, 403, 403), (None, 403, 403)],
    ids=str,
)
def test_role_rules(client, world, role, page, download):
    client.force_login(officer_user() if role == Role.OFFICER else UserFactory(role=role))
    assert client.get(reverse("dashboard:planning")).status_code == page
    assert client.get(reverse("dashboard:planning_download")).status_code == download


def test_the_page_query_count_does_not_grow_with_agencies_or_communes(client, world, django_assert_max_num_queries):
    for _ in range(20):
        agency = AgencyFactory(office=BhxhOfficeFactory())
        agency.communes.add(CommuneFactory(province=world.province))
    client.force_login(UserFactory(role=Role.PROVINCIAL))
    # 3 auth, 2 campaign, 8 for the plan and filter, 2 to find no snapshot to carry forward (incremental.py)
    with django_assert_max_num_queries(15):
        assert client.get(reverse("dashboard:planning")).status_code == 200
