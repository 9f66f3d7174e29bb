"""Validate a request and compute all it would store, writing nothing.

The form's review, the API and the file preview use it; recording runs it once, holding the person's row.
"""

from collections.abc import Sequence
from dataclasses import replace
from datetime import date

from django.utils.translation import gettext as _

from campaign.models import Campaign, Commune, Product
from campaign.selectors import campaign_running_on, week_of
from collectors.models import Collector
from core import clock
from core.errors import ConflictError, DomainError
from core.text import clean_phone, phone_problem, text_problem

from ..classification import bhxh_coverage, bhyt_coverage, classify
from ..identity import validate_bhxh_code, validate_cccd
from ..models import (
    Channel,
    Household,
    Participant,
    Sex,
    TargetGroup,
)
from ..selectors import (
    conflicting_enrollment,
    household_member_order,
    household_member_order_after,
    last_coverage_end,
    policy_on,
)
from .requests import EnrollmentRequest, Held, Prepared, quote


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


# The typed text a request carries: none may hold control or format characters.
_PERSON_TEXT = ("full_name", "address", "household_code", "commune_code", "bhxh_code", "cccd")


def _check_text(request: EnrollmentRequest, errors: dict[str, str]) -> None:
    person = request.person
    for name in _PERSON_TEXT:
        if problem := text_problem(getattr(person, name)):
            errors[name] = problem
    if problem := text_problem(request.receipt_no):
        errors["receipt_no"] = problem
    if problem := phone_problem(clean_phone(person.phone)):
        errors["phone"] = problem


def prepare_enrollment(
    *,
    campaign: Campaign,
    request: EnrollmentRequest,
    batch_position: int = 0,
    collector: Collector | None = None,
    earlier: Sequence[Prepared] = (),
    hold: bool = False,
) -> Prepared:
    """Validate a request and compute its campaign, week, classification, period and amounts; write nothing.

    ``campaign`` is the one the caller names (the form's current campaign, the API body's); the
    enrollment goes to the campaign of the same province running on its collection date, which is
    ``campaign`` itself when the date is inside it (``Prepared.campaign``; the week is that one's).

    ``batch_position`` is the member's place among household members entered together
    and not yet stored (they take the next orders of the ladder, as entered).
    With ``collector``, it checks all that recording by that officer would: the officer and
    the agency are active, and the person has no other enrollment of the product that day
    or in the period (by reading; the write checks again under its lock).
    ``earlier`` are enrollments prepared before this one and not stored (the rows above it
    in a previewed file): they count as stored, so the answer is the one recording them
    all in turn gives. The same person, product and day twice among them is the caller's
    to refuse.
    With ``hold`` (recording, in its transaction), the stored person and household are locked once
    the input is checked and before anything is computed (``Prepared.held``): the one preparation a
    recording needs. A person not stored when held has no enrollment here yet: their history, State
    support and duplicates are not looked for (one who appears meanwhile makes recording prepare again).
    """
    if collector is not None:
        check_collector(collector)
    cccd, commune, collected_on = _checked_input(campaign, request)
    person = request.person
    held = _hold(cccd, person.household_code.strip()) if hold else None
    # Held and not found: nobody stored this person, so no enrollment of theirs exists to read.
    unknown = held is not None and held.participant is None
    in_force = policy_on(collected_on)
    member_order = None
    if request.product == Product.BHYT_HGD:
        member_order = _member_order(
            request,
            cccd=cccd,
            collected_on=collected_on,
            earlier=earlier,
            policy=in_force.policy,
            batch_position=batch_position,
            held=held,
        )
    amounts = quote(
        product=request.product,
        months=request.months,
        on=collected_on,
        member_order=member_order,
        income=request.income,
        support_group=request.support_group,
        cccd="" if unknown else cccd,
        supported_months_pending=sum(e.quote.supported_months for e in earlier if e.request.person.cccd == cccd),
        policy=in_force.policy,
    )
    ends = [e.coverage_end for e in earlier if (e.request.person.cccd, e.request.product) == (cccd, request.product)]
    stored_end = last_coverage_end(cccd=cccd, product=request.product, stored_person=not unknown)
    end = max([d for d in (stored_end, *ends) if d], default=None)
    classification = classify(last_coverage_end=end, collected_on=collected_on)
    start, finish = coverage_dates(
        product=request.product,
        months=request.months,
        classification=classification,
        end=end,
        collected_on=collected_on,
        waiting_days=in_force.bhyt_waiting_days,
    )
    campaign = campaign_running_on(campaign=campaign, day=collected_on)
    week = week_of(campaign=campaign, day=collected_on)
    warnings = []
    if week is None:
        warnings.append(
            _("The collection date is outside the campaign: it is recorded but not counted in quotas or awards.")
        )
    prepared = Prepared(
        request=replace(request, person=replace(person, cccd=cccd, phone=clean_phone(person.phone))),
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
        campaign=campaign,
        held=held,
    )
    if collector is not None and not unknown:
        refuse_duplicates(prepared)
    return prepared


def _hold(cccd: str, household_code: str) -> Held:
    """Lock the stored person and household rows, in the order recording has always taken them."""
    participant = Participant.objects.select_for_update().filter(cccd=cccd).first()
    household = Household.objects.select_for_update().filter(code=household_code).first() if household_code else None
    return Held(participant, household)


def _checked_input(campaign: Campaign, request: EnrollmentRequest) -> tuple[str, Commune, date]:
    """The request's CCCD, commune and collection date, or every problem of the input at once."""
    errors: dict[str, str] = {}
    _check_choices(request, errors)
    person = request.person
    if any(text_problem(getattr(person, name)) for name in ("cccd", "commune_code")):
        _check_text(request, errors)
        raise DomainError(errors)  # no look-up with such a code
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
    _check_text(request, errors)
    if errors:
        raise DomainError(errors)
    return cccd, commune, collected_on


def _member_order(
    request: EnrollmentRequest,
    *,
    cccd: str,
    collected_on: date,
    earlier: Sequence[Prepared],
    policy,
    batch_position: int,
    held: Held | None,
) -> int:
    """The member's place on the household ladder; a given order that disagrees is refused."""
    person = request.person
    code = person.household_code.strip()
    if earlier and code:
        pending = [
            (e.request.person.cccd, e.request.person.household_code.strip(), e.request.product, e.collected_on)
            for e in earlier
        ]
        order = household_member_order_after(
            household_code=code, collected_on=collected_on, exclude_cccd=cccd, pending=pending
        )
    else:
        if held is not None:
            household = held.household
        else:
            household = Household.objects.filter(code=code).first() if code else None
        order = household_member_order(household=household, collected_on=collected_on, exclude_cccd=cccd)
    member_order = policy.ladder_order(order + batch_position)
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
    return member_order


def coverage_dates(*, product: str, months: int, classification, end, collected_on: date, waiting_days: int):
    """The period an enrollment collected on ``collected_on`` would cover, after a last coverage ending ``end``."""
    if product == Product.BHYT_HGD:
        return bhyt_coverage(
            classification=classification,
            last_coverage_end=end,
            collected_on=collected_on,
            months=months,
            waiting_days=waiting_days,
        )
    return bhxh_coverage(classification=classification, last_coverage_end=end, collected_on=collected_on, months=months)


def refuse_duplicates(prepared: Prepared) -> None:
    person, product = prepared.request.person, prepared.request.product
    existing = conflicting_enrollment(
        cccd=person.cccd,
        product=product,
        collected_on=prepared.collected_on,
        period=(prepared.coverage_start, prepared.coverage_end),
    )
    if existing is None:
        return
    if existing.collected_on == prepared.collected_on:
        raise ConflictError(
            {
                "cccd": _(
                    "%(name)s was already recorded for %(product)s on %(date)s by %(agency)s (enrollment %(id)s)."
                )
                % {
                    "name": person.full_name.strip(),
                    "product": existing.get_product_display(),
                    "date": existing.collected_on.strftime("%d/%m/%Y"),
                    "agency": existing.agency.name,
                    "id": existing.pk,
                }
            }
        )
    raise ConflictError(
        {
            "cccd": _("%(name)s is already covered from %(start)s to %(end)s by enrollment %(id)s of %(agency)s.")
            % {
                "name": person.full_name.strip(),
                "start": existing.coverage_start.strftime("%d/%m/%Y"),
                "end": existing.coverage_end.strftime("%d/%m/%Y"),
                "id": existing.pk,
                "agency": existing.agency.name,
            }
        }
    )


def check_collector(collector: Collector) -> None:
    if not collector.active or not collector.agency.active:
        raise DomainError(_("This officer or their agency is not active; ask the administrator."))
