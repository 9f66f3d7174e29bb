"""Campaigns, their weeks and targets, and the geography they are measured on."""

import uuid
from decimal import Decimal

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

PERCENT_VALIDATORS = [MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))]


class Product(models.TextChoices):
    BHXH_TN = "bhxh_tn", _("voluntary social insurance (BHXH tự nguyện)")
    BHYT_HGD = "bhyt_hgd", _("household health insurance (BHYT hộ gia đình)")


class Province(models.Model):
    code = models.CharField(_("code"), max_length=3, unique=True)
    name = models.CharField(_("name"), max_length=100)
    codename = models.SlugField(_("code name"), max_length=100)

    class Meta:
        verbose_name = _("province")
        verbose_name_plural = _("provinces")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class BhxhOffice(models.Model):
    """A BHXH cơ sở office: the provincial office's arm for a group of communes."""

    code = models.CharField(_("code"), max_length=20, unique=True)
    name = models.CharField(_("name"), max_length=200)
    province = models.ForeignKey(Province, on_delete=models.PROTECT, related_name="offices", verbose_name=_("province"))
    is_demo = models.BooleanField(_("demo data"), default=False)

    class Meta:
        verbose_name = _("BHXH office (BHXH cơ sở)")
        verbose_name_plural = _("BHXH offices (BHXH cơ sở)")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class Commune(models.Model):
    """A commune-level unit (xã, phường, đặc khu) of the post-1/7/2025 map."""

    class Kind(models.TextChoices):
        XA = "xa", _("commune (xã)")
        PHUONG = "phuong", _("ward (phường)")
        DAC_KHU = "dac_khu", _("special zone (đặc khu)")

    code = models.CharField(_("code"), max_length=5, unique=True)
    name = models.CharField(_("name"), max_length=100)
    codename = models.SlugField(_("code name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    province = models.ForeignKey(
        Province, on_delete=models.PROTECT, related_name="communes", verbose_name=_("province")
    )
    office = models.ForeignKey(
        BhxhOffice,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="communes",
        verbose_name=_("BHXH office"),
    )

    class Meta:
        verbose_name = _("commune")
        verbose_name_plural = _("communes")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Campaign(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("draft")
        ACTIVE = "active", _("running")
        CLOSED = "closed", _("closed")

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=200)
    theme = models.CharField(_("theme"), max_length=300, blank=True)
    province = models.ForeignKey(
        Province, on_delete=models.PROTECT, related_name="campaigns", verbose_name=_("province")
    )
    start_date = models.DateField(_("start date"))
    end_date = models.DateField(_("end date"))
    bhyt_target_pct = models.DecimalField(
        _("BHYT target (percentage of the population)"), max_digits=5, decimal_places=2, validators=PERCENT_VALIDATORS
    )
    bhxh_target_pct = models.DecimalField(
        _("BHXH target (percentage of the labour force)"), max_digits=5, decimal_places=2, validators=PERCENT_VALIDATORS
    )
    target_date = models.DateField(_("target date"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    award_budget = models.BigIntegerField(_("award budget (đồng)"), default=0, validators=[MinValueValidator(0)])
    is_demo = models.BooleanField(_("demo data"), default=False)

    class Meta:
        verbose_name = _("campaign")
        verbose_name_plural = _("campaigns")
        ordering = ["-start_date"]
        constraints = [
            models.CheckConstraint(condition=Q(end_date__gte=F("start_date")), name="campaign_end_after_start"),
            models.CheckConstraint(
                condition=Q(bhyt_target_pct__gte=0, bhyt_target_pct__lte=100)
                & Q(bhxh_target_pct__gte=0, bhxh_target_pct__lte=100),
                name="campaign_targets_are_percentages",
            ),
            models.CheckConstraint(condition=Q(award_budget__gte=0), name="campaign_budget_not_negative"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def days(self) -> int:
        return (self.end_date - self.start_date).days + 1


class CampaignWeek(models.Model):
    """Week k of a campaign: start + 7(k-1) to start + 7k - 1, cut at the end date."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="weeks", verbose_name=_("campaign"))
    number = models.PositiveSmallIntegerField(_("week"))
    start_date = models.DateField(_("start date"))
    end_date = models.DateField(_("end date"))

    class Meta:
        verbose_name = _("campaign week")
        verbose_name_plural = _("campaign weeks")
        ordering = ["campaign", "number"]
        constraints = [
            models.UniqueConstraint(fields=["campaign", "number"], name="week_number_unique_in_campaign"),
            models.CheckConstraint(condition=Q(end_date__gte=F("start_date")), name="week_end_after_start"),
        ]

    def __str__(self) -> str:
        return _("Week %(number)s (%(start)s–%(end)s)") % {
            "number": self.number,
            "start": self.start_date.strftime("%d/%m"),
            "end": self.end_date.strftime("%d/%m"),
        }

    @property
    def is_partial(self) -> bool:
        return (self.end_date - self.start_date).days < 6


class CoverageBaseline(models.Model):
    """A commune's population and insured counts on a date: the base of coverage figures."""

    campaign = models.ForeignKey(
        Campaign, on_delete=models.CASCADE, related_name="baselines", verbose_name=_("campaign")
    )
    commune = models.ForeignKey(Commune, on_delete=models.PROTECT, related_name="baselines", verbose_name=_("commune"))
    population = models.PositiveIntegerField(_("population"))
    labour_force = models.PositiveIntegerField(_("labour force"))
    bhyt_insured = models.PositiveIntegerField(_("BHYT insured"))
    bhxh_insured = models.PositiveIntegerField(_("BHXH insured"))
    as_of = models.DateField(_("as of"))

    class Meta:
        verbose_name = _("coverage baseline")
        verbose_name_plural = _("coverage baselines")
        ordering = ["campaign", "commune__name"]
        constraints = [
            models.UniqueConstraint(fields=["campaign", "commune"], name="baseline_unique_per_commune"),
            models.CheckConstraint(
                condition=Q(labour_force__lte=F("population")), name="baseline_labour_le_population"
            ),
            models.CheckConstraint(condition=Q(bhyt_insured__lte=F("population")), name="baseline_bhyt_le_population"),
            models.CheckConstraint(condition=Q(bhxh_insured__lte=F("labour_force")), name="baseline_bhxh_le_labour"),
        ]

    def __str__(self) -> str:
        return f"{self.commune} ({self.as_of:%d/%m/%Y})"
