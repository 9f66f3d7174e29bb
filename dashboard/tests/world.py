"""A small province for the dashboard tests: offices, communes, agencies of two kinds, quotas over
several weeks, enrollments through the recording service, mugs, award rules and snapshots.

``grow`` adds more of everything, so a query-count pin that holds on the grown world cannot hide
a query per commune, agency, week or enrollment.
"""

from dataclasses import dataclass, field
from datetime import date, timedelta

from awards.tests.factories import AwardRuleFactory, officer_points_rule
from campaign.models import Campaign, Commune, Product
from campaign.tests.factories import BhxhOfficeFactory, CampaignFactory, CommuneFactory, CoverageBaselineFactory
from collectors.models import CollectionAgency
from collectors.tests.factories import AgencyFactory, CollectorFactory, WeeklyQuotaFactory
from dashboard.progress.snapshots import compute_progress
from enrollments.models import Channel, TargetGroup
from enrollments.services import issue_gift, record_enrollment, set_gift_stock
from enrollments.tests.factories import bhxh_request, bhyt_request

TODAY = date(2025, 12, 10)
CHANNELS = [Channel.MARKET, Channel.HOME, Channel.HOUSEHOLD_BUSINESS, Channel.COUNTER, Channel.EVENT]
GROUPS = [TargetGroup.FARMER, TargetGroup.INFORMAL_WORKER, TargetGroup.HOUSEHOLD_BUSINESS, TargetGroup.OTHER]


@dataclass
class World:
    campaign: Campaign
    communes: list[Commune] = field(default_factory=list)
    agencies: dict[str, CollectionAgency] = field(default_factory=dict)
    people: int = 0


def build_world(*, code: str = "TN-2025") -> World:
    campaign = CampaignFactory(code=code)
    AwardRuleFactory(campaign=campaign, code="weekly-agency", name="Giải tuần tổ chức")
    officer_points_rule(campaign, code="weekly-officer", name="Giải tuần cán bộ")
    world = World(campaign)
    north = BhxhOfficeFactory(province=campaign.province, code="N", name="BHXH cơ sở Bắc")
    south = BhxhOfficeFactory(province=campaign.province, code="S", name="BHXH cơ sở Nam")
    for index, office in enumerate([north, north, south, south]):
        _commune(world, office, f"2548{index}")
    _agency(world, "A", "Bưu điện Bắc", north, CollectionAgency.Kind.POST_OFFICE, world.communes[:2])
    _agency(world, "B", "Đại lý xã Bắc", north, CollectionAgency.Kind.COMMUNE_AGENT, world.communes[1:2])
    _agency(world, "C", "Bưu điện Nam", south, CollectionAgency.Kind.POST_OFFICE, world.communes[2:])
    _enroll(world)
    return world


def grow(world: World, *, communes: int = 4, agencies: int = 3) -> None:
    """More communes, agencies, officers and enrollments of the same shapes."""
    office = BhxhOfficeFactory(province=world.campaign.province, code="X", name="BHXH cơ sở Thêm")
    first = len(world.communes)
    for index in range(communes):
        _commune(world, office, f"2560{index}")
    for index in range(agencies):
        kind = CollectionAgency.Kind.POST_OFFICE if index % 2 else CollectionAgency.Kind.COMMUNE_AGENT
        _agency(world, f"X{index}", f"Tổ chức thêm {index}", office, kind, world.communes[first:])
    _enroll(world, codes=[f"X{i}" for i in range(agencies)])


def _commune(world: World, office, code: str) -> None:
    commune = CommuneFactory(province=world.campaign.province, office=office, code=code, name=f"Xã {code}")
    CoverageBaselineFactory(campaign=world.campaign, commune=commune, as_of=date(2025, 11, 1))
    world.communes.append(commune)


def _agency(world: World, code: str, name: str, office, kind: str, communes: list[Commune]) -> None:
    agency = AgencyFactory(code=code, name=name, office=office, kind=kind)
    agency.communes.add(*communes)
    for number in (1, 2, 3, 4, 5):
        week = world.campaign.weeks.get(number=number)
        WeeklyQuotaFactory(week=week, agency=agency, product=Product.BHYT_HGD, count=4)
        WeeklyQuotaFactory(week=week, agency=agency, product=Product.BHXH_TN, count=2)
    CollectorFactory(agency=agency, code=f"{code}-1", name=f"Cán bộ {code} một")
    CollectorFactory(agency=agency, code=f"{code}-2", name=f"Cán bộ {code} hai")
    set_gift_stock(campaign=world.campaign, agency=agency, received=20)
    world.agencies[code] = agency


def _enroll(world: World, codes: list[str] | None = None) -> None:
    """Per agency: people in weeks 3–5 in the communes it serves, over every channel and target group."""
    for code in codes or list(world.agencies):
        agency = world.agencies[code]
        collectors = list(agency.collectors.order_by("code"))
        communes = list(agency.communes.order_by("code"))
        for index, day in enumerate([TODAY - timedelta(days=d) for d in (14, 9, 6, 3, 1, 0)]):
            world.people += 1
            make = bhxh_request if index % 3 == 0 else bhyt_request
            request = make(
                world.people,
                commune_code=communes[index % len(communes)].code,
                collected_on=day,
                channel=CHANNELS[index % len(CHANNELS)],
                person={"target_group": GROUPS[index % len(GROUPS)], "full_name": f"Người {code} {index}"},
            )
            enrollment = record_enrollment(campaign=world.campaign, collector=collectors[index % 2], request=request)
            if index % 2 == 0:
                issue_gift(enrollment=enrollment, user=None)


def snapshot_days(world: World, *, days: int = 5) -> None:
    for back in range(days, 0, -1):
        compute_progress(campaign=world.campaign, day=TODAY - timedelta(days=back))
