"""Property-based tests of what officers type: CCCD numbers, amounts in đồng and dd/mm/yyyy dates.

Any text ends in a value or the domain's refusal (``DomainError`` for a CCCD, a form's
``ValidationError`` for an amount or a date), never another exception; what the app writes
(``vnd``, ``vn_number``, the date formats the forms offer) reads back as the same value.
"""

from datetime import date

from django import forms
from django.core.exceptions import ValidationError
from django.utils import translation
from hypothesis import given
from hypothesis import strategies as st

from campaign.templatetags.vn_format import vn_number, vnd
from core.errors import DomainError
from enrollments.forms import BIRTH_DATE_INPUT_FORMATS, DATE_INPUT_FORMATS, DongField
from enrollments.identity import PROVINCE_CODES, mask_cccd, validate_cccd
from enrollments.views.lookup import _lookup_day

TYPED = st.one_of(st.text(), st.text(alphabet="0123456789 .,/-₫đVND²١１\u00a0\u202e\x00"))
BIRTHS = st.dates(date(1900, 1, 1), date(2099, 12, 31))


def english():
    return translation.override("en")


def valid_cccd(place: str, born: date, sex: str, serial: int) -> str:
    """PPP S YY NNNNNN: the century and sex digit is 0/1 for 1900s men/women, 2/3 for the 2000s."""
    century_sex = (born.year - 1900) // 100 * 2 + (sex == "female")
    return f"{place}{century_sex}{born.year % 100:02d}{serial:06d}"


@given(TYPED, st.none() | BIRTHS, st.sampled_from([None, "male", "female", "other"]))
def test_any_cccd_is_accepted_or_refused_with_the_domain_s_message(typed, born, sex):
    with english():
        try:
            number = validate_cccd(typed, date_of_birth=born, sex=sex)
        except DomainError as refused:
            assert refused.errors and all(str(m).strip() for ms in refused.errors.values() for m in ms)
            return
    assert len(number) == 12 and number.isascii() and number.isdigit()


@given(st.sampled_from(sorted(PROVINCE_CODES)), BIRTHS, st.sampled_from(["male", "female"]), st.integers(0, 999_999))
def test_a_cccd_that_agrees_with_the_birth_date_and_sex_is_accepted(place, born, sex, serial):
    number = valid_cccd(place, born, sex, serial)
    assert validate_cccd(f" {number} ", date_of_birth=born, sex=sex) == number
    masked = mask_cccd(number)
    assert masked == number[:3] + "*" * 7 + number[-2:]


@given(st.sampled_from(sorted(PROVINCE_CODES)), BIRTHS, st.sampled_from(["male", "female"]), st.integers(0, 999_999))
def test_a_cccd_of_the_other_sex_or_another_birth_year_is_refused(place, born, sex, serial):
    number = valid_cccd(place, born, sex, serial)
    other = "female" if sex == "male" else "male"
    with english():
        try:
            validate_cccd(number, date_of_birth=born, sex=other)
            raise AssertionError("the other sex was accepted")
        except DomainError as refused:
            assert any("sex entered" in str(m) for m in refused.errors["cccd"])
        try:
            validate_cccd(number, date_of_birth=born.replace(year=born.year + 1 if born.year < 2099 else 1900))
            raise AssertionError("another birth year was accepted")
        except (DomainError, ValueError) as refused:  # ValueError: 29/2 in a year without it
            assert isinstance(refused, DomainError) or born.month == 2


# --- amounts in đồng ---------------------------------------------------------------------------------


@given(TYPED)
def test_any_amount_is_whole_dong_or_the_form_s_message(typed):
    with english():
        try:
            amount = DongField().clean(typed)
        except ValidationError as refused:
            assert refused.messages and all(message.strip() for message in refused.messages)
            return
    assert type(amount) is int and amount >= 0


@given(st.integers(0, 10**15))
def test_an_amount_written_as_the_app_writes_it_reads_back(amount):
    field = DongField()
    for written in (vnd(amount), vn_number(amount), str(amount), f"{amount} đ", f"{amount:,}".replace(",", " ")):
        assert field.clean(written) == amount, written


@given(st.integers(1, 10**9), st.characters(categories=["Nd", "No"]).filter(lambda c: not c.isascii()))
def test_an_amount_with_a_digit_that_is_not_0_to_9_is_refused(amount, digit):
    with english():
        for typed in (f"{amount}{digit}", f"{digit}{amount}"):
            try:
                DongField().clean(typed)
                raise AssertionError(f"{typed!r} was accepted")
            except ValidationError:
                pass


# --- dates typed as dd/mm/yyyy ---------------------------------------------------------------------


@given(TYPED)
def test_any_typed_date_is_a_date_or_the_form_s_message(typed):
    for formats in (DATE_INPUT_FORMATS, BIRTH_DATE_INPUT_FORMATS):
        with english():
            try:
                day = forms.DateField(input_formats=formats).clean(typed)
            except ValidationError as refused:
                assert refused.messages
                continue
        assert type(day) is date
    assert type(_lookup_day(typed, date(2025, 12, 10))) is date  # the live look-up falls back to today


@given(st.dates(date(1000, 1, 1), date(9999, 12, 31)))
def test_a_date_in_every_format_the_forms_offer_reads_back(day):
    for pattern in BIRTH_DATE_INPUT_FORMATS:
        written = day.strftime(pattern)
        assert forms.DateField(input_formats=BIRTH_DATE_INPUT_FORMATS).clean(written) == day, written
        if pattern in DATE_INPUT_FORMATS:
            assert _lookup_day(written, date(2025, 12, 10)) == day
