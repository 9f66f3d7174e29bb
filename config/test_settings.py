"""Settings for the test suite: the production settings with a test key and fast hashing.

DATABASE_URL and REDIS_URL still come from the environment, so CI runs the same
suite against PostgreSQL and Redis that a developer runs on SQLite.
"""

import os

os.environ.setdefault("SECRET_KEY", "test-only-secret-key-not-for-any-deployment-0123456789")

from config.settings import *  # noqa: F403
from config.settings import STORAGES

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
SECURE_SSL_REDIRECT = False
STORAGES = {**STORAGES, "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}
# Tests fix the day where they need one (core.clock); the environment must not leak in.
APP_TODAY = None
# Tasks run in the test process unless a test asks for the real worker.
CELERY_TASK_ALWAYS_EAGER = True
# Serve assets from the apps' folders, as in development: no collectstatic before tests.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True

# Each test run gets its own PostgreSQL test database, so runs side by side (a developer's and
# CI's, or two terminals) never drop each other's database mid-run.
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":  # noqa: F405
    DATABASES["default"]["TEST"] = {"NAME": f"test_{DATABASES['default']['NAME']}_{os.getpid()}"}  # noqa: F405

# A second database stands for a replica (core/replica.py), created only for the tests that ask
# for it. It is a database of its own, not a mirror, so a test can tell which one a page read.
# The read side uses it only where a test turns READ_FROM_REPLICA on.
DATABASES["replica"] = {**DATABASES["default"]}  # noqa: F405
if DATABASES["replica"]["ENGINE"] == "django.db.backends.postgresql":  # noqa: F405
    DATABASES["replica"]["TEST"] = {"NAME": f"test_{DATABASES['default']['NAME']}_replica_{os.getpid()}"}  # noqa: F405
else:
    DATABASES["replica"]["TEST"] = {}  # noqa: F405
READ_FROM_REPLICA = False
