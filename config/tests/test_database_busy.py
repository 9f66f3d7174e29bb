"""A database lock that outlasts its timeout answers 503 with Retry-After (issue 10, fault 5)."""

import json

from django.db import OperationalError
from django.http import HttpResponse
from django.test import RequestFactory
from django.utils import translation

from config.database_busy import DatabaseBusyMiddleware


def _middleware():
    return DatabaseBusyMiddleware(lambda request: HttpResponse("ok"))


def test_a_locked_database_is_a_503_with_a_retry_hint():
    locked = OperationalError("database is locked")
    with translation.override("en"):
        page = _middleware().process_exception(RequestFactory().post("/enroll/bhyt/"), locked)
        api = _middleware().process_exception(RequestFactory().post("/api/v1/enrollments"), locked)
    message = "The database is busy; nothing was saved. Try again in a few seconds."
    assert (page.status_code, page["Retry-After"], page.content.decode()) == (503, "5", message)
    assert (api.status_code, api["Retry-After"]) == (503, "5")
    assert json.loads(api.content) == {"detail": message, "errors": []}


def test_other_database_errors_are_left_alone():
    assert _middleware().process_exception(RequestFactory().get("/"), OperationalError("no such table: x")) is None
    assert _middleware().process_exception(RequestFactory().get("/"), ValueError("database is locked")) is None


RACE = """
import threading
import time
from django.db import connection, transaction

with connection.cursor() as c:
    c.execute("CREATE TABLE IF NOT EXISTS race (n integer)")
failures = []

def writer(n):
    try:
        with transaction.atomic():
            with connection.cursor() as c:
                c.execute("SELECT count(*) FROM race")  # a read, then a write: the lock upgrade that fails
                time.sleep(0.05)  # everyone has read before anyone writes
                c.execute("INSERT INTO race VALUES (%s)", [n])
    except Exception as exc:
        failures.append(repr(exc))
    finally:
        connection.close()

threads = [threading.Thread(target=writer, args=(n,)) for n in range(10)]
for t in threads: t.start()
for t in threads: t.join()
with connection.cursor() as c:
    c.execute("SELECT count(*) FROM race")
    print(c.fetchone()[0], len(failures), failures[:1])
"""


def test_ten_writers_at_once_on_the_zero_setup_database_all_succeed(tmp_path):
    from config.tests.test_settings import _run_manage

    result = _run_manage(
        "shell", "--no-imports", "-c", RACE, DEBUG="on", DATABASE_URL=f"sqlite:///{tmp_path / 'race.sqlite3'}"
    )
    assert result.stdout.split()[:2] == ["10", "0"], result.stdout + result.stderr
