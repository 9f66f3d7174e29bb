"""The columns both sheets of the enrollments app share: the person's CCCD and the product."""

from campaign.models import Product
from core.excel.reader import Field, to_choice, to_code

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
