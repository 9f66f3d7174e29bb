from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class CollectorsConfig(AppConfig):
    name = "collectors"
    verbose_name = _("Collection agencies and officers")

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in

        from campaign.selectors import limit_campaigns_with

        from .accounts.sessions import stamp_on_login
        from .accounts.two_step import remember_devices_on_login
        from .roles import sync_role_groups_after_migrate
        from .scoping import in_province

        # A new session belongs to the user's current epoch and knows whether it owes a code.
        user_logged_in.connect(stamp_on_login, dispatch_uid="collectors.accounts.stamp_on_login")
        user_logged_in.connect(remember_devices_on_login, dispatch_uid="collectors.accounts.remember_devices")

        # The three role groups exist, with their permissions, after every migrate.
        post_migrate.connect(sync_role_groups_after_migrate, dispatch_uid="collectors.sync_role_groups")

        # The campaign choosers and look-ups show a user their province's campaigns only.
        limit_campaigns_with(in_province)
