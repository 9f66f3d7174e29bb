"""The PolicyParameters rows a new install gets, and the 1/7/2026 migration run both ways."""

import importlib
from datetime import date
from decimal import Decimal

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from campaign.models import PolicyParameters

pytestmark = pytest.mark.django_db

FROM_2026 = importlib.import_module("campaign.migrations.0008_policy_from_2026_07_01")


@pytest.fixture
def migration_apps():
    """The models as the 1/7/2026 migration sees them."""
    return MigrationExecutor(connection).loader.project_state(("campaign", "0008_policy_from_2026_07_01")).apps


def test_a_new_install_has_the_three_policies_of_domain_md():
    assert list(PolicyParameters.objects.values_list("effective_from", flat=True)) == [
        date(2026, 7, 1),
        date(2025, 7, 1),
        date(2024, 7, 1),
    ]


def test_the_row_from_1_july_2026_has_the_rates_of_decree_161_2026():
    row = PolicyParameters.objects.get(effective_from=date(2026, 7, 1))
    assert "161/2026/NĐ-CP" in row.legal_basis
    assert (row.base_salary, row.bhxh_reference_level, row.bhxh_income_floor) == (2_530_000, 2_530_000, 1_500_000)
    assert (row.bhxh_income_cap_multiple, row.bhxh_income_cap) == (20, 50_600_000)
    # Rates not named by the decree are those of 1/7/2025.
    ladder = (row.bhyt_rate_pct, row.bhyt_member2_pct, row.bhyt_member3_pct, row.bhyt_member4_pct, row.bhyt_member5_pct)
    assert ladder == (Decimal("4.5"), Decimal(70), Decimal(60), Decimal(50), Decimal(40))
    assert (row.bhyt_months, row.bhyt_waiting_days, row.bhxh_rate_pct) == ([3, 6, 12], 30, Decimal(22))
    support = (
        row.bhxh_support_poor_pct,
        row.bhxh_support_near_poor_pct,
        row.bhxh_support_ethnic_minority_pct,
        row.bhxh_support_other_pct,
    )
    assert support == (Decimal(50), Decimal(40), Decimal(30), Decimal(20))
    assert (row.bhxh_months, row.bhxh_support_max_months) == ([1, 3, 6, 12], 120)


def test_running_the_2026_migration_again_keeps_the_row_an_administrator_edited(migration_apps):
    PolicyParameters.objects.filter(effective_from=date(2026, 7, 1)).update(legal_basis="Sửa bởi quản trị")
    FROM_2026.add_policy(migration_apps, None)
    assert PolicyParameters.objects.filter(effective_from=date(2026, 7, 1)).count() == 1
    assert PolicyParameters.objects.get(effective_from=date(2026, 7, 1)).legal_basis == "Sửa bởi quản trị"


def test_reversing_the_2026_migration_deletes_its_row_only_and_it_comes_back(migration_apps):
    FROM_2026.remove_policy(migration_apps, None)
    assert list(PolicyParameters.objects.values_list("effective_from", flat=True)) == [
        date(2025, 7, 1),
        date(2024, 7, 1),
    ]
    FROM_2026.add_policy(migration_apps, None)
    assert PolicyParameters.objects.get(effective_from=date(2026, 7, 1)).base_salary == 2_530_000


# --- The rows form one unbroken chain of dates (each runs until the day before the next) -----------


def _copy_of(day: date, **changes) -> PolicyParameters:
    """An unsaved row with the 1/7/2026 rates, starting on ``day``."""
    row = PolicyParameters.objects.get(effective_from=date(2026, 7, 1))
    row.pk, row.effective_from = None, day
    for name, value in changes.items():
        setattr(row, name, value)
    return row


def _refusal(row: PolicyParameters) -> str:
    from django.core.exceptions import ValidationError
    from django.utils import translation

    with translation.override("vi"):
        with pytest.raises(ValidationError) as caught:
            row.full_clean()
        return " ".join(str(message) for message in caught.value.message_dict["effective_from"])


def test_a_new_row_on_the_date_of_another_is_refused_as_an_overlap_in_vietnamese():
    message = _refusal(_copy_of(date(2026, 7, 1)))
    assert "01/07/2026" in message
    assert "cùng" in message  # "hai bộ tham số cùng có hiệu lực" (both in force on the same days)


def test_a_new_row_after_the_others_is_accepted():
    row = _copy_of(date(2027, 1, 1), bhxh_income_floor=2_200_000)
    row.full_clean()
    row.save()
    assert PolicyParameters.objects.count() == 4


def test_moving_a_row_past_its_neighbour_is_refused():
    row = PolicyParameters.objects.get(effective_from=date(2025, 7, 1))
    row.effective_from = date(2026, 8, 1)
    assert "chồng" in _refusal(row)  # the periods would overlap ("chồng lấn")


def test_moving_the_earliest_row_later_would_leave_days_without_rates():
    row = PolicyParameters.objects.get(effective_from=date(2024, 7, 1))
    row.effective_from = date(2024, 9, 1)
    message = _refusal(row)
    assert "01/07/2024" in message and "01/09/2024" in message


def test_moving_a_row_within_its_own_neighbours_is_accepted():
    row = PolicyParameters.objects.get(effective_from=date(2026, 7, 1))
    row.effective_from = date(2026, 8, 1)
    row.full_clean()


@pytest.mark.parametrize(
    ("today", "in_force"),
    [(date(2026, 6, 30), "01/07/2025"), (date(2026, 7, 1), "01/07/2026"), (date(2025, 7, 1), "01/07/2025")],
)
def test_the_admin_list_shows_the_row_in_force_today_and_each_rows_last_day(client, settings, today, in_force):
    from collectors.roles import Role
    from collectors.tests.factories import UserFactory

    settings.APP_TODAY = today
    admin_user = UserFactory(role=Role.ADMIN, is_staff=True, is_superuser=True)
    client.force_login(admin_user)
    page = client.get("/admin/campaign/policyparameters/", HTTP_ACCEPT_LANGUAGE="en")
    assert page.status_code == 200
    rows = page.context["cl"].result_list
    shown = {row.effective_from.strftime("%d/%m/%Y"): row for row in rows}
    admin_page = page.context["cl"].model_admin
    assert [day for day, row in shown.items() if admin_page.in_force_today(row)] == [in_force]
    assert admin_page.in_force_until(shown["01/07/2025"]) == "30/06/2026"
    assert admin_page.in_force_until(shown["01/07/2024"]) == "30/06/2025"
