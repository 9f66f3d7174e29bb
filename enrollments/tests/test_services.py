"""record_enrollment and friends, through the services, with DOMAIN.md's examples."""

from dataclasses import replace
from datetime import date

import pytest
from django.utils import translation

from campaign.tests.factories import CampaignFactory, CommuneFactory
from collectors.tests.factories import AgencyFactory, CollectorFactory
from core.errors import ConflictError, DomainError
from enrollments.classification import Classification
from enrollments.models import Enrollment, GiftIssue, GiftStock, Household, Participant, PriorCoverage
from enrollments.selectors import participant_status
from enrollments.services import (
    cancel_enrollment,
    issue_gift,
    prepare_enrollment,
    record_enrollment,
    record_household,
    set_gift_stock,
)
from enrollments.tests.factories import bhxh_request, bhyt_request, cccd_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(settings):
    settings.APP_TODAY = date(2025, 12, 10)
    campaign = CampaignFactory()
    commune = CommuneFactory(province=campaign.province)
    collector = CollectorFactory()
    return campaign, commune, collector


def _record(world, request):
    campaign, _, collector = world
    return record_enrollment(campaign=campaign, collector=collector, request=request)


def test_new_bhyt_member_pays_the_first_rate_and_waits_30_days(world):
    enrollment = _record(world, bhyt_request(commune_code=world[1].code, collected_on=date(2025, 11, 20)))
    assert enrollment.classification == Classification.NEW
    assert (enrollment.coverage_start, enrollment.coverage_end) == (date(2025, 12, 20), date(2026, 12, 19))
    assert (enrollment.amount_due, enrollment.state_support, enrollment.amount_payable) == (1_263_600, 0, 1_263_600)
    assert enrollment.week.number == 2 and enrollment.member_order == 1


@pytest.mark.parametrize(
    ("last_end", "collected_on", "classification", "start", "end"),
    [
        (date(2025, 8, 14), date(2025, 11, 15), Classification.REJOIN, date(2025, 12, 15), date(2026, 12, 14)),
        (date(2025, 8, 14), date(2025, 11, 14), Classification.RENEWAL, date(2025, 11, 14), date(2026, 11, 13)),
        (date(2025, 12, 31), date(2025, 11, 20), Classification.RENEWAL, date(2026, 1, 1), date(2026, 12, 31)),
    ],
)
def test_prior_coverage_classifies_and_dates_the_card(world, last_end, collected_on, classification, start, end):
    PriorCoverage.objects.create(cccd=cccd_of(1), product="bhyt_hgd", last_coverage_end=last_end)
    enrollment = _record(world, bhyt_request(commune_code=world[1].code, collected_on=collected_on))
    assert (enrollment.classification, enrollment.coverage_start, enrollment.coverage_end) == (
        classification,
        start,
        end,
    )


def test_the_systems_own_enrollment_counts_as_last_coverage(world):
    # New on 12/11/2025: 30 days' wait, then 3 months, 12/12/2025–11/03/2026.
    first = _record(world, bhyt_request(commune_code=world[1].code, collected_on=date(2025, 11, 12), months=3))
    assert (first.coverage_start, first.coverage_end) == (date(2025, 12, 12), date(2026, 3, 11))
    # Paid again on 1/12/2025, before that card ends: a renewal that follows on from 12/03/2026.
    second = _record(world, bhyt_request(commune_code=world[1].code, collected_on=date(2025, 12, 1), months=3))
    assert second.classification == Classification.RENEWAL
    assert (second.coverage_start, second.coverage_end) == (date(2026, 3, 12), date(2026, 6, 11))


def test_household_of_six_follows_the_ladder_as_entered(world):
    campaign, commune, collector = world
    requests = [
        bhyt_request(n, commune_code=commune.code, collected_on=date(2025, 11, 20), household_code="HGD-1")
        for n in range(1, 7)
    ]
    stored = record_household(campaign=campaign, collector=collector, requests=requests)
    assert [e.member_order for e in stored] == [1, 2, 3, 4, 5, 5]
    assert [e.amount_payable for e in stored] == [1_263_600, 884_520, 758_160, 631_800, 505_440, 505_440]
    assert sum(e.amount_payable for e in stored) == 4_548_960


def test_a_member_joining_later_the_same_year_continues_the_ladder(world):
    campaign, commune, collector = world
    record_household(
        campaign=campaign,
        collector=collector,
        requests=[bhyt_request(1, commune_code=commune.code, collected_on=date(2025, 11, 13), household_code="H")],
    )
    later = _record(
        world, bhyt_request(2, commune_code=commune.code, collected_on=date(2025, 11, 27), household_code="H", months=3)
    )
    assert (later.member_order, later.amount_payable) == (2, 221_130)


def test_a_member_order_that_does_not_fit_the_household_is_refused(world):
    with pytest.raises(DomainError) as caught:
        _record(world, bhyt_request(commune_code=world[1].code, collected_on=date(2025, 11, 20), member_order=3))
    assert "member_order" in caught.value.errors
    assert not Enrollment.objects.exists() and not Participant.objects.exists()


@pytest.mark.parametrize(
    ("support_group", "support", "payable"),
    [("other", 792_000, 3_168_000), ("poor", 1_980_000, 1_980_000), ("near_poor", 1_584_000, 2_376_000)],
)
def test_bhxh_voluntary_amounts_and_whole_month_coverage(world, support_group, support, payable):
    enrollment = _record(
        world, bhxh_request(commune_code=world[1].code, collected_on=date(2025, 11, 20), support_group=support_group)
    )
    assert (enrollment.amount_due, enrollment.state_support, enrollment.amount_payable) == (3_960_000, support, payable)
    assert (enrollment.coverage_start, enrollment.coverage_end) == (date(2025, 11, 1), date(2026, 10, 31))
    assert enrollment.supported_months == 12


def test_state_support_stops_at_120_months_counting_earlier_enrollments(world):
    _campaign, commune, _collector = world
    participant_request = bhxh_request(commune_code=commune.code, collected_on=date(2025, 11, 13))
    first = _record(world, participant_request)
    Enrollment.objects.filter(pk=first.pk).update(supported_months=115)
    second = _record(world, bhxh_request(commune_code=commune.code, collected_on=date(2025, 11, 20)))
    # 22% of 1.500.000 ₫ is 330.000 ₫ a month; the State pays 20% of that (66.000 ₫) for the 5 months left.
    assert (second.supported_months, second.amount_due, second.state_support, second.amount_payable) == (
        5,
        3_960_000,
        330_000,
        3_630_000,
    )


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"person": {"cccd": "72085123456"}}, "cccd"),
        ({"person": {"cccd": "099085123456"}}, "cccd"),
        ({"person": {"cccd": "072185123456"}}, "cccd"),
        ({"person": {"date_of_birth": date(2026, 1, 1)}}, "date_of_birth"),
        ({"collected_on": date(2025, 12, 11)}, "collected_on"),
        ({"months": 24}, "months"),
        ({"person": {"commune_code": "00000"}}, "commune_code"),
    ],
)
def test_bad_input_is_refused_with_its_field_and_nothing_is_written(world, change, field):
    change = dict(change)
    kwargs = {"commune_code": world[1].code, "collected_on": change.pop("collected_on", date(2025, 11, 20))}
    person = dict(change.pop("person", {}))
    if "commune_code" in person:
        kwargs["commune_code"] = person.pop("commune_code")
    with pytest.raises(DomainError) as caught:
        _record(world, bhyt_request(**kwargs, person=person, **change))
    assert field in caught.value.errors
    assert not Enrollment.objects.exists() and not Participant.objects.exists()


@pytest.mark.parametrize("income", [1_450_000, 46_850_000])
def test_income_outside_the_floor_and_cap_is_refused(world, income):
    with pytest.raises(DomainError) as caught:
        _record(world, bhxh_request(commune_code=world[1].code, collected_on=date(2025, 11, 20), income=income))
    assert "income" in caught.value.errors
    assert not Enrollment.objects.exists()


def test_collection_outside_the_campaign_is_recorded_without_a_week(world):
    enrollment = _record(world, bhyt_request(commune_code=world[1].code, collected_on=date(2025, 11, 11)))
    assert enrollment.week is None and Enrollment.objects.get() == enrollment
    with translation.override("en"):
        prepared = prepare_enrollment(
            campaign=world[0], request=bhyt_request(2, commune_code=world[1].code, collected_on=date(2025, 11, 11))
        )
        assert [str(warning) for warning in prepared.warnings] == [
            "The collection date is outside the campaign: it is recorded but not counted in quotas or awards."
        ]
    assert prepared.classification == Classification.NEW and prepared.gift_eligible is False


def test_a_duplicate_the_same_day_names_the_first_and_its_agency(world):
    campaign, commune, _ = world
    first_agency = AgencyFactory(name="Bưu điện Gò Dầu")
    first = record_enrollment(
        campaign=campaign,
        collector=CollectorFactory(agency=first_agency),
        request=bhyt_request(commune_code=commune.code, collected_on=date(2025, 11, 20)),
    )
    with translation.override("en"), pytest.raises(ConflictError) as caught:
        record_enrollment(
            campaign=campaign,
            collector=CollectorFactory(agency=AgencyFactory(name="Bưu điện Trảng Bàng")),
            request=bhyt_request(commune_code=commune.code, collected_on=date(2025, 11, 20)),
        )
    assert caught.value.status_code == 409
    assert caught.value.messages == [
        "Nguyễn Văn Thử 1 was already recorded for household health insurance (BHYT hộ gia đình) on 20/11/2025 "
        f"by Bưu điện Gò Dầu (enrollment {first.pk})."
    ]
    assert Enrollment.objects.count() == 1


def test_a_household_batch_is_all_or_nothing(world):
    campaign, commune, collector = world
    requests = [
        bhyt_request(1, commune_code=commune.code, collected_on=date(2025, 11, 20), household_code="H"),
        bhyt_request(2, commune_code=commune.code, collected_on=date(2025, 11, 20), household_code="H", months=5),
    ]
    with pytest.raises(DomainError):
        record_household(campaign=campaign, collector=collector, requests=requests)
    assert not Enrollment.objects.exists() and not Participant.objects.exists()


def test_cancel_needs_a_reason_and_keeps_the_row(world):
    enrollment = _record(world, bhyt_request(commune_code=world[1].code, collected_on=date(2025, 11, 20)))
    with pytest.raises(DomainError):
        cancel_enrollment(enrollment=enrollment, reason="  ", user=None)
    cancelled = cancel_enrollment(enrollment=enrollment, reason="Nhập nhầm người", user=None)
    assert cancelled.status == Enrollment.Status.CANCELLED and cancelled.cancelled_at
    with pytest.raises(ConflictError):
        cancel_enrollment(enrollment=enrollment, reason="again", user=None)
    # The person can be recorded again for the same day once the first is cancelled.
    again = _record(world, bhyt_request(commune_code=world[1].code, collected_on=date(2025, 11, 20)))
    assert again.classification == Classification.NEW


def test_gift_once_per_person_from_stock_and_flagged_when_cancelled(world):
    campaign, commune, collector = world
    set_gift_stock(campaign=campaign, agency=collector.agency, received=1)
    bhyt = _record(world, bhyt_request(commune_code=commune.code, collected_on=date(2025, 11, 20)))
    status = participant_status(cccd=cccd_of(1), product="bhxh_tn", on=date(2025, 11, 20), campaign=campaign)
    assert (status.classification, status.gift_eligible, status.gift_issued) == (Classification.NEW, True, False)

    gift = issue_gift(enrollment=bhyt, user=None)
    assert GiftStock.objects.get().on_hand == 0
    bhxh = _record(world, bhxh_request(commune_code=commune.code, collected_on=date(2025, 11, 21)))
    with pytest.raises(ConflictError):
        issue_gift(enrollment=bhxh, user=None)

    cancel_enrollment(enrollment=bhyt, reason="Sai thông tin", user=None)
    gift.refresh_from_db()
    assert gift.flagged and GiftIssue.objects.count() == 1


def test_no_gift_without_stock_or_for_a_renewal(world):
    campaign, commune, collector = world
    new = _record(world, bhyt_request(commune_code=commune.code, collected_on=date(2025, 11, 20)))
    with pytest.raises(DomainError):
        issue_gift(enrollment=new, user=None)  # no stock at all
    PriorCoverage.objects.create(cccd=cccd_of(2), product="bhyt_hgd", last_coverage_end=date(2025, 12, 31))
    set_gift_stock(campaign=campaign, agency=collector.agency, received=5)
    renewal = _record(world, bhyt_request(2, commune_code=commune.code, collected_on=date(2025, 11, 20)))
    with pytest.raises(DomainError):
        issue_gift(enrollment=renewal, user=None)
    assert GiftStock.objects.get().on_hand == 5


def test_gift_stock_cannot_fall_below_what_was_handed_over(world):
    campaign, commune, collector = world
    set_gift_stock(campaign=campaign, agency=collector.agency, received=2)
    issue_gift(
        enrollment=_record(world, bhyt_request(commune_code=commune.code, collected_on=date(2025, 11, 20))), user=None
    )
    with pytest.raises(DomainError):
        set_gift_stock(campaign=campaign, agency=collector.agency, received=0)
    assert set_gift_stock(campaign=campaign, agency=collector.agency, received=10).on_hand == 9


def test_members_entered_together_without_a_household_code_still_follow_the_ladder(world):
    campaign, commune, collector = world
    requests = [bhyt_request(n, commune_code=commune.code, collected_on=date(2025, 11, 20)) for n in (1, 2, 3)]
    stored = record_household(campaign=campaign, collector=collector, requests=requests)
    assert [e.amount_payable for e in stored] == [1_263_600, 884_520, 758_160]


def test_the_household_keeps_its_address_and_a_refusal_names_the_member(world):
    campaign, commune, collector = world
    first = bhyt_request(1, commune_code=commune.code, collected_on=date(2025, 11, 20), household_code="H-9")
    first = replace(first, person=replace(first.person, address="Ấp 3, xã Thử"))
    record_household(campaign=campaign, collector=collector, requests=[first])
    assert Household.objects.get(code="H-9").address == "Ấp 3, xã Thử"

    again = [
        bhyt_request(2, commune_code=commune.code, collected_on=date(2025, 11, 20), household_code="H-9"),
        bhyt_request(1, commune_code=commune.code, collected_on=date(2025, 11, 20), household_code="H-9"),
    ]
    with pytest.raises(ConflictError) as caught:
        record_household(campaign=campaign, collector=collector, requests=again)
    assert caught.value.index == 1
    assert Enrollment.objects.count() == 1
