"""Writes of the enrollments app: record, cancel, hand over a mug, store prior coverage.

The web form, the JSON API and the Excel import all call these, so a rule lives here once.
"""

from .gifts import check_gift_stock, issue_gift, set_gift_stock
from .preparing import coverage_dates, prepare_enrollment
from .prior_coverage import PriorCoveragePlan, upsert_prior_coverage
from .recording import cancel_enrollment, record_enrollment, record_household
from .requests import RECORDED, EnrollmentRequest, PersonData, Prepared, quote

__all__ = [
    "RECORDED",
    "EnrollmentRequest",
    "PersonData",
    "Prepared",
    "PriorCoveragePlan",
    "cancel_enrollment",
    "check_gift_stock",
    "coverage_dates",
    "issue_gift",
    "prepare_enrollment",
    "quote",
    "record_enrollment",
    "record_household",
    "set_gift_stock",
    "upsert_prior_coverage",
]
