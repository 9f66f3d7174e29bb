"""Who the people of a prior-coverage file are, when BHXH's list carries it (lists of expiring cards do).

Name, birth date, sex, commune, phone and household code are optional columns. When a file has
them, each row's CCCD is checked against its birth date and sex as the entry form checks it
(``identity.validate_cccd``), and a cell left empty never blanks what is stored. People known
only from this file are then listed per commune on the renewal lists, and can be called.
"""

from dataclasses import dataclass, fields
from datetime import date

from campaign.selectors import CommuneLookup
from core.errors import DomainError
from core.excel.reader import Problem, Row, Table
from core.text import clean_phone, phone_problem, text_problem

from ..models import PriorCoverage
from ..services.prior_coverage import PERSON_FIELDS

PERSON_COLUMNS = ("full_name", "date_of_birth", "sex", "phone", "household_code", "commune_code", "commune_name")


@dataclass(frozen=True)
class PriorPerson:
    full_name: str = ""
    date_of_birth: date | None = None
    sex: str = ""
    commune_id: int | None = None
    phone: str = ""
    household_code: str = ""

    def given(self) -> dict:
        """The fields the file filled in: only these are stored (an empty cell keeps the stored value)."""
        return {f.name: getattr(self, f.name) for f in fields(self) if getattr(self, f.name) not in ("", None)}


def has_person_columns(table: Table) -> bool:
    return any(key in table.columns for key in PERSON_COLUMNS)


def _text(table: Table, row: Row, key: str, problems: list[Problem]) -> str:
    text = (row.values.get(key) or "").strip()
    if problem := text_problem(text):
        problems.append(table.problem(row, key, problem))
    return text


def _commune_id(table: Table, row: Row, communes: CommuneLookup, problems: list[Problem]) -> int | None:
    text = row.values.get("commune_code") or row.values.get("commune_name")
    if not text:
        return None
    try:
        return communes.find(text).pk
    except DomainError as exc:
        column = "commune_code" if row.values.get("commune_code") else "commune_name"
        problems.extend(table.problem(row, column, str(message)) for message in exc.messages)
        return None


def person_of(table: Table, row: Row, communes: CommuneLookup, problems: list[Problem]) -> PriorPerson:
    """The person a row describes; what is wrong with it goes to ``problems``."""
    phone = clean_phone(row.values.get("phone") or "")
    if problem := phone_problem(phone):
        problems.append(table.problem(row, "phone", problem))
    return PriorPerson(
        full_name=_text(table, row, "full_name", problems),
        date_of_birth=row.values.get("date_of_birth"),
        sex=row.values.get("sex") or "",
        commune_id=_commune_id(table, row, communes, problems),
        phone=phone,
        household_code=_text(table, row, "household_code", problems),
    )


def differs(stored: PriorCoverage, person: PriorPerson) -> bool:
    return any(getattr(stored, name) != value for name, value in person.given().items())


def merged(stored: PriorCoverage, person: PriorPerson) -> PriorPerson:
    """The person as stored after the file: the file's values where it has them, the stored ones elsewhere."""
    return PriorPerson(**({name: getattr(stored, name) for name in PERSON_FIELDS} | person.given()))
