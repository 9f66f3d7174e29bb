"""Which of a participant's personal data a viewer sees in full: decided here once for pages, API and exports.

CCCD, birth date and phone are shown in full to admins and to the officers of the agency that
recorded the enrollment; everyone else sees them masked (Decree 13/2023 on personal data).
"""

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from collectors.roles import Role, role_of
from collectors.scoping import agency_of

from .identity import mask_birth_date, mask_cccd, mask_phone

# The personal fields of a person by name, each with its mask: for lists and logs that show a
# change of them (the audit trail, the admin's history pages) without the value itself.
PERSONAL_MASKS = {"cccd": mask_cccd, "date_of_birth": mask_birth_date, "phone": mask_phone}


_CCCD_IN_TEXT = re.compile(r"(?<!\d)\d{12}(?!\d)")
_PHONE_IN_TEXT = re.compile(r"(?<![\d+])(?:\+84|0)\d{8,10}(?!\d)")


def mask_in_text(text: str) -> str:
    """Free text (a log line, a database error) with every CCCD-like and phone-like number masked."""
    text = _CCCD_IN_TEXT.sub(lambda match: mask_cccd(match.group()), text)
    return _PHONE_IN_TEXT.sub(lambda match: mask_phone(match.group()), text)


def sees_personal_data(user, agency_id: int | None) -> bool:
    """Whether ``user`` may see in full the personal data of people recorded by agency ``agency_id``."""
    role = role_of(user)
    if role == Role.ADMIN:
        return True
    if role == Role.OFFICER:
        agency = agency_of(user)
        return agency is not None and agency_id is not None and agency.pk == agency_id
    return False


@dataclass(frozen=True)
class PersonFields:
    """A person's personal data as one viewer may see it: in full, or masked."""

    full: bool
    cccd: str
    phone: str
    birth_date: date | None  # None when masked: only ``birth_masked`` may be shown then
    birth_masked: str

    def birth(self, pattern: str = "%d/%m/%Y") -> str:
        return self.birth_date.strftime(pattern) if self.birth_date is not None else self.birth_masked


def shown_fields(*, full: bool, cccd: str, date_of_birth: date, phone: str) -> PersonFields:
    if full:
        return PersonFields(True, cccd, phone, date_of_birth, "")
    return PersonFields(False, mask_cccd(cccd), mask_phone(phone), None, mask_birth_date(date_of_birth))


def person_fields_reader(user) -> Callable[[object], PersonFields]:
    """``person_fields_for`` for the many rows of one page: the viewer's rights read once per agency."""
    sees: dict[int | None, bool] = {}

    def fields(enrollment) -> PersonFields:
        agency_id = enrollment.agency_id
        if agency_id not in sees:
            sees[agency_id] = sees_personal_data(user, agency_id)
        person = enrollment.participant
        return shown_fields(
            full=sees[agency_id], cccd=person.cccd, date_of_birth=person.date_of_birth, phone=person.phone
        )

    return fields


def person_fields_for(user, enrollment) -> PersonFields:
    """The personal data of ``enrollment``'s participant as ``user`` may see it."""
    return person_fields_reader(user)(enrollment)


def masked_fields(person) -> PersonFields:
    """A participant's personal data masked whoever looks (an answer that is stored, a line of a preview)."""
    return shown_fields(full=False, cccd=person.cccd, date_of_birth=person.date_of_birth, phone=person.phone)


def mask_name(name: str) -> str:
    """A name someone can recognise but not copy: "Nguyễn Văn An" → "N***** V** A*"."""
    return " ".join(word[0] + "*" * (len(word) - 1) for word in name.split())
