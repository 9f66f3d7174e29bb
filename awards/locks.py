"""One computation of a ranking at a time (core.locks), with the rankings' own message."""

from contextlib import AbstractContextManager

from django.utils.translation import gettext_lazy as _

from core.locks import Busy, exclusive
from core.locks import advisory_key as _advisory_key  # noqa: F401 (tests take the key another worker holds)


class RankingBusy(Busy):
    """Another worker is computing the same rankings right now."""

    default_message = _("These rankings are being computed right now; try again in a minute.")


def lock_name(campaign_id: int, week_number: int | None) -> str:
    return f"awards:rankings:{campaign_id}:{'final' if week_number is None else week_number}"


def ranking_lock(name: str) -> AbstractContextManager[None]:
    """Hold ``name`` for the block, which runs in a transaction; raise RankingBusy if it is taken."""
    return exclusive(name, busy=RankingBusy)


def live_lock_name(campaign_id: int, week_number: int | None) -> str:
    """Held while one worker recomputes the live standings of a scope (never while storing a ranking)."""
    return f"awards:live:{campaign_id}:{'final' if week_number is None else week_number}"
