"""The enrollment table partitioned by campaign, against the same rows in one table, at 1M and 10M rows.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bhxh .venv/bin/python bench/bench_partitions.py
        [--sizes 1000000,10000000] [--keep]

A national instance holds a campaign per province (34) and year. This measures, in a scratch database
of its own (``<name>_bench_partitions``, dropped at the end unless ``--keep``), two copies of the same
synthetic enrollment rows, spread evenly over 34 campaigns: ``flat``, one table with the indexes the
app's lists and dashboards use, and ``parted``, the same table declared ``PARTITION BY LIST
(campaign_id)`` with one partition per campaign and the same indexes. For each size it times, as
the median of several runs on the same connection (so both tables meet the same load):

- the provincial list: one campaign's latest 25 enrollments (``recorded_at DESC, id DESC``);
- the dashboard's main query: distinct people added per commune and product in one campaign;
- a week's ranking GROUP BY: one campaign's week, per agency and product;
- writing: 20,000 more rows into one campaign (one INSERT ... SELECT);
- ending a campaign's life: its rows removed (DELETE) against its partition detached and dropped.

Not a test: it prints a Markdown table. The app's own table is not partitioned yet (README, "National
scale" says why and what it would take); this tells whether it would pay.
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psycopg

CAMPAIGNS, COMMUNES, AGENCIES, WEEKS = 34, 96 * 34, 300 * 34, 5
RUNS = 5

COLUMNS = """
    id bigint NOT NULL,
    campaign_id integer NOT NULL,
    participant_id bigint NOT NULL,
    commune_id integer NOT NULL,
    agency_id integer NOT NULL,
    week integer NOT NULL,
    product varchar(10) NOT NULL,
    status varchar(10) NOT NULL,
    amount_payable bigint NOT NULL,
    collected_on date NOT NULL,
    recorded_at timestamptz NOT NULL
"""
INDEXES = [
    "(campaign_id, recorded_at DESC, id DESC)",
    "(campaign_id, week, agency_id)",
    "(campaign_id, commune_id, product)",
]


def connect(url: str) -> tuple[psycopg.Connection, str, str]:
    parts = urlsplit(url)
    if parts.scheme not in ("postgres", "postgresql"):
        sys.exit("DATABASE_URL must be postgres://...: the benchmark measures PostgreSQL.")
    name = f"{parts.path.lstrip('/') or 'bhxh'}_bench_partitions"
    maintenance = urlunsplit(parts._replace(scheme="postgresql", path="/postgres"))
    with psycopg.connect(maintenance, autocommit=True) as admin:
        if admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            admin.execute(f'DROP DATABASE "{name}"')
        admin.execute(f'CREATE DATABASE "{name}"')
    scratch = urlunsplit(parts._replace(scheme="postgresql", path=f"/{name}"))
    return psycopg.connect(scratch, autocommit=True), name, maintenance


def rows_sql(first: int, count: int, campaign: str = "1 + (n % 34)") -> str:
    """SELECT of ``count`` synthetic rows from id ``first``: spread over campaigns, weeks, communes."""
    return f"""
        SELECT n, {campaign}, n * 7 / 8, (n % {COMMUNES}) + 1, (n % {AGENCIES}) + 1, 1 + (n / 7) % {WEEKS},
               CASE WHEN n % 5 = 0 THEN 'bhxh_tn' ELSE 'bhyt_hgd' END,
               CASE WHEN n % 97 = 0 THEN 'cancelled' ELSE 'recorded' END,
               1000000 + (n % 17) * 50000,
               date '2025-11-12' + ((n / 3) % 35),
               timestamptz '2025-11-12 07:00+07' + ((n / 3) % 35) * interval '1 day' + (n % 36000) * interval '1 s'
        FROM generate_series({first}, {first + count - 1}) AS n
    """


def build(conn: psycopg.Connection, size: int) -> dict[str, float]:
    conn.execute("DROP TABLE IF EXISTS flat, parted")
    conn.execute(f"CREATE TABLE flat ({COLUMNS}, PRIMARY KEY (id))")
    # A partitioned table's keys must hold the partition key.
    conn.execute(f"CREATE TABLE parted ({COLUMNS}, PRIMARY KEY (campaign_id, id)) PARTITION BY LIST (campaign_id)")
    for campaign in range(1, CAMPAIGNS + 1):
        conn.execute(f"CREATE TABLE parted_{campaign} PARTITION OF parted FOR VALUES IN ({campaign})")
    took = {}
    for table in ("flat", "parted"):
        started = time.perf_counter()
        conn.execute(f"INSERT INTO {table} {rows_sql(1, size)}")
        for number, columns in enumerate(INDEXES):
            conn.execute(f"CREATE INDEX {table}_i{number} ON {table} {columns}")
        conn.execute(f"VACUUM ANALYZE {table}")
        took[table] = time.perf_counter() - started
    return took


QUERIES = {
    "provincial list, latest 25": """
        SELECT id, participant_id, product, amount_payable, recorded_at FROM {table}
        WHERE campaign_id = 7 ORDER BY recorded_at DESC, id DESC LIMIT 25
    """,
    "distinct people per commune and product": """
        SELECT commune_id, product, count(DISTINCT participant_id) FROM {table}
        WHERE campaign_id = 7 AND status = 'recorded' GROUP BY commune_id, product
    """,
    "a week's ranking GROUP BY": """
        SELECT agency_id, product, count(*), sum(amount_payable) FROM {table}
        WHERE campaign_id = 7 AND week = 3 AND status = 'recorded' GROUP BY agency_id, product
    """,
}


def median_ms(conn: psycopg.Connection, sql: str) -> float:
    times = []
    for _ in range(RUNS):
        started = time.perf_counter()
        conn.execute(sql).fetchall()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def write_ms(conn: psycopg.Connection, table: str, size: int) -> float:
    started = time.perf_counter()
    conn.execute(f"INSERT INTO {table} {rows_sql(size + 1, 20_000, campaign='7')}")
    took = (time.perf_counter() - started) * 1000
    conn.execute(f"DELETE FROM {table} WHERE id > {size}")
    return took


def retire_ms(conn: psycopg.Connection) -> tuple[float, float]:
    started = time.perf_counter()
    conn.execute("DELETE FROM flat WHERE campaign_id = 1")
    deleted = (time.perf_counter() - started) * 1000
    started = time.perf_counter()
    conn.execute("ALTER TABLE parted DETACH PARTITION parted_1")
    conn.execute("DROP TABLE parted_1")
    detached = (time.perf_counter() - started) * 1000
    return deleted, detached


def measure(conn: psycopg.Connection, size: int) -> list[tuple[str, float, float]]:
    built = build(conn, size)
    lines = [("build (insert, indexes, analyze), s", built["flat"], built["parted"])]
    for label, sql in QUERIES.items():
        lines.append(
            (f"{label}, ms", median_ms(conn, sql.format(table="flat")), median_ms(conn, sql.format(table="parted")))
        )
    lines.append(
        ("20,000 rows written to one campaign, ms", write_ms(conn, "flat", size), write_ms(conn, "parted", size))
    )
    deleted, detached = retire_ms(conn)
    lines.append(("one campaign's rows removed, ms", deleted, detached))
    return lines


def load_average() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000000,10000000", help="row counts, comma-separated")
    parser.add_argument("--keep", action="store_true", help="keep the scratch database")
    options = parser.parse_args()
    conn, name, maintenance = connect(os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/bhxh"))
    print(f"Load average at start: {load_average()}; {CAMPAIGNS} campaigns; median of {RUNS} runs.\n")
    print("| rows | figure | one table | partitioned | partitioned / one table |")
    print("| ---: | --- | ---: | ---: | ---: |")
    try:
        for size in (int(value) for value in options.sizes.split(",")):
            for label, flat, parted in measure(conn, size):
                print(f"| {size:,} | {label} | {flat:,.1f} | {parted:,.1f} | {parted / flat:.2f} |", flush=True)
    finally:
        conn.close()
        if not options.keep:
            with psycopg.connect(maintenance, autocommit=True) as admin:
                admin.execute(f'DROP DATABASE "{name}"')
    print(f"\nLoad average at the end: {load_average()}")


if __name__ == "__main__":
    main()
