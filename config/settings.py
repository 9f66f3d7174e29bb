"""Settings for the campaign product, read from the environment (and an optional .env).

Zero-setup default: no DATABASE_URL means a SQLite file in the project folder, no
REDIS_URL means Celery runs tasks eagerly and the cache is local memory. Production
sets DEBUG=off, SECRET_KEY, ALLOWED_HOSTS, DATABASE_URL and REDIS_URL (see README).
"""

from datetime import date, timedelta
from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DEBUG = env.bool("DEBUG", default=False)

if DEBUG:
    SECRET_KEY = env("SECRET_KEY", default="insecure-dev-key-only-for-debug-never-in-production")
else:
    try:
        SECRET_KEY = env("SECRET_KEY")
    except ImproperlyConfigured as exc:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off (see README, 'Production').") from exc

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "testserver"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "collectors.admin_site.BhxhAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "template_partials",
    "bootstrap",
    "ninja",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "simple_history",
    "core",
    "campaign",
    "collectors",
    "enrollments",
    "settlements",
    "awards",
    "dashboard",
    "demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "config.database_busy.DatabaseBusyMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "config.middleware.VietnameseFirstLocaleMiddleware",
    "config.middleware.RefuseNulMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # A session from before the user's last "log out of every device" ends here.
    "collectors.accounts.sessions.SessionEpochMiddleware",
    "django_otp.middleware.OTPMiddleware",
    # Keeps the request so history rows name the signed-in user (core/audit.py).
    "simple_history.middleware.HistoryRequestMiddleware",
    "core.sessions.IdleSessionMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # A session that owes its two-step code (or enrolment) reaches only the page that asks for it.
    "collectors.accounts.middleware.TwoStepMiddleware",
    # The dashboards' GETs read from the replica when one is configured (core/replica.py).
    "core.replica.ReadSideMiddleware",
    # Last, as django-axes asks: it turns a locked-out login into the lock-out page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
ASGI_APPLICATION = "config.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "collectors.context_processors.role",
                "dashboard.context_processors.campaign",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------
DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Concurrent writers on the zero-setup database wait for each other instead of failing:
    # write-ahead logging, a busy timeout, and transactions that take the write lock at BEGIN.
    DATABASES["default"]["OPTIONS"] = {
        "timeout": env.int("SQLITE_TIMEOUT", default=20),
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# A replica of the database (a streaming standby), when there is one: the dashboards and the
# progress API read from it; every write, and every other page, uses the primary (core/replica.py).
DATABASE_REPLICA_URL = env("DATABASE_REPLICA_URL", default="")
if DATABASE_REPLICA_URL:
    DATABASES["replica"] = env.db_url_config(DATABASE_REPLICA_URL)
    DATABASES["replica"].update(CONN_MAX_AGE=DATABASES["default"]["CONN_MAX_AGE"], CONN_HEALTH_CHECKS=True)
    # A standby refuses writes and migrations; tests make it a copy of their own.
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
READ_FROM_REPLICA = env.bool("READ_FROM_REPLICA", default=bool(DATABASE_REPLICA_URL))
READ_SIDE_PATHS = [r"^/overview/", r"^/my-agency/$", r"^/api/v1/campaigns/[^/]+/progress$"]
DATABASE_ROUTERS = ["core.replica.ReadSideRouter"]

# --- Cache and Celery -------------------------------------------------------------
REDIS_URL = env("REDIS_URL", default="")
if REDIS_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
    CELERY_BROKER_URL = REDIS_URL
    CELERY_RESULT_BACKEND = REDIS_URL
    CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=False)
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    CELERY_BROKER_URL = "memory://"
    CELERY_RESULT_BACKEND = None
    CELERY_TASK_ALWAYS_EAGER = True
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_TIMEZONE = "Asia/Ho_Chi_Minh"
CELERY_TASK_TIME_LIMIT = 30 * 60
CELERY_TASK_SOFT_TIME_LIMIT = 25 * 60
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_ACKS_LATE = True
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Rankings and coverage snapshots may run on queues of their own, so that workers of their own
# (on other machines, `make worker-rankings` / `make worker-snapshots`) take the heavy nightly and
# weekly work while the default queue keeps the small follow-ups. Off by default: one worker on
# the default queue then does everything.
CELERY_QUEUE_ROUTES = {"awards.tasks.*": {"queue": "rankings"}, "dashboard.tasks.*": {"queue": "snapshots"}}
if env.bool("CELERY_SEPARATE_QUEUES", default=False):
    CELERY_TASK_ROUTES = CELERY_QUEUE_ROUTES

# --- Auth ---------------------------------------------------------------------
# Only the app's own scripts, styles, images and forms (issue 10, fault 9). Style attributes stay
# allowed (server-drawn SVG charts, progress bars); no inline script and no injected <style>.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "style-src-attr": ["'unsafe-inline'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
        "base-uri": ["'self'"],
        "object-src": ["'none'"],
    }
}

# Django's model backend, loading the session epoch (log out of every device) with the user.
AUTHENTICATION_BACKENDS = ["axes.backends.AxesStandaloneBackend", "collectors.accounts.backends.AccountBackend"]
# Five wrong passwords for one user from one address lock that pair out for 15 minutes; an admin
# unlocks earlier in the admin site (Access attempts → delete) or with `manage.py axes_reset_username`.
AXES_FAILURE_LIMIT = env.int("LOGIN_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("LOGIN_LOCKOUT_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_RESET_ON_SUCCESS = True
# The audit trail (django-simple-history, core/audit.py) is read, never replayed: reverting from a
# history page would write past the services and their rules. This hides the button; the POST is
# refused by core.audit_admin.HistoryAdmin.
SIMPLE_HISTORY_REVERT_DISABLED = True
# Look-ups of a CCCD's status (the entry form's live box, the API) per user and minute: far above what
# typing needs, far below what harvesting people's records would.
CCCD_LOOKUPS_PER_MINUTE = env.int("CCCD_LOOKUPS_PER_MINUTE", default=60)
# Sessions end after this long without a request (default 8 hours), not 14 days after login.
SESSION_COOKIE_AGE = env.int("SESSION_IDLE_SECONDS", default=8 * 60 * 60)
# Two-step login (TOTP, django-otp) for admins: optional unless this is on; off by default so the
# README's demo logins work. Wrong codes in a row wait 1, 2, 4, 8 ... seconds (times the factor).
ADMIN_TWO_STEP_REQUIRED = env.bool("ADMIN_TWO_STEP_REQUIRED", default=False)
OTP_TOTP_ISSUER = env.str("TWO_STEP_ISSUER", default="BHXH")
OTP_TOTP_THROTTLE_FACTOR = 1
OTP_STATIC_THROTTLE_FACTOR = 1

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# --- Language and time ------------------------------------------------------------
LANGUAGE_CODE = "vi"
LANGUAGES = [("vi", _("Vietnamese")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
TIME_ZONE = "Asia/Ho_Chi_Minh"
USE_TZ = True
# Vietnamese number style everywhere (1.263.600), set explicitly so English pages agree.
USE_THOUSAND_SEPARATOR = True

# The app's clock: a fixed "today" for a demo (see core.clock). Unset in production.
_app_today = env.str("APP_TODAY", default="")
try:
    APP_TODAY = date.fromisoformat(_app_today) if _app_today else None
except ValueError as exc:
    raise ImproperlyConfigured(f"APP_TODAY must be a date as YYYY-MM-DD, not {_app_today!r}.") from exc

# --- Static files -------------------------------------------------------------------
STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
MEDIA_ROOT = env.path("MEDIA_ROOT", default=BASE_DIR / "media")
MEDIA_URL = "media/"

# --- Excel imports ------------------------------------------------------------------
# The largest spreadsheet an import accepts, and how much it may unpack to (an .xlsx is a zip:
# a "zip bomb" of a few kilobytes can unpack to gigabytes). Django already spools uploads above
# 2,5 MB (FILE_UPLOAD_MAX_MEMORY_SIZE) to a temporary file.
IMPORT_MAX_BYTES = env.int("IMPORT_MAX_BYTES", default=10 * 1024 * 1024)
IMPORT_MAX_UNPACKED_BYTES = env.int("IMPORT_MAX_UNPACKED_BYTES", default=25 * IMPORT_MAX_BYTES)
# The largest sheet an import reads (from A1, as declared and as its cells reach): the reader
# builds a grid of rows x columns, so one stray cell at XFD1048576 would ask for 550 GB.
IMPORT_MAX_ROWS = env.int("IMPORT_MAX_ROWS", default=200_000)
IMPORT_MAX_COLUMNS = env.int("IMPORT_MAX_COLUMNS", default=60)

# PDF receipts (settlements/receipts/pdf.py): a TrueType font with Vietnamese letters, regular and
# bold. Debian's fonts-dejavu-core puts DejaVu Sans here; no Python package ships such a font.
RECEIPT_FONT_DIR = env.path("RECEIPT_FONT_DIR", default="/usr/share/fonts/truetype/dejavu")
RECEIPT_FONT_FILES = ("DejaVuSans.ttf", "DejaVuSans-Bold.ttf")

# Backups (core/backup.py): where pg_dump and pg_restore are, when not Debian's folder for the server.
PG_BIN_DIR = env("PG_BIN_DIR", default="")

# --- Security (production) ----------------------------------------------------------
SESSION_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
if not DEBUG:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=60 * 60 * 24 * 365)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=True)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    # CCCD and phone numbers are masked in every line (config/log_masking.py).
    "filters": {"personal_data": {"()": "config.log_masking.MaskPersonalData"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "filters": ["personal_data"]}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
}
