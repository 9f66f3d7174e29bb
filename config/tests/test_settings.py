"""The settings contract: zero-setup defaults, required secrets, and a clean deploy check."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _run_manage(*args: str, **env: str) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if k not in ("DEBUG", "SECRET_KEY", "DATABASE_URL", "REDIS_URL")}
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**clean, "DJANGO_SETTINGS_MODULE": "config.settings", **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_secret_key_is_required_when_debug_is_off():
    result = _run_manage("check", DEBUG="off")
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_debug_runs_with_no_environment_at_all():
    result = _run_manage("check", DEBUG="on")
    assert result.returncode == 0, result.stderr


def test_deploy_check_is_clean_with_the_readme_production_environment():
    result = _run_manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        DEBUG="off",
        SECRET_KEY="a" * 10 + "-production-like-secret-key-with-enough-variety-0123456789",
        ALLOWED_HOSTS="bhxh.example.vn",
        DATABASE_URL="postgres://bhxh:secret@127.0.0.1:5432/bhxh",
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_deploy_check_warns_when_production_runs_on_sqlite():
    result = _run_manage(
        "check",
        "--deploy",
        DEBUG="off",
        SECRET_KEY="a" * 10 + "-production-like-secret-key-with-enough-variety-0123456789",
        ALLOWED_HOSTS="bhxh.example.vn",
    )
    assert "core.W001" in result.stderr + result.stdout


def test_the_zero_setup_database_lets_writers_wait_for_each_other():
    probe = (
        "from django.conf import settings as s; o = s.DATABASES['default']['OPTIONS']; "
        "print(o['transaction_mode'], o['timeout'], o['init_command'])"
    )
    result = _run_manage("shell", "--no-imports", "-c", probe, DEBUG="on")
    assert result.stdout.split() == ["IMMEDIATE", "20", "PRAGMA", "journal_mode=WAL;", "PRAGMA", "synchronous=NORMAL;"]


def test_a_bad_app_today_is_refused():
    result = _run_manage("check", DEBUG="on", APP_TODAY="10/12/2025")
    assert result.returncode != 0
    assert "APP_TODAY" in result.stderr


def test_zero_setup_defaults_and_service_urls():
    probe = (
        "from django.conf import settings as s; "
        "print(s.DATABASES['default']['ENGINE'], s.CELERY_TASK_ALWAYS_EAGER, s.CACHES['default']['BACKEND'], "
        "s.CELERY_BROKER_URL, s.LANGUAGE_CODE, s.TIME_ZONE, s.USE_TZ)"
    )
    defaults = _run_manage("shell", "--no-imports", "-c", probe, DEBUG="on")
    assert defaults.stdout.split() == [
        "django.db.backends.sqlite3",
        "True",
        "django.core.cache.backends.locmem.LocMemCache",
        "memory://",
        "vi",
        "Asia/Ho_Chi_Minh",
        "True",
    ], defaults.stderr
    services = _run_manage(
        "shell",
        "--no-imports",
        "-c",
        probe,
        DEBUG="on",
        DATABASE_URL="postgres://u:p@db:5432/bhxh",
        REDIS_URL="redis://r:6379/0",
    )
    assert services.stdout.split()[:4] == [
        "django.db.backends.postgresql",
        "False",
        "django.core.cache.backends.redis.RedisCache",
        "redis://r:6379/0",
    ], services.stderr
