from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SettlementsConfig(AppConfig):
    name = "settlements"
    verbose_name = _("Paperwork and money")

    def ready(self):
        from enrollments.signals import enrollments_recorded, recorded_page_panels

        from .receipts.hooks import number_receipts
        from .receipts.payment import confirmation_panel

        enrollments_recorded.connect(number_receipts, dispatch_uid="settlements.number_receipts")
        recorded_page_panels.connect(confirmation_panel, dispatch_uid="settlements.confirmation_panel")
