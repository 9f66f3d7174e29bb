"""The renewal list as an Excel sheet for calling: the rows and the masking of the page."""

import tempfile
from collections.abc import Iterable

from django.utils import timezone
from django.utils.translation import gettext as _

from campaign.models import Product
from core import clock
from core.excel.writer import Column, write_table

from .selectors import RenewalRow

SHORT = {Product.BHXH_TN: "BHXH TN", Product.BHYT_HGD: "BHYT HGĐ"}


def _rows(rows: Iterable[RenewalRow]):
    for row in rows:
        contact = row.contact
        yield [
            row.full_name,
            row.cccd,
            row.phone,
            SHORT[row.product],
            row.status_label,
            row.coverage_end,
            row.days_left,
            row.last_months,
            row.amount,
            _("yes") if row.mug_due else "",
            row.agency_code,
            row.commune_name,
            row.household_code,
            contact.contacted_on if contact else None,
            contact.get_outcome_display() if contact else "",
        ]


def renewal_sheet(rows: Iterable[RenewalRow], *, within: int):
    """A spooled .xlsx file (closed by the response that sends it).

    ``rows`` is read once, in order: a ``RenewalList`` streams from a server-side cursor, a chunk of
    rows at a time, into XlsxWriter's constant-memory rows, so the whole list is never held at once.
    """
    columns = [
        Column(_("Full name"), 26),
        Column(_("CCCD"), 15, "code"),
        Column(_("Phone"), 13, "code"),
        Column(_("Product"), 11),
        Column(_("Status"), 24),
        Column(_("Coverage ends"), 12, "date"),
        Column(_("Days left"), 9, "int"),
        Column(_("Last period (months)"), 10, "int"),
        Column(_("Renewal today (₫)"), 14, "money"),
        Column(_("Mug due"), 8),
        Column(_("Agency"), 12),
        Column(_("Commune"), 20),
        Column(_("Household code"), 14, "code"),
        Column(_("Last contact"), 12, "date"),
        Column(_("Outcome"), 16),
    ]
    handle = tempfile.TemporaryFile()  # noqa: SIM115 - closed by the FileResponse
    try:
        write_table(
            handle,
            sheet_title=_("Renewals"),
            columns=columns,
            rows=_rows(rows),
            title_lines=[
                _("People due for renewal within %(days)s days, and people whose coverage lapsed") % {"days": within},
                _("Made on %(moment)s.") % {"moment": timezone.localtime(clock.now()).strftime("%d/%m/%Y %H:%M")},
            ],
        )
    except BaseException:
        handle.close()
        raise
    handle.seek(0)
    return handle
