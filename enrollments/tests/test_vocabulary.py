"""The enrollment vocabulary: counted, renewals, late, in scope, and the one gift rule."""

from datetime import date, datetime

import pytest
from django.utils import timezone, translation

from campaign.tests.factories import CampaignFactory, CommuneFactory
from collectors.tests.factories import CollectorFactory
from enrollments.classification import Classification
from enrollments.models import Enrollment, PriorCoverage
from enrollments.services import cancel_enrollment, record_enrollment
from enrollments.tests.factories import bhyt_request, cccd_of
from enrollments.vocabulary import earns_mug, mug_due, why_no_mug

NEW, REJOIN, RENEWAL = Classification.NEW, Classification.REJOIN, Classification.RENEWAL


@pytest.mark.parametrize(
    ("status", "in_campaign", "classification", "earns"),
    [
        ("recorded", True, NEW, True),
        ("recorded", True, REJOIN, True),
        ("recorded", True, RENEWAL, False),
        ("recorded", False, NEW, False),
        ("cancelled", True, NEW, False),
    ],
)
def test_a_mug_goes_to_new_and_rejoining_people_collected_in_the_campaign(status, in_campaign, classification, earns):
    assert earns_mug(status=status, in_campaign=in_campaign, classification=classification) is earns
    assert (why_no_mug(status=status, in_campaign=in_campaign, classification=classification) is None) is earns


def test_the_reason_for_no_mug_names_the_first_rule_broken():
    translation.activate("en")
    assert str(why_no_mug(status="cancelled", in_campaign=False, classification=RENEWAL)) == (
        "This enrollment is cancelled: no mug."
    )
    assert str(why_no_mug(status="recorded", in_campaign=False, classification=NEW)) == (
        "Collected outside the campaign: no mug."
    )


def test_a_mug_already_handed_over_is_not_due_again():
    enrollment = Enrollment(status="recorded", classification=NEW, week_id=1)
    assert mug_due(enrollment, issued=False) is True
    assert mug_due(enrollment, issued=True) is False


@pytest.fixture
def week_two(settings):
    settings.APP_TODAY = date(2025, 12, 10)
    campaign = CampaignFactory()
    commune = CommuneFactory(province=campaign.province)
    collector = CollectorFactory()
    return campaign, commune, collector, campaign.weeks.get(number=2)


def _record(world, number: int, collected_on: date, *, recorded_at: datetime | None = None):
    campaign, commune, collector, _ = world
    enrollment = record_enrollment(
        campaign=campaign,
        collector=collector,
        request=bhyt_request(number, commune_code=commune.code, collected_on=collected_on),
    )
    if recorded_at is not None:
        Enrollment.objects.filter(pk=enrollment.pk).update(recorded_at=recorded_at)
    return enrollment


@pytest.mark.django_db
def test_counted_renewals_late_and_mugs_as_queries(week_two):
    campaign, _, _, week = week_two
    local = timezone.get_current_timezone()
    new = _record(week_two, 1, date(2025, 11, 20), recorded_at=datetime(2025, 11, 26, 11, 59, tzinfo=local))
    late = _record(week_two, 2, date(2025, 11, 21), recorded_at=datetime(2025, 11, 26, 12, 0, tzinfo=local))
    PriorCoverage.objects.create(cccd=cccd_of(3), product="bhyt_hgd", last_coverage_end=date(2025, 12, 31))
    renewal = _record(week_two, 3, date(2025, 11, 22))
    PriorCoverage.objects.create(cccd=cccd_of(4), product="bhyt_hgd", last_coverage_end=date(2025, 6, 30))
    rejoin = _record(week_two, 4, date(2025, 11, 23), recorded_at=datetime(2025, 11, 23, 10, 0, tzinfo=local))
    cancelled = _record(week_two, 5, date(2025, 11, 24))
    cancel_enrollment(enrollment=cancelled, user=None, reason="nhập nhầm")
    outside = _record(week_two, 6, date(2025, 11, 11))
    assert (new.classification, renewal.classification, rejoin.classification) == (NEW, RENEWAL, REJOIN)

    def pks(queryset):
        return set(queryset.values_list("pk", flat=True))

    assert pks(Enrollment.objects.counted()) == {new.pk, late.pk, rejoin.pk, outside.pk}
    assert pks(Enrollment.objects.renewals()) == {renewal.pk}
    assert pks(Enrollment.objects.not_cancelled()) == {new.pk, late.pk, renewal.pk, rejoin.pk, outside.pk}
    assert pks(Enrollment.objects.in_scope(campaign=campaign)) == {new.pk, late.pk, renewal.pk, rejoin.pk, cancelled.pk}
    assert pks(Enrollment.objects.in_scope(campaign=campaign, week=week).counted()) == {new.pk, late.pk, rejoin.pk}
    # Week 2 ends on 25/11; its cut-off is 12:00 on 26/11. The renewal, recorded on the app's day (10/12),
    # is late too but is not counted, so it is not late for the ranking.
    assert pks(Enrollment.objects.late_for(week)) == {late.pk}
    assert pks(Enrollment.objects.earning_mugs(campaign=campaign)) == {new.pk, late.pk, rejoin.pk}
