"""Spreadsheet imports of the enrollments app: people's prior coverage, and enrollments collected on paper."""

from .paper import PaperEnrollmentImport
from .prior_coverage import PriorCoverageImport

__all__ = ["PaperEnrollmentImport", "PriorCoverageImport"]
