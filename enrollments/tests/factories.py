from datetime import date

from campaign.models import Product
from enrollments.models import TargetGroup
from enrollments.services import EnrollmentRequest, PersonData


# Valid CCCD numbers for test people: Tây Ninh (072) men born 1985, numbered.
def cccd_of(number: int, *, place: str = "072", century_sex: str = "0", year: str = "85") -> str:
    return f"{place}{century_sex}{year}{number:06d}"


def person(number: int = 1, *, commune_code: str, household_code: str = "", **overrides) -> PersonData:
    values = {
        "cccd": cccd_of(number),
        "full_name": f"Nguyễn Văn Thử {number}",
        "date_of_birth": date(1985, 3, 2),
        "sex": "male",
        "commune_code": commune_code,
        "phone": "0912345678",
        "household_code": household_code,
        "target_group": TargetGroup.FARMER,
    }
    return PersonData(**(values | overrides))


def bhyt_request(number: int = 1, *, commune_code: str, collected_on: date, months: int = 12, **kwargs):
    household_code = kwargs.pop("household_code", "")
    person_overrides = kwargs.pop("person", {})
    return EnrollmentRequest(
        person=person(number, commune_code=commune_code, household_code=household_code, **person_overrides),
        product=Product.BHYT_HGD,
        months=months,
        collected_on=collected_on,
        **kwargs,
    )


def bhxh_request(
    number: int = 1, *, commune_code: str, collected_on: date, months: int = 12, income: int = 1_500_000, **kwargs
):
    person_overrides = kwargs.pop("person", {})
    return EnrollmentRequest(
        person=person(number, commune_code=commune_code, **person_overrides),
        product=Product.BHXH_TN,
        months=months,
        collected_on=collected_on,
        income=income,
        support_group=kwargs.pop("support_group", "other"),
        **kwargs,
    )
