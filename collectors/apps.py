from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class CollectorsConfig(AppConfig):
    name = "collectors"
    verbose_name = _("Collection agencies and officers")

    def ready(self) -> None:
        from .roles import sync_role_groups_after_migrate

        # The three role groups exist, with their permissions, after every migrate.
        post_migrate.connect(sync_role_groups_after_migrate, dispatch_uid="collectors.sync_role_groups")
