from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from core.backup import backup, manifest_path
from core.errors import DomainError


class Command(BaseCommand):
    help = "Back up the PostgreSQL database (every campaign) with pg_dump, with the row count of every table beside it."

    def add_arguments(self, parser):
        parser.add_argument("file", help="the dump to write, e.g. backups/bhxh-2025-12-10.dump")

    def handle(self, *args, file: str, **options):
        dump = Path(file)
        try:
            counts = backup(dump)
        except DomainError as exc:
            raise CommandError(" ".join(exc.messages)) from exc
        self.stdout.write(
            f"Backed up {len(counts)} tables, {sum(counts.values())} rows, to {dump} "
            f"({dump.stat().st_size} bytes); counts in {manifest_path(dump)}."
        )
