from django.utils import translation
from django.utils.translation import gettext_lazy as _

from core.errors import ConflictError, DomainError


def test_a_lazy_message_stays_one_message_and_is_translated_when_read():
    error = DomainError({"cccd": _("Enter the CCCD.")})
    assert error.errors == {"cccd": [_("Enter the CCCD.")]}
    with translation.override("en"):
        assert error.as_list() == [{"field": "cccd", "message": "Enter the CCCD."}]
    with translation.override("vi"):
        assert error.as_list() == [{"field": "cccd", "message": "Nhập số CCCD."}]


def test_a_plain_message_goes_to_the_general_field_and_lists_keep_their_items():
    assert DomainError("Nope").as_list() == [{"field": "__all__", "message": "Nope"}]
    assert DomainError({"income": ["too low", "not a number"]}).messages == ["too low", "not a number"]
    assert (DomainError("x").status_code, ConflictError("x").status_code) == (422, 409)
