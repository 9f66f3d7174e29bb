"""Keeping people covered: who is due for renewal or lapsed (DOMAIN.md "Renewals"), and who called them."""
