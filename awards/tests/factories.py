from datetime import date, datetime, time
from decimal import Decimal

import factory
from django.utils import timezone

from awards.models import AwardRule, Metric, Period, Subject
from campaign.tests.factories import CampaignFactory


def local(day: date, hour: int, minute: int = 0, second: int = 0) -> datetime:
    """An aware moment in Asia/Ho_Chi_Minh."""
    return timezone.make_aware(datetime.combine(day, time(hour, minute, second)))


class AwardRuleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AwardRule

    campaign = factory.SubFactory(CampaignFactory)
    code = factory.Sequence(lambda n: f"rule-{n}")
    name = factory.Sequence(lambda n: f"Giải thử {n}")
    period = Period.WEEKLY
    subject = Subject.AGENCY
    metric = Metric.ATTAINMENT
    threshold = Decimal("100")
    prizes = factory.LazyFunction(lambda: [3_000_000, 2_000_000, 1_000_000])


def officer_points_rule(campaign, **overrides) -> AwardRule:
    """DOMAIN.md's weekly officer rule: 3 points per BHXH TN, 1 per BHYT HGĐ, eligible from 10."""
    values = {
        "campaign": campaign,
        "subject": Subject.COLLECTOR,
        "metric": Metric.POINTS,
        "bhxh_tn_weight": Decimal("3"),
        "bhyt_hgd_weight": Decimal("1"),
        "threshold": Decimal("10"),
        "prizes": [1_000_000, 700_000, 500_000, 300_000, 300_000],
    }
    return AwardRuleFactory(**(values | overrides))
