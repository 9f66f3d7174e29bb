"""The one exception type that services raise for input they refuse.

Views turn it into form errors, the API into 422 (409 for a conflict) with
``errors: [{field, message}]``, commands into a non-zero exit.
"""

from collections.abc import Iterable, Mapping

from django.core.exceptions import ValidationError
from django.utils.functional import Promise


def _as_list(value) -> list:
    """One message (a str or a lazy translation, which is iterable too) or several."""
    if isinstance(value, str | Promise) or not isinstance(value, Iterable):
        return [value]
    return list(value)


class DomainError(Exception):
    """Input that breaks a rule; carries field-level messages (already translated or lazy)."""

    status_code = 422

    def __init__(
        self, errors: Mapping[str, str | Iterable[str]] | str, *, field: str = "__all__", index: int | None = None
    ):
        # In a batch (household members, rows of a sheet), the position of the item refused.
        self.index = index
        if isinstance(errors, Mapping):
            self.errors: dict[str, list[str]] = {key: _as_list(value) for key, value in errors.items()}
        else:
            self.errors = {field: _as_list(errors)}
        super().__init__(self.messages)

    @property
    def messages(self) -> list[str]:
        return [str(message) for messages in self.errors.values() for message in messages]

    def as_list(self) -> list[dict[str, str]]:
        return [
            {"field": field, "message": str(message)} for field, messages in self.errors.items() for message in messages
        ]


class ConflictError(DomainError):
    """The input is valid but collides with what is stored (a duplicate, an overlap)."""

    status_code = 409


def full_clean_or_refuse(instance) -> None:
    """Run the model's own validation; its messages come back as a ``DomainError`` with the same fields."""

    try:
        instance.full_clean()
    except ValidationError as exc:
        raise DomainError(exc.message_dict) from exc
