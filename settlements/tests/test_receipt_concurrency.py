"""Two officers of one agency recording at the same moment: consecutive receipt numbers, no gap, none twice.

PostgreSQL with real connections (threads); SQLite serialises writers, so it proves nothing there.
"""

import threading
from datetime import date

import pytest
from django.db import connections

from campaign.tests.factories import CampaignFactory, CommuneFactory
from collectors.tests.factories import AgencyFactory, CollectorFactory
from enrollments.models import Enrollment
from enrollments.services import record_enrollment
from enrollments.tests.factories import bhxh_request
from settlements.models import Receipt, ReceiptSeries

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def _at_once(campaign, commune, collectors, first_person: int) -> list:
    barrier = threading.Barrier(len(collectors))
    outcomes = [None] * len(collectors)

    def run(index, collector):
        try:
            barrier.wait(timeout=10)
            request = bhxh_request(first_person + index, commune_code=commune.code, collected_on=date(2025, 12, 10))
            outcomes[index] = record_enrollment(campaign=campaign, collector=collector, request=request)
        except Exception as exc:  # the test asserts there is none
            outcomes[index] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(collectors)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return outcomes


def test_two_officers_at_once_get_consecutive_numbers(settings, default_policies):
    settings.APP_TODAY = date(2025, 12, 10)
    campaign = CampaignFactory()
    commune = CommuneFactory(province=campaign.province)
    agency = AgencyFactory()
    collectors = [CollectorFactory(agency=agency), CollectorFactory(agency=agency)]
    ReceiptSeries.objects.create(agency=agency, prefix="BH25-T", digits=3)
    outcomes = []
    for round_number in range(3):
        outcomes += _at_once(campaign, commune, collectors, first_person=10 * round_number + 1)
    assert all(isinstance(o, Enrollment) for o in outcomes), outcomes
    numbers = sorted(Enrollment.objects.values_list("receipt_no", flat=True))
    assert numbers == ["BH25-T-001", "BH25-T-002", "BH25-T-003", "BH25-T-004", "BH25-T-005", "BH25-T-006"]
    assert sorted(Receipt.objects.values_list("number", flat=True)) == [1, 2, 3, 4, 5, 6]
    assert ReceiptSeries.objects.get().next_number == 7
