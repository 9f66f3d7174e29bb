"""The contribution rules in force from 1/7/2026: Decree 161/2026/NĐ-CP raises the base salary.

The reference level of BHXH tự nguyện follows the base salary while it exists (Social
Insurance Law 2024 art. 141), so the highest income becomes 20 × 2.530.000 ₫. The rural
poverty line stays at 1.500.000 ₫ through 31/12/2026 (Decree 351/2025/NĐ-CP). Every other
rate is the one of the 1/7/2025 row, stated here so the row does not depend on edits to it.
"""

from datetime import date
from decimal import Decimal

from django.db import migrations

EFFECTIVE_FROM = date(2026, 7, 1)

POLICY = {
    "legal_basis": (
        "Nghị định 161/2026/NĐ-CP (lương cơ sở 2.530.000 ₫); Luật BHXH 2024; Luật BHYT; "
        "Nghị định 159/2025/NĐ-CP; Nghị định 188/2025/NĐ-CP"
    ),
    "base_salary": 2_530_000,
    "bhyt_rate_pct": Decimal("4.50"),
    "bhyt_member2_pct": Decimal("70"),
    "bhyt_member3_pct": Decimal("60"),
    "bhyt_member4_pct": Decimal("50"),
    "bhyt_member5_pct": Decimal("40"),
    "bhyt_months": [3, 6, 12],
    "bhyt_waiting_days": 30,
    "bhxh_rate_pct": Decimal("22"),
    "bhxh_income_floor": 1_500_000,
    "bhxh_reference_level": 2_530_000,
    "bhxh_income_cap_multiple": 20,
    "bhxh_support_poor_pct": Decimal("50"),
    "bhxh_support_near_poor_pct": Decimal("40"),
    "bhxh_support_ethnic_minority_pct": Decimal("30"),
    "bhxh_support_other_pct": Decimal("20"),
    "bhxh_months": [1, 3, 6, 12],
    "bhxh_support_max_months": 120,
}


def add_policy(apps, schema_editor):
    """Add the row unless an administrator already entered one for that date (then keep theirs)."""
    PolicyParameters = apps.get_model("campaign", "PolicyParameters")
    PolicyParameters.objects.get_or_create(effective_from=EFFECTIVE_FROM, defaults=POLICY)


def remove_policy(apps, schema_editor):
    PolicyParameters = apps.get_model("campaign", "PolicyParameters")
    PolicyParameters.objects.filter(effective_from=EFFECTIVE_FROM).delete()


class Migration(migrations.Migration):
    dependencies = [("campaign", "0007_import_record_moves_to_core")]

    operations = [migrations.RunPython(add_policy, remove_policy)]
