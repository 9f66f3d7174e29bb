"""Two officers recording the same person at the same moment: one wins, the other gets 409.

Runs on PostgreSQL with two real connections (threads); SQLite serialises writers.
"""

import uuid
from datetime import date

import pytest
from django.db import IntegrityError, transaction

from campaign.tests.factories import CampaignFactory, CommuneFactory
from collectors.tests.factories import CollectorFactory
from core.errors import ConflictError
from enrollments.models import Enrollment, Participant
from enrollments.services import record_enrollment
from enrollments.tests.factories import bhyt_request
from enrollments.tests.racing import at_once

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def _race(campaign, collectors, request_for) -> list:
    return at_once(
        *(
            lambda i=i, c=c: record_enrollment(campaign=campaign, collector=c, request=request_for(i))
            for i, c in enumerate(collectors)
        )
    )


@pytest.fixture
def setup(settings, default_policies):
    settings.APP_TODAY = date(2025, 12, 10)
    campaign = CampaignFactory()
    commune = CommuneFactory(province=campaign.province)
    return campaign, commune, [CollectorFactory(), CollectorFactory()]


@pytest.mark.parametrize("person_exists", [False, True], ids=["new-person", "known-person"])
def test_two_officers_same_person_same_moment_one_succeeds_one_conflicts(setup, person_exists):
    campaign, commune, collectors = setup
    if person_exists:
        record_enrollment(
            campaign=campaign,
            collector=collectors[0],
            request=bhyt_request(commune_code=commune.code, collected_on=date(2025, 11, 12), months=3),
        )

    def request_for(_index):
        return bhyt_request(commune_code=commune.code, collected_on=date(2025, 11, 20))

    outcomes = _race(campaign, collectors, request_for)
    stored = [o for o in outcomes if isinstance(o, Enrollment)]
    refused = [o for o in outcomes if isinstance(o, ConflictError)]
    assert len(stored) == 1 and len(refused) == 1, outcomes
    assert refused[0].status_code == 409
    assert Participant.objects.count() == 1
    assert Enrollment.objects.filter(collected_on=date(2025, 11, 20)).count() == 1


def test_the_database_refuses_overlapping_periods_on_its_own(setup):
    campaign, commune, collectors = setup
    first = record_enrollment(
        campaign=campaign,
        collector=collectors[0],
        request=bhyt_request(commune_code=commune.code, collected_on=date(2025, 11, 20)),
    )
    clash = Enrollment.objects.get(pk=first.pk)
    clash.pk, clash.uuid, clash.collected_on = None, uuid.uuid4(), date(2025, 11, 21)
    clash.coverage_start, clash.coverage_end = date(2026, 6, 1), date(2027, 5, 31)
    with pytest.raises(IntegrityError), transaction.atomic():
        clash.save()
