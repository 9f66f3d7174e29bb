"""Campaigns, their weeks and targets, and the geography they are measured on."""

import uuid
from datetime import datetime, time, timedelta
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.audit import AuditedHistory

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
    cutoff_days = models.PositiveSmallIntegerField(
        _("days after a week's end until its cut-off"),
        default=1,
        help_text=_("Entries recorded after the cut-off are late: they count in the final ranking only."),
    )
    cutoff_time = models.TimeField(_("cut-off time (local)"), default=time(12, 0))
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

    def cutoff_after(self, last_day) -> datetime:
        """When entries collected up to ``last_day`` stop counting on time: the grace after it (local, aware)."""
        day = last_day + timedelta(days=self.cutoff_days)
        return timezone.make_aware(datetime.combine(day, self.cutoff_time))

    @property
    def final_cutoff(self) -> datetime:
        """When the final ranking may be computed: the campaign's last day plus the same grace as a week's."""
        return self.cutoff_after(self.end_date)

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

    @property
    def cutoff(self) -> datetime:
        """The moment after which entries of this week are late (local time, aware)."""
        return self.campaign.cutoff_after(self.end_date)


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


class PolicyParameters(models.Model):
    """Contribution rates and amounts in force from a date (decrees change them; admins edit them).

    The set in force on a collection date applies to the whole period paid.
    """

    effective_from = models.DateField(_("in force from"), unique=True)
    legal_basis = models.CharField(_("legal basis"), max_length=300, blank=True)
    base_salary = models.BigIntegerField(_("base salary (lương cơ sở, đồng)"), validators=[MinValueValidator(1)])
    bhyt_rate_pct = models.DecimalField(_("BHYT rate (percentage of the base salary)"), max_digits=5, decimal_places=2)
    bhyt_member2_pct = models.DecimalField(_("2nd member (percentage of the 1st)"), max_digits=5, decimal_places=2)
    bhyt_member3_pct = models.DecimalField(_("3rd member (percentage of the 1st)"), max_digits=5, decimal_places=2)
    bhyt_member4_pct = models.DecimalField(_("4th member (percentage of the 1st)"), max_digits=5, decimal_places=2)
    bhyt_member5_pct = models.DecimalField(
        _("5th and later members (percentage of the 1st)"), max_digits=5, decimal_places=2
    )
    bhyt_months = models.JSONField(_("BHYT periods (months)"), default=list)
    bhyt_waiting_days = models.PositiveSmallIntegerField(_("days before a new BHYT card is valid"), default=30)
    bhxh_rate_pct = models.DecimalField(_("BHXH voluntary rate (percentage of income)"), max_digits=5, decimal_places=2)
    bhxh_income_floor = models.BigIntegerField(_("lowest income (rural poverty line, đồng)"))
    bhxh_reference_level = models.BigIntegerField(_("reference level (đồng)"))
    bhxh_income_cap_multiple = models.PositiveSmallIntegerField(_("highest income (× reference level)"), default=20)
    bhxh_support_poor_pct = models.DecimalField(_("State support, poor households (%)"), max_digits=5, decimal_places=2)
    bhxh_support_near_poor_pct = models.DecimalField(
        _("State support, near-poor households (%)"), max_digits=5, decimal_places=2
    )
    bhxh_support_ethnic_minority_pct = models.DecimalField(
        _("State support, ethnic minorities (%)"), max_digits=5, decimal_places=2
    )
    bhxh_support_other_pct = models.DecimalField(_("State support, others (%)"), max_digits=5, decimal_places=2)
    bhxh_months = models.JSONField(_("BHXH voluntary periods (months)"), default=list)
    bhxh_support_max_months = models.PositiveSmallIntegerField(
        _("most months of State support per person"), default=120
    )

    history = AuditedHistory()

    class Meta:
        verbose_name = _("policy parameters")
        verbose_name_plural = _("policy parameters")
        ordering = ["-effective_from"]

    def __str__(self) -> str:
        return _("Policy in force from %(date)s") % {"date": self.effective_from.strftime("%d/%m/%Y")}

    @property
    def bhxh_income_cap(self) -> int:
        return self.bhxh_reference_level * self.bhxh_income_cap_multiple

    def clean(self) -> None:
        for field in ("bhyt_months", "bhxh_months"):
            value = getattr(self, field)
            if not value or not all(isinstance(m, int) and m > 0 for m in value):
                raise ValidationError({field: _("List the periods as whole months, for example [3, 6, 12].")})
        if self.effective_from is not None:
            self._check_dates_chain()

    def _check_dates_chain(self) -> None:
        """Refuse a date that would leave two rows in force on one day, or days with no row in force.

        Each row is in force from its date to the day before the next row's, so the rows always
        form one unbroken chain; what can break it is a second row on the same date (an overlap),
        an existing row moved past a neighbour (the periods paid under it would change rates), or
        the earliest row moved later (the days in between would have no rates: a gap).
        """
        others = PolicyParameters.objects.exclude(pk=self.pk)
        day = self.effective_from
        if others.filter(effective_from=day).exists():
            raise ValidationError(
                {
                    "effective_from": _(
                        "Another row is already in force from %(date)s: two rows would be in force on the same "
                        "days. Change that row instead, or choose another date."
                    )
                    % {"date": day.strftime("%d/%m/%Y")}
                }
            )
        if self.pk is None:
            return
        stored = PolicyParameters.objects.filter(pk=self.pk).values_list("effective_from", flat=True).first()
        if stored is None or stored == day:
            return
        low, high = sorted((stored, day))
        if others.filter(effective_from__gt=low, effective_from__lt=high).exists():
            raise ValidationError(
                {
                    "effective_from": _(
                        "This date moves the row past another row, so the periods of both would overlap. "
                        "Add a new row for the new date instead."
                    )
                }
            )
        if day > stored and not others.filter(effective_from__lt=stored).exists():
            raise ValidationError(
                {
                    "effective_from": _(
                        "This row is the earliest: moving it to %(date)s would leave the days from %(old)s "
                        "without any rates in force."
                    )
                    % {"date": day.strftime("%d/%m/%Y"), "old": stored.strftime("%d/%m/%Y")}
                }
            )
