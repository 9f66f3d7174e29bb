"""Provisional standings: every active rule ranked on what is recorded so far, never stored.

Kept in the shared cache in pieces, so that a page reads only what it shows: a small head per
computation (when, the late count, how many entries each rule has) and each rule's entries as
compact rows in chunks of ``CHUNK`` places, plus the agencies' own entries in ``AGENCY_PIECES``
pieces (an officer's place and colleagues). Showing the top 50 of 3,300 reads one chunk, not 3,300 pickled objects.

They are recomputed every ``LIVE_SECONDS`` by one worker at a time: ``core.caching.fresh_or_previous``
under the scope's lock (``awards.locks.live_lock_name``), the other workers serving the previous
standings meanwhile.
"""

import hashlib
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from campaign.models import Campaign, CampaignWeek
from collectors.models import CollectionAgency
from core import caching, clock

from ..locks import live_lock_name, ranking_lock
from ..models import AwardRule, Period, RankingEntry, Subject
from ..standings import RuleTerms, rank_standings
from .numbers import entry_from_standing, numbers_for, scope_numbers
from .viewers import OFFICER_VIEW_TOP, MyPlace, Row, Viewer

# Everyone watching the live page polls it: one computation serves them all for this long.
LIVE_SECONDS = 30
# Places per cached chunk: the live page's table is one.
CHUNK = 50
# Agencies' own entries are kept in this many pieces (by id): an officer's page reads one of them.
AGENCY_PIECES = 32
# The pieces outlive the head that points at them, also when it is served as the previous one.
PIECES_SECONDS = caching.PREVIOUS_SECONDS + 2 * LIVE_SECONDS

# An entry in the cache: its column values in this order, then its agency's code and name.
ENTRY_FIELDS = (
    "rank",
    "agency_id",
    "collector_id",
    "code",
    "name",
    "metric_value",
    "bhxh_tn_count",
    "bhyt_hgd_count",
    "bhxh_tn_amount",
    "bhyt_hgd_amount",
    "bhxh_tn_quota",
    "bhyt_hgd_quota",
    "bhxh_tn_attainment",
    "bhyt_hgd_attainment",
    "renewal_count",
    "renewal_amount",
    "late_count",
    "reached_at",
    "eligible",
    "ineligible_reason",
    "prize",
    "tie_break",
    "tied_with",
)


AGENCY_ID = ENTRY_FIELDS.index("agency_id")


def _pack(entry: RankingEntry) -> tuple:
    return (*(getattr(entry, name) for name in ENTRY_FIELDS), entry.agency.code, entry.agency.name)


def _unpack(row: tuple) -> RankingEntry:
    *values, agency_code, agency_name = row
    entry = RankingEntry(**dict(zip(ENTRY_FIELDS, values, strict=True)))
    entry.agency = CollectionAgency(pk=entry.agency_id, code=agency_code, name=agency_name)
    return entry


@dataclass
class LiveHead:
    """What one computation cached: the pieces' version, when, the late count, each rule's size."""

    token: str
    as_of: datetime
    late_count: int
    counts: list[int]
    # The entries themselves, only in the process that computed them (never pickled).
    computed: list[list[RankingEntry]] | None = field(default=None, repr=False)

    def __getstate__(self):
        return {**self.__dict__, "computed": None}


def _generation() -> int:
    """The standings' generation: it moves on every ``LIVE_SECONDS``, when they are due for recomputing."""
    return int(clock.now().timestamp()) // LIVE_SECONDS


class Live:
    """The live standings of one scope: its head, and its pieces read on demand."""

    def __init__(self, *, campaign: Campaign, week: CampaignWeek | None, rules: list[AwardRule], key: str):
        self.campaign, self.week, self.rules, self.key = campaign, week, rules, key
        self.terms = [RuleTerms.from_rule(rule) for rule in rules]
        self.head: LiveHead = caching.fresh_or_previous(
            key,
            _generation(),
            self._compute_and_keep,
            LIVE_SECONDS,
            exclusive=lambda: ranking_lock(live_lock_name(campaign.pk, week.number if week else None)),
        )

    # --- computing ----------------------------------------------------------------------------------

    def _compute(self) -> LiveHead:
        scope = scope_numbers(campaign=self.campaign, week=self.week, subjects={rule.subject for rule in self.rules})
        entries = [
            [
                entry_from_standing(s, agencies=scope.agencies)
                for s in rank_standings(terms, numbers_for(scope, rule.subject))
            ]
            for rule, terms in zip(self.rules, self.terms, strict=True)
        ]
        return LiveHead(uuid.uuid4().hex, clock.now(), scope.late_count, [len(e) for e in entries], entries)

    def _compute_and_keep(self) -> LiveHead:
        """Compute, and keep the pieces before the head that points at them is kept."""
        head = self._compute()
        pieces = {}
        for index, entries in enumerate(head.computed):
            for start in range(0, len(entries), CHUNK):
                chunk = [_pack(e) for e in entries[start : start + CHUNK]]
                pieces[self._chunk_key(head, index, start // CHUNK)] = chunk
            by_agency: dict[int, list[tuple]] = {number: [] for number in range(AGENCY_PIECES)}
            for entry in entries:
                by_agency[entry.agency_id % AGENCY_PIECES].append(_pack(entry))
            pieces.update({self._agency_key(head, index, number): rows for number, rows in by_agency.items()})
        caching.keep_many(pieces, PIECES_SECONDS)
        return head

    def _chunk_key(self, head: LiveHead, index: int, number: int) -> str:
        return f"{self.key}:{head.token}:{index}:c{number}"

    def _agency_key(self, head: LiveHead, index: int, number: int) -> str:
        return f"{self.key}:{head.token}:{index}:a{number}"

    def _recomputed(self) -> list[list[RankingEntry]]:
        """A piece has gone (evicted, the cache restarted): this request computes them itself."""
        self.head = self._compute()
        return self.head.computed

    # --- reading ------------------------------------------------------------------------------------

    def entries(self, index: int, start: int, stop: int) -> list[RankingEntry]:
        """The entries placed ``start + 1`` to ``stop`` of rule ``index``, reading only their chunks."""
        stop = min(stop, self.head.counts[index])
        if start >= stop:
            return []
        if self.head.computed is not None:
            return self.head.computed[index][start:stop]
        numbers = range(start // CHUNK, (stop - 1) // CHUNK + 1)
        keys = [self._chunk_key(self.head, index, n) for n in numbers]
        found = caching.read_many(keys)
        if len(found) < len(keys):
            return self._recomputed()[index][start:stop]
        rows = [row for key in keys for row in found[key]]
        offset = numbers[0] * CHUNK
        return [_unpack(row) for row in rows[start - offset : stop - offset]]

    def of_agency(self, index: int, agency_id: int | None) -> list[RankingEntry]:
        """Rule ``index``'s entries of one agency (itself, or its officers), by rank."""
        if agency_id is None:
            return []
        if self.head.computed is not None:
            return [e for e in self.head.computed[index] if e.agency_id == agency_id]
        key = self._agency_key(self.head, index, agency_id % AGENCY_PIECES)
        found = caching.read_many([key])
        if key not in found:
            return [e for e in self._recomputed()[index] if e.agency_id == agency_id]
        # The piece holds a few agencies: only this one's rows are turned into entries.
        return [_unpack(row) for row in found[key] if row[AGENCY_ID] == agency_id]

    def standings(self) -> list["LiveStanding"]:
        return [
            LiveStanding(rule, terms, LiveEntries(self, index), self.head.late_count, self.head.as_of)
            for index, (rule, terms) in enumerate(zip(self.rules, self.terms, strict=True))
        ]


class LiveEntries(Sequence):
    """A rule's live entries by rank, read from the cache only as far as they are looked at."""

    def __init__(self, live: Live, index: int):
        self.live, self.index = live, index

    def __len__(self) -> int:
        return self.live.head.counts[self.index]

    def __getitem__(self, item):
        if isinstance(item, slice):
            start, stop, step = item.indices(len(self))
            if step != 1:
                return self.live.entries(self.index, 0, len(self))[item]
            return self.live.entries(self.index, start, stop)
        if item < 0:
            item += len(self)
        if not 0 <= item < len(self):
            raise IndexError(item)
        return self.live.entries(self.index, item, item + 1)[0]

    def __iter__(self):
        return iter(self.live.entries(self.index, 0, len(self)))

    def of_agency(self, agency_id: int | None) -> list[RankingEntry]:
        return self.live.of_agency(self.index, agency_id)


@dataclass
class LiveStanding:
    """A rule's provisional standings, computed now and never stored."""

    rule: AwardRule
    terms: RuleTerms
    entries: LiveEntries
    late_count: int
    as_of: datetime


def provisional_standings(*, campaign: Campaign, week: CampaignWeek | None) -> list[LiveStanding]:
    """Every active rule of the scope ranked on what is recorded so far: the same arithmetic as a stored ranking.

    Kept in the shared cache for ``LIVE_SECONDS``, keyed by the campaign, the week and the rules'
    terms (an edited rule shows at once); new enrollments show within that time. The entries are
    read from the cache as far as the caller looks at them.
    """
    period = Period.WEEKLY if week is not None else Period.FINAL
    rules = list(campaign.award_rules.filter(active=True, period=period).order_by("subject", "code"))
    if not rules:
        return []
    identity = (
        str(campaign.uuid),
        week.pk if week else None,
        [(rule.pk, RuleTerms.from_rule(rule).as_dict()) for rule in rules],
    )
    key = "awards:live:" + hashlib.sha256(repr(identity).encode()).hexdigest()
    return Live(campaign=campaign, week=week, rules=rules, key=key).standings()


def live_key(standing: LiveStanding) -> tuple[str, str]:
    """(the scope's cache key, the computation ``standing`` comes from): answers built from it are keyed on them."""
    return standing.entries.live.key, standing.entries.live.head.token


# --- What a viewer sees of them --------------------------------------------------------------------------


def live_rows(viewer: Viewer, standing: LiveStanding, *, offset: int, limit: int) -> tuple[list[Row], int]:
    """The rows ``offset`` to ``offset + limit`` of what ``viewer`` may see, and how many they may see.

    The same rule as ``selectors.rows_for``, read from the cache piece by piece: staff see every
    entry; an officer every agency, and in an officer ranking the officers placed up to the last
    prize (at least the top ten) followed by their own agency's, with numbers for their agency only.
    """
    entries = standing.entries
    if not viewer.is_officer:
        return [Row(e, True, False) for e in entries[offset : offset + limit]], len(entries)
    if standing.terms.subject == Subject.AGENCY:
        rows = [Row(e, True, e.agency_id == viewer.agency_id) for e in entries[offset : offset + limit]]
        return rows, len(entries)
    top = min(max(len(standing.terms.prizes), OFFICER_VIEW_TOP), len(entries))
    own = [e for e in entries.of_agency(viewer.agency_id) if e.rank > top]
    shown = entries[offset : min(offset + limit, top)] if offset < top else []
    shown += own[max(offset - top, 0) : max(offset + limit - top, 0)]
    rows = [Row(e, e.agency_id == viewer.agency_id, e.collector_id == viewer.collector_id) for e in shown]
    return rows, top + len(own)


def live_place(viewer: Viewer, standing: LiveStanding) -> MyPlace | None:
    """An officer's own place (their agency's, in an agency ranking), read from their agency's piece."""
    if not viewer.is_officer:
        return None
    mine = standing.entries.of_agency(viewer.agency_id)
    if standing.terms.subject != Subject.AGENCY:
        mine = [e for e in mine if e.collector_id and e.collector_id == viewer.collector_id]
    return MyPlace(mine[0].rank, len(standing.entries), mine[0]) if mine else None
