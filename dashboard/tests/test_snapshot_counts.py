"""compute_progress's rows are the full count's, on a data set made to tell counting definitions apart.

A person twice in range, before the baseline and after the day, both products, cancelled, renewing,
no baseline, another campaign: each day's rows agree with coverage_progress counted in full
(queries.added_by_commune), and a day computed again writes only the rows that moved. A guard for
any faster way of counting the snapshot.
"""

import uuid
from datetime import date, timedelta

import pytest

from campaign.tests.factories import BhxhOfficeFactory, CampaignFactory, CommuneFactory, CoverageBaselineFactory
from collectors.tests.factories import CollectorFactory
from dashboard.models import CoverageSnapshot
from dashboard.progress.queries import MEASURES, coverage_progress
from dashboard.progress.snapshots import compute_progress
from enrollments.models import Enrollment, PriorCoverage
from enrollments.services import cancel_enrollment, record_enrollment
from enrollments.tests.factories import bhxh_request, bhyt_request, cccd_of

pytestmark = pytest.mark.django_db

DAYS = [date(2025, 11, 10), date(2025, 11, 20), date(2025, 11, 24), date(2025, 11, 25), date(2025, 12, 10)]


def _again(enrollment: Enrollment, on: date) -> Enrollment:
    """The same person and product collected again on another day (a copy of the row, for a later period)."""
    enrollment.pk, enrollment.uuid, enrollment.collected_on = None, uuid.uuid4(), on
    enrollment.coverage_start += timedelta(days=400)
    enrollment.coverage_end += timedelta(days=400)
    enrollment.save()
    return enrollment


@pytest.fixture
def tricky(settings):
    settings.APP_TODAY = date(2025, 12, 10)
    campaign = CampaignFactory()
    office = BhxhOfficeFactory(province=campaign.province)
    early, late, bare = (
        CommuneFactory(province=campaign.province, office=office, code=code) for code in ("25480", "25481", "25482")
    )
    CoverageBaselineFactory(campaign=campaign, commune=early, as_of=date(2025, 11, 1))
    CoverageBaselineFactory(campaign=campaign, commune=late, as_of=date(2025, 11, 25))  # bare has none
    collector = CollectorFactory()

    def record(number, on, commune, product="bhyt_hgd"):
        make = bhyt_request if product == "bhyt_hgd" else bhxh_request
        request = make(number, commune_code=commune.code, collected_on=on)
        return record_enrollment(campaign=campaign, collector=collector, request=request)

    # Twice in the counted range: one person.
    _again(record(1, date(2025, 11, 15), early), date(2025, 11, 22))
    # Before the late commune's baseline, then after the day asked about: never in [as_of, day] for 24/11.
    _again(record(2, date(2025, 11, 20), late), date(2025, 11, 28))
    # Before the baseline only.
    record(3, date(2025, 11, 18), late)
    # Both products: counted in each.
    record(4, date(2025, 11, 19), early)
    record(4, date(2025, 11, 19), early, product="bhxh_tn")
    # Cancelled, and a renewal: neither counts.
    cancel_enrollment(enrollment=record(5, date(2025, 11, 21), early), reason="nhập nhầm", user=None)
    PriorCoverage.objects.create(cccd=cccd_of(6), product="bhyt_hgd", last_coverage_end=date(2025, 12, 31))
    record(6, date(2025, 11, 21), early)
    # A commune without a baseline, and another campaign's enrollment.
    record(7, date(2025, 11, 21), bare)
    moved = record(8, date(2025, 11, 21), early)
    Enrollment.objects.filter(pk=moved.pk).update(campaign=CampaignFactory(province=campaign.province))
    # On the late commune's baseline day itself, and on the last day asked about.
    record(9, date(2025, 11, 25), late)
    record(10, date(2025, 12, 10), late, product="bhxh_tn")
    return campaign


def test_each_days_rows_are_the_full_count(tricky):
    campaign = tricky
    for day in DAYS:
        compute_progress(campaign=campaign, day=day)
        stored = {
            (commune_id, product): (denominator, insured, added, as_of)
            for commune_id, product, denominator, insured, added, as_of in CoverageSnapshot.objects.filter(
                campaign=campaign, day=day
            ).values_list("commune_id", "product", "denominator", "baseline_insured", "added", "baseline_as_of")
        }
        progress = coverage_progress(campaign=campaign, today=day, cached=False, incremental=False)
        expected = {
            (area.pk, MEASURES[measure]): (counts.denominator, counts.baseline_insured, counts.added)
            for area in progress.communes
            for measure, counts in area.counts.items()
        }
        assert {key: figures[:3] for key, figures in stored.items()} == expected, day
        assert {figures[3] for figures in stored.values()} == {date(2025, 11, 1), date(2025, 11, 25)}
    # The figures that tell the definitions apart, as the full count has them on 24/11 and 10/12.
    early, late = sorted(campaign.baselines.values_list("commune_id", flat=True))
    added = {
        (row.day, row.commune_id, row.product): row.added
        for row in CoverageSnapshot.objects.filter(day__in=[date(2025, 11, 24), date(2025, 12, 10)])
    }
    assert added[(date(2025, 11, 24), early, "bhyt_hgd")] == 2  # people 1 and 4
    assert added[(date(2025, 11, 24), late, "bhyt_hgd")] == 0
    assert added[(date(2025, 12, 10), late, "bhyt_hgd")] == 2  # people 2 (28/11) and 9
    assert added[(date(2025, 12, 10), late, "bhxh_tn")] == 1


def test_only_what_moved_is_written_again(tricky):
    campaign = tricky
    day = date(2025, 12, 10)
    assert compute_progress(campaign=campaign, day=day) == 4
    assert compute_progress(campaign=campaign, day=day) == 0
    first = CoverageSnapshot.objects.filter(campaign=campaign, day=day).order_by("commune_id", "product").first()
    CoverageSnapshot.objects.filter(pk=first.pk).update(people_as_of=None)  # stored before the stamp was kept
    campaign.baselines.filter(commune_id=first.commune_id).update(population=31_000)
    # The stamp-less row, and the other product of its commune whose population moved (BHYT's denominator).
    assert compute_progress(campaign=campaign, day=day) == 2
    assert CoverageSnapshot.objects.get(pk=first.pk).people_as_of is not None
