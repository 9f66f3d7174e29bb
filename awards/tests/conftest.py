"""A small campaign to rank: two agencies with quotas, one without, three officers, and a way to
record enrollments through the services at a chosen moment."""

import itertools
from dataclasses import dataclass, field
from datetime import date, datetime
from unittest import mock

import pytest
from django.utils import translation

from awards.tests.factories import local
from campaign.models import Campaign, CampaignWeek, Commune, Product
from campaign.tests.factories import CampaignFactory, CommuneFactory
from collectors.models import CollectionAgency, Collector
from collectors.tests.factories import AgencyFactory, CollectorFactory, WeeklyQuotaFactory
from enrollments.models import Enrollment, PriorCoverage
from enrollments.services import cancel_enrollment, record_enrollment
from enrollments.tests.factories import bhxh_request, bhyt_request, cccd_of

# After the campaign and its last cut-off (17/12/2025 12:00): every ranking may be computed.
AFTER_THE_CAMPAIGN = date(2025, 12, 20)


@dataclass
class World:
    campaign: Campaign
    commune: Commune
    agencies: dict[str, CollectionAgency]
    collectors: dict[str, Collector]
    people: itertools.count = field(default_factory=lambda: itertools.count(1))

    def week(self, number: int) -> CampaignWeek:
        week = self.campaign.weeks.get(number=number)
        week.campaign = self.campaign
        return week

    def record(
        self,
        collector: str,
        product: str = Product.BHYT_HGD,
        *,
        on: date,
        at: datetime | None = None,
        kind: str = "new",
        months: int = 12,
        cancelled: bool = False,
    ) -> Enrollment:
        """One enrollment by ``collector`` collected ``on``, recorded at ``at`` (default 10:00 that day)."""
        number = next(self.people)
        if kind != "new":
            # A lapse of years makes a rejoin; coverage running into next year makes a renewal.
            end = date(2023, 12, 31) if kind == "rejoin" else date(2025, 12, 31)
            PriorCoverage.objects.create(cccd=cccd_of(number), product=product, last_coverage_end=end)
        make = bhxh_request if product == Product.BHXH_TN else bhyt_request
        request = make(number, commune_code=self.commune.code, collected_on=on, months=months)
        with mock.patch("core.clock.now", return_value=at or local(on, 10)):
            enrollment = record_enrollment(
                campaign=self.campaign, collector=self.collectors[collector], request=request
            )
        assert enrollment.classification == kind
        if cancelled:
            enrollment = cancel_enrollment(enrollment=enrollment, reason="Nhập nhầm", user=None)
        return enrollment


@pytest.fixture(autouse=True)
def english():
    """Messages in English, as the source strings are, whatever the catalogue holds (pages: see ``login``)."""
    with translation.override("en"):
        yield


@pytest.fixture
def world(db, settings) -> World:
    settings.APP_TODAY = AFTER_THE_CAMPAIGN
    campaign = CampaignFactory()
    commune = CommuneFactory(province=campaign.province)
    agencies = {code: AgencyFactory(code=code, name=f"Đơn vị {code}") for code in ("AG-A", "AG-B", "AG-NOQ")}
    collectors = {
        "CB-A1": CollectorFactory(code="CB-A1", name="Trần Thị A1", agency=agencies["AG-A"]),
        "CB-A2": CollectorFactory(code="CB-A2", name="Lê Văn A2", agency=agencies["AG-A"]),
        "CB-B1": CollectorFactory(code="CB-B1", name="Phạm Văn B1", agency=agencies["AG-B"]),
        "CB-N1": CollectorFactory(code="CB-N1", name="Võ Thị N1", agency=agencies["AG-NOQ"]),
    }
    for number in range(1, 6):
        week = campaign.weeks.get(number=number)
        for code in ("AG-A", "AG-B"):
            WeeklyQuotaFactory(week=week, agency=agencies[code], product=Product.BHXH_TN, count=2)
            WeeklyQuotaFactory(week=week, agency=agencies[code], product=Product.BHYT_HGD, count=4)
    return World(campaign, commune, agencies, collectors)
