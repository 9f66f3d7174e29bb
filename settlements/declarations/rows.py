"""The rows of a D03-TS / D05-TS list: what each enrollment puts on the form, and what a list holds.

A row is a plain value (``ListRow``), built from an enrollment once and kept as JSON in a sent list,
so a list that was sent reads the same however the person's record changes later.
"""

from dataclasses import asdict, dataclass, field, fields
from datetime import date
from decimal import Decimal

from django.db.models import QuerySet

from enrollments.classification import Classification
from enrollments.models import Enrollment, Sex
from enrollments.selectors import policy_on

NOTES = {
    Classification.NEW: "Tham gia mới",
    Classification.REJOIN: "Tham gia lại",
    Classification.RENEWAL: "Gia hạn",
}
SEX_LABELS = {Sex.MALE: "Nam", Sex.FEMALE: "Nữ"}
_DATES = ("date_of_birth", "receipt_date", "coverage_start")
_DECIMALS = ("state_pct", "rate_pct")


@dataclass(frozen=True)
class ListRow:
    enrollment_id: int
    full_name: str
    bhxh_code: str
    cccd: str
    date_of_birth: date
    sex: str
    address: str
    province_code: str
    commune_code: str
    receipt_date: date
    receipt_no: str
    income: int | None
    months: int
    coverage_start: date
    amount_due: int
    amount_paid: int
    state_pct: Decimal
    state_support: int
    rate_pct: Decimal
    collector_code: str
    classification: str
    note: str
    local_support: int = 0
    other_support: int = 0

    @property
    def from_month(self) -> str:
        return f"{self.coverage_start:%m/%Y}"

    def as_json(self) -> dict:
        values = asdict(self)
        for name in _DATES:
            values[name] = values[name].isoformat()
        for name in _DECIMALS:
            values[name] = str(values[name])
        return values

    @classmethod
    def from_json(cls, values: dict, **changes) -> "ListRow":
        known = {f.name for f in fields(cls)}
        data = {k: v for k, v in values.items() if k in known}
        for name in _DATES:
            data[name] = date.fromisoformat(data[name])
        for name in _DECIMALS:
            data[name] = Decimal(data[name])
        return cls(**(data | changes))


def _address(enrollment: Enrollment) -> str:
    person = enrollment.participant
    parts = [person.household.address if person.household_id else "", person.commune.name]
    return ", ".join(part for part in parts if part)


class _Rates:
    """The policy in force on each collection date, looked up once per date."""

    def __init__(self):
        self._by_day: dict[date, object] = {}

    def on(self, day: date):
        if day not in self._by_day:
            self._by_day[day] = policy_on(day).policy
        return self._by_day[day]


def row_of(enrollment: Enrollment, rates: _Rates) -> ListRow:
    person = enrollment.participant
    policy = rates.on(enrollment.collected_on)
    is_bhxh = enrollment.income is not None
    state_pct = Decimal(0)
    if is_bhxh and enrollment.state_support:
        state_pct = policy.bhxh_support_pct.get(enrollment.support_group) or Decimal(0)
    return ListRow(
        enrollment_id=enrollment.pk,
        full_name=person.full_name,
        bhxh_code=person.bhxh_code,
        cccd=person.cccd,
        date_of_birth=person.date_of_birth,
        sex=SEX_LABELS.get(person.sex, ""),
        address=_address(enrollment),
        province_code=person.commune.province.code,
        commune_code=person.commune.code,
        receipt_date=enrollment.collected_on,
        receipt_no=enrollment.receipt_no,
        income=enrollment.income,
        months=enrollment.months,
        coverage_start=enrollment.coverage_start,
        amount_due=enrollment.amount_due,
        amount_paid=enrollment.amount_payable,
        state_pct=state_pct,
        state_support=enrollment.state_support,
        rate_pct=policy.bhxh_rate_pct if is_bhxh else policy.bhyt_rate_pct,
        collector_code=enrollment.collector.code,
        classification=enrollment.classification,
        note=NOTES.get(enrollment.classification, ""),
    )


def rows_of(enrollments: QuerySet) -> list[ListRow]:
    rates = _Rates()
    chosen = enrollments.select_related(
        "participant__household", "participant__commune__province", "collector"
    ).order_by("collected_on", "recorded_at", "pk")
    return [row_of(enrollment, rates) for enrollment in chosen]


def removed_row(row: ListRow, reason: str) -> ListRow:
    """A row sent as added, now in "II. Giảm" because the enrollment was cancelled."""
    return ListRow.from_json(row.as_json(), note=f"Hủy: {reason}"[:300])


@dataclass(frozen=True)
class Totals:
    people: int = 0
    amount_due: int = 0
    amount_paid: int = 0
    state_support: int = 0
    local_support: int = 0
    other_support: int = 0

    @classmethod
    def of(cls, rows: list[ListRow]) -> "Totals":
        return cls(
            people=len(rows),
            amount_due=sum(r.amount_due for r in rows),
            amount_paid=sum(r.amount_paid for r in rows),
            state_support=sum(r.state_support for r in rows),
            local_support=sum(r.local_support for r in rows),
            other_support=sum(r.other_support for r in rows),
        )

    def __sub__(self, other: "Totals") -> "Totals":
        return Totals(*(getattr(self, f.name) - getattr(other, f.name) for f in fields(self)))


@dataclass
class DeclarationList:
    """Everything one list shows: who it is from, the period, the rows added and removed."""

    form: str
    agency: object
    period_from: date
    period_to: date
    added: list[ListRow]
    removed: list[ListRow]
    batch_number: int | None = None
    base_salary: int = 0
    header: dict = field(default_factory=dict)

    @property
    def added_totals(self) -> Totals:
        return Totals.of(self.added)

    @property
    def removed_totals(self) -> Totals:
        return Totals.of(self.removed)

    @property
    def totals(self) -> Totals:
        """ "Tổng cộng": what was added less what was removed, the money the list accounts for."""
        return self.added_totals - self.removed_totals

    @property
    def books_asked(self) -> int:
        """D05-TS's last line: BHXH books asked for, one per person added without a BHXH code."""
        return sum(1 for r in self.added if not r.bhxh_code)
