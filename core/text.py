"""What people type, checked alike wherever it arrives (form, API, spreadsheet, admin).

``str.isdigit()`` is true for "²" and "٣", which ``int()`` then refuses or reads as 3: a
number typed by a user is made of ASCII digits only. Names and addresses hold no control
or format characters (NUL, line breaks, the U+202E override that shows "Nguyễn" written
backwards): they reach the database, reports and other systems' screens. A phone number is
digits, optionally after a "+".
"""

import re
import unicodedata

from django.utils.translation import gettext as _

_PHONE = re.compile(r"\+?[0-9]{9,12}")
_PHONE_SEPARATORS = re.compile(r"[\s.\-()]")
# Cc: control characters (NUL, tab, line breaks); Cf: format characters (bidirectional overrides,
# zero-width joiners, the BOM); Cs, Co, Cn: surrogates, private use and unassigned code points.
_INVISIBLE = frozenset({"Cc", "Cf", "Cs", "Co", "Cn"})


def is_digits(text: str) -> bool:
    """Whether ``text`` is one or more of 0-9, and nothing else."""
    return text.isascii() and text.isdigit()


def invisible_characters(text: str) -> list[str]:
    """The control and format characters in ``text``, as "U+202E" for a message."""
    return sorted({f"U+{ord(c):04X}" for c in text if unicodedata.category(c) in _INVISIBLE})


def text_problem(text: str) -> str | None:
    """Why a name, an address or a code cannot be stored as typed; None when it can."""
    found = invisible_characters(text or "")
    if not found:
        return None
    return _("Remove the invisible or control characters (%(characters)s); type the text again by hand.") % {
        "characters": ", ".join(found[:5])
    }


def clean_phone(text: str) -> str:
    """The phone as stored: spaces, dots, dashes and brackets people type between the digits dropped."""
    return _PHONE_SEPARATORS.sub("", text or "")


def phone_problem(phone: str) -> str | None:
    """Why a phone (as ``clean_phone`` returns it) is not one; None when it is, or is empty."""
    if not phone or _PHONE.fullmatch(phone):
        return None
    return _("%(value)s is not a phone number: type 9 to 12 digits, such as 0912345678 or +84912345678.") % {
        "value": f"“{phone}”"
    }
