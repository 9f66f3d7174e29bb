"""Spreadsheet imports of the collectors app: weekly quotas, and the roster of agencies and their officers."""

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.db.models import Model
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from campaign.models import Campaign, CampaignWeek, Product
from campaign.selectors import campaign_by_code, commune_lookup, office_lookup
from core.errors import DomainError
from core.excel.importing import Importer, Outcome, change_counts
from core.excel.reader import (
    CellError,
    ColumnPattern,
    Field,
    Row,
    Table,
    TableSpec,
    normalize,
    show,
    to_choice,
    to_code,
    to_count,
    to_date,
    vn_int,
)
from core.excel.writer import Column, table_to_bytes
from core.models import ImportRecord

from .models import CollectionAgency, Collector, WeeklyQuota

PRODUCT_SHORT = {Product.BHXH_TN: "BHXH TN", Product.BHYT_HGD: "BHYT HGĐ"}
AGENCY_CODE = Field(
    "agency",
    "Mã tổ chức dịch vụ thu",
    ("Mã TCDVT", "Mã tổ chức", "Mã đơn vị", "Mã đơn vị thu", "Mã đại lý", "Mã đại lý thu", "Mã ĐVT", "Mã tổ chức DVT"),
    to_code(),
)


# --- weekly quotas ------------------------------------------------------------------------------


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


class AgencyLookup:
    def __init__(self):
        self.by_code = {agency.code.upper(): agency for agency in CollectionAgency.objects.all()}

    def find(self, code: str) -> CollectionAgency:
        agency = self.by_code.get((code or "").strip().upper())
        if agency is None:
            raise DomainError(
                _("Unknown agency code %(code)s; add the agency with the roster import first.") % {"code": code}
            )
        return agency


class QuotaImport(Importer):
    """Each agency's quota per week and product; a week in the file gets exactly the file's quotas.

    Long form: a row per agency and week. Wide form: a row per agency, a pair of columns per
    week ("Tuần 1 - BHXH TN", "Tuần 1 - BHYT HGĐ", ...). An empty or zero count means no quota.
    """

    kind = ImportRecord.Kind.QUOTAS
    title = gettext_lazy("Weekly quotas")
    specs = (QUOTAS_LONG, QUOTAS_WIDE)
    parameters = ("campaign",)
    template_name = "mau-chi-tieu-tuan.xlsx"

    def context(self, *, campaign: str = "", **codes) -> Campaign:
        return campaign_by_code(campaign)

    def run(self, table: Table, rows: list[Row], *, context: Campaign, write: bool) -> Outcome:
        campaign = context
        weeks = {week.number: week for week in campaign.weeks.all()}
        agencies = AgencyLookup()
        problems: list = []
        wanted: dict[tuple[int, int, str], int] = {}  # (week id, agency id, product) -> count
        weeks_in_file: set[int] = set()
        if table.spec is QUOTAS_WIDE:
            problems += self._check_week_columns(table, weeks)
            entries = self._wide_entries(table, rows, weeks)
        else:
            entries = self._long_entries(table, rows, weeks, problems)
        seen: dict[tuple[int, int], int] = {}
        for row, week, counts in entries:
            weeks_in_file.add(week.pk)
            try:
                agency = agencies.find(row.values["agency"])
            except DomainError as exc:
                problems.extend(table.problem(row, "agency", m) for m in exc.messages)
                continue
            first = seen.setdefault((week.pk, agency.pk), row.number)
            if first != row.number:
                problems.append(table.problem(row, "agency", _("Duplicate of row %(row)s.") % {"row": first}))
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
        if problems:
            return Outcome(problems=problems)
        if not weeks_in_file:
            return Outcome(problems=[table.problem(None, None, _("The file has no quota for any week."))])
        return self._apply(campaign, weeks, weeks_in_file, wanted, agencies, write=write)

    def _long_entries(self, table: Table, rows: list[Row], weeks: dict, problems: list):
        by_start = {week.start_date: week for week in weeks.values()}
        for row in rows:
            week = self._week(table, row, row.values["week"], weeks, by_start, problems)
            if week is not None:
                yield row, week, {product: row.values.get(product) for product in Product.values}

    def _week(self, table, row, ref, weeks: dict, by_start: dict, problems: list) -> CampaignWeek | None:
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

    @staticmethod
    def _check_week_columns(table: Table, weeks: dict) -> list:
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

    @staticmethod
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

    def _apply(self, campaign, weeks, weeks_in_file, wanted, agencies, *, write: bool) -> Outcome:
        stored = {
            (q.week_id, q.agency_id, q.product): q
            for q in WeeklyQuota.objects.filter(week_id__in=weeks_in_file).select_related("agency")
        }
        week_numbers = {week.pk: week.number for week in weeks.values()}
        agency_codes = {agency.pk: agency.code for agency in agencies.by_code.values()}
        to_create, to_update, to_delete, lines = [], [], [], []

        def line(key, before, after):
            week_id, agency_id, product = key
            lines.append(
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
                to_create.append(WeeklyQuota(week_id=key[0], agency_id=key[1], product=key[2], count=count))
                line(key, None, count)
            elif quota.count != count:
                line(key, quota.count, count)
                quota.count = count
                to_update.append(quota)
        for key, quota in sorted(stored.items(), key=lambda item: _sort_key(item[0], week_numbers, agency_codes)):
            if key not in wanted:
                to_delete.append(quota.pk)
                line(key, quota.count, None)
        if write:
            Campaign.objects.select_for_update().filter(pk=campaign.pk).first()  # one quota import at a time
            WeeklyQuota.objects.filter(pk__in=to_delete).delete()
            WeeklyQuota.objects.bulk_create(to_create)
            WeeklyQuota.objects.bulk_update(to_update, ["count"])
        unchanged = len(wanted) - len(to_create) - len(to_update)
        notes = [
            _("Weeks in this file: %(weeks)s. Quotas of other weeks stay as they are.")
            % {"weeks": ", ".join(str(week_numbers[w]) for w in sorted(weeks_in_file, key=week_numbers.get))}
        ]
        return Outcome(
            counts=change_counts(
                added=len(to_create), changed=len(to_update), removed=len(to_delete), unchanged=unchanged
            ),
            lines=lines,
            notes=notes,
            rows_written=len(to_create) + len(to_update) + len(to_delete) if write else 0,
        )

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


def _sort_key(key, week_numbers, agency_codes):
    week_id, agency_id, product = key
    return week_numbers.get(week_id, 0), agency_codes.get(agency_id, ""), product


# --- the roster of agencies and officers ------------------------------------------------------

KIND_SPELLINGS = {
    "post_office": CollectionAgency.Kind.POST_OFFICE,
    "Bưu điện": CollectionAgency.Kind.POST_OFFICE,
    "Bưu điện huyện": CollectionAgency.Kind.POST_OFFICE,
    "Bưu điện xã": CollectionAgency.Kind.POST_OFFICE,
    "commune_agent": CollectionAgency.Kind.COMMUNE_AGENT,
    "Đại lý xã": CollectionAgency.Kind.COMMUNE_AGENT,
    "Đại lý thu xã": CollectionAgency.Kind.COMMUNE_AGENT,
    "Đại lý thu": CollectionAgency.Kind.COMMUNE_AGENT,
    "Đại lý": CollectionAgency.Kind.COMMUNE_AGENT,
    "other": CollectionAgency.Kind.OTHER,
    "Khác": CollectionAgency.Kind.OTHER,
}
KIND_LABELS = {
    CollectionAgency.Kind.POST_OFFICE: "Bưu điện",
    CollectionAgency.Kind.COMMUNE_AGENT: "Đại lý xã",
    CollectionAgency.Kind.OTHER: "Khác",
}
_PHONE = re.compile(r"\+?\d{9,12}")

ROSTER = TableSpec(
    gettext_lazy("agencies and officers"),
    (
        AGENCY_CODE,
        Field("agency_name", "Tên tổ chức dịch vụ thu", ("Tên tổ chức", "Tên đơn vị", "Tên đại lý", "Tên TCDVT")),
        Field(
            "kind",
            "Loại tổ chức",
            ("Loại", "Loại hình tổ chức", "Phân loại", "Loại đơn vị"),
            to_choice(KIND_SPELLINGS, shown=list(KIND_LABELS.values())),
        ),
        Field(
            "office",
            "BHXH cơ sở",
            ("Mã BHXH cơ sở", "BHXH cơ sở quản lý", "Cơ quan BHXH", "BHXH huyện", "BHXH quản lý"),
        ),
        Field(
            "communes",
            "Xã phục vụ",
            ("Địa bàn thu", "Địa bàn", "Xã/phường phục vụ", "Xã, phường phục vụ", "Mã xã phục vụ", "Địa bàn phục vụ"),
            required=False,
            blank=True,
        ),
        Field(
            "collector_code",
            "Mã nhân viên thu",
            ("Mã cán bộ thu", "Mã NVT", "Mã CBT", "Mã nhân viên"),
            to_code(),
            required=False,
            blank=True,
        ),
        Field(
            "collector_name",
            "Họ tên nhân viên thu",
            ("Họ và tên nhân viên thu", "Tên nhân viên thu", "Họ tên cán bộ thu", "Nhân viên thu", "Cán bộ thu"),
            required=False,
            blank=True,
        ),
        Field(
            "phone",
            "Số điện thoại",
            ("Điện thoại", "SĐT", "Số ĐT", "Điện thoại nhân viên", "Di động"),
            to_code(10),
            required=False,
            blank=True,
        ),
    ),
)


@dataclass
class _AgencyWanted:
    row: Row
    code: str
    name: str
    kind: str
    office: Any
    communes: set = field(default_factory=set)
    communes_given: bool = False


class RosterImport(Importer):
    """Agencies and their officers, one row per officer (an agency without officers takes one row).

    The file is the whole roster: agencies and officers are created or updated by code;
    those missing from the file are deleted when nothing refers to them, and deactivated
    otherwise (an agency with enrollments or quotas, an officer with enrollments or a login).
    """

    kind = ImportRecord.Kind.ROSTER
    title = gettext_lazy("Agencies and officers")
    specs = (ROSTER,)
    template_name = "mau-danh-sach-to-chuc-dich-vu-thu.xlsx"

    def run(self, table: Table, rows: list[Row], *, context: Any, write: bool) -> Outcome:
        offices, problems = office_lookup(), []
        communes = commune_lookup()
        agencies: dict[str, _AgencyWanted] = {}
        collectors: dict[str, tuple[Row, dict]] = {}
        for row in rows:
            wanted = self._agency(table, row, offices, communes, agencies, problems)
            self._collector(table, row, wanted, collectors, problems)
        if problems:
            return Outcome(problems=problems)
        return self._apply(agencies, collectors, write=write)

    def _agency(self, table, row, offices, communes, agencies, problems) -> _AgencyWanted | None:
        values = row.values
        code = values["agency"]
        try:
            office = offices.find(values["office"])
        except DomainError as exc:
            problems.extend(table.problem(row, "office", m) for m in exc.messages)
            return None
        served = set()
        for part in re.split(r"[,;\n]+", values.get("communes") or ""):
            if not part.strip():
                continue
            try:
                commune = communes.find(part)
            except DomainError as exc:
                problems.extend(table.problem(row, "communes", m) for m in exc.messages)
                continue
            if commune.province_id != office.province_id:
                problems.append(
                    table.problem(
                        row,
                        "communes",
                        _("Commune %(commune)s (%(code)s) is not in %(province)s, the province of %(office)s.")
                        % {
                            "commune": commune.name,
                            "code": commune.code,
                            "province": office.province.name,
                            "office": office.name,
                        },
                    )
                )
                continue
            served.add(commune.pk)
        wanted = agencies.get(code.upper())
        if wanted is None:
            wanted = agencies[code.upper()] = _AgencyWanted(row, code, values["agency_name"], values["kind"], office)
        else:
            differences = [
                (
                    "agency_name",
                    values["agency_name"] != wanted.name,
                    _("Agency %(code)s has another name on row %(row)s."),
                ),
                ("kind", values["kind"] != wanted.kind, _("Agency %(code)s has another kind on row %(row)s.")),
                (
                    "office",
                    office.pk != wanted.office.pk,
                    _("Agency %(code)s has another BHXH office on row %(row)s."),
                ),
            ]
            problems += [
                table.problem(row, key, message % {"code": code, "row": wanted.row.number})
                for key, differs, message in differences
                if differs
            ]
        wanted.communes |= served
        wanted.communes_given = "communes" in table.columns
        return wanted

    def _collector(self, table, row, agency: _AgencyWanted | None, collectors: dict, problems: list) -> None:
        values = row.values
        code, name = values.get("collector_code"), values.get("collector_name")
        phone = re.sub(r"[.\-()]", "", values.get("phone") or "")
        if not code and not name:
            if phone:
                problems.append(
                    table.problem(
                        row, "collector_code", _("A phone number without an officer: add the officer's code and name.")
                    )
                )
            return
        if not code or not name:
            if not code:
                problems.append(table.problem(row, "collector_code", _("Give the officer's code too.")))
            else:
                problems.append(table.problem(row, "collector_name", _("Give the officer's name too.")))
            return
        if phone and not _PHONE.fullmatch(phone):
            problems.append(
                table.problem(
                    row, "phone", _("%(value)s is not a phone number (9 to 12 digits).") % {"value": show(phone)}
                )
            )
            return
        first = collectors.get(code.upper())
        if first is not None:
            problems.append(
                table.problem(row, "collector_code", _("Duplicate of row %(row)s.") % {"row": first[0].number})
            )
            return
        if agency is not None:
            collectors[code.upper()] = (row, {"code": code, "name": name, "phone": phone or "", "agency": agency})

    def _apply(self, agencies: dict, collectors: dict, *, write: bool) -> Outcome:
        stored_agencies = {a.code.upper(): a for a in CollectionAgency.objects.prefetch_related("communes")}
        stored_collectors = {c.code.upper(): c for c in Collector.objects.select_related("agency")}
        counts = change_counts(deactivated=0, reactivated=0)
        lines: list[str] = []

        # Agencies in the file: create or update by code.
        saved: dict[str, CollectionAgency] = {}
        for key, wanted in agencies.items():
            agency = stored_agencies.get(key)
            values = {"name": wanted.name, "kind": wanted.kind, "office": wanted.office, "active": True}
            if agency is None:
                agency = CollectionAgency(code=wanted.code, **values)
                counts["added"] += 1
                lines.append(_("Agency %(code)s %(name)s: added") % {"code": wanted.code, "name": wanted.name})
                if write:
                    agency.save()
                    agency.communes.set(wanted.communes)
                saved[key] = agency
                continue
            changes = [name for name, value in values.items() if getattr(agency, name) != value]
            communes_change = wanted.communes_given and {c.pk for c in agency.communes.all()} != wanted.communes
            if changes or communes_change:
                counts["reactivated" if "active" in changes else "changed"] += 1
                what = [str(CollectionAgency._meta.get_field(n).verbose_name) for n in changes if n != "active"]
                if communes_change:
                    what.append(str(CollectionAgency._meta.get_field("communes").verbose_name))
                message = (
                    _("Agency %(code)s: reactivated (%(what)s)")
                    if "active" in changes
                    else _("Agency %(code)s: changed (%(what)s)")
                )
                lines.append(message % {"code": agency.code, "what": ", ".join(what) or "—"})
                for name, value in values.items():
                    setattr(agency, name, value)
                if write:
                    agency.save()
                    if communes_change:
                        agency.communes.set(wanted.communes)
            else:
                counts["unchanged"] += 1
            saved[key] = agency

        # Officers in the file: create, update or move by code.
        for key, (_row, wanted) in collectors.items():
            collector = stored_collectors.get(key)
            agency = saved[wanted["agency"].code.upper()]
            values = {"name": wanted["name"], "phone": wanted["phone"], "agency": agency, "active": True}
            if collector is None:
                counts["added"] += 1
                lines.append(
                    _("Officer %(code)s %(name)s (%(agency)s): added")
                    % {"code": wanted["code"], "name": wanted["name"], "agency": agency.code}
                )
                if write:
                    Collector.objects.create(code=wanted["code"], **values)
                continue
            changes = [
                name
                for name, value in values.items()
                if (getattr(collector, name).pk if name == "agency" else getattr(collector, name))
                != (value.pk if name == "agency" else value)
            ]
            if changes:
                counts["reactivated" if "active" in changes else "changed"] += 1
                what = [
                    str(Collector._meta.get_field(n).verbose_name) for n in changes if n not in ("active", "agency")
                ]
                if "agency" in changes:
                    what.append(_("moved from %(old)s to %(new)s") % {"old": collector.agency.code, "new": agency.code})
                message = (
                    _("Officer %(code)s: reactivated (%(what)s)")
                    if "active" in changes
                    else _("Officer %(code)s: changed (%(what)s)")
                )
                lines.append(message % {"code": collector.code, "what": ", ".join(what) or "—"})
                if write:
                    for name, value in values.items():
                        setattr(collector, name, value)
                    collector.save()
            else:
                counts["unchanged"] += 1

        # Officers and agencies missing from the file: deleted if nothing refers to them, else deactivated.
        gone_collectors = [c for key, c in stored_collectors.items() if key not in collectors]
        kept = referenced(Collector, gone_collectors) | {c.pk for c in gone_collectors if c.user_id}
        deleted_collectors = {c.pk for c in gone_collectors if c.pk not in kept}
        messages = (_("Officer %(code)s: deactivated (it has records)"), _("Officer %(code)s: removed"))
        self._retire(Collector, gone_collectors, kept, counts, lines, messages, write=write)
        gone_agencies = [a for key, a in stored_agencies.items() if key not in agencies]
        kept = referenced(CollectionAgency, gone_agencies, ignore={Collector: deleted_collectors})
        messages = (_("Agency %(code)s: deactivated (it has records)"), _("Agency %(code)s: removed"))
        self._retire(CollectionAgency, gone_agencies, kept, counts, lines, messages, write=write)
        written = sum(value for key, value in counts.items() if key != "unchanged")
        return Outcome(counts=counts, lines=lines, rows_written=written if write else 0)

    @staticmethod
    def _retire(model, gone: list, kept: set, counts: dict, lines: list, messages: tuple, *, write: bool) -> None:
        deactivated, removed = messages
        for item in gone:
            if item.pk in kept:
                if not item.active:
                    continue
                counts["deactivated"] += 1
                lines.append(deactivated % {"code": item.code})
            else:
                counts["removed"] += 1
                lines.append(removed % {"code": item.code})
        if write:
            model.objects.filter(pk__in=[i.pk for i in gone if i.pk in kept and i.active]).update(active=False)
            model.objects.filter(pk__in=[i.pk for i in gone if i.pk not in kept]).delete()

    def template(self, context: Any) -> bytes:
        """The roster as stored (so a download, an edit and an upload change only what was edited)."""
        rows: list[list[Any]] = []
        agencies = (
            CollectionAgency.objects.filter(active=True)
            .select_related("office")
            .prefetch_related("communes", "collectors")
        )
        for agency in agencies.order_by("code"):
            served = ", ".join(c.code for c in sorted(agency.communes.all(), key=lambda c: c.code))
            common = [agency.code, agency.name, KIND_LABELS.get(agency.kind, agency.kind), agency.office.code, served]
            officers = sorted((c for c in agency.collectors.all() if c.active), key=lambda c: c.code)
            for collector in officers or [None]:
                person = [collector.code, collector.name, collector.phone] if collector else [None, None, None]
                rows.append([len(rows) + 1, *common, *person])
        if not rows:
            rows = [
                [
                    "VD",
                    "BD-TAYNINH",
                    "Bưu điện tỉnh Tây Ninh",
                    "Bưu điện",
                    "BHXH-TN",
                    "25480, 25483",
                    "NVT-0001",
                    "Nguyễn Văn A",
                    "0912345678",
                ]
            ]
        return table_to_bytes(
            sheet_title="Danh sách TCDVT",
            title_lines=[
                "DANH SÁCH TỔ CHỨC DỊCH VỤ THU VÀ NHÂN VIÊN THU",
                "Mỗi dòng một nhân viên thu; tổ chức chưa có nhân viên ghi một dòng để trống phần nhân viên.",
            ],
            columns=[
                Column("STT", 6, note="Dòng ghi VD là dòng ví dụ và không được nhập."),
                Column("Mã tổ chức dịch vụ thu", 18, "code"),
                Column("Tên tổ chức dịch vụ thu", 30),
                Column("Loại tổ chức", 14, choices=tuple(KIND_LABELS.values())),
                Column("BHXH cơ sở", 16, note="Mã hoặc tên BHXH cơ sở quản lý."),
                Column("Xã phục vụ", 24, "code", note="Mã hoặc tên các xã, phường, cách nhau bởi dấu phẩy."),
                Column("Mã nhân viên thu", 14, "code"),
                Column("Họ tên nhân viên thu", 24),
                Column("Số điện thoại", 14, "code"),
            ],
            rows=rows,
            validation_rows=max(len(rows), 500),
        )


def referenced(model: type[Model], items: Iterable[Model], *, ignore: dict | None = None) -> set[int]:
    """The ids among ``items`` that a row of another table points to (an enrollment, a quota, ...).

    Walks the model's reverse relations, so this app need not know the apps above it.
    ``ignore`` leaves out rows about to be deleted: ``{Collector: {ids}}``.
    """
    ids = {item.pk for item in items}
    found: set[int] = set()
    if not ids:
        return found
    ignore = ignore or {}
    for relation in model._meta.related_objects:
        if relation.many_to_many or not relation.field.concrete:
            continue
        related = relation.related_model._default_manager.filter(**{f"{relation.field.name}__in": ids})
        if relation.related_model in ignore:
            related = related.exclude(pk__in=ignore[relation.related_model])
        found |= set(related.values_list(relation.field.attname, flat=True).distinct())
    return found
