"""Record and cancel enrollments: the writes the form, the API and the import share, all or nothing."""

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from campaign.models import Campaign
from collectors.models import Collector
from core import clock, freshness
from core.audit import acting_as, record_history
from core.errors import ConflictError, DomainError

from ..models import (
    Enrollment,
    GiftIssue,
    Source,
)
from ..signals import enrollments_recorded
from ..vocabulary import PEOPLE_GENERATION, figures_generation
from .people import person_for_recording
from .preparing import check_collector, prepare_enrollment
from .requests import RECORDED, EnrollmentRequest


def _store(
    *, campaign: Campaign, collector: Collector, request: EnrollmentRequest, recorded_by, source: str, position: int
) -> Enrollment:
    # Members under one household code find the ones stored before them in the database; members
    # entered together without a code form a household of their own, ordered by their position.
    batch_position = 0 if request.person.household_code.strip() else position
    # Lock the stored person and household, then classify, price and look for duplicates once, so a
    # concurrent recording of the same person or household is seen; a duplicate is refused before
    # any difference in what was typed (person_for_recording).
    prepared = prepare_enrollment(
        campaign=campaign, request=request, batch_position=batch_position, collector=collector, hold=True
    )
    with acting_as(recorded_by):
        participant, appeared = person_for_recording(prepared, collector, user=recorded_by)
    # Not stored when held, and stored now by this recording: no mug can have been handed over yet.
    person_new = prepared.held.participant is None and not appeared
    if appeared:
        # Another officer stored the person or the household between the two: prepare again, holding them.
        prepared = prepare_enrollment(
            campaign=campaign, request=prepared.request, batch_position=batch_position, collector=collector
        )
    if participant.commune_id == prepared.commune.pk:
        participant.commune = prepared.commune  # the answer names it: no query for it
    amounts = prepared.quote
    enrollment = Enrollment.build(
        participant=participant,
        campaign=prepared.campaign,
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
        **({"uuid": request.uuid} if request.uuid else {}),
    )
    try:
        # No savepoint of its own: a failure refuses the whole recording, whose atomic block rolls back.
        with acting_as(recorded_by):
            enrollment.save()
    except IntegrityError as exc:
        # The database's own guard (unique same-day row, no overlapping periods) caught a race.
        raise ConflictError(
            {"cccd": _("This person was recorded for the same product at the same moment by another officer.")}
        ) from exc
    if person_new:
        enrollment.person_has_gift = False  # what api.stored_answer would otherwise read
    return enrollment


def _figures_change(*campaign_ids: int) -> None:
    """Once the write commits, cached progress, standings and retention built on the old enrollments are stale."""

    def bump() -> None:
        for campaign_id in sorted(set(campaign_ids)):
            freshness.bump(figures_generation(campaign_id))
        freshness.bump(PEOPLE_GENERATION)

    transaction.on_commit(bump)


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
    check_collector(collector)
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
    enrollments_recorded.send(sender=Enrollment, enrollments=stored, source=source, user=recorded_by)
    _figures_change(campaign.pk, *(enrollment.campaign_id for enrollment in stored))
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
    with acting_as(user):
        record_history([enrollment])  # an update() sends no signal: the cancellation's history row
    _figures_change(enrollment.campaign_id)
    return enrollment
