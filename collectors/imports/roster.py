"""The roster sheet: agencies and their officers, the whole of them, one row per officer."""

import re
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from campaign.selectors import commune_lookup, office_lookup
from core.errors import DomainError
from core.excel.importing import Importer, change_counts, duplicates
from core.excel.reader import (
    Field,
    Problem,
    Row,
    Table,
    TableSpec,
    to_choice,
    to_code,
)
from core.excel.writer import Column, table_to_bytes
from core.models import ImportRecord
from core.text import clean_phone, phone_problem, text_problem

from ..models import CollectionAgency, Collector
from ..selectors import referenced
from ..services import RosterPlan, sync_roster
from .columns import AGENCY_CODE

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
# The typed names and codes of a row: none may hold control or format characters.
_TEXT_KEYS = ("agency", "agency_name", "collector_code", "collector_name")

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


def plan_roster(table: Table, rows: list[Row]) -> RosterPlan:
    """What the roster in the rows adds, changes, deactivates and removes, and every problem; writes nothing."""
    offices, problems = office_lookup(), []
    communes = commune_lookup()
    agencies: dict[str, _AgencyWanted] = {}
    officers: list[tuple[Row, _AgencyWanted | None, dict]] = []
    for row in rows:
        problems += [
            table.problem(row, key, problem) for key in _TEXT_KEYS if (problem := text_problem(row.values.get(key)))
        ]
        wanted = _agency(table, row, offices, communes, agencies, problems)
        officer = _collector(table, row, problems)
        if officer is not None:
            officers.append((row, wanted, officer))
    repeated = duplicates(
        table, ((row, officer["code"].upper()) for row, _a, officer in officers), column="collector_code"
    )
    problems += repeated
    if problems:
        return RosterPlan(problems=problems)
    collectors = {officer["code"].upper(): officer | {"agency": agency} for _row, agency, officer in officers}
    return _changes(agencies, collectors)


def _agency(table, row, offices, communes, agencies, problems) -> _AgencyWanted | None:
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


def _collector(table: Table, row: Row, problems: list[Problem]) -> dict | None:
    """The row's officer (code, name, phone), None when the row has none or a problem with it."""
    values = row.values
    code, name = values.get("collector_code"), values.get("collector_name")
    phone = clean_phone(values.get("phone") or "")
    if not code and not name:
        if phone:
            problems.append(
                table.problem(
                    row, "collector_code", _("A phone number without an officer: add the officer's code and name.")
                )
            )
        return None
    if not code or not name:
        if not code:
            problems.append(table.problem(row, "collector_code", _("Give the officer's code too.")))
        else:
            problems.append(table.problem(row, "collector_name", _("Give the officer's name too.")))
        return None
    if problem := phone_problem(phone):
        problems.append(table.problem(row, "phone", problem))
        return None
    return {"code": code, "name": name, "phone": phone or ""}


def _changes(agencies: dict[str, _AgencyWanted], collectors: dict[str, dict]) -> RosterPlan:
    stored_agencies = {a.code.upper(): a for a in CollectionAgency.objects.prefetch_related("communes")}
    stored_collectors = {c.code.upper(): c for c in Collector.objects.select_related("agency")}
    plan = RosterPlan(counts=change_counts(deactivated=0, reactivated=0))
    saved = _agency_changes(plan, agencies, stored_agencies)
    _collector_changes(plan, collectors, stored_collectors, saved)

    # Officers and agencies missing from the file: deleted if nothing refers to them, else deactivated.
    gone_collectors = [c for key, c in stored_collectors.items() if key not in collectors]
    kept = referenced(Collector, gone_collectors) | {c.pk for c in gone_collectors if c.user_id}
    messages = (_("Officer %(code)s: deactivated (it has records)"), _("Officer %(code)s: removed"))
    plan.deactivate_collectors, plan.remove_collectors = _retire(plan, gone_collectors, kept, messages)
    # Officers removed, or in the file (so under an agency of the file), will no longer point to a missing agency.
    leaving = {*plan.remove_collectors, *(stored_collectors[key].pk for key in collectors if key in stored_collectors)}
    gone_agencies = [a for key, a in stored_agencies.items() if key not in agencies]
    kept = referenced(CollectionAgency, gone_agencies, ignore={Collector: leaving})
    messages = (_("Agency %(code)s: deactivated (it has records)"), _("Agency %(code)s: removed"))
    plan.deactivate_agencies, plan.remove_agencies = _retire(plan, gone_agencies, kept, messages)
    return plan


def _agency_changes(plan: RosterPlan, agencies: dict, stored: dict) -> dict[str, CollectionAgency]:
    """Agencies in the file, created or updated by code; each agency of the file by its key."""
    saved: dict[str, CollectionAgency] = {}
    for key, wanted in agencies.items():
        agency = stored.get(key)
        values = {"name": wanted.name, "kind": wanted.kind, "office": wanted.office, "active": True}
        if agency is None:
            agency = saved[key] = CollectionAgency(code=wanted.code, **values)
            plan.counts["added"] += 1
            plan.lines.append(_("Agency %(code)s %(name)s: added") % {"code": wanted.code, "name": wanted.name})
            plan.agencies.append((agency, wanted.communes))
            continue
        saved[key] = agency
        changes = [name for name, value in values.items() if getattr(agency, name) != value]
        communes_change = wanted.communes_given and {c.pk for c in agency.communes.all()} != wanted.communes
        if not changes and not communes_change:
            plan.counts["unchanged"] += 1
            continue
        what = [str(CollectionAgency._meta.get_field(n).verbose_name) for n in changes if n != "active"]
        if communes_change:
            what.append(str(CollectionAgency._meta.get_field("communes").verbose_name))
        messages = (_("Agency %(code)s: reactivated (%(what)s)"), _("Agency %(code)s: changed (%(what)s)"))
        _changed(plan, messages, agency.code, reactivated="active" in changes, what=what)
        for name, value in values.items():
            setattr(agency, name, value)
        plan.agencies.append((agency, wanted.communes if communes_change else None))
    return saved


def _collector_changes(plan: RosterPlan, collectors: dict, stored: dict, agencies: dict) -> None:
    """Officers in the file, created, updated or moved by code."""
    for key, wanted in collectors.items():
        collector = stored.get(key)
        agency = agencies[wanted["agency"].code.upper()]
        values = {"name": wanted["name"], "phone": wanted["phone"], "agency": agency, "active": True}
        if collector is None:
            plan.counts["added"] += 1
            plan.lines.append(
                _("Officer %(code)s %(name)s (%(agency)s): added")
                % {"code": wanted["code"], "name": wanted["name"], "agency": agency.code}
            )
            plan.collectors.append(Collector(code=wanted["code"], **values))
            continue
        changes = [
            name
            for name, value in values.items()
            if (getattr(collector, name).pk if name == "agency" else getattr(collector, name))
            != (value.pk if name == "agency" else value)
        ]
        if not changes:
            plan.counts["unchanged"] += 1
            continue
        what = [str(Collector._meta.get_field(n).verbose_name) for n in changes if n not in ("active", "agency")]
        if "agency" in changes:
            what.append(_("moved from %(old)s to %(new)s") % {"old": collector.agency.code, "new": agency.code})
        messages = (_("Officer %(code)s: reactivated (%(what)s)"), _("Officer %(code)s: changed (%(what)s)"))
        _changed(plan, messages, collector.code, reactivated="active" in changes, what=what)
        for name, value in values.items():
            setattr(collector, name, value)
        plan.collectors.append(collector)


def _changed(plan: RosterPlan, messages: tuple, code: str, *, reactivated: bool, what: list[str]) -> None:
    plan.counts["reactivated" if reactivated else "changed"] += 1
    message = messages[0] if reactivated else messages[1]
    plan.lines.append(message % {"code": code, "what": ", ".join(what) or "—"})


def _retire(plan: RosterPlan, gone: list, kept: set[int], messages: tuple) -> tuple[list[int], list[int]]:
    """The ids of ``gone`` to deactivate (something refers to them) and to delete, with their lines and counts."""
    deactivated, removed = messages
    to_deactivate, to_remove = [], []
    for item in gone:
        if item.pk not in kept:
            plan.counts["removed"] += 1
            plan.lines.append(removed % {"code": item.code})
            to_remove.append(item.pk)
        elif item.active:
            plan.counts["deactivated"] += 1
            plan.lines.append(deactivated % {"code": item.code})
            to_deactivate.append(item.pk)
    return to_deactivate, to_remove


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

    def plan(self, table: Table, rows: list[Row], *, context: Any) -> RosterPlan:
        return plan_roster(table, rows)

    def write(self, plan: RosterPlan, *, context: Any) -> int:
        return sync_roster(plan=plan)

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
