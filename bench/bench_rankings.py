"""How long a week's rankings take over 1,000,000 enrollments, next to the bare GROUP BY in SQL.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bhxh .venv/bin/python -m bench.bench_rankings

Works in a scratch database of its own (``<name>_bench_rankings`` on the same server), created and
filled on the first run (1,000,000 enrollments, 300 agencies, 3,000 officers, by INSERT ... SELECT
generate_series: about a minute) and reused afterwards; ``--fresh`` rebuilds it, ``--drop`` removes it.

It times ``awards.services.compute_rankings`` for week 3, the weekly agency and officer rules of
DOMAIN.md with their entries stored (each run starts from no draft, so every run writes its 3,300
entries), and the same GROUP BY run as raw SQL on the same connection. Bars: under 1 s, and within
3x of the raw SQL. Not a test: it prints figures.
"""

import argparse
import statistics
import time

from bench import common, queries, world

ENROLLMENTS, AGENCIES, OFFICERS_PER_AGENCY = 1_000_000, 300, 10
WEEK, RUNS = 3, 7


def setup_django(url: str) -> None:
    # No broker needed: the service is timed directly. After the campaign: every week may be computed.
    common.setup_django(common.app_env(url, today="2025-12-20"))


def build_world() -> None:
    """The campaign, 300 agencies, 3,000 officers, quotas, 1,000,000 people and their enrollments."""
    from decimal import Decimal

    from django.db import connection, transaction

    from awards.models import AwardRule, Metric, Period, Subject
    from campaign.models import BhxhOffice, Commune, Province
    from collectors.models import CollectionAgency
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
        campaign = world.scratch_campaign(code="BENCH-2025", province=province)
        agencies = CollectionAgency.objects.bulk_create(
            CollectionAgency(code=f"AG-{n:03d}", name=f"Đơn vị {n}", kind="post_office", office=office)
            for n in range(AGENCIES)
        )
        world.officers_and_quotas(campaign, agencies, per_agency=OFFICERS_PER_AGENCY, bhxh=150, bhyt=500)
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
                world.insert_enrollments(
                    picked="""
                    WITH people AS (
                        SELECT p.id AS participant_id, row_number() OVER (ORDER BY p.id) AS n,
                               random() AS r_officer, random() AS r_product, random() AS r_kind, random() AS r_late,
                               random() AS r_cancel, (random() * 600)::int AS minute
                        FROM enrollments_participant p
                    ),
                    picked AS (
                        SELECT people.*, (%(start)s::date + ((n - 1) %% 35)::int) AS collected_on,
                               floor(power(r_officer, 1.3) * %(officers)s)::int AS k,
                               CASE WHEN r_product < 0.3 THEN 'bhxh_tn' ELSE 'bhyt_hgd' END AS product
                        FROM people
                    )""",
                    channel="'other'",
                    recorded_at="picked.collected_on + interval '7 hours' + picked.minute * interval '1 minute'"
                    " + CASE WHEN r_late < 0.03 THEN interval '3 days' ELSE interval '0' END",
                ),
                {"start": campaign.start_date, "officers": AGENCIES * OFFICERS_PER_AGENCY, "campaign": campaign.pk},
            )
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE enrollments_enrollment")
        cursor.execute("VACUUM ANALYZE enrollments_participant")
    print(f"  built in {time.perf_counter() - started:.0f} s", flush=True)


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
    params = queries.rankings_params(campaign, week)

    def raw() -> int:
        with connection.cursor() as cursor:
            cursor.execute(queries.RANKINGS, params)
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
    with CaptureQueriesContext(connection) as captured:
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
        f"2 rankings, {entries:,} entries, {len(captured)} queries"
    )
    print(f"ratio: {ratio:.2f}x the raw SQL")
    under_a_second, within_3x = our_median < 1.0, ratio <= 3.0
    print(f"bars: under 1 s {'OK' if under_a_second else 'MISSED'}; within 3x {'OK' if within_3x else 'MISSED'}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--fresh", action="store_true", help="rebuild the scratch database")
    parser.add_argument("--drop", action="store_true", help="drop the scratch database and stop")
    args = parser.parse_args()
    scratch = common.prepare_database(common.database_url(), "bench_rankings", fresh=args.fresh, drop=args.drop)
    setup_django(scratch)
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    build_world()
    measure()


if __name__ == "__main__":
    main()
