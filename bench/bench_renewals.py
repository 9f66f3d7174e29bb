"""The renewal lists of one officer at province scale: the agency home's summary and a list page, with their SQL.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bhxh_renewals_big APP_TODAY=2025-12-10 \\
        .venv/bin/python bench/bench_renewals.py [--officer bench_officer_01] [--runs 3] [--before /work/main]

Run against a copy of the province-scale world (``generate_scale_data``; never the shared one). In
this process, without HTTP, for one officer it times ``renewal_summary`` (what ``/my-agency/``
shows) and the list page as ``/renewals/`` builds it (its count and first 50 rows, and a page 1,000
rows deep), and, as the reference in the same run, the main query's raw SQL (the counts, and the
ordered rows with LIMIT) through a bare cursor. ``--before CHECKOUT`` times the same two calls with
another checkout's code (e.g. main) in a child process, stopped after ``--timeout`` seconds. Prints
each median with the load average. Not a test.
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PAGE = 50


def _setup(root: Path) -> None:
    sys.path.insert(0, str(root))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ["DEBUG"] = "off"  # DEBUG on would keep every query's text
    os.environ.setdefault("SECRET_KEY", "bench-only-secret-key-never-used-for-anything-else-0123456789")
    import django

    django.setup()


def _median_ms(fn, runs: int) -> tuple[float, object]:
    times, result = [], None
    for _ in range(runs):
        start = time.perf_counter()
        result = fn()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times), result


def _calls(officer: str):
    """The two calls timed, written against what both the old and the new selectors offer."""
    from django.contrib.auth import get_user_model
    from django.core.paginator import Paginator

    from campaign.selectors import current_campaign
    from core import clock
    from enrollments.renewals.selectors import RenewalFilters, renewal_list, renewal_summary

    campaign = current_campaign()

    def user():  # a new request's user: nothing cached on it
        return get_user_model().objects.get(username=officer)

    def summary():
        found = renewal_summary(user(), today=clock.today(), campaign=campaign)
        return found["total"]

    def page(number: int = 1):
        rows = renewal_list(user(), today=clock.today(), filters=RenewalFilters(), campaign=campaign)
        shown = Paginator(rows, PAGE).get_page(number)
        return shown.paginator.count, len(list(shown.object_list))

    return summary, page


def child(args) -> None:
    """The before run: the same calls with another checkout's code, answered as one JSON line."""
    _setup(Path(args.child))
    from enrollments.renewals import selectors

    assert Path(selectors.__file__).is_relative_to(Path(args.child).resolve()), selectors.__file__
    summary, page = _calls(args.officer)
    summary_ms, total = _median_ms(summary, args.runs)
    page_ms, (count, _shown) = _median_ms(page, args.runs)
    print(json.dumps({"summary_ms": summary_ms, "total": total, "page_ms": page_ms, "count": count}))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--officer", default="bench_officer_01")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--before", help="another checkout whose code to time the same calls with (e.g. /work/main)")
    parser.add_argument("--before-runs", type=int, default=1, help="runs of the before code (minutes each)")
    parser.add_argument("--timeout", type=int, default=1200, help="seconds the before run may take")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        return child(args)
    _setup(ROOT)
    from django.contrib.auth import get_user_model
    from django.db import connection

    from campaign.selectors import current_campaign
    from core import clock
    from enrollments.renewals.selectors import RenewalFilters, renewal_list

    git = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True)
    print(f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, commit {git.stdout.strip()}, today {clock.today()}")
    print(f"load average {os.getloadavg()[0]:.2f}, officer {args.officer}, medians of {args.runs}")
    summary, page = _calls(args.officer)
    found = renewal_list(
        get_user_model().objects.get(username=args.officer),
        today=clock.today(),
        filters=RenewalFilters(),
        campaign=current_campaign(),
    )
    ordered, ordered_params = found._ordered(counted=True)
    source, source_params = found._union()
    rank, rank_params = found._rank()

    def raw(sql, params):
        def run():
            with connection.cursor() as cursor:
                cursor.execute(sql, params)
                return len(cursor.fetchall())

        return run

    figures = [
        (
            "raw SQL: the counts (GROUP BY status)",
            raw(f"SELECT {rank}, COUNT(*) FROM {source} GROUP BY 1", rank_params + source_params),
        ),
        ("raw SQL: the first 10 rows, ordered", raw(f"{ordered} LIMIT 10", ordered_params)),
        ("renewal_summary (counts, 10 rows built)", summary),
        (f"list page 1 ({PAGE} rows, count)", page),
        (f"list page 21 (rows 1,001-{1000 + PAGE})", lambda: page(21)),
    ]
    after = {}
    for label, fn in figures:
        ms, result = _median_ms(fn, args.runs)
        after[label] = ms
        print(f"  {label:<42} {ms / 1000:8.2f} s   ({result})")
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS) {ordered} LIMIT 10", ordered_params)
        plan = [row[0] for row in cursor.fetchall()]
    print("  plan of the ordered rows:", plan[0].strip(), "|", plan[-1].strip())
    if args.before:
        print(f"before ({args.before}), load average {os.getloadavg()[0]:.2f}:")
        command = [
            sys.executable,
            __file__,
            "--child",
            args.before,
            "--officer",
            args.officer,
            "--runs",
            str(args.runs),
        ]
        try:
            # From the other checkout's folder: Celery puts the working directory first on the path.
            done = subprocess.run(
                command, capture_output=True, text=True, timeout=args.timeout, env=os.environ, cwd=args.before
            )
            before = json.loads(done.stdout.strip().splitlines()[-1])
            print(f"  renewal_summary {before['summary_ms'] / 1000:8.2f} s ({before['total']} people)")
            print(f"  list page 1     {before['page_ms'] / 1000:8.2f} s ({before['count']} people)")
        except subprocess.TimeoutExpired:
            print(f"  not done after {args.timeout} s (stopped)")
        except (IndexError, ValueError):
            print("  failed:", done.stderr[-2000:])
    print(f"load average {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
