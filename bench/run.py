"""``make bench``: the whole app at a province's scale, one report of every figure against its bar (issue 13).

    make bench                       # 3.3 million people, 1,000,000 enrollments (built once, then reused)
    BENCH_PEOPLE=330000 BENCH_ENROLLMENTS=100000 make bench      # a smaller world
    .venv/bin/python -m bench.run --help
    DATABASE_URL=postgres://…/COPY .venv/bin/python -m bench.run --only post,list-page   # some paths, a database as is

On the PostgreSQL server of ``DATABASE_URL`` it works in a scratch database ``<name>_bench``, which it
builds the first time (``migrate``, ``seed_demo --force`` with a tenth of the demo's enrollments, then
``generate_scale_data`` with the sizes asked) and reuses while the sizes asked stay the same (``--fresh``
rebuilds it). It serves the app
with gunicorn (3 sync workers, DEBUG off) against it and Redis ``BENCH_REDIS_URL`` (database 4 by
default), with the app's day at 10/12/2025 (week 5). From this process, over the loopback, 20 client
threads then load each path in turn for ``--seconds`` (at most ``--max-requests`` requests a path):

- the health endpoint, the reference every latency bar is a multiple of;
- recording enrollments through the API (20 officers, each with a bearer token), then household
  bundles; afterwards every answer is checked against the database by uuid ("nothing lost");
- the dashboard pages, the progress API, the provincial and officer enrollment lists (page and API),
  the live standings, each beside its main query timed as raw SQL.

Then, without the server: a week's and the final rankings against their GROUP BY in raw SQL, a
coverage snapshot, the Excel imports and exports against django-import-export (bench/bench_excel.py),
and the peak memory of a gunicorn worker and of a Celery worker. The report is printed and written to
``bench/results/<timestamp>.md``. Not a test: it measures.
"""

import argparse
import itertools
import json
import os
import random
import subprocess
import sys
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, date, datetime
from pathlib import Path

from bench import common, report
from bench.report import Outcome, Row

CAMPAIGN, TODAY, RANKING_DAY = "TN-CAODIEM-2025", "2025-12-10", "2025-12-20"
CLIENTS = 20
DEFAULT_PEOPLE, DEFAULT_ENROLLMENTS, DEFAULT_AGENCIES, DEFAULT_COLLECTORS = 3_300_000, 1_000_000, 300, 3_000
PROVINCIAL, OFFICER_PREFIX, PASSWORD = "bench_provincial", "bench_officer_", "bench-password-2025"
RESULTS = common.ROOT / "bench" / "results"
ALONE_LIMIT_S = 5  # a path slower than this alone is not loaded: 20 clients would only pile up timeouts
REFUSED_EVERY = 25  # one write in 25 carries a CCCD that does not match its birth date: a 4xx with a reason
# The demo's own enrollments, about 2,000 instead of 20,000, under the million generate_scale_data adds: its
# campaign, communes, users and award rules are what the world needs, and the full demo took 3 minutes.
DEMO_ENROLLMENT_SCALE = 0.1


# --- The world ----------------------------------------------------------------------------------


def sizes_of(args) -> dict:
    return {
        "people": args.people,
        "enrollments": args.enrollments,
        "agencies": args.agencies,
        "collectors": args.collectors,
    }


def build(env: dict, sizes: dict) -> str:
    """Build the world unless the scratch database already holds the one asked; what the data is."""
    from django.core.management import call_command, get_commands
    from django.db import connection

    call_command("migrate", verbosity=0)
    call_command("collectstatic", interactive=False, verbosity=0)  # DEBUG off serves the manifest's files
    with connection.cursor() as cursor:
        cursor.execute("CREATE TABLE IF NOT EXISTS bench_build (sizes jsonb NOT NULL, built_at timestamptz NOT NULL)")
        cursor.execute("SELECT sizes FROM bench_build ORDER BY built_at DESC LIMIT 1")
        found = cursor.fetchone()
    if found and (json.loads(found[0]) if isinstance(found[0], str) else found[0]) == sizes:
        return "reused"
    if found:
        sys.exit("The scratch database holds another size; run again with --fresh to rebuild it.")
    started = time.perf_counter()
    print("Building the world (once; reused while the sizes stay the same)...", flush=True)
    keep_schema_template(env)
    common.manage(env, "seed_demo", "--force", f"--enrollment-scale={DEMO_ENROLLMENT_SCALE}")
    if "generate_scale_data" in get_commands():
        arguments = [f"--{name}={value}" for name, value in sizes.items()]
        # --fresh: a build that stopped half way left scale data behind, which is replaced rather than refused.
        common.manage(env, "generate_scale_data", *arguments, f"--campaign={CAMPAIGN}", "--fresh")
        how = "seed_demo + generate_scale_data"
    else:
        how = "seed_demo only (generate_scale_data is not in this tree yet)"
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
        cursor.execute("INSERT INTO bench_build VALUES (%s, now())", [json.dumps(sizes)])
    print(f"  built in {time.perf_counter() - started:.0f} s: {how}", flush=True)
    return f"built in {time.perf_counter() - started:.0f} s ({how})"


def keep_schema_template(env: dict) -> None:
    """While the scratch database is freshly migrated and empty, a copy of it for bench_excel's own database."""
    from django.db import connection

    from campaign.models import Campaign

    if Campaign.objects.exists():  # a build that stopped half way: not empty any more
        return
    connection.close()  # a database is copied only while nobody is connected to it
    common.save_schema_template(env["DATABASE_URL"])


def make_users() -> dict:
    """A provincial user and 20 officers of the 20 busiest agencies, each with a fresh API token."""
    from django.contrib.auth import get_user_model
    from django.db.models import Count

    from campaign.models import Campaign
    from collectors.models import Collector
    from collectors.roles import Role, sync_role_groups
    from collectors.services import post_to_province
    from collectors.tokens import issue_api_token

    groups = sync_role_groups()
    users = get_user_model().objects

    def user(username: str, role: Role):
        account, created = users.get_or_create(username=username)
        if created:
            account.set_password(PASSWORD)
            account.save()
        account.groups.set([groups[role]])
        return account

    # Provincial staff see the province they are posted to.
    post_to_province(user=user(PROVINCIAL, Role.PROVINCIAL), province=Campaign.objects.get(code=CAMPAIGN).province)
    officers = []
    linked = {c.user.username: c for c in Collector.objects.filter(user__username__startswith=OFFICER_PREFIX)}
    busiest = list(
        Collector.objects.filter(active=True, agency__active=True, user__isnull=True)
        .values("agency_id")
        .annotate(n=Count("enrollments"))
        .order_by("-n", "agency_id")
        .values_list("agency_id", flat=True)[:CLIENTS]
    )
    for index in range(CLIENTS):
        username = f"{OFFICER_PREFIX}{index:02d}"
        account = user(username, Role.OFFICER)
        collector = linked.get(username)
        if collector is None:
            agency = busiest[index % len(busiest)]
            collector = Collector.objects.filter(agency_id=agency, user__isnull=True, active=True).first()
            collector.user = account
            collector.save(update_fields=["user"])
        _, token = issue_api_token(user=account, name="make bench")
        officers.append({"username": username, "token": token, "agency": collector.agency_id})
    return {"officers": officers}


def bench_prefix() -> str:
    """The first six digits of this run's CCCDs (a country code and a birth year no stored person has)."""
    from enrollments.models import Participant

    rng = random.Random()
    for _ in range(1000):
        prefix = f"{rng.randrange(101, 296):03d}0{rng.randrange(50, 100):02d}"
        if not Participant.objects.filter(cccd__startswith=prefix).exists():
            return prefix
    sys.exit("no free CCCD prefix for the benchmark's people")


class Writes:
    """The bodies of enrollments and household bundles sent under load, each person new."""

    def __init__(self, prefix: str, communes: list[str]):
        self.prefix, self.communes, self.serials = prefix, communes, itertools.count(1)

    def person(self, n: int, *, refused: bool = False) -> dict:
        serial = next(self.serials)  # atomic under the GIL: each client thread gets its own numbers
        year = int(self.prefix[4:6])
        # The CCCD's 4th digit says born in the 1900s and male; a refused one is born in 2005 instead.
        born = f"{2005 if refused else 1900 + year}-03-02"
        return {
            "cccd": f"{self.prefix}{serial:06d}",
            "full_name": f"Người đo {serial}",
            "date_of_birth": born,
            "sex": "male",
            "commune_code": self.communes[n % len(self.communes)],
            "target_group": "farmer",
        }

    def enrollment(self, n: int) -> dict:
        body = {
            "campaign": CAMPAIGN,
            "uuid": str(uuid.uuid4()),
            "participant": self.person(n, refused=n % REFUSED_EVERY == REFUSED_EVERY - 1),
            "months": 12,
            "channel": "market",
        }
        if n % 10 < 7:
            body["product"] = "bhyt_hgd"
        else:
            body |= {"product": "bhxh_tn", "income": 1_500_000 + (n % 5) * 500_000, "support_group": "other"}
        return body

    def household(self, n: int, members: int = 3) -> dict:
        bundle_members = []
        for _ in range(members):
            bundle_members.append(
                {"uuid": str(uuid.uuid4()), "participant": self.person(n), "product": "bhyt_hgd", "months": 12}
            )
        return {"campaign": CAMPAIGN, "uuid": str(uuid.uuid4()), "members": bundle_members}


def reason_of(answer: common.Answer) -> str:
    try:
        body = answer.json()
    except ValueError:
        return ""
    return str(body.get("detail") or body.get("errors") or "") if isinstance(body, dict) else ""


def write_load(port: int, path: str, tokens: list[str], make_body, uuids_of, *, seconds: float, limit: int):
    clients = [common.Client(token=token) for token in tokens]

    def send(index: int, n: int):
        body = make_body(n)
        try:
            answer = common.request(port, "POST", path, client=clients[index], payload=body, timeout=60)
        except OSError as exc:  # no answer (a timeout): an outcome too, which the check counts as lost
            return type(exc).__name__, Outcome(uuids_of(body), type(exc).__name__)
        reason = "" if answer.status < 300 else reason_of(answer)
        return answer.status, Outcome(uuids_of(body), answer.status, reason)

    return common.run_load(send, clients=len(clients), seconds=seconds, max_requests=limit)


def stored_counts(outcomes: list[Outcome]) -> dict[str, int]:
    from django.db.models import Count

    from enrollments.models import Enrollment

    uuids = [value for outcome in outcomes for value in outcome.uuids]
    counts = {}
    for start in range(0, len(uuids), 5000):
        rows = (
            Enrollment.objects.filter(uuid__in=uuids[start : start + 5000])
            .values("uuid")
            .annotate(n=Count("id"))
            .values_list("uuid", "n")
        )
        counts.update({str(key): n for key, n in rows})
    return counts


# --- Reads ------------------------------------------------------------------------------------------


def list_sql(username: str) -> tuple[str, tuple]:
    """The SQL of the first page (25 rows) of ``username``'s enrollment list, as the ORM writes it."""
    from django.contrib.auth import get_user_model

    from enrollments.selectors import enrollments_for

    user = get_user_model().objects.get(username=username)
    return enrollments_for(user, filters={"campaign": CAMPAIGN})[:25].query.sql_with_params()


def week_number() -> int:
    """The campaign week of the app's day."""
    from campaign.models import Campaign

    today = date.fromisoformat(TODAY)
    week = Campaign.objects.get(code=CAMPAIGN).weeks.filter(start_date__lte=today, end_date__gte=today).first()
    return week.number if week else 1


# ``--only`` names paths by these keys; the health endpoint (the reference) is always measured.
WRITE_KEYS = {"post": "enrollment POST", "household": "household POST (3 members)"}
READ_KEYS = {
    "overview": "provincial dashboard (overview)",
    "progress": "progress API",
    "agency": "officer's agency dashboard",
    "list-page": "provincial enrollment list (page)",
    "list-api": "provincial enrollment list (API)",
    "officer-page": "officer's enrollment list (page)",
    "officer-api": "officer's enrollment list (API)",
    "live": "live standings (page)",
    "rankings-api": "provisional rankings (API)",
}


def only_keys(text: str | None) -> set[str] | None:
    """The paths ``--only`` names (comma-separated keys), or None for every path; an unknown key stops the run."""
    if text is None:
        return None
    keys = {key.strip() for key in text.split(",") if key.strip()}
    unknown = keys - set(WRITE_KEYS) - set(READ_KEYS)
    if unknown or not keys:
        sys.exit(
            f"--only: unknown path {', '.join(sorted(unknown)) or '(none)'}; choose from "
            f"{', '.join([*WRITE_KEYS, *READ_KEYS])}"
        )
    return keys


def reads(officer: str) -> list[tuple[str, str, str, str]]:
    """(label, path, who, raw SQL reference key) of every read loaded."""
    progress = f"/api/v1/campaigns/{CAMPAIGN}/progress"
    rankings = f"/api/v1/campaigns/{CAMPAIGN}/rankings?week={week_number()}&provisional=true"
    return [
        ("provincial dashboard (overview)", "/overview/", "provincial", "added_by_commune"),
        ("progress API", progress, "provincial", "added_by_commune"),
        ("officer's agency dashboard", "/my-agency/", "officer", "rankings_week"),
        ("provincial enrollment list (page)", "/enrollments/", "provincial", "list_provincial"),
        (
            "provincial enrollment list (API)",
            f"/api/v1/enrollments?campaign={CAMPAIGN}&limit=25",
            "provincial",
            "list_provincial",
        ),
        ("officer's enrollment list (page)", "/enrollments/", "officer", "list_officer"),
        (
            "officer's enrollment list (API)",
            f"/api/v1/enrollments?campaign={CAMPAIGN}&limit=25",
            "officer",
            "list_officer",
        ),
        ("live standings (page)", "/rankings/live/", "provincial", "rankings_week"),
        ("provisional rankings (API)", rankings, "provincial", "rankings_week"),
    ]


def sql_references(officer: str, wanted: set[str]) -> dict[str, tuple[float, float, int]]:
    from campaign.models import Campaign

    campaign = Campaign.objects.get(code=CAMPAIGN)
    today = date.fromisoformat(TODAY)
    week = campaign.weeks.filter(start_date__lte=today, end_date__gte=today).first()
    if week is not None:
        week.campaign = campaign
    from bench import queries

    references = {
        # Seconds a run at full size: the median of 3 (after the warming one) rather than of 7.
        "added_by_commune": lambda: common.time_sql(
            queries.ADDED_BY_COMMUNE, queries.added_by_commune_params(campaign, today), runs=3
        ),
        "rankings_week": lambda: common.time_sql(queries.RANKINGS, queries.rankings_params(campaign, week)),
        "list_provincial": lambda: common.time_sql(*list_sql(PROVINCIAL)),
        "list_officer": lambda: common.time_sql(*list_sql(officer)),
    }
    return {key: timed() for key, timed in references.items() if key in wanted}


# --- Steps in a process of their own (rankings after the campaign's end; memory of a worker) ----------


def step_rankings() -> dict:
    from awards.models import Ranking, RankingEntry
    from awards.services import compute_rankings
    from bench import queries
    from campaign.models import Campaign
    from dashboard.progress.snapshots import compute_progress

    campaign = Campaign.objects.select_related("province").get(code=CAMPAIGN)
    week = campaign.weeks.order_by("-number").exclude(rankings__status=Ranking.Status.PUBLISHED).first()
    week = week or campaign.weeks.order_by("-number").first()
    week.campaign = campaign
    results = {"week": week.number}

    def clear(week_filter) -> None:
        drafts = Ranking.objects.filter(rule__campaign=campaign, status=Ranking.Status.DRAFT, **week_filter)
        RankingEntry.objects.filter(ranking__in=drafts).delete()
        drafts.delete()

    for key, week_filter, call, params in (
        (
            "week",
            {"week": week},
            lambda: compute_rankings(campaign=campaign, week_number=week.number),
            queries.rankings_params(campaign, week),
        ),
        (
            "final",
            {"week__isnull": True},
            lambda: compute_rankings(campaign=campaign, final=True),
            queries.rankings_params(campaign, None),
        ),
    ):
        computed = call()
        results[f"{key}_outcomes"] = sorted({getattr(c, "outcome", "?") for c in computed})
        times = common.time_call(call, runs=3, before=lambda wf=week_filter: clear(wf))
        results[f"{key}_s"] = sorted(times)[len(times) // 2]
        median, _, rows = common.time_sql(queries.RANKINGS, params, runs=3)
        results[f"{key}_sql_s"], results[f"{key}_groups"] = median, rows
    day = date.fromisoformat(TODAY)
    times = common.time_call(lambda: compute_progress(campaign=campaign, day=day), runs=3)
    results["snapshot_s"] = sorted(times)[len(times) // 2]
    return results


def run_step(env: dict, step: str) -> dict:
    done = subprocess.run(
        [sys.executable, "-m", "bench.run", "--step", step],
        env={**os.environ, **env},
        cwd=common.ROOT,
        capture_output=True,
        text=True,
    )
    if done.returncode:
        return {"error": (done.stderr or done.stdout).strip().splitlines()[-1:] or ["failed"]}
    return json.loads(done.stdout.strip().splitlines()[-1])


# django-import-export's rate on the prior-coverage file is measured on its first 20,000 rows: the same rate
# (it goes in bulk batches of 5,000) in a fifth of the time; the whole file took it 3-5 minutes of the run.
EXCEL_REFERENCE_ROWS = 20_000


def excel_figures(url: str) -> dict:
    """bench/bench_excel.py's steps, run as it runs them (its own scratch database), as JSON."""
    done = subprocess.run(
        [sys.executable, "-m", "bench.bench_excel", "--json", f"--reference-rows={EXCEL_REFERENCE_ROWS}"],
        env={**os.environ, "DATABASE_URL": url},
        cwd=common.ROOT,
        capture_output=True,
        text=True,
    )
    if done.returncode:
        return {"error": " ".join((done.stderr or done.stdout).strip().splitlines()[-2:]) or "failed"}
    return json.loads(done.stdout.strip().splitlines()[-1])


def worker_memory(env: dict) -> dict:
    """Start a Celery worker (solo pool), have it compute a snapshot and a week's rankings, read its VmHWM."""
    celery = Path(sys.executable).with_name("celery")
    command = [str(celery), "-A", "config", "worker", "--pool", "solo", "--loglevel", "WARNING"]
    command += ["--without-gossip", "--without-mingle", "--without-heartbeat"]
    worker = subprocess.Popen(command, cwd=common.ROOT, env={**os.environ, **env}, start_new_session=True)
    try:
        from awards.models import Ranking
        from awards.tasks import compute_week_rankings
        from campaign.models import Campaign
        from dashboard.tasks import compute_campaign_progress

        campaign = Campaign.objects.get(code=CAMPAIGN)
        week = campaign.weeks.order_by("-number").exclude(rankings__status=Ranking.Status.PUBLISHED).first()
        started = time.perf_counter()
        compute_campaign_progress.delay(campaign.pk, TODAY).get(timeout=600)
        compute_week_rankings.delay(campaign.pk, week.number).get(timeout=600)
        return {"worker_mb": common.peak_memory_mb(worker.pid), "tasks_s": time.perf_counter() - started}
    except Exception as exc:  # the report says what failed rather than losing every other figure
        return {"error": f"{type(exc).__name__}: {exc}"}
    finally:
        common.stop_process(worker)


# --- The report ----------------------------------------------------------------------------------------


def ms(value: float) -> str:
    return report.number(value, "ms")


def write_rows(name: str, run, health, check, *, unit_name: str) -> list[Row]:
    lat = run.latency
    accepted_rate = check.accepted / lat.seconds if lat.seconds else 0
    health_ref = f"health {report.number(health.rate, '/s')}"
    rows = [
        report.shown(f"{name}: p50", ms(lat.p50), f"health p50 {ms(health.p50)}"),
        report.at_most(
            f"{name}: p95", lat.p95, 3 * health.p95, "ms", bar="≤ 3× health p95", reference=f"health {ms(health.p95)}"
        ),
        report.at_least(
            f"{name}: {unit_name}/s, {CLIENTS} clients",
            accepted_rate,
            0.6 * health.rate,
            "/s",
            bar="≥ 60% of health's rate",
            reference=health_ref,
        ),
    ]
    statuses = ", ".join(f"{status}: {count}" for status, count in lat.statuses.items())
    rows.append(
        Row(
            f"{name}: nothing lost",
            f"{check.accepted} recorded, {check.refused} refused, {check.server_errors} 5xx/no answer",
            statuses,
            "each 2xx stored once, each refusal a 4xx with a reason, no 5xx",
            check.ok,
            "; ".join(check.problems),
        )
    )
    return rows


def alone(port: int, path: str, client: common.Client) -> tuple[int | str, float]:
    """(status, ms) of one request with nothing else on the server."""
    started = time.perf_counter()
    try:
        status = common.request(port, "GET", path, client=client, timeout=ALONE_LIMIT_S * 12).status
    except OSError as exc:
        status = type(exc).__name__
    return status, (time.perf_counter() - started) * 1000


def load_read(port: int, path: str, clients: list[common.Client], *, seconds: float, limit: int) -> dict:
    """One request alone with the caches cold, one warm, then (if the warm one is fast enough) the load run."""
    status, cold = alone(port, path, clients[0])
    times = [cold]
    if status == 200:
        status, warm = alone(port, path, clients[0])
        times.append(warm)
    which = "(cold / warm)" if len(times) == 2 else "(cold)"
    outcome = {"status": status, "alone": "alone " + " / ".join(ms(t) for t in times) + f" {which}"}
    if status == 200 and times[-1] <= ALONE_LIMIT_S * 1000:
        outcome["run"] = common.get_load(port, path, clients, seconds=seconds, max_requests=limit)
    return outcome


def read_rows(label: str, outcome, health, sql) -> list[Row]:
    sql_ref = f"raw SQL {ms(sql[0] * 1000)}; {outcome['alone']}" if sql else outcome["alone"]
    if "run" not in outcome:
        return [
            report.missed(
                f"{label}: p95",
                f"not loaded: {outcome['alone']}, status {outcome['status']} (limit {ALONE_LIMIT_S} s warm)",
                f"≤ 3× health p95 ({ms(3 * health.p95)})",
            )
        ]
    lat = outcome["run"].latency
    failures = lat.failures()
    rows = [
        report.shown(f"{label}: p50", ms(lat.p50), sql_ref),
        report.at_most(
            f"{label}: p95", lat.p95, 3 * health.p95, "ms", bar="≤ 3× health p95", reference=f"health {ms(health.p95)}"
        ),
    ]
    if failures:
        rows.append(
            Row(
                f"{label}: answers",
                f"{failures} not 200 of {lat.requests}",
                "",
                "all 200",
                False,
                ", ".join(f"{k}: {v}" for k, v in lat.statuses.items()),
            )
        )
    return rows


def offline_rows(ranked: dict, excel: dict | None, memory: dict, web_mb: float) -> list[Row]:
    rows = []
    if "error" in ranked:
        rows.append(report.missed("rankings and snapshot", str(ranked["error"])))
    else:
        for key, label in (("week", f"week {ranked['week']}'s rankings"), ("final", "final rankings")):
            seconds, sql = ranked[f"{key}_s"], ranked[f"{key}_sql_s"]
            reference = f"raw SQL {ms(sql * 1000)} ({ranked[f'{key}_groups']:,} groups)"
            rows.append(
                report.below(
                    f"{label} (compute_rankings)", seconds * 1000, 1000, "ms", bar="under 1 s", reference=reference
                )
            )
            rows.append(
                report.at_most(
                    f"{label}: × raw SQL", report.ratio(seconds, sql), 3, "×", bar="≤ 3× raw SQL", reference=reference
                )
            )
        rows.append(
            report.below(
                "coverage snapshot (compute_progress, one day)",
                ranked["snapshot_s"] * 1000,
                2000,
                "ms",
                bar="under 2 s",
            )
        )
    if excel is not None:
        rows += excel_rows(excel)
    rows.append(report.shown("peak memory, gunicorn worker (VmHWM, largest of 3)", report.number(web_mb, "MB")))
    if "error" in memory:
        rows.append(report.missed("peak memory, Celery worker", memory["error"]))
    else:
        rows.append(
            report.shown(
                "peak memory, Celery worker (VmHWM: a snapshot, then a week's rankings)",
                report.number(memory["worker_mb"], "MB"),
            )
        )
    return rows


def excel_rows(excel: dict) -> list[Row]:
    if "error" in excel:
        return [report.missed("Excel imports and exports", excel["error"])]
    base = excel["baseline"]["peak_mb"]

    def rate(step: str) -> float:
        return excel[step]["rows"] / excel[step]["seconds"]

    def measured(step: str) -> str:
        r = excel[step]
        return f"{r['seconds']:.2f} s, {r['rows']:,} rows, {rate(step):,.0f} rows/s, {r['peak_mb']:.0f} MB"

    theirs = f"django-import-export {measured('prior_import_export')}"
    return [
        report.below(
            "Excel: prior coverage import, ours",
            excel["prior_ours"]["seconds"],
            3,
            "s",
            bar="under 3 s",
            reference=theirs,
        ),
        report.at_least(
            "Excel: prior coverage import, × django-import-export's rate",
            report.ratio(rate("prior_ours"), rate("prior_import_export")),
            4,
            "×",
            bar="at least 4×",
            reference=theirs,
        ),
        report.shown("Excel: the same file again (nothing changes)", measured("prior_ours_again")),
        report.shown("Excel: weekly quotas import, ours", measured("quotas_ours")),
        report.below(
            "Excel: enrollments export, ours (31 columns)",
            excel["export_ours"]["seconds"],
            10,
            "s",
            bar="under 10 s",
            reference=measured("export_ours"),
        ),
        report.shown("Excel: peak memory of a process with Django alone", report.number(base, "MB")),
    ]


# --- The run ---------------------------------------------------------------------------------------


def measure(args, env: dict, port: int) -> tuple[list[Row], list[str]]:
    from django.core.cache import cache

    from campaign.models import Commune
    from enrollments.models import Enrollment, Participant

    cache.clear()  # the bench's own Redis database: figures cached by an earlier run are not today's
    wanted = only_keys(args.only)
    writes_run = [key for key in WRITE_KEYS if wanted is None or key in wanted]
    chosen = {label for key, label in READ_KEYS.items() if wanted is None or key in wanted}
    read_paths = [read for read in reads(OFFICER_PREFIX) if read[0] in chosen]
    users = make_users()
    officers = users["officers"]
    tokens = [officer["token"] for officer in officers]
    communes = list(Commune.objects.order_by("code").values_list("code", flat=True))
    writes = Writes(bench_prefix(), communes)
    print("Retention stored as the worker's round would...", flush=True)
    retention_s = common.store_retention(CAMPAIGN, TODAY)
    notes = [
        f"data: {Participant.objects.count():,} people, {Enrollment.objects.count():,} enrollments before the run "
        f"(asked: {args.people:,} people, {args.enrollments:,} enrollments, {args.agencies} agencies, "
        f"{args.collectors:,} officers); app day {TODAY}",
    ]
    print(notes[0], flush=True)
    # The refusals the run provokes show on stderr as Django's "Unprocessable Entity" warnings.
    server = common.start_server(env, port)
    web_mb = 0.0
    try:
        # Logging in hashes the password (about 1 s of CPU on this machine): 5 provincial sessions shared by
        # the 20 clients, and each officer's own, logged in side by side.
        with ThreadPoolExecutor(max_workers=4) as pool:
            provincial = list(pool.map(lambda _: common.log_in(port, PROVINCIAL, PASSWORD), range(5)))
            officer_sessions = list(pool.map(lambda o: common.log_in(port, o["username"], PASSWORD), officers))
        provincial = [provincial[index % len(provincial)] for index in range(CLIENTS)]
        sessions = {"provincial": provincial, "officer": officer_sessions}
        seconds, limit = args.seconds, args.max_requests

        def loud(label: str, run) -> None:
            lat = run.latency
            print(
                f"  {label}: p50 {lat.p50:.0f} ms, p95 {lat.p95:.0f} ms, {lat.rate:.1f}/s, {dict(lat.statuses)}",
                flush=True,
            )

        for _ in range(3):
            common.request(port, "GET", "/api/v1/health")
        health = common.get_load(
            port, "/api/v1/health", [common.Client()] * CLIENTS, seconds=seconds, max_requests=limit
        ).latency
        loud("health", common.LoadRun(health, []))
        write_paths = {
            "post": ("/api/v1/enrollments", writes.enrollment, lambda b: (b["uuid"],)),
            "household": ("/api/v1/households", writes.household, lambda b: tuple(m["uuid"] for m in b["members"])),
        }
        write_runs = {}
        for key in writes_run:
            path, body, uuids_of = write_paths[key]
            write_runs[key] = write_load(port, path, tokens, body, uuids_of, seconds=seconds, limit=limit)
            loud(WRITE_KEYS[key], write_runs[key])
        read_outcomes = {}
        for label, path, who, _ in read_paths:
            read_outcomes[label] = load_read(port, path, sessions[who], seconds=seconds, limit=limit)
            outcome = read_outcomes[label]
            if "run" in outcome:
                loud(label, outcome["run"])
            else:
                print(f"  {label}: {outcome['alone']}, status {outcome['status']}: not loaded", flush=True)
        web_mb = max((common.peak_memory_mb(pid) for pid in common.children(server.pid)), default=0.0)
    finally:
        common.stop_server(server)
    checks = {key: report.check_nothing_lost(run.extras, stored_counts(run.extras)) for key, run in write_runs.items()}
    print("Raw SQL references...", flush=True)
    references = sql_references(officers[0]["username"], {key for *_, key in read_paths})
    rows = [
        report.shown(
            "health endpoint: p50 / p95",
            f"{ms(health.p50)} / {ms(health.p95)}",
            f"{report.number(health.rate, '/s')}, {health.requests:,} requests",
        ),
        report.shown("retention stored (the worker's round: the campaign so far and week)", ms(retention_s * 1000)),
    ]
    units = {"post": "enrollments", "household": "households"}
    for key, run in write_runs.items():
        rows += write_rows(WRITE_KEYS[key], run, health, checks[key], unit_name=units[key])
    for label, _, _, key in read_paths:
        rows += read_rows(label, read_outcomes[label], health, references.get(key))
    if wanted is not None:
        rows.append(report.shown("peak memory, gunicorn worker (VmHWM, largest of 3)", report.number(web_mb, "MB")))
        notes.append(f"--only {args.only}: the other paths, the rankings, the snapshot and Excel were not run")
        return rows, notes
    print("Rankings and snapshot (a process of its own, app day after the campaign)...", flush=True)
    ranked = run_step({**env, "APP_TODAY": RANKING_DAY}, "rankings")
    excel = None
    if not args.skip_excel:
        print("Excel imports and exports (bench/bench_excel.py, a scratch database of its own)...", flush=True)
        excel = excel_figures(args.database_url)
    print("Peak memory of a Celery worker...", flush=True)
    memory = worker_memory({**env, "APP_TODAY": RANKING_DAY})
    rows += offline_rows(ranked, excel, memory, web_mb)
    notes.append(
        f"{CLIENTS} concurrent clients from one process on the loopback, {seconds:.0f} s (at most {limit:,} "
        f"requests) a path; gunicorn {common.WORKERS} sync workers, DEBUG off; PostgreSQL; Redis "
        f"{env.get('REDIS_URL', '')}"
    )
    notes.append(
        f"each write run sends one body in {REFUSED_EVERY} with a CCCD that contradicts its birth date "
        "(a refusal the checker expects as a 4xx with a reason)"
    )
    return rows, notes


def step_main(step: str) -> None:
    common.setup_django(dict(os.environ))
    print(json.dumps({"rankings": step_rankings}[step]()))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=int(os.environ.get("BENCH_PEOPLE", DEFAULT_PEOPLE)))
    parser.add_argument(
        "--enrollments", type=int, default=int(os.environ.get("BENCH_ENROLLMENTS", DEFAULT_ENROLLMENTS))
    )
    parser.add_argument("--agencies", type=int, default=int(os.environ.get("BENCH_AGENCIES", DEFAULT_AGENCIES)))
    parser.add_argument("--collectors", type=int, default=int(os.environ.get("BENCH_COLLECTORS", DEFAULT_COLLECTORS)))
    parser.add_argument("--seconds", type=float, default=float(os.environ.get("BENCH_SECONDS", 15)))
    parser.add_argument("--max-requests", type=int, default=20_000, help="per path, however fast it answers")
    parser.add_argument("--port", type=int, default=18732)
    parser.add_argument("--fresh", action="store_true", help="rebuild the scratch database")
    parser.add_argument("--skip-excel", action="store_true", help="leave out bench_excel's figures")
    parser.add_argument("--build-only", action="store_true", help="build (or check) the world, measure nothing")
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL", ""))
    parser.add_argument(
        "--only",
        metavar="PATHS",
        help="measure only these paths (comma-separated: " + ", ".join([*WRITE_KEYS, *READ_KEYS]) + "; the "
        "health endpoint always) against the database of DATABASE_URL itself, as it is (no scratch database, "
        "no build; migrate it first), without the rankings, snapshot, Excel and Celery steps",
    )
    parser.add_argument(
        "--in-place",
        action="store_true",
        help="every figure, measured on DATABASE_URL's database itself (a copy of a built world), not <name>_bench",
    )
    parser.add_argument("--step", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.step:
        step_main(args.step)
        return
    started = time.perf_counter()
    args.database_url = common.database_url(args.database_url)
    if args.only is not None or args.in_place:
        only_keys(args.only)  # an unknown path stops the run before anything starts
        scratch = args.database_url
    else:
        scratch = common.prepare_database(args.database_url, "bench", fresh=args.fresh)
    env = common.app_env(scratch, today=TODAY, redis_url=os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/4"))
    common.setup_django(env)
    if args.only is not None:
        from django.core.management import call_command

        call_command("collectstatic", interactive=False, verbosity=0)  # DEBUG off serves the manifest's files
        built = f"the database of DATABASE_URL as it is ({common.scratch_url(scratch, '')[1]})"
    else:
        built = build(env, sizes_of(args))
    if args.build_only:
        print(f"World {built}.")
        return
    rows, notes = measure(args, env, args.port)
    load = " / ".join(f"{value:.1f}" for value in os.getloadavg())
    stamp = datetime.now(UTC)
    notes.insert(1, f"world: {built}; whole run {time.perf_counter() - started:.0f} s; load average {load}")
    notes.insert(0, f"{stamp:%Y-%m-%d %H:%M %Z}, {os.cpu_count()} CPUs, Python {sys.version.split()[0]}")
    text = report.render(rows, title="make bench", notes=notes)
    RESULTS.mkdir(exist_ok=True)
    path = RESULTS / f"{stamp:%Y%m%d-%H%M%S}.md"
    path.write_text(text, encoding="utf-8")
    print("\n" + text)
    print(f"Written to {path.relative_to(common.ROOT)}.")


if __name__ == "__main__":
    main()
