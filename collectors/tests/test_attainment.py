from decimal import Decimal

from collectors.attainment import attainment, product_attainment


def test_attainment_per_product_is_actual_over_quota_with_two_decimals():
    assert product_attainment(7, 3) == Decimal("233.33")
    assert product_attainment(2, 3) == Decimal("66.67")
    assert product_attainment(0, 5) == Decimal("0.00")
    assert product_attainment(4, 0) is None
    assert product_attainment(4, None) is None


def test_equal_weights_average_the_products_with_a_quota():
    # 8/10 = 80 % and 3/2 = 150 %: a mean of 115 %.
    assert attainment({"bhxh_tn": 8, "bhyt_hgd": 3}, {"bhxh_tn": 10, "bhyt_hgd": 2}) == Decimal("115.00")
    # A product without a quota is left out, not counted as zero.
    assert attainment({"bhxh_tn": 8, "bhyt_hgd": 30}, {"bhxh_tn": 10, "bhyt_hgd": 0}) == Decimal("80.00")
    assert attainment({"bhxh_tn": 8}, {"bhxh_tn": None, "bhyt_hgd": 0}) is None


def test_the_award_rules_weights_decide_the_mean():
    weights = {"bhxh_tn": Decimal(3), "bhyt_hgd": Decimal(1)}
    # (3 × 80 + 1 × 150) / 4 = 97.5
    assert attainment({"bhxh_tn": 8, "bhyt_hgd": 3}, {"bhxh_tn": 10, "bhyt_hgd": 2}, weights) == Decimal("97.50")
    # A weight of zero removes the product; nothing left weighs anything: no attainment.
    assert attainment({"bhxh_tn": 8}, {"bhxh_tn": 10}, {"bhxh_tn": Decimal(0)}) is None


def test_the_mean_is_taken_before_rounding():
    # 1/2 = 50 % and 2/3 = 66.666… %: the exact mean 58.333… shows as 58.33; averaging the rounded
    # parts (50.00 + 66.67) / 2 = 58.335 would show 58.34.
    assert attainment({"bhxh_tn": 1, "bhyt_hgd": 2}, {"bhxh_tn": 2, "bhyt_hgd": 3}) == Decimal("58.33")
