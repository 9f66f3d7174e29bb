"""Who is due for renewal on a day, and who lapsed (DOMAIN.md "Renewals"), in a fixed number of queries.

A person's coverage of a product ends on E, the later of their prior coverage and this system's
not-cancelled enrollments. On day T they are due within N days when T <= E <= T + N, and lapsed
when E < T; whether a lapsed person renews or rejoins (and so earns a mug) is
``classification.classify`` and ``vocabulary.earns_mug``, never decided here. People with an
enrollment of the product belong to the agency of their latest one; people known only from
prior coverage belong to their commune.

The database counts, orders and pages a list (``RenewalList``): three sources per product (each
participant's latest enrollment, participants with none, people known only from prior coverage)
in one UNION, ranked by status from the end's column, counted with one GROUP BY and read with
LIMIT/OFFSET, or whole from a server-side cursor. Python builds only the rows asked for, a page or
a chunk at a time, each with a handful of queries whatever its length (households' ladders, State
support used, mugs, agencies, the last contact); the amounts are the quote functions of
``contributions`` with the policy in force on T.
"""

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace
from datetime import date, timedelta

from dateutil.relativedelta import relativedelta
from django.db import connection
from django.db.models import BigIntegerField, CharField, Exists, F, IntegerField, OuterRef, Q, Subquery, Value
from django.db.models.functions import Cast, Coalesce, Greatest
from django.utils.translation import gettext_lazy as _

from campaign.models import Campaign, Commune, Product
from collectors.models import CollectionAgency
from collectors.roles import Role, role_of
from collectors.scoping import agency_of, in_province, visible_to
from core.aggregates import large_aggregates
from core.errors import DomainError

from ..classification import Classification, classify
from ..contributions import Policy, quote_bhxh, quote_bhyt
from ..identity import mask_cccd, mask_phone
from ..models import Enrollment, GiftIssue, Participant, PriorCoverage
from ..privacy import sees_personal_data
from ..selectors import members_on_the_ladder, policy_on, supported_months_by_person
from ..vocabulary import NOT_CANCELLED, earns_mug
from .models import RenewalContact

WINDOWS = (30, 60)
# How far back a lapse is still listed: people lapsed longer ago are rejoiners like any newcomer.
LAPSED_LISTED_FOR = relativedelta(months=12)


class RenewalStatus:
    DUE = "due"
    LAPSED_RENEW = "lapsed_renew"
    LAPSED_REJOIN = "lapsed_rejoin"

    LABELS = {
        DUE: _("due for renewal"),
        LAPSED_RENEW: _("lapsed: renews, no mug"),
        LAPSED_REJOIN: _("lapsed: rejoins, mug due"),
    }
    ORDER = (DUE, LAPSED_RENEW, LAPSED_REJOIN)


@dataclass(frozen=True)
class RenewalFilters:
    within: int = 30
    product: str = ""
    agency: str = ""  # agency code
    commune: str = ""  # commune code
    status: str = ""
    cccd: str = ""


@dataclass(frozen=True)
class RenewalRow:
    cccd: str  # as the viewer may see it
    full_cccd: str  # for links and the contact form of those who may act on the person; never shown masked
    full_name: str
    phone: str
    masked: bool
    product: str
    coverage_end: date
    status: str
    days_left: int
    agency_id: int | None
    agency_code: str
    agency_name: str
    commune_code: str
    commune_name: str
    household_code: str
    last_months: int | None
    amount: int | None  # what renewing for ``last_months`` costs today, under the rates in force
    mug_due: bool
    contact: RenewalContact | None = None

    @property
    def status_label(self) -> str:
        return str(RenewalStatus.LABELS[self.status])

    @property
    def known_only_from_prior_coverage(self) -> bool:
        return self.agency_id is None


def status_on(end: date, today: date) -> str:
    if end >= today:
        return RenewalStatus.DUE
    if classify(last_coverage_end=end, collected_on=today) == Classification.REJOIN:
        return RenewalStatus.LAPSED_REJOIN
    return RenewalStatus.LAPSED_RENEW


# --- the two sources ------------------------------------------------------------------------------


def _window(today: date, within: int) -> tuple[date, date]:
    return today - LAPSED_LISTED_FOR, today + relativedelta(days=within)


def _participants(product: str, low: date, high: date, *, before: date | None = None):
    """Participants whose latest coverage of ``product`` ends in [low, high], annotated with it.

    With ``before``, the coverage as it stood then: only enrollments collected before that day count.
    """
    ours = Enrollment.objects.filter(NOT_CANCELLED, product=product)
    if before is not None:
        ours = ours.filter(collected_on__lt=before)
    latest = ours.filter(participant=OuterRef("pk")).order_by("-coverage_end", "-recorded_at")
    prior = PriorCoverage.objects.filter(cccd=OuterRef("cccd"), product=product)
    # The prior coverage is probed per person through its (cccd, product) key: as ``cccd IN (…)`` the
    # province's million rows in the window outgrow a hash in memory, and PostgreSQL would scan them
    # all again for every person (minutes at 3.3 million people).
    ends_in_window = Q(pk__in=ours.filter(coverage_end__range=(low, high)).values("participant")) | Q(
        Exists(
            PriorCoverage.objects.filter(cccd=OuterRef("cccd"), product=product, last_coverage_end__range=(low, high))
        )
    )
    return (
        Participant.objects.filter(ends_in_window)
        .annotate(
            ours_end=Subquery(latest.values("coverage_end")[:1]),
            prior_end=Subquery(prior.values("last_coverage_end")[:1]),
            latest_agency=Subquery(latest.values("agency")[:1]),
            last_months=Subquery(latest.values("months")[:1]),
            last_income=Subquery(latest.values("income")[:1]),
            last_support_group=Subquery(latest.values("support_group")[:1]),
        )
        .annotate(end=Greatest(Coalesce("ours_end", "prior_end"), Coalesce("prior_end", "ours_end")))
        .filter(end__range=(low, high))
        .select_related("commune", "household")
    )


def coverage_ending_between(product: str, low: date, high: date, *, before: date):
    """Participants and people known only from prior coverage whose coverage of ``product``, as it
    stood on ``before`` (enrollments collected before that day, and prior coverage), ends in [low, high].

    The same latest end E as the lists (the later of prior coverage and not-cancelled enrollments),
    read per person rather than from the latest enrollment (``tests/test_paging.py`` checks they agree);
    participants carry ``end``, ``latest_agency`` (the agency of that latest enrollment) and their
    commune. What the dashboards' retention counts as due (``dashboard/retention.py``).
    """
    return _participants(product, low, high, before=before), _prior_only(product, low, high)


def _prior_only(product: str, low: date, high: date):
    """People known only from prior coverage (no Participant row yet) whose coverage ends in [low, high]."""
    return (
        PriorCoverage.objects.filter(product=product, last_coverage_end__range=(low, high))
        .filter(~Exists(Participant.objects.filter(cccd=OuterRef("cccd"))))
        .select_related("commune")
    )


def _latest_enrollments(product: str, low: date, high: date):
    """The lists' first source: each participant's latest not-cancelled enrollment of ``product`` (latest
    coverage end, then latest recorded, then highest id), where it or the person's prior coverage ends in
    [low, high]; annotated with the list's columns, the end being the later of the two.

    One row per enrollment, so an officer's part is read from their agency's enrollments (the agency
    of the latest one is whose the person is), each probed once for a later one and once for the prior
    coverage, instead of computing every candidate's latest enrollment field by field.
    """
    live = Enrollment.objects.filter(NOT_CANCELLED, product=product)
    at = OuterRef("coverage_end"), OuterRef("recorded_at")
    later = live.filter(participant=OuterRef("participant")).filter(
        Q(coverage_end__gt=at[0])
        | Q(coverage_end=at[0], recorded_at__gt=at[1])
        | Q(coverage_end=at[0], recorded_at=at[1], pk__gt=OuterRef("pk"))
    )
    prior = PriorCoverage.objects.filter(cccd=OuterRef("participant__cccd"), product=product)
    prior_end = Subquery(prior.values("last_coverage_end")[:1])
    return _with_columns(
        live.filter(
            Q(coverage_end__range=(low, high)) | Exists(prior.filter(last_coverage_end__range=(low, high)))
        ).filter(~Exists(later)),
        r_pk=F("participant_id"),
        r_cccd=F("participant__cccd"),
        r_full_name=F("participant__full_name"),
        r_phone=F("participant__phone"),
        r_product=Value(product, output_field=CharField()),
        r_end=Greatest("coverage_end", Coalesce(prior_end, "coverage_end")),
        r_agency=F("agency_id"),
        r_months=F("months"),
        r_income=F("income"),
        r_support_group=F("support_group"),
        r_household=F("participant__household_id"),
        r_household_code=F("participant__household__code"),
        r_commune_code=F("participant__commune__code"),
        r_commune_name=F("participant__commune__name"),
    )


# The columns a source may lack (no Participant row, no enrollment, no household row), NULL then.
_NULLABLE = {
    "r_pk": BigIntegerField,
    "r_agency": BigIntegerField,
    "r_months": IntegerField,
    "r_income": BigIntegerField,
    "r_support_group": CharField,
    "r_household": BigIntegerField,
}


def _with_columns(queryset, **columns):
    """``queryset`` with every column of the list (``_ALIASES``): those given, NULL for the others."""
    nulls = {alias: Cast(Value(None), field()) for alias, field in _NULLABLE.items() if alias not in columns}
    return queryset.annotate(**columns, **nulls)


def _without_enrollment(product: str, low: date, high: date):
    """The second source: participants with no not-cancelled enrollment of ``product`` whose prior
    coverage of it ends in [low, high] (nobody's: they go with their commune)."""
    prior = PriorCoverage.objects.filter(cccd=OuterRef("cccd"), product=product)
    live = Enrollment.objects.filter(NOT_CANCELLED, product=product, participant=OuterRef("pk"))
    return _with_columns(
        Participant.objects.filter(Exists(prior.filter(last_coverage_end__range=(low, high)))).filter(~Exists(live)),
        r_pk=F("pk"),
        r_cccd=F("cccd"),
        r_full_name=F("full_name"),
        r_phone=F("phone"),
        r_product=Value(product, output_field=CharField()),
        r_end=Subquery(prior.values("last_coverage_end")[:1]),
        r_household=F("household_id"),
        r_household_code=F("household__code"),
        r_commune_code=F("commune__code"),
        r_commune_name=F("commune__name"),
    )


def _prior_columns(prior_only):
    """The third source, people known only from prior coverage, with the list's columns."""
    return _with_columns(
        prior_only,
        r_cccd=F("cccd"),
        r_full_name=F("full_name"),
        r_phone=F("phone"),
        r_product=F("product"),
        r_end=F("last_coverage_end"),
        r_household_code=F("household_code"),
        r_commune_code=F("commune__code"),
        r_commune_name=F("commune__name"),
    )


def _scoped(user, latest, unowned, prior_only):
    """An officer sees the people whose latest enrollment is their agency's, and the people nobody
    enrolled (no live enrollment of the product, or known only from prior coverage) in the communes it serves."""
    if role_of(user) in (Role.ADMIN, Role.PROVINCIAL):
        return (
            in_province(user, latest, "participant__commune__province"),
            in_province(user, unowned, "commune__province"),
            in_province(user, prior_only, "commune__province"),
        )
    if agency_of(user) is None:
        return latest.none(), unowned.none(), prior_only.none()
    served = visible_to(user, Commune.objects.all(), agency_field="agencies").values("pk")
    return (
        visible_to(user, latest, agency_field="agency"),
        unowned.filter(commune__in=served),
        prior_only.filter(commune__in=served),
    )


def _filtered(filters: RenewalFilters, latest, unowned, prior_only):
    if filters.agency:
        latest = latest.filter(agency__in=CollectionAgency.objects.filter(code=filters.agency).values("pk"))
        unowned, prior_only = unowned.none(), prior_only.none()
    if filters.commune:
        latest = latest.filter(participant__commune__code=filters.commune)
        unowned, prior_only = (
            unowned.filter(commune__code=filters.commune),
            prior_only.filter(commune__code=filters.commune),
        )
    if filters.cccd:
        latest = latest.filter(participant__cccd=filters.cccd)
        unowned, prior_only = unowned.filter(cccd=filters.cccd), prior_only.filter(cccd=filters.cccd)
    return latest, unowned, prior_only


# --- amounts, mugs and contacts, for all rows at once -------------------------------------------------


@dataclass
class _Context:
    today: date
    policy: Policy | None
    campaign: Campaign | None
    ladders: dict
    support_used: dict
    with_mug: set


def _amount(context: _Context, person, product: str) -> int | None:
    """What renewing for the same period costs today; None when it cannot be quoted (no rates, no income)."""
    policy = context.policy
    if policy is None:
        return None
    try:
        if product == Product.BHYT_HGD:
            others = context.ladders.get(person.household_id, set()) - {person.pk}
            months = person.last_months or max(policy.bhyt_months)
            return quote_bhyt(policy, months=months, member_order=1 + len(others)).amount_payable
        if person.last_income is None:
            return None
        return quote_bhxh(
            policy,
            months=person.last_months,
            income=person.last_income,
            support_groups=[person.last_support_group] if person.last_support_group else [],
            supported_months_used=context.support_used.get(person.pk, 0),
        ).amount_payable
    except DomainError:
        return None


def _mug_due(context: _Context, end: date, participant_id: int | None) -> bool:
    campaign = context.campaign
    in_campaign = campaign is not None and campaign.start_date <= context.today <= campaign.end_date
    classification = classify(last_coverage_end=end, collected_on=context.today)
    return earns_mug(classification=classification, in_campaign=in_campaign) and participant_id not in context.with_mug


def _context(today: date, found: list["_Found"], campaign: Campaign | None, policy: Policy | None) -> _Context:
    ids = [person.pk for person in found if person.pk is not None]
    household_ids = {person.household_id for person in found if person.household_id}
    with_mug = set()
    if campaign is not None and ids:
        with_mug = set(
            GiftIssue.objects.filter(campaign=campaign, participant__in=ids).values_list("participant", flat=True)
        )
    return _Context(
        today=today,
        policy=policy,
        campaign=campaign,
        ladders=members_on_the_ladder(household_ids=household_ids, collected_on=today) if household_ids else {},
        support_used=supported_months_by_person(ids) if ids else {},
        with_mug=with_mug,
    )


# --- one row read from the database, whichever source it came from -----------------------------------

# The columns every source gives, in this order: a participant's, or a prior-only person's with
# NULL where they have nothing (no Participant row, no enrollment, no household row).
_COLUMNS = (
    "pk",
    "cccd",
    "full_name",
    "phone",
    "product",
    "end",
    "latest_agency",
    "last_months",
    "last_income",
    "last_support_group",
    "household_id",
    "household_code",
    "commune_code",
    "commune_name",
)


@dataclass(frozen=True)
class _Found:
    """A person due or lapsed as the list's query returns them (``pk`` None: known only from prior coverage)."""

    pk: int | None
    cccd: str
    full_name: str
    phone: str
    product: str
    end: date
    latest_agency: int | None
    last_months: int | None
    last_income: int | None
    last_support_group: str | None
    household_id: int | None
    household_code: str | None
    commune_code: str | None
    commune_name: str | None

    @classmethod
    def of(cls, values) -> "_Found":
        found = cls(*values[: len(_COLUMNS)])
        if isinstance(found.end, str):  # SQLite gives a raw query's dates as text
            found = replace(found, end=date.fromisoformat(found.end))
        return found


_ALIASES = (
    "r_pk",
    "r_cccd",
    "r_full_name",
    "r_phone",
    "r_product",
    "r_end",
    "r_agency",
    "r_months",
    "r_income",
    "r_support_group",
    "r_household",
    "r_household_code",
    "r_commune_code",
    "r_commune_name",
)


def _row(user, context: _Context, person: _Found, agencies: dict) -> RenewalRow:
    full = sees_personal_data(user, person.latest_agency)
    agency = agencies.get(person.latest_agency)
    return RenewalRow(
        cccd=person.cccd if full else mask_cccd(person.cccd),
        full_cccd=person.cccd,
        full_name=person.full_name,
        phone=person.phone if full else mask_phone(person.phone),
        masked=not full,
        product=person.product,
        coverage_end=person.end,
        status=status_on(person.end, context.today),
        days_left=(person.end - context.today).days,
        agency_id=person.latest_agency,
        agency_code=agency.code if agency else "",
        agency_name=agency.name if agency else "",
        commune_code=person.commune_code or "",
        commune_name=person.commune_name or "",
        household_code=person.household_code or "",
        last_months=person.last_months,
        # A prior-only person has no household row, no period and no income: a BHYT quote for the
        # longest period as the household's first member, no BHXH quote (as ``_amount`` reads them).
        amount=_amount(context, person, person.product),
        mug_due=_mug_due(context, person.end, person.pk),
    )


def _with_contacts(rows: list[RenewalRow]) -> list[RenewalRow]:
    """Each row with its latest contact (one query for the whole list)."""
    if not rows:
        return rows
    latest: dict[tuple[str, str], RenewalContact] = {}
    contacts = RenewalContact.objects.filter(cccd__in={row.full_cccd for row in rows}).select_related(
        "contacted_by", "agency"
    )
    for contact in contacts.order_by("-contacted_on", "-recorded_at", "-pk"):
        latest.setdefault((contact.cccd, contact.product), contact)
    return [replace(row, contact=latest.get((row.full_cccd, row.product))) for row in rows]


# --- the list: counted, ordered and paged by the database -------------------------------------------


def _status_ranges(today: date, low: date, high: date) -> list[tuple[date, date, int]]:
    """The ends in [low, high] as runs of consecutive days of one status: (first, last, rank in ORDER).

    ``status_on`` decides each day of the lapsed year (a few hundred calls), so the SQL that ranks
    and filters the rows never restates the 3-month rule.
    """
    ranges = []
    day = low
    while day < today and day <= high:
        rank = RenewalStatus.ORDER.index(status_on(day, today))
        if ranges and ranges[-1][2] == rank and ranges[-1][1] == day - timedelta(days=1):
            ranges[-1] = (ranges[-1][0], day, rank)
        else:
            ranges.append((day, day, rank))
        day += timedelta(days=1)
    if high >= today:
        ranges.append((max(today, low), high, RenewalStatus.ORDER.index(RenewalStatus.DUE)))
    return ranges


PREFETCH = 100  # people read with the counts: the summary's, a page's or the API's first rows
CHUNK = 2000  # rows built (amounts, mugs, contacts looked up) at a time when the whole list is read


class RenewalList(Sequence):
    """The people ``user`` may see who are due within ``filters.within`` days of ``today`` or lapsed.

    Ordered due first (soonest end first), then lapsed renewing, then lapsed rejoining (latest lapse
    first), then by name, CCCD and product. Nothing is read until asked: ``counts()`` (one GROUP BY),
    a slice (one ordered query with LIMIT/OFFSET, rows built for that slice only) or iteration (one
    ordered query read from a server-side cursor, built ``CHUNK`` rows at a time). ``len()`` is the
    count, so Django's ``Paginator`` pages it like a queryset.
    """

    def __init__(self, user, *, today: date, filters: RenewalFilters, campaign: Campaign | None):
        self.user, self.today, self.filters, self.campaign = user, today, filters, campaign
        low, high = _window(today, filters.within)
        self._ranges = _status_ranges(today, low, high)
        self._counts: dict[str, int] | None = None
        self._first: list[_Found] | None = None  # the first PREFETCH people, read with the counts
        self._fetched: dict[tuple[int, int], list[_Found]] = {}
        self._policy = None
        self._window = (low, high)
        self._parts = self._sources(low, high)

    def _sources(self, low: date, high: date) -> list:
        products = [self.filters.product] if self.filters.product else [Product.BHYT_HGD, Product.BHXH_TN]
        parts = []
        for product in products:
            sources = (
                _latest_enrollments(product, low, high),
                _without_enrollment(product, low, high),
                _prior_columns(_prior_only(product, low, high)),
            )
            parts += _filtered(self.filters, *_scoped(self.user, *sources))
        parts = [part.order_by().values(*_ALIASES) for part in parts]
        return [part for part in parts if not part.query.is_empty()]

    # --- SQL around the sources ---

    def _union(self) -> tuple[str, list]:
        sql, params = [], []
        # Each source's rows are computed once, then kept to the window and ranked from their columns:
        # PostgreSQL would otherwise fold the subquery into the outer query and compute the end (a
        # correlated subquery) again for each use of it.
        fence = " OFFSET 0" if connection.vendor == "postgresql" else ""
        end = connection.ops.quote_name("r_end")
        low, high = (connection.ops.adapt_datefield_value(day) for day in self._window)
        for part in self._parts:
            part_sql, part_params = part.query.sql_with_params()
            sql.append(f"SELECT * FROM ({part_sql}{fence}) AS part WHERE part.{end} BETWEEN %s AND %s")
            params += [*part_params, low, high]
        return f"({' UNION ALL '.join(sql)}) AS renewal", params

    def _rank(self) -> tuple[str, list]:
        end = f"renewal.{connection.ops.quote_name('r_end')}"
        whens, params = [], []
        adapt = connection.ops.adapt_datefield_value
        for first, last, rank in self._ranges:
            whens.append(f"WHEN {end} BETWEEN %s AND %s THEN {rank}")
            params += [adapt(first), adapt(last)]
        return f"CASE {' '.join(whens)} END", params

    def counts(self) -> dict[str, int]:
        """How many rows of each status the list has (all statuses, whatever ``filters.status``).

        Read with the first rows (``PREFETCH``), which the page, the summary or the API then takes
        without another query: the people are found once for both. A GROUP BY only when no row came back.
        """
        if self._counts is None:
            self._fetch(0, PREFETCH)
        if self._counts is None:
            counts = {status: 0 for status in RenewalStatus.ORDER}
            source, params = self._union()
            rank, rank_params = self._rank()
            with large_aggregates(), connection.cursor() as cursor:
                cursor.execute(f"SELECT {rank}, COUNT(*) FROM {source} GROUP BY 1", rank_params + params)
                for index, count in cursor.fetchall():
                    if index is not None:
                        counts[RenewalStatus.ORDER[index]] += count
            self._counts = counts
        return self._counts

    def count(self) -> int:
        counts = self.counts()
        return counts.get(self.filters.status, 0) if self.filters.status else sum(counts.values())

    def __len__(self) -> int:
        return self.count()

    def _ordered(self, *, counted: bool) -> tuple[str, list]:
        """The list's rows in order; ``counted``: each with the whole list's count of each status (a window)."""
        source, params = self._union()
        rank, rank_params = self._rank()
        quote = connection.ops.quote_name
        end, name, cccd, product = (
            f"ranked.{quote(alias)}" for alias in ("r_end", "r_full_name", "r_cccd", "r_product")
        )
        windows, window_params = "", []
        if counted:
            windows = "".join(
                f", SUM(CASE WHEN {rank} = %s THEN 1 ELSE 0 END) OVER ()" for _status in RenewalStatus.ORDER
            )
            for index in range(len(RenewalStatus.ORDER)):
                window_params += [*rank_params, index]
        where, where_params = "", []
        if self.filters.status:
            where, where_params = "WHERE ranked.r_rank = %s", [RenewalStatus.ORDER.index(self.filters.status)]
        # Names in code point order, as Python sorts them, whatever the database's own collation.
        binary = 'COLLATE "C"' if connection.vendor == "postgresql" else "COLLATE BINARY"
        sql = (
            f"SELECT ranked.* FROM (SELECT renewal.*, {rank} AS r_rank{windows} FROM {source}) AS ranked {where} "
            f"ORDER BY ranked.r_rank, CASE WHEN ranked.r_rank = 0 THEN {end} END, "
            f"CASE WHEN ranked.r_rank <> 0 THEN {end} END DESC, {name} {binary}, {cccd} {binary}, {product} DESC"
        )
        return sql, rank_params + window_params + params + where_params

    def _fetch(self, offset: int, limit: int) -> list[_Found]:
        """The people from ``offset`` (``limit`` of them), the counts with them; the first ``PREFETCH`` kept."""
        if self._first is not None and offset + limit <= PREFETCH:
            return self._first[offset : offset + limit]
        if (offset, limit) in self._fetched:
            return self._fetched[offset, limit]
        if not self._parts:
            self._counts = self._counts or {status: 0 for status in RenewalStatus.ORDER}
            return []
        sql, params = self._ordered(counted=self._counts is None)
        wanted = max(limit, PREFETCH) if offset == 0 else limit
        # Without JIT: the planner's cost of the sources' probes reaches its thresholds, and compiling
        # them took longer than running them (4.9 s of 7.9 s for a 56,000-person agency); the window
        # counts then sort in memory (they spilled to disk in 4 MB). ``core/aggregates.py``.
        with large_aggregates(), connection.cursor() as cursor:
            cursor.execute(f"{sql} LIMIT %s OFFSET %s", [*params, wanted, offset])
            rows = cursor.fetchall()
        if rows and self._counts is None:
            counts = rows[0][len(_COLUMNS) + 1 :]
            self._counts = {status: int(count) for status, count in zip(RenewalStatus.ORDER, counts, strict=True)}
        found = [_Found.of(values) for values in rows]
        if offset == 0:
            self._first = found
        self._fetched[offset, limit] = found[:limit]
        return found[:limit]

    def prefetch(self, offset: int, limit: int) -> None:
        """Find the people of the page from ``offset`` now, with the counts: a deep page, then counted
        (as ``Paginator`` does first), costs one query, not a count and a page."""
        if limit > 0:
            self._fetch(offset, limit)

    def _built(self, found: list[_Found]) -> list[RenewalRow]:
        if self._policy is None:
            try:
                self._policy = policy_on(self.today).policy
            except DomainError:
                self._policy = False
        context = _context(self.today, found, self.campaign, self._policy or None)
        agencies = CollectionAgency.objects.in_bulk({person.latest_agency for person in found} - {None})
        return _with_contacts([_row(self.user, context, person, agencies) for person in found])

    def page(self, offset: int, limit: int) -> list[RenewalRow]:
        """``limit`` rows from ``offset`` in the list's order, built (amounts, mugs, contacts) for those rows only."""
        if limit <= 0:
            return []
        found = self._fetch(offset, limit)
        return self._built(found) if found else []

    def __getitem__(self, index):
        if isinstance(index, slice):
            if index.step not in (None, 1):
                raise ValueError("a renewal list is sliced without a step")
            start, stop = index.start or 0, index.stop
            if start < 0 or stop is None or stop < 0:
                start, stop, _step = index.indices(len(self))
            return self.page(start, stop - start)
        if index < 0:
            index += len(self)
        rows = self.page(index, 1)
        if not rows:
            raise IndexError(index)
        return rows[0]

    def __iter__(self) -> Iterator[RenewalRow]:
        """The whole list in order, read through one server-side cursor and built ``CHUNK`` rows at a time."""
        if not self._parts:
            return
        sql, params = self._ordered(counted=False)
        with connection.chunked_cursor() as cursor:
            cursor.execute(sql, params)
            while chunk := cursor.fetchmany(CHUNK):
                yield from self._built([_Found.of(values) for values in chunk])

    def __bool__(self) -> bool:
        return bool(self[:1])


def renewal_list(user, *, today: date, filters: RenewalFilters, campaign: Campaign | None) -> RenewalList:
    """The people ``user`` may see who are due within ``filters.within`` days of ``today`` or lapsed, read lazily."""
    return RenewalList(user, today=today, filters=filters, campaign=campaign)


def renewal_summary(user, *, today: date, campaign: Campaign | None, shown: int = 10) -> dict:
    """The officer's home: how many people are due within 30 days or lapsed, and the first of them."""
    found = renewal_list(user, today=today, filters=RenewalFilters(within=WINDOWS[0]), campaign=campaign)
    counts = found.counts()
    return {"rows": found[:shown], "counts": counts, "total": sum(counts.values()), "within": WINDOWS[0]}
