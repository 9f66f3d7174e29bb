"""Progress from the database: coverage per commune, office and province, snapshots, freshness."""

from datetime import date
from decimal import Decimal

import pytest

from campaign.tests.factories import BhxhOfficeFactory, CampaignFactory, CommuneFactory, CoverageBaselineFactory
from collectors.tests.factories import CollectorFactory, WeeklyQuotaFactory
from dashboard.models import CoverageSnapshot
from dashboard.progress.queries import agencies_progress, coverage_progress, reporting_week, weeks_progress
from dashboard.progress.snapshots import compute_progress, coverage_trend
from enrollments.models import PriorCoverage
from enrollments.services import cancel_enrollment, record_enrollment
from enrollments.tests.factories import bhxh_request, bhyt_request, cccd_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(settings):
    settings.APP_TODAY = date(2025, 12, 10)
    campaign = CampaignFactory()
    office = BhxhOfficeFactory(province=campaign.province)
    first = CommuneFactory(province=campaign.province, office=office, code="25480")
    second = CommuneFactory(province=campaign.province, office=office, code="25481")
    for commune in (first, second):
        CoverageBaselineFactory(campaign=campaign, commune=commune, as_of=date(2025, 11, 1))
    collector = CollectorFactory()
    return campaign, (first, second), collector


def _record(world, number, on, *, commune=0, product="bhyt_hgd"):
    campaign, communes, collector = world
    make = bhyt_request if product == "bhyt_hgd" else bhxh_request
    return record_enrollment(
        campaign=campaign,
        collector=collector,
        request=make(number, commune_code=communes[commune].code, collected_on=on),
    )


def test_new_and_rejoining_people_add_to_their_communes_coverage(world, django_capture_on_commit_callbacks):
    campaign = world[0]
    with django_capture_on_commit_callbacks(execute=True):
        _record(world, 1, date(2025, 11, 20))
        _record(world, 2, date(2025, 12, 1))
        PriorCoverage.objects.create(cccd=cccd_of(3), product="bhyt_hgd", last_coverage_end=date(2025, 12, 31))
        _record(world, 3, date(2025, 12, 2))  # a renewal: already insured, adds nobody
        _record(world, 4, date(2025, 12, 3), commune=1)
        _record(world, 5, date(2025, 12, 4), product="bhxh_tn")
    progress = coverage_progress(campaign=campaign, today=date(2025, 12, 10))
    first, second = progress.communes
    bhyt = first.figures["bhyt"]
    # Baseline 27.900 of 30.000; two people added (one in the 14-day window 27/11–10/12).
    assert (bhyt.baseline_insured, bhyt.added, bhyt.insured, bhyt.pct) == (27_900, 2, 27_902, Decimal("93.01"))
    assert (bhyt.gap, bhyt.pace_per_day) == (598, Decimal("0.07"))  # 1 in 14 days
    assert first.figures["bhxh"].added == 1 and second.figures["bhyt"].added == 1
    # The office and the province add up their communes' counts.
    (office,) = progress.offices
    assert office.figures["bhyt"].insured == progress.province.figures["bhyt"].insured == 27_902 + 27_901
    assert progress.province.figures["bhyt"].denominator == 60_000


def test_a_cancelled_enrollment_leaves_the_live_figures_at_once(world, django_capture_on_commit_callbacks):
    campaign, _, _ = world
    with django_capture_on_commit_callbacks(execute=True):
        enrollment = _record(world, 1, date(2025, 11, 20))
    assert coverage_progress(campaign=campaign, today=date(2025, 12, 10)).province.figures["bhyt"].added == 1
    with django_capture_on_commit_callbacks(execute=True):
        cancel_enrollment(enrollment=enrollment, reason="nhập nhầm", user=None)
    assert coverage_progress(campaign=campaign, today=date(2025, 12, 10)).province.figures["bhyt"].added == 0


def test_enrollments_before_the_baseline_or_after_today_do_not_count(world):
    campaign, communes, _ = world
    communes[0].baselines.update(as_of=date(2025, 11, 25))
    _record(world, 1, date(2025, 11, 20))  # already in the baseline
    _record(world, 2, date(2025, 11, 26))
    progress = coverage_progress(campaign=campaign, today=date(2025, 11, 30))
    assert progress.communes[0].figures["bhyt"].added == 1


def test_a_day_computed_twice_keeps_one_snapshot_per_commune_and_product(world):
    campaign, _, _ = world
    _record(world, 1, date(2025, 11, 20))
    assert compute_progress(campaign=campaign, day=date(2025, 11, 20)) == 4
    assert compute_progress(campaign=campaign, day=date(2025, 11, 20)) == 0  # nothing changed: nothing written
    assert CoverageSnapshot.objects.filter(day=date(2025, 11, 20)).count() == 4
    _record(world, 2, date(2025, 11, 20))
    assert compute_progress(campaign=campaign, day=date(2025, 11, 20)) == 1  # only the commune that moved
    compute_progress(campaign=campaign, day=date(2025, 11, 19))
    trend = coverage_trend(campaign=campaign)
    assert [(p.day, p.insured, p.denominator) for p in trend["bhyt"]] == [
        (date(2025, 11, 19), 55_800, 60_000),
        (date(2025, 11, 20), 55_802, 60_000),
    ]
    assert trend["bhyt"][1].pct == Decimal("93.00")


def test_weeks_and_agencies_count_what_counts_toward_the_quota(world):
    campaign, _, collector = world
    week_2 = campaign.weeks.get(number=2)
    WeeklyQuotaFactory(week=week_2, agency=collector.agency, product="bhyt_hgd", count=4)
    _record(world, 1, date(2025, 11, 20))
    _record(world, 2, date(2025, 11, 21))
    PriorCoverage.objects.create(cccd=cccd_of(3), product="bhyt_hgd", last_coverage_end=date(2025, 12, 31))
    _record(world, 3, date(2025, 11, 22))
    weeks = {w.week.number: w for w in weeks_progress(campaign=campaign)}
    assert (weeks[2].quota["bhyt_hgd"], weeks[2].actual["bhyt_hgd"], weeks[2].renewals["bhyt_hgd"]) == (4, 2, 1)
    (row,) = [a for a in agencies_progress(campaign=campaign, week=week_2) if a.agency == collector.agency]
    assert (row.attainment_pct, row.status) == (Decimal("50.00"), "behind")
    assert reporting_week(campaign=campaign, today=date(2025, 12, 20)).number == 5
    assert reporting_week(campaign=campaign, today=date(2025, 11, 1)) is None


def test_the_command_fills_the_days_and_refuses_bad_input(world, settings):
    from io import StringIO

    from django.core.management import CommandError, call_command

    campaign = world[0]
    out = StringIO()
    call_command("compute_progress", campaign=campaign.code, date="2025-11-14", since_start=True, stdout=out)
    assert out.getvalue().splitlines() == [
        "12/11/2025: 4 snapshots",
        "13/11/2025: 4 snapshots",
        "14/11/2025: 4 snapshots",
    ]
    call_command("compute_progress", campaign=campaign.code, date="2025-11-14", stdout=out)
    assert CoverageSnapshot.objects.count() == 12
    with pytest.raises(CommandError, match="YYYY-MM-DD"):
        call_command("compute_progress", campaign=campaign.code, date="14/11/2025")
    with pytest.raises(CommandError, match="No campaign"):
        call_command("compute_progress", campaign="NOPE")


def test_the_nightly_task_stores_the_last_week_s_days_for_running_campaigns(
    world, settings, django_capture_on_commit_callbacks
):
    from dashboard.tasks import compute_daily_progress

    campaign = world[0]
    campaign.status = campaign.Status.ACTIVE
    campaign.save()
    settings.APP_TODAY = date(2025, 11, 21)
    with django_capture_on_commit_callbacks(execute=True):
        assert compute_daily_progress.delay().get() == [campaign.pk]
    # Yesterday, and the days before it in the last week that have no snapshot yet (none here).
    assert set(CoverageSnapshot.objects.values_list("day", flat=True)) == {date(2025, 11, d) for d in range(14, 21)}


def test_a_night_the_task_did_not_run_is_made_up_on_the_next_round(world, settings, django_capture_on_commit_callbacks):
    from dashboard.tasks import compute_daily_progress

    campaign = world[0]
    campaign.status = campaign.Status.ACTIVE
    campaign.save()
    for day in range(15, 20):
        compute_progress(campaign=campaign, day=date(2025, 11, day))
    settings.APP_TODAY = date(2025, 11, 22)  # the nights of the 20th and 21st were missed (broker away)
    with django_capture_on_commit_callbacks(execute=True):
        assert compute_daily_progress.delay().get() == [campaign.pk]
    days = set(CoverageSnapshot.objects.values_list("day", flat=True))
    assert days == {date(2025, 11, day) for day in range(15, 22)}
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        assert compute_daily_progress.delay().get() == []  # the next hour: nothing is missing
    assert callbacks == []


def test_beat_looks_for_ended_days_every_hour():
    from config.celery import app

    entry = app.conf.beat_schedule["dashboard-progress-of-ended-days"]
    assert entry["task"] == "dashboard.tasks.compute_daily_progress"
    assert (entry["schedule"].minute, entry["schedule"].hour) == ({10}, set(range(24)))
