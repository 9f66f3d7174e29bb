"""What an officer's phone keeps to quote and classify with no signal (static/js/quote.js reads it).

The rules stay in Python (``contributions``, ``classification``, ``vocabulary``): this module only
serves their parameters, as the ``Policy`` the server's own quotes are built from (``policy_of``),
so a rate changed by the administrator reaches the phone with the next kit. The people are the
least the form needs: for each person the agency serves, keyed by the SHA-256 of the CCCD (no
CCCD, name, birth date or phone), the end of their last coverage of each product, the months of
State support already used and where their mug stands; the households' BHYT members of this year
and the last, keyed the same way, for the ladder. Answered with ``Cache-Control: no-store``; the
phone keeps it in IndexedDB and removes it at logout.
"""

import hashlib
from datetime import date
from decimal import Decimal

from django.db.models import Max, Q, Sum

from campaign.models import Campaign, Commune, PolicyParameters, Product
from collectors.scoping import agency_of, visible_to

from .contributions import Policy
from .models import Enrollment, GiftIssue, Participant, PriorCoverage
from .selectors import policy_of
from .vocabulary import NOT_CANCELLED

KIT_VERSION = 1


def person_key(cccd: str) -> str:
    """How the kit names a person: the SHA-256 of the CCCD, which the phone computes from what is typed."""
    return hashlib.sha256(cccd.encode("ascii")).hexdigest()


def _pct(value: Decimal) -> str:
    return format(Decimal(value).normalize(), "f")


def policy_json(policy: Policy, *, waiting_days: int) -> dict:
    """Every parameter of one ``Policy`` (percentages as exact decimal strings, dates as ISO)."""
    return {
        "effective_from": policy.effective_from.isoformat() if policy.effective_from else None,
        "legal_basis": policy.legal_basis,
        "base_salary": policy.base_salary,
        "bhyt_rate_pct": _pct(policy.bhyt_rate_pct),
        "bhyt_ladder_pct": [_pct(pct) for pct in policy.bhyt_ladder_pct],
        "bhyt_months": list(policy.bhyt_months),
        "bhyt_waiting_days": waiting_days,
        "bhxh_rate_pct": _pct(policy.bhxh_rate_pct),
        "bhxh_income_floor": policy.bhxh_income_floor,
        "bhxh_income_cap": policy.bhxh_income_cap,
        "bhxh_support_pct": {group: _pct(pct) for group, pct in policy.bhxh_support_pct.items()},
        "bhxh_months": list(policy.bhxh_months),
        "bhxh_support_max_months": policy.bhxh_support_max_months,
    }


def policies_json() -> list[dict]:
    """Every stored row of rates with its first day, oldest first: the phone picks the one in force."""
    rows = PolicyParameters.objects.order_by("effective_from")
    return [policy_json(in_force.policy, waiting_days=in_force.bhyt_waiting_days) for in_force in map(policy_of, rows)]


def campaign_json(campaign: Campaign | None) -> dict | None:
    if campaign is None:
        return None
    return {
        "code": campaign.code,
        "start_date": campaign.start_date.isoformat(),
        "end_date": campaign.end_date.isoformat(),
        "weeks": [
            {"number": week.number, "start_date": week.start_date.isoformat(), "end_date": week.end_date.isoformat()}
            for week in campaign.weeks.order_by("number")
        ],
    }


class _People:
    """The kit's people, filled in from a few queries; each person named by ``person_key``."""

    def __init__(self, cccd_of: dict[int, str]):
        self.cccd_of = cccd_of
        self.rows: dict[str, dict] = {}
        for cccd in cccd_of.values():
            self.entry(cccd)

    def entry(self, cccd: str) -> dict:
        return self.rows.setdefault(person_key(cccd), {"ends": {}, "support_used": 0, "mug": None})

    def of(self, participant_id: int) -> dict:
        return self.entry(self.cccd_of[participant_id])

    def coverage_end(self, row: dict, product: str, end: date) -> None:
        row["ends"][product] = max(row["ends"].get(product, ""), end.isoformat())


def _fill_people(people: _People, *, served, campaign: Campaign | None) -> None:
    ids = list(people.cccd_of)
    prior = PriorCoverage.objects.filter(Q(commune__in=served) | Q(cccd__in=list(people.cccd_of.values())))
    for cccd, product, end in prior.values_list("cccd", "product", "last_coverage_end"):
        people.coverage_end(people.entry(cccd), product, end)
    recorded = Enrollment.objects.filter(NOT_CANCELLED, participant__in=ids)
    ends = recorded.values("participant", "product").annotate(end=Max("coverage_end"))
    for participant, product, end in ends.values_list("participant", "product", "end"):
        people.coverage_end(people.of(participant), product, end)
    support = recorded.filter(product=Product.BHXH_TN).values("participant").annotate(months=Sum("supported_months"))
    for participant, months in support.values_list("participant", "months"):
        people.of(participant)["support_used"] = months or 0
    if campaign is None:
        return
    earning = Enrollment.objects.earning_mugs(campaign=campaign).filter(participant__in=ids)
    for participant in earning.values_list("participant", flat=True).distinct():
        people.of(participant)["mug"] = "earned"
    issued = GiftIssue.objects.filter(campaign=campaign, participant__in=ids)
    for participant in issued.values_list("participant", flat=True):
        people.of(participant)["mug"] = "issued"


def _ladders(household_ids: set[int], *, today: date) -> dict[str, list]:
    """Household code → [person key, collected on] of its BHYT HGĐ members this year and the last."""
    households: dict[str, list] = {}
    ladder = Enrollment.objects.filter(
        NOT_CANCELLED,
        product=Product.BHYT_HGD,
        participant__household__in=household_ids,
        collected_on__year__gte=today.year - 1,
    ).values_list("participant__household__code", "participant__cccd", "collected_on")
    for code, cccd, collected_on in ladder.order_by("collected_on", "pk"):
        households.setdefault(code, []).append([person_key(cccd), collected_on.isoformat()])
    return households


def _people(user, *, campaign: Campaign | None, today: date) -> tuple[dict, dict]:
    """The people the officer's agency serves and their households' ladders, in a fixed number of queries.

    Served: the people of the communes the agency serves (enrolled by anyone, or known from BHXH's
    records), and everyone the agency itself has enrolled.
    """
    agency = agency_of(user)
    if agency is None:
        return {}, {}
    served = visible_to(user, Commune.objects.all(), agency_field="agencies").values("pk")
    ours = Enrollment.objects.filter(agency=agency).values("participant")
    participants = list(
        Participant.objects.filter(Q(commune__in=served) | Q(pk__in=ours)).values_list("pk", "cccd", "household_id")
    )
    people = _People({pk: cccd for pk, cccd, _household in participants})
    _fill_people(people, served=served, campaign=campaign)
    households = {household for _pk, _cccd, household in participants if household}
    return people.rows, _ladders(households, today=today)


def field_kit(user, *, campaign: Campaign | None, today: date) -> dict:
    """The one JSON the phone keeps: rates, weeks, the agency's communes and its people (masked)."""
    communes = visible_to(user, Commune.objects.all(), agency_field="agencies").order_by("name")
    people, households = _people(user, campaign=campaign, today=today)
    return {
        "version": KIT_VERSION,
        "today": today.isoformat(),
        "policies": policies_json(),
        "campaign": campaign_json(campaign),
        "communes": [{"code": code, "name": name} for code, name in communes.values_list("code", "name")],
        "people": people,
        "households": households,
    }
