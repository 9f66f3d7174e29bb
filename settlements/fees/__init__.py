"""Collection fees: rates as data, a statement per agency and month with the lines behind it."""

from .statement import FeeLine, FeeStatement, fee_of, fee_statement, month_bounds

__all__ = ["FeeLine", "FeeStatement", "fee_of", "fee_statement", "month_bounds"]
