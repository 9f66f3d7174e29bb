"""Money handed over: transfers to BHXH, the ledger per agency and day, reconciled lists."""

from .ledger import Ledger, LedgerDay, ledger
from .services import reconcile_batch, record_transfer

__all__ = ["Ledger", "LedgerDay", "ledger", "reconcile_batch", "record_transfer"]
