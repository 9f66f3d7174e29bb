"""The agency's paperwork and money: the D03-TS / D05-TS lists it sends to BHXH, and what it hands over."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from campaign.models import Product
from collectors.models import CollectionAgency
from enrollments.models import Enrollment


class Form(models.TextChoices):
    """The two lists of Quyết định 595/QĐ-BHXH an agency hands over, one per product."""

    D03 = "d03", _("D03-TS (BHYT)")
    D05 = "d05", _("D05-TS (voluntary BHXH)")


FORM_PRODUCT = {Form.D03: Product.BHYT_HGD, Form.D05: Product.BHXH_TN}


class AgencyProfile(models.Model):
    """What the forms' header block asks of an agency beyond its name and code."""

    agency = models.OneToOneField(
        CollectionAgency, on_delete=models.CASCADE, related_name="profile", verbose_name=_("agency")
    )
    tax_code = models.CharField(_("tax code"), max_length=20, blank=True)
    address = models.CharField(_("address"), max_length=300, blank=True)
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)

    class Meta:
        verbose_name = _("agency details for the forms")
        verbose_name_plural = _("agency details for the forms")

    def __str__(self) -> str:
        return str(self.agency)


class DeclarationBatch(models.Model):
    """A list marked as sent to BHXH: frozen, its rows kept as they were sent."""

    agency = models.ForeignKey(
        CollectionAgency, on_delete=models.PROTECT, related_name="declaration_batches", verbose_name=_("agency")
    )
    form = models.CharField(_("form"), max_length=3, choices=Form.choices)
    number = models.PositiveIntegerField(_("batch number"))
    period_from = models.DateField(_("from"))
    period_to = models.DateField(_("to"))
    sent_at = models.DateTimeField(_("sent at"))
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    reconciled_at = models.DateTimeField(_("reconciled at"), null=True, blank=True)
    reconciled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    reconcile_note = models.CharField(_("reconciliation note"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("sent list")
        verbose_name_plural = _("sent lists")
        ordering = ["agency__code", "form", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["agency", "form", "number"], name="batch_number_unique_per_agency_form"),
            models.CheckConstraint(condition=Q(period_to__gte=models.F("period_from")), name="batch_period_order"),
        ]

    def __str__(self) -> str:
        return f"{self.get_form_display()} · {self.agency.code} · {self.number}"


class DeclarationLine(models.Model):
    """One person's row in a sent list; an enrollment is declared added once and removed at most once."""

    class Section(models.TextChoices):
        INCREASE = "increase", _("I. Added")
        DECREASE = "decrease", _("II. Removed")

    batch = models.ForeignKey(DeclarationBatch, on_delete=models.PROTECT, related_name="lines")
    enrollment = models.ForeignKey(Enrollment, on_delete=models.PROTECT, related_name="declaration_lines")
    section = models.CharField(max_length=8, choices=Section.choices)
    position = models.PositiveIntegerField()
    row = models.JSONField(help_text=_("The row as it was sent."))

    class Meta:
        ordering = ["batch", "section", "position"]
        constraints = [
            models.UniqueConstraint(fields=["enrollment", "section"], name="declared_once_per_section"),
        ]

    def __str__(self) -> str:
        return f"{self.batch} · {self.section} · {self.position}"
