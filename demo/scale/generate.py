"""Province-scale data for benchmarks, on top of the demo campaign: ``generate_scale_data``.

What it makes, all of it made up (seeded, so a run with the same sizes makes the same rows):

- ``agencies`` collection agencies (codes ``SCALE-…``) serving the campaign's communes, every
  commune served by at least one, and ``collectors`` officers spread over them (post offices
  have more);
- ``people`` people (participants) in households of 1–6 in the communes, in proportion to the
  baselines' populations, with CCCD numbers that agree with their birth date and sex;
- prior coverage (BHXH's records) for those who had any: the enrolled people whose enrollment is
  a rejoin or a renewal, and most of the others (cards in force, due or lapsed);
- ``enrollments`` enrollments over the campaign's days up to today, more towards the end:
  BHYT hộ gia đình by household visits (members in ladder order) and BHXH tự nguyện one by one,
  with the demo's mix of periods, incomes, support groups, channels, target groups and
  new / rejoin / renewal; the amounts are the contribution rules' own quotes
  (``enrollments.contributions``, the policy row in force on the collection day), computed once
  per distinct (policy, product, period, order or income, group) and spread over the rows;
  coverage dates and classifications come from ``enrollments.classification`` the same way;
- mugs handed over for most counted enrollments, the agencies' mug stocks, weekly quotas near
  what each agency brought in, and the coverage snapshots of every commune, product and day.

Every generated person, household and enrollment has a uuid starting with ``5ca1eda7-``, every
agency a code starting with ``SCALE-``: that is how a rerun finds them (it refuses, or with
``fresh`` deletes them first). History tables are not written (made-up data, as in the demo).
"""

import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

import numpy as np
from django.db import IntegrityError, connection, transaction
from django.db.models import F, Min
from django.utils import timezone

from campaign.models import BhxhOffice, Campaign, Commune, CoverageBaseline, Product
from campaign.weeks import week_number
from collectors.models import CollectionAgency, Collector, WeeklyQuota
from core import clock, freshness
from core.audit import without_history
from core.errors import DomainError
from dashboard.models import CoverageSnapshot
from dashboard.progress.snapshots import SNAPSHOT_FIGURES
from enrollments.classification import Classification, bhxh_coverage, bhyt_coverage, classify
from enrollments.contributions import quote_bhxh, quote_bhyt
from enrollments.models import (
    Enrollment,
    GiftIssue,
    GiftStock,
    Household,
    Participant,
    PriorCoverage,
    Source,
)
from enrollments.selectors import policy_on
from enrollments.vocabulary import COUNTED, figures_generation

from ..enrollments import BHXH_MONTHS, BHYT_MONTHS, CHANNELS, HOUSEHOLD_SIZES, KINDS, SUPPORT_GROUPS, TARGET_GROUPS
from ..names import FAMILY, FEMALE_GIVEN, FEMALE_MIDDLE, MALE_GIVEN, MALE_MIDDLE, person_name
from .tables import analyze, indexes_built_after, is_postgresql, reserve_ids, write_rows

UUID_PREFIX = "5ca1eda7"
AGENCY_PREFIX = "SCALE-"
DEFAULT_SEED = 2025
# CCCD serials of generated people: above the demo's enrolled people, below its renewal people (900000+).
SERIAL_BASE, SERIAL_LIMIT = 100_000, 900_000

BHYT_SHARE = 0.72  # of the enrollments; the rest are BHXH tự nguyện (the demo's quotas are about 4 to 1)
# Household sizes, periods, support and target groups, channels and new / rejoining / renewing: the demo's mix.
SOURCES = ([Source.WEB, Source.API, Source.IMPORT], [60, 35, 5])
CANCELLED_SHARE = 0.004
CANCEL_REASONS = ["Nhập nhầm thông tin", "Người tham gia đổi ý", "Trùng hồ sơ giấy"]
MUG_SHARE = 0.9  # of the people brought in who were handed their mug
# Of the people not enrolled in a product, those BHXH's records know a last coverage of it.
PRIOR_BHYT_SHARE, PRIOR_BHXH_SHARE = 0.85, 0.25
PLACES_ELSEWHERE = [79, 74, 86, 87, 89]  # born elsewhere in the south
# From this many rows (people and enrollments), indexes and constraints are built after the load (PostgreSQL).
REBUILD_FROM = 50_000
BULK_TABLES = (Household, Participant, PriorCoverage, Enrollment, GiftIssue)
TABLES = (Household, Participant, PriorCoverage, Enrollment, GiftIssue, GiftStock, WeeklyQuota, CoverageSnapshot)


class ScaleDataError(DomainError):
    pass


def _refuse(message: str) -> ScaleDataError:
    return ScaleDataError({"__all__": [message]})


@dataclass
class ScaleReport:
    campaign: Campaign
    agencies: int = 0
    collectors: int = 0
    quotas: int = 0
    households: int = 0
    people: int = 0
    prior_coverage: int = 0
    enrollments: int = 0
    gifts: int = 0
    snapshots: int = 0
    days: list[date] = field(default_factory=list)
    seconds: dict[str, float] = field(default_factory=dict)


def uuids(tag: int, first: int, count: int) -> list[str]:
    """Version-4-shaped uuids ``5ca1eda7-TTTT-4000-8000-NNNNNNNNNNNN``: unique per table tag and number."""
    head = f"{UUID_PREFIX}-{tag:04x}-4000-8000-"
    return [f"{head}{n:012x}" for n in range(first, first + count)]


UUID_LOW, UUID_HIGH = f"{UUID_PREFIX}-0000-0000-0000-000000000000", f"{UUID_PREFIX}-ffff-ffff-ffff-ffffffffffff"


def generated(model):
    """The generated rows of a model with a uuid."""
    return model.objects.filter(uuid__gte=UUID_LOW, uuid__lte=UUID_HIGH)


def has_scale_data() -> bool:
    return CollectionAgency.objects.filter(code__startswith=AGENCY_PREFIX).exists() or generated(Participant).exists()


def _raw_delete(queryset) -> int:
    # A plain DELETE: the ORM's delete() would load a million rows to send their signals.
    return queryset._raw_delete(queryset.db)


def delete_scale_data() -> dict[str, int]:
    """Remove every generated row (and rows others made that hang on them: enrollments of generated people)."""
    agencies = CollectionAgency.objects.filter(code__startswith=AGENCY_PREFIX)
    people = generated(Participant)
    deleted = {}
    try:
        with transaction.atomic():
            if is_postgresql():
                with connection.cursor() as cursor:
                    cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # a refusal shows here, not at the commit
            # One statement per condition: an OR of two subqueries makes PostgreSQL rescan one for every row.
            deleted["gifts"] = _raw_delete(GiftIssue.objects.filter(agency__in=agencies))
            deleted["gifts"] += _raw_delete(GiftIssue.objects.filter(participant__in=people))
            deleted["enrollments"] = _raw_delete(Enrollment.objects.filter(agency__in=agencies))
            deleted["enrollments"] += _raw_delete(Enrollment.objects.filter(participant__in=people))
            deleted["prior_coverage"] = _raw_delete(PriorCoverage.objects.filter(cccd__in=people.values("cccd")))
            deleted["people"] = _raw_delete(people)
            deleted["households"] = _raw_delete(generated(Household))
            _raw_delete(GiftStock.objects.filter(agency__in=agencies))
            _raw_delete(WeeklyQuota.objects.filter(agency__in=agencies))
            _raw_delete(Collector.objects.filter(agency__in=agencies))
            _raw_delete(CollectionAgency.communes.through.objects.filter(collectionagency__in=agencies))
            deleted["agencies"] = _raw_delete(agencies)
    except IntegrityError as exc:
        raise _refuse(
            "Rows made since the scale data (rankings, receipts, lists sent to BHXH, ...) refer to it, so it "
            f"cannot be deleted row by row; drop the scratch database instead. ({exc})"
        ) from exc
    return deleted


def _pick(rng: np.random.Generator, table, size: int) -> np.ndarray:
    values, weights = table
    p = np.asarray(weights, dtype=float)
    return rng.choice(len(values), size=size, p=p / p.sum())


def _dates(days_since_epoch: np.ndarray) -> np.ndarray:
    return days_since_epoch.astype("datetime64[D]")


def _epoch_days(day: date) -> int:
    return (day - date(1970, 1, 1)).days


def _cached(keys: np.ndarray, compute: Callable[[int], tuple]) -> list[np.ndarray]:
    """``compute`` once per distinct key, its results spread over the rows as arrays (one per result)."""
    unique, inverse = np.unique(keys, return_inverse=True)
    results = [compute(int(key)) for key in unique]
    return [np.array([r[i] for r in results], dtype=object)[inverse] for i in range(len(results[0]))] if results else []


class _Generator:
    def __init__(self, campaign: Campaign, *, seed: int, log: Callable[[str], None]):
        self.campaign = campaign
        self.rng = np.random.default_rng(seed)
        self.pyrng = random.Random(seed)
        self.log = log
        self.now = clock.now()
        self.baselines = list(
            CoverageBaseline.objects.filter(campaign=campaign).select_related("commune").order_by("commune__code")
        )
        if not self.baselines:
            raise _refuse(f"Campaign {campaign.code} has no coverage baselines: run seed_demo first.")
        self.communes = [b.commune for b in self.baselines]
        self.days = self._days()
        self.weeks = {w.number: w.pk for w in campaign.weeks.all()}

    def _days(self) -> list[date]:
        campaign, today = self.campaign, clock.today()
        if today < campaign.start_date:
            raise _refuse(f"Campaign {campaign.code} starts on {campaign.start_date:%d/%m/%Y}, after today.")
        last = min(campaign.end_date, today)
        return [campaign.start_date + timedelta(days=n) for n in range((last - campaign.start_date).days + 1)]

    # --- agencies and officers ----------------------------------------------------------------

    def agencies(self, count: int) -> tuple[list[CollectionAgency], list[list[int]]]:
        """The agencies and, per commune (by index), the indexes of the agencies serving it."""
        n = len(self.communes)
        fallback = BhxhOffice.objects.filter(province=self.campaign.province).order_by("code").first()
        served: list[set[int]] = []
        for k in range(count):
            if count <= n:
                served.append(set(range(k, n, count)))
            else:
                home = k % n
                served.append({home, (home + 1) % n} if self.pyrng.random() < 0.3 else {home})
        width = max(3, len(str(count)))
        agencies = []
        first = reserve_ids(CollectionAgency, count)
        for k, communes in enumerate(served):
            home = self.communes[min(communes)]
            office = home.office or fallback
            if office is None:
                raise _refuse("The campaign's communes have no BHXH office: run seed_demo first.")
            kind = (
                CollectionAgency.Kind.POST_OFFICE
                if k % 5 == 0
                else CollectionAgency.Kind.OTHER
                if k % 17 == 3
                else CollectionAgency.Kind.COMMUNE_AGENT
            )
            label = {"post_office": "Bưu điện", "commune_agent": "Đại lý thu", "other": "Tổ chức thu"}[kind]
            agencies.append(
                CollectionAgency(
                    pk=first + k,
                    uuid=uuids(0x10, k, 1)[0],
                    code=f"{AGENCY_PREFIX}{k + 1:0{width}d}",
                    name=f"{label} {home.name} (thử tải {k + 1})",
                    kind=kind,
                    office=office,
                )
            )
        CollectionAgency.objects.bulk_create(agencies)
        through = CollectionAgency.communes.through
        through.objects.bulk_create(
            through(collectionagency_id=agencies[k].pk, commune_id=self.communes[c].pk)
            for k, communes in enumerate(served)
            for c in sorted(communes)
        )
        by_commune = [[] for _ in self.communes]
        for k, communes in enumerate(served):
            for c in communes:
                by_commune[c].append(k)
        return agencies, by_commune

    def collectors(self, agencies: list[CollectionAgency], count: int) -> tuple[list[Collector], list[list[int]]]:
        weights = np.array([2.5 if a.kind == CollectionAgency.Kind.POST_OFFICE else 1.0 for a in agencies])
        per_agency = 1 + self.rng.multinomial(count - len(agencies), weights / weights.sum())
        first = reserve_ids(Collector, count)
        collectors, of_agency = [], []
        for k, (agency, number) in enumerate(zip(agencies, per_agency, strict=True)):
            of_agency.append([])
            for n in range(1, number + 1):
                sex = self.pyrng.choice(["male", "female"])
                of_agency[k].append(len(collectors))
                collectors.append(
                    Collector(
                        pk=first + len(collectors),
                        uuid=uuids(0x11, len(collectors), 1)[0],
                        code=f"{agency.code}-{n:02d}",
                        name=person_name(self.pyrng, sex),
                        phone=f"09{self.pyrng.randint(0, 99_999_999):08d}",
                        agency=agency,
                    )
                )
        Collector.objects.bulk_create(collectors, batch_size=2000)
        return collectors, of_agency

    # --- households and people ------------------------------------------------------------------

    def people(self, count: int) -> dict[str, np.ndarray]:
        rng = self.rng
        populations = np.array([b.population for b in self.baselines], dtype=float)
        sizes = np.array(HOUSEHOLD_SIZES[0])[_pick(rng, HOUSEHOLD_SIZES, count // 2 + 10)]
        while sizes.sum() < count:
            sizes = np.concatenate([sizes, np.array(HOUSEHOLD_SIZES[0])[_pick(rng, HOUSEHOLD_SIZES, count // 4 + 10)]])
        ends = np.cumsum(sizes)
        households = int(np.searchsorted(ends, count) + 1)
        sizes = sizes[:households]
        sizes[-1] -= ends[households - 1] - count
        starts = np.concatenate(([0], np.cumsum(sizes)[:-1]))
        household_commune = rng.choice(len(self.communes), size=households, p=populations / populations.sum())
        household = np.repeat(np.arange(households), sizes)
        member = np.arange(count) - starts[household]
        commune = household_commune[household]
        female = rng.integers(0, 2, count)
        year = self.campaign.start_date.year
        age = np.where(member == 0, rng.integers(22, 76, count), rng.integers(0, 86, count))
        born_year = year - age
        born = (
            (born_year - 1970).astype("datetime64[Y]").astype("datetime64[M]")
            + rng.integers(0, 12, count).astype("timedelta64[M]")
        ).astype("datetime64[D]") + rng.integers(0, 28, count).astype("timedelta64[D]")
        home_place = np.array([72 if c.code.startswith("25") else 80 for c in self.communes])[commune]
        elsewhere = rng.random(count) < 0.06
        other_place = np.array(PLACES_ELSEWHERE)[rng.integers(0, len(PLACES_ELSEWHERE), count)]
        place = np.where(elsewhere, other_place, home_place)
        century_sex = (born_year // 100 - 19) * 2 + female
        key = place * 1000 + century_sex * 100 + born_year % 100
        order = np.argsort(key, kind="stable")
        sorted_keys = key[order]
        group_start = np.searchsorted(sorted_keys, sorted_keys, side="left")
        serial = np.empty(count, dtype=np.int64)
        serial[order] = SERIAL_BASE + np.arange(count) - group_start
        if count and serial.max() >= SERIAL_LIMIT:
            raise _refuse("Too many people for the CCCD serials of one birth year; ask for fewer people.")
        number = place.astype(np.int64) * 10**9 + century_sex * 10**8 + (born_year % 100) * 10**6 + serial
        cccd = np.char.zfill(number.astype(str), 12)

        family = rng.integers(0, len(FAMILY), households)[household]
        # Every name there can be, once: family × (men's middle × given, then women's); each person an index.
        table = np.array(
            [
                f"{f} {m} {g}"
                for f in FAMILY
                for middles, givens in ((MALE_MIDDLE, MALE_GIVEN), (FEMALE_MIDDLE, FEMALE_GIVEN))
                for m in middles
                for g in givens
            ]
        )
        men, women = len(MALE_MIDDLE) * len(MALE_GIVEN), len(FEMALE_MIDDLE) * len(FEMALE_GIVEN)
        within = np.where(female == 1, men + rng.integers(0, women, count), rng.integers(0, men, count))
        names = table[family * (men + women) + within]
        has_phone = rng.random(count) < 0.8
        phone_digits = np.array([3, 7, 8, 9])[rng.integers(0, 4, count)] * 10**8 + rng.integers(0, 10**8, count)
        phones = np.where(has_phone, np.char.add("0", phone_digits.astype(str)), "")
        return {
            "households": households,
            "household_size": sizes,
            "household_start": starts,
            "household_commune": household_commune,
            "household": household,
            "member": member,
            "commune": commune,
            "female": female,
            "age": age,
            "born": born,
            "cccd": cccd,
            "names": names,
            "phone": phones,
            "target_group": _pick(rng, TARGET_GROUPS, count),
        }

    def write_people(self, people: dict, order: np.ndarray) -> tuple[int, int]:
        """Households, then people in ``order`` (ids follow it)."""
        households, count = people["households"], len(people["cccd"])
        commune_ids = np.array([c.pk for c in self.communes])
        first_household = reserve_ids(Household, households)
        heads = people["household_start"]
        head_names = people["names"][heads]
        codes = np.array([c.code for c in self.communes])[people["household_commune"]]
        hamlet = self.rng.integers(1, 10, households)
        commune_names = [c.name for c in self.communes]
        write_rows(
            Household,
            {
                "id": first_household + np.arange(households),
                "uuid": uuids(0x20, 0, households),
                "code": [f"SC-{c}-{n:07d}" for n, c in enumerate(codes.tolist())],
                "head_name": head_names,
                "address": [
                    f"Ấp {h}, {commune_names[c]}"
                    for h, c in zip(hamlet.tolist(), people["household_commune"].tolist(), strict=True)
                ],
                "commune_id": commune_ids[people["household_commune"]],
                "is_demo": False,
            },
            households,
        )
        first_person = reserve_ids(Participant, count)
        people["id"] = np.empty(count, dtype=np.int64)
        people["id"][order] = first_person + np.arange(count)
        write_rows(
            Participant,
            {
                "id": first_person + np.arange(count),
                "uuid": uuids(0x21, 0, count),
                "cccd": people["cccd"][order],
                "bhxh_code": "",
                "full_name": people["names"][order],
                "date_of_birth": people["born"][order],
                "sex": np.where(people["female"][order] == 1, "female", "male"),
                "phone": people["phone"][order],
                "commune_id": commune_ids[people["commune"][order]],
                "household_id": first_household + people["household"][order],
                "target_group": np.array(TARGET_GROUPS[0], dtype=object)[people["target_group"][order]].astype(str),
                "is_demo": False,
                "created_at": people["created_at"][order],
                "updated_at": people["created_at"][order],
            },
            count,
        )
        return households, count

    # --- enrollments ----------------------------------------------------------------------------

    def enrollments(self, people: dict, total: int, agencies, by_commune, collectors, of_agency) -> dict:
        rng = self.rng
        count = len(people["cccd"])
        bhyt_total = round(total * BHYT_SHARE)
        bhxh_total = total - bhyt_total
        adults = np.flatnonzero((people["age"] >= 18) & (people["age"] <= 60))
        if bhyt_total > count or bhxh_total > len(adults):
            raise _refuse(
                f"{total:,} enrollments need more people: about {BHYT_SHARE:.0%} are BHYT hộ gia đình (one per "
                f"person) and the rest BHXH tự nguyện (people of 18 to 60). Ask for at least "
                f"{max(bhyt_total, round(bhxh_total / 0.55)):,} people."
            )
        # BHYT: whole households in a random order until there are enough members (the last one partly).
        visit_order = rng.permutation(people["households"])
        sizes = people["household_size"][visit_order]
        taken = int(np.searchsorted(np.cumsum(sizes), bhyt_total) + 1) if bhyt_total else 0
        visited = visit_order[:taken]
        sizes = sizes[:taken].copy()
        if taken:
            sizes[-1] -= int(sizes.sum()) - bhyt_total
        bhyt_person = (
            np.concatenate([np.arange(n) + s for s, n in zip(people["household_start"][visited], sizes, strict=True)])
            if taken
            else np.zeros(0, dtype=np.int64)
        )
        bhyt_order = np.concatenate([np.arange(1, n + 1) for n in sizes]) if taken else np.zeros(0, dtype=np.int64)
        bhyt_visit = np.repeat(np.arange(taken), sizes)
        bhxh_person = rng.choice(adults, size=bhxh_total, replace=False)
        visits = taken + bhxh_total

        person = np.concatenate([bhyt_person, bhxh_person]).astype(np.int64)
        visit = np.concatenate([bhyt_visit, taken + np.arange(bhxh_total)])
        is_bhyt = np.arange(total) < bhyt_total
        commune_of_visit = people["commune"][np.concatenate([people["household_start"][visited], bhxh_person])]

        # Per visit: the day (more towards the end, fewer on Sundays), agency, officer, channel, period.
        last = max(len(self.days) - 1, 1)
        weights = np.array([(1 + 2 * n / last) * (0.6 if d.weekday() == 6 else 1) for n, d in enumerate(self.days)])
        day = rng.choice(len(self.days), size=visits, p=weights / weights.sum())
        serving_count = np.array([len(a) for a in by_commune])
        serving = np.full((len(by_commune), serving_count.max()), -1)
        for c, a in enumerate(by_commune):
            serving[c, : len(a)] = a
        agency = serving[commune_of_visit, (rng.random(visits) * serving_count[commune_of_visit]).astype(int)]
        officer_count = np.array([len(o) for o in of_agency])
        officers = np.full((len(of_agency), officer_count.max()), -1)
        for k, o in enumerate(of_agency):
            officers[k, : len(o)] = o
        # Officers are not equally busy: a skewed pick within the agency.
        collector = officers[agency, (rng.random(visits) ** 1.5 * officer_count[agency]).astype(int)]
        channel = _pick(rng, CHANNELS, visits)
        bhyt_months = np.array(BHYT_MONTHS[0])[_pick(rng, BHYT_MONTHS, visits)]
        bhxh_months = np.array(BHXH_MONTHS[0])[_pick(rng, BHXH_MONTHS, visits)]
        months = np.where(is_bhyt, bhyt_months[visit], bhxh_months[visit])
        day_of = day[visit]
        # When the visit was typed in: the collection day, 7:00–18:59 local; a few days later now and then.
        day_numbers = np.array([_epoch_days(d) for d in self.days])
        late = np.where(rng.random(visits) < 0.05, rng.integers(1, 4, visits), 0)
        recorded_day = np.minimum(day_numbers[day] + late, day_numbers[-1])
        offset = int(self.now.utcoffset().total_seconds()) if timezone.is_aware(self.now) else 0
        visit_seconds = recorded_day * 86_400 + rng.integers(7 * 3600, 19 * 3600, visits) - offset
        # A receipt per visit, numbered within its agency in the order they were typed in.
        by_agency = np.lexsort((visit_seconds, agency))
        rank = np.empty(visits, dtype=np.int64)
        sorted_agency = agency[by_agency]
        rank[by_agency] = np.arange(visits) - np.searchsorted(sorted_agency, sorted_agency, side="left") + 1

        # Per enrollment: the kind, and the prior coverage that makes it that kind.
        collected = day_numbers[day_of]
        wanted = _pick(rng, KINDS, total)
        last_end = np.where(
            wanted == 1,
            collected - rng.integers(100, 900, total),
            np.where(wanted == 2, collected + rng.integers(-75, 41, total), -(10**6)),
        )
        has_prior = wanted != 0
        product_code = np.where(is_bhyt, 0, 1)

        policies = self._policies()
        policy_of_day = np.array([policies["index"][d] for d in self.days])[day_of]
        # Classification and coverage dates: the rules of enrollments.classification, once per distinct case.
        classification, coverage_start, coverage_end = self._kinds_and_dates(product_code, last_end, day_of, months)

        # Amounts: the contribution quote once per (policy, product, period, order) or (…, income, group).
        floor = np.array([row.policy.bhxh_income_floor for row in policies["rows"]])[policy_of_day]
        income = np.where(
            rng.random(total) < 0.6, floor, np.maximum(floor, rng.integers(20, 51, total) * 100_000)
        ).astype(np.int64)
        group = _pick(rng, SUPPORT_GROUPS, total)
        order = np.zeros(total, dtype=np.int64)
        order[:bhyt_total] = bhyt_order
        amount_due, state_support, supported_months, amount_payable, member_order, support_group = self._amounts(
            is_bhyt, policy_of_day, months, order, group, income
        )

        # A household's members one after the other, 20 seconds apart.
        seconds = visit_seconds[visit] + 20 * np.maximum(order - 1, 0)
        seconds = np.minimum(seconds, int(self.now.timestamp()))
        recorded_at = seconds.astype("datetime64[s]")
        cancelled = rng.random(total) < CANCELLED_SHARE
        week_of_day = np.array(
            [self.weeks[week_number(self.campaign.start_date, self.campaign.end_date, d)] for d in self.days]
        )
        return {
            "count": total,
            "first_day": self.days[0] - timedelta(days=30),
            "person": person,
            "is_bhyt": is_bhyt,
            "visit": visit,
            "day": day_of,
            "collected": collected,
            "week": week_of_day[day_of],
            "agency": agency[visit],
            "collector": collector[visit],
            "channel": channel[visit],
            "receipt": rank[visit],
            "months": months,
            "last_end": last_end,
            "has_prior": has_prior,
            "classification": classification.astype(str),
            "coverage_start": coverage_start.astype(np.int64),
            "coverage_end": coverage_end.astype(np.int64),
            "income": income,
            "support_group": support_group.astype(str),
            "member_order": member_order,
            "amount_due": amount_due.astype(np.int64),
            "state_support": state_support.astype(np.int64),
            "supported_months": supported_months.astype(np.int64),
            "amount_payable": amount_payable.astype(np.int64),
            "recorded_at": recorded_at,
            "cancelled": cancelled,
            "source": _pick(rng, SOURCES, total),
        }

    def _kinds_and_dates(self, product_code, last_end, day_of, months) -> tuple[np.ndarray, ...]:
        policies = self._policies()
        span = 2**21
        shifted_end = last_end + span // 2
        kinds = [str(kind) for kind in Classification]

        def end_of(shifted: int) -> date | None:
            days = shifted - span // 2
            return None if days < -(10**5) else date(1970, 1, 1) + timedelta(days=days)

        def kind_of(key: int) -> tuple:
            shifted, day_index = divmod(key, 512)
            return (kinds.index(classify(last_coverage_end=end_of(shifted), collected_on=self.days[day_index])),)

        (kind,) = _cached(shifted_end * 512 + day_of, kind_of)
        kind = kind.astype(np.int64)
        # Only a renewal's dates depend on the last coverage's end (new and rejoining people start afresh).
        renewal = kind == kinds.index(Classification.RENEWAL)
        case = (((product_code * 3 + kind) * span + np.where(renewal, shifted_end, 0)) * 512 + day_of) * 16 + months

        def coverage_of(key: int) -> tuple:
            rest, month_count = divmod(key, 16)
            rest, day_index = divmod(rest, 512)
            rest, shifted = divmod(rest, span)
            product_index, kind_index = divmod(rest, 3)
            on, end, classification = self.days[day_index], end_of(shifted), Classification(kinds[kind_index])
            if product_index == 0:
                waiting = policies["rows"][policies["index"][on]].bhyt_waiting_days
                start, stop = bhyt_coverage(
                    classification=classification,
                    last_coverage_end=end,
                    collected_on=on,
                    months=month_count,
                    waiting_days=waiting,
                )
            else:
                start, stop = bhxh_coverage(
                    classification=classification, last_coverage_end=end, collected_on=on, months=month_count
                )
            return _epoch_days(start), _epoch_days(stop)

        coverage_start, coverage_end = _cached(case, coverage_of)
        classification = np.array(kinds)[kind]
        return classification, coverage_start, coverage_end

    def _amounts(self, is_bhyt, policy_of_day, months, order, group, income) -> list[np.ndarray]:
        policies = self._policies()
        money_key = np.where(
            is_bhyt,
            (policy_of_day * 16 + months) * 16 + order,
            -1 - (((policy_of_day * 16 + months) * 8 + group) * 10**9 + income),
        )

        def quote_of(key: int) -> tuple:
            if key >= 0:
                rest, member_order = divmod(key, 16)
                policy_index, month_count = divmod(rest, 16)
                quote = quote_bhyt(policies["rows"][policy_index].policy, months=month_count, member_order=member_order)
            else:
                rest, income_value = divmod(-1 - key, 10**9)
                rest, group_index = divmod(rest, 8)
                policy_index, month_count = divmod(rest, 16)
                quote = quote_bhxh(
                    policies["rows"][policy_index].policy,
                    months=month_count,
                    income=income_value,
                    support_groups=[SUPPORT_GROUPS[0][group_index]],
                )
            return (
                quote.amount_due,
                quote.state_support,
                quote.supported_months,
                quote.amount_payable,
                quote.member_order,
                quote.support_group or "",
            )

        return _cached(money_key, quote_of)

    @staticmethod
    def in_recorded_order(e: dict) -> dict:
        """The enrollments in the order they were typed in, as ids grow in a real table."""
        order = np.argsort(e["recorded_at"], kind="stable")
        return {k: v[order] if isinstance(v, np.ndarray) and len(v) == e["count"] else v for k, v in e.items()}

    @staticmethod
    def people_order(people: dict, e: dict) -> np.ndarray:
        """People household by household, as a register of the province's people would be loaded: an order that
        has nothing to do with when each one enrolls.

        (Ids that grow with the enrollments, as when each person is stored at their first one, make the rebuilt
        GiST index of the no-overlapping-coverage constraint see its first column in rising order, which
        PostgreSQL 15 builds 2–2.5× slower than in this order: at a million enrollments, minutes.)
        """
        count = len(people["cccd"])
        first = np.full(count, e["count"], dtype=np.int64)
        np.minimum.at(first, e["person"], np.arange(e["count"]))
        # Created when first recorded; people known from elsewhere (imports, earlier years) before the campaign.
        before = np.datetime64(datetime.combine(e["first_day"], datetime.min.time()), "s") - np.timedelta64(7, "h")
        recorded = np.append(e["recorded_at"], before)
        people["created_at"] = recorded[first]
        return np.arange(count)

    def _policies(self) -> dict:
        """The policy rows in force over the campaign's days (looked up once per day, kept)."""
        if getattr(self, "_policy_rows", None) is None:
            self._policy_rows = self._look_up_policies()
        return self._policy_rows

    def _look_up_policies(self) -> dict:
        rows, index = [], {}
        for day in self.days:
            in_force = policy_on(day)
            known = next((n for n, row in enumerate(rows) if row.policy == in_force.policy), None)
            if known is None:
                rows.append(in_force)
                known = len(rows) - 1
            index[day] = known
        return {"rows": rows, "index": index}

    def write_enrollments(self, people: dict, e: dict, agencies, collectors) -> np.ndarray:
        total = e["count"]
        first = reserve_ids(Enrollment, total)
        ids = first + np.arange(total)
        agency_ids = np.array([a.pk for a in agencies])
        collector_ids = np.array([c.pk for c in collectors])
        is_bhyt = e["is_bhyt"]
        cancelled = e["cancelled"]
        reasons = np.array(CANCEL_REASONS)[self.rng.integers(0, len(CANCEL_REASONS), total)]
        width = max(4, len(str(len(agencies))))
        receipt = [
            f"SC{a + 1:0{width}d}-{n:07d}" for a, n in zip(e["agency"].tolist(), e["receipt"].tolist(), strict=True)
        ]
        write_rows(
            Enrollment,
            {
                "id": ids,
                "uuid": uuids(0x30, 0, total),
                "participant_id": people["id"][e["person"]],
                "product": np.where(is_bhyt, Product.BHYT_HGD.value, Product.BHXH_TN.value),
                "campaign_id": self.campaign.pk,
                "week_id": e["week"],
                "agency_id": agency_ids[e["agency"]],
                "collector_id": collector_ids[e["collector"]],
                "collected_on": _dates(e["collected"]),
                "months": e["months"],
                "coverage_start": _dates(e["coverage_start"]),
                "coverage_end": _dates(e["coverage_end"]),
                "income": [None if b else int(i) for b, i in zip(is_bhyt.tolist(), e["income"].tolist(), strict=True)],
                "support_group": e["support_group"],
                "member_order": [None if m is None else int(m) for m in e["member_order"].tolist()],
                "amount_due": e["amount_due"],
                "state_support": e["state_support"],
                "supported_months": e["supported_months"],
                "amount_payable": e["amount_payable"],
                "receipt_no": receipt,
                "channel": np.array(CHANNELS[0], dtype=object)[e["channel"]].astype(str),
                "classification": e["classification"],
                "status": np.where(cancelled, Enrollment.Status.CANCELLED.value, Enrollment.Status.RECORDED.value),
                "source": np.array(SOURCES[0], dtype=object)[e["source"]].astype(str),
                "recorded_at": e["recorded_at"],
                "cancel_reason": np.where(cancelled, reasons, ""),
                "cancelled_at": np.where(
                    cancelled, e["recorded_at"] + np.timedelta64(2, "h"), np.datetime64("NaT", "s")
                ).astype("datetime64[s]"),
            },
            total,
        )
        return ids

    def prior_coverage(self, people: dict, e: dict) -> int:
        """BHXH's last known coverage: what made each enrollment a rejoin or renewal, and most other people's."""
        rng, count = self.rng, len(people["cccd"])
        commune_ids = np.array([c.pk for c in self.communes])
        last_day = _epoch_days(self.days[-1])
        parts = []
        for product_index, product, share, eligible in (
            (0, Product.BHYT_HGD, PRIOR_BHYT_SHARE, np.ones(count, dtype=bool)),
            (1, Product.BHXH_TN, PRIOR_BHXH_SHARE, people["age"] >= 18),
        ):
            mine = e["is_bhyt"] == (product_index == 0)
            enrolled = np.zeros(count, dtype=bool)
            enrolled[e["person"][mine]] = True
            with_prior = mine & e["has_prior"]
            others = np.flatnonzero(~enrolled & eligible & (rng.random(count) < share))
            person = np.concatenate([e["person"][with_prior], others])
            end = np.concatenate([e["last_end"][with_prior], last_day + rng.integers(-420, 366, len(others))])
            parts.append((product, person, end))
        total = sum(len(p) for _, p, _ in parts)
        write_rows(
            PriorCoverage,
            {
                "cccd": np.concatenate([people["cccd"][p] for _, p, _ in parts]),
                "product": np.concatenate([np.full(len(p), product) for product, p, _ in parts]),
                "last_coverage_end": _dates(np.concatenate([end for _, _, end in parts])),
                "commune_id": np.concatenate([commune_ids[people["commune"][p]] for _, p, _ in parts]),
                "imported_at": np.datetime64(self.now.replace(tzinfo=None) - self.now.utcoffset(), "s"),
            },
            total,
        )
        return total

    def gifts(self, people: dict, e: dict, enrollment_ids: np.ndarray, agencies) -> int:
        """A mug for most people brought in (one per person per campaign), and each agency's stock."""
        counted = (e["classification"] != Classification.RENEWAL.value) & ~e["cancelled"]
        chosen = np.flatnonzero(counted & (self.rng.random(e["count"]) < MUG_SHARE))
        _, first = np.unique(e["person"][chosen], return_index=True)
        chosen = chosen[np.sort(first)]
        agency_ids = np.array([a.pk for a in agencies])
        write_rows(
            GiftIssue,
            {
                "campaign_id": self.campaign.pk,
                "participant_id": people["id"][e["person"][chosen]],
                "enrollment_id": enrollment_ids[chosen],
                "agency_id": agency_ids[e["agency"][chosen]],
                "issued_at": e["recorded_at"][chosen],
                "flagged": False,
                "flag_note": "",
            },
            len(chosen),
        )
        issued = np.bincount(e["agency"][chosen], minlength=len(agencies))
        GiftStock.objects.bulk_create(
            GiftStock(
                campaign=self.campaign,
                agency=agency,
                received=int(n + n // 7 + 20),
                on_hand=int(n // 7 + 20),
            )
            for agency, n in zip(agencies, issued.tolist(), strict=True)
        )
        return len(chosen)

    def quotas(self, e: dict, agencies) -> int:
        """Weekly quotas near what each agency brought in (80–125 %), so attainment varies around 100 %."""
        counted = (e["classification"] != Classification.RENEWAL.value) & ~e["cancelled"]
        week_ids = sorted(self.weeks.values())
        week_index = {pk: n for n, pk in enumerate(week_ids)}
        weeks = np.array([week_index[w] for w in e["week"].tolist()], dtype=np.int64)
        product = np.where(e["is_bhyt"], 1, 0)
        cell = (e["agency"] * len(week_ids) + weeks) * 2 + product
        brought = np.bincount(cell[counted], minlength=len(agencies) * len(week_ids) * 2)
        factor = self.rng.uniform(0.8, 1.25, len(brought))
        rows = []
        for k, agency in enumerate(agencies):
            for w, week_id in enumerate(week_ids):
                for p, name in ((0, Product.BHXH_TN), (1, Product.BHYT_HGD)):
                    n = brought[(k * len(week_ids) + w) * 2 + p]
                    rows.append(
                        WeeklyQuota(
                            week_id=week_id, agency=agency, product=name, count=max(1, round(n / factor[len(rows)]))
                        )
                    )
        WeeklyQuota.objects.bulk_create(rows, batch_size=2000)
        return len(rows)

    def snapshots(self) -> int:
        """Every commune's coverage per product and day, as compute_progress stores it, in one aggregate query.

        A person counts in their commune from the first day of a counted enrollment collected since the
        commune's baseline (the definition of ``dashboard.progress.queries.added_by_commune``); the
        snapshot of a day is the running sum of those first days.
        """
        campaign = self.campaign
        firsts = (
            Enrollment.objects.filter(
                COUNTED,
                campaign=campaign,
                participant__commune__baselines__campaign=campaign,
                collected_on__gte=F_AS_OF,
            )
            .order_by()
            .values("participant_id", "product", commune=F_COMMUNE)
            .annotate(first_day=Min("collected_on"))
        )
        # Stamped before counting, as compute_progress does: the dashboards carry their figures forward
        # from these snapshots (dashboard.progress.incremental), which trusts only stamped ones.
        people_as_of = timezone.now()
        inner, params = firsts.query.sql_with_params()
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT commune, product, first_day, COUNT(*) FROM ({inner}) AS firsts "  # the ORM's own SQL
                "GROUP BY commune, product, first_day",
                params,
            )
            rows = cursor.fetchall()
        new_on: dict[tuple[int, str], dict[date, int]] = {}
        for commune_id, product, first_day, people in rows:
            if isinstance(first_day, str):  # SQLite hands dates back as text here
                first_day = date.fromisoformat(first_day)
            new_on.setdefault((commune_id, product), {})[first_day] = people
        now = clock.now()
        snapshots = []
        for baseline in self.baselines:
            for product, denominator, insured in (
                (Product.BHYT_HGD, baseline.population, baseline.bhyt_insured),
                (Product.BHXH_TN, baseline.labour_force, baseline.bhxh_insured),
            ):
                by_day = new_on.get((baseline.commune_id, product), {})
                before = sum(n for d, n in by_day.items() if d < self.days[0])
                added = before
                for day in self.days:
                    added += by_day.get(day, 0)
                    snapshots.append(
                        CoverageSnapshot(
                            campaign=campaign,
                            commune_id=baseline.commune_id,
                            product=product,
                            day=day,
                            denominator=denominator,
                            baseline_insured=insured,
                            added=added,
                            insured=insured + added,
                            baseline_as_of=baseline.as_of,
                            people_as_of=people_as_of,
                            computed_at=now,
                        )
                    )
        CoverageSnapshot.objects.bulk_create(
            snapshots,
            batch_size=1000,
            update_conflicts=True,
            unique_fields=["campaign", "commune", "product", "day"],
            update_fields=SNAPSHOT_FIGURES,
        )
        return len(snapshots)


# The commune's baseline date and the person's commune, as added_by_commune reads them.
F_AS_OF = F("participant__commune__baselines__as_of")
F_COMMUNE = F("participant__commune_id")


def generate_scale_data(
    campaign: Campaign,
    *,
    people: int,
    enrollments: int,
    agencies: int,
    collectors: int,
    fresh: bool = False,
    seed: int = DEFAULT_SEED,
    log: Callable[[str], None] = lambda message: None,
) -> ScaleReport:
    """Generate the data (see the module's docstring) in one transaction; ANALYZE the tables afterwards."""
    if not campaign.is_demo:
        raise _refuse(f"Campaign {campaign.code} is not the demo's: scale data goes only into a demo campaign.")
    if min(people, enrollments, agencies, collectors) < 0 or agencies < 1:
        raise _refuse("Give at least one agency, and no negative numbers.")
    if collectors < agencies:
        raise _refuse(f"Every agency needs an officer: give at least {agencies} collectors.")
    if has_scale_data() and not fresh:
        raise _refuse(
            "This database already has scale data (agencies SCALE-…). Run again with --fresh to delete it "
            "first, or use a new database."
        )
    report = ScaleReport(campaign=campaign)
    clock_started = datetime.now()

    def step(name: str, started: datetime) -> None:
        seconds = (datetime.now() - started).total_seconds()
        report.seconds[name] = seconds
        log(f"  {name}: {seconds:.1f} s")

    with without_history(), transaction.atomic():
        if is_postgresql():
            # Each row checked as it is written: a million deferred checks would queue up in memory.
            with connection.cursor() as cursor:
                cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
                cursor.execute("SET LOCAL jit = off")  # compiling the few big queries costs more than it saves
        generator = _Generator(campaign, seed=seed, log=log)
        report.days = generator.days
        rebuild = BULK_TABLES if people + enrollments >= REBUILD_FROM else ()
        with indexes_built_after(rebuild, log=log):
            if fresh:
                started = datetime.now()
                delete_scale_data()
                step("deleted the earlier scale data", started)
            started = datetime.now()
            agency_rows, by_commune = generator.agencies(agencies)
            collector_rows, of_agency = generator.collectors(agency_rows, collectors)
            report.agencies, report.collectors = len(agency_rows), len(collector_rows)
            step("agencies and officers", started)
            started = datetime.now()
            plan = generator.people(people)
            step("people planned", started)
            started = datetime.now()
            e = generator.enrollments(plan, enrollments, agency_rows, by_commune, collector_rows, of_agency)
            e = generator.in_recorded_order(e)
            step("enrollments planned", started)
            started = datetime.now()
            report.households, report.people = generator.write_people(plan, generator.people_order(plan, e))
            step("households and people written", started)
            started = datetime.now()
            report.prior_coverage = generator.prior_coverage(plan, e)
            step("prior coverage written", started)
            started = datetime.now()
            ids = generator.write_enrollments(plan, e, agency_rows, collector_rows)
            report.enrollments = e["count"]
            step("enrollments written", started)
            started = datetime.now()
            report.gifts = generator.gifts(plan, e, ids, agency_rows)
            report.quotas = generator.quotas(e, agency_rows)
            step("mugs, stocks and quotas written", started)
            started = datetime.now()
        step("indexes and constraints put back", started)
        analyze([CoverageBaseline, Commune])
        started = datetime.now()
        report.snapshots = generator.snapshots()
        step("coverage snapshots written", started)
        freshness.bump_on_commit(figures_generation(campaign.pk))
        freshness.bump_on_commit(freshness.SETUP)
    started = datetime.now()
    # The tables whose indexes were rebuilt were analyzed after their load (indexes_built_after) and not
    # written since: once is enough.
    analyze([CollectionAgency, Collector, *(table for table in TABLES if table not in rebuild)])
    step("ANALYZE", started)
    report.seconds["total"] = (datetime.now() - clock_started).total_seconds()
    return report
