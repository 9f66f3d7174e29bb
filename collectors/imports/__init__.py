"""Spreadsheet imports of the collectors app: weekly quotas, and the roster of agencies and their officers."""

from .quotas import QuotaImport
from .roster import RosterImport

__all__ = ["QuotaImport", "RosterImport"]
