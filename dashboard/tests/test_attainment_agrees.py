"""The Excel report and the award ranking give an agency the same attainment for the same week."""

from datetime import date
from decimal import Decimal

from awards.models import RankingEntry
from awards.services import compute_rankings
from awards.tests.conftest import english, world  # noqa: F401 (fixtures)
from awards.tests.factories import AwardRuleFactory
from campaign.models import Product
from dashboard.reports import attainment_rows


def test_report_and_ranking_agree_on_weighted_attainment(world):  # noqa: F811
    rule = AwardRuleFactory(
        campaign=world.campaign, bhxh_tn_weight=Decimal(3), bhyt_hgd_weight=Decimal(1), threshold=Decimal(50)
    )
    # Quotas each week: 2 BHXH TN and 4 BHYT HGĐ for AG-A and AG-B (the fixture).
    world.record("CB-A1", Product.BHXH_TN, on=date(2025, 11, 20))
    for _ in range(3):
        world.record("CB-A2", on=date(2025, 11, 21))
    world.record("CB-B1", Product.BHXH_TN, on=date(2025, 11, 22))
    world.record("CB-B1", Product.BHXH_TN, on=date(2025, 11, 23), kind="rejoin")
    world.record("CB-B1", on=date(2025, 11, 24))
    world.record("CB-B1", on=date(2025, 11, 24), kind="renewal")  # retention: counts for neither

    compute_rankings(campaign=world.campaign, week_number=2)
    ranked = {
        entry.code: entry.metric_value
        for entry in RankingEntry.objects.filter(ranking__rule=rule, ranking__week__number=2)
    }
    reported = {row[3]: row[-1] for row in attainment_rows(world.campaign) if row[0] == 2}

    # AG-A: (3 × 50 % + 1 × 75 %) / 4; AG-B: (3 × 100 % + 1 × 25 %) / 4. Equal weights would give 62.50 both.
    assert reported == {"AG-A": Decimal("56.25"), "AG-B": Decimal("81.25")}
    assert ranked["AG-A"] == reported["AG-A"] and ranked["AG-B"] == reported["AG-B"]
