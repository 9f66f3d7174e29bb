from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from campaign.models import CampaignWeek
from campaign.selectors import week_of
from campaign.services import save_campaign
from campaign.tests.factories import CampaignFactory
from campaign.weeks import WeekRange, week_number, week_ranges
from core.errors import DomainError

START, END = date(2025, 11, 12), date(2025, 12, 16)
UTC = ZoneInfo("UTC")


def test_tay_ninh_campaign_has_five_full_weeks():
    assert week_ranges(START, END) == [
        WeekRange(1, date(2025, 11, 12), date(2025, 11, 18)),
        WeekRange(2, date(2025, 11, 19), date(2025, 11, 25)),
        WeekRange(3, date(2025, 11, 26), date(2025, 12, 2)),
        WeekRange(4, date(2025, 12, 3), date(2025, 12, 9)),
        WeekRange(5, date(2025, 12, 10), date(2025, 12, 16)),
    ]


def test_last_week_is_cut_at_the_end_date():
    ranges = week_ranges(START, date(2025, 12, 19))
    assert ranges[-1] == WeekRange(6, date(2025, 12, 17), date(2025, 12, 19))
    assert len(ranges) == 6


def test_one_day_campaign_has_one_week_of_one_day():
    assert week_ranges(START, START) == [WeekRange(1, START, START)]


def test_end_before_start_is_refused():
    with pytest.raises(ValueError):
        week_ranges(END, START)


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (date(2025, 11, 11), None),
        (date(2025, 11, 12), 1),
        (date(2025, 11, 18), 1),
        (date(2025, 11, 19), 2),
        (date(2025, 12, 2), 3),
        (date(2025, 12, 3), 4),
        (date(2025, 12, 16), 5),
        (date(2025, 12, 17), None),
    ],
)
def test_week_number_of_a_local_date(day, expected):
    assert week_number(START, END, day) == expected


@pytest.mark.parametrize(
    ("moment_utc", "expected"),
    [
        # 18/11/2025 23:30 local is 16:30 UTC: still week 1.
        (datetime(2025, 11, 18, 16, 30, tzinfo=UTC), 1),
        # 19/11/2025 00:30 local is 18/11 17:30 UTC: week 2.
        (datetime(2025, 11, 18, 17, 30, tzinfo=UTC), 2),
    ],
)
def test_week_of_a_moment_uses_the_local_date(moment_utc, expected):
    assert week_number(START, END, moment_utc) == expected


@pytest.mark.django_db
def test_saving_a_campaign_generates_its_weeks():
    campaign = CampaignFactory()
    weeks = list(campaign.weeks.values_list("number", "start_date", "end_date"))
    assert weeks == [(r.number, r.start_date, r.end_date) for r in week_ranges(START, END)]
    assert week_of(campaign=campaign, day=date(2025, 11, 19)).number == 2
    assert week_of(campaign=campaign, day=date(2025, 12, 17)) is None


@pytest.mark.django_db
def test_moving_the_end_date_regenerates_the_weeks_and_keeps_their_ids():
    campaign = CampaignFactory()
    first_week_id = campaign.weeks.get(number=1).pk
    campaign.end_date = date(2025, 12, 19)
    save_campaign(campaign=campaign)
    assert campaign.weeks.count() == 6
    assert campaign.weeks.get(number=6).is_partial
    assert campaign.weeks.get(number=1).pk == first_week_id

    campaign.end_date = date(2025, 11, 30)
    save_campaign(campaign=campaign)
    assert list(campaign.weeks.values_list("number", "end_date")) == [
        (1, date(2025, 11, 18)),
        (2, date(2025, 11, 25)),
        (3, date(2025, 11, 30)),
    ]
    assert CampaignWeek.objects.filter(campaign=campaign).count() == 3


@pytest.mark.django_db
def test_a_campaign_ending_before_it_starts_is_refused_with_a_message():
    with pytest.raises(DomainError) as caught:
        CampaignFactory(start_date=END, end_date=START)
    assert caught.value.errors
    assert not CampaignWeek.objects.exists()


@pytest.mark.django_db
def test_a_weeks_cut_off_is_noon_local_the_day_after_it_ends():
    campaign = CampaignFactory()
    week1 = campaign.weeks.get(number=1)
    assert week1.cutoff == datetime(2025, 11, 19, 12, 0, tzinfo=ZoneInfo("Asia/Ho_Chi_Minh"))
    assert week1.cutoff == datetime(2025, 11, 19, 5, 0, tzinfo=UTC)
