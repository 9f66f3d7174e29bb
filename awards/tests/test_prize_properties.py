"""Property-based tests of the prize list admins type ("1.500.000 × 3, 1.000.000").

Any text gives a list of whole đồng or the form's message.
"""

from django.core.exceptions import ValidationError
from django.utils import translation
from hypothesis import given
from hypothesis import strategies as st

from awards.forms import PrizeListField, prizes_as_text

TYPED = st.one_of(st.text(), st.text(alphabet="0123456789 .,x×*₫đvnd²١１\u00a0\x00"))


@given(TYPED)
def test_any_prize_list_is_amounts_in_dong_or_the_form_s_message(typed):
    with translation.override("en"):
        try:
            prizes = PrizeListField(required=False).clean(typed)
        except ValidationError as refused:
            assert refused.messages and all(message.strip() for message in refused.messages)
            return
    assert isinstance(prizes, list) and all(type(amount) is int and amount >= 0 for amount in prizes)


@given(st.lists(st.integers(0, 10**12), max_size=30))
def test_a_prize_list_as_the_editor_shows_it_reads_back(prizes):
    """The editor shows "1.500.000 × 2, 1.000.000"; saving it unchanged keeps the same prizes."""
    assert PrizeListField(required=False).clean(prizes_as_text(prizes)) == prizes
