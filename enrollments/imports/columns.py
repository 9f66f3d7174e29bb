"""The columns both sheets of the enrollments app share: the person's CCCD and the product."""

from campaign.models import Product
from core.excel.reader import Field, to_choice, to_code, to_date

from ..models import Sex

PRODUCT_SPELLINGS = {
    "bhxh_tn": Product.BHXH_TN,
    "BHXH tự nguyện": Product.BHXH_TN,
    "BHXH TN": Product.BHXH_TN,
    "BHXH": Product.BHXH_TN,
    "bhyt_hgd": Product.BHYT_HGD,
    "BHYT hộ gia đình": Product.BHYT_HGD,
    "BHYT HGĐ": Product.BHYT_HGD,
    "BHYT": Product.BHYT_HGD,
}
PRODUCT_LABELS = {Product.BHXH_TN: "BHXH tự nguyện", Product.BHYT_HGD: "BHYT hộ gia đình"}
to_product = to_choice(PRODUCT_SPELLINGS, shown=["BHXH tự nguyện", "BHYT hộ gia đình"])

CCCD = Field(
    "cccd",
    "Số CCCD",
    ("CCCD", "Số căn cước", "Số căn cước công dân", "Số định danh cá nhân", "Mã định danh", "Số CCCD/ĐDCN"),
    to_code(12),
)
PRODUCT = Field("product", "Loại hình", ("Sản phẩm", "Loại bảo hiểm", "Loại hình tham gia", "Loại"), to_product)


def choices_with_codes(labels: dict[str, str], choices) -> dict[str, str]:
    """Vietnamese labels and the stored codes, both accepted."""
    return {**labels, **{value: value for value in choices.values}}


SEX_LABELS = {"Nam": Sex.MALE, "Nữ": Sex.FEMALE}


def person_fields(*, required: bool) -> tuple[Field, ...]:
    """Name, birth date, sex and phone: required on a paper enrollment, optional in BHXH's lists."""
    optional = {} if required else {"required": False, "blank": True}
    return (
        Field("full_name", "Họ và tên", ("Họ tên", "Họ và tên người tham gia", "Tên người tham gia"), **optional),
        Field("date_of_birth", "Ngày sinh", ("Ngày tháng năm sinh", "Ngày, tháng, năm sinh"), to_date, **optional),
        Field(
            "sex",
            "Giới tính",
            ("Giới",),
            to_choice(choices_with_codes(SEX_LABELS, Sex), shown=list(SEX_LABELS)),
            **optional,
        ),
        Field("phone", "Số điện thoại", ("Điện thoại", "SĐT", "Số ĐT"), to_code(10), required=False, blank=True),
    )


HOUSEHOLD_CODE = Field(
    "household_code", "Mã hộ gia đình", ("Mã hộ", "Mã HGĐ", "Mã hộ GĐ"), to_code(), required=False, blank=True
)
