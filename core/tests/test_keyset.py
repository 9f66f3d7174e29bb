"""Keyset cursors: what a link carries reads back as the same row's place; anything else is no cursor."""

from datetime import UTC, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from core.keyset import Cursor


@given(
    moment=st.datetimes(min_value=datetime(1971, 1, 1), max_value=datetime(2200, 1, 1), timezones=st.just(UTC)),
    pk=st.integers(min_value=1, max_value=2**63 - 1),
    before=st.booleans(),
)
def test_a_cursor_reads_back_as_written(moment, pk, before):
    cursor = Cursor(moment, pk, before=before)
    assert Cursor.decode(cursor.encode()) == cursor


@pytest.mark.parametrize(
    "token",
    [
        "",
        None,
        "n",
        "x1.2",
        "n1.",
        "n.2",
        "n1.2.3",
        "n1,2",
        "p1.2;DROP",
        "n1.99999999999999999999",
        "n9" * 30,
        "n1.\x00",
    ],
)
def test_anything_else_is_no_cursor(token):
    assert Cursor.decode(token) is None


def test_a_moment_beyond_the_calendar_is_no_cursor():
    assert Cursor.decode(f"n{10**18}.1") is None
