"""The roster of agencies and officers: created and updated by code, never deleting what has records."""

import io

import openpyxl
import pytest
from django.utils import translation

from campaign.tests.factories import BhxhOfficeFactory, CampaignFactory, CommuneFactory, ProvinceFactory
from collectors.imports import RosterImport
from collectors.models import CollectionAgency, Collector
from collectors.tests.factories import AgencyFactory, CollectorFactory, UserFactory, WeeklyQuotaFactory
from core.excel.importing import run_import
from core.models import ImportRecord
from core.tests.excel_files import BANNER, sheet_file

pytestmark = pytest.mark.django_db

HEADER = [
    "STT",
    "Mã tổ chức dịch vụ thu",
    "Tên tổ chức dịch vụ thu",
    "Loại tổ chức",
    "BHXH cơ sở",
    "Xã phục vụ",
    "Mã nhân viên thu",
    "Họ tên nhân viên thu",
    "Số điện thoại",
]


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


@pytest.fixture
def world():
    province = ProvinceFactory()
    office = BhxhOfficeFactory(code="BHXH-TB", name="BHXH cơ sở Tân Biên", province=province)
    other_office = BhxhOfficeFactory(code="BHXH-TC", name="BHXH cơ sở Tân Châu", province=province)
    communes = {
        "tan_bien": CommuneFactory(code="25480", name="Xã Tân Biên", province=province, office=office),
        "thanh_binh": CommuneFactory(code="25483", name="Xã Thạnh Bình", province=province, office=office),
        "elsewhere": CommuneFactory(code="25100", name="Xã Lộc Ninh", province=ProvinceFactory(code="70")),
    }
    return {"office": office, "other_office": other_office, "communes": communes}


def upload(data: bytes, *, write: bool = True):
    return run_import(RosterImport(), data=data, file_name="danh-sach.xlsx", write=write, source="command", actor="t")


def texts(record) -> list[str]:
    return [problem["text"] for problem in record.problems]


def agencies() -> dict:
    return {
        a.code: (a.name, a.kind, a.office.code, sorted(c.code for c in a.communes.all()), a.active)
        for a in CollectionAgency.objects.select_related("office").prefetch_related("communes")
    }


def collectors() -> dict:
    return {c.code: (c.name, c.phone, c.agency.code, c.active) for c in Collector.objects.select_related("agency")}


def test_a_roster_creates_agencies_and_officers_with_communes_by_code_or_name(world):
    rows = [
        *BANNER,
        HEADER,
        [
            1,
            "BD-TB",
            "Bưu điện Tân Biên",
            "Bưu điện",
            "BHXH-TB",
            "25480, xa thanh binh",
            "NVT-01",
            "Lê Văn A",
            912345678,
        ],
        [
            2,
            "BD-TB",
            "Bưu điện Tân Biên",
            "bưu điện",
            "BHXH cơ sở Tân Biên",
            "Tân Biên",
            "NVT-02",
            "Trần Thị B",
            "0987.654.321",
        ],
        [3, "DL-TB", "Đại lý thu xã Tân Biên", "Đại lý xã", "tân châu", None, None, None, None],
    ]
    record = upload(sheet_file(rows))
    assert texts(record) == [] and record.outcome == ImportRecord.Outcome.WRITTEN
    assert agencies() == {
        "BD-TB": ("Bưu điện Tân Biên", "post_office", "BHXH-TB", ["25480", "25483"], True),
        "DL-TB": ("Đại lý thu xã Tân Biên", "commune_agent", "BHXH-TC", [], True),
    }
    assert collectors() == {
        "NVT-01": ("Lê Văn A", "0912345678", "BD-TB", True),
        "NVT-02": ("Trần Thị B", "0987654321", "BD-TB", True),
    }
    assert record.summary["counts"] == {
        "added": 4,
        "changed": 0,
        "removed": 0,
        "deactivated": 0,
        "reactivated": 0,
        "unchanged": 0,
    }
    assert record.rows_written == 4


def test_a_reupload_updates_by_code_and_deactivates_what_has_records_instead_of_deleting_it(world):
    office = world["office"]
    kept = AgencyFactory(code="BD-OLD", office=office)
    WeeklyQuotaFactory(agency=kept, week=CampaignFactory().weeks.get(number=1))  # a quota refers to it
    AgencyFactory(code="BD-EMPTY", office=office)  # nothing refers to it
    CollectorFactory(code="NVT-09", name="Old name", agency=kept)
    with_login = CollectorFactory(code="NVT-10", agency=kept, user=UserFactory())
    CollectorFactory(code="NVT-11", agency=kept)
    rows = [
        HEADER,
        [1, "BD-TB", "Bưu điện Tân Biên", "Bưu điện", "BHXH-TB", "25480", "NVT-09", "New name", None],
    ]
    preview = upload(sheet_file(rows), write=False)
    assert preview.summary["counts"] == {
        "added": 1,
        "changed": 1,
        "removed": 2,
        "deactivated": 2,
        "reactivated": 0,
        "unchanged": 0,
    }
    assert preview.summary["lines"] == [
        "Agency BD-TB Bưu điện Tân Biên: added",
        "Officer NVT-09: changed (full name, phone, moved from BD-OLD to BD-TB)",
        "Officer NVT-10: deactivated (it has records)",
        "Officer NVT-11: removed",
        "Agency BD-EMPTY: removed",
        "Agency BD-OLD: deactivated (it has records)",
    ]
    assert Collector.objects.filter(code="NVT-11").exists()  # the preview wrote nothing
    record = upload(sheet_file(rows))
    assert record.rows_written == 6
    assert collectors() == {
        "NVT-09": ("New name", "", "BD-TB", True),
        "NVT-10": (with_login.name, with_login.phone, "BD-OLD", False),
    }
    assert {code: state[-1] for code, state in agencies().items()} == {"BD-OLD": False, "BD-TB": True}
    # Back in the roster: reactivated.
    rows.append([2, "BD-OLD", kept.name, "Bưu điện", "BHXH-TB", None, None, None, None])
    again = upload(sheet_file(rows))
    assert again.summary["counts"]["reactivated"] == 1 and agencies()["BD-OLD"][-1] is True


def test_the_same_roster_twice_changes_nothing(world):
    rows = [HEADER, [1, "BD-TB", "Bưu điện Tân Biên", "Bưu điện", "BHXH-TB", "25480", "NVT-01", "Lê Văn A", None]]
    upload(sheet_file(rows))
    before = (agencies(), collectors())
    second = upload(sheet_file(rows))
    assert (agencies(), collectors()) == before
    assert second.rows_written == 0 and second.summary["counts"]["unchanged"] == 2


def test_bad_roster_rows_are_reported_and_nothing_is_written(world):
    rows = [
        HEADER,
        [1, "BD-TB", "Bưu điện Tân Biên", "Bưu điện", "BHXH-XX", None, None, None, None],
        [2, "BD-TC", "Bưu điện Tân Châu", "Bưu điện", "BHXH-TC", "25100", None, None, None],
        [3, "BD-TC", "Bưu điện Tân Châu 2", "Đại lý xã", "BHXH-TC", "Xã Không Có", None, None, None],
        [4, "BD-TC", "Bưu điện Tân Châu", "Trạm", "BHXH-TC", None, None, None, None],
        [5, "BD-TC", "Bưu điện Tân Châu", "Bưu điện", "BHXH-TC", None, "NVT-01", "Lê Văn A", None],
        [6, "BD-TC", "Bưu điện Tân Châu", "Bưu điện", "BHXH-TC", None, "NVT-01", "Lê Văn B", None],
        [7, "BD-TC", "Bưu điện Tân Châu", "Bưu điện", "BHXH-TC", None, "NVT-02", None, None],
        [8, "BD-TC", "Bưu điện Tân Châu", "Bưu điện", "BHXH-TC", None, None, "Ngô Văn C", None],
    ]
    record = upload(sheet_file(rows))
    assert texts(record) == [
        "Row 2, column E (BHXH cơ sở): No BHXH office has the code or name “BHXH-XX”; add it in the data "
        "administration first.",
        "Row 3, column F (Xã phục vụ): Commune Xã Lộc Ninh (25100) is not in Tây Ninh, the province of BHXH cơ sở "
        "Tân Châu.",
        "Row 4, column C (Tên tổ chức dịch vụ thu): Agency BD-TC has another name on row 3.",
        "Row 4, column D (Loại tổ chức): Agency BD-TC has another kind on row 3.",
        "Row 4, column F (Xã phục vụ): No commune is called “Xã Không Có”.",
        "Row 5, column D (Loại tổ chức): “Trạm” is not one of: Bưu điện, Đại lý xã, Khác.",
        "Row 7, column G (Mã nhân viên thu): Duplicate of row 6.",
        "Row 8, column H (Họ tên nhân viên thu): Give the officer's name too.",
        "Row 9, column G (Mã nhân viên thu): Give the officer's code too.",
    ]
    assert CollectionAgency.objects.count() == 0 and Collector.objects.count() == 0


def test_a_bad_phone_number_is_reported(world):
    rows = [HEADER, [1, "BD-TB", "Bưu điện Tân Biên", "Bưu điện", "BHXH-TB", None, "NVT-01", "Lê Văn A", "12345"]]
    assert texts(upload(sheet_file(rows))) == [
        "Row 2, column I (Số điện thoại): “12345” is not a phone number: type 9 to 12 digits, such as 0912345678 "
        "or +84912345678."
    ]


def test_control_characters_in_names_are_reported(world):
    rows = [
        HEADER,
        [1, "BD-TB", "Bưu điện \u202eTân Biên", "Bưu điện", "BHXH-TB", None, "NVT-01", "Lê Văn\u200b A", "0912345678"],
    ]
    assert texts(upload(sheet_file(rows))) == [
        "Row 2, column C (Tên tổ chức dịch vụ thu): Remove the invisible or control characters (U+202E); "
        "type the text again by hand.",
        "Row 2, column H (Họ tên nhân viên thu): Remove the invisible or control characters (U+200B); "
        "type the text again by hand.",
    ]
    assert CollectionAgency.objects.count() == 0


def test_the_roster_template_holds_the_stored_roster_and_uploads_without_change(world):
    agency = AgencyFactory(code="BD-TB", office=world["office"])
    agency.communes.set([world["communes"]["tan_bien"]])
    CollectorFactory(code="NVT-01", agency=agency, phone="0912345678")
    AgencyFactory(code="DL-TB", office=world["office"], kind=CollectionAgency.Kind.COMMUNE_AGENT)
    data = RosterImport().template(None)
    sheet = openpyxl.load_workbook(io.BytesIO(data)).active
    assert [cell.value for cell in sheet[3]] == HEADER
    assert [cell.value for cell in sheet[4]][1:9] == [
        "BD-TB",
        agency.name,
        "Bưu điện",
        "BHXH-TB",
        "25480",
        "NVT-01",
        Collector.objects.get(code="NVT-01").name,
        "0912345678",
    ]
    assert [cell.value for cell in sheet[5]][1:4] == [
        "DL-TB",
        CollectionAgency.objects.get(code="DL-TB").name,
        "Đại lý xã",
    ]
    record = upload(data)
    assert texts(record) == [] and record.rows_written == 0


def test_an_agency_whose_officers_all_move_away_is_removed_in_the_preview_as_in_the_write(world):
    old = AgencyFactory(code="BD-OLD", office=world["office"])
    CollectorFactory(code="NVT-01", agency=old)
    rows = [HEADER, [1, "BD-NEW", "Bưu điện mới", "Bưu điện", "BHXH-TB", None, "NVT-01", "Lê Văn A", None]]
    preview = upload(sheet_file(rows), write=False)
    assert "Agency BD-OLD: removed" in preview.summary["lines"]
    record = upload(sheet_file(rows))
    assert (record.summary["counts"], record.summary["lines"]) == (preview.summary["counts"], preview.summary["lines"])
    assert set(agencies()) == {"BD-NEW"} and collectors()["NVT-01"][2] == "BD-NEW"
