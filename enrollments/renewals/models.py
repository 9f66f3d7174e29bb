"""The contact log of the renewal lists: an officer called or visited a person whose coverage ends."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from campaign.models import Product
from collectors.models import CollectionAgency


class ContactOutcome(models.TextChoices):
    WILL_RENEW = "will_renew", _("will renew")
    MOVED = "moved", _("moved away")
    REFUSED = "refused", _("refused")
    NOT_REACHED = "not_reached", _("not reached")


class RenewalContact(models.Model):
    """One call or visit about one person's renewal of one product, kept with who and when.

    Keyed by CCCD rather than by Participant: people known only from prior coverage have no
    Participant row until they enroll, and they are the ones most worth calling.
    """

    cccd = models.CharField(_("CCCD number"), max_length=12)
    product = models.CharField(_("product"), max_length=10, choices=Product.choices)
    contacted_on = models.DateField(_("contacted on"))
    outcome = models.CharField(_("outcome"), max_length=20, choices=ContactOutcome.choices)
    note = models.CharField(_("note"), max_length=300, blank=True)
    agency = models.ForeignKey(
        CollectionAgency,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="renewal_contacts",
        verbose_name=_("agency"),
    )
    contacted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("contacted by"),
    )
    recorded_at = models.DateTimeField(_("recorded at"))

    class Meta:
        app_label = "enrollments"
        verbose_name = _("renewal contact")
        verbose_name_plural = _("renewal contacts")
        ordering = ["-contacted_on", "-recorded_at"]
        indexes = [models.Index(fields=["cccd", "product"], name="renewal_contact_person")]

    def __str__(self) -> str:
        return f"{self.cccd} {self.product} {self.contacted_on:%d/%m/%Y}: {self.get_outcome_display()}"
