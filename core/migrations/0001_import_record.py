"""ImportRecord moves from campaign/ to core/ in Django's state only: the table keeps its name and rows."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

import core.clock


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("campaign", "0006_import_record"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="ImportRecord",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                        ("kind", models.CharField(choices=[("quotas", "weekly quotas"), ("roster", "agencies and officers"), ("baseline", "coverage baselines"), ("prior_coverage", "prior coverage"), ("enrollments", "paper enrollments")], max_length=20, verbose_name="import")),
                        ("source", models.CharField(choices=[("web", "upload page"), ("command", "management command")], max_length=10, verbose_name="through")),
                        ("actor", models.CharField(help_text="The user name, or the system user of a command.", max_length=150, verbose_name="by")),
                        ("created_at", models.DateTimeField(default=core.clock.now, verbose_name="uploaded at")),
                        ("finished_at", models.DateTimeField(blank=True, null=True, verbose_name="finished at")),
                        ("file_name", models.CharField(max_length=255, verbose_name="file name")),
                        ("sha256", models.CharField(db_index=True, max_length=64, verbose_name="SHA-256")),
                        ("size", models.PositiveBigIntegerField(verbose_name="size (bytes)")),
                        ("parameters", models.JSONField(blank=True, default=dict, verbose_name="parameters")),
                        ("rows_read", models.PositiveIntegerField(default=0, verbose_name="rows read")),
                        ("rows_written", models.PositiveIntegerField(default=0, verbose_name="rows written")),
                        ("outcome", models.CharField(choices=[("previewed", "previewed, not written"), ("written", "written"), ("rejected", "rejected"), ("cancelled", "cancelled")], max_length=10, verbose_name="outcome")),
                        ("summary", models.JSONField(blank=True, default=dict, verbose_name="summary")),
                        ("problem_count", models.PositiveIntegerField(default=0, verbose_name="problems")),
                        ("problems", models.JSONField(blank=True, default=list, verbose_name="problems found")),
                        ("rejected_file", models.BinaryField(blank=True, null=True, verbose_name="rejected rows (.xlsx)")),
                        ("pending_file", models.BinaryField(blank=True, null=True, verbose_name="file awaiting confirmation")),
                        ("user", models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name="+", to=settings.AUTH_USER_MODEL, verbose_name="user")),
                    ],
                    options={
                        "verbose_name": "import",
                        "verbose_name_plural": "imports",
                        "ordering": ["-created_at", "-pk"],
                        "indexes": [models.Index(fields=["kind", "sha256"], name="import_kind_sha256")],
                        "db_table": "campaign_importrecord",
                    },
                ),
            ],
            database_operations=[],
        ),
    ]
