"""Suite-wide fixtures and the rule for tests that need real services.

A test marked ``postgres``, ``redis`` or ``browser`` runs where that service (or Debian's
chromium) is there.
Outside CI it is skipped with the reason shown; in CI (``CI`` set) a missing
service fails the test instead, so nothing is silently skipped there.
"""

import os

import pytest
from django.conf import settings
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings

CHROMIUM = "/usr/bin/chromium"

# Property-based tests (hypothesis): few examples each, no deadline (a shared 2-core machine is slow
# at times, which is not a failure), nothing written to a .hypothesis folder; in CI the examples are
# the same on every run, so a red build is reproducible and never a roll of the dice.
hypothesis_settings.register_profile(
    "project",
    max_examples=60,
    deadline=None,
    database=None,
    derandomize=bool(os.environ.get("CI")),
    suppress_health_check=[HealthCheck.too_slow],
)
hypothesis_settings.load_profile("project")


def _service_missing(marker: str) -> str | None:
    if marker == "postgres" and settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
        return "needs PostgreSQL: set DATABASE_URL=postgres://..."
    if marker == "redis" and not settings.REDIS_URL:
        return "needs Redis: set REDIS_URL=redis://..."
    if marker == "browser" and not os.path.exists(CHROMIUM):
        return f"needs Debian's chromium at {CHROMIUM}: apt-get install chromium"
    return None


def pytest_runtest_setup(item):
    for marker in ("postgres", "redis", "browser"):
        if item.get_closest_marker(marker) is None:
            continue
        reason = _service_missing(marker)
        if reason is None:
            continue
        if os.environ.get("CI"):
            pytest.fail(f"CI must run this test but the service is not configured: {reason}")
        pytest.skip(reason)


@pytest.fixture
def default_policies(django_db_blocker):
    """The policy rows of the data migrations, for tests whose flush removed them (transaction=True)."""
    import importlib

    from django.apps import apps

    defaults = importlib.import_module("campaign.migrations.0003_default_policies")
    from_2026 = importlib.import_module("campaign.migrations.0008_policy_from_2026_07_01")
    with django_db_blocker.unblock():
        defaults.add_policies(apps, None)
        from_2026.add_policy(apps, None)


@pytest.fixture(autouse=True)
def fresh_cache():
    """Every test starts with an empty cache: cached figures keyed by ids must not outlive their rows."""
    from django.core.cache import cache

    cache.clear()
