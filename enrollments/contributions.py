"""What a participant owes for BHYT hộ gia đình and BHXH tự nguyện, without the database.

Every rate and amount comes in a ``Policy``, because each changes by decree: the
database stores the policies with their effective dates and the caller picks the
one in force on the collection date, which then applies to the whole period paid.
Amounts are rounded half up to the đồng per month, then multiplied by the months,
as the BHXH collection offices compute them.
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from types import MappingProxyType

from django.utils.translation import gettext_lazy as _

from core.errors import DomainError

BHYT_HGD = "bhyt_hgd"
BHXH_TN = "bhxh_tn"

# Groups of the State support for BHXH tự nguyện, highest support first as in the law.
SUPPORT_GROUPS: tuple[str, ...] = ("poor", "near_poor", "ethnic_minority", "other")
# Everyone not in a named group is "other", so its rate is the least anybody gets.
DEFAULT_SUPPORT_GROUP = "other"


@dataclass(frozen=True)
class Policy:
    """The contribution parameters in force over a period of time."""

    base_salary: int
    bhyt_rate_pct: Decimal
    # Percent of the 1st member's monthly amount for household orders 1..n; the last applies to later members.
    bhyt_ladder_pct: tuple[Decimal, ...]
    bhyt_months: tuple[int, ...]
    bhxh_rate_pct: Decimal
    bhxh_income_floor: int
    bhxh_income_cap: int
    # Percent of ``bhxh_rate_pct`` × ``bhxh_income_floor`` the State pays per month; a missing group gets 0.
    bhxh_support_pct: Mapping[str, Decimal]
    bhxh_months: tuple[int, ...]
    bhxh_support_max_months: int
    # Which stored row these rates come from, so that every quote can say so (None: built in code).
    effective_from: date | None = None
    legal_basis: str = ""

    def __post_init__(self):
        object.__setattr__(self, "bhxh_support_pct", MappingProxyType(dict(self.bhxh_support_pct)))

    def ladder_order(self, member_order: int) -> int:
        """The member's place on the ladder: every member past its end pays its last percentage."""
        return min(member_order, len(self.bhyt_ladder_pct))


@dataclass(frozen=True)
class Quote:
    product: str
    months: int
    monthly_due: int
    amount_due: int
    monthly_support: int
    supported_months: int
    state_support: int
    amount_payable: int
    member_order: int | None = None
    income: int | None = None
    support_group: str | None = None
    # The PolicyParameters row the amounts were computed with: its first day and legal basis.
    policy_from: date | None = None
    policy_basis: str = ""


def round_half_up(value: Decimal) -> int:
    """Round to the đồng, halves up: ``Decimal`` rounds halves to even by default."""
    return int(Decimal(value).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def format_dong(amount: int) -> str:
    """An amount the Vietnamese way, with dots between thousands: ``1.500.000``."""
    return f"{amount:,}".replace(",", ".")


def _is_whole_number(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def quote_bhyt(policy: Policy, *, months: int, member_order: int) -> Quote:
    """The BHYT hộ gia đình amount of one member; ``member_order`` is 1 + earlier members this year."""
    errors = {}
    if not _is_whole_number(months) or months not in policy.bhyt_months:
        errors["months"] = [
            _("Choose a period of %(allowed)s months for BHYT hộ gia đình.")
            % {"allowed": ", ".join(str(m) for m in policy.bhyt_months)}
        ]
    if not _is_whole_number(member_order) or member_order < 1:
        errors["member_order"] = [_("The member's order in the household must be 1 or more.")]
    if errors:
        raise DomainError(errors)

    first_monthly = round_half_up(policy.base_salary * policy.bhyt_rate_pct / 100)
    order = policy.ladder_order(member_order)
    monthly = round_half_up(first_monthly * policy.bhyt_ladder_pct[order - 1] / 100)
    return Quote(
        product=BHYT_HGD,
        months=months,
        monthly_due=monthly,
        amount_due=monthly * months,
        monthly_support=0,
        supported_months=0,
        state_support=0,
        amount_payable=monthly * months,
        member_order=order,
        policy_from=policy.effective_from,
        policy_basis=policy.legal_basis,
    )


def _highest_support(policy: Policy, groups: set[str]) -> tuple[str, Decimal]:
    """The group with the highest support among those given, "other" being open to everyone.

    So an ethnic-minority person under the policy before 1/7/2025, which had no rate for
    them, still gets the rate of the others. Ties go to the group the law names first.
    """
    candidates = [group for group in SUPPORT_GROUPS if group in groups or group == DEFAULT_SUPPORT_GROUP]
    rates = [(group, policy.bhxh_support_pct.get(group) or Decimal(0)) for group in candidates]
    return max(rates, key=lambda group_rate: group_rate[1])


def quote_bhxh(
    policy: Policy, *, months: int, income: int, support_groups: Iterable[str], supported_months_used: int = 0
) -> Quote:
    """The BHXH tự nguyện amount of one person, less the State support they still have months of.

    ``supported_months_used`` counts the months already supported in earlier enrollments, so
    that the support stops at ``bhxh_support_max_months`` over a person's lifetime.
    """
    if supported_months_used < 0:
        raise ValueError("supported_months_used cannot be negative")
    errors = {}
    if not _is_whole_number(months) or months not in policy.bhxh_months:
        errors["months"] = [
            _(
                "Choose a period of %(allowed)s months for BHXH tự nguyện. The campaign does not sell payments "
                "for several years ahead or lump-sum payments for missing years."
            )
            % {"allowed": ", ".join(str(m) for m in policy.bhxh_months)}
        ]
    if not _is_whole_number(income) or not policy.bhxh_income_floor <= income <= policy.bhxh_income_cap:
        errors["income"] = [
            _("Enter a monthly income in whole đồng from %(floor)s ₫ to %(cap)s ₫.")
            % {"floor": format_dong(policy.bhxh_income_floor), "cap": format_dong(policy.bhxh_income_cap)}
        ]
    groups = {support_groups} if isinstance(support_groups, str) else set(support_groups)
    unknown = sorted(str(group) for group in groups if group not in SUPPORT_GROUPS)
    if unknown:
        errors["support_group"] = [
            _("Unknown support group: %(groups)s. Choose among poor, near_poor, ethnic_minority and other.")
            % {"groups": ", ".join(unknown)}
        ]
    if errors:
        raise DomainError(errors)

    group, support_pct = _highest_support(policy, groups)
    monthly_due = round_half_up(income * policy.bhxh_rate_pct / 100)
    full_support = round_half_up(policy.bhxh_income_floor * policy.bhxh_rate_pct * support_pct / 10_000)
    monthly_support = min(full_support, monthly_due)
    supported_months = max(0, min(months, policy.bhxh_support_max_months - supported_months_used))
    amount_due = monthly_due * months
    state_support = monthly_support * supported_months
    return Quote(
        product=BHXH_TN,
        months=months,
        monthly_due=monthly_due,
        amount_due=amount_due,
        monthly_support=monthly_support,
        supported_months=supported_months,
        state_support=state_support,
        amount_payable=amount_due - state_support,
        income=income,
        support_group=group,
        policy_from=policy.effective_from,
        policy_basis=policy.legal_basis,
    )
