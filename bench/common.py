"""What every benchmark shares: its scratch database, the app's environment, gunicorn, HTTP clients, load.

The scripts in bench/ measure the app as it runs in production (gunicorn, DEBUG off, PostgreSQL,
Redis) on data they build in a scratch database of their own on the server of ``DATABASE_URL``. The
load is sent from this process (the server is another one) over the loopback only, by client
threads using http.client, each run bounded in time and in requests, so it always stops by itself.
"""

import http.client
import json
import os
import re
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode, urlsplit, urlunsplit

import psycopg

from bench.report import Latency, summarize

ROOT = Path(__file__).resolve().parent.parent
SECRET_KEY = "bench-only-secret-key-never-used-for-anything-else-0123456789"
HOST = "127.0.0.1"  # the loopback only: a benchmark never sends traffic anywhere else
WORKERS = 3


# --- The scratch database -------------------------------------------------------------------------


def scratch_url(url: str, suffix: str) -> tuple[str, str, str]:
    """(scratch database URL, its name ``<name of url>_<suffix>``, the server's maintenance URL)."""
    parts = urlsplit(url)
    if parts.scheme not in ("postgres", "postgresql"):
        sys.exit("DATABASE_URL must be postgres://...: the benchmarks measure PostgreSQL.")
    name = f"{parts.path.lstrip('/') or 'bhxh'}_{suffix}" if suffix else parts.path.lstrip("/")
    return urlunsplit(parts._replace(path=f"/{name}")), name, urlunsplit(parts._replace(path="/postgres"))


def maintenance(url: str):
    return psycopg.connect(url.replace("postgres://", "postgresql://", 1), autocommit=True)


def prepare_database(url: str, suffix: str, *, fresh: bool = False, drop: bool = False) -> str:
    """The scratch database's URL, created if missing (dropped first with ``fresh``; only dropped with ``drop``)."""
    scratch, name, server = scratch_url(url, suffix)
    with maintenance(server) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if exists and (fresh or drop):
            conn.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
            exists = None
        if drop:
            print(f"Dropped {name}.")
            sys.exit(0)
        if not exists:
            conn.execute(f'CREATE DATABASE "{name}"')
    return scratch


def drop_database(url: str) -> None:
    _, name, server = scratch_url(url, "")
    with maintenance(server) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def database_url(argument: str | None = None) -> str:
    url = argument or os.environ.get("DATABASE_URL", "")
    if not url:
        sys.exit("Set DATABASE_URL=postgres://... (the benchmark makes its own scratch database on that server).")
    return url


# --- The app's environment --------------------------------------------------------------------------


def app_env(url: str, *, today: str, redis_url: str = "") -> dict[str, str]:
    """The app's settings as in production (DEBUG off: no query log, cached templates), in this process and
    in gunicorn alike. Without ``redis_url`` there is no broker: tasks run eagerly, the cache is local."""
    env = {
        "DATABASE_URL": url,
        "REDIS_URL": redis_url,
        "SECRET_KEY": SECRET_KEY,
        "DEBUG": "off",
        "APP_TODAY": today,
        "ALLOWED_HOSTS": HOST,
        "SECURE_SSL_REDIRECT": "off",  # plain HTTP on the loopback; production sits behind TLS
        "SECURE_HSTS_SECONDS": "0",
        "LOG_LEVEL": "WARNING",
        "DJANGO_SETTINGS_MODULE": "config.settings",
    }
    if not redis_url:
        del env["REDIS_URL"]
    return env


def setup_django(env: dict[str, str]) -> None:
    if not env.get("REDIS_URL"):
        os.environ.pop("REDIS_URL", None)
    os.environ.update(env)
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def store_retention(campaign_code: str, today: str) -> float:
    """The campaign's retention stored as the worker's round would (dashboard/retention.py; no worker runs
    beside the server): the pages only read it. Seconds taken, both periods (the campaign so far, the week)."""
    from datetime import date

    from campaign.models import Campaign
    from dashboard.retention import refresh_retention

    started = time.perf_counter()
    refresh_retention(campaign=Campaign.objects.get(code=campaign_code), today=date.fromisoformat(today))
    return time.perf_counter() - started


def manage(env: dict[str, str], *arguments: str, capture: bool = False) -> subprocess.CompletedProcess:
    """``manage.py ARGUMENTS`` in a process of its own with the app's environment."""
    return subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), *arguments],
        env={**os.environ, **env},
        cwd=ROOT,
        check=True,
        capture_output=capture,
        text=True,
    )


def time_sql(sql: str, params, *, runs: int = 7) -> tuple[float, float, int]:
    """(median, fastest, rows) of ``sql`` on Django's connection, in seconds; the first run warms the buffers."""
    from django.db import connection

    times, rows = [], 0
    with connection.cursor() as cursor:
        for run in range(runs + 1):
            started = time.perf_counter()
            cursor.execute(sql, params)
            rows = len(cursor.fetchall())
            if run:
                times.append(time.perf_counter() - started)
    return statistics.median(times), min(times), rows


def time_call(call: Callable[[], object], *, runs: int = 5, before: Callable[[], object] | None = None) -> list[float]:
    """Seconds of each of ``runs`` calls, after one untimed warming call; ``before`` runs untimed each time."""
    times = []
    for run in range(runs + 1):
        if before:
            before()
        started = time.perf_counter()
        call()
        if run:
            times.append(time.perf_counter() - started)
    return times


# --- The server ----------------------------------------------------------------------------------


def free_port(port: int) -> None:
    with socket.socket() as probe:
        if probe.connect_ex((HOST, port)) == 0:
            sys.exit(f"Port {port} is taken by another server; pass --port.")


def start_server(env: dict[str, str], port: int, *, workers: int = WORKERS, timeout: int = 120) -> subprocess.Popen:
    """gunicorn with ``workers`` sync workers on the loopback, once it answers /api/v1/health."""
    free_port(port)
    gunicorn = Path(sys.executable).with_name("gunicorn")
    command = [str(gunicorn), "config.wsgi", "--bind", f"{HOST}:{port}", "--workers", str(workers)]
    command += ["--log-level", "warning", "--timeout", str(timeout)]
    server = subprocess.Popen(command, cwd=ROOT, env={**os.environ, **env}, start_new_session=True)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and server.poll() is None:
        try:
            if request(port, "GET", "/api/v1/health").status == 200:
                return server
        except OSError:
            pass
        time.sleep(0.5)
    stop_process(server)
    sys.exit("gunicorn did not start and answer /api/v1/health within 60 s")


def stop_process(process: subprocess.Popen) -> None:
    """End a process this benchmark started, and its children (its own session), by its id."""
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=10)


stop_server = stop_process


def children(pid: int) -> list[int]:
    try:
        return [int(child) for child in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        return []


def peak_memory_mb(pid: int) -> float:
    """The peak resident set (VmHWM) of a running process, in MB; 0 if it is gone."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return 0.0
    found = re.search(r"^VmHWM:\s+(\d+) kB", status, re.MULTILINE)
    return int(found.group(1)) / 1024 if found else 0.0


# --- HTTP ----------------------------------------------------------------------------------------


@dataclass
class Answer:
    status: int
    body: bytes
    headers: list[tuple[str, str]]

    def json(self):
        return json.loads(self.body or b"null")


@dataclass
class Client:
    """One user's credentials: a session's cookies (pages) or a bearer token (the API)."""

    cookies: dict = field(default_factory=dict)
    token: str = ""

    def headers(self) -> dict[str, str]:
        headers = {"Host": HOST}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        return headers


def request(
    port: int,
    method: str,
    path: str,
    *,
    client: Client | None = None,
    form: dict | None = None,
    payload=None,
    timeout: float = 120,
) -> Answer:
    """One request on a fresh connection (gunicorn's sync workers close each one)."""
    connection = http.client.HTTPConnection(HOST, port, timeout=timeout)
    headers = client.headers() if client else {"Host": HOST}
    data = None
    if form is not None:
        data = urlencode(form)
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    elif payload is not None:
        data = json.dumps(payload)
        headers["Content-Type"] = "application/json"
    try:
        connection.request(method, path, body=data, headers=headers)
        response = connection.getresponse()
        return Answer(response.status, response.read(), response.getheaders())
    finally:
        connection.close()


def take_cookies(answer: Answer, cookies: dict) -> None:
    for header, value in answer.headers:
        if header.lower() == "set-cookie":
            name, _, rest = value.partition("=")
            cookies[name.strip()] = rest.split(";", 1)[0]


def log_in(port: int, username: str, password: str) -> Client:
    """A client with the session of ``username``, through the login form (CSRF token and all)."""
    client = Client()
    answer = request(port, "GET", "/accounts/login/")
    take_cookies(answer, client.cookies)
    token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', answer.body).group(1).decode()
    form = {"csrfmiddlewaretoken": token, "username": username, "password": password}
    answer = request(port, "POST", "/accounts/login/", client=client, form=form)
    take_cookies(answer, client.cookies)
    if answer.status != 302 or "sessionid" not in client.cookies:
        sys.exit(f"login of {username} failed: {answer.status}")
    return client


# --- Load ------------------------------------------------------------------------------------------


@dataclass
class LoadRun:
    latency: Latency
    extras: list  # what each send returned beside its status (e.g. a write's outcome)


class _Clients:
    """The shared state of one load run: the request counter and what the client threads measured."""

    def __init__(self, send, clients: int, max_requests: int):
        self.send, self.sent = send, iter(range(max_requests))
        self.latencies: list[float] = []
        self.statuses: list = []
        self.extras: list = []
        self.lock = threading.Lock()
        self.stop = threading.Event()
        self.begin = threading.Barrier(clients + 1)

    def next_request(self) -> int | None:
        if self.stop.is_set():
            return None
        with self.lock:
            return next(self.sent, None)

    def one(self, index: int, n: int) -> tuple[float, object, object]:
        started = time.perf_counter()
        try:
            status, extra = self.send(index, n)
        except OSError as exc:  # a timeout or a refused connection is a failed request, timed as such
            status, extra = type(exc).__name__, None
        return (time.perf_counter() - started) * 1000, status, extra

    def client(self, index: int) -> None:
        mine, codes, more = [], [], []
        self.begin.wait()
        while (n := self.next_request()) is not None:
            elapsed, status, extra = self.one(index, n)
            mine.append(elapsed)
            codes.append(status)
            if extra is not None:
                more.append(extra)
        with self.lock:
            self.latencies.extend(mine)
            self.statuses.extend(codes)
            self.extras.extend(more)


def run_load(
    send: Callable[[int, int], tuple[int | str, object]],
    *,
    clients: int,
    seconds: float,
    max_requests: int = 100_000,
    background: Callable[[threading.Event], None] | None = None,
) -> LoadRun:
    """``clients`` threads calling ``send(client, n)`` back to back until ``seconds`` pass or ``max_requests``
    are sent in all; each call returns (status, extra). A client-side error (timeout, refused) is a failed
    request timed as such. ``background(stop)`` runs beside them (e.g. writes at a steady rate)."""
    state = _Clients(send, clients, max_requests)
    threads = [threading.Thread(target=state.client, args=(index,)) for index in range(clients)]
    if background:
        threads.append(threading.Thread(target=background, args=(state.stop,)))
    for thread in threads:
        thread.start()
    state.begin.wait()
    started = time.perf_counter()
    while time.perf_counter() - started < seconds and any(thread.is_alive() for thread in threads[:clients]):
        time.sleep(0.05)
    state.stop.set()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    return LoadRun(summarize(state.latencies or [float("nan")], elapsed, state.statuses), state.extras)


def get_load(
    port: int, path: str, clients: list[Client], *, seconds: float, max_requests: int = 100_000, timeout: float = 60
) -> LoadRun:
    """Every client GETting ``path`` back to back (client ``i`` with the credentials ``clients[i]``); a request
    not answered within ``timeout`` seconds counts as failed (TimeoutError)."""

    def send(index: int, n: int):
        return request(port, "GET", path, client=clients[index % len(clients)], timeout=timeout).status, None

    return run_load(send, clients=len(clients), seconds=seconds, max_requests=max_requests)
