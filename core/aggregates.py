"""PostgreSQL settings for the rankings' GROUP BY, which reads up to every enrollment of a campaign,
and for the renewal lists' query (``enrollments/renewals/selectors.py``), which probes every person
of the communes an agency serves.

With the server's defaults the planner JIT-compiles the final ranking's (0.39 s of compiling,
measured at 1,000,000 enrollments, for a statement that then ran 3.6 s) and sorts its rows in 4 MB
of memory, spilling 80 MB to disk over three processes (a week's 55,000 rows spill too); with
these settings it is a hash aggregate in memory. ``SET LOCAL`` keeps them to the current
transaction, so no other statement of the connection is affected. Elsewhere (SQLite) it does nothing.

Not for the coverage snapshot's COUNT(DISTINCT): with more memory the planner gives up its
parallel plan for one in-memory sort, which measured slower.
"""

from collections.abc import Iterator
from contextlib import contextmanager

from django.db import connection, transaction

# Enough for the rankings' hash aggregate (about 7 MB a process) or their sort of a week (5 MB).
WORK_MEM = "32MB"


@contextmanager
def large_aggregates() -> Iterator[None]:
    """Run the block in a transaction (the caller's, if in one) tuned for an aggregate over a campaign.

    The settings last until the outermost transaction ends.
    """
    with transaction.atomic(savepoint=False):
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute(f"SET LOCAL jit = off; SET LOCAL work_mem = '{WORK_MEM}'")
        yield
