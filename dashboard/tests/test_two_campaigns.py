"""Two campaigns at once: the 2025 one and the next, copied from it with ``copy_campaign``.

An enrollment goes to the campaign running on its collection date (whatever campaign the caller
named), takes its week from that campaign, and each campaign's quotas, rankings and progress see
only their own enrollments; pages show the campaign chosen on them, or the current one.
"""

from datetime import date

import pytest

from awards.copying import copy_campaign
from awards.selectors.live import provisional_standings
from awards.tests.factories import AwardRuleFactory
from campaign.models import Campaign
from campaign.tests.factories import BhxhOfficeFactory, CampaignFactory, CommuneFactory, CoverageBaselineFactory
from collectors.roles import Role
from collectors.tests.factories import AgencyFactory, CollectorFactory, UserFactory, WeeklyQuotaFactory, officer_user
from collectors.tokens import issue_api_token
from enrollments.models import Enrollment
from enrollments.services import prepare_enrollment, record_enrollment
from enrollments.tests.factories import bhyt_request, cccd_of

pytestmark = pytest.mark.django_db

COMMUNE = "25480"


def _world(settings, *, start: date, end: date, today: date):
    """The 2025 campaign (12/11–16/12/2025) with a quota for agency A, and its copy from ``start`` to ``end``."""
    settings.APP_TODAY = today
    old = CampaignFactory(code="TN-2025")
    office = BhxhOfficeFactory(province=old.province, code="N")
    commune = CommuneFactory(province=old.province, office=office, code=COMMUNE)
    CoverageBaselineFactory(campaign=old, commune=commune, as_of=date(2025, 11, 1))
    agency = AgencyFactory(code="A")
    agency.communes.add(commune)
    for number in (1, 5):
        WeeklyQuotaFactory(week=old.weeks.get(number=number), agency=agency, product="bhyt_hgd", count=2)
    AwardRuleFactory(campaign=old, code="weekly-agency")
    new = copy_campaign(source_code=old.code, code="TN-2026", start=start, end=end).campaign
    Campaign.objects.filter(pk=new.pk).update(status=Campaign.Status.ACTIVE)
    new.refresh_from_db()
    CoverageBaselineFactory(campaign=new, commune=commune, as_of=start)
    collector = CollectorFactory(agency=agency)
    return old, new, collector


@pytest.fixture
def abutting(settings):
    # The copy starts the day after the 2025 campaign ends; the app's day is in its first week.
    return _world(settings, start=date(2025, 12, 17), end=date(2026, 1, 20), today=date(2025, 12, 19))


@pytest.fixture
def overlapping(settings):
    # The copy starts two days before the 2025 campaign ends.
    return _world(settings, start=date(2025, 12, 15), end=date(2026, 1, 18), today=date(2025, 12, 17))


def _record(campaign, collector, number, on):
    return record_enrollment(
        campaign=campaign, collector=collector, request=bhyt_request(number, commune_code=COMMUNE, collected_on=on)
    )


@pytest.mark.parametrize("named", ["old", "new"])
def test_an_enrollment_goes_to_the_campaign_running_on_its_collection_date(abutting, named):
    old, new, collector = abutting
    campaign = old if named == "old" else new
    last_day = _record(campaign, collector, 1, date(2025, 12, 16))
    first_day = _record(campaign, collector, 2, date(2025, 12, 17))
    assert (last_day.campaign, last_day.week.campaign, last_day.week.number) == (old, old, 5)
    assert (first_day.campaign, first_day.week.campaign, first_day.week.number) == (new, new, 1)


def test_a_date_outside_every_campaign_stays_in_the_named_one_outside_its_weeks(abutting):
    _old, new, collector = abutting
    enrollment = _record(new, collector, 1, date(2025, 11, 1))  # before both
    assert (enrollment.campaign, enrollment.week) == (new, None)
    prepared = prepare_enrollment(
        campaign=new, request=bhyt_request(2, commune_code=COMMUNE, collected_on=date(2025, 11, 1))
    )
    assert prepared.week is None and prepared.campaign == new and prepared.warnings


def test_where_they_overlap_the_named_campaign_keeps_the_enrollment(overlapping):
    old, new, collector = overlapping
    assert _record(old, collector, 1, date(2025, 12, 15)).campaign == old
    assert _record(new, collector, 2, date(2025, 12, 15)).campaign == new
    assert _record(new, collector, 3, date(2025, 12, 14)).campaign == old  # before the new one starts
    assert _record(old, collector, 4, date(2025, 12, 17)).campaign == new  # after the old one ends


def test_the_api_records_into_the_campaign_of_the_collection_date(client, abutting):
    old, new, collector = abutting
    user = officer_user(agency=collector.agency)
    _token, raw = issue_api_token(user=user, name="test")
    body = {
        "campaign": old.code,
        "participant": {
            "cccd": cccd_of(7),
            "full_name": "Nguyễn Văn Bảy",
            "date_of_birth": "1985-03-02",
            "sex": "male",
            "commune_code": COMMUNE,
            "target_group": "farmer",
        },
        "product": "bhyt_hgd",
        "months": 12,
        "collected_on": "2025-12-18",
    }
    response = client.post(
        "/api/v1/enrollments", body, content_type="application/json", headers={"Authorization": f"Bearer {raw}"}
    )
    assert response.status_code == 201, response.content
    answer = response.json()
    assert (answer["campaign"], answer["week"], answer["warnings"]) == (new.code, 1, [])
    assert Enrollment.objects.get().campaign == new


def test_quotas_rankings_and_progress_of_each_campaign_see_only_their_own(client, abutting):
    old, new, collector = abutting
    _record(new, collector, 1, date(2025, 12, 16))  # the old campaign's week 5
    _record(new, collector, 2, date(2025, 12, 17))  # the new campaign's week 1
    _record(old, collector, 3, date(2025, 12, 18))  # the new campaign's week 1
    client.force_login(UserFactory(role=Role.PROVINCIAL))

    def weeks(campaign):
        answer = client.get(f"/api/v1/campaigns/{campaign.code}/progress").json()
        return {w["number"]: (w["quota"]["bhyt_hgd"], w["actual"]["bhyt_hgd"]) for w in answer["weeks"]}, answer

    old_weeks, old_answer = weeks(old)
    new_weeks, new_answer = weeks(new)
    assert (old_weeks[1], old_weeks[5]) == ((2, 0), (2, 1))
    assert (new_weeks[1], new_weeks[5]) == ((2, 2), (2, 0))  # quotas copied week by week
    assert old_answer["province"]["bhyt"]["added"] == 1  # collected since its baseline, in its campaign
    assert new_answer["province"]["bhyt"]["added"] == 2

    def counted(campaign, number):
        standings = provisional_standings(campaign=campaign, week=campaign.weeks.get(number=number))
        assert [live.rule.campaign_id for live in standings] == [campaign.pk]
        entries = {(e.code, e.bhyt_hgd_count, e.bhyt_hgd_quota) for live in standings for e in live.entries}
        return entries, sum(live.late_count for live in standings)

    # Recorded on 19/12, after week 5's cut-off (17/12 12:00): late there, and only there.
    assert counted(old, 5) == ({("A", 0, 2)}, 1)
    assert counted(new, 1) == ({("A", 2, 2)}, 0)


def test_the_pages_show_the_campaign_chosen_else_the_current_one(client, abutting):
    old, new, _collector = abutting
    client.force_login(UserFactory(role=Role.PROVINCIAL))
    page = client.get("/overview/").content.decode()
    assert 'id="campaign-chooser"' in page and 'value="TN-2025"' in page
    assert '<option value="TN-2026" selected>' in page  # the one under way
    chosen = client.get("/overview/", {"campaign": old.code}).content.decode()
    assert '<option value="TN-2025" selected>' in chosen
    # The choice holds for the next pages, and every other page, until another is chosen.
    assert '<option value="TN-2025" selected>' in client.get("/overview/").content.decode()
    assert client.get("/rankings/").context["campaign"] == old
    assert client.get("/rankings/", {"campaign": new.code}).context["campaign"] == new
    assert client.get("/overview/").context["campaign"] == new
    assert client.get("/overview/", {"campaign": "NO-SUCH"}).status_code == 404
    assert client.get("/overview/offices/N/", {"campaign": old.code}).context["campaign"] == old


@pytest.mark.parametrize(("collected_on", "code", "week"), [("16/12/2025", "TN-2025", 5), ("18/12/2025", "TN-2026", 1)])
def test_the_officers_form_records_into_the_campaign_of_the_collection_date(
    client, settings, abutting, collected_on, code, week
):
    _old, _new, collector = abutting
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    client.force_login(officer_user(agency=collector.agency))
    data = {
        "cccd": cccd_of(41),
        "full_name": "Lê Văn Tự Nguyện",
        "date_of_birth": "02/03/1985",
        "sex": "male",
        "phone": "0987654321",
        "target_group": "informal_worker",
        "commune_code": COMMUNE,
        "months": "12",
        "income": "1.500.000",
        "support_group": "other",
        "collected_on": collected_on,
        "receipt_no": "BL-9",
    }
    review = client.post("/enroll/bhxh/", data)
    assert review.status_code == 200
    assert f"week {week}" in review.content.decode()
    context = review.context
    recorded = client.post(
        "/enroll/bhxh/", dict(context["carried"]) | {"submission": context["submission"], "action": "confirm"}
    )
    assert recorded.status_code == 302
    enrollment = Enrollment.objects.get()
    assert (enrollment.campaign.code, enrollment.week.number, enrollment.week.campaign.code) == (code, week, code)
