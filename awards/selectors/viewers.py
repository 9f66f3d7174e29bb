"""What each role may see of a ranking: staff everything, an officer the ranking and their own agency."""

from dataclasses import dataclass

from collectors.roles import Role, role_of
from collectors.scoping import agency_of, collector_of

from ..models import RankingEntry, Subject

# An officer sees every officer placed up to this rank (or up to the last prize, if further down).
OFFICER_VIEW_TOP = 10


# --- What a viewer sees ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Row:
    entry: RankingEntry
    numbers_shown: bool
    is_mine: bool


@dataclass(frozen=True)
class Viewer:
    """Who is looking: staff see everything; an officer sees the ranking and their own agency's numbers."""

    role: Role | None
    agency_id: int | None
    collector_id: int | None

    @classmethod
    def of(cls, user) -> "Viewer":
        role = role_of(user)
        if role != Role.OFFICER:
            return cls(role, None, None)
        agency, collector = agency_of(user), collector_of(user)
        return cls(role, agency.pk if agency else None, collector.pk if collector else None)

    @property
    def is_officer(self) -> bool:
        return self.role == Role.OFFICER

    @property
    def sees_drafts(self) -> bool:
        return self.role in (Role.ADMIN, Role.PROVINCIAL)


def rows_for(viewer: Viewer, entries: list[RankingEntry], *, subject: str, prize_count: int) -> list[Row]:
    """The rows ``viewer`` may see of a ranking.

    Agencies are organisations: everyone sees the whole agency ranking with its numbers. In an
    officer ranking an officer sees the officers placed up to the last prize (at least the top
    ten) by rank, name, agency, score and prize, and every officer of their own agency with the
    numbers behind; the counts and amounts of other agencies' people stay hidden.
    """
    if not viewer.is_officer:
        return [Row(entry, True, False) for entry in entries]
    if subject == Subject.AGENCY:
        return [Row(entry, True, entry.agency_id == viewer.agency_id) for entry in entries]
    top = max(prize_count, OFFICER_VIEW_TOP)
    return [
        Row(entry, entry.agency_id == viewer.agency_id, entry.collector_id == viewer.collector_id)
        for entry in entries
        if entry.rank <= top or entry.agency_id == viewer.agency_id
    ]


@dataclass(frozen=True)
class MyPlace:
    rank: int
    of: int
    entry: RankingEntry


def my_place(viewer: Viewer, entries: list[RankingEntry], *, subject: str) -> MyPlace | None:
    """An officer's own rank in an officer ranking, or their agency's in an agency ranking."""
    if not viewer.is_officer:
        return None
    if subject == Subject.AGENCY:
        mine = next((e for e in entries if e.agency_id == viewer.agency_id), None)
    else:
        mine = next((e for e in entries if e.collector_id and e.collector_id == viewer.collector_id), None)
    return MyPlace(mine.rank, len(entries), mine) if mine else None
