"""Excel reports: quota attainment by agency and week, coverage by commune against the targets, enrollments.

Each report is a few aggregate queries (the enrollment list streams from the database in
chunks) handed to the streaming writer, so its memory does not grow with the rows. The
enrollment list carries personal data and is for admins only (the view says so).
"""

import tempfile
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from typing import IO

from django.db.models import Count, Exists, OuterRef
from django.utils import timezone
from django.utils.translation import gettext as _

from awards.selectors import attainment_weights
from campaign.models import Campaign, CoverageBaseline, Product
from collectors.attainment import attainment, product_attainment
from collectors.models import CollectionAgency, WeeklyQuota
from core import clock
from core.excel.writer import Column, write_table
from enrollments.classification import Classification
from enrollments.models import Channel, Enrollment, Sex, Source, SupportGroup
from enrollments.privacy import sees_personal_data, shown_fields
from enrollments.vocabulary import COUNTED, RENEWED

from .selectors import CoverageFigure


@dataclass(frozen=True)
class Report:
    """A finished report: a file on disk (deleted when closed) and the name to download it as."""

    file: IO[bytes]
    filename: str
    rows: int


def _spooled(filename: str, **table) -> Report:
    # Closed by whoever sends it (a FileResponse closes it when the download ends); gone from disk then.
    handle = tempfile.TemporaryFile()  # noqa: SIM115
    try:
        rows = write_table(handle, **table)
    except BaseException:
        handle.close()
        raise
    handle.seek(0)
    return Report(handle, filename, rows)


def _title(campaign: Campaign, what: str) -> list[str]:
    return [
        f"{what} — {campaign.name} ({campaign.code})",
        _("Made on %(moment)s.") % {"moment": timezone.localtime(clock.now()).strftime("%d/%m/%Y %H:%M")},
    ]


# --- quota attainment ---------------------------------------------------------------------------


def attainment_rows(campaign: Campaign) -> Iterator[list]:
    """One row per week and agency that had a quota or enrollments that week.

    Actual = what counts toward the quota (enrollments/vocabulary.py: COUNTED) collected in the
    week; renewals are shown beside it (retention) and do not count. The agency's attainment is
    collectors.attainment's weighted mean, with the weekly agency award rule's weights, so the
    report and the published ranking agree.
    """
    weeks = list(campaign.weeks.order_by("number"))
    weights = attainment_weights(campaign=campaign)
    quotas: dict[tuple, int] = {
        (q["week_id"], q["agency_id"], q["product"]): q["count"]
        for q in WeeklyQuota.objects.filter(week__campaign=campaign).values("week_id", "agency_id", "product", "count")
    }
    actual: dict[tuple, tuple[int, int]] = {
        (a["week_id"], a["agency_id"], a["product"]): (a["counted"], a["renewals"])
        for a in Enrollment.objects.in_scope(campaign=campaign)
        .values("week_id", "agency_id", "product")
        .annotate(counted=Count("pk", filter=COUNTED), renewals=Count("pk", filter=RENEWED))
    }
    present = defaultdict(set)
    for week_id, agency_id, _product in [*quotas, *actual]:
        present[week_id].add(agency_id)
    agencies = {a.pk: a for a in CollectionAgency.objects.select_related("office")}
    products = (Product.BHXH_TN, Product.BHYT_HGD)
    for week in weeks:
        for agency in sorted((agencies[pk] for pk in present[week.pk]), key=lambda a: a.code):
            cells, counts, agency_quotas = [], {}, {}
            for product in products:
                quota = quotas.get((week.pk, agency.pk, product))
                counted, renewals = actual.get((week.pk, agency.pk, product), (0, 0))
                counts[product], agency_quotas[product] = counted, quota
                cells += [quota, counted, product_attainment(counted, quota), renewals]
            yield [
                week.number,
                week.start_date,
                week.end_date,
                agency.code,
                agency.name,
                agency.office.name,
                *cells,
                attainment(counts, agency_quotas, weights),
            ]


def quota_attainment_report(campaign: Campaign) -> Report:
    columns = [
        Column(_("Week"), 7, "int"),
        Column(_("From"), 11, "date"),
        Column(_("To"), 11, "date"),
        Column(_("Agency code"), 14),
        Column(_("Agency"), 30),
        Column(_("BHXH office"), 22),
    ]
    for short in ("BHXH TN", "BHYT HGĐ"):
        columns += [
            Column(_("%(product)s quota") % {"product": short}, 10, "int"),
            Column(_("%(product)s new or rejoining") % {"product": short}, 12, "int"),
            Column(_("%(product)s attainment (%%)") % {"product": short}, 12, "percent"),
            Column(_("%(product)s renewals") % {"product": short}, 10, "int"),
        ]
    columns.append(Column(_("Attainment, weighted as the award rule (%)"), 14, "percent"))
    return _spooled(
        f"dat-chi-tieu-{campaign.code}.xlsx",
        sheet_title=_("Quota attainment"),
        title_lines=_title(campaign, _("Weekly quota attainment by agency")),
        columns=columns,
        rows=attainment_rows(campaign),
    )


# --- coverage by commune --------------------------------------------------------------------------


def coverage_rows(campaign: Campaign) -> Iterator[list]:
    """Per commune with a baseline: insured now = baseline + distinct people newly or re-enrolled since its date.

    The province row at the end adds up counts; its percentages come from those sums.
    """
    since_baseline = CoverageBaseline.objects.filter(
        campaign=campaign, commune=OuterRef("participant__commune"), as_of__lte=OuterRef("collected_on")
    )
    added = {
        (a["participant__commune_id"], a["product"]): a["people"]
        for a in Enrollment.objects.filter(COUNTED, campaign=campaign)
        .filter(Exists(since_baseline))
        .values("participant__commune_id", "product")
        .annotate(people=Count("participant", distinct=True))
    }
    totals = defaultdict(int)
    baselines = CoverageBaseline.objects.filter(campaign=campaign).select_related("commune", "commune__office")
    for baseline in baselines.order_by("commune__code"):
        commune = baseline.commune
        bhyt_added = added.get((commune.pk, Product.BHYT_HGD), 0)
        bhxh_added = added.get((commune.pk, Product.BHXH_TN), 0)
        numbers = {
            "population": baseline.population,
            "labour_force": baseline.labour_force,
            "bhyt_base": baseline.bhyt_insured,
            "bhyt_added": bhyt_added,
            "bhxh_base": baseline.bhxh_insured,
            "bhxh_added": bhxh_added,
        }
        for key, value in numbers.items():
            totals[key] += value
        office = commune.office.name if commune.office else ""
        yield [commune.code, commune.name, office, baseline.as_of, *_coverage_cells(campaign, numbers)]
    if totals:
        yield ["", _("Province"), "", None, *_coverage_cells(campaign, totals)]


def _coverage_cells(campaign: Campaign, n: dict) -> list:
    cells = [n["population"], n["labour_force"]]
    for base, added, denominator, target in (
        (n["bhyt_base"], n["bhyt_added"], n["population"], campaign.bhyt_target_pct),
        (n["bhxh_base"], n["bhxh_added"], n["labour_force"], campaign.bhxh_target_pct),
    ):
        figure = CoverageFigure(base + added, denominator, target)
        cells += [base, added, figure.insured, figure.pct, target, figure.gap]
    return cells


def coverage_report(campaign: Campaign) -> Report:
    columns = [
        Column(_("Commune code"), 10),
        Column(_("Commune"), 24),
        Column(_("BHXH office"), 22),
        Column(_("Baseline as of"), 12, "date"),
        Column(_("Population"), 12, "int"),
        Column(_("Labour force"), 12, "int"),
    ]
    for short in ("BHYT", "BHXH"):
        columns += [
            Column(_("%(product)s insured at baseline") % {"product": short}, 12, "int"),
            Column(_("%(product)s new or rejoining since") % {"product": short}, 12, "int"),
            Column(_("%(product)s insured now") % {"product": short}, 12, "int"),
            Column(_("%(product)s coverage (%%)") % {"product": short}, 11, "percent"),
            Column(_("%(product)s target (%%)") % {"product": short}, 10, "percent"),
            Column(_("%(product)s gap to target (people)") % {"product": short}, 12, "int"),
        ]
    return _spooled(
        f"bao-phu-theo-xa-{campaign.code}.xlsx",
        sheet_title=_("Coverage by commune"),
        title_lines=_title(campaign, _("Coverage by commune against the targets")),
        columns=columns,
        rows=coverage_rows(campaign),
    )


# --- enrollments ------------------------------------------------------------------------------

ENROLLMENT_FIELDS = (
    "pk",
    "collected_on",
    "week__number",
    "agency__code",
    "agency__name",
    "collector__code",
    "collector__name",
    "participant__cccd",
    "participant__full_name",
    "participant__date_of_birth",
    "participant__sex",
    "participant__phone",
    "participant__commune__code",
    "participant__commune__name",
    "participant__household__code",
    "product",
    "months",
    "income",
    "support_group",
    "member_order",
    "classification",
    "coverage_start",
    "coverage_end",
    "amount_due",
    "state_support",
    "amount_payable",
    "receipt_no",
    "channel",
    "status",
    "source",
    "recorded_at",
)


CCCD, BIRTH, PHONE = (ENROLLMENT_FIELDS.index(f"participant__{name}") for name in ("cccd", "date_of_birth", "phone"))


def enrollment_rows(campaign: Campaign, *, user, chunk_size: int = 5000) -> Iterator[list]:
    """Every enrollment of the campaign, streamed from the database in chunks, labels in the page's language.

    The personal data is as ``user`` may see it (enrollments.privacy): the page is for admins, who
    see it in full, but the rule is applied here too, so no other door can leak it.
    """
    labels = {
        "participant__sex": Sex,
        "product": Product,
        "support_group": SupportGroup,
        "classification": Classification,
        "channel": Channel,
        "status": Enrollment.Status,
        "source": Source,
    }
    positions = [
        (ENROLLMENT_FIELDS.index(key), {value: str(label) for value, label in choices.choices})
        for key, choices in labels.items()
    ]
    values = (
        Enrollment.objects.filter(campaign=campaign)
        .order_by("collected_on", "pk")
        .values_list(*ENROLLMENT_FIELDS, "agency_id")
        .iterator(chunk_size=chunk_size)
    )
    sees = {}
    for *row, agency_id in values:
        if agency_id not in sees:
            sees[agency_id] = sees_personal_data(user, agency_id)
        if not sees[agency_id]:
            shown = shown_fields(full=False, cccd=row[CCCD], date_of_birth=row[BIRTH], phone=row[PHONE])
            row[CCCD], row[BIRTH], row[PHONE] = shown.cccd, shown.birth(), shown.phone
        for index, mapping in positions:
            row[index] = mapping.get(row[index], row[index])
        yield row


def enrollments_report(campaign: Campaign, *, user) -> Report:
    columns = [
        Column(_("ID"), 8, "int"),
        Column(_("Collection date"), 11, "date"),
        Column(_("Week"), 6, "int"),
        Column(_("Agency code"), 12),
        Column(_("Agency"), 24),
        Column(_("Officer code"), 11),
        Column(_("Officer"), 20),
        Column(_("CCCD number"), 14, "code"),
        Column(_("Full name"), 22),
        Column(_("Date of birth"), 11, "date"),
        Column(_("Sex"), 7),
        Column(_("Phone"), 12, "code"),
        Column(_("Commune code"), 9, "code"),
        Column(_("Commune"), 18),
        Column(_("Household code"), 12),
        Column(_("Product"), 22),
        Column(_("Months"), 7, "int"),
        Column(_("Declared income (đồng)"), 13, "money"),
        Column(_("Support group"), 14),
        Column(_("Member order"), 7, "int"),
        Column(_("Classification"), 11),
        Column(_("Coverage from"), 11, "date"),
        Column(_("Coverage to"), 11, "date"),
        Column(_("Amount due (đồng)"), 13, "money"),
        Column(_("State support (đồng)"), 13, "money"),
        Column(_("Amount payable (đồng)"), 13, "money"),
        Column(_("Receipt number"), 12),
        Column(_("Outreach channel"), 14),
        Column(_("Status"), 10),
        Column(_("Source"), 10),
        Column(_("Recorded at"), 16, "datetime"),
    ]
    return _spooled(
        f"ho-so-{campaign.code}.xlsx",
        sheet_title=_("Enrollments"),
        title_lines=_title(campaign, _("Enrollments (personal data: handle with care)")),
        columns=columns,
        rows=enrollment_rows(campaign, user=user),
    )
