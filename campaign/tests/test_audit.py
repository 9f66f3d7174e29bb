"""The audit trail of the policy rows: a rate edited in the admin site is kept with the admin and the change."""

from datetime import date

import pytest
from django.urls import reverse

from campaign.models import PolicyParameters
from collectors.roles import Role
from collectors.tests.factories import UserFactory
from core.tests.admin_forms import admin_form_data

pytestmark = pytest.mark.django_db


def test_a_policy_row_changed_and_added_in_the_admin_site_is_kept_with_the_admin(client):
    admin = UserFactory(username="qt", role=Role.ADMIN, is_staff=True)
    client.force_login(admin)
    row = PolicyParameters.objects.get(effective_from=date(2026, 7, 1))
    url = reverse("admin:campaign_policyparameters_change", args=[row.pk])
    data = admin_form_data(client.get(url))
    response = client.post(url, data | {"legal_basis": "Nghị định 161/2026/NĐ-CP (sửa)"})
    assert response.status_code == 302, response.context["adminform"].form.errors
    add = reverse("admin:campaign_policyparameters_add")
    response = client.post(add, data | {"effective_from": "2027-01-01", "base_salary": "2800000"})
    assert response.status_code == 302, response.context["adminform"].form.errors

    # The rows the migrations loaded have no history before the first change (migrations write past it).
    [changed] = PolicyParameters.history.filter(id=row.pk)
    assert (changed.history_type, changed.history_user, changed.legal_basis) == (
        "~",
        admin,
        "Nghị định 161/2026/NĐ-CP (sửa)",
    )
    [added] = PolicyParameters.history.filter(effective_from=date(2027, 1, 1))
    assert (added.history_type, added.history_user, added.base_salary) == ("+", admin, 2_800_000)
