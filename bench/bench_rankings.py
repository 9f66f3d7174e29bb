"""How long a week's rankings take over 1,000,000 enrollments, next to the bare GROUP BY in SQL.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bhxh .venv/bin/python bench/bench_rankings.py

Works in a scratch database of its own (``<name>_bench_rankings`` on the same server), created and
filled on the first run (1,000,000 enrollments, 300 agencies, 3,000 officers, by INSERT ... SELECT
generate_series: about a minute) and reused afterwards; ``--fresh`` rebuilds it, ``--drop`` removes it.

It times ``awards.services.compute_rankings`` for week 3, the weekly agency and officer rules of
DOMAIN.md with their entries stored (each run starts from no draft, so every run writes its 3,300
entries), and the same GROUP BY run as raw SQL on the same connection. Bars: under 1 s, and within
3x of the raw SQL. Not a test: it prints figures.

``--serve`` times the read side instead, over HTTP: it serves the app with gunicorn (3 sync workers,
DEBUG off, Redis ``BENCH_REDIS_URL``, default redis://127.0.0.1:6379/1) during week 3 and times the
provisional rankings API (its default page, and every entry) and the live standings page for one
client and for ``--clients`` concurrent ones, then lets the cached standings expire under those
clients at once and counts how many recomputed them (GROUP BY scans of the enrollment table).
``--database NAME`` works in NAME instead of ``<name>_bench_rankings``.
"""

import argparse
import http.client
import os
import re
import statistics
import sys
import threading
import time
from pathlib import Path
from urllib.parse import urlencode, urlsplit, urlunsplit

import psycopg

ROOT = Path(__file__).resolve().parent.parent
ENROLLMENTS, AGENCIES, OFFICERS_PER_AGENCY = 1_000_000, 300, 10
WEEK, RUNS = 3, 7


def scratch_url(url: str) -> tuple[str, str, str]:
    """(scratch database URL, its name, the server's maintenance URL)."""
    parts = urlsplit(url)
    if parts.scheme not in ("postgres", "postgresql"):
        sys.exit("DATABASE_URL must be postgres://...: the benchmark measures PostgreSQL.")
    name = f"{parts.path.lstrip('/') or 'bhxh'}_bench_rankings"
    return urlunsplit(parts._replace(path=f"/{name}")), name, urlunsplit(parts._replace(path="/postgres"))


def prepare_database(url: str, *, fresh: bool, drop: bool, name: str = "") -> str:
    scratch, default_name, maintenance = scratch_url(url)
    if name:
        scratch = scratch.replace(f"/{default_name}", f"/{name}")
    name = name or default_name
    with psycopg.connect(maintenance.replace("postgres://", "postgresql://", 1), autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if exists and (fresh or drop):
            conn.execute(f'DROP DATABASE "{name}"')
            exists = None
        if drop:
            print(f"Dropped {name}.")
            sys.exit(0)
        if not exists:
            conn.execute(f'CREATE DATABASE "{name}"')
    return scratch


def setup_django(url: str, redis_url: str = "") -> None:
    os.environ["DATABASE_URL"] = url
    os.environ.pop("REDIS_URL", None)  # no broker needed: the service is timed directly
    if redis_url:
        os.environ["REDIS_URL"] = redis_url
    os.environ.setdefault("SECRET_KEY", "bench-only-secret-key-never-used-for-anything-else-0123456789")
    os.environ["DEBUG"] = "off"  # no query log in the timings
    os.environ["APP_TODAY"] = "2025-12-20"  # after the campaign: every week may be computed
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings"
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def build_world() -> None:
    """The campaign, 300 agencies, 3,000 officers, quotas, 1,000,000 people and their enrollments."""
    from datetime import date
    from decimal import Decimal

    from django.db import connection, transaction

    from awards.models import AwardRule, Metric, Period, Subject
    from campaign.models import BhxhOffice, Campaign, Commune, Province
    from campaign.services import save_campaign
    from collectors.models import CollectionAgency, Collector, WeeklyQuota
    from enrollments.models import Enrollment

    if Enrollment.objects.count() == ENROLLMENTS:
        return
    print(f"Building the world in {connection.settings_dict['NAME']} (once; reused on later runs)...", flush=True)
    started = time.perf_counter()
    with transaction.atomic():
        province, _ = Province.objects.get_or_create(code="80", defaults={"name": "Tây Ninh", "codename": "tay_ninh"})
        office, _ = BhxhOffice.objects.get_or_create(code="BENCH", defaults={"name": "BHXH thử", "province": province})
        commune, _ = Commune.objects.get_or_create(
            code="25480", defaults={"name": "Xã thử", "codename": "xa_thu", "kind": "xa", "province": province}
        )
        campaign = save_campaign(
            campaign=Campaign(
                code="BENCH-2025",
                name="Chiến dịch đo",
                province=province,
                start_date=date(2025, 11, 12),
                end_date=date(2025, 12, 16),
                bhyt_target_pct=Decimal("95"),
                bhxh_target_pct=Decimal("45"),
                target_date=date(2025, 12, 31),
                status=Campaign.Status.ACTIVE,
                award_budget=70_000_000,
            )
        )
        agencies = CollectionAgency.objects.bulk_create(
            CollectionAgency(code=f"AG-{n:03d}", name=f"Đơn vị {n}", kind="post_office", office=office)
            for n in range(AGENCIES)
        )
        Collector.objects.bulk_create(
            Collector(code=f"{agency.code}-{k:02d}", name=f"Cán bộ {agency.code}-{k:02d}", agency=agency)
            for agency in agencies
            for k in range(OFFICERS_PER_AGENCY)
        )
        WeeklyQuota.objects.bulk_create(
            WeeklyQuota(week=week, agency=agency, product=product, count=count)
            for week in campaign.weeks.all()
            for agency in agencies
            for product, count in (("bhxh_tn", 150), ("bhyt_hgd", 500))
        )
        AwardRule.objects.create(
            campaign=campaign,
            code="tuan-tap-the",
            name="Giải tập thể tuần",
            period=Period.WEEKLY,
            subject=Subject.AGENCY,
            metric=Metric.ATTAINMENT,
            threshold=Decimal("100"),
            prizes=[3_000_000, 2_000_000, 1_000_000],
        )
        AwardRule.objects.create(
            campaign=campaign,
            code="tuan-ca-nhan",
            name="Giải cá nhân tuần",
            period=Period.WEEKLY,
            subject=Subject.COLLECTOR,
            metric=Metric.POINTS,
            bhxh_tn_weight=Decimal("3"),
            threshold=Decimal("10"),
            prizes=[1_000_000, 700_000, 500_000, 300_000, 300_000],
        )
        with connection.cursor() as cursor:
            cursor.execute("SELECT setseed(0.2025)")
            cursor.execute(
                """
                INSERT INTO enrollments_participant (uuid, cccd, bhxh_code, full_name, date_of_birth, sex, phone,
                    commune_id, target_group, is_demo, created_at, updated_at)
                SELECT gen_random_uuid(), '0720' || lpad(i::text, 8, '0'), '', 'Người thử ' || i, DATE '1985-03-02',
                    'male', '', %s, 'farmer', false, now(), now()
                FROM generate_series(1, %s) AS i
                """,
                [commune.pk, ENROLLMENTS],
            )
            # Officers are not equally busy (a skewed pick), products 30/70, kinds 55/22/23, 3% typed in late.
            cursor.execute(
                """
                WITH people AS (
                    SELECT p.id AS participant_id, row_number() OVER (ORDER BY p.id) AS n,
                           random() AS r_officer, random() AS r_product, random() AS r_kind, random() AS r_late,
                           random() AS r_cancel, (random() * 600)::int AS minute
                    FROM enrollments_participant p
                ),
                officers AS (
                    SELECT c.id, c.agency_id, row_number() OVER (ORDER BY c.id) - 1 AS k FROM collectors_collector c
                ),
                picked AS (
                    SELECT people.*, (%(start)s::date + ((n - 1) %% 35)::int) AS collected_on,
                           floor(power(r_officer, 1.3) * %(officers)s)::int AS k,
                           CASE WHEN r_product < 0.3 THEN 'bhxh_tn' ELSE 'bhyt_hgd' END AS product
                    FROM people
                )
                INSERT INTO enrollments_enrollment (uuid, participant_id, product, campaign_id, week_id, agency_id,
                    collector_id, collected_on, months, coverage_start, coverage_end, income, support_group,
                    member_order, amount_due, state_support, supported_months, amount_payable, receipt_no, channel,
                    classification, status, source, recorded_at, cancel_reason)
                SELECT gen_random_uuid(), picked.participant_id, picked.product, %(campaign)s, w.id, o.agency_id, o.id,
                    picked.collected_on, 12, picked.collected_on + 30, picked.collected_on + 30 + 364,
                    CASE WHEN picked.product = 'bhxh_tn' THEN 1500000 END,
                    CASE WHEN picked.product = 'bhxh_tn' THEN 'other' ELSE '' END,
                    CASE WHEN picked.product = 'bhyt_hgd' THEN 1 END,
                    CASE WHEN picked.product = 'bhxh_tn' THEN 3960000 ELSE 1263600 END,
                    CASE WHEN picked.product = 'bhxh_tn' THEN 792000 ELSE 0 END,
                    CASE WHEN picked.product = 'bhxh_tn' THEN 12 ELSE 0 END,
                    CASE WHEN picked.product = 'bhxh_tn' THEN 3168000 ELSE 1263600 END,
                    '', 'other',
                    CASE WHEN r_kind < 0.55 THEN 'new' WHEN r_kind < 0.77 THEN 'rejoin' ELSE 'renewal' END,
                    CASE WHEN r_cancel < 0.004 THEN 'cancelled' ELSE 'recorded' END,
                    'import',
                    (picked.collected_on + interval '7 hours' + picked.minute * interval '1 minute'
                        + CASE WHEN r_late < 0.03 THEN interval '3 days' ELSE interval '0' END)
                        AT TIME ZONE 'Asia/Ho_Chi_Minh',
                    CASE WHEN r_cancel < 0.004 THEN 'Nhập nhầm' ELSE '' END
                FROM picked
                JOIN officers o ON o.k = picked.k
                JOIN campaign_campaignweek w ON w.campaign_id = %(campaign)s
                    AND picked.collected_on BETWEEN w.start_date AND w.end_date
                """,
                {"start": campaign.start_date, "officers": AGENCIES * OFFICERS_PER_AGENCY, "campaign": campaign.pk},
            )
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE enrollments_enrollment")
        cursor.execute("VACUUM ANALYZE enrollments_participant")
    print(f"  built in {time.perf_counter() - started:.0f} s", flush=True)


RAW_SQL = """
SELECT agency_id, collector_id, product,
       COUNT(id) FILTER (WHERE classification IN ('new', 'rejoin') AND recorded_at < %(cutoff)s),
       SUM(amount_payable) FILTER (WHERE classification IN ('new', 'rejoin') AND recorded_at < %(cutoff)s),
       MAX(recorded_at) FILTER (WHERE classification IN ('new', 'rejoin') AND recorded_at < %(cutoff)s),
       COUNT(id) FILTER (WHERE classification = 'renewal' AND recorded_at < %(cutoff)s),
       SUM(amount_payable) FILTER (WHERE classification = 'renewal' AND recorded_at < %(cutoff)s),
       COUNT(id) FILTER (WHERE classification IN ('new', 'rejoin') AND recorded_at >= %(cutoff)s)
FROM enrollments_enrollment
WHERE campaign_id = %(campaign)s AND week_id = %(week)s AND status = 'recorded'
GROUP BY agency_id, collector_id, product
"""


def measure() -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from awards.models import Ranking, RankingEntry
    from awards.services import compute_rankings
    from campaign.models import Campaign
    from enrollments.models import Enrollment

    campaign = Campaign.objects.get(code="BENCH-2025")
    week = campaign.weeks.get(number=WEEK)
    week.campaign = campaign
    in_week = Enrollment.objects.filter(week=week).count()
    params = {"cutoff": week.cutoff, "campaign": campaign.pk, "week": week.pk}

    def raw() -> int:
        with connection.cursor() as cursor:
            cursor.execute(RAW_SQL, params)
            return len(cursor.fetchall())

    def ours() -> int:
        computed = compute_rankings(campaign=campaign, week_number=WEEK)
        return sum(1 for _ in computed)

    def clear_drafts() -> None:
        RankingEntry.objects.filter(ranking__week=week, ranking__status=Ranking.Status.DRAFT).delete()
        Ranking.objects.filter(week=week, status=Ranking.Status.DRAFT).delete()

    # Warm both (caches, plans), then alternate the timed runs.
    clear_drafts()
    groups = raw()
    with CaptureQueriesContext(connection) as queries:
        ours()
    raw_times, our_times = [], []
    for _ in range(RUNS):
        clear_drafts()
        started = time.perf_counter()
        raw()
        raw_times.append(time.perf_counter() - started)
        started = time.perf_counter()
        ours()
        our_times.append(time.perf_counter() - started)
    entries = RankingEntry.objects.filter(ranking__week=week, ranking__status=Ranking.Status.DRAFT).count()

    raw_median, our_median = statistics.median(raw_times), statistics.median(our_times)
    ratio = our_median / raw_median
    print(
        f"enrollments: {Enrollment.objects.count():,} in all, {in_week:,} in week {WEEK}; "
        f"agencies: {campaign.weeks.first().quotas.values('agency').distinct().count()}; "
        f"officers: {AGENCIES * OFFICERS_PER_AGENCY:,}"
    )
    print(
        f"raw SQL GROUP BY:          median {raw_median * 1000:7.1f} ms (min {min(raw_times) * 1000:.1f}), "
        f"{groups:,} groups"
    )
    print(
        f"compute_rankings (stored): median {our_median * 1000:7.1f} ms (min {min(our_times) * 1000:.1f}), "
        f"2 rankings, {entries:,} entries, {len(queries)} queries"
    )
    print(f"ratio: {ratio:.2f}x the raw SQL")
    under_a_second, within_3x = our_median < 1.0, ratio <= 3.0
    print(f"bars: under 1 s {'OK' if under_a_second else 'MISSED'}; within 3x {'OK' if within_3x else 'MISSED'}")


# --- The read side over HTTP (--serve) ---------------------------------------------------------------

SERVE_TODAY = "2025-11-28"  # week 3: the live standings are week 3's
STAFF_USER, OFFICER_USER, PASSWORD = "bench_rank_staff", "bench_rank_officer", "bench-rankings-2025"


def serve_env(url: str, redis_url: str) -> dict[str, str]:
    return {
        "DATABASE_URL": url,
        "REDIS_URL": redis_url,
        "SECRET_KEY": "bench-only-secret-key-never-used-for-anything-else-0123456789",
        "DEBUG": "off",
        "APP_TODAY": SERVE_TODAY,
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "off",
        "SECURE_HSTS_SECONDS": "0",
        "LOG_LEVEL": "WARNING",
        "DJANGO_SETTINGS_MODULE": "config.settings",
    }


def bench_users() -> dict[str, str]:
    """A provincial user and an officer of the busiest agency, each with an API token: {name: token}."""
    from django.contrib.auth import get_user_model

    from campaign.models import Province
    from collectors.models import Collector
    from collectors.roles import Role, sync_role_groups
    from collectors.services import post_to_province
    from collectors.tokens import issue_api_token

    groups = sync_role_groups()
    users = {}
    for name, role in ((STAFF_USER, Role.PROVINCIAL), (OFFICER_USER, Role.OFFICER)):
        user, created = get_user_model().objects.get_or_create(username=name)
        if created:
            user.set_password(PASSWORD)
            user.save()
        user.groups.set([groups[role]])
        users[name] = user
    post_to_province(user=users[STAFF_USER], province=Province.objects.get(code="80"))  # the world's province
    collector = Collector.objects.order_by("code").first()
    if collector.user_id != users[OFFICER_USER].pk:
        Collector.objects.filter(user=users[OFFICER_USER]).update(user=None)
        collector.user = users[OFFICER_USER]
        collector.save(update_fields=["user"])
    return {name: issue_api_token(user=user, name="bench")[1] for name, user in users.items()}


def _get(port: int, path: str, headers: dict) -> tuple[int, bytes]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    try:
        connection.request("GET", path, headers={"Host": "127.0.0.1", **headers})
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


def _session_of(port: int, username: str) -> dict:
    """The cookies of a session signed in through the login form."""
    from bench_dashboard import _take_cookies

    cookies: dict = {}
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    connection.request("GET", "/accounts/login/", headers={"Host": "127.0.0.1"})
    response = connection.getresponse()
    body = response.read()
    _take_cookies(response, cookies)
    connection.close()
    token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', body).group(1).decode()
    form = urlencode({"csrfmiddlewaretoken": token, "username": username, "password": PASSWORD})
    cookie = "; ".join(f"{k}={v}" for k, v in cookies.items())
    headers = {"Host": "127.0.0.1", "Cookie": cookie, "Content-Type": "application/x-www-form-urlencoded"}
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    connection.request("POST", "/accounts/login/", body=form, headers=headers)
    response = connection.getresponse()
    response.read()
    _take_cookies(response, cookies)
    connection.close()
    if "sessionid" not in cookies:
        sys.exit(f"login of {username} failed: {response.status}")
    return cookies


def _expire_standings(redis_url: str) -> None:
    """Drop the cached standings and answers as their timeout would; the previous ones stay (a
    worker may serve them while another recomputes)."""
    import redis

    store = redis.Redis.from_url(redis_url)
    # A generation's value (``…:g<generation>``), or the whole standings under one key (before the pieces).
    current = re.compile(rb":g[0-9a-f]+$|awards:live:[0-9a-f]{64}$")
    keys = [k for k in store.scan_iter(match="*awards:*", count=1000) if current.search(k)]
    if keys:
        store.delete(*keys)


def _scans() -> int:
    """Scans of the enrollment table so far: each computation of the standings makes one."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT coalesce(seq_scan, 0) + coalesce(idx_scan, 0) FROM pg_stat_user_tables "
            "WHERE relname = 'enrollments_enrollment'"
        )
        return cursor.fetchone()[0]


def _at_once(port: int, path: str, headers: dict, clients: int) -> list[tuple[float, int]]:
    barrier = threading.Barrier(clients)
    outcomes: list[tuple[float, int]] = []

    def one() -> None:
        barrier.wait()
        started = time.perf_counter()
        status, _ = _get(port, path, headers)
        outcomes.append(((time.perf_counter() - started) * 1000, status))

    threads = [threading.Thread(target=one) for _ in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return sorted(outcomes)


def _describe(body: bytes) -> str:
    import json

    try:
        answer = json.loads(body)
    except ValueError:
        return f"{len(body):,} bytes"
    shown = "+".join(str(len(r["entries"])) for r in answer["rankings"])
    counts = "+".join(str(r["entry_count"]) for r in answer["rankings"])
    return f"{len(body):,} bytes, {shown} of {counts} entries"


def serve(url: str, redis_url: str, *, port: int, clients: int, seconds: float) -> None:
    sys.path.insert(0, str(ROOT / "bench"))
    from bench_dashboard import load, start_server, stop_server

    tokens = bench_users()
    api = "/api/v1/campaigns/BENCH-2025/rankings?week=3&provisional=1"
    live = "/rankings/live/?campaign=BENCH-2025"
    server = start_server(serve_env(url, redis_url), port)
    try:
        cookies = _session_of(port, STAFF_USER)
        paths = {
            "API, staff, default page": (api, {"Authorization": f"Bearer {tokens[STAFF_USER]}"}),
            "API, staff, 500 entries": (api + "&limit=500", {"Authorization": f"Bearer {tokens[STAFF_USER]}"}),
            "API, officer": (api, {"Authorization": f"Bearer {tokens[OFFICER_USER]}"}),
            "live page, staff": (live, {"Cookie": "; ".join(f"{k}={v}" for k, v in cookies.items())}),
        }
        print(f"load average before: {'/'.join(f'{x:.2f}' for x in os.getloadavg())}")
        print("one client, cached (median of 15 requests after one to warm):")
        for label, (path, headers) in paths.items():
            status, body = _get(port, path, headers)
            if status != 200:
                sys.exit(f"{label}: {status} {body[:300]!r}")
            times = []
            for _ in range(15):
                started = time.perf_counter()
                _get(port, path, headers)
                times.append((time.perf_counter() - started) * 1000)
            print(f"  {label:26s} p50 {statistics.median(times):7.1f} ms  max {max(times):7.1f} ms  {_describe(body)}")
        print(f"{clients} concurrent clients (one session each), {seconds:.0f} s each, gunicorn 3 workers:")
        sessions = [_session_of(port, STAFF_USER) for _ in range(clients)]
        for label, path in (("API, staff, default page", api), ("live page, staff", live)):
            figures = load(port, path, sessions, seconds)
            print(
                f"  {label:26s} p50 {figures['p50']:7.1f} ms  p95 {figures['p95']:7.1f} ms  "
                f"{figures['rate']:5.1f}/s  {figures['requests']} requests, {figures['failures']} failed"
            )
        print(f"the cached standings expire, then {clients} clients ask at once:")
        for label in ("API, staff, default page", "live page, staff"):
            path, headers = paths[label]
            time.sleep(1.5)
            before = _scans()
            _expire_standings(redis_url)
            outcomes = _at_once(port, path, headers, clients)
            time.sleep(1.5)  # PostgreSQL reports table statistics at most once a second
            print(
                f"  {label:26s} {_scans() - before} recomputation(s) (scans of the enrollments); latencies "
                f"{', '.join(f'{t:.0f}' for t, _ in outcomes)} ms; statuses {sorted({s for _, s in outcomes})}"
            )
        print(f"load average after: {'/'.join(f'{x:.2f}' for x in os.getloadavg())}")
    finally:
        stop_server(server)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--fresh", action="store_true", help="rebuild the scratch database")
    parser.add_argument("--drop", action="store_true", help="drop the scratch database and stop")
    parser.add_argument("--database", default="", help="the scratch database's name")
    parser.add_argument("--serve", action="store_true", help="time the API and the live page over HTTP")
    parser.add_argument("--clients", type=int, default=6)
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--port", type=int, default=8766)
    args = parser.parse_args()
    url = os.environ.get("DATABASE_URL", "")
    if not url:
        sys.exit("Set DATABASE_URL=postgres://... (the benchmark makes its own scratch database on that server).")
    scratch = prepare_database(url, fresh=args.fresh, drop=args.drop, name=args.database)
    redis_url = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/1") if args.serve else ""
    setup_django(scratch, redis_url)
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    build_world()
    if args.serve:
        call_command("collectstatic", interactive=False, verbosity=0)  # DEBUG off serves the manifest's files
        serve(scratch, redis_url, port=args.port, clients=args.clients, seconds=args.seconds)
    else:
        measure()


if __name__ == "__main__":
    main()
