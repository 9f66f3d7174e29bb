"""The bank's statement of the agency's collection account, as an import: read, match, preview, confirm.

Each credit line (date, amount, content, the bank's reference) is matched to one of the agency's
issued receipts by the receipt number in the content and the amount (``matching``):

- *matched*: the number is found, the amount is the receipt's, and no line has paid it yet;
- *amount differs*: the number is found, the amount is not the receipt's (still to pay, or paid twice);
- *receipt already paid*: the receipt has a matched line already (an earlier statement, or a line above);
- *unknown reference*: no receipt number of the agency is in the content.

Every credit line is kept (``StatementLine``), matched or not, so the unmatched ones stay listed
until someone sorts them out. Debit lines (money going out) are left aside; a line whose bank
reference the agency already has is skipped, so the same statement uploaded twice adds nothing.
"""

import re
from dataclasses import dataclass, field
from datetime import date

from django.db.models import Q, Sum
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from collectors.models import CollectionAgency
from core import clock
from core.errors import DomainError
from core.excel.importing import Importer, Plan
from core.excel.reader import CellError, Field, Row, Table, TableSpec, show, to_date, to_text, vn_int
from core.excel.writer import Column, table_to_bytes
from core.models import ImportRecord
from enrollments.vocabulary import Status

from ..models import Receipt, StatementLine
from .matching import numbers_in, receipt_keys

MAX_STATEMENT_ROWS = 5000
CONTENT_MAX = StatementLine._meta.get_field("content").max_length
REFERENCE_MAX = StatementLine._meta.get_field("bank_reference").max_length
Result = StatementLine.Result

_MONEY_TEXT = re.compile(r"^([+-]?)\s*([\d., ]+?)(?:[.,]00?)?\s*(?:vnd|vnđ|đ|d)?$", re.IGNORECASE | re.ASCII)


def to_amount(value) -> int:
    """Whole đồng, signed: 1512000, "1.512.000", "1,512,000.00", "+1.512.000 VND", "-500.000"."""
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise CellError(_("%(value)s is not an amount.") % {"value": show(value)})
    if isinstance(value, int | float):
        if not float(value).is_integer():
            raise CellError(_("%(value)s is not whole đồng.") % {"value": show(value)})
        return int(value)
    text = value.strip().replace("\u00a0", " ").replace("VNĐ", "VND").replace("vnđ", "vnd")
    match = _MONEY_TEXT.match(text.replace("đ", "d").replace("Đ", "D"))
    digits = re.sub(r"[., ]", "", match.group(2)) if match else ""
    if not digits.isdigit() or len(digits) > 15:
        raise CellError(_("%(value)s is not an amount; write it like 1.512.000.") % {"value": show(value)})
    return -int(digits) if match.group(1) == "-" else int(digits)


def to_day(value) -> date:
    """A date, also with the time banks add ("12/12/2025 10:15:02")."""
    if isinstance(value, str) and " " in value.strip():
        value = value.strip().split()[0]
    return to_date(value)


CONTENT_HEADERS = (
    "Nội dung giao dịch", "Nội dung chuyển khoản", "Nội dung CK", "Diễn giải", "Mô tả",
    "Description", "Transaction details",
)  # fmt: skip
REFERENCE_HEADERS = (
    "Mã giao dịch", "Số giao dịch", "Mã GD", "Số GD", "Số bút toán", "Số chứng từ", "Mã tham chiếu",
    "Số tham chiếu giao dịch", "Reference", "Ref", "Transaction ID",
)  # fmt: skip
STATEMENT = TableSpec(
    title=gettext_lazy("Bank statement"),
    fields=(
        Field(
            "day",
            "Ngày giao dịch",
            aliases=("Ngày", "Ngày GD", "Ngày hạch toán", "Ngày ghi sổ", "Ngày hiệu lực", "Transaction date", "Date"),
            convert=to_day,
            blank=True,
        ),
        Field(
            "credit",
            "Số tiền ghi có",
            aliases=("Ghi có", "Có", "Số tiền có", "Phát sinh có", "Số tiền vào", "Số tiền", "Credit", "Amount"),
            convert=to_amount,
            blank=True,
        ),
        Field(
            "debit",
            "Số tiền ghi nợ",
            aliases=("Ghi nợ", "Nợ", "Số tiền nợ", "Phát sinh nợ", "Số tiền ra", "Debit"),
            convert=to_amount,
            required=False,
            blank=True,
        ),
        Field(
            "content",
            "Nội dung",
            aliases=CONTENT_HEADERS,
            blank=True,
        ),
        Field(
            "reference",
            "Số tham chiếu",
            aliases=REFERENCE_HEADERS,
            convert=to_text,
            blank=True,
        ),
    ),
)


@dataclass
class StatementContext:
    agency: CollectionAgency
    user: object = None


@dataclass
class Entry:
    row: int
    credited_on: date
    amount: int
    content: str
    reference: str
    result: str
    receipt_id: int | None = None
    receipt_no: str = ""
    receipt_amount: int | None = None


@dataclass(kw_only=True)
class StatementPlan(Plan):
    entries: list[Entry] = field(default_factory=list)


def _receipts(agency: CollectionAgency) -> tuple[dict[str, tuple], set[int]]:
    """The agency's issued receipts by normalized number, as (id, number, amount); and those already paid."""
    receipts = (
        Receipt.objects.filter(agency=agency, status=Receipt.Status.ISSUED)
        .annotate(total=Sum("lines__enrollment__amount_payable", filter=Q(lines__enrollment__status=Status.RECORDED)))
        .values_list("pk", "receipt_no", "total")
    )
    keys = {}
    for pk, number, total in receipts:
        for key in receipt_keys(number):
            keys.setdefault(key, (pk, number, total or 0))
    paid = set(StatementLine.objects.filter(agency=agency, result=Result.MATCHED).values_list("receipt_id", flat=True))
    return keys, paid


def _result(candidates: list[tuple], amount: int, paid: set[int]) -> tuple[str, tuple | None]:
    for candidate in candidates:
        if candidate[2] == amount and candidate[0] not in paid:
            return Result.MATCHED, candidate
    for candidate in candidates:
        if candidate[0] in paid:
            return Result.ALREADY_PAID, candidate
    if candidates:
        return Result.AMOUNT_DIFFERS, candidates[0]
    return Result.UNKNOWN, None


def result_label(result: str) -> str:
    return str(Result(result).label)


def _line(entry: Entry) -> str:
    text = _("Row %(row)s: %(day)s · %(reference)s · %(amount)s ₫ · %(result)s") % {
        "row": entry.row,
        "day": f"{entry.credited_on:%d/%m/%Y}",
        "reference": entry.reference,
        "amount": vn_int(entry.amount),
        "result": result_label(entry.result),
    }
    if entry.receipt_no:
        text += f" · {entry.receipt_no}"
        if entry.result == Result.AMOUNT_DIFFERS:
            text += " " + _("(receipt: %(amount)s ₫)") % {"amount": vn_int(entry.receipt_amount or 0)}
    return text


def _credit_lines(table: Table, rows: list[Row], plan: StatementPlan) -> tuple[list[tuple], int]:
    """The rows that bring money in, as (row, day, amount, content, reference); problems on ``plan``."""
    credits, debits = [], 0
    for row in rows:
        values = row.values
        amount = values.get("credit")
        if amount is None or amount <= 0:
            debits += 1  # money going out, or a line without a credit: not a payment
            continue
        problems = []
        if values.get("day") is None:
            problems.append(table.problem(row, "day", _("A credit line needs its date.")))
        reference = (values.get("reference") or "").strip()
        if not reference:
            problems.append(table.problem(row, "reference", _("A credit line needs the bank's reference.")))
        elif len(reference) > REFERENCE_MAX:
            problems.append(table.problem(row, "reference", _("At most %(max)s characters.") % {"max": REFERENCE_MAX}))
        plan.problems += problems
        if not problems:
            credits.append((row, values["day"], amount, (values.get("content") or "")[:CONTENT_MAX], reference))
    return credits, debits


def plan_statement(table: Table, rows: list[Row], *, agency: CollectionAgency) -> StatementPlan:
    plan = StatementPlan()
    keys, paid = _receipts(agency)
    lengths = {len(key) for key in keys}
    credits, debits = _credit_lines(table, rows, plan)
    known = set(
        StatementLine.objects.filter(agency=agency, bank_reference__in={c[4] for c in credits}).values_list(
            "bank_reference", flat=True
        )
    )
    skipped = 0
    for row, day, amount, content, reference in credits:
        if reference in known:
            skipped += 1  # uploaded before, or twice in this file
            continue
        known.add(reference)
        result, receipt = _result(numbers_in(content, keys, lengths), amount, paid)
        entry = Entry(row.number, day, amount, content, reference, result)
        if receipt is not None:
            entry.receipt_id, entry.receipt_no, entry.receipt_amount = receipt
            if result == Result.MATCHED:
                paid.add(receipt[0])
        plan.entries.append(entry)
    for result in Result:
        plan.counts[result.value] = sum(1 for e in plan.entries if e.result == result)
    plan.counts["skipped"] = skipped
    plan.counts["debit"] = debits
    plan.lines = [_line(entry) for entry in plan.entries]
    if not plan.entries and not plan.problems and not skipped:
        plan.problems.append(table.problem(None, None, _("The statement has no credit line.")))
    return plan


def record_statement(plan: StatementPlan, *, agency: CollectionAgency) -> int:
    """Store a checked plan's lines (inside the import's transaction, the agency row locked)."""
    plan.refuse_if_problems()
    now = clock.now()
    StatementLine.objects.bulk_create(
        StatementLine(
            agency=agency,
            credited_on=e.credited_on,
            amount=e.amount,
            content=e.content,
            bank_reference=e.reference,
            result=e.result,
            receipt_id=e.receipt_id,
            row=e.row,
            recorded_at=now,
        )
        for e in plan.entries
    )
    return len(plan.entries)


class BankStatementImport(Importer):
    kind = ImportRecord.Kind.BANK_STATEMENT
    title = gettext_lazy("Bank statement")
    specs = (STATEMENT,)
    parameters = ("agency",)
    template_name = "mau-sao-ke-ngan-hang.xlsx"
    max_rows = 2 * MAX_STATEMENT_ROWS

    def context(self, *, agency: str = "", user=None, **codes) -> StatementContext:
        found = CollectionAgency.objects.filter(code__iexact=(agency or "").strip()).first()
        if found is None:
            raise DomainError({"agency": [_("No agency has the code “%(code)s”.") % {"code": agency or ""}]})
        return StatementContext(agency=found, user=user)

    def codes_of(self, context: StatementContext) -> dict[str, str]:
        return {"agency": context.agency.code}

    def run(self, table, rows, *, context: StatementContext, write: bool):
        # Two uploads of one agency's statements are matched one after the other: a receipt is paid once.
        CollectionAgency.objects.select_for_update().filter(pk=context.agency.pk).first()
        return super().run(table, rows, context=context, write=write)

    def plan(self, table: Table, rows: list[Row], *, context: StatementContext) -> StatementPlan:
        if len(rows) > MAX_STATEMENT_ROWS:
            raise DomainError(
                _("The statement has %(rows)s lines; at most %(max)s are read at once. Split it by dates.")
                % {"rows": vn_int(len(rows)), "max": vn_int(MAX_STATEMENT_ROWS)}
            )
        return plan_statement(table, rows, agency=context.agency)

    def write(self, plan: StatementPlan, *, context: StatementContext) -> int:
        return record_statement(plan, agency=context.agency)

    def template(self, context=None) -> bytes:
        columns = [
            Column("STT", 6, note="Dòng ghi VD là dòng ví dụ và không được nhập."),
            Column("Ngày giao dịch", 14, "date", note="dd/mm/yyyy"),
            Column("Số tham chiếu", 18, "code", note="Mã giao dịch của ngân hàng, mỗi dòng một mã."),
            Column("Số tiền ghi nợ", 15, "int", note="Tiền ra: để trống hoặc ghi số; dòng này không được đối chiếu."),
            Column("Số tiền ghi có", 15, "int", note="Tiền vào, đồng."),
            Column("Nội dung", 48, note="Nội dung chuyển khoản: có số biên lai, ví dụ BH25-AG/08907/E-0000001."),
        ]
        example = ["VD", date(2025, 12, 12), "FT25346123456", None, 1_512_000, "BH25-AG/08907/E-0000001 Nguyen Van A"]
        return table_to_bytes(
            sheet_title="Sao kê",
            title_lines=["SAO KÊ TÀI KHOẢN THU (thay dòng VD bằng các dòng của sao kê ngân hàng)"],
            columns=columns,
            rows=[example],
            validation_rows=MAX_STATEMENT_ROWS,
        )
