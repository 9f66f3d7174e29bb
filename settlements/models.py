"""The agency's paperwork and money: the D03-TS / D05-TS lists it sends to BHXH, and what it hands over."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from campaign.models import Product
from collectors.models import CollectionAgency
from enrollments.classification import Classification
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
    bank_bin = models.CharField(
        _("bank code (BIN)"),
        max_length=6,
        blank=True,
        help_text=_("The six digits NAPAS gives the agency's bank, e.g. 970436 for Vietcombank."),
    )
    bank_account = models.CharField(_("collection account number"), max_length=19, blank=True)
    account_name = models.CharField(_("account holder"), max_length=100, blank=True)

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


class ReceiptSeries(models.Model):
    """An agency's numbered receipts (biên lai): the prefix BHXH gave it and the next number to issue.

    The row is the counter: issuing locks it (``select_for_update``), so numbers follow 1, 2, 3, ...
    with no gap and none twice, however many officers record at once.
    """

    agency = models.ForeignKey(
        CollectionAgency, on_delete=models.PROTECT, related_name="receipt_series", verbose_name=_("agency")
    )
    prefix = models.CharField(_("prefix"), max_length=30, help_text=_("As BHXH set it, e.g. BH25-AG/08907/E."))
    digits = models.PositiveSmallIntegerField(_("digits of the number"), default=7)
    next_number = models.PositiveIntegerField(_("next number"), default=1, editable=False)
    active = models.BooleanField(_("in use"), default=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("receipt series")
        verbose_name_plural = _("receipt series")
        ordering = ["agency__code", "-active", "prefix"]
        constraints = [
            models.UniqueConstraint(fields=["agency"], condition=Q(active=True), name="one_active_series_per_agency"),
            models.UniqueConstraint(fields=["prefix"], name="receipt_series_prefix_unique"),
            models.CheckConstraint(condition=Q(next_number__gte=1), name="receipt_series_next_from_one"),
            models.CheckConstraint(condition=Q(digits__gte=1, digits__lte=12), name="receipt_series_digits"),
        ]

    def __str__(self) -> str:
        return self.prefix

    def format(self, number: int) -> str:
        return f"{self.prefix}-{number:0{self.digits}d}"


class Receipt(models.Model):
    """A receipt handed to a person or household: one number, one or more enrollments paid together."""

    class Status(models.TextChoices):
        ISSUED = "issued", _("issued")
        VOID = "void", _("void")

    agency = models.ForeignKey(
        CollectionAgency, on_delete=models.PROTECT, related_name="receipts", verbose_name=_("agency")
    )
    series = models.ForeignKey(
        ReceiptSeries,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="receipts",
        verbose_name=_("series"),
        help_text=_("Empty for a paper receipt whose number was typed."),
    )
    number = models.PositiveIntegerField(_("number in the series"), null=True, blank=True)
    receipt_no = models.CharField(_("receipt number"), max_length=40)
    status = models.CharField(_("status"), max_length=6, choices=Status.choices, default=Status.ISSUED)
    issued_at = models.DateTimeField(_("issued at"))
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    void_reason = models.CharField(_("reason for voiding"), max_length=300, blank=True)
    voided_at = models.DateTimeField(_("voided at"), null=True, blank=True)
    voided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    replaced_by = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("replaced by")
    )

    class Meta:
        verbose_name = _("receipt")
        verbose_name_plural = _("receipts")
        ordering = ["-issued_at", "-pk"]
        constraints = [
            # A number is used once in the agency's receipts, voided ones included: never reused.
            models.UniqueConstraint(fields=["agency", "receipt_no"], name="receipt_no_unique_per_agency"),
            models.UniqueConstraint(fields=["series", "number"], name="receipt_number_unique_in_series"),
            models.CheckConstraint(
                condition=Q(series__isnull=True, number__isnull=True) | Q(series__isnull=False, number__isnull=False),
                name="receipt_series_has_number",
            ),
            models.CheckConstraint(condition=Q(status="issued") | ~Q(void_reason=""), name="receipt_void_needs_reason"),
        ]

    def __str__(self) -> str:
        return self.receipt_no


class ReceiptLine(models.Model):
    """An enrollment paid on a receipt; a household's members share one."""

    receipt = models.ForeignKey(Receipt, on_delete=models.PROTECT, related_name="lines")
    enrollment = models.ForeignKey(Enrollment, on_delete=models.PROTECT, related_name="receipt_lines")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["receipt", "enrollment"], name="receipt_line_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.receipt} · {self.enrollment_id}"


class Transfer(models.Model):
    """Money an agency handed over to BHXH: a bank transfer (or a deposit) with the bank's reference."""

    agency = models.ForeignKey(
        CollectionAgency, on_delete=models.PROTECT, related_name="transfers", verbose_name=_("agency")
    )
    transferred_on = models.DateField(_("date handed over"))
    amount = models.BigIntegerField(_("amount (đồng)"))
    bank_reference = models.CharField(_("bank reference"), max_length=60)
    note = models.CharField(_("note"), max_length=300, blank=True)
    recorded_at = models.DateTimeField(_("recorded at"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("money handed over")
        verbose_name_plural = _("money handed over")
        ordering = ["-transferred_on", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["agency", "bank_reference"], name="transfer_reference_unique_per_agency"),
            models.CheckConstraint(condition=Q(amount__gt=0), name="transfer_amount_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.agency.code} · {self.transferred_on:%d/%m/%Y} · {self.amount}"


class FeeRate(models.Model):
    """What BHXH pays an agency for collecting (thù lao): per agency kind, product and classification.

    No national rate exists (FORMS.md): a percentage of the amount collected or a fixed sum per
    person, in force from a date; the rate in force on an enrollment's collection date applies.
    """

    class Method(models.TextChoices):
        PERCENT = "percent", _("percentage of the amount")
        FIXED = "fixed", _("fixed sum per person")

    agency_kind = models.CharField(_("agency kind"), max_length=20, choices=CollectionAgency.Kind.choices)
    product = models.CharField(_("product"), max_length=10, choices=Product.choices)
    classification = models.CharField(_("classification"), max_length=10, choices=Classification.choices)
    method = models.CharField(_("method"), max_length=7, choices=Method.choices)
    percent = models.DecimalField(_("percentage"), max_digits=5, decimal_places=2, null=True, blank=True)
    fixed_amount = models.BigIntegerField(_("sum per person (đồng)"), null=True, blank=True)
    effective_from = models.DateField(_("in force from"))

    class Meta:
        verbose_name = _("collection fee rate")
        verbose_name_plural = _("collection fee rates")
        ordering = ["agency_kind", "product", "classification", "-effective_from"]
        constraints = [
            models.UniqueConstraint(
                fields=["agency_kind", "product", "classification", "effective_from"], name="fee_rate_unique_from"
            ),
            models.CheckConstraint(
                condition=Q(method="percent", percent__gte=0, percent__lte=100, fixed_amount__isnull=True)
                | Q(method="fixed", fixed_amount__gte=0, percent__isnull=True),
                name="fee_rate_one_method",
            ),
        ]

    def __str__(self) -> str:
        value = f"{self.percent}%" if self.method == self.Method.PERCENT else f"{self.fixed_amount} đ"
        return f"{self.agency_kind} · {self.product} · {self.classification}: {value}"


class StatementLine(models.Model):
    """A credit line of the bank statement of the agency's collection account, and the receipt it pays.

    Matched by the receipt number in the transfer's content and the amount (``statements.matching``);
    the bank's reference is unique per agency, so a statement uploaded twice adds nothing, and a
    receipt has at most one matched line.
    """

    class Result(models.TextChoices):
        MATCHED = "matched", _("matched")
        AMOUNT_DIFFERS = "amount", _("amount differs")
        UNKNOWN = "unknown", _("unknown reference")
        ALREADY_PAID = "duplicate", _("receipt already paid")

    agency = models.ForeignKey(
        CollectionAgency, on_delete=models.PROTECT, related_name="statement_lines", verbose_name=_("agency")
    )
    credited_on = models.DateField(_("credited on"))
    amount = models.BigIntegerField(_("amount (đồng)"))
    content = models.CharField(_("transfer content"), max_length=500, blank=True)
    bank_reference = models.CharField(_("bank reference"), max_length=60)
    result = models.CharField(_("result"), max_length=9, choices=Result.choices)
    receipt = models.ForeignKey(
        Receipt,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="statement_lines",
        verbose_name=_("receipt"),
    )
    row = models.PositiveIntegerField(_("row in the file"), default=0)
    recorded_at = models.DateTimeField(_("recorded at"))

    class Meta:
        verbose_name = _("bank statement line")
        verbose_name_plural = _("bank statement lines")
        ordering = ["-credited_on", "row", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["agency", "bank_reference"], name="statement_reference_unique_per_agency"),
            models.UniqueConstraint(
                fields=["receipt"], condition=Q(result="matched"), name="statement_one_match_per_receipt"
            ),
            models.CheckConstraint(condition=Q(amount__gt=0), name="statement_amount_positive"),
            models.CheckConstraint(
                condition=Q(result="unknown") | Q(receipt__isnull=False), name="statement_result_names_receipt"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.agency.code} · {self.bank_reference} · {self.amount}"
