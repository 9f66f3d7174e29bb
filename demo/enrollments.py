"""About 20,000 demo enrollments, as the campaign looks on its demo day (10/12/2025, week 5).

The rows are computed with the same rule functions the services use (quotes,
classification, coverage dates) and written in bulk: running record_enrollment
20,000 times would take minutes for data that is made up anyway. Prior coverage
is created so that new, rejoining and renewing people all occur. Every uuid is
derived from the seed, so a second run finds the same plan and changes nothing.
"""

import random
import uuid
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from dateutil.relativedelta import relativedelta
from django.db import transaction
from django.utils import timezone

from campaign.models import Campaign, Product
from campaign.weeks import week_number
from collectors.models import CollectionAgency
from enrollments.classification import Classification, bhxh_coverage, bhyt_coverage, classify
from enrollments.contributions import quote_bhxh, quote_bhyt
from enrollments.models import (
    Channel,
    Enrollment,
    GiftIssue,
    GiftStock,
    Household,
    Participant,
    PriorCoverage,
    Source,
    SupportGroup,
    TargetGroup,
)
from enrollments.selectors import policy_on

from .names import person_name

DEMO_DAY = date(2025, 12, 10)
NAMESPACE = uuid.UUID("5f0c8a52-7d0e-4f4b-9a77-2a1f1c2b9d10")

HOUSEHOLD_SIZES = ([1, 2, 3, 4, 5, 6], [15, 20, 25, 22, 12, 6])
BHYT_MONTHS = ([12, 6, 3], [70, 20, 10])
BHXH_MONTHS = ([12, 6, 3, 1], [35, 20, 25, 20])
SUPPORT_GROUPS = (
    [SupportGroup.OTHER, SupportGroup.NEAR_POOR, SupportGroup.POOR, SupportGroup.ETHNIC_MINORITY],
    [82, 10, 5, 3],
)
TARGET_GROUPS = (
    [TargetGroup.FARMER, TargetGroup.INFORMAL_WORKER, TargetGroup.HOUSEHOLD_BUSINESS, TargetGroup.OTHER],
    [45, 30, 15, 10],
)
CHANNELS = (
    [Channel.HOME, Channel.MARKET, Channel.HOUSEHOLD_BUSINESS, Channel.COUNTER, Channel.EVENT, Channel.OTHER],
    [35, 30, 20, 8, 5, 2],
)
KINDS = ([Classification.NEW, Classification.REJOIN, Classification.RENEWAL], [55, 22, 23])


@dataclass
class Plan:
    households: list[Household]
    participants: list[Participant]
    priors: list[PriorCoverage]
    enrollments: list[Enrollment]
    gift_for: list[int]  # indexes of enrollments whose person receives a mug


def _pick(rng: random.Random, table):
    values, weights = table
    return rng.choices(values, weights)[0]


def _cccd(serial: int, born: date, sex: str, commune_code: str, rng: random.Random) -> str:
    place = "072" if commune_code.startswith("25") else "080"
    if rng.random() < 0.06:
        place = rng.choice(["079", "074", "086", "087", "089"])  # born elsewhere in the south
    century = (born.year // 100) - 19
    return f"{place}{century * 2 + (sex == 'female')}{born.year % 100:02d}{serial:06d}"


def _recorded_at(rng: random.Random, collected_on: date, week_end: date | None) -> datetime:
    """On the collection day, or (a few percent) days later; some of those miss the weekly cut-off."""
    day = collected_on
    if rng.random() < 0.05:
        day = collected_on + timedelta(days=rng.randint(1, 3))
    moment = timezone.make_aware(datetime.combine(min(day, DEMO_DAY), time(rng.randint(7, 18), rng.randint(0, 59))))
    last = timezone.make_aware(datetime.combine(DEMO_DAY, time(17, 0)))
    return min(moment, last)


class _Builder:
    def __init__(self, campaign: Campaign, rng: random.Random):
        self.campaign = campaign
        self.rng = rng
        self.policy = policy_on(campaign.start_date).policy
        self.waiting_days = policy_on(campaign.start_date).bhyt_waiting_days
        self.weeks = {w.number: w for w in campaign.weeks.all()}
        self.plan = Plan([], [], [], [], [])
        self.serial = 0

    def _uuid(self, kind: str, number: int) -> uuid.UUID:
        return uuid.uuid5(NAMESPACE, f"{self.campaign.code}:{kind}:{number}")

    def person(self, commune, household, *, adult: bool) -> Participant:
        rng = self.rng
        self.serial += 1
        sex = rng.choice(["male", "female"])
        age = rng.randint(18, 70) if adult else rng.randint(0, 85)
        born = date(DEMO_DAY.year - age, rng.randint(1, 12), rng.randint(1, 28))
        participant = Participant(
            uuid=self._uuid("person", self.serial),
            cccd=_cccd(self.serial, born, sex, commune.code, rng),
            full_name=person_name(rng, sex, family=household.head_name.split()[0] if household else None),
            date_of_birth=born,
            sex=sex,
            phone=f"0{rng.choice([3, 7, 8, 9])}{rng.randint(0, 99_999_999):08d}" if rng.random() < 0.8 else "",
            commune=commune,
            household=household,
            target_group=_pick(rng, TARGET_GROUPS),
            is_demo=True,
        )
        self.plan.participants.append(participant)
        return participant

    def history(self, participant: Participant, product: str, kind: Classification, collected_on: date):
        """Prior coverage that makes this person's enrollment the wanted kind."""
        if kind == Classification.NEW:
            return None
        if kind == Classification.REJOIN:
            end = collected_on - relativedelta(months=self.rng.randint(4, 30)) - timedelta(days=self.rng.randint(0, 27))
        else:
            end = collected_on + timedelta(days=self.rng.randint(-75, 40))
        self.plan.priors.append(PriorCoverage(cccd=participant.cccd, product=product, last_coverage_end=end))
        return end

    def enrollment(self, participant, product, kind, collected_on, agency, collector, channel, **money) -> Enrollment:
        rng = self.rng
        last_end = self.history(participant, product, kind, collected_on)
        classification = classify(last_coverage_end=last_end, collected_on=collected_on)
        if product == Product.BHYT_HGD:
            start, end = bhyt_coverage(
                classification=classification,
                last_coverage_end=last_end,
                collected_on=collected_on,
                months=money["months"],
                waiting_days=self.waiting_days,
            )
            quote = quote_bhyt(self.policy, months=money["months"], member_order=money["member_order"])
        else:
            start, end = bhxh_coverage(
                classification=classification,
                last_coverage_end=last_end,
                collected_on=collected_on,
                months=money["months"],
            )
            quote = quote_bhxh(
                self.policy, months=money["months"], income=money["income"], support_groups=[money["support_group"]]
            )
        week = self.weeks.get(week_number(self.campaign.start_date, self.campaign.end_date, collected_on))
        enrollment = Enrollment.build(
            uuid=self._uuid("enrollment", len(self.plan.enrollments) + 1),
            participant=participant,
            campaign=self.campaign,
            week=week,
            agency=agency,
            collector=collector,
            collected_on=collected_on,
            coverage=(start, end),
            quote=quote,
            classification=classification,
            channel=channel,
            receipt_no=f"BL-{agency.code[-6:]}-{len(self.plan.enrollments) + 1:06d}",
            source=Source.DEMO,
            recorded_at=_recorded_at(rng, collected_on, week.end_date if week else None),
        )
        self.plan.enrollments.append(enrollment)
        if classification != Classification.RENEWAL and rng.random() < 0.9:
            self.plan.gift_for.append(len(self.plan.enrollments) - 1)
        return enrollment

    def agency_week(
        self, agency: CollectionAgency, collectors, communes, week, quotas, performance: float, scale: float
    ):
        rng = self.rng
        days = [d for d in (week.start_date + timedelta(n) for n in range(7)) if d <= min(week.end_date, DEMO_DAY)]
        if not days:
            return
        share = len(days) / 7
        for product in (Product.BHYT_HGD, Product.BHXH_TN):
            wanted_new = quotas.get(product, 0) * performance * rng.uniform(0.85, 1.15) * share * scale
            people = round(wanted_new / 0.77)  # 77 % of people are new or rejoining
            while people > 0:
                collected_on = rng.choice(days)
                collector = rng.choice(collectors)
                commune = rng.choice(communes)
                channel = _pick(rng, CHANNELS)
                if product == Product.BHYT_HGD:
                    size = min(_pick(rng, HOUSEHOLD_SIZES), people)
                    household = Household(
                        uuid=self._uuid("household", len(self.plan.households) + 1),
                        code=f"HGD-{commune.code}-{len(self.plan.households) + 1:05d}",
                        head_name=person_name(rng, "male"),
                        address=f"Ấp {rng.randint(1, 9)}, {commune.name}",
                        commune=commune,
                        is_demo=True,
                    )
                    self.plan.households.append(household)
                    months = _pick(rng, BHYT_MONTHS)
                    for order in range(1, size + 1):
                        member = self.person(commune, household, adult=order == 1)
                        kind = _pick(rng, KINDS)
                        self.enrollment(
                            member,
                            product,
                            kind,
                            collected_on,
                            agency,
                            collector,
                            channel,
                            months=months,
                            member_order=order,
                        )
                    people -= size
                else:
                    member = self.person(commune, None, adult=True)
                    income = 1_500_000 if rng.random() < 0.6 else rng.randint(20, 50) * 100_000
                    self.enrollment(
                        member,
                        product,
                        _pick(rng, KINDS),
                        collected_on,
                        agency,
                        collector,
                        channel,
                        months=_pick(rng, BHXH_MONTHS),
                        income=income,
                        support_group=_pick(rng, SUPPORT_GROUPS),
                    )
                    people -= 1


def plan_enrollments(campaign: Campaign, *, seed: int, scale: float = 1.0) -> Plan:
    rng = random.Random(seed)
    builder = _Builder(campaign, rng)
    agencies = list(
        CollectionAgency.objects.filter(is_demo=True).prefetch_related("collectors", "communes").order_by("code")
    )
    quotas: dict[tuple[int, int], dict[str, int]] = defaultdict(dict)
    for agency_id, week_id, product, count in campaign.weeks.values_list(
        "quotas__agency", "pk", "quotas__product", "quotas__count"
    ):
        if agency_id:
            quotas[(agency_id, week_id)][product] = count
    for agency in agencies:
        collectors = sorted(agency.collectors.all(), key=lambda c: c.code)
        communes = sorted(agency.communes.all(), key=lambda c: c.code)
        if not collectors or not communes:
            continue
        # Some agencies beat their quota, some meet it, some fall short.
        performance = rng.choice([rng.uniform(0.55, 0.85), rng.uniform(0.9, 1.1), rng.uniform(1.1, 1.45)])
        for week in sorted(builder.weeks.values(), key=lambda w: w.number):
            builder.agency_week(agency, collectors, communes, week, quotas[(agency.pk, week.pk)], performance, scale)
    return builder.plan


def _cancel_a_few(plan: Plan, rng: random.Random) -> None:
    for enrollment in plan.enrollments:
        if rng.random() < 0.004:
            enrollment.status = Enrollment.Status.CANCELLED
            enrollment.cancel_reason = rng.choice(["Nhập nhầm thông tin", "Người tham gia đổi ý", "Trùng hồ sơ giấy"])
            enrollment.cancelled_at = enrollment.recorded_at + timedelta(hours=2)


def drop_demo_enrollments(campaign: Campaign) -> None:
    demo = Enrollment.objects.filter(campaign=campaign, source=Source.DEMO)
    cccds = list(Participant.objects.filter(is_demo=True).values_list("cccd", flat=True))
    GiftIssue.objects.filter(enrollment__in=demo).delete()
    demo.delete()
    PriorCoverage.objects.filter(cccd__in=cccds).delete()
    Participant.objects.filter(is_demo=True, enrollments__isnull=True).delete()
    Household.objects.filter(is_demo=True, members__isnull=True).delete()


@transaction.atomic
def seed_enrollments(campaign: Campaign, *, seed: int, scale: float = 1.0) -> int:
    """Create the demo enrollments unless exactly these are already there; returns their number."""
    plan = plan_enrollments(campaign, seed=seed, scale=scale)
    _cancel_a_few(plan, random.Random(seed + 1))
    wanted = {e.uuid for e in plan.enrollments}
    existing = set(Enrollment.objects.filter(campaign=campaign, source=Source.DEMO).values_list("uuid", flat=True))
    if existing == wanted:
        return len(wanted)
    drop_demo_enrollments(campaign)
    Household.objects.bulk_create(plan.households, batch_size=2000)
    Participant.objects.bulk_create(plan.participants, batch_size=2000)
    PriorCoverage.objects.bulk_create(plan.priors, batch_size=2000)
    Enrollment.objects.bulk_create(plan.enrollments, batch_size=2000)
    _hand_over_mugs(campaign, plan)
    return len(plan.enrollments)


def _hand_over_mugs(campaign: Campaign, plan: Plan) -> None:
    stored = {e.uuid: e for e in Enrollment.objects.filter(campaign=campaign, source=Source.DEMO)}
    issues, issued_per_agency, seen = [], defaultdict(int), set()
    for index in plan.gift_for:
        enrollment = stored[plan.enrollments[index].uuid]
        if enrollment.week_id is None or enrollment.participant_id in seen:
            continue
        seen.add(enrollment.participant_id)
        issued_per_agency[enrollment.agency_id] += 1
        issues.append(
            GiftIssue(
                campaign=campaign,
                participant_id=enrollment.participant_id,
                enrollment=enrollment,
                agency_id=enrollment.agency_id,
                issued_at=enrollment.recorded_at,
                flagged=enrollment.status == Enrollment.Status.CANCELLED,
                flag_note="Hồ sơ bị hủy sau khi đã tặng cốc"
                if enrollment.status == Enrollment.Status.CANCELLED
                else "",
            )
        )
    GiftIssue.objects.bulk_create(issues, batch_size=2000)
    for agency in CollectionAgency.objects.filter(is_demo=True):
        received = 500 if agency.kind == CollectionAgency.Kind.POST_OFFICE else 200
        issued = issued_per_agency.get(agency.pk, 0)
        received = max(received, issued + 20)
        GiftStock.objects.update_or_create(
            campaign=campaign, agency=agency, defaults={"received": received, "on_hand": received - issued}
        )
