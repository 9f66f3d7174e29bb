"""The bank's statement of the collection account: its credit lines matched to receipts."""
