"""Retention (README "Retention"): of the people due for renewal in a period, the share who renewed.

A hand-built set, with the app's day at 20/03/2026 and the period the 2025 campaign (12/11–16/12/2025):
due and renewed, due and lapsed (one with a cancelled renewal), due and rejoined after three months,
due and renewed through another agency, not due (renewed before the period, coverage ending after
it), and a person known only from prior coverage, due and lapsed.
"""

from datetime import date

import pytest

from campaign.models import Product
from campaign.tests.factories import BhxhOfficeFactory, CampaignFactory, CommuneFactory, CoverageBaselineFactory
from collectors.roles import Role
from collectors.tests.factories import AgencyFactory, CollectorFactory, UserFactory
from core.percent import percent
from dashboard.retention import Retention, compute_retention, period_of, retention
from enrollments.classification import Classification
from enrollments.models import PriorCoverage
from enrollments.services import cancel_enrollment, record_enrollment
from enrollments.tests.factories import bhxh_request, bhyt_request, cccd_of

pytestmark = pytest.mark.django_db

TODAY = date(2026, 3, 20)


@pytest.fixture
def world(settings):
    settings.APP_TODAY = TODAY
    campaign = CampaignFactory(code="TN-2025")
    office = BhxhOfficeFactory(province=campaign.province, code="N")
    x = CommuneFactory(province=campaign.province, office=office, code="25480", name="Xã X")
    y = CommuneFactory(province=campaign.province, office=office, code="25481", name="Xã Y")
    for commune in (x, y):
        CoverageBaselineFactory(campaign=campaign, commune=commune, as_of=date(2025, 11, 1))
    a, b = AgencyFactory(code="A", office=office), AgencyFactory(code="B", office=office)
    a.communes.add(x, y)
    b.communes.add(x)
    officers = {"A": CollectorFactory(agency=a), "B": CollectorFactory(agency=b)}

    def enroll(agency, number, on, *, make=bhyt_request, **kwargs):
        request = make(number, commune_code=x.code, collected_on=on, **kwargs)
        return record_enrollment(campaign=campaign, collector=officers[agency], request=request)

    # 1. BHYT card 19/11/2024–18/11/2025 by A, renewed on 15/11/2025: due and renewed.
    enroll("A", 1, date(2024, 10, 20))
    assert enroll("A", 1, date(2025, 11, 15)).classification == Classification.RENEWAL
    # 2. Card to 23/11/2025 by A; a renewal recorded, then cancelled: due and lapsed.
    enroll("A", 2, date(2024, 10, 25))
    cancel_enrollment(enrollment=enroll("A", 2, date(2025, 11, 20)), reason="nhầm", user=None)
    # 3. Card to 20/11/2025 by B, back on 15/03/2026, over three months later: due, rejoined.
    enroll("B", 3, date(2024, 10, 22))
    assert enroll("A", 3, date(2026, 3, 15)).classification == Classification.REJOIN
    # 4. Renewed on 01/11/2025, before the period: its coverage then ended in 2026, not due.
    enroll("A", 4, date(2024, 10, 20))
    enroll("A", 4, date(2025, 11, 1))
    # 5. BHXH months Dec 2024–Nov 2025 by A, renewed through B on 05/12/2025: due for A, renewed.
    enroll("A", 5, date(2024, 12, 1), make=bhxh_request)
    assert enroll("B", 5, date(2025, 12, 5), make=bhxh_request).classification == Classification.RENEWAL
    # 6. Prior coverage ending 31/01/2026, after the period: not due.
    PriorCoverage.objects.create(cccd=cccd_of(6), product=Product.BHYT_HGD, last_coverage_end=date(2026, 1, 31))
    # 7. Known only from BHXH's list, card to 01/12/2025, commune Y: due and lapsed.
    PriorCoverage.objects.create(
        cccd=cccd_of(7), product=Product.BHYT_HGD, last_coverage_end=date(2025, 12, 1), commune=y, full_name="Bảy"
    )
    return campaign, {"A": a, "B": b}, {"X": x, "Y": y}


def test_due_and_renewed_by_agency_commune_and_product(world):
    campaign, agencies, communes = world
    figures = retention(campaign=campaign, today=TODAY)
    assert (figures.start, figures.end) == (date(2025, 11, 12), date(2025, 12, 16))
    a, b = agencies["A"].pk, agencies["B"].pk
    assert figures.agency(a) == Retention(due=3, renewed=2)  # people 1, 2 and 5
    assert figures.agency(a, Product.BHYT_HGD) == Retention(2, 1)
    assert figures.agency(a, Product.BHXH_TN) == Retention(1, 1)
    assert figures.agency(b) == Retention(1, 0)  # person 3 came back as a rejoin
    assert figures.commune(communes["X"].pk) == Retention(4, 2)
    assert figures.commune(communes["Y"].pk) == Retention(1, 0)  # person 7, known only from prior coverage
    assert figures.total() == Retention(5, 2) and figures.total().pct == percent(2, 5)
    assert figures.agency(a).pct == percent(2, 3) and figures.agency(b).pct == percent(0, 1)
    assert Retention().pct is None


def test_a_week_is_its_own_period(world):
    campaign, agencies, _communes = world
    week_2 = campaign.weeks.get(number=2)  # 19/11–25/11/2025: people 2 and 3 fall due in it
    figures = retention(campaign=campaign, today=TODAY, week=week_2)
    assert (figures.start, figures.end) == (date(2025, 11, 19), date(2025, 11, 25))
    assert figures.agency(agencies["A"].pk) == Retention(1, 0)  # person 1 had renewed before the week
    assert figures.agency(agencies["B"].pk) == Retention(1, 0)
    assert figures.total() == Retention(2, 0)


def test_the_period_is_cut_at_today_and_is_empty_before_it_starts(world):
    campaign, _agencies, _communes = world
    assert period_of(campaign=campaign, today=date(2025, 11, 20)) == (date(2025, 11, 12), date(2025, 11, 20))
    assert period_of(campaign=campaign, today=date(2025, 11, 1)) is None
    figures = retention(campaign=campaign, today=date(2025, 11, 1))
    assert figures.start is None and figures.total() == Retention()
    # Renewals count up to today: on 14/11/2025 person 1 had not renewed yet.
    early = compute_retention(
        province_id=campaign.province_id, start=date(2025, 11, 12), end=date(2025, 11, 20), today=date(2025, 11, 14)
    )
    assert early.total(Product.BHYT_HGD) == Retention(2, 0)  # people 1 and 3


def _after(page: str, marker: str) -> str:
    return page.split(marker, 1)[1][:120]


def test_the_dashboard_shows_it_and_a_new_renewal_shows_in_the_next_round(
    client, settings, world, django_capture_on_commit_callbacks, monkeypatch
):
    campaign, agencies, communes = world
    monkeypatch.setattr("dashboard.retention.refresh_round", lambda: 1)
    settings.APP_TODAY = date(2025, 12, 16)  # week 5 (10/12–16/12), the agency table's week
    officer = agencies["A"].collectors.first()
    # 8. Card 12/12/2024–11/12/2025 by A: due in week 5.
    record_enrollment(
        campaign=campaign,
        collector=officer,
        request=bhyt_request(8, commune_code=communes["X"].code, collected_on=date(2024, 11, 12)),
    )
    client.force_login(UserFactory(role=Role.PROVINCIAL))
    page = client.get("/overview/").content.decode()
    assert "0,00" in _after(page, 'data-retention-agency="A"')  # 0 of 1 due this week
    # The commune table shows BHYT (its measure): 1 of people 1, 2, 3 and 8 renewed in the campaign so far.
    assert "25,00" in _after(page, 'data-retention-commune="25480"')
    office = client.get("/overview/offices/N/").context
    assert office["agency_retention"][agencies["A"].pk] == Retention(1, 0)
    assert office["commune_retention"][communes["X"].pk] == Retention(4, 1)
    # Person 8 renews today. Retention is recomputed once a round (RETENTION_SECONDS), not after every
    # write: the page shows the round's figures, then the next round's.
    with django_capture_on_commit_callbacks(execute=True):
        record_enrollment(
            campaign=campaign,
            collector=officer,
            request=bhyt_request(8, commune_code=communes["X"].code, collected_on=date(2025, 12, 16)),
        )
    assert "0,00" in _after(client.get("/overview/").content.decode(), 'data-retention-agency="A"')
    monkeypatch.setattr("dashboard.retention.refresh_round", lambda: 2)
    page = client.get("/overview/").content.decode()
    assert "100,00" in _after(page, 'data-retention-agency="A"')
    assert "50,00" in _after(page, 'data-retention-commune="25480"')
    assert client.get("/overview/offices/N/").context["agency_retention"][agencies["A"].pk] == Retention(1, 1)
    commune = client.get("/overview/communes/25480/").context
    assert commune["retention"] == Retention(5, 3)
    agency = client.get("/overview/agencies/A/").context
    assert (agency["week_retention"], agency["campaign_retention"]) == (Retention(1, 1), Retention(4, 3))


# --- Stored by a task, read by the pages (never computed inside a request with a worker) -------------


@pytest.fixture
def sent(monkeypatch):
    """A broker and no worker: the tasks the app sends are recorded (name, args) and not run."""
    from config.celery import app

    recorded = []
    monkeypatch.setattr("core.outbox.send", lambda name, args=(), kwargs=None: recorded.append((name, list(args))))
    app.conf.task_always_eager = False  # Celery's settings are not monkeypatch's to restore
    try:
        yield recorded
    finally:
        app.conf.task_always_eager = True


def _no_computing_here(*args, **kwargs):
    raise AssertionError("retention computed inside the request")


def _note(page: str) -> str:
    return page.split("data-retention-note=", 1)[1][:120]


def test_the_task_stores_the_figures_and_the_pages_read_them_as_stored(client, world, monkeypatch):
    from django.utils import timezone

    from dashboard.models import RetentionCount, RetentionPeriod
    from dashboard.tasks import compute_campaign_retention

    campaign, agencies, communes = world
    a = agencies["A"].pk
    # After the campaign: the campaign so far, and its last week (the agency table's).
    assert compute_campaign_retention.delay(campaign.pk).get()["periods"] == ["2025-11-12", "2025-12-10"]
    assert compute_campaign_retention.delay(campaign.pk).get()["periods"] == []  # fresh in this round
    whole = RetentionPeriod.objects.get(campaign=campaign, week__isnull=True)
    assert (whole.start, whole.end, whole.as_of) == (date(2025, 11, 12), date(2025, 12, 16), TODAY)
    # What the pages show is what is stored: changed behind the task's back, the page shows the change.
    RetentionCount.objects.filter(period=whole, scope="agency", scope_id=a, product=Product.BHYT_HGD).update(
        due=7, renewed=7
    )
    monkeypatch.setattr("dashboard.retention.compute_retention", _no_computing_here)
    assert retention(campaign=campaign, today=TODAY).agency(a) == Retention(8, 8)  # + the BHXH person
    assert retention(campaign=campaign, today=TODAY).commune(communes["Y"].pk) == Retention(1, 0)
    client.force_login(UserFactory(role=Role.PROVINCIAL))
    page = client.get("/overview/agencies/A/")
    assert page.context["campaign_retention"] == Retention(8, 8)
    computed = timezone.localtime(whole.computed_at).strftime("%H:%M")
    assert _note(page.content.decode()).startswith(f'"computed">Tỷ lệ gia hạn: tính lúc {computed}<')


def test_missing_figures_are_asked_for_once_and_the_page_says_they_are_being_computed(client, world, sent, monkeypatch):
    from dashboard.tasks import compute_campaign_retention

    campaign, agencies, _communes = world
    monkeypatch.setattr("dashboard.retention.compute_retention", _no_computing_here)
    client.force_login(UserFactory(role=Role.PROVINCIAL))
    for _ in range(3):
        page = client.get("/overview/offices/N/")
        assert page.context["retention_week"].pending and page.context["retention_campaign"].pending
        assert _note(page.content.decode()).startswith('"pending">Tỷ lệ gia hạn: đang tính…')
        assert 'data-retention-agency="A"><span class="text-muted">–' in page.content.decode()
    last_week = campaign.weeks.get(number=5)
    assert sent == [("dashboard.tasks.compute_campaign_retention", [campaign.pk, TODAY.isoformat(), [last_week.pk]])]
    monkeypatch.undo()  # the worker takes it
    compute_campaign_retention.apply(args=sent[0][1])
    page = client.get("/overview/offices/N/")
    assert page.context["agency_retention"][agencies["A"].pk] == Retention(0, 0)  # nobody of A due in week 5
    assert page.context["retention_campaign"].agency(agencies["A"].pk) == Retention(3, 2)
    assert _note(page.content.decode()).startswith('"computed">Tỷ lệ gia hạn: tính lúc ')


def test_stale_figures_are_shown_while_the_next_round_s_are_asked_for_once(client, world, sent, monkeypatch):
    from dashboard.retention import refresh_retention, refresh_round

    campaign, _agencies, _communes = world
    refresh_retention(campaign=campaign, today=TODAY)
    client.force_login(UserFactory(role=Role.PROVINCIAL))
    client.get("/overview/communes/25480/")
    assert sent == []  # fresh: nothing asked
    monkeypatch.setattr("dashboard.retention.compute_retention", _no_computing_here)
    later = refresh_round() + 1
    monkeypatch.setattr("dashboard.retention.refresh_round", lambda: later)
    for _ in range(2):
        page = client.get("/overview/communes/25480/")
        assert page.context["retention"] == Retention(4, 2)  # the previous round's figures
        assert _note(page.content.decode()).startswith('"computed">')
    assert [name for name, _args in sent] == ["dashboard.tasks.compute_campaign_retention"]


def test_a_cold_cache_does_not_bring_the_computation_back_into_the_page(client, world, sent, monkeypatch):
    """A Redis restart (the cache emptied) leaves the stored figures: the page reads them, at most asking
    the worker for a new round."""
    from django.core.cache import cache

    from dashboard.retention import refresh_retention

    campaign, _agencies, _communes = world
    refresh_retention(campaign=campaign, today=TODAY)
    cache.clear()
    monkeypatch.setattr("dashboard.retention.compute_retention", _no_computing_here)
    client.force_login(UserFactory(role=Role.PROVINCIAL))
    page = client.get("/overview/").content.decode()
    assert "33,33" in _after(page, 'data-retention-commune="25480"')  # BHYT: person 1 of 1, 2 and 3
    assert len(sent) <= 1


def test_beat_stores_the_running_campaigns_retention_every_round_and_after_the_night(
    world, settings, django_capture_on_commit_callbacks
):
    from config.celery import app
    from dashboard.models import RetentionPeriod
    from dashboard.retention import RETENTION_SECONDS
    from dashboard.tasks import compute_campaign_progress, compute_running_retention

    campaign, _agencies, _communes = world
    entry = app.conf.beat_schedule["dashboard-retention"]
    assert entry["task"] == "dashboard.tasks.compute_running_retention"
    assert entry["schedule"].minute == set(range(0, 60, RETENTION_SECONDS // 60))
    campaign.status = campaign.Status.DRAFT
    campaign.save()
    assert compute_running_retention.delay().get() == []  # a draft campaign is not running
    campaign.status = campaign.Status.ACTIVE
    campaign.save()
    with django_capture_on_commit_callbacks(execute=True):
        assert compute_running_retention.delay().get() == [campaign.pk]
    assert RetentionPeriod.objects.filter(campaign=campaign).count() == 2
    RetentionPeriod.objects.all().delete()
    with django_capture_on_commit_callbacks(execute=True):
        compute_campaign_progress.delay(campaign.pk, "2025-12-16").get()
    assert RetentionPeriod.objects.filter(campaign=campaign).count() == 2


def test_a_second_worker_finding_it_being_computed_leaves_it(world, monkeypatch):
    from dashboard.retention import RetentionBusy
    from dashboard.tasks import compute_campaign_retention

    def busy(**kwargs):
        raise RetentionBusy()

    monkeypatch.setattr("dashboard.tasks.refresh_retention", busy)
    assert compute_campaign_retention.delay(world[0].pk).get() == {"campaign": "TN-2025", "busy": True}
