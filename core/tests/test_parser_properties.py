"""Property-based tests of the cell converters and the typed-text checks: any input, a value or the clear refusal.

Each converter of ``core.excel.cells`` takes whatever a spreadsheet cell can hold (text of any
characters, whole and fractional numbers, NaN and infinities, booleans, dates and times) and
returns a plain value or raises ``CellError`` with a message; nothing else escapes. Where a value
is written the way the app writes it (``vn_int``, ``show``, dd/mm/yyyy), reading it back gives
the value again.
"""

import re
import unicodedata
from datetime import date, datetime, timedelta

from django.utils import translation
from hypothesis import assume, example, given
from hypothesis import strategies as st

from core.excel.cells import (
    EXCEL_EPOCH,
    CellError,
    normalize,
    show,
    to_choice,
    to_code,
    to_count,
    to_date,
    to_text,
    vn_int,
)
from core.text import clean_phone, invisible_characters, is_digits, phone_problem, text_problem

# What calamine hands the reader for one cell.
CELL_VALUES = st.one_of(
    st.text(),
    st.text(alphabet="0123456789.,/- \u00a0²٣１"),  # digit-like text, where the converters have to choose
    st.integers(),
    st.floats(),  # NaN and ±inf included
    st.booleans(),
    st.dates(),
    st.datetimes(),
    st.none(),
)
DAYS = st.dates(date(1900, 3, 1), date(2100, 12, 31))  # Excel's serials are right from 1/3/1900
NON_ASCII_DIGITS = st.characters(categories=["Nd", "No"]).filter(lambda c: not c.isascii())


def english():
    return translation.override("en")


def value_or_refusal(convert, value):
    """The converter's answer, or None when it refused with a message; any other exception fails the test."""
    try:
        return convert(value)
    except CellError as refused:
        assert str(refused).strip()
        return None


@given(CELL_VALUES)
def test_a_count_is_a_whole_number_from_zero_or_refused(value):
    with english():
        count = value_or_refusal(to_count, value)
    assert count is None or (type(count) is int and count >= 0)


@given(st.integers(min_value=0, max_value=10**15))
def test_a_count_written_as_the_app_writes_it_reads_back(number):
    assert to_count(vn_int(number)) == number  # "1.263.600"
    assert to_count(str(number)) == number
    assert to_count(f"{number:,}") == number  # "1,263,600"
    assert to_count(float(number)) == number


@given(st.text(min_size=1), NON_ASCII_DIGITS)
def test_a_count_with_a_digit_that_is_not_0_to_9_is_refused(text, digit):
    """ "١٢" (Arabic-Indic) or "１２" (full width) are digits to Python's int(), not to those who read the sheet."""
    digits = "".join(c for c in text if c.isascii() and c.isdigit()) or "1"
    with english():
        assert value_or_refusal(to_count, digits + digit) is None
        assert value_or_refusal(to_count, digit + digits) is None


@given(CELL_VALUES)
def test_a_date_is_a_date_or_refused(value):
    with english():
        day = value_or_refusal(to_date, value)
    assert day is None or type(day) is date


@given(DAYS)
def test_a_date_written_as_people_write_it_reads_back(day):
    for written in (show(day), day.strftime("%d-%m-%Y"), day.strftime("%d.%m.%Y"), day.isoformat()):
        assert to_date(written) == day, written
    assert to_date((day - EXCEL_EPOCH).days) == day  # a date cell formatted as a number
    assert to_date(datetime(day.year, day.month, day.day, 17, 30)) == day


@given(DAYS, NON_ASCII_DIGITS)
def test_a_date_with_a_digit_that_is_not_0_to_9_is_refused(day, digit):
    written = show(day)
    with english():
        assert value_or_refusal(to_date, digit + written[1:]) is None


@given(CELL_VALUES, st.sampled_from([0, 5, 12]))
def test_a_code_is_text_without_spaces_or_refused(value, digits):
    with english():
        code = value_or_refusal(to_code(digits), value)
    assert code is None or (isinstance(code, str) and not any(c.isspace() for c in code))


@given(st.integers(min_value=0, max_value=10**12 - 1))
def test_a_cccd_that_excel_turned_into_a_number_gets_its_leading_zeros_back(number):
    typed = f"{number:012d}"
    assert to_code(12)(float(number)) == typed
    assert to_code(12)(number) == typed
    assert to_code(12)(typed) == typed


CHOICE = to_choice({"Bưu điện": "post", "post": "post", "Khác": "other"}, shown=["Bưu điện", "Khác"])


@given(CELL_VALUES)
def test_a_choice_is_one_of_the_stored_values_or_refused(value):
    with english():
        assert value_or_refusal(CHOICE, value) in {"post", "other", None}


@given(st.sampled_from(["Bưu điện", "BƯU ĐIỆN", "buu dien", " Bưu  điện ", "Bưu\nđiện"]))
def test_a_choice_is_read_with_or_without_diacritics_case_and_spaces(spelling):
    assert CHOICE(spelling) == "post"


@given(CELL_VALUES)
def test_text_and_messages_come_from_any_cell(value):
    text = to_text(value) if value is not None else ""
    assert isinstance(text, str) and text == text.strip()
    assert isinstance(show(value), str)
    key = normalize(value)
    assert re.fullmatch(r"[0-9a-z]*", key) and normalize(key) == key


# --- typed text (core/text.py) ----------------------------------------------------------------------


@given(st.text())
def test_text_problem_names_exactly_the_invisible_characters(text):
    invisible = {c for c in text if unicodedata.category(c) in {"Cc", "Cf", "Cs", "Co", "Cn"}}
    with english():
        problem = text_problem(text)
    assert (problem is None) == (not invisible)
    assert invisible_characters(text) == sorted(f"U+{ord(c):04X}" for c in invisible)
    if problem:
        assert invisible_characters(text)[0] in problem


@given(st.text())
def test_a_number_is_made_of_ascii_digits_only(text):
    assert is_digits(text) == bool(re.fullmatch(r"[0-9]+", text))
    if is_digits(text):
        assert int(text) >= 0


@given(st.text())
def test_a_phone_is_9_to_12_digits_after_an_optional_plus_or_refused(text):
    phone = clean_phone(text)
    with english():
        problem = phone_problem(phone)
    assert (problem is None) == (phone == "" or bool(re.fullmatch(r"\+?[0-9]{9,12}", phone)))


@given(st.from_regex(r"\+?[0-9]{9,12}", fullmatch=True), st.lists(st.sampled_from([" ", ".", "-", "(", ")"])))
def test_a_phone_typed_with_separators_is_stored_as_its_digits(phone, separators):
    assume(len(separators) < len(phone))
    typed = "".join(c + (separators[i] if i < len(separators) else "") for i, c in enumerate(phone))
    assert clean_phone(typed) == phone and phone_problem(clean_phone(typed)) is None


def test_excel_serials_count_from_the_30th_of_december_1899():
    assert to_date(45973) == date(2025, 11, 12)
    assert EXCEL_EPOCH + timedelta(days=45973) == date(2025, 11, 12)


@example("Nguyễn Văn A")
@given(st.text(alphabet=st.characters(categories=["L", "Zs"])))
def test_names_of_letters_and_spaces_have_no_problem(name):
    assert text_problem(name) is None
