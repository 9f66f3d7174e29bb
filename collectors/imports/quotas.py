"""The weekly quota sheet: each agency's quota per week and product, long form or wide form."""

import re
from datetime import date
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from campaign.imports import CampaignImport
from campaign.models import Campaign, CampaignWeek, Product
from core.errors import DomainError
from core.excel.importing import change_counts, duplicates
from core.excel.reader import (
    CellError,
    ColumnPattern,
    Field,
    Problem,
    Row,
    Table,
    TableSpec,
    normalize,
    show,
    to_count,
    to_date,
    vn_int,
)
from core.excel.writer import Column, table_to_bytes
from core.models import ImportRecord

from ..models import CollectionAgency, WeeklyQuota
from ..selectors import AgencyLookup, agency_lookup
from ..services import QuotaPlan, save_quotas
from .columns import AGENCY_CODE

PRODUCT_SHORT = {Product.BHXH_TN: "BHXH TN", Product.BHYT_HGD: "BHYT HGĐ"}


def to_week(value) -> int | date:
    """A week by its number (1, "1", "Tuần 1", "W1") or by its first day (a date)."""
    if isinstance(value, float | int) and not isinstance(value, bool):
        if float(value).is_integer() and 0 < value < 100:
            return int(value)
    elif isinstance(value, str) and (
        match := re.fullmatch(r"(?:tuan|tuanthu|tuanso|w|week|t)?0*(\d{1,2})", normalize(value))
    ):
        return int(match.group(1))
    try:
        return to_date(value)
    except CellError:
        pass
    raise CellError(
        _("%(value)s is not a week: write its number (1, 2, ...) or its first day (dd/mm/yyyy).")
        % {"value": show(value)}
    )


_BHXH = r"(?:chitieu)?bhxh(?:tn|tunguyen)?(?:nguoi)?"
_BHYT = r"(?:chitieu)?bhyt(?:hgd|hogiadinh)?(?:nguoi)?"
_WEEK = r"tuan(?:thu|so)?0*(\d{1,2})"


def _week_column(product: str):
    return lambda match: ("week", int(next(g for g in match.groups() if g)), product)


QUOTAS_LONG = TableSpec(
    gettext_lazy("weekly quotas, one row per agency and week"),
    (
        AGENCY_CODE,
        Field("week", "Tuần", ("Tuần thứ", "Tuần số", "Tuần (số hoặc ngày bắt đầu)", "Ngày bắt đầu tuần"), to_week),
        Field(
            Product.BHXH_TN,
            "Chỉ tiêu BHXH tự nguyện",
            ("Chỉ tiêu BHXH TN", "BHXH tự nguyện", "BHXH TN", "BHXH", "Chỉ tiêu BHXH"),
            to_count,
            blank=True,
            total=True,
        ),
        Field(
            Product.BHYT_HGD,
            "Chỉ tiêu BHYT hộ gia đình",
            ("Chỉ tiêu BHYT HGĐ", "BHYT hộ gia đình", "BHYT HGĐ", "BHYT", "Chỉ tiêu BHYT"),
            to_count,
            blank=True,
            total=True,
        ),
    ),
)
QUOTAS_WIDE = TableSpec(
    gettext_lazy("weekly quotas, one row per agency and a pair of columns per week"),
    (AGENCY_CODE,),
    (
        ColumnPattern(re.compile(f"{_WEEK}{_BHXH}|{_BHXH}{_WEEK}"), _week_column(Product.BHXH_TN), total=True),
        ColumnPattern(re.compile(f"{_WEEK}{_BHYT}|{_BHYT}{_WEEK}"), _week_column(Product.BHYT_HGD), total=True),
    ),
)


def _wanted_counts(table: Table, found: list, repeated_rows: set[int], problems: list[Problem]) -> dict:
    """(week id, agency id, product) → count for the rows that may be taken; a deactivated agency is refused."""
    wanted: dict[tuple[int, int, str], int] = {}
    for row, week, agency, counts in found:
        if row.number in repeated_rows:
            continue
        if not agency.active and any(counts.values()):
            problems.append(
                table.problem(
                    row,
                    "agency",
                    _("Agency %(code)s is deactivated: reactivate it or leave its quotas empty.")
                    % {"code": agency.code},
                )
            )
            continue
        for product, count in counts.items():
            if count:
                wanted[(week.pk, agency.pk, product)] = count
    return wanted


def plan_quotas(table: Table, rows: list[Row], *, campaign: Campaign) -> QuotaPlan:
    """The quotas the rows add, change or remove, and every problem; writes nothing.

    A week in the file gets exactly the file's quotas: a stored quota of that week the file
    leaves out is removed.
    """
    weeks = {week.number: week for week in campaign.weeks.all()}
    agencies = agency_lookup()
    problems: list[Problem] = []
    if table.spec is QUOTAS_WIDE:
        problems += _check_week_columns(table, weeks)
        entries = _wide_entries(table, rows, weeks)
    else:
        entries = _long_entries(table, rows, weeks, problems)
    weeks_in_file: set[int] = set()
    found: list[tuple[Row, CampaignWeek, CollectionAgency, dict]] = []
    for row, week, counts in entries:
        weeks_in_file.add(week.pk)
        try:
            found.append((row, week, agencies.find(row.values["agency"]), counts))
        except DomainError as exc:
            problems.extend(table.problem(row, "agency", m) for m in exc.messages)
    repeated = duplicates(table, ((row, (week.pk, agency.pk)) for row, week, agency, _c in found), column="agency")
    problems += repeated
    wanted = _wanted_counts(table, found, {problem.row for problem in repeated}, problems)
    if problems:
        return QuotaPlan(campaign=campaign, problems=problems)
    if not weeks_in_file:
        return QuotaPlan(
            campaign=campaign, problems=[table.problem(None, None, _("The file has no quota for any week."))]
        )
    return _changes(campaign, weeks, weeks_in_file, wanted, agencies)


def _long_entries(table: Table, rows: list[Row], weeks: dict, problems: list):
    by_start = {week.start_date: week for week in weeks.values()}
    for row in rows:
        week = _week(table, row, row.values["week"], weeks, by_start, problems)
        if week is not None:
            yield row, week, {product: row.values.get(product) for product in Product.values}


def _week(table, row, ref, weeks: dict, by_start: dict, problems: list) -> CampaignWeek | None:
    first, last = weeks[min(weeks)], weeks[max(weeks)]
    if isinstance(ref, int):
        week = weeks.get(ref)
        if week is None:
            problems.append(
                table.problem(
                    row,
                    "week",
                    _("Week %(number)s is outside the campaign, which has weeks 1 to %(last)s.")
                    % {"number": ref, "last": last.number},
                )
            )
        return week
    week = by_start.get(ref)
    if week is not None:
        return week
    if first.start_date <= ref <= last.end_date:
        containing = next(w for w in weeks.values() if w.start_date <= ref <= w.end_date)
        message = _("%(date)s is not the first day of a week: week %(number)s starts on %(start)s.") % {
            "date": ref.strftime("%d/%m/%Y"),
            "number": containing.number,
            "start": containing.start_date.strftime("%d/%m/%Y"),
        }
    else:
        message = _("%(date)s is outside the campaign (%(start)s to %(end)s).") % {
            "date": ref.strftime("%d/%m/%Y"),
            "start": first.start_date.strftime("%d/%m/%Y"),
            "end": last.end_date.strftime("%d/%m/%Y"),
        }
    problems.append(table.problem(row, "week", message))
    return None


def _check_week_columns(table: Table, weeks: dict) -> list[Problem]:
    problems = []
    for key in table.columns:
        if isinstance(key, tuple) and key[1] not in weeks:
            problems.append(
                table.problem(
                    None,
                    None,
                    _("The column %(header)s is for week %(number)s, but the campaign has weeks 1 to %(last)s.")
                    % {"header": table.header_of(key), "number": key[1], "last": max(weeks)},
                )
            )
    return problems


def _wide_entries(table: Table, rows: list[Row], weeks: dict):
    week_numbers = sorted({key[1] for key in table.columns if isinstance(key, tuple) and key[1] in weeks})
    # A week whose columns are all empty is not in the upload: its quotas stay as they are.
    filled = {
        number
        for number in week_numbers
        if any(row.values.get(("week", number, p)) is not None for row in rows for p in Product.values)
    }
    for row in rows:
        for number in week_numbers:
            if number in filled:
                yield row, weeks[number], {p: row.values.get(("week", number, p)) for p in Product.values}


def _changes(campaign, weeks, weeks_in_file, wanted, agencies: AgencyLookup) -> QuotaPlan:
    stored = {
        (q.week_id, q.agency_id, q.product): q
        for q in WeeklyQuota.objects.filter(week_id__in=weeks_in_file).select_related("agency")
    }
    week_numbers = {week.pk: week.number for week in weeks.values()}
    agency_codes = {agency.pk: agency.code for agency in agencies.by_code.values()}
    plan = QuotaPlan(campaign=campaign)

    def line(key, before, after):
        week_id, agency_id, product = key
        plan.lines.append(
            _("Week %(week)s · %(agency)s · %(product)s: %(before)s → %(after)s")
            % {
                "week": week_numbers[week_id],
                "agency": agency_codes[agency_id],
                "product": PRODUCT_SHORT[product],
                "before": vn_int(before) if before else "—",
                "after": vn_int(after) if after else "—",
            }
        )

    for key, count in sorted(wanted.items(), key=lambda item: _sort_key(item[0], week_numbers, agency_codes)):
        quota = stored.get(key)
        if quota is None:
            plan.add.append(WeeklyQuota(week_id=key[0], agency_id=key[1], product=key[2], count=count))
            line(key, None, count)
        elif quota.count != count:
            line(key, quota.count, count)
            quota.count = count
            plan.change.append(quota)
    for key, quota in sorted(stored.items(), key=lambda item: _sort_key(item[0], week_numbers, agency_codes)):
        if key not in wanted:
            plan.remove.append(quota.pk)
            line(key, quota.count, None)
    plan.notes.append(
        _("Weeks in this file: %(weeks)s. Quotas of other weeks stay as they are.")
        % {"weeks": ", ".join(str(week_numbers[w]) for w in sorted(weeks_in_file, key=week_numbers.get))}
    )
    plan.counts = change_counts(
        added=len(plan.add),
        changed=len(plan.change),
        removed=len(plan.remove),
        unchanged=len(wanted) - len(plan.add) - len(plan.change),
    )
    return plan


def _sort_key(key, week_numbers, agency_codes):
    week_id, agency_id, product = key
    return week_numbers.get(week_id, 0), agency_codes.get(agency_id, ""), product


class QuotaImport(CampaignImport):
    """Each agency's quota per week and product; a week in the file gets exactly the file's quotas.

    Long form: a row per agency and week. Wide form: a row per agency, a pair of columns per
    week ("Tuần 1 - BHXH TN", "Tuần 1 - BHYT HGĐ", ...). An empty or zero count means no quota.
    """

    kind = ImportRecord.Kind.QUOTAS
    title = gettext_lazy("Weekly quotas")
    specs = (QUOTAS_LONG, QUOTAS_WIDE)
    template_name = "mau-chi-tieu-tuan.xlsx"

    def plan(self, table: Table, rows: list[Row], *, context: Campaign) -> QuotaPlan:
        return plan_quotas(table, rows, campaign=context)

    def write(self, plan: QuotaPlan, *, context: Campaign) -> int:
        return save_quotas(plan=plan)

    def template(self, context: Campaign) -> bytes:
        """The wide form, filled with the active agencies and the quotas already stored."""
        campaign = context
        weeks = list(campaign.weeks.order_by("number"))
        stored = {
            (q.agency_id, q.week_id, q.product): q.count for q in WeeklyQuota.objects.filter(week__campaign=campaign)
        }
        agencies = list(CollectionAgency.objects.filter(active=True).order_by("code"))
        columns = [
            Column("STT", 6, note="Dòng ghi VD là dòng ví dụ và không được nhập."),
            Column("Mã tổ chức dịch vụ thu", 18, "code"),
            Column("Tên tổ chức dịch vụ thu", 30),
        ]
        for week in weeks:
            period = f"{week.start_date:%d/%m}–{week.end_date:%d/%m/%Y}"
            for product in Product.values:
                columns.append(
                    Column(
                        f"Tuần {week.number} - {PRODUCT_SHORT[product]}",
                        12,
                        "int",
                        note=f"Tuần {week.number}: {period}. Số người; để trống hoặc 0 nếu không giao chỉ tiêu.",
                    )
                )
        rows: list[list[Any]] = []
        for number, agency in enumerate(agencies, start=1):
            counts = [stored.get((agency.pk, week.pk, product)) for week in weeks for product in Product.values]
            rows.append([number, agency.code, agency.name, *counts])
        if not rows:
            rows = [["VD", "BD-TAYNINH", "Bưu điện tỉnh Tây Ninh", *([10, 40] * len(weeks))]]
        return table_to_bytes(
            sheet_title="Chỉ tiêu tuần",
            title_lines=[
                f"CHỈ TIÊU PHÁT TRIỂN NGƯỜI THAM GIA THEO TUẦN — {campaign.name}",
                "Tuần để trống toàn bộ thì giữ nguyên chỉ tiêu đã giao.",
            ],
            columns=columns,
            rows=rows,
            validation_rows=max(len(rows), 200),
        )
