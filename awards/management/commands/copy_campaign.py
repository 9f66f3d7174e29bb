from datetime import date

from django.core.management.base import BaseCommand, CommandError

from awards.copying import copy_campaign
from core.errors import DomainError


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError as exc:
        raise CommandError(f"{text} is not a date: write it as YYYY-MM-DD.") from exc


class Command(BaseCommand):
    help = (
        "Copy a campaign forward to new dates as a draft: name, theme, targets, cut-off, award rules and "
        "prizes, weekly quotas week by week (or none with --no-quotas) and the mugs still on hand; its weeks "
        "are generated from its dates. Nothing of the campaign copied from changes."
    )

    def add_arguments(self, parser):
        parser.add_argument("--from", dest="source", required=True, help="the code of the campaign to copy")
        parser.add_argument("--code", required=True, help="the new campaign's code, e.g. TN-CAODIEM-2026")
        parser.add_argument("--start", required=True, help="first day, YYYY-MM-DD")
        parser.add_argument("--end", required=True, help="last day, YYYY-MM-DD")
        parser.add_argument("--no-quotas", action="store_true", help="leave the weekly quotas empty")

    def handle(self, *args, source: str, code: str, start: str, end: str, no_quotas: bool, **options):
        try:
            copied = copy_campaign(
                source_code=source, code=code, start=_day(start), end=_day(end), with_quotas=not no_quotas
            )
        except DomainError as exc:
            raise CommandError(" ".join(exc.messages)) from exc
        self.stdout.write(
            f"{copied.campaign.code}: {copied.weeks} weeks, {copied.rules} award rules, {copied.quotas} quotas, "
            f"mug stock of {copied.stocks} agencies (draft)"
        )
