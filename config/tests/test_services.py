"""The production services answer: PostgreSQL as the database, Redis as cache and broker."""

import pytest
from django.conf import settings
from django.core.cache import cache, caches
from django.db import connection

from config.celery import app as celery_app


@pytest.mark.postgres
@pytest.mark.django_db
def test_database_is_postgresql_through_psycopg3():
    assert connection.vendor == "postgresql"
    assert connection.Database.__name__ == "psycopg"
    with connection.cursor() as cursor:
        cursor.execute("SHOW TimeZone")
        assert cursor.fetchone()[0] == "UTC"  # Django stores UTC; business dates are local dates


@pytest.mark.redis
def test_cache_is_redis_and_round_trips_vietnamese_text():
    assert caches["default"].__class__.__name__ == "RedisCache"
    cache.set("ci:probe", "Tây Ninh", timeout=10)
    assert cache.get("ci:probe") == "Tây Ninh"
    cache.delete("ci:probe")


@pytest.mark.redis
def test_celery_broker_is_redis_and_reachable():
    assert celery_app.conf.broker_url == settings.REDIS_URL
    with celery_app.connection_for_write() as conn:
        conn.ensure_connection(max_retries=2)
        assert conn.transport.driver_type == "redis"  # redis:// and rediss:// alike; memory:// is "memory"
