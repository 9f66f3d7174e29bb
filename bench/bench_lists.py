"""The enrollment lists' queries on a large table, as the page and the API build them, with their plans.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bhxh_fastwrite_big APP_TODAY=2025-12-10 \\
        .venv/bin/python bench/bench_lists.py [--runs 5]

Run against a database holding the demo (``seed_demo``) and many enrollments (``generate_scale_data``,
or the README's SQL). For the demo's provincial user and officer it times, in this process and
without HTTP: the first page (25 rows), a page 2,000 rows deep by cursor, the page's mugs, the
bounded count and, for comparison, the exact count the old paginator ran; it prints each median and
the plan's scan nodes. Not a test.
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ["DEBUG"] = "off"
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from campaign.selectors import current_campaign
    from core.keyset import Cursor, bounded_count, keyset_page
    from enrollments.models import Enrollment
    from enrollments.selectors import LIST_COUNT_LIMIT, finish_page, listed_for

    users = get_user_model().objects
    campaign = current_campaign()
    print(f"enrollments: {Enrollment.objects.count():,}; load average {os.getloadavg()[0]:.2f}")

    def timed(label, fn):
        times = []
        for _ in range(args.runs):
            start = time.perf_counter()
            fn()
            times.append((time.perf_counter() - start) * 1000)
        print(f"  {label:<34} median {statistics.median(times):8.1f} ms  (min {min(times):.1f}, max {max(times):.1f})")

    def scans(fn) -> str:
        with CaptureQueriesContext(connection) as queries:
            fn()
        with connection.cursor() as cursor:
            cursor.execute("EXPLAIN " + queries.captured_queries[0]["sql"])
            lines = [row[0].strip() for row in cursor.fetchall()]
        return "; ".join(line for line in lines if "enrollments_enrollment" in line and "Scan" in line)

    for username in ("demo_provincial", "demo_officer"):
        user = users.get(username=username)
        listed = listed_for(user, filters={"campaign": campaign})
        deep = listed.order_by("-recorded_at", "-pk")[2000]
        cursor = Cursor(deep.recorded_at, deep.pk)
        print(f"{username} ({listed.count():,} rows visible)")
        timed("first page (25)", lambda listed=listed: keyset_page(listed, cursor=None, size=25))
        deeper = lambda listed=listed, cursor=cursor: keyset_page(listed, cursor=cursor, size=25)  # noqa: E731
        deeper = lambda listed=listed, cursor=cursor: keyset_page(listed, cursor=cursor, size=25)  # noqa: E731
        timed("page 2,000 rows deep (cursor)", deeper)
        rows = keyset_page(listed, cursor=None, size=25).rows
        timed("the page's weeks and mugs", lambda rows=rows: finish_page(rows))
        timed(f"count bounded at {LIST_COUNT_LIMIT:,}", lambda listed=listed: bounded_count(listed, LIST_COUNT_LIMIT))
        timed("exact count (the old paginator)", lambda listed=listed: listed.count())
        print("  plan of the first page:", scans(lambda listed=listed: keyset_page(listed, cursor=None, size=25)))
        api = listed_for(user)
        timed("API first page (100, no filter)", lambda api=api: keyset_page(api, cursor=None, size=100))
    print(f"load average {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
