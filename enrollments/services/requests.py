"""What a recording is asked for (a person, a product, a period) and what it would store, with its price."""

from dataclasses import dataclass, field
from datetime import date
from uuid import UUID

from django.utils.translation import gettext as _

from campaign.models import Campaign, CampaignWeek, Commune, Product
from core.errors import DomainError

from ..classification import Classification
from ..contributions import Policy, Quote, quote_bhxh, quote_bhyt
from ..models import (
    Channel,
    Enrollment,
    Household,
    Participant,
    TargetGroup,
)
from ..selectors import (
    policy_on,
    supported_months_used,
)
from ..vocabulary import earns_mug

RECORDED = Enrollment.Status.RECORDED


@dataclass(frozen=True)
class PersonData:
    cccd: str
    full_name: str
    date_of_birth: date | None
    sex: str
    commune_code: str
    phone: str = ""
    household_code: str = ""
    target_group: str = TargetGroup.OTHER
    bhxh_code: str = ""
    address: str = ""  # the household's address, kept on the household
    household_head_cccd: str = ""  # needed to join a household only other agencies have recorded


@dataclass(frozen=True)
class EnrollmentRequest:
    person: PersonData
    product: str
    months: int
    collected_on: date | None = None
    member_order: int | None = None
    income: int | None = None
    support_group: str | None = None
    receipt_no: str = ""
    channel: str = Channel.OTHER
    uuid: UUID | None = None  # the client's name for the record (an offline phone names it first)


@dataclass(frozen=True)
class Held:
    """The rows recording locks before it prepares: the stored person and household, None when not stored yet.

    Held first, so the one preparation that follows sees every enrollment another officer stored of
    this person or household before it (they wait for each other at the lock).
    """

    participant: Participant | None
    household: Household | None


@dataclass
class Prepared:
    """A validated request with everything computed: what would be stored."""

    request: EnrollmentRequest
    commune: Commune
    collected_on: date
    week: CampaignWeek | None
    last_coverage_end: date | None
    classification: Classification
    coverage_start: date
    coverage_end: date
    quote: Quote
    member_order: int | None
    warnings: list[str] = field(default_factory=list)
    # The campaign it is recorded into: the one running on the collection date (campaign_running_on).
    campaign: Campaign | None = None
    held: Held | None = None  # set when prepared for recording (prepare_enrollment(hold=True))

    @property
    def gift_eligible(self) -> bool:
        return earns_mug(classification=self.classification, in_campaign=self.week is not None)


def quote(
    *,
    product: str,
    months: int,
    on: date,
    member_order: int | None = None,
    income: int | None = None,
    support_group: str | None = None,
    cccd: str = "",
    supported_months_pending: int = 0,
    policy: Policy | None = None,
) -> Quote:
    """What a person pays for ``product`` and ``months``, under the rules in force on ``on``.

    ``supported_months_pending``: months of State support in enrollments of the person not stored yet.
    ``policy``: the rules in force on ``on`` when the caller has read them already.
    """
    policy = policy or policy_on(on).policy
    if product == Product.BHYT_HGD:
        return quote_bhyt(policy, months=months, member_order=member_order or 1)
    if product == Product.BHXH_TN:
        if income is None:
            raise DomainError({"income": _("Enter the monthly income the person chooses to contribute on.")})
        used = (supported_months_used(cccd=cccd) if cccd else 0) + supported_months_pending
        return quote_bhxh(
            policy,
            months=months,
            income=income,
            support_groups=[support_group] if support_group else [],
            supported_months_used=used,
        )
    raise DomainError({"product": _("Choose a product: bhxh_tn or bhyt_hgd.")})
