from django.core.management.base import BaseCommand, CommandError

from campaign.services import import_geography
from core.errors import DomainError


class Command(BaseCommand):
    help = "Load a province and its communes from the official post-1/7/2025 list (default: Tây Ninh, 80)."

    def add_arguments(self, parser):
        parser.add_argument("--province", type=int, default=80, help="province code of the new map")

    def handle(self, *args, province: int, **options):
        try:
            result = import_geography(province_code=province)
        except DomainError as exc:
            raise CommandError("; ".join(exc.messages)) from exc
        self.stdout.write(f"{result.name}: {result.communes.count()} communes")
