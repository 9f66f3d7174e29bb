"""System checks of how the app is deployed."""

from django.conf import settings
from django.core.checks import Warning, register


@register(deploy=True)
def sqlite_in_production(app_configs, **kwargs):
    """SQLite is the zero-setup default; a province's load needs PostgreSQL."""
    if settings.DATABASES["default"]["ENGINE"] != "django.db.backends.sqlite3":
        return []
    return [
        Warning(
            "The database is SQLite: fine for a demo, not for a province's campaign.",
            hint="Set DATABASE_URL=postgres://... (README, 'Production').",
            id="core.W001",
        )
    ]
