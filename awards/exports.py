"""A ranking as an Excel sheet: the same rows, and the same hidden numbers, as its page."""

from collections.abc import Iterator

from django.utils import timezone
from django.utils.translation import gettext as _

from core import clock
from core.excel.writer import Column, table_to_bytes

from .models import Metric, Subject
from .selectors import Row
from .standings import RuleTerms


def _columns(terms: RuleTerms) -> list[Column]:
    # Points may have decimals (weights are decimals): shown with two places, like percentages.
    score_kind = {Metric.ATTAINMENT: "percent", Metric.POINTS: "percent", Metric.AMOUNT: "money"}.get(
        terms.metric, "int"
    )
    columns = [
        Column(_("Rank"), 7, "int"),
        Column(_("Code"), 14),
        Column(_("Name"), 30),
    ]
    if terms.subject == Subject.COLLECTOR:
        columns.append(Column(_("Agency"), 30))
    columns += [
        Column(_("Score"), 14, score_kind),
        Column(_("Eligible"), 9),
        Column(_("Why not eligible"), 30),
        Column(_("Prize (đồng)"), 14, "money"),
        Column(_("BHXH TN new or rejoining"), 12, "int"),
        Column(_("BHYT HGĐ new or rejoining"), 12, "int"),
        Column(_("BHXH TN quota"), 10, "int"),
        Column(_("BHYT HGĐ quota"), 10, "int"),
        Column(_("BHXH TN attainment (%)"), 12, "percent"),
        Column(_("BHYT HGĐ attainment (%)"), 12, "percent"),
        Column(_("Amount collected (đồng)"), 16, "money"),
        Column(_("Renewals (retention)"), 12, "int"),
        Column(_("Renewal amount (đồng)"), 16, "money"),
        Column(_("Late (final ranking only)"), 12, "int"),
        Column(_("Score reached at"), 17, "datetime"),
        Column(_("Tie decided by"), 26),
        Column(_("Tied with"), 14),
    ]
    return columns


def _values(terms: RuleTerms, row: Row) -> list:
    entry = row.entry
    shown = row.numbers_shown
    reason = entry.get_ineligible_reason_display() if entry.ineligible_reason else ""
    values = [entry.rank, entry.code if shown else "", entry.name]
    if terms.subject == Subject.COLLECTOR:
        values.append(entry.agency.name)
    values += [
        entry.metric_value,
        _("yes") if entry.eligible else _("no"),
        reason,
        entry.prize,
    ]
    numbers = [
        entry.bhxh_tn_count,
        entry.bhyt_hgd_count,
        entry.bhxh_tn_quota,
        entry.bhyt_hgd_quota,
        entry.bhxh_tn_attainment,
        entry.bhyt_hgd_attainment,
        entry.amount,
        entry.renewal_count,
        entry.renewal_amount,
        entry.late_count,
        entry.reached_at,
    ]
    values += numbers if shown else [None] * len(numbers)
    values += [entry.get_tie_break_display() if entry.tie_break else "", entry.tied_with if shown else ""]
    return values


def ranking_workbook(*, terms: RuleTerms, rows: list[Row], title_lines: list[str]) -> bytes:
    def lines() -> Iterator[list]:
        for row in rows:
            yield _values(terms, row)

    stamp = _("Exported %(when)s") % {"when": timezone.localtime(clock.now()).strftime("%d/%m/%Y %H:%M")}
    return table_to_bytes(
        sheet_title=terms.code,
        columns=_columns(terms),
        rows=lines(),
        title_lines=[*title_lines, stamp],
    )
