"""One cell at a time: header text without diacritics, and converters from a raw value to a plain one.

A converter returns the plain value or raises ``CellError`` with what to type instead; the
reader collects those as problems with the cell's sheet row and column.
"""

import re
import unicodedata
from collections.abc import Callable, Mapping, Sequence
from datetime import date, datetime, time, timedelta

from django.utils.translation import gettext as _

EXCEL_EPOCH = date(1899, 12, 30)


class CellError(ValueError):
    """A converter's refusal of one cell; the message says what to type instead."""


def _ascii_table() -> dict[int, str | None]:
    """Latin letters with diacritics (all of Vietnamese's) to their bare letter; combining marks dropped."""
    table: dict[int, str | None] = {ord("đ"): "d", ord("Đ"): "D"}
    for code in (*range(0xC0, 0x250), *range(0x1E00, 0x1F00)):
        bare = "".join(c for c in unicodedata.normalize("NFD", chr(code)) if not unicodedata.combining(c))
        if bare.isascii() and bare != chr(code):
            table[code] = bare
    table.update(dict.fromkeys(range(0x300, 0x370)))
    return table


_TO_ASCII = _ascii_table()
_NOT_ALNUM = re.compile(r"[^0-9a-z]+")


def normalize(text) -> str:
    """Lower case ASCII letters and digits only: "Mã đại lý\\n(TCDVT)" -> "madailytcdvt"."""
    return _NOT_ALNUM.sub("", unicodedata.normalize("NFC", str(text)).translate(_TO_ASCII).lower())


def header_keys(text: str) -> set[str]:
    """The normalized forms a header may match: as typed, and without a note in brackets ("Dân số (người)")."""
    keys = {normalize(text)}
    bare = re.sub(r"\([^)]*\)|\[[^]]*\]", "", text)
    if bare != text:
        keys.add(normalize(bare))
    return keys - {""}


def vn_int(number: int) -> str:
    """1263600 -> "1.263.600", for messages."""
    return f"{number:,}".replace(",", ".")


def column_letter(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def show(value) -> str:
    """A cell's value as the user typed it, for a message."""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, datetime):
        return value.strftime("%d/%m/%Y %H:%M") if value.time() != time(0) else value.strftime("%d/%m/%Y")
    if isinstance(value, date):
        return value.strftime("%d/%m/%Y")
    return f"“{value}”" if isinstance(value, str) else str(value)


# --- converters: raw cell value -> plain value, or CellError ----------------------------------


def to_text(value) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime | date):
        return show(value)
    return " ".join(str(value).split())


def to_code(digits: int = 0) -> Callable:
    """An identifier made of digits (CCCD, commune or phone number) or letters (an agency code).

    Excel drops the leading zeros of a code typed into a number cell ("072085123456" becomes
    72085123456); ``digits`` puts them back for numbers shorter than the code's length.
    """

    def convert(value) -> str:
        if isinstance(value, float | int) and not isinstance(value, bool):
            if not float(value).is_integer():
                raise CellError(_("%(value)s is not a code; type the code as text.") % {"value": show(value)})
            text = str(int(value))
            return text.zfill(digits) if digits and len(text) < digits else text
        return "".join(str(value).split())

    return convert


# re.ASCII throughout: \d is then 0-9 only, not "٣" or "１", which int() would read (core/text.py).
_GROUPED = re.compile(r"-?\d{1,3}(?:([., ])\d{3})(?:\1\d{3})*", re.ASCII)
_WHOLE = re.compile(r"-?\d+", re.ASCII)
# "1,5", "1.200,5", "1,200.5": numbers, but not whole ones.
_DECIMAL = re.compile(r"-?(?:\d{1,3}(?:[., ]\d{3})+|\d+)[.,]\d+", re.ASCII)


def to_count(value) -> int:
    """A whole number of people, from a number cell or text such as "1.200", "1,200" or "1 200"."""
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise CellError(_("%(value)s is not a number.") % {"value": show(value)})
    if isinstance(value, str):
        text = value.strip().replace("\u00a0", " ")
        if _GROUPED.fullmatch(text):
            number = int(re.sub(r"[., ]", "", text))
        elif _WHOLE.fullmatch(text):
            number = int(text)
        elif _DECIMAL.fullmatch(text):
            raise CellError(_("%(value)s is not a whole number; a count has no decimals.") % {"value": show(value)})
        else:
            raise CellError(_("%(value)s is not a number; write it like 1.200 or 1200.") % {"value": show(value)})
    elif isinstance(value, float):
        if not value.is_integer():
            raise CellError(_("%(value)s is not a whole number; a count has no decimals.") % {"value": show(value)})
        number = int(value)
    else:
        number = value
    if number < 0:
        raise CellError(_("%(value)s is negative; a count cannot be.") % {"value": show(value)})
    return number


_DATE_TEXT = re.compile(r"(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})", re.ASCII)
_ISO_DATE = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})", re.ASCII)


def to_date(value) -> date:
    """An Excel date, a date typed as text (dd/mm/yyyy, dd-mm-yyyy, dd.mm.yyyy, yyyy-mm-dd), or a date serial."""
    if type(value) is date:
        return value
    if isinstance(value, datetime):
        return value.date()
    try:
        if isinstance(value, str):
            text = value.strip()
            if match := _DATE_TEXT.fullmatch(text):
                day, month, year = match.groups()
                return date(int(year), int(month), int(day))
            if match := _ISO_DATE.fullmatch(text):
                year, month, day = match.groups()
                return date(int(year), int(month), int(day))
        elif isinstance(value, int | float) and not isinstance(value, bool) and 1 <= value < 2958466:
            # A date in a cell formatted as a number: Excel's day count.
            return EXCEL_EPOCH + timedelta(days=int(value))
    except ValueError:
        pass
    raise CellError(
        _("%(value)s is not a date; write it as dd/mm/yyyy, for example 12/11/2025.") % {"value": show(value)}
    )


def to_choice(choices: Mapping[str, str], *, shown: Sequence[str]) -> Callable:
    """One of a few values, typed as its code or its Vietnamese label, with or without diacritics.

    ``choices`` maps each accepted spelling to the stored value (spellings are normalized
    here); ``shown`` are the spellings a message lists.
    """
    lookup = {normalize(spelling): stored for spelling, stored in choices.items()}
    shown = ", ".join(shown)
    seen: dict = {}  # the same few spellings fill a long column: normalize each once

    def convert(value) -> str:
        stored = seen.get(value) if value.__class__ is str else None
        if stored is None:
            stored = lookup.get(normalize(to_text(value)))
            if stored is None:
                raise CellError(_("%(value)s is not one of: %(choices)s.") % {"value": show(value), "choices": shown})
            if value.__class__ is str and len(seen) < 10_000:
                seen[value] = stored
        return stored

    return convert
