"""DOMAIN.md "Coverage", its examples to the person and the day."""

from datetime import date
from decimal import Decimal

import pytest

from dashboard.progress.figures import Counts, Window, coverage

CAMPAIGN_START, TARGET_DATE = date(2025, 11, 12), date(2025, 12, 31)


def _window(today: date) -> Window:
    return Window.of(today=today, campaign_start=CAMPAIGN_START, target_date=TARGET_DATE)


def test_the_coverage_example_of_a_commune():
    # Population 30.000, baseline BHYT 27.900 (93,00 %), 150 people new or rejoining → 28.050 (93,50 %);
    # target 95 % → 28.500 → gap 450.
    figure = coverage(Counts(30_000, 27_900, 150, 0), target_pct=Decimal("95.00"), window=_window(date(2025, 12, 10)))
    assert (figure.insured, figure.pct, figure.target_count, figure.gap) == (28_050, Decimal("93.50"), 28_500, 450)
    assert coverage(Counts(30_000, 27_900, 0, 0), target_pct=Decimal(95), window=_window(date(2025, 12, 10))).pct == (
        Decimal("93.00")
    )


def test_the_pace_example():
    # Today 10/12/2025: the window is 27/11–10/12 (14 days); 700 people added in it → 50,00 a day;
    # 21 days left to 31/12/2025 → forecast = insured now + 1.050; a gap of 1.470 needs 70 a day.
    window = _window(date(2025, 12, 10))
    assert (window.first_day, window.days, window.days_left) == (date(2025, 11, 27), 14, 21)
    # Population 100.000 at 95 %: 95.000 needed; 93.530 insured now → gap 1.470.
    figure = coverage(Counts(100_000, 92_530, 1_000, 700), target_pct=Decimal(95), window=window)
    assert figure.insured == 93_530 and figure.gap == 1_470
    assert figure.pace_per_day == Decimal("50.00")
    assert figure.forecast == 93_530 + 1_050
    assert figure.needed_per_day == 70
    assert figure.on_track is False


def test_early_in_the_campaign_the_window_starts_with_it():
    # On 15/11/2025 the window is 12/11–15/11 (4 days).
    window = _window(date(2025, 11, 15))
    assert (window.first_day, window.days) == (date(2025, 11, 12), 4)
    assert coverage(Counts(1_000, 900, 10, 10), target_pct=Decimal(95), window=window).pace_per_day == Decimal("2.50")


def test_before_the_campaign_there_is_no_pace_and_after_the_target_date_the_whole_gap_is_needed():
    before = _window(date(2025, 11, 1))
    assert before.days == 0
    assert coverage(Counts(1_000, 900, 0, 0), target_pct=Decimal(95), window=before).pace_per_day == Decimal("0.00")
    after = _window(date(2026, 1, 5))
    figure = coverage(Counts(1_000, 900, 20, 5), target_pct=Decimal(95), window=after)
    assert (figure.gap, figure.needed_per_day, figure.forecast) == (30, 30, 920)


@pytest.mark.parametrize(
    ("pace_added", "days", "expected"),
    # 10 in 3 days × 9 days left = 30 exactly (no 29,99… from a rounded pace); 7 in 3 days × 9 = 21;
    # 14 in 14 days × 21 days left = 21; 5 in 3 days × 9 = 15.
    [(10, 3, 950), (7, 3, 941), (14, 14, 941), (5, 3, 935)],
)
def test_the_forecast_is_rounded_down_to_a_whole_person(pace_added, days, expected):
    today = date(2025, 12, 22) if days == 3 else date(2025, 12, 10)
    window = Window(today, today, days, (TARGET_DATE - today).days)
    figure = coverage(Counts(1_000, 900, 20, pace_added), target_pct=Decimal(95), window=window)
    assert figure.forecast == expected


def test_a_fractional_forecast_is_rounded_down():
    # 2 people in 3 days, 10 days left: 6,67 → 6.
    window = Window(date(2025, 12, 21), date(2025, 12, 19), 3, 10)
    assert coverage(Counts(1_000, 900, 20, 2), target_pct=Decimal(95), window=window).forecast == 926


def test_a_province_adds_counts_not_percentages():
    # Two communes at 50 % and 100 %: the province is 60 % of its people, not the 75 % mean of the two.
    small, large = Counts(100, 100, 0, 0), Counts(400, 200, 0, 0)
    total = coverage(small + large, target_pct=Decimal(95), window=_window(date(2025, 12, 10)))
    assert (total.denominator, total.insured, total.pct) == (500, 300, Decimal("60.00"))


def test_the_api_shape_of_a_figure():
    figure = coverage(Counts(30_000, 27_900, 150, 70), target_pct=Decimal("95"), window=_window(date(2025, 12, 10)))
    assert figure.as_dict() == {
        "denominator": 30_000,
        "baseline_insured": 27_900,
        "added": 150,
        "insured": 28_050,
        "pct": "93.50",
        "target_pct": "95.00",
        "target_count": 28_500,
        "gap": 450,
        "pace_per_day": "5.00",
        "forecast": 28_155,
        "forecast_pct": "93.85",
        "needed_per_day": 22,
    }
