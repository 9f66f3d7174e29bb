"""The demo world of ``seed_demo``: Tây Ninh's real communes, made-up people and figures.

Everything is derived from a fixed random seed and keyed by natural codes, so a
second run finds every row in place and changes nothing. Rows are marked
``is_demo`` (campaign, offices, agencies, officers) so they can never be taken
for real data.
"""

import random
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db import transaction

from campaign.models import BhxhOffice, Campaign, Commune, CoverageBaseline, Product, Province
from campaign.services import import_geography, save_campaign
from collectors.models import CollectionAgency, Collector, WeeklyQuota
from collectors.roles import Role, sync_role_groups
from collectors.services import post_to_province
from core.audit import without_history
from dashboard.progress.snapshots import compute_progress, days_to_backfill
from enrollments.models import GiftStock

from .awards import purge_demo_rankings, seed_awards
from .enrollments import DEMO_DAY, drop_demo_enrollments, seed_enrollments
from .names import person_name
from .renewals import seed_renewal_people

PROVINCE_CODE = 80
CAMPAIGN_CODE = "TN-CAODIEM-2025"
SEED = 20251112

# Demo BHXH cơ sở offices, one per former district, each owning the block of commune
# codes the statistics office gave that district (codes run in district blocks).
OFFICE_AREAS = [
    ("TAN-NINH", "Tân Ninh", 25459, 25480),
    ("TAN-BIEN", "Tân Biên", 25486, 25510),
    ("TAN-CHAU", "Tân Châu", 25516, 25549),
    ("DUONG-MINH-CHAU", "Dương Minh Châu", 25552, 25573),
    ("CHAU-THANH-TN", "Châu Thành (Tây Ninh)", 25579, 25621),
    ("HOA-THANH", "Hòa Thành", 25630, 25645),
    ("GO-DAU", "Gò Dầu", 25654, 25672),
    ("BEN-CAU", "Bến Cầu", 25681, 25702),
    ("TRANG-BANG", "Trảng Bàng", 25708, 25732),
    ("TAN-AN", "Tân An", 27694, 27715),
    ("TAN-HUNG", "Tân Hưng", 27721, 27736),
    ("VINH-HUNG", "Vĩnh Hưng", 27748, 27763),
    ("KIEN-TUONG", "Kiến Tường – Mộc Hóa", 27775, 27823),
    ("TAN-THANH", "Tân Thạnh", 27826, 27856),
    ("THANH-HOA", "Thạnh Hóa", 27865, 27889),
    ("DUC-HUE", "Đức Huệ", 27898, 27925),
    ("DUC-HOA", "Đức Hòa", 27931, 27979),
    ("BEN-LUC", "Bến Lức", 27991, 28018),
    ("THU-THUA", "Thủ Thừa", 28036, 28072),
    ("TAN-TRU", "Tân Trụ", 28075, 28093),
    ("CAN-DUOC", "Cần Đước", 28108, 28144),
    ("CAN-GIUOC", "Cần Giuộc", 28159, 28207),
    ("CHAU-THANH-LA", "Châu Thành (Long An)", 28210, 28243),
]

TOTAL_POPULATION = 3_250_000
BASELINE_AS_OF = date(2025, 10, 31)


@dataclass(frozen=True)
class DemoUser:
    username: str
    password: str
    role: Role
    full_name: str


DEMO_USERS = [
    DemoUser("demo_admin", "demo-admin-2025", Role.ADMIN, "Quản trị Chiến dịch"),
    DemoUser("demo_provincial", "demo-bhxh-2025", Role.PROVINCIAL, "Cán bộ BHXH Tỉnh"),
    DemoUser("demo_officer", "demo-officer-2025", Role.OFFICER, "Cán bộ Thu Bưu điện"),
]


@dataclass
class SeedReport:
    campaign: Campaign
    communes: int
    offices: int
    agencies: int
    collectors: int
    quotas: int
    enrollments: int
    users: list[DemoUser]


def seed_offices(province: Province) -> list[BhxhOffice]:
    offices = []
    for code, area, low, high in OFFICE_AREAS:
        office, _ = BhxhOffice.objects.update_or_create(
            code=f"BHXH-{code}",
            defaults={"name": f"BHXH cơ sở {area}", "province": province, "is_demo": True},
        )
        Commune.objects.filter(province=province, code__gte=f"{low:05d}", code__lte=f"{high:05d}").update(office=office)
        offices.append(office)
    return offices


def seed_campaign(province: Province) -> Campaign:
    campaign = Campaign.objects.filter(code=CAMPAIGN_CODE).first() or Campaign(code=CAMPAIGN_CODE)
    campaign.name = "Cao điểm vận động BHXH tự nguyện, BHYT hộ gia đình năm 2025"
    campaign.theme = "Bảo hiểm xã hội, bảo hiểm y tế - Vì an sinh xã hội, vì hạnh phúc muôn nhà"
    campaign.province = province
    campaign.start_date = date(2025, 11, 12)
    campaign.end_date = date(2025, 12, 16)
    campaign.bhyt_target_pct = Decimal("95.00")
    campaign.bhxh_target_pct = Decimal("45.00")
    campaign.target_date = date(2025, 12, 31)
    campaign.status = Campaign.Status.ACTIVE
    campaign.award_budget = 70_000_000
    campaign.is_demo = True
    return save_campaign(campaign=campaign)


def seed_baselines(campaign: Campaign, communes: list[Commune], rng: random.Random) -> None:
    """Per-commune counts adding up to about 3.25 million people, BHYT near 93%, BHXH near 38%."""
    weights = [rng.uniform(0.6, 1.4) * (1.7 if c.kind == Commune.Kind.PHUONG else 1.0) for c in communes]
    scale = TOTAL_POPULATION / sum(weights)
    existing = {b.commune_id: b for b in CoverageBaseline.objects.filter(campaign=campaign)}
    to_create, to_update = [], []
    for commune, weight in zip(communes, weights, strict=True):
        population = round(weight * scale)
        labour_force = round(population * rng.uniform(0.57, 0.63))
        values = {
            "population": population,
            "labour_force": labour_force,
            "bhyt_insured": round(population * rng.uniform(0.905, 0.955)),
            "bhxh_insured": round(labour_force * rng.uniform(0.33, 0.43)),
            "as_of": BASELINE_AS_OF,
        }
        baseline = existing.get(commune.pk)
        if baseline is None:
            to_create.append(CoverageBaseline(campaign=campaign, commune=commune, **values))
        else:
            for field, value in values.items():
                setattr(baseline, field, value)
            to_update.append(baseline)
    CoverageBaseline.objects.bulk_create(to_create)
    CoverageBaseline.objects.bulk_update(
        to_update, ["population", "labour_force", "bhyt_insured", "bhxh_insured", "as_of"]
    )


def seed_agencies(offices: list[BhxhOffice], rng: random.Random) -> list[CollectionAgency]:
    """A post office per office area, plus commune agents: about 60 agencies in all."""
    agencies = []
    for office in offices:
        communes = list(office.communes.order_by("code"))
        area = office.name.removeprefix("BHXH cơ sở ")
        plans = [("BD", CollectionAgency.Kind.POST_OFFICE, f"Bưu điện {area}", communes)]
        # Commune agents each take a slice of the area's communes (larger areas get more).
        agent_count = max(1, round(len(communes) * 0.4))
        for index in range(agent_count):
            served = communes[index::agent_count]
            plans.append(
                (f"DL{index + 1}", CollectionAgency.Kind.COMMUNE_AGENT, f"Đại lý thu {served[0].name}", served)
            )
        for suffix, kind, name, served in plans:
            agency, _ = CollectionAgency.objects.update_or_create(
                code=f"{office.code.removeprefix('BHXH-')}-{suffix}",
                defaults={"name": name, "kind": kind, "office": office, "active": True, "is_demo": True},
            )
            agency.communes.set(served)
            agencies.append(agency)
    return agencies


def seed_collectors(agencies: list[CollectionAgency], rng: random.Random) -> list[Collector]:
    """About 300 officers: 6–8 at a post office, 3–4 at a commune agent."""
    collectors = []
    for agency in agencies:
        low, high = (6, 8) if agency.kind == CollectionAgency.Kind.POST_OFFICE else (3, 4)
        for number in range(1, rng.randint(low, high) + 1):
            collector, _ = Collector.objects.update_or_create(
                code=f"{agency.code}-{number:02d}",
                defaults={
                    "name": person_name(rng, rng.choice(["male", "female"])),
                    "phone": f"09{rng.randint(0, 99_999_999):08d}",
                    "agency": agency,
                    "active": True,
                    "is_demo": True,
                },
            )
            collectors.append(collector)
    return collectors


def seed_quotas(campaign: Campaign, agencies: list[CollectionAgency], rng: random.Random) -> int:
    weeks = list(campaign.weeks.order_by("number"))
    rows = 0
    for agency in agencies:
        post_office = agency.kind == CollectionAgency.Kind.POST_OFFICE
        base = {
            Product.BHXH_TN: rng.randint(14, 24) if post_office else rng.randint(4, 9),
            Product.BHYT_HGD: rng.randint(70, 110) if post_office else rng.randint(22, 40),
        }
        for week in weeks:
            # Quotas climb towards the end of the campaign; a partial week gets its share.
            factor = (0.85 + 0.075 * week.number) * ((week.end_date - week.start_date).days + 1) / 7
            for product, count in base.items():
                WeeklyQuota.objects.update_or_create(
                    week=week, agency=agency, product=product, defaults={"count": max(1, round(count * factor))}
                )
                rows += 1
    return rows


def seed_users(first_post_office_collector: Collector, province: Province) -> list[DemoUser]:
    groups = sync_role_groups()
    user_model = get_user_model()
    for demo in DEMO_USERS:
        user, _ = user_model.objects.get_or_create(username=demo.username)
        # Vietnamese names read family name first: keep the whole name in one field.
        user.first_name, user.last_name = demo.full_name, ""
        user.is_staff = demo.role == Role.ADMIN
        user.is_superuser = False
        if not user.check_password(demo.password):
            user.set_password(demo.password)
        user.save()
        user.groups.set([groups[demo.role]])
        # Provincial staff see the province they are posted to; the demo's admin sees every province.
        post_to_province(user=user, province=province if demo.role == Role.PROVINCIAL else None)
        if demo.role == Role.OFFICER:
            Collector.objects.filter(user=user).exclude(pk=first_post_office_collector.pk).update(user=None)
            first_post_office_collector.user = user
            first_post_office_collector.save(update_fields=["user"])
    return DEMO_USERS


def _drop_stale_demo_rows(campaign: Campaign, agencies: list[CollectionAgency], collectors: list[Collector]) -> None:
    """Remove demo rows an earlier version of the plan made, so a re-run converges on this plan."""
    stale_collectors = Collector.objects.filter(is_demo=True).exclude(pk__in=[c.pk for c in collectors])
    stale_agencies = CollectionAgency.objects.filter(is_demo=True).exclude(pk__in=[a.pk for a in agencies])
    if stale_collectors.exists() or stale_agencies.exists():
        drop_demo_enrollments(campaign)  # they hang on the stale rows; seed_enrollments makes them anew
        purge_demo_rankings(campaign=campaign)  # so do the demo's rankings; seed_awards makes them anew
    GiftStock.objects.filter(agency__in=stale_agencies).delete()
    stale_collectors.delete()
    WeeklyQuota.objects.filter(agency__in=stale_agencies).delete()
    stale_agencies.delete()
    BhxhOffice.objects.filter(is_demo=True).exclude(code__in=[f"BHXH-{area[0]}" for area in OFFICE_AREAS]).delete()


@transaction.atomic
def seed_demo(*, enrollment_scale: float = 1.0) -> SeedReport:
    """Build or refresh the demo; ``enrollment_scale`` below 1 makes fewer enrollments (for quick tests).

    The made-up rows it writes are not in the audit trail (they would double the seed's writes);
    what the demo users do afterwards is.
    """
    with without_history():
        return _seed_demo(enrollment_scale=enrollment_scale)


def _seed_demo(*, enrollment_scale: float) -> SeedReport:
    rng = random.Random(SEED)
    province = import_geography(province_code=PROVINCE_CODE)
    offices = seed_offices(province)
    campaign = seed_campaign(province)
    communes = list(Commune.objects.filter(province=province).order_by("code"))
    seed_baselines(campaign, communes, rng)
    agencies = seed_agencies(offices, rng)
    collectors = seed_collectors(agencies, rng)
    quotas = seed_quotas(campaign, agencies, rng)
    users = seed_users(next(c for c in collectors if c.agency.kind == CollectionAgency.Kind.POST_OFFICE), province)
    _drop_stale_demo_rows(campaign, agencies, collectors)
    enrollments = seed_enrollments(campaign, seed=SEED, scale=enrollment_scale)
    seed_renewal_people(campaign, seed=SEED)
    seed_awards(campaign)
    for day in days_to_backfill(campaign, until=DEMO_DAY):  # the trend has a history on a new install
        compute_progress(campaign=campaign, day=day)
    return SeedReport(
        campaign=campaign,
        communes=len(communes),
        offices=len(offices),
        agencies=len(agencies),
        collectors=len(collectors),
        quotas=quotas,
        enrollments=enrollments,
        users=users,
    )
