"""Receipt series per agency, the receipt of each recording, voiding a spoiled one."""

from .numbering import active_series, issue_receipt, next_number
from .voiding import void_receipt

__all__ = ["active_series", "issue_receipt", "next_number", "void_receipt"]
