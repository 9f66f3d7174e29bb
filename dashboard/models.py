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
    # The baseline's date the count started from: a snapshot counted from another date cannot be
    # carried forward (progress/incremental.py). Empty on snapshots stored before it was kept.
    baseline_as_of = models.DateField(_("baseline as of"), null=True, blank=True)
    # When the count began on the clock of the people's own update times (auto_now: the real time,
    # even where the app's day is pinned), to tell who changed since. Empty on older snapshots.
    people_as_of = models.DateTimeField(_("people as of"), null=True, blank=True)
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
