from datetime import date
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from collectors.models import CollectionAgency
from core.errors import DomainError
from settlements.declarations import declaration_xml, live_list, mark_sent, sent_list, write_declaration
from settlements.models import DeclarationBatch, Form


class Command(BaseCommand):
    help = (
        "Write an agency's D03-TS (BHYT) or D05-TS (voluntary BHXH) list of a period as .xlsx in the form's "
        "layout (or its XML with --xml): the people not declared yet, and cancellations of people already "
        "sent. --mark-sent freezes it as the agency's next batch; --batch N writes a sent batch again."
    )

    def add_arguments(self, parser):
        parser.add_argument("--form", required=True, choices=Form.values)
        parser.add_argument("--agency", required=True, help="the agency's code")
        parser.add_argument("--from", dest="period_from", help="first day, YYYY-MM-DD")
        parser.add_argument("--to", dest="period_to", help="last day, YYYY-MM-DD")
        parser.add_argument("--output", required=True, help="the file to write")
        parser.add_argument("--xml", action="store_true", help="the electronic declaration's XML instead of Excel")
        parser.add_argument("--mark-sent", action="store_true", help="freeze the list as the agency's next batch")
        parser.add_argument("--batch", type=int, help="write the agency's sent batch number N instead")

    def handle(self, *args, form, agency, period_from, period_to, output, xml, mark_sent, batch, **options):
        found = CollectionAgency.objects.select_related("office").filter(code=agency).first()
        if found is None:
            raise CommandError(f"No agency has the code {agency}.")
        try:
            listing = self._listing(found, form, period_from, period_to, mark_sent, batch)
        except DomainError as exc:
            raise CommandError(" ".join(exc.messages)) from exc
        if xml:
            Path(output).write_bytes(declaration_xml(listing))
        else:
            write_declaration(output, listing)
        self.stdout.write(
            f"{output}: {len(listing.added)} added, {len(listing.removed)} removed, "
            f"total {listing.totals.amount_paid} đồng"
            + (f", batch {listing.batch_number}" if listing.batch_number else "")
        )

    def _listing(self, agency, form, period_from, period_to, send, batch):
        if batch is not None:
            sent = DeclarationBatch.objects.filter(agency=agency, form=form, number=batch).first()
            if sent is None:
                raise CommandError(f"{agency.code} has no sent {form} batch number {batch}.")
            return sent_list(sent)
        if not (period_from and period_to):
            raise CommandError("Give the period: --from YYYY-MM-DD --to YYYY-MM-DD (or --batch N).")
        first, last = _day(period_from), _day(period_to)
        if send:
            return sent_list(mark_sent(agency=agency, form=form, period_from=first, period_to=last, user=None))
        return live_list(agency=agency, form=form, period_from=first, period_to=last)


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError as exc:
        raise CommandError(f"Give the date as YYYY-MM-DD, not {text!r}.") from exc
