"""The audit trail as admins read it: the history rows of every audited model, newest first, with what changed.

The rows are simple-history's (core/audit.py says who each names). Each kind of object is read
with a few queries whatever the page's length: its rows, the rows just before them (to say
what changed), and the names the rows point to. Personal data is masked here, once, for every
line of the page (enrollments/identity.py's masks): the list shows that a CCCD, birth date or
phone changed, never the number itself.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime

from django.contrib.auth import get_user_model
from django.db.models import Model, OuterRef, QuerySet, Subquery
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from awards.models import AwardRule, Ranking
from campaign.models import CampaignWeek, PolicyParameters
from collectors.models import CollectionAgency, Collector, WeeklyQuota
from enrollments.identity import mask_cccd
from enrollments.models import Enrollment, Household, Participant
from enrollments.privacy import PERSONAL_MASKS

ACTIONS = {
    "+": pgettext_lazy("audit action", "created"),
    "~": pgettext_lazy("audit action", "changed"),
    "-": pgettext_lazy("audit action", "deleted"),
}
# Fields every save touches, or that only the computation reads: a change of them alone says nothing.
IGNORED = {"updated_at", "fingerprint"}
SHOWN_CHARS = 120  # a long value (a ranking's rule as applied) is cut on the page; the row keeps it whole


@dataclass(frozen=True)
class Change:
    field: str
    old: str
    new: str


@dataclass
class Entry:
    when: datetime
    who: str
    kind: str
    kind_label: str
    action: str
    action_label: str
    object_id: int
    label: str
    reason: str
    changes: list[Change] = field(default_factory=list)


def _names(model: type[Model], ids: set[int], label: Callable) -> dict[int, str]:
    return {obj.pk: label(obj) for obj in model.objects.filter(pk__in=ids)} if ids else {}


def _person(person) -> str:
    return f"{person.full_name} · {mask_cccd(person.cccd)}"


@dataclass(frozen=True)
class Kind:
    """One audited model: how its rows are named on the page, and which ids of other rows name them."""

    model: type[Model]
    label: Callable[[Model, dict], str]
    refs: Callable[[list], dict] = lambda rows: {}

    @property
    def history(self) -> type[Model]:
        return self.model.history.model


def _enrollment_refs(rows: list) -> dict:
    return {"people": _names(Participant, {r.participant_id for r in rows}, _person)}


def _quota_refs(rows: list) -> dict:
    return {
        "agencies": _names(CollectionAgency, {r.agency_id for r in rows}, lambda a: a.code),
        "weeks": _names(CampaignWeek, {r.week_id for r in rows}, lambda w: str(w.number)),
    }


def _ranking_refs(rows: list) -> dict:
    return {"rules": _names(AwardRule, {r.rule_id for r in rows}, lambda rule: rule.code)}


def _week(refs: dict, week_id) -> str:
    return _("week %(number)s") % {"number": refs["weeks"].get(week_id, week_id)}


KINDS: dict[str, tuple[str, Kind]] = {
    "participant": (
        _("person"),
        Kind(Participant, lambda r, refs: _person(r)),
    ),
    "household": (_("household"), Kind(Household, lambda r, refs: r.code)),
    "enrollment": (
        _("enrollment"),
        Kind(
            Enrollment,
            lambda r, refs: f"{refs['people'].get(r.participant_id, r.participant_id)} · {r.get_product_display()}",
            _enrollment_refs,
        ),
    ),
    "quota": (
        _("weekly quota"),
        Kind(
            WeeklyQuota,
            lambda r, refs: (
                f"{refs['agencies'].get(r.agency_id, r.agency_id)} · {_week(refs, r.week_id)}"
                f" · {r.get_product_display()}"
            ),
            _quota_refs,
        ),
    ),
    "award_rule": (_("award rule"), Kind(AwardRule, lambda r, refs: f"{r.code} · {r.name}")),
    "ranking": (
        _("ranking"),
        Kind(
            Ranking,
            lambda r, refs: f"{refs['rules'].get(r.rule_id, r.rule_id)} · v{r.version} · {r.get_status_display()}",
            _ranking_refs,
        ),
    ),
    "policy": (_("policy parameters"), Kind(PolicyParameters, lambda r, refs: f"{r.effective_from:%d/%m/%Y}")),
    "collector": (_("collection officer"), Kind(Collector, lambda r, refs: f"{r.name} ({r.code})")),
    "user": (_("user account and role"), Kind(get_user_model(), lambda r, refs: r.username)),
}


def _shown(field_obj, value) -> str:
    if value is None or value == "":
        return "—"
    if field_obj.name in PERSONAL_MASKS:
        return PERSONAL_MASKS[field_obj.name](value) or "—"
    if field_obj.choices:
        return str(dict(field_obj.flatchoices).get(value, value))
    if isinstance(value, datetime):
        return f"{value:%d/%m/%Y %H:%M}"
    if isinstance(value, date):
        return f"{value:%d/%m/%Y}"
    if isinstance(value, bool):
        return str(_("yes") if value else _("no"))
    text = str(value)
    return text if len(text) <= SHOWN_CHARS else text[: SHOWN_CHARS - 1] + "…"


def _changes(kind: Kind, row, before) -> list[Change]:
    """What this row holds that the one before it did not (everything, for a creation)."""
    changes = []
    for tracked in kind.history.tracked_fields:
        if tracked.name in IGNORED:
            continue
        new = getattr(row, tracked.attname)
        old = getattr(before, tracked.attname) if before is not None else None
        if before is not None and old == new:
            continue
        if before is None and (new is None or new == ""):
            continue
        changes.append(Change(str(tracked.verbose_name), _shown(tracked, old), _shown(tracked, new)))
    return changes


def _role_names(groups: set[str]) -> str:
    return ", ".join(sorted(groups)) or "—"


def _group_changes(rows: list, previous: dict) -> dict[int, Change]:
    """For user rows: the roles (groups) each row holds against the row before, in one query."""
    through = get_user_model().history.model._meta.get_field("historicaluser_groups").related_model
    ids = {r.history_id for r in rows} | {p.history_id for p in previous.values() if p is not None}
    held: dict[int, set[str]] = {}
    for history_id, name in through.objects.filter(history_id__in=ids).values_list("history_id", "group__name"):
        held.setdefault(history_id, set()).add(name)
    found = {}
    for row in rows:
        before = previous.get(row.history_id)
        new = held.get(row.history_id, set())
        old = held.get(before.history_id, set()) if before is not None else set()
        if new != old:
            found[row.history_id] = Change(str(_("roles")), _role_names(old), _role_names(new))
    return found


def _rows(kind: Kind, *, person_ids: set[int] | None, household_ids: set[int], user: str, before, limit: int):
    rows: QuerySet = kind.history.objects.select_related("history_user").order_by("-history_date", "-history_id")
    if person_ids is not None:
        if kind.model is Participant:
            rows = rows.filter(id__in=person_ids)
        elif kind.model is Enrollment:
            rows = rows.filter(participant_id__in=person_ids)
        elif kind.model is Household:
            rows = rows.filter(id__in=household_ids)
        else:
            return []
    if user:
        rows = rows.filter(history_user__username=user)
    if before is not None:
        rows = rows.filter(history_date__lt=before)
    earlier = kind.history.objects.filter(id=OuterRef("id"), history_id__lt=OuterRef("history_id"))
    rows = rows.annotate(previous_id=Subquery(earlier.order_by("-history_id").values("history_id")[:1]))
    return list(rows[:limit])


def _entries(key: str, label: str, kind: Kind, rows: list) -> list[Entry]:
    previous_ids = {r.previous_id for r in rows if r.previous_id}
    previous = {p.history_id: p for p in kind.history.objects.filter(history_id__in=previous_ids)}
    previous_of = {r.history_id: previous.get(r.previous_id) for r in rows}
    roles = _group_changes(rows, previous_of) if kind.model is get_user_model() else {}
    refs = kind.refs(rows)
    entries = []
    for row in rows:
        changes = _changes(kind, row, previous_of[row.history_id]) if row.history_type != "-" else []
        if row.history_id in roles:
            changes.append(roles[row.history_id])
        entries.append(
            Entry(
                when=row.history_date,
                who=row.history_user.get_username() if row.history_user else "",
                kind=key,
                kind_label=str(label),
                action=row.history_type,
                action_label=str(ACTIONS[row.history_type]),
                object_id=row.id,
                label=kind.label(row, refs),
                reason=row.history_change_reason or "",
                changes=changes,
            )
        )
    return entries


def _person_scope(cccd: str) -> tuple[set[int], set[int]]:
    """The people a CCCD names (also one changed or removed since) and the households they were in."""
    history = Participant.history.model.objects.filter(cccd=cccd)
    person_ids = set(history.values_list("id", flat=True)) | set(
        Participant.objects.filter(cccd=cccd).values_list("pk", flat=True)
    )
    households = set(
        Participant.history.model.objects.filter(id__in=person_ids, household_id__isnull=False).values_list(
            "household_id", flat=True
        )
    )
    return person_ids, households


def audit_trail(
    *, kind: str = "", cccd: str = "", user: str = "", before: datetime | None = None, limit: int = 50
) -> list[Entry]:
    """The newest ``limit`` history rows (older than ``before``), of one kind or all, for one person or all."""
    person_ids, household_ids = _person_scope(cccd) if cccd else (None, set())
    entries: list[Entry] = []
    for key, (label, audited) in KINDS.items():
        if kind and key != kind:
            continue
        rows = _rows(audited, person_ids=person_ids, household_ids=household_ids, user=user, before=before, limit=limit)
        entries += _entries(key, label, audited, rows)
    entries.sort(key=lambda e: e.when, reverse=True)
    return entries[:limit]
