"""The contribution rules in force around the first campaign, so a new install quotes correctly.

Admins edit these rows or add new ones when a decree changes a rate.
"""

from datetime import date
from decimal import Decimal

from django.db import migrations

COMMON = {
    "base_salary": 2_340_000,
    "bhyt_rate_pct": Decimal("4.50"),
    "bhyt_member2_pct": Decimal("70"),
    "bhyt_member3_pct": Decimal("60"),
    "bhyt_member4_pct": Decimal("50"),
    "bhyt_member5_pct": Decimal("40"),
    "bhyt_months": [3, 6, 12],
    "bhyt_waiting_days": 30,
    "bhxh_rate_pct": Decimal("22"),
    "bhxh_income_floor": 1_500_000,
    "bhxh_reference_level": 2_340_000,
    "bhxh_income_cap_multiple": 20,
    "bhxh_months": [1, 3, 6, 12],
    "bhxh_support_max_months": 120,
}

POLICIES = [
    {
        "effective_from": date(2024, 7, 1),
        "legal_basis": "Nghị định 73/2024/NĐ-CP (lương cơ sở 2.340.000 ₫); Luật BHXH 2014",
        "bhxh_support_poor_pct": Decimal("30"),
        "bhxh_support_near_poor_pct": Decimal("25"),
        "bhxh_support_ethnic_minority_pct": Decimal("0"),
        "bhxh_support_other_pct": Decimal("10"),
    },
    {
        "effective_from": date(2025, 7, 1),
        "legal_basis": "Luật BHXH 2024 (hiệu lực 01/07/2025); Luật BHYT; Nghị định 188/2025/NĐ-CP",
        "bhxh_support_poor_pct": Decimal("50"),
        "bhxh_support_near_poor_pct": Decimal("40"),
        "bhxh_support_ethnic_minority_pct": Decimal("30"),
        "bhxh_support_other_pct": Decimal("20"),
    },
]


def add_policies(apps, schema_editor):
    PolicyParameters = apps.get_model("campaign", "PolicyParameters")
    for policy in POLICIES:
        PolicyParameters.objects.get_or_create(
            effective_from=policy["effective_from"], defaults={**COMMON, **policy}
        )


class Migration(migrations.Migration):
    dependencies = [("campaign", "0002_policyparameters")]

    operations = [migrations.RunPython(add_policies, migrations.RunPython.noop)]
