"""The one way every spreadsheet import runs: read, check, preview or write all rows or none, record.

An import (quotas, roster, baselines, prior coverage, paper enrollments) is an
``Importer``: the tables it expects, how it resolves its parameters (a campaign code,
an agency code), what it does with the rows, and its template. It lives in the app
that owns the data; this module, in the lowest app, only drives it, so the upload page,
the management commands and the benchmark all take the same path:

1. the file is checked (size, spreadsheet or not, zip bomb) and read (``reader``);
2. the importer plans: a pure step turns the rows into a ``Plan`` (what would be added,
   changed, removed, and every problem) by reading the database, never writing it; asked to
   write a plan without problems, it hands it to its app's write service. All of it runs in
   one transaction, rolled back when any row is bad (even one found while writing);
3. an ``ImportRecord`` keeps who, when, the file's name and SHA-256, the counts, the
   problems and the outcome; a rejected import keeps its bad rows as an .xlsx with an
   error column.

Uploading the same file twice changes nothing the second time: every importer writes by
natural key (an agency code, a week, a CCCD and product), so the second run finds every
row unchanged, and the preview says the file was imported before.
"""

import hashlib
import logging
from collections.abc import Hashable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import DatabaseError, IntegrityError, InterfaceError, OperationalError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core import clock
from core.audit import acting_as
from core.errors import DomainError
from core.models import ImportRecord

from .reader import Problem, Row, SpreadsheetRefused, Table, TableSpec, read_table, too_large_message, vn_int
from .writer import Column, table_to_bytes

logger = logging.getLogger(__name__)

STORED_PROBLEMS = 1000  # problems kept on the record; the count keeps the rest
STORED_LINES = 200  # lines of "what changes" kept for the preview
PENDING_FOR = timedelta(days=1)  # how long an unconfirmed upload waits


@dataclass
class Outcome:
    """What an importer found in the rows, and what it wrote (or would write).

    ``counts`` are in the order a preview shows them ("added", "changed", "removed", ...);
    ``lines`` say what changes, one line each.
    """

    problems: list[Problem] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)
    lines: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    rows_written: int = 0


@dataclass(kw_only=True)
class Plan:
    """What an import would change, found by reading only: the rows' problems, the counts and lines of a preview.

    Each import's plan adds what its write service needs (the rows to add, change, remove).
    A plan with problems is never written.
    """

    problems: list[Problem] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)
    lines: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def outcome(self, *, rows_written: int = 0) -> Outcome:
        return Outcome(
            problems=self.problems, counts=self.counts, lines=self.lines, notes=self.notes, rows_written=rows_written
        )

    def refuse_if_problems(self) -> None:
        """For write services: a plan with problems is not a confirmed plan."""
        if self.problems:
            raise DomainError([str(problem) for problem in self.problems])


class Importer:
    """One kind of import: set the class attributes, implement ``context``, ``plan``, ``write`` and ``template``."""

    kind: str
    title: str
    specs: tuple[TableSpec, ...]
    parameters: tuple[str, ...] = ()  # the codes it needs, e.g. ("campaign",)
    template_name: str = "template.xlsx"
    # The largest sheet it reads, from A1; None: the settings IMPORT_MAX_ROWS and IMPORT_MAX_COLUMNS.
    max_rows: int | None = None
    max_columns: int | None = None

    def context(self, *, user=None, **codes: str) -> Any:
        """Resolve the parameters' codes to objects, or raise DomainError naming the unknown one.

        ``user`` is who uploads (None for a command), for imports that record it.
        """
        return None

    def codes_of(self, context: Any) -> dict[str, str]:
        """The codes of what ``context`` resolved to (a default campaign, say), kept on the record."""
        return {}

    def plan(self, table: Table, rows: list[Row], *, context: Any) -> Plan:
        """What ``rows`` would change, and every problem; reads the database, writes nothing."""
        raise NotImplementedError

    def write(self, plan: Plan, *, context: Any) -> int:
        """Store a plan without problems through the app's service; the number of rows written.

        A refusal met while writing (another user got there first) goes on ``plan.problems``.
        """
        raise NotImplementedError

    def run(self, table: Table, rows: list[Row], *, context: Any, write: bool) -> Outcome:
        """Plan ``rows``; with ``write`` and no problem, also store them (the caller rolls back on problems)."""
        plan = self.plan(table, rows, context=context)
        written = self.write(plan, context=context) if write and not plan.problems else 0
        return plan.outcome(rows_written=written)

    def template(self, context: Any) -> bytes:
        raise NotImplementedError


# --- helpers for importers ---------------------------------------------------------------------


def duplicates(table: Table, keyed: Iterable[tuple[Row, Hashable]], *, column: Hashable) -> list[Problem]:
    """A problem in ``column`` for each row whose key an earlier row already had, naming that row.

    ``keyed`` pairs each row with what makes it unique in the file (an agency and a week, a
    CCCD and a product); a row may come with several keys (one per week of a wide sheet).
    The problems' rows are the ones to leave out of the checks that follow.
    """
    seen: dict[Hashable, int] = {}
    problems = []
    for row, key in keyed:
        first = seen.setdefault(key, row.number)
        if first != row.number:
            problems.append(table.problem(row, column, _("Duplicate of row %(row)s.") % {"row": first}))
    return problems


def change_counts(*, added: int = 0, changed: int = 0, removed: int = 0, unchanged: int = 0, **more: int) -> dict:
    return {"added": added, "changed": changed, "removed": removed, **more, "unchanged": unchanged}


COUNT_LABELS = {
    "added": lambda: _("added"),
    "changed": lambda: _("changed"),
    "removed": lambda: _("removed"),
    "deactivated": lambda: _("deactivated"),
    "reactivated": lambda: _("reactivated"),
    "unchanged": lambda: _("unchanged"),
    "skipped": lambda: _("already recorded, skipped"),
}


def count_label(key: str) -> str:
    label = COUNT_LABELS.get(key)
    return label() if label else key


# --- running an import ---------------------------------------------------------------------


def file_limits(importer: Importer) -> dict[str, int]:
    """What ``read_table`` accepts for this import: the file's size, and its sheets' rows and columns."""
    return {
        "max_bytes": settings.IMPORT_MAX_BYTES,
        "max_unpacked_bytes": settings.IMPORT_MAX_UNPACKED_BYTES,
        "max_rows": importer.max_rows or settings.IMPORT_MAX_ROWS,
        "max_columns": importer.max_columns or settings.IMPORT_MAX_COLUMNS,
    }


def run_import(
    importer: Importer,
    *,
    data: bytes,
    file_name: str,
    codes: dict[str, str] | None = None,
    write: bool,
    source: str,
    user=None,
    actor: str = "",
    keep_pending: bool = False,
    record: ImportRecord | None = None,
) -> ImportRecord:
    """Read ``data``, check it and, with ``write`` and no problem at all, write it; return the stored record.

    ``keep_pending`` keeps the file on a previewed record so that ``confirm_import`` can write it later.
    """
    codes = {key: value for key, value in (codes or {}).items() if value}
    if record is None:
        record = _new_record(importer, file_name=file_name, source=source, user=user, actor=actor, codes=codes)
    record.sha256 = hashlib.sha256(data).hexdigest()
    record.size = len(data)
    try:
        context = importer.context(user=record.user, **codes)
        record.parameters = {**codes, **importer.codes_of(context)}
        table = read_table(data, importer.specs, **file_limits(importer))
    except (SpreadsheetRefused, DomainError) as exc:
        return _finish(record, ImportRecord.Outcome.REJECTED, problems=[Problem(m) for m in exc.messages])
    record.rows_read = table.rows_read
    problems = list(table.problems)
    if not table.rows and not problems:
        problems.append(
            Problem(
                _("Sheet “%(sheet)s” has a header row (row %(row)s) but no data rows under it.")
                % {"sheet": table.sheet, "row": table.header_row}
            )
        )
    bad_rows = {p.row for p in problems}
    rows = [row for row in table.rows if row.number not in bad_rows]
    outcome = Outcome()
    try:
        with transaction.atomic():
            with acting_as(record.user, reason=_history_reason(record)):
                outcome = importer.run(table, rows, context=context, write=write and not problems)
            problems += outcome.problems
            if problems or not write:
                transaction.set_rollback(True)
    except DomainError as exc:
        problems += [Problem(m) for m in exc.messages]
    except (IntegrityError, DatabaseError) as exc:
        logger.exception("import %s of %s failed in the database", importer.kind, file_name)
        problems.append(Problem(_database_failure(exc)))
    if problems:
        problems.sort(key=lambda p: (p.row is not None, p.row or 0, p.column or 0))
        return _finish(record, ImportRecord.Outcome.REJECTED, problems=problems, outcome=outcome, table=table)
    if write:
        return _finish(record, ImportRecord.Outcome.WRITTEN, outcome=outcome, table=table)
    if keep_pending:
        record.pending_file = data
    return _finish(record, ImportRecord.Outcome.PREVIEWED, outcome=outcome, table=table)


def _database_failure(exc: DatabaseError) -> str:
    """What to tell the user when the database failed mid-import (the transaction rolled every row back).

    A lost connection (a server restart, a terminated session) is not the file's fault. Django
    closes the broken connection when the rollback fails, so the record is stored on a new one.
    """
    if isinstance(exc, OperationalError | InterfaceError):
        return _(
            "The connection to the database was lost during the import; nothing was written. "
            "Upload the file again in a few minutes."
        )
    return _("The database refused the data; nothing was written. Check the file and retry.")


def _history_reason(record: ImportRecord) -> str:
    """What the history rows of an import's writes say they came from."""
    return f"import #{record.pk} ({record.kind})" if record.pk else f"import ({record.kind})"


def record_refusal(
    importer: Importer,
    *,
    file_name: str,
    size: int,
    sha256: str,
    source: str,
    user=None,
    actor: str = "",
    codes: dict[str, str] | None = None,
) -> ImportRecord:
    """Record a file refused before it is read because it is over the size limit."""
    record = _new_record(importer, file_name=file_name, source=source, user=user, actor=actor, codes=codes or {})
    record.sha256, record.size = sha256, size
    return _finish(
        record, ImportRecord.Outcome.REJECTED, problems=[Problem(too_large_message(size, settings.IMPORT_MAX_BYTES))]
    )


def confirm_import(importer: Importer, *, record: ImportRecord) -> ImportRecord:
    """Write a previewed upload: the file is read and checked again, since the data may have moved since."""
    data = ImportRecord.objects.filter(pk=record.pk).values_list("pending_file", flat=True).first()
    claimed = ImportRecord.objects.filter(
        pk=record.pk, outcome=ImportRecord.Outcome.PREVIEWED, pending_file__isnull=False
    ).update(pending_file=None)
    if not claimed or data is None:
        raise DomainError(_("This upload was already written, cancelled or has expired; upload the file again."))
    record.pending_file = None
    return run_import(
        importer,
        data=bytes(data),
        file_name=record.file_name,
        codes=record.parameters,
        write=True,
        source=record.source,
        record=record,
    )


def cancel_import(*, record: ImportRecord) -> None:
    ImportRecord.objects.filter(pk=record.pk, outcome=ImportRecord.Outcome.PREVIEWED).update(
        outcome=ImportRecord.Outcome.CANCELLED, pending_file=None, finished_at=clock.now()
    )


def forget_stale_uploads() -> int:
    """Drop files that waited for a confirmation longer than a day (the records stay)."""
    return ImportRecord.objects.filter(pending_file__isnull=False, created_at__lt=clock.now() - PENDING_FOR).update(
        pending_file=None
    )


def _new_record(importer: Importer, *, file_name: str, source: str, user, actor: str, codes: dict) -> ImportRecord:
    return ImportRecord(
        kind=importer.kind,
        source=source,
        user=user if user is not None and user.is_authenticated else None,
        actor=actor or (user.get_username() if user is not None else ""),
        file_name=(file_name or "")[-255:],
        parameters={key: value for key, value in codes.items() if value},
    )


def _finish(
    record: ImportRecord,
    result: str,
    *,
    problems: Sequence[Problem] = (),
    outcome: Outcome | None = None,
    table: Table | None = None,
) -> ImportRecord:
    outcome = outcome or Outcome()
    record.outcome = result
    record.rows_written = outcome.rows_written if result == ImportRecord.Outcome.WRITTEN else 0
    record.problem_count = len(problems)
    record.problems = [problem.as_dict() | {"text": str(problem)} for problem in problems[:STORED_PROBLEMS]]
    notes = list(outcome.notes)
    earlier = _same_file_written_before(record)
    if earlier is not None:
        notes.append(
            _("The same file was imported on %(date)s by %(who)s (import %(id)s).")
            % {
                "date": timezone.localtime(earlier.created_at).strftime("%d/%m/%Y %H:%M"),
                "who": earlier.actor,
                "id": earlier.pk,
            }
        )
    record.summary = {
        "counts": outcome.counts,
        "lines": outcome.lines[:STORED_LINES],
        "line_count": len(outcome.lines),
        "notes": notes,
        "sheet": table.sheet if table else "",
        "header_row": table.header_row if table else None,
    }
    if problems and table is not None:
        record.rejected_file = rejected_rows_file(table, problems)
    record.finished_at = clock.now()
    record.save()
    return record


def _same_file_written_before(record: ImportRecord) -> ImportRecord | None:
    earlier = ImportRecord.objects.filter(
        kind=record.kind, sha256=record.sha256, outcome=ImportRecord.Outcome.WRITTEN, parameters=record.parameters
    ).defer("pending_file", "rejected_file")
    if record.pk:
        earlier = earlier.exclude(pk=record.pk)
    return earlier.order_by("-created_at").first()


def rejected_rows_file(table: Table, problems: Sequence[Problem]) -> bytes | None:
    """The rows that were refused, as the user typed them, with the sheet row and the reasons beside them."""
    rejected = table.rows_with_problems(problems)
    if not rejected:
        return None
    width = max(len(table.headers), max(len(row.cells) for row, _messages in rejected))
    headers = [*table.headers, *[""] * (width - len(table.headers))]
    columns = [
        Column(_("Row in the uploaded file"), 10, "int"),
        *[Column(header or " ", 18) for header in headers],
        Column(_("Error"), 60),
    ]
    rows = ([row.number, *_plain(row.cells, width), "; ".join(messages)] for row, messages in rejected)
    return table_to_bytes(
        sheet_title=_("Rejected rows"),
        title_lines=[_("Rows refused from sheet “%(sheet)s”: correct them and upload again.") % {"sheet": table.sheet}],
        columns=columns,
        rows=rows,
    )


def _plain(cells: list, width: int) -> list:
    """Cells as the writer takes them: text, numbers and dates as they are, anything else (a time) as text."""
    values = [
        cell if cell is None or isinstance(cell, str | int | float | date | datetime) else str(cell) for cell in cells
    ]
    return values + [None] * (width - len(values))


def summary_counts(record: ImportRecord) -> list[tuple[str, str]]:
    """The record's counts as (label, number) pairs in Vietnamese number style."""
    return [(count_label(key), vn_int(value)) for key, value in record.summary.get("counts", {}).items()]
