from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from core.backup import restore
from core.errors import DomainError


class Command(BaseCommand):
    help = (
        "Restore a backup_database dump into an empty database on the same server, in one transaction, "
        "and compare every table's row count with the backup's."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="the dump written by backup_database")
        parser.add_argument("--into", required=True, help="the empty database to restore into (never the app's own)")
        parser.add_argument("--create", action="store_true", help="create that database first if it does not exist")

    def handle(self, *args, file: str, into: str, create: bool, **options):
        try:
            restored = restore(Path(file), into=into, create=create)
        except DomainError as exc:
            raise CommandError(" ".join(exc.messages)) from exc
        for table, (expected, found) in restored.mismatches.items():
            self.stderr.write(f"{table}: {expected} rows in the backup, {found} restored")
        if restored.mismatches:
            raise CommandError(f"{len(restored.mismatches)} tables differ from the backup.")
        self.stdout.write(
            f"Restored {restored.tables} tables, {restored.rows} rows, into {into}; every count matches the backup."
        )
