"""Vietnamese names for the demo's made-up people: family name, middle name, given name."""

import random

FAMILY = [
    "Nguyễn",
    "Trần",
    "Lê",
    "Phạm",
    "Huỳnh",
    "Võ",
    "Phan",
    "Trương",
    "Bùi",
    "Đặng",
    "Đỗ",
    "Ngô",
    "Hồ",
    "Dương",
    "Lâm",
    "Lý",
    "Mai",
    "Tô",
]
MALE_MIDDLE = ["Văn", "Minh", "Hữu", "Quốc", "Thanh", "Công", "Đức", "Hoàng"]
FEMALE_GIVEN = [
    "Anh",
    "Châu",
    "Dung",
    "Hà",
    "Hạnh",
    "Hoa",
    "Hương",
    "Lan",
    "Linh",
    "Mai",
    "Nga",
    "Nhung",
    "Phương",
    "Tâm",
    "Thảo",
    "Trang",
    "Vy",
    "Yến",
]
FEMALE_MIDDLE = ["Thị", "Ngọc", "Thị Kim", "Thị Thu", "Thị Mỹ", "Thanh", "Bích"]
MALE_GIVEN = [
    "An",
    "Bình",
    "Cường",
    "Dũng",
    "Hải",
    "Hiếu",
    "Hùng",
    "Khánh",
    "Long",
    "Nam",
    "Phúc",
    "Quang",
    "Sơn",
    "Tài",
    "Thắng",
    "Tuấn",
    "Việt",
]


def person_name(rng: random.Random, sex: str, *, family: str | None = None) -> str:
    middle, given = (MALE_MIDDLE, MALE_GIVEN) if sex == "male" else (FEMALE_MIDDLE, FEMALE_GIVEN)
    return f"{family or rng.choice(FAMILY)} {rng.choice(middle)} {rng.choice(given)}"
