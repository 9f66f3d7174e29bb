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


@pytest.fixture
def redis_behind_proxy(settings):
    """The cache and the Celery broker reach Redis through a proxy the test stops and starts (redis tests).

    ``proxy.stop()`` is Redis going away for this test alone (the shared server keeps running for
    everyone else); ``proxy.start()`` is Redis coming back with what it held. Tasks go to the broker
    (not run eagerly) on a queue of the test's own, which it reads back with ``queued_tasks``.
    """
    import uuid
    from urllib.parse import urlsplit

    from config.celery import app as celery_app
    from core.tests.outage import TcpProxy, drop_queue, forget_broker_connections

    real = urlsplit(settings.REDIS_URL)
    proxy = TcpProxy(real.hostname, real.port or 6379).start()
    url = f"redis://127.0.0.1:{proxy.port}{real.path or '/0'}"
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": url,
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
        }
    }
    conf = celery_app.conf
    saved = {name: conf[name] for name in ("broker_url", "task_always_eager", "task_default_queue")}
    conf.broker_url, conf.task_always_eager = url, False
    conf.task_default_queue = f"test-outage-{uuid.uuid4().hex[:8]}"
    forget_broker_connections(celery_app)
    try:
        yield proxy
    finally:
        proxy.stop()
        drop_queue(settings.REDIS_URL, conf.task_default_queue)
        for name, value in saved.items():
            conf[name] = value
        forget_broker_connections(celery_app)
