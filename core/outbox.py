"""Follow-up work of a committed write is never lost because Redis is away (issue 10, "Failures").

A write commits in PostgreSQL; what follows it goes to Redis: moving a cache generation on
(``core.freshness``) and enqueuing Celery tasks. With Redis down those calls fail, and before
this module the work was only logged and lost: figures cached before the outage were served as
current once Redis came back, and a task the broker refused was never run. Now a call that
cannot reach Redis keeps its work as a ``PendingWork`` row in the database, and ``flush`` (beat
runs ``core.tasks.flush_pending_work`` every minute) does it once Redis answers again, oldest
first. The write itself never waits for Redis and never fails because of it.

The work is done at least once: tasks sent through here must be safe to run twice (every task
of the project is). The one gap left is a process killed between its commit and the call to
Redis; the tasks' own dispatchers (beat) find such work again on their next round.
"""

import logging
from collections.abc import Callable

from celery import current_app
from django.db import DatabaseError, transaction
from kombu.exceptions import OperationalError as BrokerError
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeout

from .models import PendingWork

logger = logging.getLogger(__name__)

# What "Redis is not there" looks like from the cache (redis-py) and the broker (kombu).
UNREACHABLE = (BrokerError, RedisConnectionError, RedisTimeout, OSError)
FLUSH_BATCH = 500


def enqueue_on_commit(task, *args, **kwargs) -> None:
    """Send ``task`` once the current transaction commits; kept for later if the broker is down."""
    transaction.on_commit(lambda: send(task.name, args, kwargs))


def send(name: str, args=(), kwargs=None) -> bool:
    """Enqueue the task called ``name``; False when the broker was unreachable and the task was kept."""
    task = current_app.tasks[name]
    if current_app.conf.task_always_eager:
        task.apply_async(args=list(args), kwargs=kwargs or {})  # no broker: the task runs here and now
        return True
    try:
        task.apply_async(args=list(args), kwargs=kwargs or {})
    except UNREACHABLE as exc:
        keep(PendingWork.Kind.TASK, name, args=list(args), kwargs=kwargs or {}, error=exc)
        return False
    return True


def keep(kind: str, name: str, *, args=(), kwargs=None, error: BaseException | None = None) -> None:
    """Store work Redis could not take now. If the database is down too, all that is left is the log."""
    logger.warning("Redis unavailable: %s %s kept for later (%s)", kind, name, error)
    try:
        PendingWork.objects.create(
            kind=kind, name=name, args=list(args), kwargs=kwargs or {}, last_error=_text(error), attempts=1
        )
    except DatabaseError:
        logger.exception("could not keep %s %s for later; it is lost", kind, name)


def flush(limit: int = FLUSH_BATCH) -> int:
    """Do the kept work, oldest first; stop at the first failure (Redis still away). The number done.

    Rows are locked (SKIP LOCKED) so that two flushes at once never do the same work twice.
    """
    from . import freshness

    done: set[tuple[str, str]] = set()
    handlers: dict[str, Callable[[PendingWork], None]] = {
        PendingWork.Kind.BUMP: lambda work: freshness.bump_or_raise(work.name),
        PendingWork.Kind.TASK: lambda work: _send_or_raise(work.name, work.args, work.kwargs),
    }
    count = 0
    with transaction.atomic():
        for work in PendingWork.objects.select_for_update(skip_locked=True).order_by("pk")[:limit]:
            key = (work.kind, work.name)
            try:
                if work.kind != PendingWork.Kind.BUMP or key not in done:  # one bump per key refreshes it
                    handlers[work.kind](work)
            except UNREACHABLE as exc:
                PendingWork.objects.filter(pk=work.pk).update(attempts=work.attempts + 1, last_error=_text(exc))
                logger.warning("Redis still unavailable; %s pending work left for the next flush", work)
                break
            done.add(key)
            work.delete()
            count += 1
    return count


def pending() -> int:
    return PendingWork.objects.count()


def _send_or_raise(name: str, args: list, kwargs: dict) -> None:
    current_app.tasks[name].apply_async(args=args, kwargs=kwargs)


def _text(error: BaseException | None) -> str:
    return "" if error is None else f"{type(error).__name__}: {error}"[:500]
