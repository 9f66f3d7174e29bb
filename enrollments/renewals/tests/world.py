"""A hand-built set of people around the demo day, 10/12/2025, for the renewal lists' tests.

| who | product | coverage ends | on 10/12/2025 |
| --- | --- | --- | --- |
| 1 (mine) | BHYT | 31/12/2025 | due in 30 (21 days left) |
| 2 (mine) | BHYT | 31/01/2026 | due in 60 only (52 days) |
| 3 (mine) | BHYT | 30/11/2025 | lapsed 10 days: renews, no mug |
| 4 (mine) | BHYT | renewed on 05/12/2025 to 04/12/2026 | not listed |
| 5 (mine) | BHYT | only enrollment cancelled | not listed |
| 6 (mine) | BHXH TN | 31/12/2025 | due in 30 |
| 7 (other agency) | BHYT | 31/12/2025 | due in 30, other agency's |
| 8 (prior only, served commune) | BHYT | 14/08/2025 | lapsed: rejoins, mug due |
| 9 (prior only, other commune) | BHYT | 20/12/2025 | due, commune no agency of ours serves |
"""

from datetime import date

from campaign.models import Product
from campaign.tests.factories import CampaignFactory, CommuneFactory
from collectors.roles import Role
from collectors.tests.factories import AgencyFactory, CollectorFactory, UserFactory, officer_user
from enrollments.models import PriorCoverage
from enrollments.services import cancel_enrollment, record_enrollment
from enrollments.tests.factories import bhxh_request, bhyt_request, cccd_of

TODAY = date(2025, 12, 10)


def prior(number: int, product: str, end: date, **fields) -> PriorCoverage:
    return PriorCoverage.objects.create(cccd=cccd_of(number), product=product, last_coverage_end=end, **fields)


def build_world(settings) -> dict:
    settings.APP_TODAY = TODAY
    campaign = CampaignFactory(code="TN-CAODIEM-2025")
    served, elsewhere = CommuneFactory(province=campaign.province), CommuneFactory(province=campaign.province)
    mine, other = AgencyFactory(code="MINE"), AgencyFactory(code="OTHER")
    mine.communes.add(served)
    officer = officer_user(agency=mine)
    collector, other_collector = officer.collector, CollectorFactory(agency=other)
    code = served.code

    def record(request, by=collector):
        return record_enrollment(campaign=campaign, collector=by, request=request)

    # Renewals paid before expiry follow on from the prior card: 3 months from E + 1 day.
    prior(1, Product.BHYT_HGD, date(2025, 9, 30))
    record(bhyt_request(1, commune_code=code, collected_on=date(2025, 9, 20), months=3, household_code="HGD-1"))
    prior(2, Product.BHYT_HGD, date(2025, 10, 31))
    record(bhyt_request(2, commune_code=code, collected_on=date(2025, 10, 20), months=3))
    prior(3, Product.BHYT_HGD, date(2025, 8, 31))
    record(bhyt_request(3, commune_code=code, collected_on=date(2025, 8, 20), months=3))
    prior(4, Product.BHYT_HGD, date(2025, 11, 30))
    record(bhyt_request(4, commune_code=code, collected_on=date(2025, 12, 5), months=12))
    cancelled = record(bhyt_request(5, commune_code=code, collected_on=date(2025, 12, 1), months=3))
    cancel_enrollment(enrollment=cancelled, reason="Nhập nhầm", user=officer)
    prior(6, Product.BHXH_TN, date(2025, 9, 30))
    record(bhxh_request(6, commune_code=code, collected_on=date(2025, 9, 20), months=3, income=2_000_000))
    prior(7, Product.BHYT_HGD, date(2025, 9, 30))
    record(bhyt_request(7, commune_code=code, collected_on=date(2025, 9, 20), months=3), by=other_collector)
    prior(
        8,
        Product.BHYT_HGD,
        date(2025, 8, 14),
        full_name="Lê Thị Tám",
        commune=served,
        phone="0987654321",
        household_code="HGD-8",
    )
    prior(9, Product.BHYT_HGD, date(2025, 12, 20), full_name="Phạm Văn Chín", commune=elsewhere)
    return {
        "campaign": campaign,
        "served": served,
        "elsewhere": elsewhere,
        "mine": mine,
        "other": other,
        "officer": officer,
        "admin": UserFactory(role=Role.ADMIN),
        "provincial": UserFactory(role=Role.PROVINCIAL),
        "other_officer": officer_user(agency=other),
    }


CROWD_DUE_END = date(2025, 12, 20)


def add_crowd(world: dict, *, start: int = 100) -> dict:
    """More people than a page, many of them sharing a coverage end (the order then goes by name).

    In the commune the officer's agency serves: prior-only people due on 20/12/2025, lapsed under 3
    months and lapsed longer, with names whose code point order differs from a dictionary's
    ("Ánh" after "Bình"); the officer's agency's and the other agency's participants due on
    31/12/2025; prior-only people of the commune nobody of ours serves. Returns the CCCDs by whose.
    """
    served, elsewhere = world["served"], world["elsewhere"]
    names = ["Bình", "Ánh", "An", "Đức", "Dũng", "Bảo", "Ân", "Yến", "Chi", "Ánh"]
    ends = [CROWD_DUE_END, date(2025, 11, 20), date(2025, 7, 1)]
    served_prior, elsewhere_prior, mine, other = [], [], [], []
    number = start
    for end in ends:
        for name in names:
            PriorCoverage.objects.create(
                cccd=cccd_of(number), product=Product.BHYT_HGD, last_coverage_end=end, full_name=name, commune=served
            )
            served_prior.append(cccd_of(number))
            number += 1
    for name in names[:4]:
        prior(number, Product.BHYT_HGD, CROWD_DUE_END, full_name=name, commune=elsewhere)
        elsewhere_prior.append(cccd_of(number))
        number += 1
    campaign = world["campaign"]
    collectors = {"mine": world["officer"].collector, "other": CollectorFactory(agency=world["other"])}
    for whose, found in (("mine", mine), ("other", other), ("mine", mine), ("other", other)):
        prior(number, Product.BHYT_HGD, date(2025, 9, 30))
        request = bhyt_request(number, commune_code=served.code, collected_on=date(2025, 9, 20), months=3)
        record_enrollment(campaign=campaign, collector=collectors[whose], request=request)
        found.append(cccd_of(number))
        number += 1
    return {"served_prior": served_prior, "elsewhere_prior": elsewhere_prior, "mine": mine, "other": other}
