"""Renewal in one tap: the entry form of the product, filled in with the person and their household.

The list's "Renew" link opens the confirmation page of the ordinary entry form (the amount
computed for the period chosen, last time's by default), as if the officer had typed the
person's data in; "Back to the form" edits it, "Confirm and record" records through the same
service. Where something is missing (a person known only from prior coverage without a birth
date), the form opens with what is known and says what to add. Nothing here records or prices
anything itself: it hands the entry views the data they would have received.
"""

from django.http import Http404, QueryDict

from campaign.models import Product
from collectors.roles import Role, role_required
from core import clock

from ..models import Enrollment, Participant, PriorCoverage, TargetGroup
from ..views.desk import MEMBER_PREFIX
from ..views.entry import enroll_bhxh, enroll_bhyt
from ..vocabulary import NOT_CANCELLED
from .selectors import RenewalFilters, renewal_list

ENTRY = {Product.BHYT_HGD: enroll_bhyt, Product.BHXH_TN: enroll_bhxh}


def _person(cccd: str, product: str) -> dict:
    """What is known of the person: their stored record, else the prior-coverage row."""
    participant = Participant.objects.select_related("household", "commune").filter(cccd=cccd).first()
    if participant is None:
        prior = PriorCoverage.objects.select_related("commune").filter(cccd=cccd, product=product).first()
        return {
            "cccd": cccd,
            "full_name": prior.full_name if prior else "",
            "date_of_birth": prior.date_of_birth.isoformat() if prior and prior.date_of_birth else "",
            "sex": prior.sex if prior else "",
            "phone": prior.phone if prior else "",
            "target_group": TargetGroup.OTHER,
            "_commune": prior.commune.code if prior and prior.commune_id else "",
            "_household": prior.household_code if prior else "",
            "_address": "",
        }
    household = participant.household
    return {
        "cccd": cccd,
        "full_name": participant.full_name,
        "date_of_birth": participant.date_of_birth.isoformat(),
        "sex": participant.sex,
        "phone": participant.phone,
        "target_group": participant.target_group,
        "_commune": (household.commune.code if household else participant.commune.code),
        "_household": household.code if household else "",
        "_address": household.address if household else "",
    }


def _bhyt_data(person: dict, months: str) -> dict:
    data = {
        "household_code": person["_household"],
        "commune_code": person["_commune"],
        "address": person["_address"],
        "household_head_cccd": "",
        "months": months,
        "collected_on": clock.today().isoformat(),
        "receipt_no": "",
        f"{MEMBER_PREFIX}-TOTAL_FORMS": "1",
        f"{MEMBER_PREFIX}-INITIAL_FORMS": "0",
        f"{MEMBER_PREFIX}-MIN_NUM_FORMS": "1",
        f"{MEMBER_PREFIX}-MAX_NUM_FORMS": "20",
    }
    for name in ("cccd", "full_name", "date_of_birth", "sex", "phone", "target_group"):
        data[f"{MEMBER_PREFIX}-0-{name}"] = person[name]
    return data


def _bhxh_data(person: dict, months: str) -> dict:
    last = (
        Enrollment.objects.filter(NOT_CANCELLED, participant__cccd=person["cccd"], product=Product.BHXH_TN)
        .order_by("-coverage_end")
        .first()
    )
    data = {name: value for name, value in person.items() if not name.startswith("_")}
    return data | {
        "commune_code": person["_commune"],
        "months": months,
        "collected_on": clock.today().isoformat(),
        "receipt_no": "",
        "income": str(last.income) if last and last.income else "",
        "support_group": (last.support_group if last else "") or "other",
    }


@role_required(Role.OFFICER)
def renew(request):
    """GET: the confirmation (or the form) for renewing a person on the officer's list; POST: the entry view's."""
    product = request.GET.get("product", "")
    cccd = request.GET.get("cccd", "").strip()
    if product not in ENTRY:
        raise Http404("no such product")
    rows = renewal_list(
        request.user, today=clock.today(), filters=RenewalFilters(within=60, product=product, cccd=cccd), campaign=None
    )
    if not rows:  # the confirmation's POST too: this address is for the people on the officer's own list
        raise Http404("not on the renewal list")
    if request.method == "POST":  # the confirmation page posts back to this address
        return ENTRY[product](request)
    months = request.GET.get("months", "") or str(rows[0].last_months or 12)
    person = _person(cccd, product)
    data = _bhyt_data(person, months) if product == Product.BHYT_HGD else _bhxh_data(person, months)
    prefilled = QueryDict(mutable=True)
    prefilled.update(data)
    prefilled["action"] = "review"
    request.POST, request.method = prefilled, "POST"
    return ENTRY[product](request)
