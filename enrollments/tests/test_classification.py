from datetime import date

import pytest
from django.utils import translation

from enrollments.classification import (
    Classification,
    bhxh_coverage,
    bhyt_coverage,
    classify,
    rejoin_from,
)

NEW, REJOIN, RENEWAL = Classification.NEW, Classification.REJOIN, Classification.RENEWAL


@pytest.mark.parametrize(
    ("last_end", "last_renewal_day", "first_rejoin_day"),
    [
        # DOMAIN.md examples.
        (date(2025, 8, 14), date(2025, 11, 14), date(2025, 11, 15)),
        (date(2025, 11, 29), date(2026, 2, 27), date(2026, 2, 28)),
        (date(2025, 5, 31), date(2025, 8, 31), date(2025, 9, 1)),
        # Our own: leap February, year end.
        (date(2027, 11, 28), date(2028, 2, 28), date(2028, 2, 29)),
        (date(2027, 11, 29), date(2028, 2, 28), date(2028, 2, 29)),
        (date(2027, 11, 30), date(2028, 2, 29), date(2028, 3, 1)),
        (date(2025, 12, 31), date(2026, 3, 31), date(2026, 4, 1)),
        (date(2025, 10, 31), date(2026, 1, 31), date(2026, 2, 1)),
    ],
)
def test_rejoin_after_exactly_three_months_of_lapse(last_end, last_renewal_day, first_rejoin_day):
    assert rejoin_from(last_end) == first_rejoin_day
    assert classify(last_coverage_end=last_end, collected_on=first_rejoin_day) == REJOIN
    assert classify(last_coverage_end=last_end, collected_on=last_renewal_day) == RENEWAL


@pytest.mark.parametrize(
    ("last_end", "collected_on", "expected"),
    [
        # DOMAIN.md examples.
        (None, date(2025, 11, 20), NEW),
        (date(2025, 8, 14), date(2025, 11, 15), REJOIN),
        (date(2025, 8, 14), date(2025, 11, 14), RENEWAL),
        (date(2025, 12, 31), date(2025, 11, 20), RENEWAL),
        (date(2025, 11, 29), date(2026, 2, 28), REJOIN),
        (date(2025, 11, 29), date(2026, 2, 27), RENEWAL),
        (date(2025, 5, 31), date(2025, 9, 1), REJOIN),
        (date(2025, 5, 31), date(2025, 8, 31), RENEWAL),
        # Our own: paid on the last day, the day after, years later.
        (date(2025, 11, 20), date(2025, 11, 20), RENEWAL),
        (date(2025, 11, 19), date(2025, 11, 20), RENEWAL),
        (date(2020, 1, 31), date(2025, 11, 20), REJOIN),
    ],
)
def test_classification_by_lapse(last_end, collected_on, expected):
    assert classify(last_coverage_end=last_end, collected_on=collected_on) == expected


@pytest.mark.parametrize(
    ("last_end", "collected_on", "expected", "start", "end"),
    [
        # DOMAIN.md examples.
        (None, date(2025, 11, 20), NEW, date(2025, 12, 20), date(2026, 12, 19)),
        (date(2025, 8, 14), date(2025, 11, 15), REJOIN, date(2025, 12, 15), date(2026, 12, 14)),
        (date(2025, 8, 14), date(2025, 11, 14), RENEWAL, date(2025, 11, 14), date(2026, 11, 13)),
        (date(2025, 12, 31), date(2025, 11, 20), RENEWAL, date(2026, 1, 1), date(2026, 12, 31)),
        # Our own: renewal on the last day follows on; 30 days crossing the year.
        (date(2025, 11, 20), date(2025, 11, 20), RENEWAL, date(2025, 11, 21), date(2026, 11, 20)),
        (None, date(2025, 12, 16), NEW, date(2026, 1, 15), date(2027, 1, 14)),
    ],
)
def test_bhyt_card_for_12_months(last_end, collected_on, expected, start, end):
    classification = classify(last_coverage_end=last_end, collected_on=collected_on)
    assert classification == expected
    coverage = bhyt_coverage(
        classification=classification, last_coverage_end=last_end, collected_on=collected_on, months=12
    )
    assert coverage == (start, end)


@pytest.mark.parametrize(
    ("classification", "last_end", "collected_on", "months", "start", "end"),
    [
        (NEW, None, date(2025, 11, 20), 3, date(2025, 12, 20), date(2026, 3, 19)),
        (NEW, None, date(2025, 11, 20), 6, date(2025, 12, 20), date(2026, 6, 19)),
        (RENEWAL, date(2025, 12, 31), date(2025, 11, 20), 3, date(2026, 1, 1), date(2026, 3, 31)),
        (RENEWAL, date(2025, 12, 31), date(2025, 11, 20), 6, date(2026, 1, 1), date(2026, 6, 30)),
        # Month ends clamp: 31/08 + 6 months is 28/02, so the card ends the day before.
        (RENEWAL, date(2025, 8, 30), date(2025, 8, 20), 6, date(2025, 8, 31), date(2026, 2, 27)),
        # New card starting 1/01/2026 after 30 days from 2/12/2025.
        (NEW, None, date(2025, 12, 2), 3, date(2026, 1, 1), date(2026, 3, 31)),
    ],
)
def test_bhyt_card_for_other_periods(classification, last_end, collected_on, months, start, end):
    coverage = bhyt_coverage(
        classification=classification, last_coverage_end=last_end, collected_on=collected_on, months=months
    )
    assert coverage == (start, end)


def test_bhyt_waiting_period_comes_from_the_caller():
    coverage = bhyt_coverage(
        classification=NEW, last_coverage_end=None, collected_on=date(2025, 11, 20), months=12, waiting_days=0
    )
    assert coverage == (date(2025, 11, 20), date(2026, 11, 19))


def test_bhyt_renewal_after_expiry_starts_on_the_payment_date():
    coverage = bhyt_coverage(
        classification=RENEWAL, last_coverage_end=date(2025, 10, 31), collected_on=date(2025, 11, 20), months=3
    )
    assert coverage == (date(2025, 11, 20), date(2026, 2, 19))


@pytest.mark.parametrize(
    ("last_end", "collected_on", "months", "start", "end"),
    [
        (None, date(2025, 11, 20), 12, date(2025, 11, 1), date(2026, 10, 31)),
        (None, date(2025, 11, 1), 1, date(2025, 11, 1), date(2025, 11, 30)),
        (None, date(2025, 12, 31), 3, date(2025, 12, 1), date(2026, 2, 28)),
        (date(2025, 12, 31), date(2025, 11, 20), 3, date(2026, 1, 1), date(2026, 3, 31)),
        (date(2025, 10, 31), date(2025, 11, 20), 6, date(2025, 11, 1), date(2026, 4, 30)),
        (date(2025, 8, 31), date(2025, 11, 30), 1, date(2025, 9, 1), date(2025, 9, 30)),
        (date(2025, 8, 31), date(2025, 12, 1), 12, date(2025, 12, 1), date(2026, 11, 30)),
        (date(2023, 2, 28), date(2025, 11, 20), 12, date(2025, 11, 1), date(2026, 10, 31)),
    ],
)
def test_bhxh_voluntary_covers_whole_months(last_end, collected_on, months, start, end):
    classification = classify(last_coverage_end=last_end, collected_on=collected_on)
    coverage = bhxh_coverage(
        classification=classification, last_coverage_end=last_end, collected_on=collected_on, months=months
    )
    assert coverage == (start, end)


@pytest.mark.parametrize("coverage", [bhyt_coverage, bhxh_coverage])
def test_renewal_without_a_last_coverage_end_is_a_programming_error(coverage):
    with pytest.raises(ValueError):
        coverage(classification=RENEWAL, last_coverage_end=None, collected_on=date(2025, 11, 20), months=12)


@pytest.mark.parametrize("coverage", [bhyt_coverage, bhxh_coverage])
@pytest.mark.parametrize("months", [0, -3])
def test_coverage_of_no_months_is_a_programming_error(coverage, months):
    with pytest.raises(ValueError):
        coverage(classification=NEW, last_coverage_end=None, collected_on=date(2025, 11, 20), months=months)


def test_classification_values_and_labels():
    with translation.override("en"):
        assert [(c.value, str(c.label)) for c in Classification] == [
            ("new", "new"),
            ("rejoin", "rejoining"),
            ("renewal", "renewal"),
        ]
