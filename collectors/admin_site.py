"""The Django admin is for the admin role only: staff status alone opens nothing.

An officer given "staff status" by mistake would otherwise see and change every agency's
people there, where the agency scoping of the pages does not apply (issue 10, fault 8).
An admin with an authenticator app gets in only once this session has passed its code
(collectors.accounts.two_step; the pages' middleware asks for it first).
"""

from django.contrib import admin
from django.contrib.admin.apps import AdminConfig


class BhxhAdminSite(admin.AdminSite):
    def has_permission(self, request) -> bool:
        from .accounts.two_step import code_passed
        from .roles import Role, role_of  # the app registry is not ready when this module loads

        return super().has_permission(request) and role_of(request.user) == Role.ADMIN and code_passed(request)


class BhxhAdminConfig(AdminConfig):
    default_site = "collectors.admin_site.BhxhAdminSite"
