"""What every import command shares: FILE, --dry-run, --template, --rejected; the same preview as the page.

A command is a thin door onto ``run_import``: it prints the preview (or the problems)
and exits non-zero when the import is rejected, so a script can tell.
"""

import getpass
import hashlib
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from core.audit import command_actor, named_user
from core.errors import DomainError
from core.models import ImportRecord

from .importing import Importer, record_refusal, run_import, summary_counts
from .reader import vn_int

SHOWN_LINES = 50


class ImportCommand(BaseCommand):
    importer: Importer
    # Parameters as (option, required, help): --campaign, --agency.
    options: tuple[tuple[str, bool, str], ...] = ()

    def add_arguments(self, parser):
        parser.add_argument("file", nargs="?", help="the spreadsheet (.xlsx, .xls or .ods)")
        for name, required, text in self.options:
            parser.add_argument(f"--{name}", required=required, help=text)
        parser.add_argument("--dry-run", action="store_true", help="check and show what would change; write nothing")
        parser.add_argument("--template", metavar="FILE", help="write the import's Excel template to FILE")
        parser.add_argument("--rejected", metavar="FILE", help="if rows are refused, write them to FILE (.xlsx)")
        parser.add_argument("--user", help="the username the writes are recorded under (default: the system user)")

    def handle(self, *args, file: str | None, dry_run: bool, template: str | None, rejected: str | None, **options):
        user = named_user(options.get("user"))
        codes = {name: options.get(name) or "" for name, _required, _text in self.options}
        if template:
            self._write_template(template, codes)
            if not file:
                return
        if not file:
            raise CommandError(_("Give the spreadsheet to import (or --template FILE to get its template)."))
        path = Path(file)
        if not path.is_file():
            raise CommandError(_("No such file: %(path)s") % {"path": file})
        with command_actor(user, command=type(self).__module__.rsplit(".", 1)[-1]):
            record = self._import(path, codes, write=not dry_run, user=user)
        self._report(record, dry_run=dry_run)
        if record.outcome == ImportRecord.Outcome.REJECTED:
            if rejected and record.rejected_file:
                Path(rejected).write_bytes(bytes(record.rejected_file))
                self.stdout.write(_("The refused rows, with the reasons, are in %(path)s.") % {"path": rejected})
            raise CommandError(
                _("Import %(id)s rejected: nothing was written (%(count)s problems).")
                % {"id": record.pk, "count": record.problem_count}
            )

    def _write_template(self, target: str, codes: dict) -> None:
        try:
            context = self.importer.context(**codes)
        except DomainError as exc:
            raise CommandError(" ".join(exc.messages)) from exc
        Path(target).write_bytes(self.importer.template(context))
        self.stdout.write(_("Template written to %(path)s.") % {"path": target})

    def _import(self, path: Path, codes: dict, *, write: bool, user) -> ImportRecord:
        actor = user.get_username() if user is not None else _actor()
        size = path.stat().st_size
        if size > settings.IMPORT_MAX_BYTES:
            digest = hashlib.sha256()
            with path.open("rb") as stream:
                while chunk := stream.read(1 << 20):
                    digest.update(chunk)
            return record_refusal(
                self.importer,
                file_name=path.name,
                size=size,
                sha256=digest.hexdigest(),
                source="command",
                actor=actor,
                user=user,
            )
        return run_import(
            self.importer,
            data=path.read_bytes(),
            file_name=path.name,
            codes=codes,
            write=write,
            source=ImportRecord.Source.COMMAND,
            actor=actor,
            user=user,
        )

    def _report(self, record: ImportRecord, *, dry_run: bool) -> None:
        summary = record.summary
        if summary.get("sheet"):
            self.stdout.write(
                _("Sheet “%(sheet)s”, header on row %(row)s: %(rows)s rows read.")
                % {"sheet": summary["sheet"], "row": summary["header_row"], "rows": vn_int(record.rows_read)}
            )
        if record.outcome == ImportRecord.Outcome.REJECTED:
            for problem in record.problems:
                self.stderr.write(problem["text"])
            if record.problem_count > len(record.problems):
                self.stderr.write(
                    _("... and %(count)s more.") % {"count": vn_int(record.problem_count - len(record.problems))}
                )
            return
        if counts := summary_counts(record):
            self.stdout.write(" · ".join(f"{label}: {number}" for label, number in counts))
        lines = summary.get("lines", [])
        for line in lines[:SHOWN_LINES]:
            self.stdout.write(f"  {line}")
        if summary.get("line_count", 0) > SHOWN_LINES:
            self.stdout.write(
                "  " + _("... and %(count)s more.") % {"count": vn_int(summary["line_count"] - SHOWN_LINES)}
            )
        for note in summary.get("notes", []):
            self.stdout.write(note)
        if dry_run:
            self.stdout.write(_("Dry run (import %(id)s): nothing was written.") % {"id": record.pk})
        else:
            self.stdout.write(
                self.style.SUCCESS(
                    _("Import %(id)s written: %(rows)s rows changed.")
                    % {"id": record.pk, "rows": vn_int(record.rows_written)}
                )
            )


def _actor() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "command"
