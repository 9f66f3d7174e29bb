"""The one write of the renewal lists: an officer marks a person as contacted."""

from datetime import date

from django.utils.translation import gettext as _

from campaign.models import Product
from collectors.scoping import agency_of
from core import clock
from core.errors import DomainError

from .models import ContactOutcome, RenewalContact
from .selectors import RenewalFilters, renewal_list


def record_contact(
    *, user, cccd: str, product: str, contacted_on: date, outcome: str, note: str = ""
) -> RenewalContact:
    """Keep a call or visit about a person on ``user``'s renewal list, with who, which agency and when.

    Only a person the user's list shows (their agency's, or known only from prior coverage in a
    commune it serves) may be marked: the list is the scope, so an officer cannot log calls to
    another agency's people by guessing a CCCD.
    """
    today = clock.today()
    errors = {}
    if product not in Product.values:
        errors["product"] = _("Choose a product: bhxh_tn or bhyt_hgd.")
    if outcome not in ContactOutcome.values:
        errors["outcome"] = _("Choose what came of the contact: will renew, moved away, refused or not reached.")
    if contacted_on > today:
        errors["contacted_on"] = _("The contact date cannot be in the future.")
    if errors:
        raise DomainError(errors)
    on_list = renewal_list(
        user, today=today, filters=RenewalFilters(within=60, product=product, cccd=cccd), campaign=None
    )
    if not on_list:
        raise DomainError({"cccd": _("This person is not on your renewal list.")})
    return RenewalContact.objects.create(
        cccd=cccd,
        product=product,
        contacted_on=contacted_on,
        outcome=outcome,
        note=(note or "").strip()[:300],
        agency=agency_of(user),
        contacted_by=user,
        recorded_at=clock.now(),
    )
