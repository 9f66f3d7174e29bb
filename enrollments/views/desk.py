"""The officer's working session: who records, for which campaign, where, on which day."""

from dataclasses import dataclass
from datetime import date

from django.core.exceptions import NON_FIELD_ERRORS
from django.forms import Form
from django.shortcuts import render
from django.utils.translation import gettext as _

from campaign.models import Campaign, Product
from campaign.selectors import current_campaign_for
from collectors.models import Collector
from collectors.scoping import collector_of
from core import clock
from core.errors import DomainError

from ..models import Channel
from ..selectors import (
    communes_of,
    default_commune,
    policy_on,
)

CHANNEL_KEY = "enrollment_channel"
SUBMITTED_KEY = "enrollment_submissions"
MEMBER_PREFIX = "members"
LIST_PAGE_SIZE = 25
# Fields the confirmation page carries back unchanged; these are its own.
NOT_CARRIED = {"csrfmiddlewaretoken", "action", "submission"}


# --- the officer's working session ------------------------------------------------------------


@dataclass(frozen=True)
class Desk:
    """What every entry page needs: the campaign, who records, where they are, and the day."""

    campaign: Campaign
    collector: Collector
    channel: str
    today: date

    @property
    def channel_label(self) -> str:
        return Channel(self.channel).label


def session_channel(request) -> str:
    value = request.session.get(CHANNEL_KEY)
    return value if value in Channel.values else Channel.OTHER


def officer_desk(request) -> tuple[Desk | None, object]:
    """The officer's desk, or the page that explains why they cannot record (never a 500)."""
    collector = collector_of(request.user)
    if collector is None:
        return None, unavailable(
            request,
            _("You are not linked to an active collection officer record"),
            _(
                "To record enrollments your account must belong to an officer of an active collection agency. "
                "Ask the BHXH administrator to link your account."
            ),
        )
    campaign = current_campaign_for(request)
    if campaign is None:
        return None, unavailable(
            request,
            _("No campaign is running"),
            _("Enrollments are recorded within a campaign. Ask the BHXH administrator to start one."),
        )
    return Desk(campaign=campaign, collector=collector, channel=session_channel(request), today=clock.today()), None


def unavailable(request, title: str, text: str):
    return render(request, "enrollments/unavailable.html", {"title": title, "text": text}, status=403)


def allowed_months(product: str, today: date) -> tuple[int, ...]:
    try:
        policy = policy_on(today).policy
    except DomainError:
        return ()
    return policy.bhyt_months if product == Product.BHYT_HGD else policy.bhxh_months


def form_options(desk: Desk, product: str) -> dict:
    return {
        "communes": list(communes_of(desk.campaign)),
        "default_commune": default_commune(agency=desk.collector.agency, campaign=desk.campaign),
        "months": allowed_months(product, desk.today),
        "today": desk.today,
    }


def attach_errors(exc: DomainError, form: Form, person_form: Form | None = None) -> None:
    """Put each message of a service's error next to its field; what has no field goes on top."""
    for key, messages_ in exc.errors.items():
        texts = [str(message) for message in messages_]
        if person_form is not None and key in person_form.fields:
            target, field = person_form, key
        elif key in form.fields:
            target, field = form, key
        elif key == "member_order" and person_form is not None:
            target, field = person_form, None
        else:
            target, field = form, None
        shown = target.errors.get(field or NON_FIELD_ERRORS, [])
        fresh = [text for text in texts if text not in shown]
        if fresh:
            target.add_error(field, fresh)
