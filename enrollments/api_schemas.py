"""The shapes of the JSON API: what comes in, what goes out, and the one error body.

The error body every endpoint answers with lives in core/api_errors.py.
"""

from datetime import date, datetime
from typing import Literal
from uuid import UUID

from ninja import Field, Schema
from pydantic import BaseModel

ProductCode = Literal["bhxh_tn", "bhyt_hgd"]
SexCode = Literal["male", "female"]
TargetGroupCode = Literal["farmer", "informal_worker", "household_business", "other"]
SupportGroupCode = Literal["poor", "near_poor", "ethnic_minority", "other"]
ChannelCode = Literal["market", "household_business", "home", "counter", "event", "other"]
ClassificationCode = Literal["new", "rejoin", "renewal"]


# --- Quotes and status ---------------------------------------------------------------------------


class QuoteOut(Schema):
    product: ProductCode
    months: int
    monthly_due: int = Field(description="đồng per month")
    amount_due: int = Field(description="đồng for the period")
    monthly_support: int = Field(description="State support per supported month (bhxh_tn), đồng")
    supported_months: int
    state_support: int
    amount_payable: int
    member_order: int | None = Field(
        description="bhyt_hgd: the member's place on the household ladder; its last place counts every later member too"
    )
    income: int | None = Field(description="bhxh_tn: the monthly income contributed on, đồng")
    support_group: SupportGroupCode | None
    on: date = Field(description="The day whose rates apply")
    policy_from: date | None = Field(
        description="The first day of the PolicyParameters row whose rates were used (the row in force on `on`)"
    )
    policy_basis: str = Field(description="That row's legal basis, e.g. the decree")


class ParticipantStatusOut(Schema):
    product: ProductCode
    on: date
    classification: ClassificationCode = Field(description="What recording this person on `on` would be")
    last_coverage_end: date | None
    gift_eligible: bool = Field(description="Whether an enrollment on `on` would earn, or has earned, a mug")
    gift_issued: bool


# --- Enrollments ---------------------------------------------------------------------------------


class ParticipantIn(Schema):
    cccd: str = Field(max_length=20, description="12 digits: PPP S YY NNNNNN", examples=["072085123456"])
    full_name: str = Field(max_length=200, examples=["Nguyễn Văn A"])
    date_of_birth: date
    sex: SexCode
    phone: str | None = Field(None, max_length=15)
    commune_code: str = Field(max_length=10, examples=["25480"])
    household_code: str | None = Field(None, max_length=30, description="Needed for the bhyt_hgd ladder")
    household_head_cccd: str | None = Field(
        None, max_length=20, description="To join a household that only other agencies have recorded: its head's CCCD"
    )
    target_group: TargetGroupCode = "other"
    bhxh_code: str | None = Field(None, max_length=10, description="Mã số BHXH, 10 digits, optional")


class EnrollmentIn(Schema):
    campaign: str = Field(
        max_length=40,
        description=(
            "The campaign's code. The enrollment goes to the running campaign of its province whose dates hold "
            "collected_on: this one when the date is inside it (the answer's campaign and week say which)"
        ),
        examples=["TN-CAODIEM-2025"],
    )
    uuid: UUID | None = Field(
        None,
        description="Made by the client when its form opens: the stored enrollment keeps it, and a resend with "
        "the same uuid and content records nothing (see POST /enrollments)",
    )
    participant: ParticipantIn
    product: ProductCode
    months: int
    member_order: int | None = Field(None, description="bhyt_hgd only; omitted: computed from the household")
    income: int | None = Field(None, description="bhxh_tn only: monthly income in đồng")
    support_group: SupportGroupCode | None = Field(None, description="bhxh_tn only")
    collected_on: date | None = Field(None, description="Local date the money was taken; default today")
    receipt_no: str | None = Field(None, max_length=40)
    channel: ChannelCode = "other"


# The two shapes of a listed or recorded enrollment are plain pydantic models, not ninja Schemas: they
# are always built from dicts (api.enrollment_out), so ninja's per-attribute resolver (DjangoGetter,
# for ORM objects) only cost time, a quarter of a list request's with 25 rows.
class ParticipantOut(BaseModel):
    uuid: UUID
    cccd: str = Field(description="Masked (`072*******56`) unless the caller may see personal data")
    full_name: str
    date_of_birth: str = Field(description="ISO date, or `**/**/YYYY` when masked")
    sex: SexCode
    phone: str
    commune_code: str
    target_group: TargetGroupCode


class EnrollmentOut(BaseModel):
    id: int
    uuid: UUID
    campaign: str
    week: int | None = Field(description="The campaign week of the collection date; null outside the campaign")
    product: ProductCode
    months: int
    collected_on: date
    classification: ClassificationCode
    coverage_start: date
    coverage_end: date
    member_order: int | None
    income: int | None
    support_group: SupportGroupCode | None
    amount_due: int
    state_support: int
    supported_months: int
    amount_payable: int
    gift_eligible: bool = Field(description="New or rejoining, inside the campaign, and no mug handed over yet")
    gift_issued: bool = Field(description="The person already received a mug in this campaign")
    agency: str = Field(description="The recording agency's code")
    collector: str = Field(description="The recording officer's code")
    receipt_no: str
    channel: ChannelCode
    status: Literal["recorded", "cancelled"]
    source: str
    recorded_at: datetime
    personal_data_masked: bool
    participant: ParticipantOut
    warnings: list[str] = Field([], description="Things the caller should know, e.g. a date outside the campaign")
