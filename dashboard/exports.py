"""Excel downloads of the dashboard's tables: each built from the same page context as the table it copies.

A download takes the page's own GET filters, so what opens in Excel is what the page showed
(both coverage measures side by side, where the page shows one at a time). Files are written by
the streaming writer (formula escaping included) and spooled like the reports.
"""

from collections.abc import Iterator

from django.utils.translation import gettext as _

from campaign.models import Product
from collectors.attainment import product_attainment
from core.excel.writer import Column

from .progress.queries import PRODUCTS
from .reports import Report, _spooled, _title
from .retention import MEASURE_PRODUCTS, Retention
from .templatetags.dashboard_format import status_label

SHORT = {Product.BHXH_TN: "BHXH TN", Product.BHYT_HGD: "BHYT HGĐ"}
MEASURE_SHORT = {"bhyt": "BHYT", "bhxh": "BHXH"}


def _col(header: str, width: float = 12, kind: str = "int") -> Column:
    return Column(header, width, kind)


def _report(context: dict, stem: str, sheet: str, title: str, columns: list, rows: Iterator[list]) -> Report:
    campaign = context["campaign"]
    return _spooled(
        f"{stem}-{campaign.code}.xlsx",
        sheet_title=sheet,
        title_lines=_title(campaign, title),
        columns=columns,
        rows=rows,
    )


# --- the provincial tables -------------------------------------------------------------------------


def _retention_cells(figures: Retention | None) -> list:
    """Due, renewed and the share renewed (dashboard/retention.py); empty cells when the page has none."""
    if figures is None:
        return [None, None, None]
    return [figures.due, figures.renewed, figures.pct]


def agencies_table(context: dict) -> Report:
    week = context["week"]
    product = context.get("filters", {}).get("product", "")
    label = SHORT.get(product, _("both products"))
    columns = [
        _col(_("Agency code"), 14, "text"),
        _col(_("Agency"), 30, "text"),
        _col(_("Kind"), 16, "text"),
        _col(_("BHXH office"), 22, "text"),
        _col(_("Quota (%(product)s)") % {"product": label}),
        _col(_("New or rejoining")),
        _col(_("Renewals")),
        _col(_("Attainment (%)"), 12, "percent"),
        _col(_("Status"), 14, "text"),
        _col(_("Due for renewal in the week")),
        _col(_("Renewed")),
        _col(_("Retention (%)"), 12, "percent"),
    ]
    retention = context.get("agency_retention") or {}
    rows = (
        [
            r.agency.code,
            r.agency.name,
            r.agency.get_kind_display(),
            r.agency.office.name,
            r.quota,
            r.actual,
            r.renewals,
            r.pct,
            status_label(r.status),
            *_retention_cells(retention.get(r.agency.pk)),
        ]
        for r in context["agencies"]
    )
    number = week.number if week else "–"
    return _report(
        context,
        "don-vi-tuan",
        _("Agencies"),
        _("Agencies by attainment, week %(number)s") % {"number": number},
        columns,
        rows,
    )


def communes_table(context: dict) -> Report:
    columns = [_col(_("Commune code"), 10, "text"), _col(_("Commune"), 24, "text"), _col(_("BHXH office"), 22, "text")]
    for short in MEASURE_SHORT.values():
        columns += [
            _col(_("%(product)s insured now") % {"product": short}),
            _col(_("%(product)s coverage (%%)") % {"product": short}, 11, "percent"),
            _col(_("%(product)s gap to target (people)") % {"product": short}),
            _col(_("%(product)s pace (people a day)") % {"product": short}, 11, "percent"),
            _col(_("%(product)s needed a day") % {"product": short}),
            _col(_("%(product)s forecast at the target date (%%)") % {"product": short}, 12, "percent"),
            _col(_("%(product)s on track") % {"product": short}, 10, "text"),
            _col(_("%(product)s due for renewal in the campaign") % {"product": short}),
            _col(_("%(product)s renewed") % {"product": short}),
            _col(_("%(product)s retention (%%)") % {"product": short}, 11, "percent"),
        ]
    retention = context.get("retention_campaign")

    def rows():
        for area in context["communes"]:
            cells = [area.code, area.name, area.office]
            for measure in MEASURE_SHORT:
                f = area.figures[measure]
                cells += [
                    f.insured,
                    f.pct,
                    f.gap,
                    f.pace_per_day,
                    f.needed_per_day,
                    f.forecast_pct,
                    _("yes") if f.on_track else _("no"),
                    *_retention_cells(retention.commune(area.pk, MEASURE_PRODUCTS[measure]) if retention else None),
                ]
            yield cells

    return _report(context, "xa-bao-phu", _("Communes"), _("Communes by coverage"), columns, rows())


def weeks_table(context: dict) -> Report:
    columns = [_col(_("Week"), 7), _col(_("From"), 11, "date"), _col(_("To"), 11, "date")]
    for product in PRODUCTS:
        short = SHORT[product]
        columns += [
            _col(_("%(product)s quota") % {"product": short}, 10),
            _col(_("%(product)s new or rejoining") % {"product": short}),
            _col(_("%(product)s attainment (%%)") % {"product": short}, 12, "percent"),
            _col(_("%(product)s renewals") % {"product": short}, 10),
        ]

    def rows():
        for row in context["weeks"]:
            cells = [row.week.number, row.week.start_date, row.week.end_date]
            for product in PRODUCTS:
                quota, actual = row.quota[product], row.actual[product]
                cells += [quota, actual, product_attainment(actual, quota), row.renewals[product]]
            yield cells

    return _report(context, "tuan-chi-tieu", _("Weeks"), _("Quota against actual per week"), columns, rows())


def groups_table(context: dict, key: str) -> Report:
    table = context[key]
    first = _("Target group") if key == "target_groups" else _("Outreach channel")
    columns = [_col(first, 26, "text")]
    columns += [_col(_("Week %(number)s") % {"number": w.number}, 9) for w in table.weeks]
    columns += [_col(_("New")), _col(_("Rejoining")), _col(_("Total"))]
    rows = ([r.label, *r.per_week, r.new, r.rejoin, r.total] for r in table.rows)
    if key == "target_groups":
        return _report(
            context, "nhom-doi-tuong", first, _("New and rejoining people by target group, per week"), columns, rows
        )
    return _report(
        context, "kenh-tiep-can", first, _("New and rejoining people by outreach channel, per week"), columns, rows
    )


# --- a commune and an agency ---------------------------------------------------------------------


def commune_agencies_table(context: dict) -> Report:
    columns = [
        _col(_("Agency code"), 14, "text"),
        _col(_("Agency"), 30, "text"),
        _col(_("Serves the commune"), 12, "text"),
    ]
    for product in PRODUCTS:
        columns += [
            _col(_("%(product)s new or rejoining") % {"product": SHORT[product]}),
            _col(_("%(product)s renewals") % {"product": SHORT[product]}, 10),
        ]
    rows = (
        [
            a.agency.code,
            a.agency.name,
            _("yes") if a.serves else _("no"),
            *(n for p in PRODUCTS for n in (a.people[p], a.renewals[p])),
        ]
        for a in context["agencies"]
    )
    commune = context["commune"]
    return _report(
        context,
        f"xa-{commune.code}-don-vi",
        _("Agencies"),
        _("Agencies in %(commune)s") % {"commune": commune.name},
        columns,
        rows,
    )


def collectors_table(context: dict) -> Report:
    columns = [
        _col(_("Officer code"), 14, "text"),
        _col(_("Officer"), 28, "text"),
        *(_col(_("%(product)s new or rejoining") % {"product": SHORT[p]}) for p in PRODUCTS),
        _col(_("Renewals")),
        _col(_("Amount collected"), 16, "money"),
    ]
    rows = (
        [c.collector.code, c.collector.name, *(c.counted[p] for p in PRODUCTS), c.renewals, c.amount]
        for c in context["collectors"]
    )
    return _report(context, f"can-bo-{context['agency'].code}", _("Officers"), _("Officers this week"), columns, rows)


def enrollments_table(context: dict) -> Report:
    """The recent enrollments as the page shows them: masked where the viewer may not see personal data."""
    columns = [
        _col(_("Recorded at"), 16, "datetime"),
        _col(_("Collection date"), 12, "date"),
        _col(_("Full name"), 26, "text"),
        _col(_("CCCD number"), 14, "code"),
        _col(_("Commune"), 22, "text"),
        _col(_("Product"), 16, "text"),
        _col(_("Classification"), 12, "text"),
        _col(_("Officer"), 24, "text"),
        _col(_("Amount payable"), 14, "money"),
        _col(_("Status"), 10, "text"),
    ]
    rows = (
        [
            e.recorded_at,
            e.collected_on,
            e.participant.full_name,
            shown.cccd,
            e.participant.commune.name,
            e.get_product_display(),
            e.get_classification_display(),
            e.collector.name,
            e.amount_payable,
            e.get_status_display(),
        ]
        for e, shown in context["recent"]
    )
    return _report(
        context,
        f"ho-so-gan-day-{context['agency'].code}",
        _("Recent enrollments"),
        _("Recent enrollments of %(agency)s") % {"agency": context["agency"].name},
        columns,
        rows,
    )


PROVINCE_TABLES = {
    "agencies": agencies_table,
    "communes": communes_table,
    "weeks": weeks_table,
    "target-groups": lambda c: groups_table(c, "target_groups"),
    "channels": lambda c: groups_table(c, "channels"),
}
AGENCY_TABLES = {
    "weeks": weeks_table,
    "collectors": collectors_table,
    "communes": communes_table,
    "enrollments": enrollments_table,
}
