"""The people added carried forward from a snapshot are always the full recount's (progress/incremental.py).

A property test drives random sequences of enrollments (the same person again, before and after a
snapshot), cancellations, late records dated before a snapshot, people moving commune, baselines
re-dated and snapshots of random days, with the app's clock moving on, and compares the carried
figures with the full count after every step, for several "todays". It runs on SQLite and, in CI's
second run, on PostgreSQL.
"""

from datetime import date, timedelta

import pytest
from django.core.cache import cache
from django.db import transaction
from django.utils import timezone
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from campaign.models import Product
from campaign.tests.factories import BhxhOfficeFactory, CampaignFactory, CommuneFactory, CoverageBaselineFactory
from collectors.tests.factories import CollectorFactory
from dashboard.progress import incremental
from dashboard.progress.incremental import carried_forward
from dashboard.progress.queries import added_by_commune, full_count, window_of
from dashboard.progress.snapshots import compute_progress
from enrollments.models import Enrollment, Participant
from enrollments.tests.factories import cccd_of

pytestmark = pytest.mark.django_db

# Few days and people, so that random sequences often record one person again on both sides of a
# snapshot, move someone with a past, or record late, all in the few days before the "today" checked.
DAYS = [date(2025, 11, 10), date(2025, 11, 24), date(2025, 11, 28), date(2025, 12, 4)]
DAYS += [date(2025, 12, 8), date(2025, 12, 9), date(2025, 12, 10)]
BASELINE_DATES = [date(2025, 11, 1), date(2025, 11, 15), date(2025, 11, 25)]
CHECKED_TODAYS = [date(2025, 11, 28), date(2025, 12, 8), date(2025, 12, 10)]
LAST_DAY = date(2025, 12, 10)
PEOPLE, COMMUNES = 4, 4  # the last commune has no baseline; people 0 and 3 live in the same one

minutes = st.sampled_from([30, 120, 30, 0])  # mostly well after the last step; sometimes at once
record = st.tuples(
    st.just("record"),
    st.integers(0, PEOPLE - 1),
    st.sampled_from([Product.BHYT_HGD, Product.BHYT_HGD, Product.BHXH_TN]),
    st.sampled_from(["new", "rejoin", "new", "renewal"]),
    st.sampled_from(DAYS),
    minutes,
)
snapshot = st.tuples(st.just("snapshot"), st.sampled_from(DAYS[1:]), minutes)
operation = st.one_of(
    record,
    snapshot,
    st.tuples(st.just("cancel"), st.integers(0, 50), minutes),
    st.tuples(st.just("move"), st.integers(0, PEOPLE - 1), st.integers(0, COMMUNES - 1), minutes),
    st.tuples(st.just("rebase"), st.integers(0, COMMUNES - 2), st.sampled_from(BASELINE_DATES), minutes),
)
# Some records, a snapshot, then anything, records and snapshots four times as often as the changes
# that topple a snapshot: most sequences carry a snapshot forward over people recorded on both sides.
later = st.one_of(record, record, snapshot, record, record, snapshot, operation)
steps = st.tuples(st.lists(record, max_size=6), snapshot, st.lists(later, max_size=8)).map(
    lambda parts: [*parts[0], parts[1], *parts[2]]
)


class Rollback(Exception):
    pass


class Simulation:
    """A tiny campaign and the app's clock, moved on by each step."""

    def __init__(self, monkeypatch):
        self.now = timezone.now()
        monkeypatch.setattr("core.clock.now", lambda: self.now)
        monkeypatch.setattr("django.utils.timezone.now", lambda: self.now)  # the people's auto_now too
        self.campaign = CampaignFactory()
        office = BhxhOfficeFactory(province=self.campaign.province)
        self.communes = [CommuneFactory(province=self.campaign.province, office=office) for _ in range(COMMUNES)]
        for commune, as_of in zip(self.communes[:-1], BASELINE_DATES, strict=True):
            CoverageBaselineFactory(campaign=self.campaign, commune=commune, as_of=as_of)
        self.collector = CollectorFactory()
        self.people = [
            Participant.objects.create(
                cccd=cccd_of(900 + n),
                full_name=f"Người {n}",
                date_of_birth=date(1985, 3, 2),
                sex="male",
                commune=self.communes[n % (COMMUNES - 1)],
            )
            for n in range(PEOPLE)
        ]
        self.periods = 0  # each row its own coverage period: no overlap for the database to refuse

    def step(self, op) -> None:
        kind, *args, advance = op
        self.now += timedelta(minutes=advance)
        getattr(self, kind)(*args)

    def record(self, person: int, product: str, classification: str, on: date) -> None:
        participant = self.people[person]
        if Enrollment.objects.filter(participant=participant, product=product, collected_on=on, status="recorded"):
            return  # one a day per person and product
        self.periods += 1
        start = date(2030, 1, 1) + timedelta(days=2 * self.periods)
        Enrollment.objects.create(
            participant=participant,
            product=product,
            campaign=self.campaign,
            agency=self.collector.agency,
            collector=self.collector,
            collected_on=on,
            months=1,
            coverage_start=start,
            coverage_end=start,
            amount_due=100,
            amount_payable=100,
            classification=classification,
            recorded_at=self.now,
        )

    def cancel(self, pick: int) -> None:
        recorded = list(Enrollment.objects.filter(status="recorded").order_by("pk").values_list("pk", flat=True))
        if recorded:
            Enrollment.objects.filter(pk=recorded[pick % len(recorded)]).update(
                status="cancelled", cancel_reason="nhập nhầm", cancelled_at=self.now
            )

    def snapshot(self, on: date) -> None:
        compute_progress(campaign=self.campaign, day=on)

    def move(self, person: int, commune: int) -> None:
        participant = self.people[person]
        participant.commune = self.communes[commune]
        participant.save()

    def rebase(self, commune: int, as_of: date) -> None:
        self.communes[commune].baselines.update(as_of=as_of)


def _present(counts: dict) -> dict:
    return {key: value for key, value in counts.items() if value != (0, 0)}


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(steps)
def test_carried_forward_counts_are_always_the_full_recount(monkeypatch, ops):
    cache.clear()
    try:
        with transaction.atomic():
            sim = Simulation(monkeypatch)
            for op in ops:
                sim.step(op)
                for today in CHECKED_TODAYS:
                    window = window_of(sim.campaign, today)
                    full = _present(full_count(sim.campaign, window))
                    for cached in (False, True):
                        carried = carried_forward(sim.campaign, window, cached=cached)
                        if carried is not None:
                            event("carried forward" + (" someone" if full else " nobody"))
                            assert _present(carried) == full, (op, today, cached)
            raise Rollback
    except Rollback:
        pass


@pytest.fixture
def sim(monkeypatch):
    return Simulation(monkeypatch)


def _carried(sim, today=LAST_DAY):
    return carried_forward(sim.campaign, window_of(sim.campaign, today), cached=False)


def test_a_person_added_before_the_snapshot_and_again_after_it_is_one_person(sim):
    commune = sim.people[0].commune_id
    sim.record(0, Product.BHYT_HGD, "new", date(2025, 12, 5))
    sim.record(1, Product.BHYT_HGD, "new", date(2025, 12, 5))
    sim.now += timedelta(hours=1)
    sim.snapshot(date(2025, 12, 9))
    sim.now += timedelta(hours=1)
    sim.record(0, Product.BHYT_HGD, "rejoin", date(2025, 12, 10))  # again: still one person
    sim.record(3, Product.BHYT_HGD, "new", date(2025, 12, 10))  # a new one, same commune
    carried = _carried(sim)
    assert carried is not None  # carried forward, not recounted
    assert carried[(commune, Product.BHYT_HGD)] == (2, 2)
    assert carried == _present(full_count(sim.campaign, window_of(sim.campaign, LAST_DAY)))


def test_a_person_in_the_pace_window_before_the_snapshot_and_again_after_it_is_one_person(sim):
    commune = sim.people[0].commune_id
    sim.record(0, Product.BHXH_TN, "new", date(2025, 11, 10))  # before the window (27/11–10/12)
    sim.record(1, Product.BHXH_TN, "new", date(2025, 11, 28))
    sim.record(2, Product.BHXH_TN, "new", date(2025, 12, 4))  # another commune
    sim.now += timedelta(hours=1)
    sim.snapshot(date(2025, 12, 8))
    sim.now += timedelta(hours=1)
    sim.record(0, Product.BHXH_TN, "rejoin", date(2025, 12, 9))  # in the window now: one more
    sim.record(1, Product.BHXH_TN, "rejoin", date(2025, 12, 10))  # in the window already: the same one
    carried = _carried(sim)
    assert carried is not None
    assert carried[(commune, Product.BHXH_TN)] == (1, 1)
    assert carried[(sim.people[1].commune_id, Product.BHXH_TN)] == (1, 1)
    assert carried == _present(full_count(sim.campaign, window_of(sim.campaign, LAST_DAY)))


def test_a_late_record_topples_the_snapshot_it_is_dated_in_and_an_older_one_is_used(sim):
    sim.record(0, Product.BHXH_TN, "new", date(2025, 12, 1))
    sim.now += timedelta(hours=1)
    sim.snapshot(date(2025, 12, 8))
    sim.snapshot(date(2025, 12, 9))
    sim.now += timedelta(hours=1)
    base = incremental.latest_base(sim.campaign, today=LAST_DAY, baselines=incremental.baseline_dates(sim.campaign))
    assert base.day == date(2025, 12, 9)
    sim.record(1, Product.BHXH_TN, "new", date(2025, 12, 9))  # yesterday's paper, recorded today
    base = incremental.latest_base(sim.campaign, today=LAST_DAY, baselines=incremental.baseline_dates(sim.campaign))
    assert base.day == date(2025, 12, 8)
    sim.record(2, Product.BHXH_TN, "new", date(2025, 11, 20))  # older than every snapshot
    assert _carried(sim) is None
    window = window_of(sim.campaign, LAST_DAY)
    assert _present(added_by_commune(sim.campaign, window, cached=False)) == _present(full_count(sim.campaign, window))


@pytest.mark.parametrize("change", ["cancel", "move", "rebase"])
def test_a_change_to_the_past_falls_back_to_the_full_count(sim, change):
    sim.record(0, Product.BHYT_HGD, "new", date(2025, 12, 5))
    sim.now += timedelta(hours=1)
    sim.snapshot(date(2025, 12, 9))
    sim.now += timedelta(hours=1)
    assert _carried(sim) is not None
    {
        "cancel": lambda: sim.cancel(0),
        "move": lambda: sim.move(0, 1),
        "rebase": lambda: sim.rebase(0, date(2025, 12, 6)),
    }[change]()
    assert _carried(sim) is None


def test_a_write_stamped_just_before_the_snapshot_was_computed_is_not_trusted(sim):
    """A row stamped a moment before the snapshot may have committed after it counted."""
    sim.snapshot(date(2025, 12, 9))
    sim.now -= timedelta(minutes=5)
    sim.record(0, Product.BHYT_HGD, "new", date(2025, 12, 8))
    assert _carried(sim) is None


def test_a_snapshot_stands_where_the_apps_day_is_pinned(monkeypatch, settings):
    """With APP_TODAY (the demo, the benchmark) the enrollments' times are on the app's clock and
    the people's update times on the real one: each is compared with the snapshot's stamp on its clock."""
    sim = Simulation(monkeypatch)
    monkeypatch.undo()  # the real clocks from here on
    settings.APP_TODAY = LAST_DAY
    Participant.objects.update(updated_at=timezone.now() - timedelta(hours=1))
    sim.now = timezone.make_aware(timezone.datetime(2025, 12, 9, 12, 0))
    sim.record(0, Product.BHYT_HGD, "new", date(2025, 12, 5))
    sim.snapshot(date(2025, 12, 9))
    assert _carried(sim) is not None
    sim.move(1, 2)  # someone with no enrollment yet: nothing counted moves
    assert _carried(sim) is not None
    sim.move(0, 1)  # the person counted in the snapshot
    assert _carried(sim) is None
