"""Award rules of a campaign and the rankings computed from them.

A Ranking is one version of the standings of one rule for one week (or the whole campaign,
for a final rule); its RankingEntry rows keep the numbers behind each rank, so a ranking
explains itself after the enrollments or the rule change. A published ranking never changes:
the services only touch drafts, and database triggers (migration 0002) refuse any update of a
published ranking or its entries. Re-opening creates a new version and keeps the old one.
"""

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from campaign.models import Campaign, CampaignWeek, Product
from collectors.models import CollectionAgency, Collector
from core.audit import AuditedHistory


class Period(models.TextChoices):
    WEEKLY = "weekly", _("weekly")
    FINAL = "final", _("final (whole campaign)")


class Subject(models.TextChoices):
    AGENCY = "agency", _("collection-service organizations")
    COLLECTOR = "collector", _("collection officers")


class Metric(models.TextChoices):
    ATTAINMENT = "attainment", _("quota attainment (%)")
    POINTS = "points", _("points for new and rejoining participants")
    COUNT = "count", _("new and rejoining participants")
    AMOUNT = "amount", _("amount collected (đồng)")


class TieBreak(models.TextChoices):
    BHXH_TN = "bhxh_tn", _("more BHXH tự nguyện enrollments")
    AMOUNT = "amount", _("larger amount collected")
    EARLIER = "earlier", _("final score reached earlier")
    CODE = "code", _("code, in alphabetical order")


DEFAULT_TIE_BREAKS = [TieBreak.BHXH_TN.value, TieBreak.AMOUNT.value, TieBreak.EARLIER.value, TieBreak.CODE.value]


def default_tie_breaks() -> list[str]:
    return list(DEFAULT_TIE_BREAKS)


WEIGHT_VALIDATORS = [MinValueValidator(Decimal("0"))]


class AwardRule(models.Model):
    """Who competes (agencies or officers), on what, over which period, and for which prizes."""

    campaign = models.ForeignKey(
        Campaign, on_delete=models.CASCADE, related_name="award_rules", verbose_name=_("campaign")
    )
    code = models.SlugField(_("code"), max_length=40, help_text=_("A short name, unique in the campaign."))
    name = models.CharField(_("name"), max_length=200)
    period = models.CharField(_("period"), max_length=10, choices=Period.choices)
    subject = models.CharField(_("who competes"), max_length=10, choices=Subject.choices)
    metric = models.CharField(_("ranked on"), max_length=12, choices=Metric.choices)
    bhxh_tn_weight = models.DecimalField(
        _("weight of BHXH tự nguyện"),
        max_digits=6,
        decimal_places=2,
        default=Decimal("1"),
        validators=WEIGHT_VALIDATORS,
        help_text=_("Points per enrollment, or the weight of the product in the mean attainment."),
    )
    bhyt_hgd_weight = models.DecimalField(
        _("weight of BHYT hộ gia đình"),
        max_digits=6,
        decimal_places=2,
        default=Decimal("1"),
        validators=WEIGHT_VALIDATORS,
        help_text=_("Points per enrollment, or the weight of the product in the mean attainment."),
    )
    threshold = models.DecimalField(
        _("eligible from"),
        max_digits=14,
        decimal_places=2,
        default=Decimal("0"),
        validators=WEIGHT_VALIDATORS,
        help_text=_("The least score that can win a prize, in the metric's unit (%, points, people or đồng)."),
    )
    prizes = models.JSONField(_("prizes (đồng, from the 1st rank down)"), default=list, blank=True)
    tie_breaks = models.JSONField(_("tie-break order"), default=default_tie_breaks)
    active = models.BooleanField(_("active"), default=True)
    description = models.TextField(_("description"), blank=True)

    history = AuditedHistory()

    class Meta:
        verbose_name = _("award rule")
        verbose_name_plural = _("award rules")
        ordering = ["campaign", "period", "subject", "code"]
        constraints = [
            models.UniqueConstraint(fields=["campaign", "code"], name="award_rule_code_unique_in_campaign"),
            models.CheckConstraint(condition=Q(period__in=Period.values), name="award_rule_period_known"),
            models.CheckConstraint(condition=Q(subject__in=Subject.values), name="award_rule_subject_known"),
            models.CheckConstraint(condition=Q(metric__in=Metric.values), name="award_rule_metric_known"),
            models.CheckConstraint(
                condition=~Q(metric=Metric.ATTAINMENT) | Q(subject=Subject.AGENCY),
                name="award_rule_attainment_is_for_agencies",
            ),
            models.CheckConstraint(
                condition=Q(threshold__gte=0, bhxh_tn_weight__gte=0, bhyt_hgd_weight__gte=0),
                name="award_rule_not_negative",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def weight(self, product: str) -> Decimal:
        return {Product.BHXH_TN: self.bhxh_tn_weight, Product.BHYT_HGD: self.bhyt_hgd_weight}[product]

    @property
    def prize_total(self) -> int:
        return sum(self.prizes or [])

    def clean(self) -> None:
        errors = {}
        prizes = self.prizes or []
        if not isinstance(prizes, list) or not all(isinstance(p, int) and p >= 0 for p in prizes):
            errors["prizes"] = _("List the prizes as whole numbers of đồng, from the 1st rank down.")
        order = self.tie_breaks or []
        if (
            not isinstance(order, list)
            or len(set(order)) != len(order)
            or not set(order) <= set(TieBreak.values)
            or not order
        ):
            errors["tie_breaks"] = _("Choose each tie-break at most once.")
        if self.metric == Metric.ATTAINMENT and self.subject != Subject.AGENCY:
            errors["metric"] = _("Only agencies have quotas: rank officers on points, people or amount.")
        if self.metric in (Metric.ATTAINMENT, Metric.POINTS) and not (self.bhxh_tn_weight or self.bhyt_hgd_weight):
            errors["bhxh_tn_weight"] = _("Give at least one product a weight above zero.")
        if errors:
            raise ValidationError(errors)


class Ranking(models.Model):
    """One version of a rule's standings for a week (or, for a final rule, the whole campaign)."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("draft")
        PUBLISHED = "published", _("published")

    rule = models.ForeignKey(AwardRule, on_delete=models.PROTECT, related_name="rankings", verbose_name=_("rule"))
    campaign = models.ForeignKey(
        Campaign, on_delete=models.PROTECT, related_name="rankings", verbose_name=_("campaign")
    )
    week = models.ForeignKey(
        CampaignWeek,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="rankings",
        verbose_name=_("week"),
        help_text=_("Empty for the final ranking of the whole campaign."),
    )
    version = models.PositiveSmallIntegerField(_("version"), default=1)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    cutoff = models.DateTimeField(
        _("counted up to"), null=True, blank=True, help_text=_("Entries recorded from this moment on are late.")
    )
    computed_at = models.DateTimeField(_("computed at"))
    fingerprint = models.CharField(_("fingerprint"), max_length=64, editable=False)
    rule_terms = models.JSONField(_("rule as applied"), default=dict, editable=False)
    late_count = models.PositiveIntegerField(_("late enrollments"), default=0)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("published by"),
    )
    reopened_from = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="reopenings",
        verbose_name=_("re-opened from"),
    )
    reopened_at = models.DateTimeField(_("re-opened at"), null=True, blank=True)
    reopened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("re-opened by"),
    )
    reopen_reason = models.TextField(_("why it was re-opened"), blank=True)

    history = AuditedHistory()

    class Meta:
        verbose_name = _("ranking")
        verbose_name_plural = _("rankings")
        ordering = ["campaign", "week__number", "rule", "-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["rule", "week", "version"],
                condition=Q(week__isnull=False),
                name="ranking_version_unique_per_week",
            ),
            models.UniqueConstraint(
                fields=["rule", "version"], condition=Q(week__isnull=True), name="ranking_version_unique_final"
            ),
            models.UniqueConstraint(
                fields=["rule", "week"],
                condition=Q(status="draft", week__isnull=False),
                name="ranking_one_draft_per_week",
            ),
            models.UniqueConstraint(
                fields=["rule"], condition=Q(status="draft", week__isnull=True), name="ranking_one_final_draft"
            ),
            models.CheckConstraint(condition=Q(status__in=["draft", "published"]), name="ranking_status_known"),
            models.CheckConstraint(
                condition=Q(status="draft", published_at__isnull=True, published_by__isnull=True)
                | Q(status="published", published_at__isnull=False),
                name="ranking_published_has_a_date",
            ),
            models.CheckConstraint(
                condition=Q(version=1, reopened_from__isnull=True)
                | (
                    Q(version__gt=1, reopened_from__isnull=False, reopened_at__isnull=False, reopened_by__isnull=False)
                    & ~Q(reopen_reason="")
                ),
                name="ranking_new_version_says_who_and_why",
            ),
        ]

    def __str__(self) -> str:
        scope = _("week %(number)s") % {"number": self.week.number} if self.week_id else _("final")
        return f"{self.rule} · {scope} · v{self.version}"

    @property
    def is_draft(self) -> bool:
        return self.status == self.Status.DRAFT


class IneligibleReason(models.TextChoices):
    NO_QUOTA = "no_quota", _("no quota was set for this agency")
    NOTHING_COUNTED = "nothing_counted", _("no new or rejoining participant counted")
    BELOW_THRESHOLD = "below_threshold", _("below the threshold")


class RankingEntry(models.Model):
    """One agency or officer in a ranking: the rank, the prize, and the numbers behind them."""

    ranking = models.ForeignKey(Ranking, on_delete=models.CASCADE, related_name="entries", verbose_name=_("ranking"))
    rank = models.PositiveIntegerField(_("rank"))
    agency = models.ForeignKey(
        CollectionAgency, on_delete=models.PROTECT, related_name="ranking_entries", verbose_name=_("agency")
    )
    collector = models.ForeignKey(
        Collector,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="ranking_entries",
        verbose_name=_("officer"),
    )
    code = models.CharField(_("code"), max_length=30)
    name = models.CharField(_("name"), max_length=200)
    metric_value = models.DecimalField(_("score"), max_digits=16, decimal_places=2, null=True, blank=True)
    bhxh_tn_count = models.PositiveIntegerField(_("BHXH tự nguyện, new or rejoining"), default=0)
    bhyt_hgd_count = models.PositiveIntegerField(_("BHYT hộ gia đình, new or rejoining"), default=0)
    bhxh_tn_amount = models.BigIntegerField(_("BHXH tự nguyện amount (đồng)"), default=0)
    bhyt_hgd_amount = models.BigIntegerField(_("BHYT hộ gia đình amount (đồng)"), default=0)
    bhxh_tn_quota = models.PositiveIntegerField(_("BHXH tự nguyện quota"), null=True, blank=True)
    bhyt_hgd_quota = models.PositiveIntegerField(_("BHYT hộ gia đình quota"), null=True, blank=True)
    bhxh_tn_attainment = models.DecimalField(
        _("BHXH tự nguyện attainment (%)"), max_digits=10, decimal_places=2, null=True, blank=True
    )
    bhyt_hgd_attainment = models.DecimalField(
        _("BHYT hộ gia đình attainment (%)"), max_digits=10, decimal_places=2, null=True, blank=True
    )
    renewal_count = models.PositiveIntegerField(_("renewals (retention)"), default=0)
    renewal_amount = models.BigIntegerField(_("renewal amount (đồng)"), default=0)
    late_count = models.PositiveIntegerField(_("late (final ranking only)"), default=0)
    reached_at = models.DateTimeField(_("score reached at"), null=True, blank=True)
    eligible = models.BooleanField(_("eligible"), default=False)
    ineligible_reason = models.CharField(
        _("why not eligible"), max_length=20, choices=IneligibleReason.choices, blank=True
    )
    prize = models.BigIntegerField(_("prize (đồng)"), default=0)
    tie_break = models.CharField(_("tie decided by"), max_length=10, choices=TieBreak.choices, blank=True)
    tied_with = models.CharField(_("tied with"), max_length=30, blank=True)

    class Meta:
        verbose_name = _("ranking entry")
        verbose_name_plural = _("ranking entries")
        ordering = ["ranking", "rank"]
        constraints = [
            models.UniqueConstraint(fields=["ranking", "rank"], name="ranking_entry_rank_unique"),
            models.UniqueConstraint(
                fields=["ranking", "agency"],
                condition=Q(collector__isnull=True),
                name="ranking_entry_agency_once",
            ),
            models.UniqueConstraint(
                fields=["ranking", "collector"],
                condition=Q(collector__isnull=False),
                name="ranking_entry_collector_once",
            ),
            models.CheckConstraint(condition=Q(rank__gte=1), name="ranking_entry_rank_positive"),
            models.CheckConstraint(condition=Q(prize__gte=0), name="ranking_entry_prize_not_negative"),
            models.CheckConstraint(
                condition=Q(eligible=True, ineligible_reason="") | (Q(eligible=False) & ~Q(ineligible_reason="")),
                name="ranking_entry_ineligible_says_why",
            ),
            models.CheckConstraint(condition=Q(eligible=True) | Q(prize=0), name="ranking_entry_prize_needs_eligible"),
        ]

    def __str__(self) -> str:
        return f"#{self.rank} {self.name}"

    @property
    def counted(self) -> int:
        return self.bhxh_tn_count + self.bhyt_hgd_count

    @property
    def amount(self) -> int:
        return self.bhxh_tn_amount + self.bhyt_hgd_amount
