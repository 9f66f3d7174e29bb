"""Writing generated columns fast: COPY on PostgreSQL, the ORM's bulk_create elsewhere (SQLite, for tests).

A table is given as columns (model attribute name → a numpy array, a list, or one value for every
row), never as model instances: at a million rows the instances alone would cost minutes. Ids are
reserved up front (``reserve_ids``), so that the rows of the next table can point at them without
reading anything back.
"""

import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC

import numpy as np
from django.db import connection

CHUNK_ROWS = 100_000
ORM_BATCH = 2_000
NULL = r"\N"
GIST_CACHE = (
    "SELECT set_config('effective_cache_size', "
    "(pg_size_bytes(current_setting('shared_buffers')) / 4 / 1024)::text || 'kB', true)"
)


def is_postgresql() -> bool:
    return connection.vendor == "postgresql"


def reserve_ids(model, count: int) -> int:
    """The first of ``count`` consecutive ids no other row takes (PostgreSQL: moves the sequence on)."""
    table = model._meta.db_table
    with connection.cursor() as cursor:
        if is_postgresql():
            cursor.execute("SELECT pg_get_serial_sequence(%s, 'id')", [table])
            (sequence,) = cursor.fetchone()
            # One statement: the block from nextval on is ours.
            cursor.execute("SELECT setval(%s, nextval(%s) + %s)", [sequence, sequence, max(count - 1, 0)])
            (last,) = cursor.fetchone()
            return last - max(count - 1, 0)
        cursor.execute(f'SELECT COALESCE(MAX(id), 0) FROM "{table}"')  # a model's own table name
        (highest,) = cursor.fetchone()
        return highest + 1


def _as_text(values, count: int) -> list[str]:
    """One column in COPY's text format (nothing generated here needs escaping).

    numpy's own conversions to text are slow per value: ints go through Python's ``str``, dates are
    formatted once per distinct value.
    """
    if isinstance(values, np.ndarray):
        kind = values.dtype.kind
        if kind == "M":
            unit = np.datetime_data(values.dtype)[0]
            distinct, inverse = np.unique(values, return_inverse=True)
            text = np.datetime_as_string(distinct, unit="D" if unit == "D" else "s").tolist()
            text = [NULL if t.startswith("NaT") else t if unit == "D" else f"{t}+00" for t in text]
            return [text[i] for i in inverse.tolist()]
        if kind == "b":
            return np.where(values, "t", "f").tolist()
        if kind in "iu":
            return list(map(str, values.tolist()))
        return values.astype(str).tolist() if kind != "U" else values.tolist()
    if isinstance(values, list):
        return [NULL if v is None else str(v) for v in values]
    text = NULL if values is None else ("t" if values is True else "f" if values is False else str(values))
    return [text] * count


def _as_python(values, count: int) -> Sequence:
    if isinstance(values, np.ndarray):
        if values.dtype.kind == "M" and np.datetime_data(values.dtype)[0] != "D":
            return [None if v is None else v.replace(tzinfo=UTC) for v in values.astype("datetime64[us]").tolist()]
        return values.tolist()
    if isinstance(values, list):
        return values
    return [values] * count


def write_rows(model, columns: dict, count: int) -> int:
    """Insert ``count`` rows of ``model`` from ``columns``; returns ``count``."""
    if not count:
        return 0
    if is_postgresql():
        fields = {f.attname: f.column for f in model._meta.concrete_fields}
        names = ", ".join(f'"{fields[name]}"' for name in columns)
        sql = f'COPY "{model._meta.db_table}" ({names}) FROM STDIN'
        with connection.cursor() as cursor, cursor.copy(sql) as copy:
            for start in range(0, count, CHUNK_ROWS):
                stop = min(start + CHUNK_ROWS, count)
                chunk = [_as_text(_slice(values, start, stop), stop - start) for values in columns.values()]
                copy.write("\n".join(map("\t".join, zip(*chunk, strict=True))) + "\n")
        return count
    for start in range(0, count, CHUNK_ROWS):
        stop = min(start + CHUNK_ROWS, count)
        chunk = {name: _as_python(_slice(values, start, stop), stop - start) for name, values in columns.items()}
        names = list(chunk)
        model.objects.bulk_create(
            (model(**dict(zip(names, row, strict=True))) for row in zip(*chunk.values(), strict=True)),
            batch_size=ORM_BATCH,
        )
    return count


def _slice(values, start: int, stop: int):
    if isinstance(values, (np.ndarray, list)):
        return values[start:stop]
    return values


@contextmanager
def indexes_built_after(models, *, log: Callable[[str], None] = lambda message: None) -> Iterator[None]:
    """PostgreSQL: drop the tables' secondary indexes, unique, exclusion and foreign-key constraints, load, then
    put every one of them back as it was (same name, same definition).

    Building an index from a million rows at once is many times faster than keeping it up to date row
    by row, and a foreign key added afterwards checks every row in one join instead of one query per
    row. Nothing is skipped: each constraint is validated over all rows when it is added back, so a
    row that breaks one fails the whole load. Check constraints stay in place (they cost nothing).
    Other sessions wait for the tables until the transaction ends (the DDL locks them). Elsewhere: nothing.
    """
    if not is_postgresql() or not models:
        yield
        return
    dropped: list[tuple[str, str, str]] = []  # (table, kind, definition)
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL maintenance_work_mem = '512MB'")
        for model in models:
            table = model._meta.db_table
            cursor.execute(
                """
                SELECT c.conname, pg_get_constraintdef(c.oid) FROM pg_constraint c
                WHERE c.conrelid = %s::regclass AND c.contype IN ('f', 'u', 'x')
                  AND NOT EXISTS (SELECT 1 FROM pg_constraint r WHERE r.contype = 'f' AND r.conindid = c.conindid
                                  AND c.contype <> 'f' AND r.oid <> c.oid)
                ORDER BY c.contype DESC, c.conname
                """,
                [table],
            )
            for name, definition in cursor.fetchall():
                dropped.append((table, "constraint", f'ALTER TABLE "{table}" ADD CONSTRAINT "{name}" {definition}'))
                cursor.execute(f'ALTER TABLE "{table}" DROP CONSTRAINT "{name}"')
            cursor.execute(
                """
                SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid) FROM pg_index i
                WHERE i.indrelid = %s::regclass AND NOT i.indisprimary
                  AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid)
                """,
                [table],
            )
            for name, definition in cursor.fetchall():
                dropped.append((table, "index", definition))
                cursor.execute(f"DROP INDEX {name}")
    yield
    analyze(models)  # the foreign keys' checks are joins: they need the loaded tables' statistics
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_setting('effective_cache_size')")
        (cache_size,) = cursor.fetchone()
        # Indexes first: the unique ones then back the constraints' checks, the plain ones the joins.
        for _table, _kind, definition in sorted(dropped, key=lambda d: d[1] != "index"):
            started = time.perf_counter()
            gist = "USING gist" in definition
            if gist:
                # A GiST index is built row by row, and switches to its buffered build once it outgrows
                # effective_cache_size (4 GB by default, which it never does here). The shared buffers are
                # what keeps its pages, and other databases and the heap scan want them too: told a quarter
                # of them (32 MB of 128), a million rows' index (about 100 MB) is built buffered, which
                # measured 1.2x faster on this machine (151 s against 182 s); small ones are not affected.
                cursor.execute(GIST_CACHE)
            cursor.execute(definition)
            if gist:
                cursor.execute("SELECT set_config('effective_cache_size', %s, true)", [cache_size])
            log(f"    {time.perf_counter() - started:6.1f} s  {definition[:110]}")


def analyze(models) -> None:
    """Fresh planner statistics after a bulk load (PostgreSQL; SQLite's planner needs none for tests)."""
    if not is_postgresql():
        return
    with connection.cursor() as cursor:
        for model in models:
            cursor.execute(f'ANALYZE "{model._meta.db_table}"')
