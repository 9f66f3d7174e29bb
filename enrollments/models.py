"""People, households and what they paid: the enrollments of a campaign and the mugs handed over."""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from campaign.models import Campaign, CampaignWeek, Commune, Product
from collectors.models import CollectionAgency, Collector
from core.audit import AuditedHistory

from .classification import BROUGHT_IN, Classification
from .vocabulary import EnrollmentQuerySet, Status


class Sex(models.TextChoices):
    MALE = "male", _("male")
    FEMALE = "female", _("female")


class TargetGroup(models.TextChoices):
    FARMER = "farmer", _("farmer")
    INFORMAL_WORKER = "informal_worker", _("informal worker")
    HOUSEHOLD_BUSINESS = "household_business", _("household business")
    OTHER = "other", _("other")


class SupportGroup(models.TextChoices):
    POOR = "poor", _("poor household")
    NEAR_POOR = "near_poor", _("near-poor household")
    ETHNIC_MINORITY = "ethnic_minority", _("ethnic minority")
    OTHER = "other", _("other")


class Channel(models.TextChoices):
    """Where the officer met the person: the province wants to know which pays off."""

    MARKET = "market", _("market")
    HOUSEHOLD_BUSINESS = "household_business", _("household business")
    HOME = "home", _("at home")
    COUNTER = "counter", _("BHXH office or post office counter")
    EVENT = "event", _("event")
    OTHER = "other", _("other")


class Source(models.TextChoices):
    WEB = "web", _("web form")
    API = "api", _("API")
    IMPORT = "import", _("Excel import")
    DEMO = "demo", _("demo data")


class Household(models.Model):
    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    code = models.CharField(_("household code"), max_length=30, unique=True)
    head_name = models.CharField(_("head of household"), max_length=200, blank=True)
    address = models.CharField(_("address"), max_length=300, blank=True)
    commune = models.ForeignKey(Commune, on_delete=models.PROTECT, related_name="households", verbose_name=_("commune"))
    is_demo = models.BooleanField(_("demo data"), default=False)

    history = AuditedHistory()

    class Meta:
        verbose_name = _("household")
        verbose_name_plural = _("households")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.code


class Participant(models.Model):
    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    cccd = models.CharField(_("CCCD number"), max_length=12, unique=True)
    bhxh_code = models.CharField(_("BHXH code"), max_length=10, blank=True)
    full_name = models.CharField(_("full name"), max_length=200)
    date_of_birth = models.DateField(_("date of birth"))
    sex = models.CharField(_("sex"), max_length=6, choices=Sex.choices)
    phone = models.CharField(_("phone"), max_length=15, blank=True)
    commune = models.ForeignKey(
        Commune, on_delete=models.PROTECT, related_name="participants", verbose_name=_("commune")
    )
    household = models.ForeignKey(
        Household,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="members",
        verbose_name=_("household"),
    )
    target_group = models.CharField(
        _("target group"), max_length=20, choices=TargetGroup.choices, default=TargetGroup.OTHER
    )
    is_demo = models.BooleanField(_("demo data"), default=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    history = AuditedHistory()

    class Meta:
        verbose_name = _("participant")
        verbose_name_plural = _("participants")
        ordering = ["full_name"]
        # Who changed since a moment (a commune moved): whether a coverage snapshot still stands.
        indexes = [
            models.Index(fields=["updated_at"], name="participant_updated"),
            # Each person's commune without the table: the coverage snapshot's GROUP BY merges it with the
            # counted enrollments (index only, 100 MB) rather than reading the 3.3 million rows' heap
            # (512 MB) and hashing them to disk (measured in dashboard/progress/queries.py's full_count).
            models.Index(fields=["id"], include=["commune_id"], name="participant_commune"),
        ]

    def __str__(self) -> str:
        return self.full_name


class ParticipantChange(models.Model):
    """A change to a stored person (or their household's address) made while recording: who, which agency, when."""

    participant = models.ForeignKey(
        Participant,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="changes",
        verbose_name=_("participant"),
    )
    household = models.ForeignKey(
        Household, on_delete=models.CASCADE, null=True, blank=True, related_name="changes", verbose_name=_("household")
    )
    field = models.CharField(_("field"), max_length=30)
    old_value = models.CharField(_("before"), max_length=300, blank=True)
    new_value = models.CharField(_("after"), max_length=300, blank=True)
    agency = models.ForeignKey(CollectionAgency, on_delete=models.PROTECT, related_name="+", verbose_name=_("agency"))
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    changed_at = models.DateTimeField(_("changed at"))

    class Meta:
        verbose_name = _("change to a person")
        verbose_name_plural = _("changes to people")
        ordering = ["-changed_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(participant__isnull=False) | Q(household__isnull=False), name="change_names_whom"
            )
        ]

    def __str__(self) -> str:
        return f"{self.field}: {self.old_value} → {self.new_value}"


class PriorCoverage(models.Model):
    """The end of a person's last coverage before this system, as imported from BHXH's records."""

    cccd = models.CharField(_("CCCD number"), max_length=12)
    product = models.CharField(_("product"), max_length=10, choices=Product.choices)
    last_coverage_end = models.DateField(_("last coverage end"))
    # Who the person is, when BHXH's list carries it: people known only from it are listed per commune and called.
    # Empty by default in the database too: the bulk COPY of CCCD, product and end leaves them out.
    full_name = models.CharField(_("full name"), max_length=200, blank=True, db_default="")
    date_of_birth = models.DateField(_("date of birth"), null=True, blank=True)
    sex = models.CharField(_("sex"), max_length=6, choices=Sex.choices, blank=True, db_default="")
    commune = models.ForeignKey(
        Commune, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("commune")
    )
    phone = models.CharField(_("phone"), max_length=15, blank=True, db_default="")
    household_code = models.CharField(_("household code"), max_length=30, blank=True, db_default="")
    imported_at = models.DateTimeField(_("imported"), auto_now=True)

    class Meta:
        verbose_name = _("prior coverage")
        verbose_name_plural = _("prior coverage")
        constraints = [
            models.UniqueConstraint(fields=["cccd", "product"], name="prior_coverage_unique_per_person_product")
        ]

    def __str__(self) -> str:
        return f"{self.cccd} {self.product} → {self.last_coverage_end:%d/%m/%Y}"


class Enrollment(models.Model):
    Status = Status

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    participant = models.ForeignKey(
        Participant, on_delete=models.PROTECT, related_name="enrollments", verbose_name=_("participant")
    )
    product = models.CharField(_("product"), max_length=10, choices=Product.choices)
    campaign = models.ForeignKey(
        Campaign, on_delete=models.PROTECT, related_name="enrollments", verbose_name=_("campaign")
    )
    week = models.ForeignKey(
        CampaignWeek,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="enrollments",
        verbose_name=_("week"),
        help_text=_("Empty when the collection date is outside the campaign."),
    )
    agency = models.ForeignKey(
        CollectionAgency, on_delete=models.PROTECT, related_name="enrollments", verbose_name=_("agency")
    )
    collector = models.ForeignKey(
        Collector, on_delete=models.PROTECT, related_name="enrollments", verbose_name=_("officer")
    )
    collected_on = models.DateField(_("collection date"))
    months = models.PositiveSmallIntegerField(_("months paid"))
    coverage_start = models.DateField(_("coverage from"))
    coverage_end = models.DateField(_("coverage to"))
    income = models.BigIntegerField(_("declared income (đồng)"), null=True, blank=True)
    support_group = models.CharField(_("support group"), max_length=20, choices=SupportGroup.choices, blank=True)
    member_order = models.PositiveSmallIntegerField(_("member order in the household"), null=True, blank=True)
    amount_due = models.BigIntegerField(_("amount due (đồng)"))
    state_support = models.BigIntegerField(_("State support (đồng)"), default=0)
    supported_months = models.PositiveSmallIntegerField(_("months with State support"), default=0)
    amount_payable = models.BigIntegerField(_("amount payable (đồng)"))
    receipt_no = models.CharField(_("receipt number"), max_length=40, blank=True)
    channel = models.CharField(_("outreach channel"), max_length=20, choices=Channel.choices, default=Channel.OTHER)
    classification = models.CharField(_("classification"), max_length=10, choices=Classification.choices)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.RECORDED)
    source = models.CharField(_("source"), max_length=10, choices=Source.choices, default=Source.WEB)
    recorded_at = models.DateTimeField(_("recorded at"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    cancel_reason = models.CharField(_("reason for cancelling"), max_length=300, blank=True)
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)
    cancelled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("cancelled by"),
    )

    history = AuditedHistory()
    objects = EnrollmentQuerySet.as_manager()

    class Meta:
        verbose_name = _("enrollment")
        verbose_name_plural = _("enrollments")
        ordering = ["-recorded_at"]
        indexes = [
            models.Index(fields=["campaign", "week", "agency"], name="enrollment_week_agency"),
            models.Index(fields=["participant", "product", "coverage_end"], name="enrollment_person_product"),
            models.Index(fields=["campaign", "collected_on"], name="enrollment_campaign_day"),
            # The lists (page and API) read newest first, 25 rows at a time, by keyset: each of these
            # matches their ORDER BY "recorded_at" DESC, "id" DESC exactly, so a page is an index range
            # scan instead of a sort of every row (selectors.enrollments_for, LIST_ORDER).
            models.Index(fields=["-recorded_at", "-id"], name="enrollment_newest"),
            models.Index(fields=["agency", "-recorded_at", "-id"], name="enrollment_agency_newest"),
            models.Index(fields=["campaign", "-recorded_at", "-id"], name="enrollment_campaign_newest"),
            # What was recorded or cancelled since a moment: whether a coverage snapshot still stands
            # (dashboard.progress.incremental); what was recorded since
            # is read by enrollment_campaign_newest above, scanned the other way.
            models.Index(
                fields=["campaign", "cancelled_at"],
                condition=Q(cancelled_at__isnull=False),
                name="enrollment_cancelled_since",
            ),
            # Whether a person was already counted for a product between two dates (the NOT EXISTS of
            # dashboard.progress.incremental): an index-only probe per row of the day.
            models.Index(
                fields=["participant", "product", "campaign", "collected_on"],
                condition=Q(status="recorded", classification__in=BROUGHT_IN),
                name="enrollment_counted_person",
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["participant", "product", "collected_on"],
                condition=Q(status="recorded"),
                name="enrollment_no_duplicate_same_day",
            ),
            models.CheckConstraint(condition=Q(coverage_end__gte=F("coverage_start")), name="enrollment_period_order"),
            models.CheckConstraint(
                condition=Q(amount_payable=F("amount_due") - F("state_support")), name="enrollment_payable_adds_up"
            ),
            models.CheckConstraint(
                condition=Q(state_support__gte=0, state_support__lte=F("amount_due")),
                name="enrollment_support_within_due",
            ),
            models.CheckConstraint(
                condition=Q(status="recorded") | ~Q(cancel_reason=""), name="enrollment_cancel_needs_reason"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.participant} · {self.get_product_display()} · {self.collected_on:%d/%m/%Y}"

    @classmethod
    def build(
        cls,
        *,
        participant: "Participant",
        campaign: Campaign,
        week: CampaignWeek | None,
        collector: Collector,
        collected_on,
        coverage: tuple,
        quote,
        classification: str,
        channel: str,
        receipt_no: str,
        source: str,
        recorded_at,
        agency: CollectionAgency | None = None,
        **more,
    ) -> "Enrollment":
        """An unsaved enrollment from a contribution quote (``contributions.Quote``) and its coverage dates.

        The one place where a quote becomes stored amounts: recording and the demo both build here.
        """
        start, end = coverage
        return cls(
            participant=participant,
            product=quote.product,
            campaign=campaign,
            week=week,
            agency=agency or collector.agency,
            collector=collector,
            collected_on=collected_on,
            months=quote.months,
            coverage_start=start,
            coverage_end=end,
            income=quote.income,
            support_group=quote.support_group or "",
            member_order=quote.member_order,
            amount_due=quote.amount_due,
            state_support=quote.state_support,
            supported_months=quote.supported_months,
            amount_payable=quote.amount_payable,
            receipt_no=receipt_no,
            channel=channel,
            classification=classification,
            source=source,
            recorded_at=recorded_at,
            **more,
        )


class GiftStock(models.Model):
    """The mugs an agency holds for a campaign; a hand-over lowers it, never below zero."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="gift_stocks")
    agency = models.ForeignKey(CollectionAgency, on_delete=models.PROTECT, related_name="gift_stocks")
    received = models.PositiveIntegerField(_("mugs received"), default=0)
    on_hand = models.PositiveIntegerField(_("mugs on hand"), default=0)

    class Meta:
        verbose_name = _("gift stock")
        verbose_name_plural = _("gift stocks")
        constraints = [
            models.UniqueConstraint(fields=["campaign", "agency"], name="gift_stock_unique"),
            models.CheckConstraint(condition=Q(on_hand__gte=0), name="gift_stock_not_negative"),
            models.CheckConstraint(condition=Q(on_hand__lte=F("received")), name="gift_stock_within_received"),
        ]

    def __str__(self) -> str:
        return f"{self.agency}: {self.on_hand}/{self.received}"


class GiftIssue(models.Model):
    """A mug handed to a person who joined for the first time or came back: one per person per campaign."""

    campaign = models.ForeignKey(Campaign, on_delete=models.PROTECT, related_name="gift_issues")
    participant = models.ForeignKey(Participant, on_delete=models.PROTECT, related_name="gift_issues")
    enrollment = models.ForeignKey(Enrollment, on_delete=models.PROTECT, related_name="gift_issues")
    agency = models.ForeignKey(CollectionAgency, on_delete=models.PROTECT, related_name="gift_issues")
    issued_at = models.DateTimeField(_("handed over at"))
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    flagged = models.BooleanField(
        _("flagged"), default=False, help_text=_("The enrollment was cancelled after the mug was handed over.")
    )
    flag_note = models.CharField(_("note"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("gift hand-over")
        verbose_name_plural = _("gift hand-overs")
        constraints = [
            models.UniqueConstraint(fields=["participant", "campaign"], name="gift_one_per_person_per_campaign")
        ]

    def __str__(self) -> str:
        return f"{self.participant} · {self.issued_at:%d/%m/%Y}"


class IdempotentRequest(models.Model):
    """The stored answer to a POST sent with an Idempotency-Key, replayed on a retry."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=100)
    request_hash = models.CharField(max_length=64)
    status_code = models.PositiveSmallIntegerField()
    response = models.JSONField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "key"], name="idempotency_key_unique_per_user")]

    def __str__(self) -> str:
        return f"{self.user_id}:{self.key}"


# The contact log of the renewal lists lives with them; imported here so that Django finds the model.
from .renewals.models import ContactOutcome, RenewalContact  # noqa: E402

__all__ = ["ContactOutcome", "RenewalContact"]
