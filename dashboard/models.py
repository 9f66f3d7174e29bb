"""What the read side stores: one coverage figure per commune, product and day, for the trend."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from campaign.models import Campaign, Commune, Product


class CoverageSnapshot(models.Model):
    """A commune's coverage of one product as it stood at the end of a day (compute_progress)."""

    campaign = models.ForeignKey(
        Campaign, on_delete=models.CASCADE, related_name="coverage_snapshots", verbose_name=_("campaign")
    )
    commune = models.ForeignKey(Commune, on_delete=models.CASCADE, related_name="+", verbose_name=_("commune"))
    product = models.CharField(_("product"), max_length=10, choices=Product.choices)
    day = models.DateField(_("day"))
    denominator = models.PositiveIntegerField(_("population or labour force"))
    baseline_insured = models.PositiveIntegerField(_("insured at baseline"))
    added = models.PositiveIntegerField(_("new or rejoining since the baseline"))
    insured = models.PositiveIntegerField(_("insured"))
    computed_at = models.DateTimeField(_("computed at"))

    class Meta:
        verbose_name = _("coverage snapshot")
        verbose_name_plural = _("coverage snapshots")
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "commune", "product", "day"], name="snapshot_one_per_commune_product_day"
            ),
            models.CheckConstraint(
                condition=models.Q(insured=models.F("baseline_insured") + models.F("added")),
                name="snapshot_insured_adds_up",
            ),
        ]
        indexes = [models.Index(fields=["campaign", "day"], name="snapshot_campaign_day")]

    def __str__(self) -> str:
        return f"{self.commune} · {self.product} · {self.day:%d/%m/%Y}: {self.insured}"
