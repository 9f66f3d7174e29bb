"""The CCCD look-up htmx calls while the officer types: who this is, what they would pay, whether a mug is due."""

import re
from datetime import date, datetime

from django.core.exceptions import ValidationError
from django.shortcuts import render

from campaign.models import Product
from campaign.selectors import campaign_running_on, current_campaign_for
from collectors.roles import Role, role_required
from collectors.scoping import collector_of
from core import clock
from core.errors import DomainError
from core.text import is_digits

from ..forms import (
    DATE_INPUT_FORMATS,
    DongField,
)
from ..identity import validate_cccd
from ..privacy import mask_name
from ..selectors import (
    allow_cccd_lookup,
    conflicting_enrollment,
    household_by_code,
    ladder_orders,
    lookup_limit_message,
    participant_status,
    person_on_record,
    policy_on,
)
from ..services import (
    coverage_dates,
    quote,
)
from .desk import allowed_months

# --- the CCCD lookup while typing -------------------------------------------------------------

_CCCD_PARAM = re.compile(r"^(?:(?P<prefix>[\w]+)-(?P<row>\d+)-)?cccd$")


def _cccd_param(params) -> tuple[str, int]:
    """The CCCD typed and the member row it was typed in (``members-2-cccd`` → row 2)."""
    for key, value in params.items():
        match = _CCCD_PARAM.match(key)
        if match:
            return value.strip(), int(match["row"] or 0)
    return "", 0


def _lookup_day(value: str, today: date) -> date:
    for pattern in DATE_INPUT_FORMATS:
        try:
            return datetime.strptime((value or "").strip(), pattern).date()
        except ValueError:
            continue
    return today


def _lookup_quote(params, *, product: str, cccd: str, row: int, on: date, months: int) -> dict:
    if product == Product.BHYT_HGD:
        household = household_by_code(params.get("household_code", ""))
        order = ladder_orders(household=household, collected_on=on, members=row + 1, exclude_cccd=cccd)[row]
        return {"order": order, "quote": quote(product=product, months=months, on=on, member_order=order)}
    try:
        income = DongField(required=False).clean(params.get("income", ""))
    except ValidationError:  # a half-typed income: no amount yet
        income = None
    if income is None:
        return {"needs_income": True}
    return {
        "quote": quote(
            product=product,
            months=months,
            on=on,
            income=income,
            support_group=params.get("support_group") or "other",
            cccd=cccd,
        )
    }


def _conflict(*, cccd: str, product: str, on: date, months: int, status):
    """A recorded enrollment (any agency) that recording this person now would repeat, or None."""
    try:
        waiting_days = policy_on(on).bhyt_waiting_days
    except DomainError:  # no rates for the day: the same-day duplicate is still worth showing
        return conflicting_enrollment(cccd=cccd, product=product, collected_on=on)
    period = coverage_dates(
        product=product,
        months=months,
        classification=status.classification,
        end=status.last_coverage_end,
        collected_on=on,
        waiting_days=waiting_days,
    )
    return conflicting_enrollment(cccd=cccd, product=product, collected_on=on, period=period)


@role_required(Role.OFFICER)
def lookup(request, product: str):
    """What the officer should know about a CCCD as soon as its 12 digits are typed (an htmx fragment)."""
    if product not in Product.values:
        product = Product.BHYT_HGD
    cccd, row = _cccd_param(request.GET)
    today = clock.today()
    context = {"cccd": cccd, "digits": len(cccd), "product": product}
    if not cccd or (len(cccd) < 12 and is_digits(cccd)):
        return render(request, "enrollments/lookup.html", context | {"state": "typing"})
    try:
        cccd = validate_cccd(cccd)
    except DomainError as exc:
        return render(request, "enrollments/lookup.html", context | {"state": "invalid", "errors": exc.messages})
    if not allow_cccd_lookup(request.user):
        return render(
            request, "enrollments/lookup.html", context | {"state": "invalid", "errors": [lookup_limit_message()]}
        )
    collector = collector_of(request.user)
    campaign = current_campaign_for(request)
    on = min(_lookup_day(request.GET.get("collected_on", ""), today), today)
    if campaign is not None:
        campaign = campaign_running_on(campaign=campaign, day=on)  # the mug is that campaign's
    allowed = allowed_months(product, on) or (12,)
    try:
        months = int(request.GET.get("months", ""))
    except ValueError:
        months = max(allowed)
    if months not in allowed:
        months = max(allowed)
    participant, ours = person_on_record(cccd=cccd, agency_id=collector.agency_id if collector else None)
    status = participant_status(cccd=cccd, product=product, on=on, campaign=campaign)
    try:
        amounts = _lookup_quote(request.GET, product=product, cccd=cccd, row=row, on=on, months=months)
    except DomainError as exc:
        amounts = {"quote_errors": exc.messages}
    context |= {
        "state": "found",
        "participant": participant,
        "name": (participant.full_name if ours else mask_name(participant.full_name)) if participant else "",
        "status": status,
        "on": on,
        "months": months,
        "conflict": _conflict(cccd=cccd, product=product, on=on, months=months, status=status),
        "agency_id": collector.agency_id if collector else None,
        **amounts,
    }
    return render(request, "enrollments/lookup.html", context)
