"""Collection-service organizations, their officers, and their weekly quotas."""

import uuid

import simple_history
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from campaign.models import BhxhOffice, CampaignWeek, Commune, Product, Province
from core.audit import AuditedHistory


class CollectionAgency(models.Model):
    """A tổ chức dịch vụ thu: a post office or a commune agent that signs people up."""

    class Kind(models.TextChoices):
        POST_OFFICE = "post_office", _("post office")
        COMMUNE_AGENT = "commune_agent", _("commune agent")
        OTHER = "other", _("other")

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    code = models.CharField(_("code"), max_length=30, unique=True)
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    office = models.ForeignKey(
        BhxhOffice, on_delete=models.PROTECT, related_name="agencies", verbose_name=_("BHXH office")
    )
    communes = models.ManyToManyField(Commune, related_name="agencies", blank=True, verbose_name=_("communes served"))
    active = models.BooleanField(_("active"), default=True)
    is_demo = models.BooleanField(_("demo data"), default=False)

    class Meta:
        verbose_name = _("collection-service organization")
        verbose_name_plural = _("collection-service organizations")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class Collector(models.Model):
    """A collection officer (cán bộ thu) of an agency, with a login when they use the app."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    code = models.CharField(_("code"), max_length=30, unique=True)
    name = models.CharField(_("full name"), max_length=200)
    phone = models.CharField(_("phone"), max_length=15, blank=True)
    agency = models.ForeignKey(
        CollectionAgency, on_delete=models.PROTECT, related_name="collectors", verbose_name=_("agency")
    )
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="collector",
        verbose_name=_("user account"),
    )
    active = models.BooleanField(_("active"), default=True)
    is_demo = models.BooleanField(_("demo data"), default=False)

    history = AuditedHistory()

    class Meta:
        verbose_name = _("collection officer")
        verbose_name_plural = _("collection officers")
        ordering = ["agency__code", "code"]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"


class WeeklyQuota(models.Model):
    """How many people an agency should bring in during a week, for one product."""

    week = models.ForeignKey(CampaignWeek, on_delete=models.PROTECT, related_name="quotas", verbose_name=_("week"))
    agency = models.ForeignKey(
        CollectionAgency, on_delete=models.PROTECT, related_name="quotas", verbose_name=_("agency")
    )
    product = models.CharField(_("product"), max_length=10, choices=Product.choices)
    count = models.PositiveIntegerField(_("quota (people)"))

    history = AuditedHistory()

    class Meta:
        verbose_name = _("weekly quota")
        verbose_name_plural = _("weekly quotas")
        ordering = ["week", "agency", "product"]
        constraints = [
            models.UniqueConstraint(fields=["week", "agency", "product"], name="quota_unique_per_week_agency_product"),
            models.CheckConstraint(condition=Q(product__in=Product.values), name="quota_product_known"),
        ]

    def __str__(self) -> str:
        return f"{self.agency} · {self.week} · {self.get_product_display()}: {self.count}"


class ApiToken(models.Model):
    """A bearer token an admin issues to an officer for their agency's own system.

    Only a SHA-256 of the token is stored; the token itself is shown once, when issued.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens", verbose_name=_("user")
    )
    name = models.CharField(
        _("name"), max_length=100, help_text=_("What the token is for, e.g. the post office system.")
    )
    prefix = models.CharField(_("prefix"), max_length=8, editable=False)
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(_("issued at"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("issued by"),
    )
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"


class SessionEpoch(models.Model):
    """How many times a user's sessions were all ended ("log out of every device").

    Each session remembers the number in force when it logged in; a session holding an older
    number is logged out on its next request (collectors.accounts.sessions). Kept apart from the
    session store, so it holds for database, cache and cookie sessions alike.
    """

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="session_epoch",
        verbose_name=_("user"),
    )
    number = models.PositiveIntegerField(_("times ended"), default=0)
    changed_at = models.DateTimeField(_("last ended at"), null=True, blank=True)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("ended by"),
    )

    class Meta:
        verbose_name = _("ended sessions")
        verbose_name_plural = _("ended sessions")

    def __str__(self) -> str:
        return f"{self.user}: {self.number}"


class StaffPosting(models.Model):
    """The province a member of BHXH staff (provincial or admin) works for: their pages show it only.

    Several provinces can share one instance. Provincial staff without a posting see no province;
    an admin without one sees every province. Officers are not posted: their province is their
    agency's BHXH office's (collectors.scoping.province_of).
    """

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="posting",
        verbose_name=_("user"),
    )
    province = models.ForeignKey(
        Province, on_delete=models.PROTECT, related_name="postings", verbose_name=_("province")
    )

    class Meta:
        verbose_name = _("staff posting")
        verbose_name_plural = _("staff postings")

    def __str__(self) -> str:
        return f"{self.user}: {self.province}"


# Roles are the user's groups, superuser and active flags (collectors.roles); who holds which, and
# since when, is kept like any other change. The password hash and the login time are not history.
simple_history.register(
    get_user_model(),
    app="collectors",
    records_class=AuditedHistory,
    m2m_fields=["groups"],
    excluded_fields=["password", "last_login"],
)
