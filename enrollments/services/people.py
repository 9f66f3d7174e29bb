"""The person behind an enrollment: found or created, never rewritten behind anyone's back.

A person recorded by one agency belongs to everyone's coverage, so another agency recording
them (for another product, or a renewal) must not silently replace who they are:
- the name, birth date, sex and BHXH code must match what is stored; a difference is refused
  with a message naming the fields (an admin corrects a stored person in the admin site);
- the phone, commune, household and the household's address are changed only by an agency that
  has recorded this person (or, for the address, a member of the household); every change is
  kept in ParticipantChange with who, which agency and when;
- a field left empty never blanks a stored one;
- joining a household whose members only other agencies recorded needs its head's CCCD (the
  head is the household's first member).
"""

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from collectors.models import Collector
from core import clock
from core.errors import DomainError

from ..models import Enrollment, Household, Participant, ParticipantChange
from .requests import PersonData, Prepared

IDENTITY = ("full_name", "date_of_birth", "sex")


def _same_text(a: str, b: str) -> bool:
    return " ".join((a or "").split()).casefold() == " ".join((b or "").split()).casefold()


def _labels() -> dict[str, str]:
    return {
        "full_name": _("full name"),
        "date_of_birth": _("date of birth"),
        "sex": _("sex"),
        "bhxh_code": _("BHXH code"),
        "phone": _("phone"),
        "commune": _("commune"),
        "household": _("household"),
        "address": _("address"),
    }


def _recorded_by(agency_id: int, **where) -> bool:
    return Enrollment.objects.filter(agency_id=agency_id, **where).exists()


def _refuse_identity(participant: Participant, person: PersonData) -> None:
    differ = [
        name
        for name in IDENTITY
        if not (
            _same_text(getattr(participant, name), getattr(person, name))
            if name == "full_name"
            else getattr(participant, name) == getattr(person, name)
        )
    ]
    code = person.bhxh_code.strip()
    if code and participant.bhxh_code and code != participant.bhxh_code:
        differ.append("bhxh_code")
    if differ:
        labels = _labels()
        raise DomainError(
            {
                "cccd": _(
                    "CCCD %(cccd)s is already recorded with another %(fields)s. Check what was typed; if the stored "
                    "person is wrong, ask the BHXH administrator to correct it."
                )
                % {"cccd": participant.cccd, "fields": ", ".join(labels[name] for name in differ)}
            }
        )


def _household(
    prepared: Prepared, collector: Collector, participant: Participant | None, user
) -> tuple[Household | None, bool]:
    """The household named on the form, created if new; joining or readdressing another agency's is guarded.

    And whether another officer stored it after ``prepared`` was computed (it was not held then).
    """
    person = prepared.request.person
    code = person.household_code.strip()
    if not code:
        return (participant.household if participant else None), False
    held = prepared.held
    if held is not None and held.household is not None:
        household, created, appeared = held.household, False, False  # locked before preparing
    else:
        household, created = Household.objects.get_or_create(
            code=code,
            defaults={
                "commune": prepared.commune,
                "head_name": person.full_name.strip(),
                "address": person.address.strip(),
            },
        )
        appeared = not created
        if not created:
            household = Household.objects.select_for_update().get(pk=household.pk)
    if created:
        return household, False
    ours = _recorded_by(collector.agency_id, participant__household=household)
    already_member = participant is not None and participant.household_id == household.pk
    members = household.members.order_by("pk")
    if not already_member and not ours and members.exists():
        head = members.first()
        if person.household_head_cccd.strip() != head.cccd:
            # The head is not named: a household code alone must not tell another agency who lives there.
            raise DomainError(
                {
                    "household_code": _(
                        "Household %(code)s is served by another agency: to add a member, enter the CCCD of the "
                        "head of household."
                    )
                    % {"code": code}
                }
            )
    address = person.address.strip()
    if address and address != household.address:
        if not ours:
            raise DomainError(
                {"address": _("Only an agency that recorded this household's members can change its address.")}
            )
        _log(None, "address", household.address, address, collector, user, household=household)
        household.address = address
        household.save(update_fields=["address"])
    return household, appeared


def _log(participant, field: str, old, new, collector: Collector, user, *, household=None) -> None:
    ParticipantChange.objects.create(
        participant=participant,
        household=household,
        field=field,
        old_value=str(old or ""),
        new_value=str(new or ""),
        agency=collector.agency,
        changed_at=clock.now(),
        changed_by=user,
    )


def person_for_recording(prepared: Prepared, collector: Collector, *, user=None) -> tuple[Participant, bool]:
    """Create the person, or check and carefully update the stored one; then hold their row.

    Also whether the person or their household was stored by another officer after ``prepared`` was
    computed (it was not there to hold): the caller then prepares again, now that it holds them.
    """
    person = prepared.request.person
    if prepared.held is not None:
        existing = prepared.held.participant
    else:
        existing = Participant.objects.select_for_update().filter(cccd=person.cccd).first()
    if existing is None:
        household, appeared = _household(prepared, collector, None, user)
        participant, created = _create_person(prepared, household)
        if created:
            return participant, appeared  # a row this transaction inserted is its own until it commits
        # Another officer stored the same person a moment ago: from here on, they are a stored person.
        existing = Participant.objects.select_for_update().get(pk=participant.pk)
        _refuse_identity(existing, person)
        return _update_stored(existing, prepared, collector, user, household), True
    _refuse_identity(existing, person)
    household, appeared = _household(prepared, collector, existing, user)
    return _update_stored(existing, prepared, collector, user, household), appeared


def _create_person(prepared: Prepared, household: Household | None) -> tuple[Participant, bool]:
    """The new person stored, or the one another officer stored a moment ago (and False).

    The row was just looked for (and not found) under a lock, so it is inserted straight away, not
    looked for again as ``get_or_create`` would: a twin stored meanwhile fails the unique CCCD.
    """
    person = prepared.request.person
    try:
        with transaction.atomic():
            participant = Participant.objects.create(
                cccd=person.cccd,
                full_name=" ".join(person.full_name.split()),
                date_of_birth=person.date_of_birth,
                sex=person.sex,
                phone=person.phone.strip(),
                commune=prepared.commune,
                household=household,
                target_group=person.target_group,
                bhxh_code=person.bhxh_code.strip(),
            )
    except IntegrityError:
        try:
            return Participant.objects.get(cccd=person.cccd), False
        except Participant.DoesNotExist:
            raise  # another constraint than the CCCD's: the original error
    return participant, True


def _update_stored(existing: Participant, prepared: Prepared, collector: Collector, user, household) -> Participant:
    person = prepared.request.person
    wanted = {"phone": person.phone.strip() or existing.phone, "commune": prepared.commune, "household": household}
    changed = [name for name, value in wanted.items() if getattr(existing, name) != value]
    ours = _recorded_by(collector.agency_id, participant=existing)
    if changed and not ours:
        labels = _labels()
        raise DomainError(
            {
                "cccd": _(
                    "%(name)s was recorded by another agency; only it can change their %(fields)s. Keep what is "
                    "stored, or ask that agency."
                )
                % {"name": existing.full_name, "fields": ", ".join(labels[name] for name in changed)}
            }
        )
    updates = [*changed]
    if person.bhxh_code.strip() and not existing.bhxh_code:
        updates.append("bhxh_code")
        wanted["bhxh_code"] = person.bhxh_code.strip()
    if ours and person.target_group != existing.target_group:
        updates.append("target_group")
        wanted["target_group"] = person.target_group
    for name in updates:
        _log(existing, name, getattr(existing, name), wanted[name], collector, user)
        setattr(existing, name, wanted[name])
    if updates:
        existing.save(update_fields=[*updates, "updated_at"])
    return existing
