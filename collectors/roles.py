"""The three roles of the product, as Django groups with permissions, and the view rule.

| role        | who                                   | may                                       |
| ----------- | ------------------------------------- | ----------------------------------------- |
| admin       | BHXH tỉnh staff running the campaign  | everything in the product's apps, users   |
| provincial  | provincial and BHXH cơ sở staff       | read everything                           |
| officer     | staff of a collection agency          | their agency's data and enrollments only  |

Every view carries an explicit rule: ``@role_required(...)`` or ``@public``; a test
walks the URL configuration and fails on a view that has neither.
"""

from collections.abc import Callable, Iterable
from enum import StrEnum
from functools import wraps

from django.contrib.auth.models import Group, Permission
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Role(StrEnum):
    ADMIN = "admin"
    PROVINCIAL = "provincial"
    OFFICER = "officer"

    @property
    def label(self) -> str:
        return str(ROLE_LABELS[self])


ROLE_LABELS = {
    Role.ADMIN: _("Administrator"),
    Role.PROVINCIAL: _("BHXH staff"),
    Role.OFFICER: _("Collection officer"),
}
ALL_ROLES = frozenset(Role)
PUBLIC = "public"

PRODUCT_APPS = ("campaign", "collectors", "enrollments", "settlements", "awards", "dashboard")
ALL_ACTIONS = ("add", "change", "delete", "view")

# (app label, model name or "*", actions). New models of an app fall under its rules.
ROLE_PERMISSIONS: dict[Role, list[tuple[str, str, tuple[str, ...]]]] = {
    Role.ADMIN: [(app, "*", ALL_ACTIONS) for app in PRODUCT_APPS]
    + [("auth", "user", ALL_ACTIONS), ("auth", "group", ("view",))]
    # The audit trails (imports, downloads of personal data), the work kept while Redis was away,
    # and django-axes's lock-outs: an admin unlocks by deleting one.
    + [("core", model, ("view",)) for model in ("importrecord", "downloadrecord", "pendingwork")]
    + [("axes", "*", ("view", "delete"))],
    Role.PROVINCIAL: [(app, "*", ("view",)) for app in PRODUCT_APPS],
    Role.OFFICER: [
        ("campaign", "*", ("view",)),
        ("collectors", "collectionagency", ("view",)),
        ("collectors", "collector", ("view",)),
        ("collectors", "weeklyquota", ("view",)),
        ("enrollments", "*", ("add", "change", "view")),
    ],
}


def permissions_for(role: Role) -> Iterable[Permission]:
    condition = Q(pk__in=[])
    for app_label, model, actions in ROLE_PERMISSIONS[role]:
        rule = Q(content_type__app_label=app_label)
        if model != "*":
            rule &= Q(content_type__model=model)
        action_rule = Q(pk__in=[])
        for action in actions:
            action_rule |= Q(codename__startswith=f"{action}_")
        condition |= rule & action_rule
    return Permission.objects.filter(condition)


def sync_role_groups() -> dict[Role, Group]:
    """Create the role groups and set exactly the permissions of the table above."""
    groups = {}
    for role in Role:
        group, _ = Group.objects.get_or_create(name=role.value)
        group.permissions.set(permissions_for(role))
        groups[role] = group
    return groups


def sync_role_groups_after_migrate(sender, **kwargs) -> None:
    # After each product app: its permissions exist only once its own post_migrate has run.
    if sender.name in PRODUCT_APPS:
        sync_role_groups()


def role_of(user) -> Role | None:
    """The user's role; a superuser is an admin; with several groups the widest wins."""
    if user is None or not user.is_authenticated or not user.is_active:
        return None
    if not hasattr(user, "_role_cache"):
        if user.is_superuser:
            user._role_cache = Role.ADMIN
        else:
            names = set(user.groups.values_list("name", flat=True))
            user._role_cache = next((role for role in Role if role.value in names), None)
    return user._role_cache


def role_required(*roles: Role) -> Callable:
    """Let in only signed-in users with one of ``roles``; others get the login page or 403."""
    allowed = frozenset(roles)

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if role_of(request.user) not in allowed:
                raise PermissionDenied
            return view(request, *args, **kwargs)

        wrapped.allowed_roles = allowed
        return wrapped

    return decorator


def public(view: Callable) -> Callable:
    """Mark a view as open to anyone, on purpose."""
    view.allowed_roles = PUBLIC
    return view
