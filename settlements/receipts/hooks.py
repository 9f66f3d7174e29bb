"""The receipt of each recording, numbered as the recording is stored (``enrollments_recorded``)."""

from itertools import groupby

from enrollments.models import Source

from .numbering import issue_receipt

# Only what an officer records now gets the series' next number; a paper import keeps what the paper says.
NUMBERED_SOURCES = (Source.WEB, Source.API)


def number_receipts(sender, *, enrollments, source, user, **kwargs) -> None:
    """One receipt per receipt number typed (a household's members share one), or the next number."""
    ordered = sorted(enrollments, key=lambda e: e.receipt_no.strip().upper())
    for receipt_no, group in groupby(ordered, key=lambda e: e.receipt_no.strip().upper()):
        members = list(group)
        issue_receipt(
            agency_id=members[0].agency_id,
            enrollments=members,
            receipt_no=members[0].receipt_no if receipt_no else "",
            user=user,
            auto=source in NUMBERED_SOURCES,
        )
