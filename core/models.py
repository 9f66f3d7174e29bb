"""What every app uses and none owns: the record of each upload, follow-up work kept while Redis is away,
and the audit records of personal-data downloads."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from . import clock


class ImportRecord(models.Model):
    """One upload of a spreadsheet: who, when, which file, what was read and written, and how it ended.

    Kept for every upload, also a refused one. Between the preview and the admin's
    confirmation the file itself waits in ``pending_file`` (the database, so any app
    server can confirm it); the rows a rejected import could not take wait in
    ``rejected_file`` for download.
    """

    class Kind(models.TextChoices):
        QUOTAS = "quotas", _("weekly quotas")
        ROSTER = "roster", _("agencies and officers")
        BASELINE = "baseline", _("coverage baselines")
        PRIOR_COVERAGE = "prior_coverage", _("prior coverage")
        ENROLLMENTS = "enrollments", _("paper enrollments")
        BANK_STATEMENT = "bank_statement", _("bank statement")

    class Outcome(models.TextChoices):
        PREVIEWED = "previewed", _("previewed, not written")
        WRITTEN = "written", _("written")
        REJECTED = "rejected", _("rejected")
        CANCELLED = "cancelled", _("cancelled")

    class Source(models.TextChoices):
        WEB = "web", _("upload page")
        COMMAND = "command", _("management command")

    kind = models.CharField(_("import"), max_length=20, choices=Kind.choices)
    source = models.CharField(_("through"), max_length=10, choices=Source.choices)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("user"),
    )
    actor = models.CharField(_("by"), max_length=150, help_text=_("The user name, or the system user of a command."))
    created_at = models.DateTimeField(_("uploaded at"), default=clock.now)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    file_name = models.CharField(_("file name"), max_length=255)
    sha256 = models.CharField(_("SHA-256"), max_length=64, db_index=True)
    size = models.PositiveBigIntegerField(_("size (bytes)"))
    parameters = models.JSONField(_("parameters"), default=dict, blank=True)
    rows_read = models.PositiveIntegerField(_("rows read"), default=0)
    rows_written = models.PositiveIntegerField(_("rows written"), default=0)
    outcome = models.CharField(_("outcome"), max_length=10, choices=Outcome.choices)
    summary = models.JSONField(_("summary"), default=dict, blank=True)
    problem_count = models.PositiveIntegerField(_("problems"), default=0)
    problems = models.JSONField(_("problems found"), default=list, blank=True)
    rejected_file = models.BinaryField(_("rejected rows (.xlsx)"), null=True, blank=True, editable=False)
    pending_file = models.BinaryField(_("file awaiting confirmation"), null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("import")
        verbose_name_plural = _("imports")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["kind", "sha256"], name="import_kind_sha256")]
        # The table kept its name when the model moved here from campaign/ (no data migration).
        db_table = "campaign_importrecord"

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.file_name} · {self.get_outcome_display()}"


class PendingWork(models.Model):
    """Follow-up work of a committed write that could not reach Redis at the time (``core.outbox``).

    A Celery task the broker did not take, or a cache generation that could not be moved on: kept
    here, in the database that did take the write, and done by ``core.outbox.flush`` (beat, every
    minute) once Redis answers again.
    """

    class Kind(models.TextChoices):
        TASK = "task", _("Celery task")
        BUMP = "bump", _("cached figures to refresh")

    kind = models.CharField(_("kind"), max_length=4, choices=Kind.choices)
    name = models.CharField(_("task or cache key"), max_length=200)
    args = models.JSONField(_("arguments"), default=list, blank=True)
    kwargs = models.JSONField(_("keyword arguments"), default=dict, blank=True)
    created_at = models.DateTimeField(_("kept at"), auto_now_add=True)
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    last_error = models.CharField(_("last error"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("pending follow-up work")
        verbose_name_plural = _("pending follow-up work")
        ordering = ["pk"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.name}"


class DownloadRecord(models.Model):
    """One download of a file that holds personal data: who, when, which file, with which filter, how many rows.

    Written by the view before the file is sent, for every export that carries people's CCCD,
    birth date or phone (Decree 13/2023: who took personal data out of the system, and how much).
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("user"),
    )
    actor = models.CharField(_("by"), max_length=150, help_text=_("The user name, kept if the user is removed."))
    downloaded_at = models.DateTimeField(_("downloaded at"), default=timezone.now, db_index=True)
    export = models.CharField(_("export"), max_length=60)
    file_name = models.CharField(_("file name"), max_length=255)
    filters = models.JSONField(_("filters"), default=dict, blank=True)
    rows = models.PositiveIntegerField(_("rows"))

    class Meta:
        verbose_name = _("download of personal data")
        verbose_name_plural = _("downloads of personal data")
        ordering = ["-downloaded_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.export} · {self.actor} · {self.rows}"
