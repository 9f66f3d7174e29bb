"""ImportRecord now belongs to core/ (see core/migrations/0001): drop it from campaign's state only."""

from django.db import migrations


def move_content_type(apps, schema_editor):
    # Keeps the admin's log entries and permissions pointing at the same rows.
    content_type = apps.get_model("contenttypes", "ContentType")
    if not content_type.objects.filter(app_label="core", model="importrecord").exists():
        content_type.objects.filter(app_label="campaign", model="importrecord").update(app_label="core")


def move_content_type_back(apps, schema_editor):
    content_type = apps.get_model("contenttypes", "ContentType")
    if not content_type.objects.filter(app_label="campaign", model="importrecord").exists():
        content_type.objects.filter(app_label="core", model="importrecord").update(app_label="campaign")


class Migration(migrations.Migration):
    dependencies = [
        ("campaign", "0006_import_record"),
        ("core", "0001_import_record"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name="ImportRecord")],
            database_operations=[],
        ),
        migrations.RunPython(move_content_type, move_content_type_back),
    ]
