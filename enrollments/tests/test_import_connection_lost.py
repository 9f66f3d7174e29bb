"""The database connection lost in the middle of an import: no row of the file stays, and the record says so.

The import's own PostgreSQL session is ended with ``pg_terminate_backend`` from a second
connection, once three of the file's ten enrollments are written in its transaction: what a
server restart does to every session at once.
"""

import io
from datetime import date
from unittest import mock

import psycopg
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.utils import translation

from core.models import ImportRecord
from core.tests.excel_files import sheet_file
from enrollments.imports import paper as paper_import
from enrollments.models import Enrollment, Household, Participant
from enrollments.tests.test_imports import PAPER_HEADER, desk, paper, paper_row  # noqa: F401 (desk: a fixture)

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("desk")]

LOST = (
    "The connection to the database was lost during the import; nothing was written. "
    "Upload the file again in a few minutes."
)


@pytest.fixture(autouse=True)
def english(settings, default_policies):
    settings.APP_TODAY = date(2025, 12, 10)
    with translation.override("en"):
        yield


def terminate(pid: int) -> None:
    """End session ``pid`` from a second connection of our own, as a restarting server does."""
    database = connection.settings_dict
    with psycopg.connect(
        host=database["HOST"] or "127.0.0.1",
        port=database["PORT"] or 5432,
        user=database["USER"],
        password=database["PASSWORD"] or None,
        dbname=database["NAME"],
        autocommit=True,
    ) as other:
        other.execute("SELECT pg_terminate_backend(%s)", [pid])


@pytest.fixture
def cut_after_three():
    """Let three enrollments be written, then end the import's session before the fourth."""
    real = paper_import.record_enrollment
    calls = []

    def record(**kwargs):
        if len(calls) == 3:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_backend_pid()")
                (pid,) = cursor.fetchone()
            terminate(pid)
        calls.append(kwargs)
        return real(**kwargs)

    with mock.patch.object(paper_import, "record_enrollment", side_effect=record):
        yield calls


def ten_rows() -> bytes:
    return sheet_file([PAPER_HEADER, *[paper_row(number, household=f"HGD-{number}") for number in range(1, 11)]])


def test_an_upload_whose_connection_is_lost_writes_nothing_and_is_recorded_as_failed(cut_after_three):
    record = paper(ten_rows())
    assert len(cut_after_three) == 4  # three written, the fourth met the dead connection
    assert (Enrollment.objects.count(), Participant.objects.count(), Household.objects.count()) == (0, 0, 0)
    record.refresh_from_db()  # stored on a new connection
    assert (record.outcome, record.rows_read, record.rows_written) == (ImportRecord.Outcome.REJECTED, 10, 0)
    assert [problem["text"] for problem in record.problems] == [LOST]


def test_the_command_says_so_and_exits_non_zero(cut_after_three, tmp_path):
    path = tmp_path / "ho-so-giay.xlsx"
    path.write_bytes(ten_rows())
    errors = io.StringIO()
    with pytest.raises(CommandError):
        call_command("import_enrollments", str(path), "--agency", "BD-TB", "--campaign", "TN-2025", stderr=errors)
    assert LOST in errors.getvalue()
    assert Enrollment.objects.count() == 0
    record = ImportRecord.objects.get()
    assert record.outcome == ImportRecord.Outcome.REJECTED and record.problems[0]["text"] == LOST
