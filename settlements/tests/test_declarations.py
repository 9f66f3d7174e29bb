"""D03-TS and D05-TS: the produced files opened as BHXH would, cell by cell; batches frozen once sent."""

import io
from datetime import date
from xml.etree import ElementTree as ET

import openpyxl
import pytest
from django.utils import translation

from collectors.roles import Role
from core.errors import DomainError
from enrollments.models import Enrollment
from enrollments.services import cancel_enrollment, record_enrollment, record_household
from enrollments.tests.factories import bhxh_request, bhyt_request, cccd_of
from settlements.declarations import declaration_xml, live_list, mark_sent, sent_list, write_declaration
from settlements.declarations.xml import D03_FIELDS, D05_FIELDS
from settlements.models import DeclarationBatch

DAY = date(2025, 12, 10)


def _record_bhxh(world, number=5, collected_on=DAY, **kwargs):
    return record_enrollment(
        campaign=world["campaign"],
        collector=world["collector"],
        request=bhxh_request(
            number, commune_code=world["commune"].code, collected_on=collected_on, receipt_no=f"P-{number}", **kwargs
        ),
    )


def _record_household(world, numbers=(1, 2), collected_on=DAY):
    requests = [
        bhyt_request(n, commune_code=world["commune"].code, collected_on=collected_on, receipt_no="P-HGD")
        for n in numbers
    ]
    return record_household(campaign=world["campaign"], collector=world["collector"], requests=requests)


def _sheet(listing):
    buffer = io.BytesIO()
    write_declaration(buffer, listing)
    buffer.seek(0)
    return openpyxl.load_workbook(buffer).active


def _row_of(sheet, text: str, column: int = 1) -> int:
    for row in range(1, sheet.max_row + 1):
        if sheet.cell(row, column).value == text:
            return row
    raise AssertionError(f"no row with {text!r}")


def _values(sheet, row: int) -> list:
    return [sheet.cell(row, col).value for col in range(1, sheet.max_column + 1)]


def test_d05_layout_header_columns_row_and_totals(world):
    stored = _record_bhxh(world)
    _record_bhxh(world, number=6, income=2_000_000)
    sheet = _sheet(live_list(agency=world["mine"], form="d05", period_from=DAY, period_to=DAY))

    assert sheet["A1"].value == "Tên đơn vị: Bưu điện Hòa Thành"
    assert sheet["T1"].value == "Mẫu D05-TS"
    assert sheet["A2"].value == "Mã đơn vị: BD-HT"
    assert sheet["A3"].value == "Cơ quan BHXH: BHXH cơ sở Hòa Thành"
    assert sheet["A4"].value == "DANH SÁCH NGƯỜI THAM GIA BHXH TỰ NGUYỆN"
    assert sheet["A5"].value == "Từ ngày 10/12/2025 đến ngày 10/12/2025"
    assert _values(sheet, 7) == [
        "STT", "Họ và tên", "Mã số BHXH", "Số CCCD/ĐDCN/Hộ chiếu", "Địa chỉ", "Ngày biên lai", "Số biên lai",
        "Mức thu nhập tháng làm căn cứ đóng", "Phương thức đóng (số tháng)", "Từ tháng/năm", "Số tiền phải đóng",
        "Số tiền người tham gia đóng", "NSNN hỗ trợ: tỷ lệ (%)", "NSNN hỗ trợ: số tiền",
        "NSĐP hỗ trợ thêm: tỷ lệ (%)", "NSĐP hỗ trợ thêm: số tiền", "Hỗ trợ khác: tỷ lệ (%)",
        "Hỗ trợ khác: số tiền", "Mã nhân viên thu", "Ghi chú",
    ]  # fmt: skip
    assert _values(sheet, 8) == ["A", "B", "C"] + [str(n) for n in range(1, 18)]
    assert sheet["A9"].value == "I. Tăng"
    first = _values(sheet, 10)
    assert first[:7] == [1, "Nguyễn Văn Thử 5", None, cccd_of(5), "Xã Thử Một", first[5], "P-5"]
    assert first[5].date() == DAY
    # 1.500.000 × 22% × 12 = 3.960.000 due; the State's 20% of 22% of 1.500.000 a month = 792.000.
    assert first[7:] == [
        1_500_000, 12, stored.coverage_start.strftime("%m/%Y"), 3_960_000, 3_168_000, 20, 792_000,
        0, 0, 0, 0, world["collector"].code, "Tham gia mới",
    ]  # fmt: skip
    assert sheet["K10"].number_format == "#,##0"
    # The second person: 2.000.000 × 22% × 12 = 5.280.000, the same support.
    assert (sheet["A11"].value, sheet["K11"].value, sheet["L11"].value) == (2, 5_280_000, 4_488_000)
    totals = [None, "Cộng tăng", "2 người", *[None] * 7, 9_240_000, 7_656_000, None, 1_584_000]
    assert _values(sheet, 12)[:14] == totals
    assert sheet["A13"].value == "II. Giảm"
    assert (sheet["B14"].value, sheet["C14"].value, sheet["L14"].value) == ("Cộng giảm", "0 người", 0)
    assert (sheet["B15"].value, sheet["C15"].value, sheet["K15"].value, sheet["L15"].value) == (
        "Tổng cộng", "2 người", 9_240_000, 7_656_000,
    )  # fmt: skip
    assert sheet["A17"].value == "Số sổ BHXH đề nghị cấp: 2"


def test_d03_header_block_and_a_household_row(world):
    members = _record_household(world)
    sheet = _sheet(live_list(agency=world["mine"], form="d03", period_from=DAY, period_to=DAY))

    assert [sheet.cell(r, 1).value for r in range(1, 13)] == [
        "Tên đơn vị: Bưu điện Hòa Thành",
        "Mã đơn vị: BD-HT",
        "Cơ quan BHXH: BHXH cơ sở Hòa Thành",
        "Mã số thuế: 3900244389",
        "Địa chỉ: Số 1 Đường Thử, Hòa Thành",
        "Điện thoại: 02763123456    Email: ht@example.vn",
        "Đối tượng tham gia: Hộ gia đình",
        "Nguồn đóng: Người tham gia tự đóng",
        "Mức lương cơ sở: 2.340.000 đồng",
        "Tỷ lệ NSNN hỗ trợ: 0%",
        "DANH SÁCH NGƯỜI CHỈ THAM GIA BẢO HIỂM Y TẾ",
        "Từ ngày 10/12/2025 đến ngày 10/12/2025",
    ]
    assert sheet["Q1"].value == "Mẫu D03-TS"
    assert _values(sheet, 14) == [
        "STT", "Họ và tên", "Mã số BHXH", "Số CCCD/ĐDCN/Hộ chiếu", "Ngày sinh", "Giới tính", "Địa chỉ",
        "Nơi đăng ký KCB ban đầu", "Ngày biên lai", "Số biên lai", "Số tiền", "NSNN hỗ trợ", "NSĐP hỗ trợ",
        "Thẻ có giá trị từ ngày", "Số tháng", "Mã nhân viên thu", "Ghi chú",
    ]  # fmt: skip
    assert _values(sheet, 15) == list("ABCDEFGHIJKLMNOPQ")
    assert sheet["A16"].value == "I. Tăng"
    row = _values(sheet, 17)
    assert row[0:4] == [1, "Nguyễn Văn Thử 1", None, cccd_of(1)]
    assert row[4].date() == date(1985, 3, 2) and row[5] == "Nam" and row[6] == "Xã Thử Một"
    assert row[8].date() == DAY and row[9] == "P-HGD"
    assert row[10:13] == [1_263_600, 0, 0]
    assert row[13].date() == members[0].coverage_start and row[14:] == [12, world["collector"].code, "Tham gia mới"]
    assert sheet["K18"].value == 884_520  # the second member pays 70%
    assert (sheet["B19"].value, sheet["C19"].value, sheet["K19"].value) == ("Cộng tăng", "2 người", 2_148_120)
    assert (sheet["B22"].value, sheet["K22"].value) == ("Tổng cộng", 2_148_120)


def test_only_the_agency_product_and_period(world):
    _record_bhxh(world, number=5)
    _record_bhxh(world, number=6, collected_on=date(2025, 12, 9))
    _record_household(world, numbers=(7,))
    record_enrollment(
        campaign=world["campaign"],
        collector=world["other_collector"],
        request=bhxh_request(8, commune_code=world["commune"].code, collected_on=DAY),
    )
    listing = live_list(agency=world["mine"], form="d05", period_from=DAY, period_to=DAY)
    assert [r.full_name for r in listing.added] == ["Nguyễn Văn Thử 5"]
    week = live_list(agency=world["mine"], form="d05", period_from=date(2025, 12, 3), period_to=DAY)
    assert [r.full_name for r in week.added] == ["Nguyễn Văn Thử 6", "Nguyễn Văn Thử 5"]


def test_list_totals_equal_the_enrollments_amounts(world):
    _record_bhxh(world, number=5)
    _record_bhxh(world, number=6, income=3_000_000, months=6)
    listing = live_list(agency=world["mine"], form="d05", period_from=DAY, period_to=DAY)
    stored = Enrollment.objects.filter(agency=world["mine"], product="bhxh_tn")
    assert listing.totals.amount_paid == sum(e.amount_payable for e in stored) == 3_168_000 + 3_564_000


def test_a_sent_batch_is_frozen_and_a_later_cancellation_goes_to_the_next_batch(world):
    first = _record_bhxh(world, number=5)
    _record_bhxh(world, number=6)
    admin = world["users"][Role.ADMIN]
    batch = mark_sent(agency=world["mine"], form="d05", period_from=DAY, period_to=DAY, user=admin)
    assert batch.number == 1 and batch.lines.count() == 2
    # Sent: the period's live list is empty now.
    assert live_list(agency=world["mine"], form="d05", period_from=DAY, period_to=DAY).added == []

    cancel_enrollment(enrollment=first, reason="Ghi nhầm người", user=admin)
    later = _record_bhxh(world, number=9, collected_on=DAY)
    # The sent batch reads as it was sent.
    frozen = sent_list(batch)
    assert [r.full_name for r in frozen.added] == ["Nguyễn Văn Thử 5", "Nguyễn Văn Thử 6"]
    assert frozen.removed == [] and frozen.totals.amount_paid == 6_336_000

    nxt = live_list(agency=world["mine"], form="d05", period_from=DAY, period_to=DAY)
    assert [r.enrollment_id for r in nxt.added] == [later.pk]
    assert [(r.enrollment_id, r.note) for r in nxt.removed] == [(first.pk, "Hủy: Ghi nhầm người")]
    assert nxt.totals.amount_paid == 0  # 3.168.000 added, 3.168.000 removed

    second = mark_sent(agency=world["mine"], form="d05", period_from=DAY, period_to=DAY, user=admin)
    sheet = _sheet(sent_list(second))
    assert sheet["A5"].value == "Từ ngày 10/12/2025 đến ngày 10/12/2025 - Đợt số 2"
    giam = _row_of(sheet, "II. Giảm")
    removed = (sheet.cell(giam + 1, 2).value, sheet.cell(giam + 1, 20).value)
    assert removed == ("Nguyễn Văn Thử 5", "Hủy: Ghi nhầm người")
    assert sheet.cell(giam + 2, 2).value == "Cộng giảm" and sheet.cell(giam + 2, 12).value == 3_168_000
    # Nothing is left: a third batch is refused, the first still holds its two rows.
    with translation.override("en"), pytest.raises(DomainError, match="left to declare"):
        mark_sent(agency=world["mine"], form="d05", period_from=DAY, period_to=DAY, user=admin)
    assert DeclarationBatch.objects.get(pk=batch.pk).lines.count() == 2


def test_cancelled_before_sending_is_simply_left_out(world):
    first = _record_bhxh(world, number=5)
    cancel_enrollment(enrollment=first, reason="Trùng", user=None)
    listing = live_list(agency=world["mine"], form="d05", period_from=DAY, period_to=DAY)
    assert listing.added == [] and listing.removed == []


def test_xml_holds_the_field_list_in_order(world):
    _record_bhxh(world, number=5)
    root = ET.fromstring(declaration_xml(live_list(agency=world["mine"], form="d05", period_from=DAY, period_to=DAY)))
    assert root.tag == "ToKhai" and root.get("Mau") == "D05-TS"
    assert root.findtext("ThongTinDonVi/MaDonVi") == "BD-HT"
    (person,) = root.findall("DanhSach/Tang/NguoiThamGia")
    assert [child.tag for child in person] == list(D05_FIELDS)
    assert D05_FIELDS == (
        "STT", "HoTen", "MasoBHXH", "MucTien", "Tuthang", "Sothang", "Tongtien", "TienTudong", "TienHotro", "PA",
        "Tyle", "TyleNSNN", "Phuongthuc", "TyleNSDP", "TienNSDP", "TyleHotroKhac", "TienHotroKhac", "Matinh",
        "Mahuyen", "Maxa", "Diachi_DangSS", "Ghichu",
    )  # fmt: skip
    values = {child.tag: child.text for child in person}
    assert (values["HoTen"], values["MucTien"], values["Tongtien"], values["TienTudong"]) == (
        "Nguyễn Văn Thử 5", "1500000", "3960000", "3168000",
    )  # fmt: skip
    assert (values["TienHotro"], values["Tyle"], values["TyleNSNN"], values["PA"], values["Maxa"]) == (
        "792000", "22", "20", "TM", "25480",
    )  # fmt: skip
    assert root.findtext("TongCong/TongTien") == "3168000"


def test_d03_xml_header_and_fields(world):
    _record_household(world, numbers=(1,))
    root = ET.fromstring(declaration_xml(live_list(agency=world["mine"], form="d03", period_from=DAY, period_to=DAY)))
    unit = root.find("ThongTinDonVi")
    assert [unit.findtext(n) for n in ("LuongCoSo", "TyleNSNN", "LoaiDoiTuong")] == ["2340000", "0", "Hộ gia đình"]
    (person,) = root.findall("DanhSach/Tang/NguoiThamGia")
    assert [child.tag for child in person] == list(D03_FIELDS)
    values = {child.tag: child.text for child in person}
    assert (values["NgaySinh"], values["GioiTinh"], values["SoBienLai"], values["Tiendong"]) == (
        "02/03/1985", "Nam", "P-HGD", "1263600",
    )  # fmt: skip
