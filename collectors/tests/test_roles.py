import pytest
from django.contrib.auth.models import Group

from collectors.roles import Role, role_of, sync_role_groups
from collectors.tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def _codenames(role: Role) -> set[str]:
    return set(Group.objects.get(name=role).permissions.values_list("codename", flat=True))


def test_migrate_creates_the_three_role_groups():
    assert set(Group.objects.values_list("name", flat=True)) >= {"admin", "provincial", "officer"}


def test_role_permissions():
    admin, provincial, officer = (_codenames(role) for role in Role)
    assert {"add_campaign", "change_weeklyquota", "delete_collector", "add_user"} <= admin
    assert {"view_campaign", "view_weeklyquota", "view_collectionagency"} <= provincial
    assert not {code for code in provincial if not code.startswith("view_")}
    assert {"view_weeklyquota", "view_collector"} <= officer
    assert not {"change_weeklyquota", "add_campaign", "view_user", "add_collectionagency"} & officer


def test_sync_is_idempotent_and_repairs_drift():
    groups = sync_role_groups()
    groups[Role.PROVINCIAL].permissions.clear()
    sync_role_groups()
    assert "view_campaign" in _codenames(Role.PROVINCIAL)
    assert Group.objects.filter(name__in=list(Role)).count() == 3


def test_role_of():
    assert role_of(UserFactory()) is None
    assert role_of(UserFactory(is_superuser=True)) == Role.ADMIN
    assert role_of(UserFactory(role=Role.PROVINCIAL)) == Role.PROVINCIAL
    assert role_of(UserFactory(role=Role.OFFICER, is_active=False)) is None
    both = UserFactory(role=Role.OFFICER)
    both.groups.add(Group.objects.get(name="admin"))
    assert role_of(both) == Role.ADMIN


def test_a_fresh_migrate_gives_the_admin_group_every_product_apps_permissions():
    # The test database is built by one migrate, as on a new install.
    admin = _codenames(Role.ADMIN)
    assert {"add_enrollment", "change_awardrule", "view_ranking", "add_weeklyquota"} <= admin
    assert {"view_enrollment", "view_ranking"} <= _codenames(Role.PROVINCIAL)


def test_admins_see_the_import_trail_and_unlock_locked_out_logins():
    """The admin site's Access attempts (django-axes) and Imports open for the admin role, not a superuser."""
    admin, provincial = _codenames(Role.ADMIN), _codenames(Role.PROVINCIAL)
    assert {"view_accessattempt", "delete_accessattempt", "view_accesslog", "view_importrecord"} <= admin
    assert not {"add_accessattempt", "change_accessattempt", "change_importrecord", "delete_importrecord"} & admin
    assert not {"view_accessattempt", "view_importrecord"} & provincial


def test_admins_read_the_download_trail_and_the_work_kept_for_redis():
    """Both are registered in the admin site: without these the admin role got 403 on their pages."""
    admin, provincial = _codenames(Role.ADMIN), _codenames(Role.PROVINCIAL)
    assert {"view_downloadrecord", "view_pendingwork"} <= admin
    assert not {"change_downloadrecord", "delete_downloadrecord", "change_pendingwork", "delete_pendingwork"} & admin
    assert not {"view_downloadrecord", "view_pendingwork"} & provincial
