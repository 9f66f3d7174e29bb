"""Who is due for renewal on a day, and who lapsed (DOMAIN.md "Renewals"), in a fixed number of queries.

A person's coverage of a product ends on E, the later of their prior coverage and this system's
not-cancelled enrollments. On day T they are due within N days when T <= E <= T + N, and lapsed
when E < T; whether a lapsed person renews or rejoins (and so earns a mug) is
``classification.classify`` and ``vocabulary.earns_mug``, never decided here. People with an
enrollment of the product belong to the agency of their latest one; people known only from
prior coverage belong to their commune.

Every row is read by a handful of aggregate queries whatever the list's length (participants,
people known only from prior coverage, households' ladders, State support used, mugs, the last
contact); the amounts are the quote functions of ``contributions`` with the policy in force on T.
"""

from dataclasses import dataclass, replace
from datetime import date

from dateutil.relativedelta import relativedelta
from django.db.models import Exists, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce, Greatest
from django.utils.translation import gettext_lazy as _

from campaign.models import Campaign, Commune, Product
from collectors.models import CollectionAgency
from collectors.roles import Role, role_of
from collectors.scoping import agency_of, in_province, visible_to
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

    The same latest end E as the lists (the later of prior coverage and not-cancelled enrollments);
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


def _scoped(user, people, prior_only):
    """An officer sees their agency's people, and people known only from prior coverage in the communes it serves."""
    if role_of(user) in (Role.ADMIN, Role.PROVINCIAL):
        return in_province(user, people, "commune__province"), in_province(user, prior_only, "commune__province")
    if agency_of(user) is None:
        return people.none(), prior_only.none()
    served = visible_to(user, Commune.objects.all(), agency_field="agencies").values("pk")
    # Only people the agency has enrolled, or who live where it serves, can be its: a cheap first
    # sieve, so that the latest enrollment of each is looked up for a few thousand people, not the province's.
    people = people.filter(
        Q(pk__in=Enrollment.objects.filter(agency=agency_of(user)).values("participant")) | Q(commune__in=served)
    )
    # People with no live enrollment of the product are nobody's: they go with their commune.
    unowned = people.filter(latest_agency__isnull=True, commune__in=served)
    return visible_to(user, people, agency_field="latest_agency") | unowned, prior_only.filter(commune__in=served)


def _filtered(filters: RenewalFilters, people, prior_only):
    if filters.agency:
        people = people.filter(latest_agency__in=CollectionAgency.objects.filter(code=filters.agency).values("pk"))
        prior_only = prior_only.none()
    if filters.commune:
        people, prior_only = (
            people.filter(commune__code=filters.commune),
            prior_only.filter(commune__code=filters.commune),
        )
    if filters.cccd:
        people, prior_only = people.filter(cccd=filters.cccd), prior_only.filter(cccd=filters.cccd)
    return people, prior_only


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


def _context(today: date, people: list, campaign: Campaign | None) -> _Context:
    try:
        policy = policy_on(today).policy
    except DomainError:
        policy = None
    ids = [person.pk for person in people]
    household_ids = {person.household_id for person in people if person.household_id}
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


def _person_row(user, context: _Context, person, product: str, agencies: dict) -> RenewalRow:
    full = sees_personal_data(user, person.latest_agency)
    agency = agencies.get(person.latest_agency)
    return RenewalRow(
        cccd=person.cccd if full else mask_cccd(person.cccd),
        full_cccd=person.cccd,
        full_name=person.full_name,
        phone=person.phone if full else mask_phone(person.phone),
        masked=not full,
        product=product,
        coverage_end=person.end,
        status=status_on(person.end, context.today),
        days_left=(person.end - context.today).days,
        agency_id=person.latest_agency,
        agency_code=agency.code if agency else "",
        agency_name=agency.name if agency else "",
        commune_code=person.commune.code,
        commune_name=person.commune.name,
        household_code=person.household.code if person.household_id else "",
        last_months=person.last_months,
        amount=_amount(context, person, product),
        mug_due=_mug_due(context, person.end, person.pk),
    )


def _prior_row(user, context: _Context, prior: PriorCoverage) -> RenewalRow:
    full = sees_personal_data(user, None)
    policy = context.policy
    amount = None
    if policy is not None and prior.product == Product.BHYT_HGD:
        amount = quote_bhyt(policy, months=max(policy.bhyt_months), member_order=1).amount_payable
    return RenewalRow(
        cccd=prior.cccd if full else mask_cccd(prior.cccd),
        full_cccd=prior.cccd,
        full_name=prior.full_name,
        phone=prior.phone if full else mask_phone(prior.phone),
        masked=not full,
        product=prior.product,
        coverage_end=prior.last_coverage_end,
        status=status_on(prior.last_coverage_end, context.today),
        days_left=(prior.last_coverage_end - context.today).days,
        agency_id=None,
        agency_code="",
        agency_name="",
        commune_code=prior.commune.code if prior.commune_id else "",
        commune_name=prior.commune.name if prior.commune_id else "",
        household_code=prior.household_code,
        last_months=None,
        amount=amount,
        mug_due=_mug_due(context, prior.last_coverage_end, None),
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


def renewal_list(user, *, today: date, filters: RenewalFilters, campaign: Campaign | None) -> list[RenewalRow]:
    """The people ``user`` may see who are due within ``filters.within`` days of ``today`` or lapsed.

    Ordered due first (soonest end first), then lapsed renewing, then lapsed rejoining (latest lapse first).
    """
    low, high = _window(today, filters.within)
    products = [filters.product] if filters.product else [Product.BHYT_HGD, Product.BHXH_TN]
    found: list[tuple] = []
    for product in products:
        people, prior_only = _scoped(user, _participants(product, low, high), _prior_only(product, low, high))
        people, prior_only = _filtered(filters, people, prior_only)
        found.append((product, list(people), list(prior_only)))
    everyone = [person for _product, people, _prior in found for person in people]
    context = _context(today, everyone, campaign)
    agencies = CollectionAgency.objects.in_bulk({person.latest_agency for person in everyone} - {None})
    rows = []
    for product, people, prior_only in found:
        rows += [_person_row(user, context, person, product, agencies) for person in people]
        rows += [_prior_row(user, context, prior) for prior in prior_only]
    if filters.status:
        rows = [row for row in rows if row.status == filters.status]
    rows.sort(key=_order)
    return _with_contacts(rows)


def _order(row: RenewalRow):
    rank = RenewalStatus.ORDER.index(row.status)
    end = row.coverage_end.toordinal()
    return (rank, end if rank == 0 else -end, row.full_name, row.full_cccd)


def renewal_summary(user, *, today: date, campaign: Campaign | None, shown: int = 10) -> dict:
    """The officer's home: how many people are due within 30 days or lapsed, and the first of them."""
    rows = renewal_list(user, today=today, filters=RenewalFilters(within=WINDOWS[0]), campaign=campaign)
    counts = {status: 0 for status in RenewalStatus.ORDER}
    for row in rows:
        counts[row.status] += 1
    return {"rows": rows[:shown], "counts": counts, "total": len(rows), "within": WINDOWS[0]}
