"""The two forms' columns as FORMS.md gives them: label (the form's own letter or number), heading, value.

The headings and section names are the forms' Vietnamese text: they are what BHXH reads on paper,
not the app's interface, so they are not translated.
"""

from collections.abc import Callable
from dataclasses import dataclass

from ..models import Form
from .rows import ListRow


@dataclass(frozen=True)
class FormColumn:
    label: str  # the form's own column letter or number
    heading: str
    width: float
    value: Callable[[ListRow, int], object]  # (row, its number in the section) -> the cell
    kind: str = "text"  # text, int, money, date, pct
    total: str = ""  # the Totals field summed on the "Cộng" rows


def _n(row: ListRow, number: int) -> int:
    return number


D05_COLUMNS = (
    FormColumn("A", "STT", 5, _n, "int"),
    FormColumn("B", "Họ và tên", 24, lambda r, n: r.full_name),
    FormColumn("C", "Mã số BHXH", 12, lambda r, n: r.bhxh_code),
    FormColumn("1", "Số CCCD/ĐDCN/Hộ chiếu", 14, lambda r, n: r.cccd),
    FormColumn("2", "Địa chỉ", 28, lambda r, n: r.address),
    FormColumn("3", "Ngày biên lai", 11, lambda r, n: r.receipt_date, "date"),
    FormColumn("4", "Số biên lai", 14, lambda r, n: r.receipt_no),
    FormColumn("5", "Mức thu nhập tháng làm căn cứ đóng", 13, lambda r, n: r.income, "money"),
    FormColumn("6", "Phương thức đóng (số tháng)", 9, lambda r, n: r.months, "int"),
    FormColumn("7", "Từ tháng/năm", 9, lambda r, n: r.from_month),
    FormColumn("8", "Số tiền phải đóng", 13, lambda r, n: r.amount_due, "money", "amount_due"),
    FormColumn("9", "Số tiền người tham gia đóng", 13, lambda r, n: r.amount_paid, "money", "amount_paid"),
    FormColumn("10", "NSNN hỗ trợ: tỷ lệ (%)", 8, lambda r, n: r.state_pct, "pct"),
    FormColumn("11", "NSNN hỗ trợ: số tiền", 12, lambda r, n: r.state_support, "money", "state_support"),
    FormColumn("12", "NSĐP hỗ trợ thêm: tỷ lệ (%)", 8, lambda r, n: 0, "pct"),
    FormColumn("13", "NSĐP hỗ trợ thêm: số tiền", 12, lambda r, n: r.local_support, "money", "local_support"),
    FormColumn("14", "Hỗ trợ khác: tỷ lệ (%)", 8, lambda r, n: 0, "pct"),
    FormColumn("15", "Hỗ trợ khác: số tiền", 12, lambda r, n: r.other_support, "money", "other_support"),
    FormColumn("16", "Mã nhân viên thu", 11, lambda r, n: r.collector_code),
    FormColumn("17", "Ghi chú", 18, lambda r, n: r.note),
)

D03_COLUMNS = (
    FormColumn("A", "STT", 5, _n, "int"),
    FormColumn("B", "Họ và tên", 24, lambda r, n: r.full_name),
    FormColumn("C", "Mã số BHXH", 12, lambda r, n: r.bhxh_code),
    FormColumn("D", "Số CCCD/ĐDCN/Hộ chiếu", 14, lambda r, n: r.cccd),
    FormColumn("E", "Ngày sinh", 11, lambda r, n: r.date_of_birth, "date"),
    FormColumn("F", "Giới tính", 7, lambda r, n: r.sex),
    FormColumn("G", "Địa chỉ", 28, lambda r, n: r.address),
    FormColumn("H", "Nơi đăng ký KCB ban đầu", 16, lambda r, n: ""),
    FormColumn("I", "Ngày biên lai", 11, lambda r, n: r.receipt_date, "date"),
    FormColumn("J", "Số biên lai", 14, lambda r, n: r.receipt_no),
    FormColumn("K", "Số tiền", 13, lambda r, n: r.amount_paid, "money", "amount_paid"),
    FormColumn("L", "NSNN hỗ trợ", 12, lambda r, n: r.state_support, "money", "state_support"),
    FormColumn("M", "NSĐP hỗ trợ", 12, lambda r, n: r.local_support, "money", "local_support"),
    FormColumn("N", "Thẻ có giá trị từ ngày", 11, lambda r, n: r.coverage_start, "date"),
    FormColumn("O", "Số tháng", 7, lambda r, n: r.months, "int"),
    FormColumn("P", "Mã nhân viên thu", 11, lambda r, n: r.collector_code),
    FormColumn("Q", "Ghi chú", 18, lambda r, n: r.note),
)

COLUMNS = {Form.D03: D03_COLUMNS, Form.D05: D05_COLUMNS}
TITLES = {
    Form.D03: ("Mẫu D03-TS", "DANH SÁCH NGƯỜI CHỈ THAM GIA BẢO HIỂM Y TẾ"),
    Form.D05: ("Mẫu D05-TS", "DANH SÁCH NGƯỜI THAM GIA BHXH TỰ NGUYỆN"),
}
BASIS = "(Ban hành kèm theo QĐ số 595/QĐ-BHXH, sửa đổi theo QĐ số 490/QĐ-BHXH)"
ADDED, REMOVED = "I. Tăng", "II. Giảm"
ADDED_TOTAL, REMOVED_TOTAL, GRAND_TOTAL = "Cộng tăng", "Cộng giảm", "Tổng cộng"
PARTICIPANT_GROUP = "Hộ gia đình"
FUNDING_SOURCE = "Người tham gia tự đóng"
