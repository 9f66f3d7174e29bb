"""`manage.py declaration_list`: the same lists from the command line."""

from datetime import date
from xml.etree import ElementTree as ET

import openpyxl
import pytest
from django.core.management import CommandError, call_command
from django.utils import translation

from enrollments.services import record_enrollment
from enrollments.tests.factories import bhxh_request
from settlements.models import DeclarationBatch

DAY = date(2025, 12, 10)


@pytest.fixture
def recorded(world):
    record_enrollment(
        campaign=world["campaign"],
        collector=world["collector"],
        request=bhxh_request(5, commune_code=world["commune"].code, collected_on=DAY, receipt_no="P-5"),
    )
    return world


def _run(*args) -> None:
    call_command("declaration_list", "--form", "d05", "--agency", "BD-HT", *args)


def test_writes_the_excel_list(recorded, tmp_path):
    target = tmp_path / "d05.xlsx"
    _run("--from", "2025-12-10", "--to", "2025-12-10", "--output", str(target))
    sheet = openpyxl.load_workbook(target).active
    assert (sheet["A1"].value, sheet["B10"].value, sheet["L11"].value) == (
        "Tên đơn vị: Bưu điện Hòa Thành", "Nguyễn Văn Thử 5", 3_168_000,
    )  # fmt: skip
    assert DeclarationBatch.objects.count() == 0


def test_writes_the_xml_and_marks_sent_then_rewrites_the_batch(recorded, tmp_path):
    target = tmp_path / "d05.xml"
    _run("--from", "2025-12-10", "--to", "2025-12-10", "--output", str(target), "--xml", "--mark-sent")
    assert ET.parse(target).getroot().findtext("ThongTinDonVi/SoDot") == "1"
    again = tmp_path / "again.xlsx"
    _run("--batch", "1", "--output", str(again))
    assert openpyxl.load_workbook(again).active["B10"].value == "Nguyễn Văn Thử 5"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--from", "2025-12-10", "--to", "10/12/2025"), "YYYY-MM-DD"),
        (("--from", "2025-12-11", "--to", "2025-12-10"), "ends before it starts"),
        (("--batch", "7"), "no sent d05 batch number 7"),
        ((), "Give the period"),
    ],
)
def test_refusals_are_messages(recorded, tmp_path, args, message):
    with translation.override("en"), pytest.raises(CommandError, match=message):
        _run(*args, "--output", str(tmp_path / "x.xlsx"))


def test_unknown_agency(recorded, tmp_path):
    with pytest.raises(CommandError, match="No agency"):
        call_command("declaration_list", "--form", "d03", "--agency", "NOPE", "--from", "2025-12-10",
                     "--to", "2025-12-10", "--output", str(tmp_path / "x.xlsx"))  # fmt: skip
