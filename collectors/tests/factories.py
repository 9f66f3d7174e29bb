import factory
from django.contrib.auth import get_user_model

from campaign.models import Product
from campaign.tests.factories import BhxhOfficeFactory, CampaignFactory, ProvinceFactory
from collectors.models import CollectionAgency, Collector, WeeklyQuota
from collectors.roles import Role, sync_role_groups
from collectors.services import post_to_province


class AgencyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CollectionAgency

    code = factory.Sequence(lambda n: f"AG-{n:03d}")
    name = factory.Sequence(lambda n: f"Bưu điện thử {n}")
    kind = CollectionAgency.Kind.POST_OFFICE
    office = factory.SubFactory(BhxhOfficeFactory)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    password = factory.django.Password("secret-pass-123")

    @factory.post_generation
    def role(self, create, extracted: Role | None, **kwargs):
        if create and extracted:
            self.groups.add(sync_role_groups()[extracted])

    @factory.post_generation
    def province(self, create, extracted, **kwargs):
        """Provincial staff are posted to ``province`` (the factories' Tây Ninh unless given), as they
        must be to see anything; an admin only when given one (else they see every province)."""
        if not create:
            return
        if extracted is None and self.groups.filter(name=Role.PROVINCIAL.value).exists():
            extracted = ProvinceFactory()
        if extracted is not None:
            post_to_province(user=self, province=extracted)


class CollectorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Collector

    code = factory.Sequence(lambda n: f"CB-{n:04d}")
    name = factory.Sequence(lambda n: f"Cán bộ {n}")
    phone = "0912345678"
    agency = factory.SubFactory(AgencyFactory)


class WeeklyQuotaFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = WeeklyQuota

    week = factory.LazyFunction(lambda: CampaignFactory().weeks.get(number=1))
    agency = factory.SubFactory(AgencyFactory)
    product = Product.BHYT_HGD
    count = 50


def officer_user(agency: CollectionAgency | None = None, **kwargs):
    """A signed-up officer: a user in the officer group, linked to a collector of ``agency``."""
    user = UserFactory(role=Role.OFFICER, **kwargs)
    CollectorFactory(agency=agency or AgencyFactory(), user=user)
    return user
