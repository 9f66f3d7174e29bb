"""Backup and restore of the PostgreSQL database that holds the campaigns, with pg_dump and pg_restore.

A backup is pg_dump's custom format (compressed, restorable table by table) plus a manifest
beside it (``FILE.counts.json``): the row count of every table, counted in the very snapshot
the dump was taken from (``pg_export_snapshot`` / ``pg_dump --snapshot``), so officers may go
on recording while it runs and the counts still describe exactly what the file holds.

A restore goes into an empty database only (created when asked), never over a database that
has tables, in one transaction (all or nothing), and then compares every table's count with
the manifest.

The client programs must match the server's major version: they are taken from ``PG_BIN_DIR``
when set, else from ``/usr/lib/postgresql/<major>/bin`` (Debian's layout), else from the PATH.
"""

import json
import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import psycopg
from django.conf import settings
from django.db import connection, transaction
from django.utils.translation import gettext as _
from psycopg import sql

from .errors import DomainError

TABLES = """
    SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p') ORDER BY c.relname
"""


@dataclass(frozen=True)
class Target:
    """Where to connect: libpq parameters, the password passed through the environment only."""

    host: str
    port: str
    user: str
    password: str
    dbname: str

    @classmethod
    def default(cls, dbname: str | None = None) -> "Target":
        database = connection.settings_dict
        return cls(
            host=database["HOST"] or "127.0.0.1",
            port=str(database["PORT"] or 5432),
            user=database["USER"] or "postgres",
            password=database["PASSWORD"] or "",
            dbname=dbname or database["NAME"],
        )

    def args(self) -> list[str]:
        return ["--host", self.host, "--port", self.port, "--username", self.user, "--no-password"]

    def env(self) -> dict[str, str]:
        return {**os.environ, "PGPASSWORD": self.password} if self.password else dict(os.environ)

    def connect(self, **kwargs) -> psycopg.Connection:
        return psycopg.connect(
            host=self.host,
            port=self.port,
            user=self.user,
            password=self.password or None,
            dbname=self.dbname,
            **kwargs,
        )


def require_postgresql() -> None:
    if connection.vendor != "postgresql":
        raise DomainError(_("Backups are made with pg_dump: set DATABASE_URL to the PostgreSQL database."))


def program(name: str) -> str:
    """pg_dump or pg_restore of the server's major version."""
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version_num")
        major = int(cursor.fetchone()[0]) // 10000
    for folder in (Path(settings.PG_BIN_DIR or "-"), Path(f"/usr/lib/postgresql/{major}/bin")):
        if (folder / name).is_file():
            return str(folder / name)
    found = shutil.which(name)
    if found is None:
        raise DomainError(_("%(name)s was not found; install the PostgreSQL client programs.") % {"name": name})
    return found


def table_counts(cursor) -> dict[str, int]:
    cursor.execute(TABLES)
    tables = [row[0] for row in cursor.fetchall()]
    counts = {}
    for table in tables:
        cursor.execute(f"SELECT count(*) FROM {_quoted(table)}")
        counts[table] = cursor.fetchone()[0]
    return counts


def _quoted(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def manifest_path(dump: Path) -> Path:
    return dump.with_name(dump.name + ".counts.json")


def backup(dump: Path) -> dict[str, int]:
    """Write the dump and its manifest; the row count of every table as of the dump's snapshot."""
    require_postgresql()
    pg_dump, target = program("pg_dump"), Target.default()
    dump.parent.mkdir(parents=True, exist_ok=True)
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        cursor.execute("SELECT pg_export_snapshot()")
        (snapshot,) = cursor.fetchone()
        counts = table_counts(cursor)
        options = ["--format=custom", "--no-owner", "--no-privileges", "--snapshot", snapshot, "--file", str(dump)]
        _run([pg_dump, *target.args(), *options, target.dbname], target)
    manifest_path(dump).write_text(json.dumps({"database": target.dbname, "tables": counts}, indent=1))
    return counts


@dataclass(frozen=True)
class Restored:
    tables: int
    rows: int
    mismatches: dict[str, tuple[int | None, int | None]]  # table: (in the manifest, restored)


def restore(dump: Path, *, into: str, create: bool = False) -> Restored:
    """Restore ``dump`` into the empty database ``into`` (on the same server) and check it against the manifest."""
    require_postgresql()
    if not dump.is_file():
        raise DomainError(_("No such backup file: %(path)s") % {"path": dump})
    target = Target.default(into)
    if into == connection.settings_dict["NAME"]:
        raise DomainError(_("Restore into a new, empty database, never over the one the app is using."))
    if create:
        _create_database(into)
    with target.connect() as restored, restored.cursor() as cursor:
        if table_counts(cursor):
            raise DomainError(_("Database %(name)s already has tables; restore into an empty one.") % {"name": into})
    options = ["--no-owner", "--no-privileges", "--exit-on-error", "--single-transaction", "--dbname", into]
    _run([program("pg_restore"), *target.args(), *options, str(dump)], target)
    with target.connect() as restored, restored.cursor() as cursor:
        counts = table_counts(cursor)
    expected = json.loads(manifest_path(dump).read_text())["tables"] if manifest_path(dump).is_file() else counts
    mismatches = {
        table: (expected.get(table), counts.get(table))
        for table in sorted(set(expected) | set(counts))
        if expected.get(table) != counts.get(table)
    }
    return Restored(tables=len(counts), rows=sum(counts.values()), mismatches=mismatches)


def _create_database(name: str) -> None:
    with Target.default("postgres").connect(autocommit=True) as server:
        exists = server.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if not exists:
            server.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def _run(command: list[str], target: Target) -> None:
    done = subprocess.run(command, env=target.env(), capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise DomainError(
            _("%(program)s failed: %(error)s") % {"program": Path(command[0]).name, "error": done.stderr.strip()}
        )
