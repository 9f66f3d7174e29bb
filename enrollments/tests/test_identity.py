from datetime import date

import pytest
from django.utils import translation

from core.errors import DomainError
from enrollments.identity import (
    PROVINCE_CODES,
    mask_birth_date,
    mask_cccd,
    mask_phone,
    validate_bhxh_code,
    validate_cccd,
)


@pytest.fixture(autouse=True)
def _english_messages():
    """Messages are checked in English, their source language; lazy ones are read after the raise."""
    with translation.override("en"):
        yield


def refusal(call, *args, **kwargs) -> DomainError:
    with translation.override("en"), pytest.raises(DomainError) as excinfo:
        call(*args, **kwargs)
    return excinfo.value


# DOMAIN.md's list of the 63 pre-2025 province codes, as written there (Tây Ninh 072, Long An 080).
DOMAIN_MD_CODES = (
    "001 002 004 006 008 010 011 012 014 015 017 019 020 022 024 025 026 027 030 031 033 034 035 036 037 038 040 "
    "042 044 045 046 048 049 051 052 054 056 058 060 062 064 066 067 068 070 072 074 075 077 079 080 082 083 084 "
    "086 087 089 091 092 093 094 095 096"
)


def test_the_province_codes_are_the_63_of_domain_md():
    expected = set(DOMAIN_MD_CODES.split())
    assert len(expected) == 63
    assert set(PROVINCE_CODES) == expected


@pytest.mark.parametrize(
    ("cccd", "date_of_birth", "sex"),
    [
        # DOMAIN.md examples.
        ("072085123456", date(1985, 6, 1), "male"),
        ("080305000123", date(2005, 1, 31), "female"),
        ("175090123456", date(1990, 12, 31), "male"),
        # Our own.
        ("001200000001", date(2000, 1, 1), "male"),
        ("096199000001", date(1999, 12, 31), "female"),
        ("101000000001", date(1900, 1, 1), "male"),
        ("295000000001", date(1900, 1, 1), "male"),
        ("072400000001", date(2100, 1, 1), "male"),
        ("072599000001", date(2199, 1, 1), "female"),
    ],
)
def test_valid_cccd_matches_birth_year_and_sex(cccd, date_of_birth, sex):
    assert validate_cccd(cccd, date_of_birth=date_of_birth, sex=sex) == cccd


def test_cccd_is_returned_without_surrounding_spaces():
    assert validate_cccd("  072085123456 ") == "072085123456"


@pytest.mark.parametrize(
    ("cccd", "sex"),
    [
        ("072185123456", "female"),
        ("072385123456", None),
        ("072085123456", ""),
        ("080599000001", None),
    ],
)
def test_cccd_without_birth_date_or_sex_skips_those_checks(cccd, sex):
    assert validate_cccd(cccd, sex=sex) == cccd


@pytest.mark.parametrize(
    ("cccd", "date_of_birth", "sex", "expected_in_message"),
    [
        # DOMAIN.md examples.
        ("072185123456", date(1985, 6, 1), "male", "that of a woman"),
        ("099085123456", date(1985, 6, 1), "male", "(099) are not a province or country code"),
        ("72085123456", date(1985, 6, 1), "male", "must have 12 digits"),
        # Our own.
        ("0720851234567", None, None, "must have 12 digits"),
        ("", None, None, "must have 12 digits"),
        ("07208512345A", None, None, "only the digits"),
        ("072 085 123 456", None, None, "only the digits"),
        ("٠٧٢٠٨٥١٢٣٤٥٦", None, None, "only the digits"),
        ("296085123456", None, None, "(296) are not a province or country code"),
        ("100085123456", None, None, "(100) are not a province or country code"),
        ("000085123456", None, None, "(000) are not a province or country code"),
        ("097085123456", None, None, "(097) are not a province or country code"),
        ("072685123456", None, None, "fourth digit of the CCCD number (6) must be from 0 to 5"),
        ("072985123456", date(1985, 6, 1), "male", "fourth digit of the CCCD number (9) must be from 0 to 5"),
        ("080305000123", date(2005, 1, 31), "male", "that of a woman"),
        ("072085123456", date(1985, 6, 1), "female", "that of a man"),
        ("072085123456", date(1986, 6, 1), "male", "(85) must be the last two digits of the birth year (1986)"),
        ("072085123456", date(2085, 6, 1), "male", "born from 1900 to 1999"),
        ("072285123456", date(1985, 6, 1), "male", "born from 2000 to 2099"),
        ("072099123456", date(1899, 6, 1), "male", "born from 1900 to 1999"),
    ],
)
def test_invalid_cccd_is_refused_with_what_is_wrong(cccd, date_of_birth, sex, expected_in_message):
    error = refusal(validate_cccd, cccd, date_of_birth=date_of_birth, sex=sex)
    assert list(error.errors) == ["cccd"]
    assert any(expected_in_message in message for message in error.messages), error.messages


def test_every_contradiction_of_one_cccd_is_reported_at_once():
    error = refusal(validate_cccd, "099185123456", date_of_birth=date(2001, 1, 1), sex="male")
    assert list(error.errors) == ["cccd"]
    assert [str(message) for message in error.messages] == [
        "The first three digits of the CCCD number (099) are not a province or country code. Check the CCCD number.",
        "The CCCD number is that of a woman (fourth digit 1), but the sex entered is male. Check the CCCD number and "
        "the sex.",
        "The CCCD number is that of someone born from 1900 to 1999 (fourth digit 1), but the date of birth is in "
        "2001. Check the CCCD number and the date of birth.",
        "The fifth and sixth digits of the CCCD number (85) must be the last two digits of the birth year (2001). "
        "Check the CCCD number and the date of birth.",
    ]


def test_unknown_sex_is_refused():
    error = refusal(validate_cccd, "072085123456", sex="m")
    assert list(error.errors) == ["sex"]


@pytest.mark.parametrize(
    ("code", "expected"),
    [("0123456789", "0123456789"), (" 7912345678 ", "7912345678"), ("", ""), ("   ", "")],
)
def test_bhxh_code_is_optional_ten_digits(code, expected):
    assert validate_bhxh_code(code) == expected


@pytest.mark.parametrize("code", ["012345678", "01234567890", "01234567a9", "0123-45678"])
def test_bhxh_code_other_than_ten_digits_is_refused(code):
    error = refusal(validate_bhxh_code, code)
    assert error.messages == ["The BHXH code must have 10 digits, or leave it empty."]
    assert list(error.errors) == ["bhxh_code"]


@pytest.mark.parametrize(
    ("cccd", "expected"),
    [("072085123456", "072*******56"), ("175090123456", "175*******56"), ("", "")],
)
def test_masked_cccd_shows_first_three_and_last_two_digits(cccd, expected):
    assert mask_cccd(cccd) == expected


@pytest.mark.parametrize(
    ("phone", "expected"),
    [("0912345678", "091****678"), ("02763812345", "027*****345"), ("", ""), ("12345", "*****")],
)
def test_masked_phone_shows_first_and_last_three_digits(phone, expected):
    assert mask_phone(phone) == expected


def test_masked_birth_date_shows_only_the_year():
    assert mask_birth_date(date(1985, 3, 4)) == "**/**/1985"
