"""A list as the electronic declaration's XML, with the field names FORMS.md gives for each form.

Each person is a ``<NguoiThamGia>`` holding exactly the form's fields in FORMS.md's order, under
``<Tang>`` (added) or ``<Giam>`` (removed). ``PA`` (phương án) is ``TM`` (tăng mới) for a row added
and ``GH`` (giảm hẳn) for one removed. Dates are dd/mm/yyyy, money whole đồng.
"""

from xml.etree import ElementTree as ET

from ..models import Form
from . import layout
from .rows import DeclarationList, ListRow

ADDRESS_FIELDS = ("Matinh", "Mahuyen", "Maxa", "Diachi_DangSS", "Ghichu")
D05_FIELDS = (
    "STT", "HoTen", "MasoBHXH", "MucTien", "Tuthang", "Sothang", "Tongtien", "TienTudong", "TienHotro", "PA",
    "Tyle", "TyleNSNN", "Phuongthuc", "TyleNSDP", "TienNSDP", "TyleHotroKhac", "TienHotroKhac", *ADDRESS_FIELDS,
)  # fmt: skip
D03_FIELDS = (
    "STT", "HoTen", "MasoBHXH", "NgaySinh", "GioiTinh", "MaTinhBenhVien", "MaBenhVien", "NgayBienLai",
    "SoBienLai", "Tiendong", "Sothang", "PA", "MucHuong", "TyleNSDP", "HotroKhac", "TuNgay", *ADDRESS_FIELDS,
)  # fmt: skip
D03_HEADER_FIELDS = ("LuongCoSo", "TyleNSNN", "LoaiDoiTuong", "NguonDong")
FIELDS = {Form.D03: D03_FIELDS, Form.D05: D05_FIELDS}
# The benefit level of household BHYT (80%, code 4 on the card).
HOUSEHOLD_BENEFIT_LEVEL = "4"


def _number(value) -> str:
    text = format(value, "f") if value is not None else ""
    return text.rstrip("0").rstrip(".") if "." in text else text


def _common(row: ListRow, number: int, plan: str) -> dict[str, str]:
    return {
        "STT": str(number),
        "HoTen": row.full_name,
        "MasoBHXH": row.bhxh_code,
        "Sothang": str(row.months),
        "PA": plan,
        "Matinh": row.province_code,
        "Mahuyen": "",  # no districts since 1/7/2025
        "Maxa": row.commune_code,
        "Diachi_DangSS": row.address,
        "Ghichu": row.note,
    }


def d05_values(row: ListRow, number: int, plan: str) -> dict[str, str]:
    return _common(row, number, plan) | {
        "MucTien": _number(row.income),
        "Tuthang": row.from_month,
        "Tongtien": str(row.amount_due),
        "TienTudong": str(row.amount_paid),
        "TienHotro": str(row.state_support),
        "Tyle": _number(row.rate_pct),
        "TyleNSNN": _number(row.state_pct),
        "Phuongthuc": str(row.months),
        "TyleNSDP": "0",
        "TienNSDP": str(row.local_support),
        "TyleHotroKhac": "0",
        "TienHotroKhac": str(row.other_support),
    }


def d03_values(row: ListRow, number: int, plan: str) -> dict[str, str]:
    return _common(row, number, plan) | {
        "NgaySinh": f"{row.date_of_birth:%d/%m/%Y}",
        "GioiTinh": row.sex,
        "MaTinhBenhVien": "",
        "MaBenhVien": "",
        "NgayBienLai": f"{row.receipt_date:%d/%m/%Y}",
        "SoBienLai": row.receipt_no,
        "Tiendong": str(row.amount_paid),
        "MucHuong": HOUSEHOLD_BENEFIT_LEVEL,
        "TyleNSDP": "0",
        "HotroKhac": str(row.other_support),
        "TuNgay": f"{row.coverage_start:%d/%m/%Y}",
    }


VALUES = {Form.D03: d03_values, Form.D05: d05_values}


def _people(parent: ET.Element, tag: str, rows: list[ListRow], form: Form, plan: str) -> None:
    section = ET.SubElement(parent, tag)
    for number, row in enumerate(rows, start=1):
        person = ET.SubElement(section, "NguoiThamGia")
        values = VALUES[form](row, number, plan)
        for name in FIELDS[form]:
            ET.SubElement(person, name).text = values[name]


def declaration_xml(listing: DeclarationList) -> bytes:
    form = Form(listing.form)
    root = ET.Element("ToKhai", {"Mau": layout.TITLES[form][0][4:]})
    unit = ET.SubElement(root, "ThongTinDonVi")
    ET.SubElement(unit, "MaDonVi").text = listing.agency.code
    ET.SubElement(unit, "TenDonVi").text = listing.agency.name
    ET.SubElement(unit, "TuNgay").text = f"{listing.period_from:%d/%m/%Y}"
    ET.SubElement(unit, "DenNgay").text = f"{listing.period_to:%d/%m/%Y}"
    ET.SubElement(unit, "SoDot").text = str(listing.batch_number or "")
    if form == Form.D03:
        header = {
            "LuongCoSo": str(listing.base_salary),
            "TyleNSNN": "0",
            "LoaiDoiTuong": layout.PARTICIPANT_GROUP,
            "NguonDong": layout.FUNDING_SOURCE,
        }
        for name in D03_HEADER_FIELDS:
            ET.SubElement(unit, name).text = header[name]
    people = ET.SubElement(root, "DanhSach")
    _people(people, "Tang", listing.added, form, "TM")
    _people(people, "Giam", listing.removed, form, "GH")
    totals = ET.SubElement(root, "TongCong")
    ET.SubElement(totals, "SoNguoiTang").text = str(listing.added_totals.people)
    ET.SubElement(totals, "SoNguoiGiam").text = str(listing.removed_totals.people)
    ET.SubElement(totals, "TongTienTang").text = str(listing.added_totals.amount_paid)
    ET.SubElement(totals, "TongTienGiam").text = str(listing.removed_totals.amount_paid)
    ET.SubElement(totals, "TongTien").text = str(listing.totals.amount_paid)
    ET.indent(root)
    return ET.tostring(root, encoding="utf-8", xml_declaration=True)
