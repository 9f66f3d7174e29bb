from datetime import date

import pytest

from campaign.tests.factories import BhxhOfficeFactory, CampaignFactory, CommuneFactory
from collectors.roles import Role
from collectors.scoping import collector_of
from collectors.tests.factories import AgencyFactory, UserFactory, officer_user
from settlements.models import AgencyProfile

TODAY = date(2025, 12, 10)


@pytest.fixture
def world(db, settings):
    """One campaign, one commune, two agencies; an officer of each, an admin and a provincial user."""
    settings.APP_TODAY = TODAY
    campaign = CampaignFactory()
    office = BhxhOfficeFactory(name="BHXH cơ sở Hòa Thành")
    commune = CommuneFactory(province=campaign.province, office=office, code="25480", name="Xã Thử Một")
    mine = AgencyFactory(code="BD-HT", name="Bưu điện Hòa Thành", office=office)
    other = AgencyFactory(code="BD-KHAC", name="Bưu điện Khác", office=office)
    mine.communes.add(commune)
    other.communes.add(commune)
    AgencyProfile.objects.create(
        agency=mine, tax_code="3900244389", address="Số 1 Đường Thử, Hòa Thành", phone="02763123456",
        email="ht@example.vn",
    )  # fmt: skip
    users = {
        Role.ADMIN: UserFactory(role=Role.ADMIN),
        Role.PROVINCIAL: UserFactory(role=Role.PROVINCIAL),
        Role.OFFICER: officer_user(agency=mine),
        "other_officer": officer_user(agency=other),
        None: UserFactory(),
    }
    return {
        "campaign": campaign,
        "commune": commune,
        "mine": mine,
        "other": other,
        "users": users,
        "collector": collector_of(users[Role.OFFICER]),
        "other_collector": collector_of(users["other_officer"]),
    }
