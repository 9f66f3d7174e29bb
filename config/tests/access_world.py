"""Two agencies, A and B, with everything a URL can name, for the access matrix (test_access_matrix.py).

Each agency has its BHXH cơ sở, commune, officers (one signed up, one not), quotas, mugs, a
household of two for BHYT hộ gia đình, one person for BHXH tự nguyện (a renewal), a mug handed
over and a change of phone kept in the person's history; the campaign has award rules with a
published and a draft ranking, and an import record; access_world_more.py adds each agency's
paperwork (receipts, a sent declaration batch, a transfer, a renewal call) and the audit rows.
Everything is built through the project's
factories and services. B's people have names, CCCDs, phones and birth dates found nowhere else,
so a page that shows one of them to A's officer is caught by a plain text search.
"""

from dataclasses import dataclass, field
from datetime import date

import axes.models
from django.contrib.auth.models import Group

from awards.models import Ranking
from awards.services import compute_rankings, publish_ranking
from awards.tests.factories import AwardRuleFactory, officer_points_rule
from campaign.models import Product
from campaign.tests.factories import BhxhOfficeFactory, CampaignFactory, CommuneFactory, CoverageBaselineFactory
from collectors.models import CollectionAgency
from collectors.roles import Role
from collectors.tests.factories import AgencyFactory, CollectorFactory, UserFactory, WeeklyQuotaFactory
from collectors.tokens import issue_api_token
from core.excel.importing import run_import
from core.tests.excel_files import sheet_file
from dashboard.excel_views import IMPORTERS
from enrollments.models import Enrollment, PriorCoverage
from enrollments.services import issue_gift, record_enrollment, record_household, set_gift_stock
from enrollments.tests.factories import bhxh_request, bhyt_request, cccd_of

from . import access_world_more

# Week 4: weeks 1-3 are past their cut-off and can be ranked, week 5 is left to plan.
TODAY = date(2025, 12, 5)

# The people of each agency: (number, full name, birth date, phone). Nothing else in the world
# carries these values, so finding one in a response means the response shows that person.
PEOPLE = {
    "A": [
        (101, "Đặng Văn Aiđa", date(1966, 4, 21), "0961100101"),
        (102, "Đặng Thị Ainhi", date(1968, 9, 14), "0961100102"),
        (103, "Võ Minh Ancầu", date(1972, 1, 27), "0961100103"),
    ],
    "B": [
        (201, "Lò Văn Bêchín", date(1961, 7, 23), "0972200201"),
        (202, "Lò Thị Bêmười", date(1963, 11, 5), "0972200202"),
        (203, "Hà Quang Bêtám", date(1970, 2, 18), "0972200203"),
    ],
}
NEW_PHONE = {"A": "0961100199", "B": "0972200299"}  # the bhxh person's phone after a change


@dataclass
class Side:
    """What one agency owns."""

    agency: CollectionAgency
    officer: object  # the signed-up officer's user
    office: object
    commune: object
    household_code: str
    cccds: list[str]
    enrollments: list[Enrollment] = field(default_factory=list)
    token: str = ""
    # Its paperwork (access_world_more.py): a receipt, a sent declaration batch, a transfer, a call.
    receipt: object = None
    batch: object = None
    transfer: object = None
    contact: object = None

    @property
    def enrollment(self) -> Enrollment:
        return self.enrollments[0]

    def secrets(self) -> set[str]:
        """The people's personal data as any page, file or JSON answer would render it."""
        found = set()
        for (_number, name, born, phone), cccd in zip(PEOPLE[self.agency.code], self.cccds, strict=True):
            found |= {cccd, name, phone, born.strftime("%d/%m/%Y"), born.isoformat()}
        return found | {NEW_PHONE[self.agency.code]}


@dataclass
class AccessWorld:
    campaign: object
    sides: dict[str, Side]
    users: dict[str, object]  # "admin", "provincial", "officer_a", "officer_b"
    tokens: dict[str, str]
    rankings: dict[str, Ranking]  # "published", "draft"
    import_record: object
    rejected_import: object


def _side(campaign, code: str) -> Side:
    office = BhxhOfficeFactory(province=campaign.province, code=f"OFF-{code}", name=f"BHXH cơ sở {code}")
    commune = CommuneFactory(province=campaign.province, office=office, code=f"2570{ord(code) - 64}")
    CoverageBaselineFactory(campaign=campaign, commune=commune, as_of=date(2025, 11, 1))
    agency = AgencyFactory(code=code, name=f"Bưu điện {code}", office=office)
    agency.communes.add(commune)
    for number in range(1, 6):
        week = campaign.weeks.get(number=number)
        WeeklyQuotaFactory(week=week, agency=agency, product=Product.BHYT_HGD, count=2)
        WeeklyQuotaFactory(week=week, agency=agency, product=Product.BHXH_TN, count=1)
    officer = UserFactory(username=f"officer_{code.lower()}", role=Role.OFFICER)
    collector = CollectorFactory(agency=agency, user=officer, code=f"{code}-1", name=f"Cán bộ {code} một")
    CollectorFactory(agency=agency, code=f"{code}-2", name=f"Cán bộ {code} hai")
    set_gift_stock(campaign=campaign, agency=agency, received=10)
    side = Side(agency, officer, office, commune, f"HGD-{code}", [cccd_for(code, i) for i in range(3)])
    access_world_more.before_enrolling(code, agency, commune, side.cccds[0])
    _enroll(campaign, collector, side)
    access_world_more.after_enrolling(side)
    return side


def cccd_for(code: str, index: int) -> str:
    number, _name, born, _phone = PEOPLE[code][index]
    return cccd_of(number, year=f"{born.year % 100:02d}")


def _person(code: str, index: int) -> dict:
    _number, name, born, phone = PEOPLE[code][index]
    return {"cccd": cccd_for(code, index), "full_name": name, "date_of_birth": born, "phone": phone}


def _enroll(campaign, collector, side: Side) -> None:
    code = side.agency.code
    (first, second, third) = (p[0] for p in PEOPLE[code])
    where = {"commune_code": side.commune.code}
    household = [
        bhyt_request(
            n, **where, collected_on=date(2025, 11, 20), household_code=side.household_code, person=_person(code, i)
        )
        for i, n in enumerate((first, second))
    ]
    side.enrollments += record_household(campaign=campaign, collector=collector, requests=household)
    PriorCoverage.objects.create(cccd=cccd_for(code, 2), product=Product.BHXH_TN, last_coverage_end=date(2025, 12, 31))
    bhxh = bhxh_request(third, **where, collected_on=date(2025, 11, 21), person=_person(code, 2))
    side.enrollments.append(record_enrollment(campaign=campaign, collector=collector, request=bhxh))
    # The same agency records the person again for the other product with a new phone: a kept change.
    again = bhyt_request(
        third, **where, collected_on=date(2025, 12, 2), person=_person(code, 2) | {"phone": NEW_PHONE[code]}
    )
    side.enrollments.append(record_enrollment(campaign=campaign, collector=collector, request=again))
    issue_gift(enrollment=side.enrollments[0], user=side.officer)


def _imports(admin):
    quotas = IMPORTERS["quotas"]
    header = ["Mã tổ chức dịch vụ thu", "Tuần", "Chỉ tiêu BHXH TN", "Chỉ tiêu BHYT HGĐ"]
    common = {"source": "web", "user": admin, "codes": {"campaign": "TN-ACCESS"}, "write": False}
    pending = run_import(
        quotas, data=sheet_file([header, ["A", 2, 3, 4]]), file_name="a.xlsx", keep_pending=True, **common
    )
    rejected = run_import(quotas, data=sheet_file([header, ["ZZZ", 2, 3, 4]]), file_name="z.xlsx", **common)
    assert rejected.rejected_file, "the rejected import keeps its bad rows"
    return pending, rejected


def _third_party_rows(admin) -> None:
    """One row of each model the admin lists that the app does not write itself (django-axes)."""
    who = {"username": "someone", "ip_address": "127.0.0.1", "user_agent": "test", "path_info": "/accounts/login/"}
    axes.models.AccessAttempt.objects.create(**who, failures_since_start=1, get_data="", post_data="")
    axes.models.AccessLog.objects.create(**who)
    axes.models.AccessFailureLog.objects.create(**who, locked_out=False)


def build_access_world() -> AccessWorld:
    campaign = CampaignFactory(code="TN-ACCESS")
    AwardRuleFactory(campaign=campaign, code="weekly-agency", name="Giải tuần tổ chức", threshold=0)
    officer_points_rule(campaign, code="weekly-officer", name="Giải tuần cán bộ", threshold=0)
    sides = {code: _side(campaign, code) for code in ("A", "B")}
    admin = UserFactory(username="admin", role=Role.ADMIN, is_staff=True)
    provincial = UserFactory(username="provincial", role=Role.PROVINCIAL)
    users = {"admin": admin, "provincial": provincial, "officer_a": sides["A"].officer, "officer_b": sides["B"].officer}
    tokens = {who: issue_api_token(user=user, name=f"{who} system", issued_by=admin)[1] for who, user in users.items()}
    published = compute_rankings(campaign=campaign, week_number=3)[0].ranking
    publish_ranking(ranking=published, user=admin)
    draft = compute_rankings(campaign=campaign, week_number=2)[0].ranking
    pending, rejected = _imports(admin)
    _third_party_rows(admin)
    access_world_more.trail(admin, sides["A"].agency.kind)
    assert Group.objects.filter(name__in=[role.value for role in Role]).count() == 3
    return AccessWorld(
        campaign=campaign,
        sides=sides,
        users=users,
        tokens=tokens,
        rankings={"published": published, "draft": draft},
        import_record=pending,
        rejected_import=rejected,
    )
