"""The enrollment export (``/reports/enrollments.xlsx``) of one campaign, timed with its peak memory.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bhxh_fastwrite_big \\
        .venv/bin/python bench/bench_export.py --campaign BENCH-100K

Builds the report exactly as the download does (dashboard.reports.enrollments_report: the rows
streamed from a server-side cursor in chunks, written by XlsxWriter in constant-memory mode to a
spooled file) for the first admin user, and prints the rows, the seconds, the file's size and the
process's peak resident memory before and after (``ru_maxrss``). Not a test.
"""

import argparse
import os
import resource
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--campaign", required=True)
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ["DEBUG"] = "off"
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.utils import translation

    from campaign.selectors import campaign_by_code
    from dashboard.reports import enrollments_report

    translation.activate("vi")
    campaign = campaign_by_code(args.campaign)
    admin = get_user_model().objects.filter(groups__name="admin").first()
    before = peak_mb()
    load = os.getloadavg()[0]
    start = time.perf_counter()
    report = enrollments_report(campaign, user=admin)
    seconds = time.perf_counter() - start
    size = os.fstat(report.file.fileno()).st_size
    report.file.close()
    print(
        f"{report.rows:,} rows in {seconds:.1f} s ({report.rows / seconds:,.0f} rows/s), {size / 1e6:.1f} MB file; "
        f"peak RSS {before:.0f} MB after loading Django, {peak_mb():.0f} MB after the export; "
        f"load average {load:.2f} at the start, {os.getloadavg()[0]:.2f} at the end"
    )


if __name__ == "__main__":
    main()
