"""Only the admin role opens the Django admin; staff status alone does not (issue 10, fault 8)."""

import pytest
from django.urls import reverse

from collectors.roles import Role
from collectors.tests.factories import UserFactory, officer_user

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("make", "status"),
    [
        (lambda: officer_user(is_staff=True), 302),
        (lambda: UserFactory(role=Role.PROVINCIAL, is_staff=True), 302),
        (lambda: UserFactory(role=Role.ADMIN, is_staff=True), 200),
    ],
)
def test_the_admin_site_is_for_admins(client, make, status):
    client.force_login(make())
    for url in (reverse("admin:index"), reverse("admin:enrollments_participant_changelist")):
        response = client.get(url)
        assert response.status_code == status
        if status == 302:
            assert response["Location"].startswith(reverse("admin:login"))
