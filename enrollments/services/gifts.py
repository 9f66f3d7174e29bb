"""Mugs: handing one over to a person the campaign brought in, once per campaign, from the agency's stock."""

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from campaign.models import Campaign
from core import clock
from core.errors import ConflictError, DomainError

from ..models import (
    Enrollment,
    GiftIssue,
    GiftStock,
)
from ..vocabulary import why_no_mug


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
    on_hand = _on_hand_after(stock, received)
    stock.received, stock.on_hand = received, on_hand
    stock.save(update_fields=["received", "on_hand"])
    return stock


def check_gift_stock(*, campaign: Campaign, agency, received: int) -> None:
    """What ``set_gift_stock`` would refuse, found by reading only (for a form to show beside its field)."""
    if received < 0:
        raise DomainError({"received": _("The number of mugs cannot be negative.")})
    stock = GiftStock.objects.filter(campaign=campaign, agency=agency).first()
    if stock is not None:
        _on_hand_after(stock, received)


def _on_hand_after(stock: GiftStock, received: int) -> int:
    on_hand = stock.on_hand + (received - stock.received)
    if on_hand < 0:
        handed_over = stock.received - stock.on_hand
        raise DomainError(
            {
                "received": _("%(handed)s mugs were already handed over: the number received cannot be less than that.")
                % {"handed": handed_over}
            }
        )
    return on_hand
