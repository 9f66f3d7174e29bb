"""The fee statement against a hand-computed month (its page and prizes: dashboard/tests/test_fee_statement.py)."""

from datetime import date
from decimal import Decimal

import pytest

from enrollments.models import Enrollment
from enrollments.services import cancel_enrollment, record_enrollment, record_household
from enrollments.tests.factories import bhxh_request, bhyt_request
from settlements.fees import fee_of, fee_statement
from settlements.models import FeeRate

DEC = date(2025, 12, 1)


@pytest.fixture
def month(world):
    """Rates for post offices: BHXH new 5% (6% from 10/12), BHYT new 20.000 đ a person.
    December: BHXH 3.168.000 (9/12), 3.168.000 and 1.584.000 (10/12), a household 1.263.600 + 884.520 (9/12);
    one cancelled; one in November."""
    post = "post_office"
    FeeRate.objects.create(agency_kind=post, product="bhxh_tn", classification="new", method="percent",
                           percent=Decimal("5"), effective_from=date(2025, 1, 1))  # fmt: skip
    FeeRate.objects.create(agency_kind=post, product="bhxh_tn", classification="new", method="percent",
                           percent=Decimal("6"), effective_from=date(2025, 12, 10))  # fmt: skip
    FeeRate.objects.create(agency_kind=post, product="bhyt_hgd", classification="new", method="fixed",
                           fixed_amount=20_000, effective_from=date(2025, 1, 1))  # fmt: skip
    commune, campaign, collector = world["commune"].code, world["campaign"], world["collector"]

    def bhxh(number, day, months=12):
        request = bhxh_request(number, commune_code=commune, collected_on=day, months=months)
        return record_enrollment(campaign=campaign, collector=collector, request=request)

    bhxh(1, date(2025, 12, 9))
    bhxh(2, date(2025, 12, 10))
    bhxh(3, date(2025, 12, 10), months=6)
    record_household(
        campaign=campaign,
        collector=collector,
        requests=[bhyt_request(n, commune_code=commune, collected_on=date(2025, 12, 9)) for n in (4, 5)],
    )
    cancel_enrollment(enrollment=bhxh(6, date(2025, 12, 9)), reason="Nhầm", user=None)
    bhxh(7, date(2025, 11, 28))
    return world


def test_the_statement_by_hand(month):
    statement = fee_statement(month["mine"], month=date(2025, 12, 17))
    assert [(line.full_name, line.base, line.fee) for line in statement.lines] == [
        ("Nguyễn Văn Thử 1", 3_168_000, 158_400),  # 5%
        ("Nguyễn Văn Thử 4", 1_263_600, 20_000),
        ("Nguyễn Văn Thử 5", 884_520, 20_000),
        ("Nguyễn Văn Thử 2", 3_168_000, 190_080),  # 6% from 10/12
        ("Nguyễn Văn Thử 3", 1_584_000, 95_040),
    ]
    assert (statement.base, statement.fee) == (10_068_120, 483_520)
    groups = [(g.product, g.classification, g.people, g.base, g.fee) for g in statement.groups]
    assert groups == [("bhxh_tn", "new", 3, 7_920_000, 443_520), ("bhyt_hgd", "new", 2, 2_148_120, 40_000)]


def test_the_base_equals_the_enrollments_it_names(month):
    statement = fee_statement(month["mine"], month=DEC)
    named = Enrollment.objects.filter(pk__in=[line.enrollment_id for line in statement.lines])
    assert statement.base == sum(e.amount_payable for e in named)


def test_no_rate_earns_nothing_and_halves_round_up():
    rate = FeeRate(method="percent", percent=Decimal("2.5"))
    assert fee_of(None, 1_000_000) == 0
    assert fee_of(rate, 1_001) == 25  # 25,025
    assert fee_of(rate, 1_002) == 25  # 25,05 → 25 (rounded to the đồng: 25,05 is not a half)
    assert fee_of(FeeRate(method="percent", percent=Decimal("50")), 1) == 1  # 0,5 → 1
