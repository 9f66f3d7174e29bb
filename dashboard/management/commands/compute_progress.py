from datetime import date

from django.core.management.base import BaseCommand, CommandError

from campaign.models import Campaign
from core import clock
from core.errors import DomainError
from dashboard.progress.snapshots import compute_progress, days_to_backfill


class Command(BaseCommand):
    help = (
        "Store the coverage of every commune, per product, as of a day (default: today) with the service "
        "the Celery task uses; --since fills every day from the campaign's start. Computing a day again "
        "replaces its figures."
    )

    def add_arguments(self, parser):
        parser.add_argument("--campaign", required=True, help="the campaign's code, e.g. TN-CAODIEM-2025")
        parser.add_argument("--date", help="the day, YYYY-MM-DD (default: the app's today)")
        parser.add_argument("--since-start", action="store_true", help="every day from the campaign's start")

    def handle(self, *args, campaign: str, date: str | None, since_start: bool, **options):
        found = Campaign.objects.select_related("province").filter(code=campaign).first()
        if found is None:
            raise CommandError(f"No campaign has the code {campaign}.")
        day = _day(date) if date else clock.today()
        days = days_to_backfill(found, until=day) if since_start else [day]
        try:
            for one in days:
                rows = compute_progress(campaign=found, day=one)
                self.stdout.write(f"{one:%d/%m/%Y}: {rows} snapshots")
        except DomainError as exc:
            raise CommandError(" ".join(exc.messages)) from exc


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError as exc:
        raise CommandError(f"Give the date as YYYY-MM-DD, not {text!r}.") from exc
