"""People due for renewal around the demo day, so the renewal lists are not empty.

The demo's enrollments all start in the campaign, so none ends within 60 days of 10/12/2025. These
are people known only from prior coverage (BHXH's list of expiring cards, with names and phones),
in the communes the demo agencies serve, whose coverage ends from 150 days before the demo day to
60 days after it: due, lapsed and renewing, lapsed and rejoining all occur.
"""

import random
from datetime import timedelta

from django.db.models import Exists, OuterRef

from campaign.models import Campaign, Commune, Product
from enrollments.models import Participant, PriorCoverage

from .enrollments import DEMO_DAY, _cccd
from .names import person_name

PEOPLE = 400
# Far above the serials of the demo's enrolled people, so the CCCD numbers never meet.
SERIAL_BASE = 900_000
DEMO_SERIALS = r"^\d{6}9\d{5}$"
SAME = ("cccd", "product", "last_coverage_end", "full_name", "date_of_birth", "sex", "commune_id", "phone")


def seed_renewal_people(campaign: Campaign, *, seed: int) -> int:
    rng = random.Random(seed + 7)
    communes = list(
        Commune.objects.filter(province=campaign.province, agencies__is_demo=True).distinct().order_by("code")
    )
    if not communes:
        return 0
    rows = []
    for number in range(PEOPLE):
        commune, sex = rng.choice(communes), rng.choice(["male", "female"])
        born = DEMO_DAY.replace(year=DEMO_DAY.year - rng.randint(18, 75), day=rng.randint(1, 28))
        rows.append(
            PriorCoverage(
                cccd=_cccd(SERIAL_BASE + number, born, sex, commune.code, rng),
                product=Product.BHYT_HGD if rng.random() < 0.75 else Product.BHXH_TN,
                last_coverage_end=DEMO_DAY + timedelta(days=rng.randint(-150, 60)),
                full_name=person_name(rng, sex),
                date_of_birth=born,
                sex=sex,
                commune=commune,
                phone=f"0{rng.choice([3, 7, 8, 9])}{rng.randint(0, 99_999_999):08d}",
            )
        )
    # Idempotent: the same rows are left alone; other rows of an earlier run (demo serials, nobody
    # enrolled) make way for these.
    earlier = PriorCoverage.objects.filter(cccd__regex=DEMO_SERIALS).filter(
        ~Exists(Participant.objects.filter(cccd=OuterRef("cccd")))
    )
    if set(earlier.values_list(*SAME)) == {tuple(getattr(row, name) for name in SAME) for row in rows}:
        return len(rows)
    earlier.delete()
    PriorCoverage.objects.bulk_create(rows, batch_size=2000, ignore_conflicts=True)
    return len(rows)
