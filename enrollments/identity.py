"""Checks and masks of a participant's identity numbers, without the database.

A CCCD number reads ``PPP S YY NNNNNN``: the place where the birth was registered,
a digit for century and sex, the last two digits of the birth year, and a serial.
Checking it against the date of birth and sex typed beside it catches most typing
mistakes before an enrollment is stored under the wrong person.
"""

import re
from datetime import date

from django.utils.translation import gettext_lazy as _

from core.errors import DomainError

# The 63 pre-2025 province codes; after the 2025 merger old codes stay valid in numbers already issued.
# fmt: off
PROVINCE_CODES: frozenset[str] = frozenset({
    "001", "002", "004", "006", "008", "010", "011", "012", "014", "015", "017", "019", "020", "022", "024", "025",
    "026", "027", "030", "031", "033", "034", "035", "036", "037", "038", "040", "042", "044", "045", "046", "048",
    "049", "051", "052", "054", "056", "058", "060", "062", "064", "066", "067", "068", "070", "072", "074", "075",
    "077", "079", "080", "082", "083", "084", "086", "087", "089", "091", "092", "093", "094", "095", "096",
})
# fmt: on
# Births registered abroad carry a country code (Circular 07/2016/TT-BCA).
COUNTRY_CODE_RANGE = range(101, 296)

SEXES = ("male", "female")

_CCCD = re.compile(r"[0-9]{12}")
_BHXH_CODE = re.compile(r"[0-9]{10}")
_DIGITS = re.compile(r"[0-9]*")


def _refusal(field: str, messages: list) -> DomainError:
    # Messages go in a list: a lazy message on its own would be split into characters by DomainError.
    return DomainError({field: messages})


def validate_cccd(cccd: str, *, date_of_birth: date | None = None, sex: str | None = None) -> str:
    """Return the CCCD number without surrounding spaces, or refuse it with every problem found.

    The date of birth and the sex are compared only when given, so the number alone can be
    checked while a form is being filled in.
    """
    number = (cccd or "").strip()
    if not _DIGITS.fullmatch(number):
        raise _refusal("cccd", [_("The CCCD number may contain only the digits 0 to 9.")])
    if not _CCCD.fullmatch(number):
        raise _refusal("cccd", [_("The CCCD number must have 12 digits; check that none is missing or extra.")])
    if sex and sex not in SEXES:
        raise _refusal("sex", [_("Choose male or female.")])

    place, century_sex, year_digits = number[:3], int(number[3]), number[4:6]
    problems = []
    if place not in PROVINCE_CODES and int(place) not in COUNTRY_CODE_RANGE:
        problems.append(
            _(
                "The first three digits of the CCCD number (%(place)s) are not a province or country code. "
                "Check the CCCD number."
            )
            % {"place": place}
        )
    if century_sex > 5:
        problems.append(
            _("The fourth digit of the CCCD number (%(digit)s) must be from 0 to 5. Check the CCCD number.")
            % {"digit": century_sex}
        )
        raise _refusal("cccd", problems)

    problems += _sex_problems(century_sex, sex) + _birth_problems(century_sex, year_digits, date_of_birth)
    if problems:
        raise _refusal("cccd", problems)
    return number


def _sex_problems(century_sex: int, sex: str | None) -> list:
    """The fourth digit is even for men and odd for women."""
    problems = []
    if sex == "male" and century_sex % 2 == 1:
        problems.append(
            _(
                "The CCCD number is that of a woman (fourth digit %(digit)s), but the sex entered is male. "
                "Check the CCCD number and the sex."
            )
            % {"digit": century_sex}
        )
    elif sex == "female" and century_sex % 2 == 0:
        problems.append(
            _(
                "The CCCD number is that of a man (fourth digit %(digit)s), but the sex entered is female. "
                "Check the CCCD number and the sex."
            )
            % {"digit": century_sex}
        )
    return problems


def _birth_problems(century_sex: int, year_digits: str, date_of_birth: date | None) -> list:
    """The fourth digit gives the century of birth and the fifth and sixth its last two digits."""
    if date_of_birth is None:
        return []
    problems = []
    first_year = 1900 + 100 * (century_sex // 2)
    if not first_year <= date_of_birth.year <= first_year + 99:
        problems.append(
            _(
                "The CCCD number is that of someone born from %(first)s to %(last)s (fourth digit %(digit)s), "
                "but the date of birth is in %(year)s. Check the CCCD number and the date of birth."
            )
            % {"first": first_year, "last": first_year + 99, "digit": century_sex, "year": date_of_birth.year}
        )
    if year_digits != f"{date_of_birth.year % 100:02d}":
        problems.append(
            _(
                "The fifth and sixth digits of the CCCD number (%(digits)s) must be the last two digits of the "
                "birth year (%(year)s). Check the CCCD number and the date of birth."
            )
            % {"digits": year_digits, "year": date_of_birth.year}
        )
    return problems


def validate_bhxh_code(code: str) -> str:
    """Return the BHXH code without surrounding spaces; it is optional, so empty gives ""."""
    value = (code or "").strip()
    if value and not _BHXH_CODE.fullmatch(value):
        raise _refusal("bhxh_code", [_("The BHXH code must have 10 digits, or leave it empty.")])
    return value


def _mask(value: str, *, keep_start: int, keep_end: int) -> str:
    if len(value) <= keep_start + keep_end:
        return "*" * len(value)
    return value[:keep_start] + "*" * (len(value) - keep_start - keep_end) + value[len(value) - keep_end :]


def mask_cccd(cccd: str) -> str:
    """The CCCD number as shown to people who need to recognise it, not to copy it: ``072*******56``."""
    return _mask((cccd or "").strip(), keep_start=3, keep_end=2)


def mask_phone(phone: str) -> str:
    """The phone number with only its first and last three characters shown: ``091****678``."""
    return _mask((phone or "").strip(), keep_start=3, keep_end=3)


def mask_birth_date(d: date) -> str:
    """Only the year of birth, which age-based reports need: ``**/**/1985``."""
    return f"**/**/{d.year}"
