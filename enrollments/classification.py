"""Whether an enrollment is new, rejoining or a renewal, and the coverage it buys.

For one person and one product, E is the end of their last coverage and C the
collection date. A lapse of 3 calendar months or more makes a rejoin, which counts
toward quotas and earns a gift like a new participant; a shorter lapse is a renewal.
Month arithmetic clamps at month ends (30/11 + 3 months = 28/02), as the campaign counts.
"""

from datetime import date, timedelta

from dateutil.relativedelta import relativedelta
from django.db import models
from django.utils.translation import gettext_lazy as _

ONE_DAY = timedelta(days=1)
REJOIN_LAPSE = relativedelta(months=3)


class Classification(models.TextChoices):
    NEW = "new", _("new")
    REJOIN = "rejoin", _("rejoining")
    RENEWAL = "renewal", _("renewal")


# The people the campaign brought in: they count toward quotas and earn a mug; renewals would
# have paid anyway (enrollments/vocabulary.py builds every query and the gift rule on this).
BROUGHT_IN = (Classification.NEW, Classification.REJOIN)


def rejoin_from(last_end: date) -> date:
    """The first collection date that counts as a rejoin: 3 calendar months into the lapse."""
    return last_end + ONE_DAY + REJOIN_LAPSE


def classify(*, last_coverage_end: date | None, collected_on: date) -> Classification:
    if last_coverage_end is None:
        return Classification.NEW
    if collected_on >= rejoin_from(last_coverage_end):
        return Classification.REJOIN
    return Classification.RENEWAL


def _renewed_after(classification: Classification, last_coverage_end: date | None, months: int) -> date | None:
    """The end of the coverage a renewal follows on from, None for new and rejoining participants."""
    if months < 1:
        raise ValueError("coverage needs at least one month")
    if classification != Classification.RENEWAL:
        return None
    if last_coverage_end is None:
        raise ValueError("a renewal needs the end of the last coverage")
    return last_coverage_end


def bhyt_coverage(
    *,
    classification: Classification,
    last_coverage_end: date | None,
    collected_on: date,
    months: int,
    waiting_days: int = 30,
) -> tuple[date, date]:
    """The first and last day of the BHYT card (Health Insurance Law art. 16).

    A renewal paid before expiry follows on from the old card; one paid after expiry
    starts on the payment date. New and rejoining members wait ``waiting_days``.
    """
    last_end = _renewed_after(classification, last_coverage_end, months)
    start = collected_on + timedelta(days=waiting_days) if last_end is None else max(last_end + ONE_DAY, collected_on)
    return start, start + relativedelta(months=months) - ONE_DAY


def bhxh_coverage(
    *, classification: Classification, last_coverage_end: date | None, collected_on: date, months: int
) -> tuple[date, date]:
    """The first and last day of the whole months of BHXH tự nguyện paid for.

    New and rejoining participants start with the month of payment; a renewal continues
    from the month after the last month paid, so no month is left out or paid twice.
    """
    last_end = _renewed_after(classification, last_coverage_end, months)
    start = collected_on.replace(day=1) if last_end is None else last_end.replace(day=1) + relativedelta(months=1)
    return start, start + relativedelta(months=months) - ONE_DAY
