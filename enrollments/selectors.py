"""Reads behind quotes, classification and the officer's lists."""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import NamedTuple

from django.conf import settings
from django.db.models import Exists, Max, OuterRef, Q, QuerySet, Sum
from django.utils.translation import gettext_lazy as _

from campaign.models import Campaign, CampaignWeek, Commune, PolicyParameters, Product
from collectors.models import CollectionAgency
from collectors.scoping import visible_to
from core import ratelimit
from core.errors import DomainError

from .classification import Classification, classify
from .contributions import Policy
from .models import Enrollment, GiftIssue, GiftStock, Household, Participant, PriorCoverage
from .vocabulary import earns_mug

RECORDED = Enrollment.Status.RECORDED


class PolicyInForce(NamedTuple):
    policy: Policy
    bhyt_waiting_days: int


def policy_on(day: date) -> PolicyInForce:
    """The contribution rules in force on ``day``."""
    row = PolicyParameters.objects.filter(effective_from__lte=day).order_by("-effective_from").first()
    if row is None:
        raise DomainError({"collected_on": _("No contribution rates are set for this date; ask the administrator.")})
    return policy_of(row)


def policy_of(row: PolicyParameters) -> PolicyInForce:
    """One stored row of rates as the ``Policy`` the quotes run on."""
    policy = Policy(
        base_salary=row.base_salary,
        bhyt_rate_pct=Decimal(row.bhyt_rate_pct),
        bhyt_ladder_pct=(
            Decimal(100),
            Decimal(row.bhyt_member2_pct),
            Decimal(row.bhyt_member3_pct),
            Decimal(row.bhyt_member4_pct),
            Decimal(row.bhyt_member5_pct),
        ),
        bhyt_months=tuple(row.bhyt_months),
        bhxh_rate_pct=Decimal(row.bhxh_rate_pct),
        bhxh_income_floor=row.bhxh_income_floor,
        bhxh_income_cap=row.bhxh_income_cap,
        bhxh_support_pct={
            "poor": Decimal(row.bhxh_support_poor_pct),
            "near_poor": Decimal(row.bhxh_support_near_poor_pct),
            "ethnic_minority": Decimal(row.bhxh_support_ethnic_minority_pct),
            "other": Decimal(row.bhxh_support_other_pct),
        },
        bhxh_months=tuple(row.bhxh_months),
        bhxh_support_max_months=row.bhxh_support_max_months,
        effective_from=row.effective_from,
        legal_basis=row.legal_basis,
    )
    return PolicyInForce(policy, row.bhyt_waiting_days)


def last_coverage_end(*, cccd: str, product: str, stored_person: bool = True) -> date | None:
    """The end of the person's last coverage: imported history or this system's enrollments, the later.

    ``stored_person=False``: the caller knows no participant has this CCCD, so only the history is read.
    """
    prior = PriorCoverage.objects.filter(cccd=cccd, product=product).values_list("last_coverage_end", flat=True).first()
    ours = None
    if stored_person:
        ours = Enrollment.objects.filter(participant__cccd=cccd, product=product, status=RECORDED).aggregate(
            end=Max("coverage_end")
        )["end"]
    ends = [d for d in (prior, ours) if d is not None]
    return max(ends) if ends else None


def supported_months_used(*, cccd: str) -> int:
    """Months of BHXH voluntary State support this person already had in this system."""
    return (
        Enrollment.objects.filter(participant__cccd=cccd, product=Product.BHXH_TN, status=RECORDED).aggregate(
            months=Sum("supported_months")
        )["months"]
        or 0
    )


def supported_months_by_person(participant_ids: Iterable[int]) -> dict[int, int]:
    """``supported_months_used`` for many people in one query: participant id → months supported."""
    rows = (
        Enrollment.objects.filter(participant__in=list(participant_ids), product=Product.BHXH_TN, status=RECORDED)
        .values("participant")
        .annotate(months=Sum("supported_months"))
    )
    return {row["participant"]: row["months"] or 0 for row in rows}


def on_the_ladder_by(collected_on: date) -> Q:
    """The BHYT HGĐ enrollments that put a member on their household's ladder by ``collected_on``.

    Not cancelled, collected in the same calendar year up to that day (DOMAIN.md "Contributions").
    """
    return Q(
        product=Product.BHYT_HGD,
        status=RECORDED,
        collected_on__year=collected_on.year,
        collected_on__lte=collected_on,
    )


def household_member_order(*, household: Household | None, collected_on: date, exclude_cccd: str = "") -> int:
    """1 + the other members already enrolled in BHYT HGĐ this calendar year up to ``collected_on``.

    Not capped: the ladder's length is the policy's, so the caller caps it with ``Policy.ladder_order``.
    """
    if household is None:
        return 1
    earlier = (
        Enrollment.objects.filter(on_the_ladder_by(collected_on), participant__household=household)
        .exclude(participant__cccd=exclude_cccd)
        .values("participant")
        .distinct()
        .count()
    )
    return 1 + earlier


def members_on_the_ladder(*, household_ids: Iterable[int], collected_on: date) -> dict[int, set[int]]:
    """For many households at once: household id → the participants on its ladder by ``collected_on``.

    A person's order is then 1 + the others in their household's set (``household_member_order``).
    """
    rows = (
        Enrollment.objects.filter(on_the_ladder_by(collected_on), participant__household__in=list(household_ids))
        .values_list("participant__household", "participant")
        .distinct()
    )
    members: dict[int, set[int]] = {}
    for household_id, participant_id in rows:
        members.setdefault(household_id, set()).add(participant_id)
    return members


def household_member_order_after(
    *, household_code: str, collected_on: date, exclude_cccd: str, pending: Iterable[tuple[str, str, str, date]]
) -> int:
    """``household_member_order`` as it will be once the ``pending`` enrollments are stored in turn.

    ``pending`` are (cccd, household code, product, collected on) of enrollments prepared and
    not stored yet; storing one moves its person into the household it names, if it names one.
    """
    pending = list(pending)
    named = {cccd: code for cccd, code, _product, _day in pending if code}
    residents = Participant.objects.filter(household__code=household_code).values_list("cccd", flat=True)
    members = {cccd for cccd in residents if named.get(cccd, household_code) == household_code}
    members |= {cccd for cccd, code in named.items() if code == household_code}
    members.discard(exclude_cccd)
    enrolled = set(
        Enrollment.objects.filter(on_the_ladder_by(collected_on), participant__cccd__in=members).values_list(
            "participant__cccd", flat=True
        )
    )
    enrolled |= {
        cccd
        for cccd, _code, product, day in pending
        if cccd in members and product == Product.BHYT_HGD and day.year == collected_on.year and day <= collected_on
    }
    return 1 + len(enrolled)  # not capped, as household_member_order


def mugs_on_hand(*, agency_id: int, campaign_id: int) -> int:
    """The mugs an agency still has for a campaign (shown where they are handed over)."""
    stock = GiftStock.objects.filter(campaign_id=campaign_id, agency_id=agency_id).values_list("on_hand", flat=True)
    return stock.first() or 0


def has_gift(*, cccd: str, campaign: Campaign) -> bool:
    return GiftIssue.objects.filter(participant__cccd=cccd, campaign=campaign).exists()


def _earned_a_mug(*, cccd: str, campaign: Campaign) -> bool:
    """Whether the person already has an enrollment in the campaign that earns a mug."""
    return Enrollment.objects.earning_mugs(campaign=campaign).filter(participant__cccd=cccd).exists()


def mug_due_on_recording(*, cccd: str, campaign: Campaign | None, classification: str, in_campaign: bool) -> bool:
    """Whether the enrollment about to be recorded will have a mug to hand over (the review pages show it)."""
    if campaign is None or not earns_mug(classification=classification, in_campaign=in_campaign):
        return False
    return not has_gift(cccd=cccd, campaign=campaign)


def ladder_length(on: date) -> int:
    """How many places the household ladder of the policy in force on ``on`` has (the last is "and later")."""
    try:
        return len(policy_on(on).policy.bhyt_ladder_pct)
    except DomainError:
        return 1


def ladder_orders(
    *, household: Household | None, collected_on: date, members: int, exclude_cccd: str = ""
) -> list[int]:
    """The ladder places of ``members`` people of one household entered together, in the order entered."""
    first = household_member_order(household=household, collected_on=collected_on, exclude_cccd=exclude_cccd)
    try:
        policy = policy_on(collected_on).policy
    except DomainError:  # no rates for the day: the form says so; every member is 1st meanwhile
        return [1] * members
    return [policy.ladder_order(first + index) for index in range(members)]


@dataclass(frozen=True)
class ParticipantStatus:
    cccd: str
    product: str
    on: date
    known: bool
    classification: Classification
    last_coverage_end: date | None
    gift_eligible: bool
    gift_issued: bool


def participant_status(*, cccd: str, product: str, on: date, campaign: Campaign | None) -> ParticipantStatus:
    """What recording this person for ``product`` on ``on`` would be, and where their mug stands."""
    end = last_coverage_end(cccd=cccd, product=product)
    classification = classify(last_coverage_end=end, collected_on=on)
    issued = campaign is not None and has_gift(cccd=cccd, campaign=campaign)
    in_campaign = campaign is not None and campaign.start_date <= on <= campaign.end_date
    earns = in_campaign and earns_mug(classification=classification, in_campaign=True)
    # The mug was looked up once above; an earlier earning enrollment is read only when it matters.
    eligible = not issued and (earns or (campaign is not None and _earned_a_mug(cccd=cccd, campaign=campaign)))
    return ParticipantStatus(
        cccd=cccd,
        product=product,
        on=on,
        known=Participant.objects.filter(cccd=cccd).exists(),
        classification=classification,
        last_coverage_end=end,
        gift_eligible=eligible,
        gift_issued=issued,
    )


# The lists' order; the indexes enrollment_newest, enrollment_agency_newest and enrollment_campaign_newest
# hold the rows in exactly this order, so a page is read from an index, never sorted (core/keyset.py).
LIST_ORDER = ("-recorded_at", "-pk")
# Past this many rows a list says "more than 10,000" instead of counting a million rows on every page.
LIST_COUNT_LIMIT = 10_000


def enrollments_for(user, *, filters: dict | None = None, search: str = "") -> QuerySet[Enrollment]:
    """The enrollments ``user`` may see, newest first, ready for a list page or the API.

    ``filters["campaign"]`` is a campaign's code or the Campaign itself.

    The mugs are not joined in (an EXISTS over every row makes PostgreSQL read the whole gift table
    for a page of 25): a list reads ``listed_for`` and ``finish_page``, one row ``with_person_gift``.
    """
    filters = filters or {}
    enrollments = visible_to(user, Enrollment.objects.all()).select_related(
        "participant", "participant__commune", "agency", "collector", "week", "campaign"
    )
    lookups = {
        "campaign": "campaign__code",
        "week": "week__number",
        "agency": "agency__code",
        "product": "product",
        "classification": "classification",
        "status": "status",
        "collector": "collector__code",
        "channel": "channel",
    }
    for key, lookup in lookups.items():
        value = filters.get(key)
        if isinstance(value, Campaign):
            lookup = "campaign"  # by id: the planner knows how many rows that is, a join on the code it guesses
        if value not in (None, ""):
            enrollments = enrollments.filter(**{lookup: value})
    if search:
        enrollments = enrollments.filter(
            Q(participant__full_name__icontains=search)
            | Q(participant__cccd__startswith=search)
            | Q(receipt_no__iexact=search)
        )
    return enrollments.order_by(*LIST_ORDER)


def listed_for(user, *, filters: dict | None = None, search: str = "") -> QuerySet[Enrollment]:
    """``enrollments_for`` joined only to what a list's row needs from big or many tables (the person,
    their commune, the agency and the officer); ``finish_page`` adds the week, the campaign and the mugs.

    PostgreSQL's time to plan grows fast with each join: with all seven tables it took 37 ms to plan a
    page it then read in 0.5 ms (1M enrollments); with these five, about 1.5 ms.
    """
    return (
        enrollments_for(user, filters=filters, search=search)
        .select_related(None)
        .select_related("participant__commune", "agency", "collector")
    )


def finish_page(enrollments: list[Enrollment], *, weeks: Iterable[CampaignWeek] = ()) -> list[Enrollment]:
    """Complete a page of ``listed_for``: its weeks and campaigns (from ``weeks`` when the caller has
    them, else one query), and ``gift_given`` (a mug was handed over on this enrollment) and
    ``person_has_gift`` (the person had their one mug of the campaign), in one query."""
    if not enrollments:
        return enrollments
    known = {week.pk: week for week in weeks}
    wanted = {e.week_id for e in enrollments if e.week_id is not None} - set(known)
    if wanted:
        known |= {week.pk: week for week in CampaignWeek.objects.filter(pk__in=wanted).select_related("campaign")}
    campaigns = {week.campaign_id: week.campaign for week in known.values() if "campaign" in week._state.fields_cache}
    missing = {e.campaign_id for e in enrollments} - set(campaigns)
    if missing:
        campaigns |= Campaign.objects.in_bulk(missing)
    fields = ("enrollment_id", "participant_id", "campaign_id")
    # A UNION, not an OR: each half reads its own index (an OR made PostgreSQL scan the whole gift table).
    issues = (
        GiftIssue.objects.filter(enrollment__in=[e.pk for e in enrollments])
        .values_list(*fields)
        .union(
            GiftIssue.objects.filter(
                participant__in={e.participant_id for e in enrollments},
                campaign__in={e.campaign_id for e in enrollments},
            ).values_list(*fields)
        )
    )
    given, people = set(), set()
    for enrollment_id, participant_id, campaign_id in issues:
        given.add(enrollment_id)
        people.add((participant_id, campaign_id))
    for enrollment in enrollments:
        enrollment.week = known.get(enrollment.week_id)
        enrollment.campaign = campaigns[enrollment.campaign_id]
        enrollment.gift_given = enrollment.pk in given
        enrollment.person_has_gift = (enrollment.participant_id, enrollment.campaign_id) in people
    return enrollments


# --- What the officer's pages show ------------------------------------------------------------


def communes_of(campaign: Campaign) -> QuerySet[Commune]:
    return Commune.objects.filter(province=campaign.province_id).order_by("name")


def default_commune(*, agency: CollectionAgency, campaign: Campaign) -> Commune | None:
    """The first commune (by name) the agency serves in the campaign's province."""
    return agency.communes.filter(province=campaign.province_id).order_by("name").first()


def household_by_code(code: str) -> Household | None:
    code = (code or "").strip()
    return Household.objects.filter(code=code).first() if code else None


def conflicting_enrollment(
    *, cccd: str, product: str, collected_on: date, period: tuple[date, date] | None = None
) -> Enrollment | None:
    """A recorded enrollment of any agency that the one being entered would repeat: the same product
    collected the same day or, given the ``period`` it would cover, a period overlapping it."""
    repeats = Q(collected_on=collected_on)
    if period is not None:
        repeats |= Q(coverage_start__lte=period[1], coverage_end__gte=period[0])
    found = list(
        Enrollment.objects.filter(repeats, participant__cccd=cccd, product=product, status=RECORDED)
        .select_related("agency", "collector")
        .order_by("coverage_start")
    )
    # The same day says more than an overlap: recording names that one first too.
    return next((e for e in found if e.collected_on == collected_on), found[0] if found else None)


def person_on_record(*, cccd: str, agency_id: int | None) -> tuple[Participant | None, bool]:
    """The stored person with this CCCD, and whether ``agency_id`` has ever recorded them."""
    participant = (
        Participant.objects.filter(cccd=cccd)
        .annotate(ours=Exists(Enrollment.objects.filter(participant=OuterRef("pk"), agency_id=agency_id)))
        .first()
    )
    return participant, bool(participant and participant.ours)


def with_person_gift(enrollments: QuerySet[Enrollment]) -> QuerySet[Enrollment]:
    """Annotate ``person_has_gift``: the person already had their one mug of the campaign."""
    return enrollments.annotate(
        person_has_gift=Exists(
            GiftIssue.objects.filter(participant=OuterRef("participant"), campaign=OuterRef("campaign"))
        )
    )


def gifts_of(enrollment: Enrollment) -> list[GiftIssue]:
    return list(enrollment.gift_issues.select_related("agency", "issued_by").order_by("issued_at"))


def lookup_limit_message() -> str:
    return str(_("Too many look-ups of CCCD numbers in a minute; wait a moment and try again."))


def allow_cccd_lookup(user) -> bool:
    """Whether ``user`` may look up one more CCCD's status this minute (settings.CCCD_LOOKUPS_PER_MINUTE)."""
    return ratelimit.allow(f"cccd:{user.pk}", limit=settings.CCCD_LOOKUPS_PER_MINUTE)
