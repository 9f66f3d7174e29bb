"""Control and bidirectional characters in the cells of a paper-enrollment sheet: the row is refused, naming them.

The reader hands the text over as typed (core/tests/test_excel_hostile.py); the entry service
refuses names, household codes and receipt numbers holding them (core/text.py), so nothing of
the file is written.
"""

import pytest

from core.excel.writer import Column, table_to_bytes
from core.models import ImportRecord
from enrollments.models import Enrollment, Participant
from enrollments.tests.test_imports import PAPER_HEADER, desk, english, paper, paper_row  # noqa: F401 (fixtures)

pytestmark = pytest.mark.django_db


def texts(record) -> list[str]:
    return [problem["text"] for problem in record.problems]


def test_invisible_characters_in_names_refuse_the_row_and_nothing_is_written(desk):  # noqa: F811
    rows = [
        paper_row(1),
        paper_row(2, name="\u202eA nắV nễyugN"),  # shown as "Nguyễn Văn A" on screen
        paper_row(3, name="Lê\u0007 Thị\u200b B"),  # a bell and a zero-width space
    ]
    # Written by the app's own writer: a control character in a cell is stored as _x0007_, as Excel does.
    data = table_to_bytes(sheet_title="Hồ sơ", columns=[Column(h) for h in PAPER_HEADER], rows=rows)
    record = paper(data)
    assert record.outcome == ImportRecord.Outcome.REJECTED
    problems = "\n".join(texts(record))
    assert "Row 3" in problems and "U+202E" in problems
    assert "Row 4" in problems and "U+0007, U+200B" in problems
    assert "Row 2" not in problems
    assert Enrollment.objects.count() == 0 and Participant.objects.count() == 0
