"""The admins' audit trail: who created, changed or cancelled what (history rows) and who downloaded personal data."""
