"""Spreadsheet import of the campaign app: each commune's coverage baseline; and the commune
columns (a code, or a name with or without "Xã") that other apps' sheets share."""

from datetime import date
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core import clock
from core.errors import DomainError
from core.excel.importing import Importer, change_counts, duplicates
from core.excel.reader import Field, Problem, Row, Table, TableSpec, to_code, to_count, to_date, vn_int
from core.excel.writer import Column, table_to_bytes
from core.models import ImportRecord

from .models import Campaign, Commune, CoverageBaseline
from .selectors import CommuneLookup, campaign_by_code, commune_lookup
from .services import BASELINE_FIGURES, BaselinePlan, save_baselines

# --- communes in a sheet ------------------------------------------------------------------------

COMMUNE_CODE = Field(
    "commune_code",
    "Mã xã",
    ("Mã xã/phường", "Mã xã, phường", "Mã đơn vị hành chính", "Mã ĐVHC", "Mã xã phường"),
    to_code(5),
    required=False,
    blank=True,
)
COMMUNE_NAME = Field(
    "commune_name",
    "Tên xã",
    ("Xã/phường", "Xã, phường", "Tên xã/phường", "Tên đơn vị hành chính", "Đơn vị hành chính", "Xã", "Xã phường"),
    required=False,
    blank=True,
)


def missing_commune_column(table: Table) -> Problem | None:
    """A sheet of communes needs their code or their name."""
    if "commune_code" in table.columns or "commune_name" in table.columns:
        return None
    return table.problem(
        None, None, _("The sheet needs a column %(code)s or %(name)s.") % {"code": "Mã xã", "name": "Tên xã"}
    )


def commune_column(table: Table) -> str:
    """The column that names the commune: its code where the sheet has one, else its name."""
    return "commune_code" if "commune_code" in table.columns else "commune_name"


def commune_of(table: Table, row: Row, communes: CommuneLookup, problems: list[Problem]) -> Commune | None:
    """The commune a row names by code or name; else None, with the reason added to ``problems``."""
    text = row.values.get("commune_code") or row.values.get("commune_name")
    if not text:
        problems.append(table.problem(row, commune_column(table), _("Give the commune's code or name.")))
        return None
    try:
        return communes.find(text)
    except DomainError as exc:
        key = "commune_code" if row.values.get("commune_code") else "commune_name"
        problems.extend(table.problem(row, key, m) for m in exc.messages)
        return None


class CampaignImport(Importer):
    """An import of one campaign's figures; the campaign is named by its code."""

    parameters = ("campaign",)

    def context(self, *, campaign: str = "", **codes) -> Campaign:
        return campaign_by_code(campaign)


# --- coverage baselines --------------------------------------------------------------------------

BASELINE = TableSpec(
    gettext_lazy("coverage baselines"),
    (
        COMMUNE_CODE,
        COMMUNE_NAME,
        Field("population", "Dân số", ("Tổng dân số", "Số dân", "Dân số trung bình"), to_count, blank=True, total=True),
        Field(
            "labour_force",
            "Lực lượng lao động",
            ("LLLĐ", "Lao động", "Số người trong độ tuổi lao động", "Lực lượng lao động trong độ tuổi"),
            to_count,
            blank=True,
            total=True,
        ),
        Field(
            "bhyt_insured",
            "Số người tham gia BHYT",
            ("Đã tham gia BHYT", "Số người có BHYT", "Số tham gia BHYT", "Người tham gia BHYT", "BHYT"),
            to_count,
            blank=True,
            total=True,
        ),
        Field(
            "bhxh_insured",
            "Số người tham gia BHXH",
            ("Đã tham gia BHXH", "Số người có BHXH", "Số tham gia BHXH", "Người tham gia BHXH", "BHXH"),
            to_count,
            blank=True,
            total=True,
        ),
        Field(
            "as_of",
            "Tính đến ngày",
            ("Số liệu đến ngày", "Ngày số liệu", "Đến ngày", "Thời điểm", "Ngày chốt số liệu"),
            to_date,
            blank=True,
        ),
    ),
)
FIGURE_LABELS = {
    "population": gettext_lazy("population"),
    "labour_force": gettext_lazy("labour force"),
    "bhyt_insured": gettext_lazy("BHYT insured"),
    "bhxh_insured": gettext_lazy("BHXH insured"),
    "as_of": gettext_lazy("as of"),
}


def plan_baselines(table: Table, rows: list[Row], *, campaign: Campaign) -> BaselinePlan:
    """The campaign's baselines the rows add or change, and every problem; writes nothing."""
    if problem := missing_commune_column(table):
        return BaselinePlan(problems=[problem])
    communes = commune_lookup(province=campaign.province)
    problems: list[Problem] = []
    found: list[tuple[Row, Commune]] = []
    today = clock.today()
    for row in rows:
        values = row.values
        if all(values.get(key) is None for key in BASELINE_FIGURES):
            continue  # a commune of the template left empty: not in this upload
        commune = commune_of(table, row, communes, problems)
        missing = [key for key in BASELINE_FIGURES if values.get(key) is None]
        problems += [table.problem(row, key, _("The cell is empty; it needs a value.")) for key in missing]
        if commune is None or missing:
            continue
        problems += _check_figures(table, row, today)
        found.append((row, commune))
    problems += duplicates(table, ((row, commune.pk) for row, commune in found), column=commune_column(table))
    if problems:
        return BaselinePlan(problems=problems)
    wanted = {commune.pk: (commune, row.values) for row, commune in found}
    return _changes(campaign, wanted)


def _check_figures(table: Table, row: Row, today: date) -> list[Problem]:
    values, problems = row.values, []
    rules = [
        ("labour_force", "population"),
        ("bhyt_insured", "population"),
        ("bhxh_insured", "labour_force"),
    ]
    for part, whole in rules:
        if values[part] > values[whole]:
            problems.append(
                table.problem(
                    row,
                    part,
                    _("%(part)s (%(part_value)s) cannot be more than %(whole)s (%(whole_value)s).")
                    % {
                        "part": FIGURE_LABELS[part],
                        "part_value": vn_int(values[part]),
                        "whole": FIGURE_LABELS[whole],
                        "whole_value": vn_int(values[whole]),
                    },
                )
            )
    if values["as_of"] > today:
        problems.append(table.problem(row, "as_of", _("The date of the figures cannot be in the future.")))
    return problems


def _changes(campaign: Campaign, wanted: dict[int, tuple[Commune, dict]]) -> BaselinePlan:
    stored = {b.commune_id: b for b in CoverageBaseline.objects.filter(campaign=campaign)}
    plan = BaselinePlan()
    for commune, values in wanted.values():
        new = {key: values[key] for key in BASELINE_FIGURES}
        baseline = stored.get(commune.pk)
        if baseline is None:
            plan.add.append(CoverageBaseline(campaign=campaign, commune=commune, **new))
            plan.lines.append(
                _("%(commune)s: added, population %(population)s")
                % {"commune": commune.name, "population": vn_int(new["population"])}
            )
            continue
        changes = [key for key, value in new.items() if getattr(baseline, key) != value]
        if changes:
            plan.lines.append(
                f"{commune.name}: "
                + "; ".join(
                    f"{FIGURE_LABELS[key]} {_shown(getattr(baseline, key))} → {_shown(new[key])}" for key in changes
                )
            )
            for key in changes:
                setattr(baseline, key, new[key])
            plan.change.append(baseline)
    without = Commune.objects.filter(province=campaign.province).exclude(
        pk__in=[*stored, *(c.pk for c, _v in wanted.values())]
    )
    if (missing := without.count()) and wanted:
        plan.notes.append(
            _("%(count)s communes of %(province)s still have no baseline.")
            % {"count": missing, "province": campaign.province.name}
        )
    plan.counts = change_counts(
        added=len(plan.add), changed=len(plan.change), unchanged=len(wanted) - len(plan.add) - len(plan.change)
    )
    return plan


class BaselineImport(CampaignImport):
    """Population, labour force and insured counts per commune on a date: the base of coverage figures."""

    kind = ImportRecord.Kind.BASELINE
    title = gettext_lazy("Coverage baselines")
    specs = (BASELINE,)
    template_name = "mau-so-lieu-nen.xlsx"

    def plan(self, table: Table, rows: list[Row], *, context: Campaign) -> BaselinePlan:
        return plan_baselines(table, rows, campaign=context)

    def write(self, plan: BaselinePlan, *, context: Campaign) -> int:
        return save_baselines(plan=plan)

    def template(self, context: Campaign) -> bytes:
        campaign = context
        stored = {b.commune_id: b for b in CoverageBaseline.objects.filter(campaign=campaign)}
        communes = list(Commune.objects.filter(province=campaign.province).order_by("code"))
        rows: list[list[Any]] = []
        for number, commune in enumerate(communes, start=1):
            b = stored.get(commune.pk)
            figures = [b.population, b.labour_force, b.bhyt_insured, b.bhxh_insured, b.as_of] if b else [None] * 5
            rows.append([number, commune.code, commune.name, *figures])
        if not rows:
            rows = [["VD", "25480", "Xã Tân Biên", 30_000, 18_000, 27_900, 6_840, date(2025, 10, 31)]]
        return table_to_bytes(
            sheet_title="Số liệu nền",
            title_lines=[
                f"SỐ LIỆU NỀN THEO XÃ, PHƯỜNG — {campaign.name}",
                "Xã, phường để trống các số liệu thì không được nhập.",
            ],
            columns=[
                Column("STT", 6, note="Dòng ghi VD là dòng ví dụ và không được nhập."),
                Column("Mã xã", 10, "code", note="Mã đơn vị hành chính 5 chữ số; hoặc để trống và ghi tên xã."),
                Column("Tên xã", 26),
                Column("Dân số", 12, "int"),
                Column("Lực lượng lao động", 14, "int", note="Không lớn hơn dân số."),
                Column("Số người tham gia BHYT", 14, "int", note="Không lớn hơn dân số."),
                Column("Số người tham gia BHXH", 14, "int", note="Không lớn hơn lực lượng lao động."),
                Column("Tính đến ngày", 14, "date", note="Ngày chốt số liệu, dd/mm/yyyy."),
            ],
            rows=rows,
            validation_rows=max(len(rows), 200),
        )


def _shown(value) -> str:
    if isinstance(value, date):
        return value.strftime("%d/%m/%Y")
    return vn_int(value) if isinstance(value, int) else str(value)
