"""The column both sheets of the collectors app name an agency by."""

from core.excel.reader import Field, to_code

AGENCY_CODE = Field(
    "agency",
    "Mã tổ chức dịch vụ thu",
    ("Mã TCDVT", "Mã tổ chức", "Mã đơn vị", "Mã đơn vị thu", "Mã đại lý", "Mã đại lý thu", "Mã ĐVT", "Mã tổ chức DVT"),
    to_code(),
)
