"""Writes of the enrollments app: record, cancel, hand over a mug.

The web form, the JSON API and the Excel import all call these, so a rule lives here once.
"""

import io
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import date

from django.db import IntegrityError, connection, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from campaign.models import Campaign, CampaignWeek, Commune, Product
from campaign.selectors import week_of
from collectors.models import Collector
from core import clock, freshness
from core.errors import ConflictError, DomainError
from core.excel.importing import Plan

from .classification import Classification, bhxh_coverage, bhyt_coverage, classify
from .contributions import Quote, quote_bhxh, quote_bhyt
from .identity import validate_bhxh_code, validate_cccd
from .models import (
    Channel,
    Enrollment,
    GiftIssue,
    GiftStock,
    Household,
    Participant,
    PriorCoverage,
    Sex,
    Source,
    TargetGroup,
)
from .selectors import (
    household_member_order,
    household_member_order_after,
    last_coverage_end,
    policy_on,
    supported_months_used,
)
from .vocabulary import earns_mug, figures_generation, why_no_mug

RECORDED = Enrollment.Status.RECORDED


@dataclass(frozen=True)
class PersonData:
    cccd: str
    full_name: str
    date_of_birth: date | None
    sex: str
    commune_code: str
    phone: str = ""
    household_code: str = ""
    target_group: str = TargetGroup.OTHER
    bhxh_code: str = ""
    address: str = ""  # the household's address, kept on the household


@dataclass(frozen=True)
class EnrollmentRequest:
    person: PersonData
    product: str
    months: int
    collected_on: date | None = None
    member_order: int | None = None
    income: int | None = None
    support_group: str | None = None
    receipt_no: str = ""
    channel: str = Channel.OTHER


@dataclass
class Prepared:
    """A validated request with everything computed: what would be stored."""

    request: EnrollmentRequest
    commune: Commune
    collected_on: date
    week: CampaignWeek | None
    last_coverage_end: date | None
    classification: Classification
    coverage_start: date
    coverage_end: date
    quote: Quote
    member_order: int | None
    warnings: list[str] = field(default_factory=list)

    @property
    def gift_eligible(self) -> bool:
        return earns_mug(classification=self.classification, in_campaign=self.week is not None)


def quote(
    *,
    product: str,
    months: int,
    on: date,
    member_order: int | None = None,
    income: int | None = None,
    support_group: str | None = None,
    cccd: str = "",
    supported_months_pending: int = 0,
) -> Quote:
    """What a person pays for ``product`` and ``months``, under the rules in force on ``on``.

    ``supported_months_pending``: months of State support in enrollments of the person not stored yet.
    """
    policy = policy_on(on).policy
    if product == Product.BHYT_HGD:
        return quote_bhyt(policy, months=months, member_order=member_order or 1)
    if product == Product.BHXH_TN:
        if income is None:
            raise DomainError({"income": _("Enter the monthly income the person chooses to contribute on.")})
        used = (supported_months_used(cccd=cccd) if cccd else 0) + supported_months_pending
        return quote_bhxh(
            policy,
            months=months,
            income=income,
            support_groups=[support_group] if support_group else [],
            supported_months_used=used,
        )
    raise DomainError({"product": _("Choose a product: bhxh_tn or bhyt_hgd.")})


def _check_choices(request: EnrollmentRequest, errors: dict[str, str]) -> None:
    person = request.person
    if request.product not in Product.values:
        errors["product"] = _("Choose a product: bhxh_tn or bhyt_hgd.")
    if person.sex not in Sex.values:
        errors["sex"] = _("Choose the sex: male or female.")
    if person.target_group not in TargetGroup.values:
        errors["target_group"] = _("Choose a target group: farmer, informal_worker, household_business or other.")
    if request.channel not in Channel.values:
        errors["channel"] = _(
            "Choose where you met the person: market, household_business, home, counter, event or other."
        )
    if not person.full_name.strip():
        errors["full_name"] = _("Enter the person's full name.")
    if person.date_of_birth is None:
        errors["date_of_birth"] = _("Enter the date of birth.")
    elif person.date_of_birth > clock.today():
        errors["date_of_birth"] = _("The date of birth cannot be in the future.")


def prepare_enrollment(
    *,
    campaign: Campaign,
    request: EnrollmentRequest,
    batch_position: int = 0,
    collector: Collector | None = None,
    earlier: Sequence[Prepared] = (),
) -> Prepared:
    """Validate a request and compute its week, classification, period and amounts; write nothing.

    ``batch_position`` is the member's place among household members entered together
    and not yet stored (they take the next orders of the ladder, as entered).
    With ``collector``, it checks all that recording by that officer would: the officer and
    the agency are active, and the person has no other enrollment of the product that day
    or in the period (by reading; the write checks again under its lock).
    ``earlier`` are enrollments prepared before this one and not stored (the rows above it
    in a previewed file): they count as stored, so the answer is the one recording them
    all in turn gives. The same person, product and day twice among them is the caller's
    to refuse.
    """
    if collector is not None:
        _check_collector(collector)
    errors: dict[str, str] = {}
    _check_choices(request, errors)
    person = request.person
    try:
        cccd = validate_cccd(
            person.cccd,
            date_of_birth=person.date_of_birth,
            sex=person.sex if person.sex in Sex.values else None,
        )
    except DomainError as exc:
        errors |= {key: msgs[0] for key, msgs in exc.errors.items()}
        cccd = person.cccd.strip()
    try:
        validate_bhxh_code(person.bhxh_code)
    except DomainError as exc:
        errors |= {key: msgs[0] for key, msgs in exc.errors.items()}
    commune = Commune.objects.filter(code=person.commune_code.strip(), province=campaign.province_id).first()
    if commune is None:
        errors["commune_code"] = _("Commune %(code)s is not in %(province)s.") % {
            "code": person.commune_code,
            "province": campaign.province,
        }
    collected_on = request.collected_on or clock.today()
    if collected_on > clock.today():
        errors["collected_on"] = _("The collection date cannot be in the future.")
    if request.product == Product.BHYT_HGD and request.income is not None:
        errors["income"] = _("Income is only for voluntary social insurance (bhxh_tn).")
    if request.product == Product.BHXH_TN and request.member_order is not None:
        errors["member_order"] = _("The member order is only for household health insurance (bhyt_hgd).")
    if errors:
        raise DomainError(errors)

    in_force = policy_on(collected_on)
    household = Household.objects.filter(code=person.household_code.strip()).first() if person.household_code else None
    member_order = None
    if request.product == Product.BHYT_HGD:
        if earlier and person.household_code.strip():
            pending = [
                (e.request.person.cccd, e.request.person.household_code.strip(), e.request.product, e.collected_on)
                for e in earlier
            ]
            order = household_member_order_after(
                household_code=person.household_code.strip(),
                collected_on=collected_on,
                exclude_cccd=cccd,
                pending=pending,
            )
        else:
            order = household_member_order(household=household, collected_on=collected_on, exclude_cccd=cccd)
        member_order = in_force.policy.ladder_order(order + batch_position)
        if request.member_order is not None and request.member_order != member_order:
            raise DomainError(
                {
                    "member_order": _(
                        "This person is member number %(order)s of household %(household)s this year, "
                        "not %(given)s; leave the order empty to have it computed."
                    )
                    % {
                        "order": member_order,
                        "household": person.household_code or _("(no household code)"),
                        "given": request.member_order,
                    }
                }
            )
    amounts = quote(
        product=request.product,
        months=request.months,
        on=collected_on,
        member_order=member_order,
        income=request.income,
        support_group=request.support_group,
        cccd=cccd,
        supported_months_pending=sum(e.quote.supported_months for e in earlier if e.request.person.cccd == cccd),
    )
    ends = [e.coverage_end for e in earlier if (e.request.person.cccd, e.request.product) == (cccd, request.product)]
    end = max([d for d in (last_coverage_end(cccd=cccd, product=request.product), *ends) if d], default=None)
    classification = classify(last_coverage_end=end, collected_on=collected_on)
    if request.product == Product.BHYT_HGD:
        start, finish = bhyt_coverage(
            classification=classification,
            last_coverage_end=end,
            collected_on=collected_on,
            months=request.months,
            waiting_days=in_force.bhyt_waiting_days,
        )
    else:
        start, finish = bhxh_coverage(
            classification=classification, last_coverage_end=end, collected_on=collected_on, months=request.months
        )
    week = week_of(campaign=campaign, day=collected_on)
    warnings = []
    if week is None:
        warnings.append(
            _("The collection date is outside the campaign: it is recorded but not counted in quotas or awards.")
        )
    prepared = Prepared(
        request=replace(request, person=replace(person, cccd=cccd)),
        commune=commune,
        collected_on=collected_on,
        week=week,
        last_coverage_end=end,
        classification=classification,
        coverage_start=start,
        coverage_end=finish,
        quote=amounts,
        member_order=member_order,
        warnings=warnings,
    )
    if collector is not None:
        _refuse_duplicates(prepared)
    return prepared


def _lock_participant(prepared: Prepared) -> Participant:
    """Create or update the person, then hold their row so two officers take turns."""
    person = prepared.request.person
    household = None
    if person.household_code:
        household, _created = Household.objects.get_or_create(
            code=person.household_code.strip(),
            defaults={
                "commune": prepared.commune,
                "head_name": person.full_name.strip(),
                "address": person.address.strip(),
            },
        )
        household = Household.objects.select_for_update().get(pk=household.pk)
        if person.address.strip() and household.address != person.address.strip():
            household.address = person.address.strip()
            household.save(update_fields=["address"])
    values = {
        "full_name": person.full_name.strip(),
        "date_of_birth": person.date_of_birth,
        "sex": person.sex,
        "phone": person.phone.strip(),
        "commune": prepared.commune,
        "target_group": person.target_group,
    }
    if household is not None:
        values["household"] = household
    if person.bhxh_code:
        values["bhxh_code"] = person.bhxh_code.strip()
    participant, created = Participant.objects.get_or_create(cccd=person.cccd, defaults=values)
    participant = Participant.objects.select_for_update().get(pk=participant.pk)
    if not created:
        changed = [name for name, value in values.items() if getattr(participant, name) != value]
        for name in changed:
            setattr(participant, name, values[name])
        if changed:
            participant.save(update_fields=[*changed, "updated_at"])
    return participant


def _refuse_duplicates(prepared: Prepared) -> None:
    person, product = prepared.request.person, prepared.request.product
    existing = Enrollment.objects.filter(
        participant__cccd=person.cccd, product=product, status=RECORDED
    ).select_related("agency")
    same_day = existing.filter(collected_on=prepared.collected_on).first()
    if same_day is not None:
        raise ConflictError(
            {
                "cccd": _(
                    "%(name)s was already recorded for %(product)s on %(date)s by %(agency)s (enrollment %(id)s)."
                )
                % {
                    "name": person.full_name.strip(),
                    "product": same_day.get_product_display(),
                    "date": same_day.collected_on.strftime("%d/%m/%Y"),
                    "agency": same_day.agency.name,
                    "id": same_day.pk,
                }
            }
        )
    overlap = existing.filter(
        coverage_start__lte=prepared.coverage_end, coverage_end__gte=prepared.coverage_start
    ).first()
    if overlap is not None:
        raise ConflictError(
            {
                "cccd": _("%(name)s is already covered from %(start)s to %(end)s by enrollment %(id)s of %(agency)s.")
                % {
                    "name": person.full_name.strip(),
                    "start": overlap.coverage_start.strftime("%d/%m/%Y"),
                    "end": overlap.coverage_end.strftime("%d/%m/%Y"),
                    "id": overlap.pk,
                    "agency": overlap.agency.name,
                }
            }
        )


def _check_collector(collector: Collector) -> None:
    if not collector.active or not collector.agency.active:
        raise DomainError(_("This officer or their agency is not active; ask the administrator."))


def _store(
    *, campaign: Campaign, collector: Collector, request: EnrollmentRequest, recorded_by, source: str, position: int
) -> Enrollment:
    # Members under one household code find the ones stored before them in the database; members
    # entered together without a code form a household of their own, ordered by their position.
    batch_position = 0 if request.person.household_code.strip() else position
    # Classify, price and look for duplicates under the lock, so a concurrent recording of the same person is seen.
    first_pass = prepare_enrollment(campaign=campaign, request=request, batch_position=batch_position)
    participant = _lock_participant(first_pass)
    prepared = prepare_enrollment(
        campaign=campaign, request=first_pass.request, batch_position=batch_position, collector=collector
    )
    amounts = prepared.quote
    enrollment = Enrollment.build(
        participant=participant,
        campaign=campaign,
        week=prepared.week,
        collector=collector,
        collected_on=prepared.collected_on,
        coverage=(prepared.coverage_start, prepared.coverage_end),
        quote=amounts,
        classification=prepared.classification,
        channel=request.channel,
        receipt_no=request.receipt_no.strip(),
        source=source,
        recorded_at=clock.now(),
        recorded_by=recorded_by,
    )
    try:
        with transaction.atomic():
            enrollment.save()
    except IntegrityError as exc:
        # The database's own guard (unique same-day row, no overlapping periods) caught a race.
        raise ConflictError(
            {"cccd": _("This person was recorded for the same product at the same moment by another officer.")}
        ) from exc
    return enrollment


def _figures_change(campaign_id: int) -> None:
    """Once the write commits, cached progress and standings built on the old enrollments are stale."""
    transaction.on_commit(lambda: freshness.bump(figures_generation(campaign_id)))


def record_enrollment(
    *,
    campaign: Campaign,
    collector: Collector,
    request: EnrollmentRequest,
    recorded_by=None,
    source: str = Source.WEB,
) -> Enrollment:
    """Validate, classify, price and store one enrollment, all or nothing."""
    return record_household(
        campaign=campaign, collector=collector, requests=[request], recorded_by=recorded_by, source=source
    )[0]


@transaction.atomic
def record_household(
    *,
    campaign: Campaign,
    collector: Collector,
    requests: list[EnrollmentRequest],
    recorded_by=None,
    source: str = Source.WEB,
) -> list[Enrollment]:
    """Store several enrollments together (members of one household, in ladder order): all or none."""
    _check_collector(collector)
    cccds = [r.person.cccd.strip() for r in requests]
    if len(set(cccds)) != len(cccds):
        raise DomainError({"cccd": _("The same CCCD number is entered twice.")})
    # Each member is stored before the next is prepared, so the ladder follows the order entered.
    stored = []
    for position, request in enumerate(requests):
        try:
            stored.append(
                _store(
                    campaign=campaign,
                    collector=collector,
                    request=request,
                    recorded_by=recorded_by,
                    source=source,
                    position=position,
                )
            )
        except DomainError as exc:
            exc.index = position
            raise
    _figures_change(campaign.pk)
    return stored


@transaction.atomic
def cancel_enrollment(*, enrollment: Enrollment, reason: str, user) -> Enrollment:
    """Cancel with a reason; the row stays, with who and when. A mug already handed over is flagged."""
    reason = (reason or "").strip()
    if not reason:
        raise DomainError({"reason": _("Give the reason for cancelling.")})
    updated = Enrollment.objects.filter(pk=enrollment.pk, status=RECORDED).update(
        status=Enrollment.Status.CANCELLED, cancel_reason=reason, cancelled_at=clock.now(), cancelled_by=user
    )
    if not updated:
        raise ConflictError(_("This enrollment is already cancelled."))
    GiftIssue.objects.filter(enrollment=enrollment).update(
        flagged=True, flag_note=_("Enrollment cancelled after the mug was handed over: %(reason)s") % {"reason": reason}
    )
    enrollment.refresh_from_db()
    _figures_change(enrollment.campaign_id)
    return enrollment


@transaction.atomic
def issue_gift(*, enrollment: Enrollment, user) -> GiftIssue:
    """Hand a mug to the person of a counted new-or-rejoin enrollment, once per campaign, from stock."""
    enrollment = Enrollment.objects.select_related("participant", "agency", "campaign").get(pk=enrollment.pk)
    refusal = why_no_mug(
        status=enrollment.status, in_campaign=enrollment.week_id is not None, classification=enrollment.classification
    )
    if refusal is not None:
        raise DomainError(refusal)
    earlier = (
        GiftIssue.objects.filter(participant=enrollment.participant, campaign=enrollment.campaign)
        .select_related("agency")
        .first()
    )
    if earlier is not None:
        raise ConflictError(
            _("%(name)s already received a mug on %(date)s from %(agency)s.")
            % {
                "name": enrollment.participant.full_name,
                "date": timezone.localtime(earlier.issued_at).strftime("%d/%m/%Y"),
                "agency": earlier.agency.name,
            }
        )
    taken = GiftStock.objects.filter(campaign=enrollment.campaign, agency=enrollment.agency, on_hand__gt=0).update(
        on_hand=F("on_hand") - 1
    )
    if not taken:
        raise DomainError(_("Your agency has no mugs left; ask BHXH for more stock."))
    try:
        with transaction.atomic():
            return GiftIssue.objects.create(
                campaign=enrollment.campaign,
                participant=enrollment.participant,
                enrollment=enrollment,
                agency=enrollment.agency,
                issued_at=clock.now(),
                issued_by=user,
            )
    except IntegrityError as exc:
        raise ConflictError(_("A mug was just handed to this person by another officer.")) from exc


@transaction.atomic
def set_gift_stock(*, campaign: Campaign, agency, received: int) -> GiftStock:
    """Set how many mugs an agency has received; what is on hand moves by the same difference."""
    if received < 0:
        raise DomainError({"received": _("The number of mugs cannot be negative.")})
    stock, _created = GiftStock.objects.select_for_update().get_or_create(campaign=campaign, agency=agency)
    on_hand = stock.on_hand + (received - stock.received)
    if on_hand < 0:
        raise DomainError({"received": _("More mugs were already handed over than this number.")})
    stock.received, stock.on_hand = received, on_hand
    stock.save(update_fields=["received", "on_hand"])
    return stock


# --- prior coverage, as its import plans it ------------------------------------------------------
# (Kept apart from the enrollment services above: only the prior-coverage import writes here.)


@dataclass(kw_only=True)
class PriorCoveragePlan(Plan):
    """The coverage ends a prior-coverage file stores: new ones, and stored ones it changes."""

    add: list[tuple[str, str, date]] = field(default_factory=list)  # (cccd, product, end)
    change: list[tuple[int, str, str, date, date]] = field(default_factory=list)  # (id, cccd, product, before, after)


PRIOR_COVERAGE_TEMP_TABLE = "prior_coverage_import"


@transaction.atomic
def upsert_prior_coverage(*, plan: PriorCoveragePlan) -> int:
    """Write a confirmed plan of prior coverage in bulk; how many rows it added or changed."""
    plan.refuse_if_problems()
    if not plan.add and not plan.change:
        return 0
    if connection.vendor == "postgresql":
        return _upsert_prior_coverage_by_copy(plan)
    return _upsert_prior_coverage_in_batches(plan)


def _upsert_prior_coverage_by_copy(plan: PriorCoveragePlan) -> int:
    """COPY the rows into a temporary table, then one INSERT ... ON CONFLICT for all of them."""
    table, temp = PriorCoverage._meta.db_table, PRIOR_COVERAGE_TEMP_TABLE
    rows = [*plan.add, *((cccd, product, end) for _pk, cccd, product, _before, end in plan.change)]
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS pg_temp.{temp}")
        cursor.execute(
            f"CREATE TEMPORARY TABLE {temp} (cccd varchar(12), product varchar(10), last_coverage_end date) "
            "ON COMMIT DROP"
        )
        # The values are checked digits, product codes and ISO dates: nothing to escape for COPY's text format.
        buffer = io.StringIO()
        buffer.writelines(f"{cccd}\t{product}\t{end.isoformat()}\n" for cccd, product, end in rows)
        with cursor.copy(f"COPY {temp} (cccd, product, last_coverage_end) FROM STDIN") as copy:
            copy.write(buffer.getvalue())
        cursor.execute(
            f"INSERT INTO {table} (cccd, product, last_coverage_end, imported_at) "
            f"SELECT cccd, product, last_coverage_end, %s FROM {temp} "
            f"ON CONFLICT (cccd, product) DO UPDATE "
            f"SET last_coverage_end = EXCLUDED.last_coverage_end, imported_at = EXCLUDED.imported_at "
            f"WHERE {table}.last_coverage_end IS DISTINCT FROM EXCLUDED.last_coverage_end",
            [clock.now()],
        )
        written = cursor.rowcount
        cursor.execute(f"DROP TABLE IF EXISTS pg_temp.{temp}")
    return written


def _upsert_prior_coverage_in_batches(plan: PriorCoveragePlan) -> int:
    now = clock.now()
    PriorCoverage.objects.bulk_create(
        [PriorCoverage(cccd=cccd, product=product, last_coverage_end=end) for cccd, product, end in plan.add],
        batch_size=1000,
    )
    PriorCoverage.objects.bulk_update(
        [PriorCoverage(pk=pk, last_coverage_end=end, imported_at=now) for pk, _c, _p, _b, end in plan.change],
        ["last_coverage_end", "imported_at"],
        batch_size=1000,
    )
    return len(plan.add) + len(plan.change)
