"""The roster sheet: agencies and their officers, the whole of them, one row per officer."""

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Model
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from campaign.selectors import commune_lookup, office_lookup
from core.errors import DomainError
from core.excel.importing import Importer, Outcome, change_counts
from core.excel.reader import (
    Field,
    Row,
    Table,
    TableSpec,
    show,
    to_choice,
    to_code,
)
from core.excel.writer import Column, table_to_bytes
from core.models import ImportRecord

from ..models import CollectionAgency, Collector
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
