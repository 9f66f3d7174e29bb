"""What the read side stores: coverage per commune, product and day for the trend; retention per period."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from campaign.models import Campaign, CampaignWeek, Commune, Product


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


class RetentionPeriod(models.Model):
    """Retention of one period of a campaign as its last computation left it (dashboard/retention.py).

    Computed by a Celery task once a round of RETENTION_SECONDS, never inside a page request: it reads
    the whole province's coverage (tens of seconds at 3.3 million people). The pages read these rows.
    """

    campaign = models.ForeignKey(
        Campaign, on_delete=models.CASCADE, related_name="retention_periods", verbose_name=_("campaign")
    )
    # The week of the agency table; empty: the whole campaign so far (the commune table's period).
    week = models.ForeignKey(
        CampaignWeek, on_delete=models.CASCADE, null=True, blank=True, related_name="+", verbose_name=_("week")
    )
    start = models.DateField(_("from"))
    end = models.DateField(_("to"))  # cut at the day it was computed for
    as_of = models.DateField(_("renewals counted up to"))
    # What the figures were computed for: the round of RETENTION_SECONDS and the setup's generation
    # (a prior-coverage import moves it on); either moving on makes them stale.
    round = models.PositiveBigIntegerField(_("round"))
    setup_generation = models.PositiveBigIntegerField(_("setup generation"))
    computed_at = models.DateTimeField(_("computed at"))
    seconds = models.FloatField(_("seconds taken"))

    class Meta:
        verbose_name = _("retention period")
        verbose_name_plural = _("retention periods")
        constraints = [
            models.UniqueConstraint(fields=["campaign", "week"], name="retention_one_per_campaign_week"),
            models.UniqueConstraint(
                fields=["campaign"], condition=models.Q(week__isnull=True), name="retention_one_whole_campaign"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.campaign} · {self.start:%d/%m/%Y}–{self.end:%d/%m/%Y} · {self.computed_at:%H:%M}"


class RetentionCount(models.Model):
    """Of one agency's or one commune's people due for renewal of a product in a period, how many renewed."""

    class Scope(models.TextChoices):
        AGENCY = "agency", _("agency")
        COMMUNE = "commune", _("commune")

    period = models.ForeignKey(
        RetentionPeriod, on_delete=models.CASCADE, related_name="counts", verbose_name=_("period")
    )
    scope = models.CharField(_("scope"), max_length=10, choices=Scope.choices)
    scope_id = models.PositiveBigIntegerField(_("agency or commune"))  # ids only: read back into dicts
    product = models.CharField(_("product"), max_length=10, choices=Product.choices)
    due = models.PositiveIntegerField(_("due for renewal"))
    renewed = models.PositiveIntegerField(_("renewed"))

    class Meta:
        verbose_name = _("retention count")
        verbose_name_plural = _("retention counts")
        constraints = [
            models.UniqueConstraint(
                fields=["period", "scope", "scope_id", "product"], name="retention_count_one_per_scope_product"
            ),
            models.CheckConstraint(condition=models.Q(renewed__lte=models.F("due")), name="retention_renewed_of_due"),
        ]

    def __str__(self) -> str:
        return f"{self.scope} {self.scope_id} · {self.product}: {self.renewed}/{self.due}"
