"""What a table looks like (its fields and header patterns) and what reading one gives (rows and problems)."""

import re
from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass, field
from functools import cached_property

from django.utils.translation import gettext as _

from .cells import column_letter, header_keys, to_count, to_text


@dataclass(frozen=True)
class Field:
    """A column the import knows by name.

    ``header`` is the template's header (and the name used in messages); ``aliases`` are
    other headers people use for it. ``required``: the column must be there; ``blank``:
    its cells may be empty (the value is then None). ``total``: the total row's number in
    this column is checked against the sum of the rows.
    """

    key: str
    header: str
    aliases: tuple[str, ...] = ()
    convert: Callable = to_text
    required: bool = True
    blank: bool = False
    total: bool = False

    @cached_property
    def names(self) -> set[str]:
        return {key for text in (self.header, *self.aliases) for key in header_keys(text)}


@dataclass(frozen=True)
class ColumnPattern:
    """Columns named by a pattern, such as "Tuần 1 - BHXH TN" in a wide quota sheet.

    ``regex`` is matched against the normalized header; ``key`` turns the match into the
    key of the value in each row (a tuple such as ``(1, "bhxh_tn")``).
    """

    regex: re.Pattern
    key: Callable[[re.Match], Hashable]
    convert: Callable = to_count
    total: bool = False


@dataclass(frozen=True)
class TableSpec:
    """The table an import expects: its named columns and, for wide sheets, its patterned ones."""

    title: str
    fields: tuple[Field, ...]
    patterns: tuple[ColumnPattern, ...] = ()

    @property
    def required(self) -> list[Field]:
        return [f for f in self.fields if f.required]

    @cached_property
    def by_name(self) -> dict[str, Field]:
        """Each accepted header, normalized, and its field."""
        return {name: f for f in self.fields for name in f.names}


@dataclass(frozen=True)
class Problem:
    """What is wrong, and where: the sheet row as Excel numbers it, and the column."""

    message: str
    row: int | None = None
    column: int | None = None
    header: str = ""

    @property
    def column_letter(self) -> str:
        return column_letter(self.column) if self.column is not None else ""

    def __str__(self) -> str:
        if self.row is not None and self.column is not None:
            return _("Row %(row)s, column %(column)s (%(header)s): %(message)s") % {
                "row": self.row,
                "column": self.column_letter,
                "header": self.header,
                "message": self.message,
            }
        if self.row is not None:
            return _("Row %(row)s: %(message)s") % {"row": self.row, "message": self.message}
        return self.message

    def as_dict(self) -> dict:
        return {"row": self.row, "column": self.column_letter, "header": self.header, "message": self.message}


class Row:
    """One data row: its sheet row number, its values by key, and the cells as read (for the rejected file)."""

    __slots__ = ("cells", "number", "values")

    def __init__(self, number: int, values: dict, cells: list):
        self.number, self.values, self.cells = number, values, cells

    def __repr__(self) -> str:
        return f"Row({self.number}, {self.values!r})"


@dataclass
class Table:
    spec: TableSpec
    sheet: str
    header_row: int
    headers: list[str]
    columns: dict[Hashable, int]
    rows: list[Row] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    total_row: int | None = None
    skipped_examples: int = 0

    @property
    def rows_read(self) -> int:
        return len(self.rows)

    def header_of(self, key: Hashable) -> str:
        return self.headers[self.columns[key]]

    def problem(self, row: Row | int | None, key: Hashable | None, message: str) -> Problem:
        """A problem of a row (and of one of its cells, when ``key`` names a column)."""
        number = row.number if isinstance(row, Row) else row
        if key is None or key not in self.columns:
            return Problem(message, row=number)
        return Problem(message, row=number, column=self.columns[key], header=self.header_of(key))

    def rows_with_problems(self, problems: Sequence[Problem]) -> list[tuple[Row, list[str]]]:
        """The rows the problems are about, in sheet order, each with its messages."""
        messages: dict[int, list[str]] = {}
        for problem in problems:
            if problem.row is not None:
                text = problem.message if problem.column is None else f"{problem.header}: {problem.message}"
                messages.setdefault(problem.row, []).append(text)
        return [(row, messages[row.number]) for row in self.rows if row.number in messages]
