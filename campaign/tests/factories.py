from datetime import date
from decimal import Decimal

import factory

from campaign.models import BhxhOffice, Campaign, Commune, CoverageBaseline, Province
from campaign.services import save_campaign


class ProvinceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Province
        django_get_or_create = ["code"]

    code = "80"
    name = "Tây Ninh"
    codename = "tay_ninh"


class BhxhOfficeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = BhxhOffice

    code = factory.Sequence(lambda n: f"BHXH-{n:03d}")
    name = factory.Sequence(lambda n: f"BHXH cơ sở {n}")
    province = factory.SubFactory(ProvinceFactory)


class CommuneFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Commune

    code = factory.Sequence(lambda n: f"{90000 + n:05d}")
    name = factory.Sequence(lambda n: f"Xã Thử {n}")
    codename = factory.Sequence(lambda n: f"xa_thu_{n}")
    kind = Commune.Kind.XA
    province = factory.SubFactory(ProvinceFactory)
    office = factory.SubFactory(BhxhOfficeFactory)


class CampaignFactory(factory.django.DjangoModelFactory):
    """A campaign stored through ``save_campaign``, so its weeks exist as in the app."""

    class Meta:
        model = Campaign

    code = factory.Sequence(lambda n: f"TEST-{n}")
    name = factory.Sequence(lambda n: f"Chiến dịch thử {n}")
    province = factory.SubFactory(ProvinceFactory)
    start_date = date(2025, 11, 12)
    end_date = date(2025, 12, 16)
    bhyt_target_pct = Decimal("95.00")
    bhxh_target_pct = Decimal("45.00")
    target_date = date(2025, 12, 31)
    status = Campaign.Status.ACTIVE
    award_budget = 70_000_000

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        return save_campaign(campaign=model_class(*args, **kwargs))


class CoverageBaselineFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CoverageBaseline

    campaign = factory.SubFactory(CampaignFactory)
    commune = factory.SubFactory(CommuneFactory)
    population = 30_000
    labour_force = 18_000
    bhyt_insured = 27_900
    bhxh_insured = 6_840
    as_of = date(2025, 10, 31)
