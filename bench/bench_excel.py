"""Excel in and out at scale, next to django-import-export importing the same file, on PostgreSQL.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bhxh .venv/bin/python -m bench.bench_excel

Works in a scratch database of its own (``<name>_bench_excel`` on the same server), created at the
start (as a copy of ``<name>_bench_schema``, the migrated empty database make bench's world build
leaves, when there is one: ``migrate`` then has nothing to do) and dropped at the end. It writes the
spreadsheets with XlsxWriter into a temporary folder, then runs each step in a fresh Python process and
prints its rows per second and peak memory:

- our prior-coverage import of 100,000 rows (CCCD, product, end date), with every check of the import
  (file checks, header search, CCCD rules, duplicates, dates, the record with its SHA-256), written
  with COPY and INSERT ... ON CONFLICT; then the same file again (nothing changes);
- django-import-export importing the same file (or its first ``--reference-rows``: make bench gives
  it 20,000) into the same model, configured for speed as its documentation advises: use_bulk,
  batch_size, skip_diff (and skip_html_diff, force_init_instance since every row is new, no row
  values or instances kept), reading the file with its XLSX format;
- our quota import of 10,000 rows (2,000 agencies x 5 weeks, long form);
- our export of 100,000 enrollments (31 columns, streamed from the database to an .xlsx on disk).

Memory is the peak resident set size of the process that ran the step (``resource.getrusage``,
ru_maxrss), printed beside the same figure for a process that only loaded Django, so the step's own
share is the difference. (tracemalloc would miss what python-calamine allocates in Rust.) Bars of
issue 4: prior coverage under 3 s, and at least 4x django-import-export's rate. Not a test.
"""

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from datetime import date, datetime, timedelta
from pathlib import Path

from bench import common, world

ROOT = common.ROOT
PRIOR_ROWS, AGENCIES, WEEKS, ENROLLMENTS = 100_000, 2_000, 5, 100_000
CAMPAIGN, TODAY = "BENCH-EXCEL", "2025-12-20"
REFERENCE_FILE = "prior_reference.xlsx"  # django-import-export's, when it is given fewer rows (--reference-rows)


def scratch(url: str) -> str:
    return common.scratch_url(url, "bench_excel")[0]


def setup_django(url: str) -> None:
    common.setup_django(common.app_env(url, today=TODAY))


# --- the parent: database, files, and one child process per step ----------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--step", help=argparse.SUPPRESS)
    parser.add_argument("--folder", help=argparse.SUPPRESS)
    parser.add_argument("--json", action="store_true", help="print the results as JSON on the last line (make bench)")
    parser.add_argument(
        "--reference-rows",
        type=int,
        default=PRIOR_ROWS,
        help=f"django-import-export imports the first N rows of the file (default all {PRIOR_ROWS:,}; its rate is "
        "what is compared, and at about 600 rows a second on a busy machine the whole file takes minutes)",
    )
    args = parser.parse_args()
    url = common.database_url()
    if args.step:
        setup_django(scratch(url))
        print(json.dumps(run_step(args.step, Path(args.folder))))
        return
    results = measure(url, reference_rows=min(max(args.reference_rows, 1), PRIOR_ROWS))
    if args.json:
        print(json.dumps(results))
    else:
        print_report(results)


def measure(url: str, *, reference_rows: int = PRIOR_ROWS) -> dict:
    """Every step's rows, seconds and peak MB, in a scratch database made for it and dropped afterwards."""
    # A copy of make bench's migrated empty database when there is one (``migrate`` then has nothing to do).
    database = common.prepare_database(url, "bench_excel", fresh=True, template=common.schema_template(url))
    try:
        with tempfile.TemporaryDirectory(prefix="bench-excel-") as folder:
            prepare(database, Path(folder), reference_rows=reference_rows)
            return collect(url, Path(folder))
    finally:
        common.drop_database(database)


def prepare(scratch: str, folder: Path, *, reference_rows: int) -> None:
    started = time.perf_counter()
    env = common.app_env(scratch, today=TODAY)
    common.manage(env, "migrate", "--noinput", "-v", "0")
    setup_django(scratch)
    build_world()
    write_files(folder, reference_rows=reference_rows)
    print(f"Set up a scratch database and the files in {time.perf_counter() - started:.1f} s.\n")


def build_world() -> None:
    """A campaign, 2,000 agencies with an officer each, and 100,000 people with one enrollment each."""

    from django.db import connection, transaction

    from campaign.models import BhxhOffice, Commune, Province
    from collectors.models import CollectionAgency, Collector

    with transaction.atomic():
        province = Province.objects.create(code="80", name="Tây Ninh", codename="tay_ninh")
        office = BhxhOffice.objects.create(code="BHXH-BENCH", name="BHXH cơ sở thử", province=province)
        commune = Commune.objects.create(
            code="25480", name="Xã Tân Biên", codename="tan_bien", kind="xa", province=province, office=office
        )
        campaign = world.scratch_campaign(code=CAMPAIGN, province=province, name="Chiến dịch thử", award_budget=None)
        agencies = CollectionAgency.objects.bulk_create(
            CollectionAgency(code=f"AG-{n:04d}", name=f"Đại lý thu {n}", kind="commune_agent", office=office)
            for n in range(1, AGENCIES + 1)
        )
        Collector.objects.bulk_create(
            Collector(code=f"NVT-{agency.code[3:]}", name=f"Nhân viên {agency.code}", agency=agency)
            for agency in agencies
        )
        week = campaign.weeks.get(number=2)
        with connection.cursor() as cursor:
            cursor.execute(
                """
                INSERT INTO enrollments_participant
                    (uuid, cccd, bhxh_code, full_name, date_of_birth, sex, phone, commune_id, target_group, is_demo,
                     created_at, updated_at)
                SELECT gen_random_uuid(), '072085' || lpad(n::text, 6, '0'), '', 'Người thử ' || n, '1985-03-02',
                       'male', '0912345678', %(commune)s, 'farmer', false, now(), now()
                FROM generate_series(1, %(count)s) AS n
                """,
                {"commune": commune.pk, "count": ENROLLMENTS},
            )
            cursor.execute(
                """
                INSERT INTO enrollments_enrollment
                    (uuid, participant_id, product, campaign_id, week_id, agency_id, collector_id, collected_on,
                     months, coverage_start, coverage_end, income, support_group, member_order, amount_due,
                     state_support, supported_months, amount_payable, receipt_no, channel, classification, status,
                     source, recorded_at, cancel_reason)
                SELECT gen_random_uuid(), p.id, 'bhyt_hgd', %(campaign)s, %(week)s, c.agency_id, c.id, '2025-11-20',
                       12, '2025-12-20', '2026-12-19', NULL, '', 1, 1263600, 0, 0, 1263600, 'BL-' || p.id, 'market',
                       'new', 'recorded', 'import', '2025-11-20 10:00+07', ''
                FROM enrollments_participant p
                JOIN collectors_collector c
                  ON c.id = (SELECT min(id) FROM collectors_collector) + (p.id %% %(agencies)s)
                """,
                {"campaign": campaign.pk, "week": week.pk, "agencies": AGENCIES},
            )
        connection.cursor().execute("ANALYZE")


def write_files(folder: Path, *, reference_rows: int = PRIOR_ROWS) -> None:
    """prior.xlsx, its first ``reference_rows`` rows as prior_reference.xlsx when fewer (django-import-export's),
    and quotas.xlsx."""
    import xlsxwriter

    write_prior(folder / "prior.xlsx", PRIOR_ROWS)
    if reference_rows < PRIOR_ROWS:
        write_prior(folder / REFERENCE_FILE, reference_rows)
    workbook = xlsxwriter.Workbook(folder / "quotas.xlsx", {"constant_memory": True})
    sheet = workbook.add_worksheet("Chỉ tiêu")
    sheet.write_row(0, 0, ["Mã tổ chức dịch vụ thu", "Tuần", "Chỉ tiêu BHXH TN", "Chỉ tiêu BHYT HGĐ"])
    row = 0
    for week in range(1, WEEKS + 1):
        for n in range(1, AGENCIES + 1):
            row += 1
            sheet.write_row(row, 0, [f"AG-{n:04d}", week, n % 7 + 1, n % 13 + 5])
    workbook.close()


def write_prior(path: Path, rows: int) -> None:
    import xlsxwriter

    products = ("BHYT hộ gia đình", "BHXH tự nguyện")
    first_end = date(2024, 1, 1)
    workbook = xlsxwriter.Workbook(path, {"constant_memory": True})
    sheet, dates = workbook.add_worksheet("Quá trình tham gia"), workbook.add_format({"num_format": "dd/mm/yyyy"})
    sheet.write_row(0, 0, ["Số CCCD", "Loại hình", "Ngày hết hạn"])
    for n in range(1, rows + 1):
        sheet.write_string(n, 0, f"072085{n:06d}")
        sheet.write_string(n, 1, products[n % 2])
        end = first_end + timedelta(days=n % 700)
        sheet.write_datetime(n, 2, datetime(end.year, end.month, end.day), dates)
    workbook.close()


def collect(url: str, folder: Path) -> dict:
    env = {**os.environ, "DATABASE_URL": url}  # each step finds the scratch database from it
    results = {}
    for step in ("baseline", "prior_ours", "prior_ours_again", "prior_import_export", "quotas_ours", "export_ours"):
        done = subprocess.run(
            [sys.executable, "-m", "bench.bench_excel", "--step", step, "--folder", str(folder)],
            env=env,
            cwd=ROOT,
            capture_output=True,
            text=True,
        )
        if done.returncode:
            sys.exit(f"The step {step} failed:\n{done.stderr}")
        results[step] = json.loads(done.stdout.strip().splitlines()[-1])
    return results


def print_report(results: dict) -> None:
    base = results["baseline"]["peak_mb"]
    print(f"PostgreSQL, Python {sys.version.split()[0]}. Peak memory: ru_maxrss of a fresh process per step;")
    print(f"a process with only Django loaded peaks at {base:.0f} MB.\n")
    print(f"{'step':<58}{'rows':>9}{'seconds':>9}{'rows/s':>10}{'peak MB':>9}{'+ over Django':>14}")
    labels = {
        "prior_ours": "prior coverage, ours (calamine + checks + COPY)",
        "prior_ours_again": "prior coverage, ours, the same file again (no change)",
        "prior_import_export": "prior coverage, django-import-export (bulk, skip_diff)",
        "quotas_ours": "weekly quotas, ours (long form)",
        "export_ours": "enrollments export, ours (XlsxWriter, constant memory)",
    }
    for step, label in labels.items():
        r = results[step]
        rate = r["rows"] / r["seconds"]
        print(
            f"{label:<58}{r['rows']:>9,}{r['seconds']:>9.2f}{rate:>10,.0f}{r['peak_mb']:>9.0f}"
            f"{r['peak_mb'] - base:>14.0f}"
        )
    ours, theirs = results["prior_ours"], results["prior_import_export"]
    ratio = (ours["rows"] / ours["seconds"]) / (theirs["rows"] / theirs["seconds"])
    print(
        f"\nPrior coverage: {ours['seconds']:.2f} s for {ours['rows']:,} rows (bar: under 3 s: "
        f"{'met' if ours['seconds'] < 3 else 'MISSED'}); {ratio:.1f}x django-import-export's rate "
        f"(bar: at least 4x: {'met' if ratio >= 4 else 'MISSED'})."
    )


# --- the child: one step, timed, in a fresh process -----------------------------------------------


def run_step(step: str, folder: Path) -> dict:
    from django.db import connection

    from enrollments.models import PriorCoverage

    rows = 0
    if step in ("prior_ours", "prior_import_export"):
        with connection.cursor() as cursor:
            cursor.execute(f"TRUNCATE {PriorCoverage._meta.db_table}")
    started = time.perf_counter()
    if step == "baseline":
        import core.excel.importing  # noqa: F401  (what every step loads)
    elif step in ("prior_ours", "prior_ours_again"):
        rows = prior_ours(folder / "prior.xlsx", again=step == "prior_ours_again")
    elif step == "prior_import_export":
        reference = folder / REFERENCE_FILE
        rows = prior_import_export(reference if reference.exists() else folder / "prior.xlsx")
    elif step == "quotas_ours":
        rows = quotas_ours(folder / "quotas.xlsx")
    elif step == "export_ours":
        rows = export_ours(folder / "export.xlsx")
    seconds = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: kilobytes
    return {"rows": rows, "seconds": seconds, "peak_mb": peak}


def prior_ours(path: Path, *, again: bool) -> int:
    from core.excel.importing import run_import
    from enrollments.imports import PriorCoverageImport
    from enrollments.models import PriorCoverage

    record = run_import(
        PriorCoverageImport(), data=path.read_bytes(), file_name=path.name, write=True, source="command", actor="bench"
    )
    assert record.outcome == "written", record.problems[:5]
    assert record.rows_written == (0 if again else PRIOR_ROWS), record.rows_written
    assert PriorCoverage.objects.count() == PRIOR_ROWS
    return record.rows_read


def prior_import_export(path: Path) -> int:
    from import_export import fields, resources, widgets
    from import_export.formats.base_formats import XLSX

    from enrollments.models import PriorCoverage

    products = {"BHYT hộ gia đình": "bhyt_hgd", "BHXH tự nguyện": "bhxh_tn"}

    class ProductWidget(widgets.Widget):
        def clean(self, value, row=None, **kwargs):
            return products[value]

    class PriorCoverageResource(resources.ModelResource):
        cccd = fields.Field(attribute="cccd", column_name="Số CCCD")
        product = fields.Field(attribute="product", column_name="Loại hình", widget=ProductWidget())
        last_coverage_end = fields.Field(
            attribute="last_coverage_end", column_name="Ngày hết hạn", widget=widgets.DateWidget()
        )

        class Meta:
            model = PriorCoverage
            fields = ("cccd", "product", "last_coverage_end")
            import_id_fields = ("cccd", "product")
            use_bulk = True
            batch_size = 5000
            skip_diff = True
            skip_html_diff = True
            force_init_instance = True  # every row is new: no lookup per row
            report_skipped = False
            store_row_values = False
            store_instance = False

    dataset = XLSX().create_dataset(path.read_bytes())
    result = PriorCoverageResource().import_data(dataset, dry_run=False, use_transactions=True, raise_errors=True)
    assert not result.has_errors() and not result.has_validation_errors()
    assert PriorCoverage.objects.count() == len(dataset), PriorCoverage.objects.count()
    return len(dataset)


def quotas_ours(path: Path) -> int:
    from collectors.imports import QuotaImport
    from collectors.models import WeeklyQuota
    from core.excel.importing import run_import

    WeeklyQuota.objects.all().delete()
    record = run_import(
        QuotaImport(),
        data=path.read_bytes(),
        file_name=path.name,
        codes={"campaign": CAMPAIGN},
        write=True,
        source="command",
        actor="bench",
    )
    assert record.outcome == "written", record.problems[:5]
    assert WeeklyQuota.objects.count() == 2 * AGENCIES * WEEKS
    return record.rows_read


def export_ours(path: Path) -> int:
    from django.contrib.auth import get_user_model

    from campaign.models import Campaign
    from dashboard.reports import enrollments_report

    admin = get_user_model().objects.filter(is_superuser=True).first() or get_user_model()(is_superuser=True)
    report = enrollments_report(Campaign.objects.get(code=CAMPAIGN), user=admin)
    with report.file, path.open("wb") as target:
        while chunk := report.file.read(1 << 20):
            target.write(chunk)
    assert report.rows == ENROLLMENTS, report.rows
    return report.rows


if __name__ == "__main__":
    main()
