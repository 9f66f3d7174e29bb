"""generate_scale_data on a small scale: counts, the mix, the rules and the read side, on SQLite and PostgreSQL."""

import io
import json
import re
import uuid
from collections import Counter, defaultdict
from datetime import date

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from campaign.models import Campaign, Commune, Product
from campaign.services import import_geography
from campaign.weeks import week_number
from collectors.models import CollectionAgency, Collector, WeeklyQuota
from collectors.roles import Role, sync_role_groups
from collectors.services import post_to_province
from dashboard.models import CoverageSnapshot
from dashboard.progress.snapshots import compute_progress
from demo.data import CAMPAIGN_CODE, PROVINCE_CODE, seed_baselines, seed_campaign, seed_offices
from demo.enrollments import DEMO_DAY
from demo.scale.generate import AGENCY_PREFIX, generated
from enrollments.classification import Classification, bhxh_coverage, bhyt_coverage, classify
from enrollments.identity import validate_cccd
from enrollments.models import Channel, Enrollment, GiftIssue, Household, Participant, PriorCoverage, TargetGroup
from enrollments.selectors import policy_on
from enrollments.services.requests import quote

pytestmark = pytest.mark.django_db

SIZES = {"people": 3000, "enrollments": 800, "agencies": 6, "collectors": 20}


@pytest.fixture
def demo_campaign(settings):
    """What generate_scale_data needs of seed_demo: the 96 communes, offices, the campaign and its baselines."""
    import random

    settings.APP_TODAY = DEMO_DAY
    province = import_geography(province_code=PROVINCE_CODE)
    seed_offices(province)
    campaign = seed_campaign(province)
    seed_baselines(campaign, list(Commune.objects.filter(province=province).order_by("code")), random.Random(1))
    return campaign


def generate(**sizes) -> None:
    options = {**SIZES, **sizes}
    arguments = [f"--{name}" if value is True else f"--{name}={value}" for name, value in options.items()]
    call_command("generate_scale_data", *arguments, stdout=io.StringIO())


def _scale_enrollments():
    return Enrollment.objects.filter(agency__code__startswith=AGENCY_PREFIX).select_related("participant")


def test_small_run_has_the_counts_the_mix_and_the_rules(demo_campaign, client):
    generate()
    campaign = Campaign.objects.get(code=CAMPAIGN_CODE)
    enrollments = list(_scale_enrollments())
    people = generated(Participant)
    assert len(enrollments) == 800 and people.count() == 3000
    assert CollectionAgency.objects.filter(code__startswith=AGENCY_PREFIX).count() == 6
    assert Collector.objects.filter(agency__code__startswith=AGENCY_PREFIX).count() == 20
    assert generated(Household).count() == Household.objects.count() > 600  # everyone lives in a household
    assert PriorCoverage.objects.filter(cccd__in=people.values("cccd")).count() > 1500

    # The mix: every product, kind, channel, target group, period, ladder place and support group.
    assert Counter(e.product for e in enrollments).keys() == set(Product.values)
    assert Counter(e.classification for e in enrollments).keys() == set(Classification.values)
    assert Counter(e.channel for e in enrollments).keys() == set(Channel.values)
    assert Counter(e.participant.target_group for e in enrollments).keys() == set(TargetGroup.values)
    assert {e.months for e in enrollments if e.product == Product.BHYT_HGD} == {3, 6, 12}
    assert {e.months for e in enrollments if e.product == Product.BHXH_TN} == {1, 3, 6, 12}
    assert {e.member_order for e in enrollments if e.product == Product.BHYT_HGD} == {1, 2, 3, 4, 5}
    assert {e.support_group for e in enrollments if e.product == Product.BHXH_TN} == {
        "poor",
        "near_poor",
        "ethnic_minority",
        "other",
    }
    assert len({e.income for e in enrollments if e.product == Product.BHXH_TN}) > 5
    by_week = Counter(e.week.number for e in enrollments)
    assert set(by_week) == {1, 2, 3, 4, 5} and by_week[4] > by_week[1]  # busier towards the end

    # The rules: the week, the agency's communes and officers, the kind from the prior coverage, the dates.
    priors = {(p.cccd, p.product): p.last_coverage_end for p in PriorCoverage.objects.all()}
    served = defaultdict(set)
    for agency_id, commune_id in CollectionAgency.communes.through.objects.values_list(
        "collectionagency_id", "commune_id"
    ):
        served[agency_id].add(commune_id)
    officers = dict(Collector.objects.values_list("pk", "agency_id"))
    waiting = policy_on(campaign.start_date).bhyt_waiting_days
    periods = defaultdict(list)
    for e in enrollments:
        assert campaign.start_date <= e.collected_on <= DEMO_DAY
        assert e.week.number == week_number(campaign.start_date, campaign.end_date, e.collected_on)
        assert e.participant.commune_id in served[e.agency_id] and officers[e.collector_id] == e.agency_id
        last_end = priors.get((e.participant.cccd, e.product))
        assert e.classification == classify(last_coverage_end=last_end, collected_on=e.collected_on)
        if e.product == Product.BHYT_HGD:
            dates = bhyt_coverage(
                classification=e.classification,
                last_coverage_end=last_end,
                collected_on=e.collected_on,
                months=e.months,
                waiting_days=waiting,
            )
        else:
            dates = bhxh_coverage(
                classification=e.classification,
                last_coverage_end=last_end,
                collected_on=e.collected_on,
                months=e.months,
            )
        assert (e.coverage_start, e.coverage_end) == dates
        # Recorded on or after the day collected, in local time (at 00:20 in Tây Ninh it is 17:20 UTC the day before).
        assert timezone.localtime(e.recorded_at).date() >= e.collected_on and e.receipt_no
        if e.status == Enrollment.Status.RECORDED:
            periods[(e.participant_id, e.product)].append((e.coverage_start, e.coverage_end))
    assert all(len(spans) == 1 for spans in periods.values())  # no overlapping coverage, no same-day duplicate
    for person in people:
        validate_cccd(person.cccd, date_of_birth=person.date_of_birth, sex=person.sex)

    # Amounts: what the quote service says, for a sample of every kind of row.
    for e in enrollments[::7]:
        expected = quote(
            product=e.product,
            months=e.months,
            on=e.collected_on,
            member_order=e.member_order,
            income=e.income,
            support_group=e.support_group or None,
        )
        stored = (e.amount_due, e.state_support, e.supported_months, e.amount_payable, e.member_order)
        assert stored == (
            expected.amount_due,
            expected.state_support,
            expected.supported_months,
            expected.amount_payable,
            expected.member_order,
        )

    # Mugs: one per person at most, only to people brought in; quotas for every agency, week and product.
    gifts = GiftIssue.objects.filter(agency__code__startswith=AGENCY_PREFIX).select_related("enrollment")
    assert gifts.count() > 300
    assert all(g.enrollment.classification != Classification.RENEWAL for g in gifts)
    assert WeeklyQuota.objects.filter(agency__code__startswith=AGENCY_PREFIX).count() == 6 * 5 * 2

    # Snapshots: every commune, product and day, equal to what compute_progress computes live.
    days = (DEMO_DAY - campaign.start_date).days + 1
    assert CoverageSnapshot.objects.filter(campaign=campaign).count() == 96 * 2 * days
    assert compute_progress(campaign=campaign, day=DEMO_DAY) == 0
    assert compute_progress(campaign=campaign, day=date(2025, 11, 25)) == 0
    last = CoverageSnapshot.objects.filter(campaign=campaign, day=DEMO_DAY)
    assert sum(s.added for s in last) > 0

    # The dashboard's progress answer reads the data.
    user = get_user_model().objects.create_user("scale_provincial", password="x")
    user.groups.add(sync_role_groups()[Role.PROVINCIAL])
    post_to_province(user=user, province=campaign.province)
    client.force_login(user)
    response = client.get(f"/api/v1/campaigns/{CAMPAIGN_CODE}/progress")
    assert response.status_code == 200, response.content[:500]
    answer = json.loads(response.content)
    assert {a["code"] for a in answer["agencies"]} >= {a.code for a in CollectionAgency.objects.all()}
    assert len(answer["communes"]) == 96


def test_a_second_run_is_refused_and_fresh_makes_the_same_data_again(demo_campaign):
    small = {"people": 400, "enrollments": 100, "agencies": 3, "collectors": 5}
    generate(**small)
    first = sorted(generated(Participant).values_list("cccd", "full_name", "commune__code"))
    amounts = sorted(_scale_enrollments().values_list("participant__cccd", "product", "amount_payable"))
    with pytest.raises(CommandError, match="already has scale data"):
        generate(**small)
    generate(**small, fresh=True)
    assert sorted(generated(Participant).values_list("cccd", "full_name", "commune__code")) == first
    assert sorted(_scale_enrollments().values_list("participant__cccd", "product", "amount_payable")) == amounts


@pytest.mark.parametrize(
    ("sizes", "message"),
    [
        ({"collectors": 2}, "at least 6 collectors"),
        ({"people": 500}, "need more people"),
        ({"campaign": "NO-SUCH"}, "No campaign NO-SUCH"),
    ],
)
def test_impossible_sizes_are_refused_with_a_reason(demo_campaign, sizes, message):
    with pytest.raises(CommandError, match=message):
        generate(**sizes)
    assert not generated(Participant).exists() and not CollectionAgency.objects.exists()


def test_only_a_demo_campaign_takes_scale_data(demo_campaign):
    Campaign.objects.filter(pk=demo_campaign.pk).update(is_demo=False)
    with pytest.raises(CommandError, match="not the demo's"):
        generate()


@pytest.mark.postgres
def test_postgresql_keeps_every_index_and_constraint_and_the_exclusion_holds(demo_campaign, monkeypatch):
    monkeypatch.setattr("demo.scale.generate.REBUILD_FROM", 0)  # the large runs' path: built after the load

    def schema() -> set[tuple]:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) FROM pg_constraint "
                "WHERE conrelid::regclass::text LIKE 'enrollments_%%' "
                "UNION SELECT tablename, indexname, indexdef FROM pg_indexes WHERE tablename LIKE 'enrollments_%%'"
            )
            # An index put back from its definition may come back with its casts written elsewhere
            # (``= ANY ((ARRAY['new'::character varying])::text[])`` as ``= ANY (ARRAY[('new'::…)::text])``):
            # compared without casts, brackets and spaces, the columns, predicates and names must match.
            return {
                (table, name, re.sub(r"::(character varying|text\[\]|text)|[()\s]", "", text))
                for table, name, text in cursor.fetchall()
            }

    before = schema()
    generate(people=400, enrollments=100, agencies=3, collectors=5)
    assert schema() == before
    enrollment = _scale_enrollments().filter(status=Enrollment.Status.RECORDED).first()
    enrollment.pk, enrollment.uuid = None, uuid.uuid4()
    enrollment.collected_on = enrollment.coverage_start  # another day, same period: overlapping coverage
    with pytest.raises(IntegrityError, match="enrollment_no_overlapping_coverage"), transaction.atomic():
        enrollment.save()
