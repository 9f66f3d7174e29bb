"""The Django admin is for the admin role only: staff status alone opens nothing.

An officer given "staff status" by mistake would otherwise see and change every agency's
people there, where the agency scoping of the pages does not apply (issue 10, fault 8).
"""

from django.contrib import admin
from django.contrib.admin.apps import AdminConfig


class BhxhAdminSite(admin.AdminSite):
    def has_permission(self, request) -> bool:
        from .roles import Role, role_of  # the app registry is not ready when this module loads

        return super().has_permission(request) and role_of(request.user) == Role.ADMIN


class BhxhAdminConfig(AdminConfig):
    default_site = "collectors.admin_site.BhxhAdminSite"
