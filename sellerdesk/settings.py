"""SellerDesk settings: every value comes from the environment, read here and nowhere else.

SELLERDESK_ENV=production turns on the fail-fast checks: no secret key, database URL or
account-encryption keys means no start.
"""

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent
env = os.environ.get

ENVIRONMENT = env("SELLERDESK_ENV", "development")
PRODUCTION = ENVIRONMENT == "production"
VAR_DIR = Path(env("SELLERDESK_VAR_DIR", str(BASE_DIR / "var")))


def _required(name: str, dev_default: str) -> str:
    value = env(name)
    if value:
        return value
    if PRODUCTION:
        raise ImproperlyConfigured(f"{name} must be set when SELLERDESK_ENV=production")
    return dev_default


SECRET_KEY = _required("SECRET_KEY", "dev-only-insecure-key-sellerdesk")
DEBUG = env("DEBUG", "0" if PRODUCTION else "1") == "1"
ALLOWED_HOSTS = [h for h in env("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver").split(",") if h]
CSRF_TRUSTED_ORIGINS = [o for o in env("CSRF_TRUSTED_ORIGINS", "").split(",") if o]

# Demo data and its shared password exist only on the embedded default.
DEMO_DATA_ALLOWED = not PRODUCTION

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "ninja",  # serves the Swagger UI assets locally instead of from a CDN
    "axes",
    "django_ratelimit",  # only for its system checks on the cache
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "django_tasks",
    "django_tasks_db",
    "sellerdesk.core",
    "sellerdesk.identity",
    "sellerdesk.orders",
    "sellerdesk.events",
    "sellerdesk.aftersales",
    "sellerdesk.payouts",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "sellerdesk.identity.middleware.RememberLanguageMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "axes.middleware.AxesMiddleware",
    "sellerdesk.core.idempotency.ApiErrorBodyMiddleware",
    "sellerdesk.core.idempotency.IdempotencyMiddleware",
]

ROOT_URLCONF = "sellerdesk.urls"
WSGI_APPLICATION = "sellerdesk.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "sellerdesk" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "sellerdesk.events.views.unread_notifications",
            ],
        },
    }
]

# Database: SQLite file by default, PostgreSQL (or any dj-database-url URL) via DATABASE_URL.
DATABASE_URL = _required("DATABASE_URL", f"sqlite:///{VAR_DIR / 'sellerdesk.sqlite3'}")
if DATABASE_URL.startswith("sqlite:///") and not PRODUCTION:
    Path(DATABASE_URL.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
# Health checks: a persistent connection the database dropped (restart, pg_terminate_backend, a
# pooler's timeout) is replaced at the next request or task instead of failing it.
DATABASES = {
    "default": dj_database_url.parse(
        DATABASE_URL, conn_max_age=int(env("DB_CONN_MAX_AGE", "60")), conn_health_checks=True
    )
}
# Behind pgbouncer's transaction pooling a server-side cursor's portal can vanish between two
# statements; DB_DISABLE_SERVER_SIDE_CURSORS=1 there (docs/operations.md).
DATABASES["default"]["DISABLE_SERVER_SIDE_CURSORS"] = env("DB_DISABLE_SERVER_SIDE_CURSORS", "0") == "1"
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {
        # IMMEDIATE: a transaction takes the write lock at BEGIN, so two writers queue
        # instead of failing half-way with "database is locked".
        "transaction_mode": "IMMEDIATE",
        "timeout": 30,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;",
    }
    # Tests use a file, as the product does: an in-memory database shares one cache between threads,
    # whose table locks fail at once ("database table is locked") instead of waiting like WAL does.
    DATABASES["default"].setdefault("TEST", {})["NAME"] = env(
        "SELLERDESK_TEST_SQLITE_FILE", str(VAR_DIR / f"test-{os.getpid()}.sqlite3")
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "identity.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
LOGIN_URL = "/login/"
LOGIN_REDIRECT_URL = "/"

# Throttling of failed logins (pages and POST /auth/token) by django-axes, kept in the database.
AXES_HANDLER = "sellerdesk.identity.throttle.LoginThrottle"
AXES_FAILURE_LIMIT = int(env("SELLERDESK_LOGIN_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = timedelta(minutes=15)
# The pair: a stranger's guesses elsewhere never lock the owner out (identity/throttle.py adds
# a much higher ceiling per address over all usernames).
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
SELLERDESK_LOGIN_ADDRESS_CEILING = int(env("SELLERDESK_LOGIN_ADDRESS_CEILING", "50"))
AXES_LOCKOUT_CALLABLE = "sellerdesk.identity.throttle.lockout_response"
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False
AXES_CLIENT_IP_CALLABLE = "sellerdesk.core.addresses.client_ip"

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "sellerdesk" / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = Path(env("SELLERDESK_STATIC_ROOT", str(VAR_DIR / "static")))
STATICFILES_DIRS = [BASE_DIR / "sellerdesk" / "static"]
if not PRODUCTION:
    STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # whitenoise warns on every request otherwise
WHITENOISE_USE_FINDERS = DEBUG

# Uploaded evidence lives outside the web root: no MEDIA_URL serves it, only the
# attachment endpoint that checks who is asking.
FILES_DIR = Path(env("SELLERDESK_FILES_DIR", str(VAR_DIR / "files")))
_S3_BUCKET = env("SELLERDESK_S3_BUCKET")
STORAGES = {
    "default": (
        {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {
                "bucket_name": _S3_BUCKET,
                "endpoint_url": env("SELLERDESK_S3_ENDPOINT_URL"),
                "default_acl": "private",
                "querystring_auth": True,
                "file_overwrite": False,
            },
        }
        if _S3_BUCKET
        else {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": str(FILES_DIR)}}
    ),
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
DATA_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
# Evidence takes 9 files; refuse a flood while parsing, before it is all spooled to disk.
DATA_UPLOAD_MAX_NUMBER_FILES = 20

TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}

# Deadlines of product.md §1, in seconds.
SELLERDESK_DEADLINES = {
    # How long after delivery (after payment while delivery is unknown) a request may be opened.
    "aftersale_window": int(env("SELLERDESK_AFTERSALE_WINDOW_SECONDS", str(15 * 86400))),
    "merchant_response": int(env("SELLERDESK_MERCHANT_RESPONSE_SECONDS", str(48 * 3600))),
    "return_shipment": int(env("SELLERDESK_RETURN_SHIPMENT_SECONDS", str(7 * 86400))),
    "receipt": int(env("SELLERDESK_RECEIPT_SECONDS", str(10 * 86400))),
    "escalation_window": int(env("SELLERDESK_ESCALATION_WINDOW_SECONDS", str(7 * 86400))),
    "evidence": int(env("SELLERDESK_EVIDENCE_SECONDS", "86400")),
    "supplement": int(env("SELLERDESK_SUPPLEMENT_SECONDS", "86400")),
    # 售后申诉: how long after a ruling the party it went against may appeal.
    "appeal_window": int(env("SELLERDESK_APPEAL_WINDOW_SECONDS", str(7 * 86400))),
}
# "Evidence due soon" (workbench count and the quick filter), seconds before the deadline.
SELLERDESK_EVIDENCE_DUE_SOON_SECONDS = int(env("SELLERDESK_EVIDENCE_DUE_SOON_SECONDS", str(4 * 3600)))
# "Evidence due soon" reminders, hours before an evidence request's deadline.
SELLERDESK_EVIDENCE_REMINDER_HOURS = sorted(
    {int(h) for h in env("SELLERDESK_EVIDENCE_REMINDER_HOURS", "4,1").split(",") if h.strip()}, reverse=True
)
# How often the worker's sweeper looks for deadlines the task queue missed.
SELLERDESK_SWEEP_SECONDS = int(env("SELLERDESK_SWEEP_SECONDS", "30"))
# An in-progress idempotency key older than this is treated as abandoned (crashed request).
SELLERDESK_IDEMPOTENCY_STALE_SECONDS = int(env("SELLERDESK_IDEMPOTENCY_STALE_SECONDS", "60"))
SELLERDESK_API_TOKEN_TTL_DAYS = int(env("SELLERDESK_API_TOKEN_TTL_DAYS", "90"))  # an API token works this long

# The shared cache: per-user rate limits count in it, so every web process must see the same one.
# Production needs Redis; the embedded default runs one web process (threads) with a memory cache.
SELLERDESK_CACHE_URL = _required("SELLERDESK_CACHE_URL", "locmem://")
if SELLERDESK_CACHE_URL.startswith(("redis://", "rediss://", "unix://")):
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": SELLERDESK_CACHE_URL,
            "KEY_PREFIX": "sellerdesk",
        }
    }
elif SELLERDESK_CACHE_URL == "locmem://" and not PRODUCTION:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
else:
    raise ImproperlyConfigured(
        "SELLERDESK_CACHE_URL must be redis://host:port/db (locmem:// only on the embedded default)"
    )
RATELIMIT_USE_CACHE = "default"
# Per-user rate limits (core/ratelimit.py): "N/s|m|h|d" as django-ratelimit reads them; 0 turns one off.
SELLERDESK_RATE_MESSAGES = env("SELLERDESK_RATE_MESSAGES", "30/m")  # messages posted (协商留言)
SELLERDESK_RATE_UPLOADS = env("SELLERDESK_RATE_UPLOADS", "60/h")  # submissions that carry files
SELLERDESK_RATE_OFFERS = env("SELLERDESK_RATE_OFFERS", "20/h")  # partial-refund offers made
# django-ratelimit knows django-redis, not Django's own RedisCache (atomic INCR all the same);
# a memory cache is shared by the one web process of the embedded default.
SILENCED_SYSTEM_CHECKS = ["django_ratelimit.W001"] + ([] if PRODUCTION else ["django_ratelimit.E003"])

# Step-up before account changes and withdrawals (payouts.checks.check_step_up): this many failed
# proofs (password or authenticator code) within the window throttle the user (429).
SELLERDESK_STEP_UP_FAILURE_LIMIT = int(env("SELLERDESK_STEP_UP_FAILURE_LIMIT", "5"))
SELLERDESK_STEP_UP_WINDOW_SECONDS = int(env("SELLERDESK_STEP_UP_WINDOW_SECONDS", str(15 * 60)))
# Authenticator apps (django-otp TOTP) show this name beside the account.
OTP_TOTP_ISSUER = env("SELLERDESK_OTP_ISSUER", "SellerDesk")
# Withdrawals to a newly bound account are held this long (product.md §3; 0 = no cool-off).
SELLERDESK_PAYOUT_COOLOFF_SECONDS = int(env("SELLERDESK_PAYOUT_COOLOFF_SECONDS", "0"))

# Account numbers at rest (payouts): comma-separated Fernet keys, newest first.
SELLERDESK_ACCOUNT_KEYS = _required("SELLERDESK_ACCOUNT_KEYS", "ZGV2LW9ubHktYWNjb3VudC1rZXktMzJieXRlcy0xMjM=").split(
    ","
)
SELLERDESK_FINGERPRINT_KEY = _required("SELLERDESK_FINGERPRINT_KEY", "dev-only-fingerprint-key")
# The payment rail (payouts.rails): `simulator` (the embedded default; never in production) or
# `http`, the marketplace's payment service (docs/rail-protocol.md); a dotted path off production.
SELLERDESK_RAIL_ADAPTER = env("SELLERDESK_RAIL_ADAPTER", "" if PRODUCTION else "simulator")
SELLERDESK_RAIL_URL = env("SELLERDESK_RAIL_URL", "").rstrip("/")
SELLERDESK_RAIL_SECRET = env("SELLERDESK_RAIL_SECRET", "")
SELLERDESK_RAIL_TIMEOUT_SECONDS = float(env("SELLERDESK_RAIL_TIMEOUT_SECONDS", "10"))
if PRODUCTION:
    if SELLERDESK_RAIL_ADAPTER != "http":
        raise ImproperlyConfigured(
            "SELLERDESK_RAIL_ADAPTER must be http when SELLERDESK_ENV=production "
            f"(got {SELLERDESK_RAIL_ADAPTER or 'nothing'!r}): the rail simulator is a sandbox and moves no money"
        )
    for _name in ("SELLERDESK_RAIL_URL", "SELLERDESK_RAIL_SECRET"):
        if not globals()[_name]:
            raise ImproperlyConfigured(f"{_name} must be set when SELLERDESK_ENV=production")
    if not SELLERDESK_RAIL_URL.startswith("https://"):
        raise ImproperlyConfigured("SELLERDESK_RAIL_URL must be an https:// address when SELLERDESK_ENV=production")

# Event delivery (events.dispatcher): Standard Webhooks to registered endpoints.
SELLERDESK_WEBHOOK_TIMEOUT_SECONDS = float(env("SELLERDESK_WEBHOOK_TIMEOUT_SECONDS", "10"))
# Seconds to wait after the 1st, 2nd, ... failure (about 32 h in all), then the delivery is dead.
SELLERDESK_WEBHOOK_RETRY_SCHEDULE = [
    int(s)
    for s in env("SELLERDESK_WEBHOOK_RETRY_SCHEDULE", "5,30,120,600,1800,3600,7200,14400,28800,28800,28800").split(",")
    if s.strip()
]
SELLERDESK_WEBHOOK_CONCURRENCY = int(env("SELLERDESK_WEBHOOK_CONCURRENCY", "8"))  # sends at once per worker
SELLERDESK_WEBHOOK_PER_ENDPOINT = int(env("SELLERDESK_WEBHOOK_PER_ENDPOINT", "2"))  # of those, to one endpoint
SELLERDESK_DISPATCH_INTERVAL_SECONDS = float(env("SELLERDESK_DISPATCH_INTERVAL_SECONDS", "0.5"))
# Loopback and private targets: only off production (a local receiver while developing).
SELLERDESK_WEBHOOK_ALLOW_PRIVATE_TARGETS = (
    not PRODUCTION and env("SELLERDESK_WEBHOOK_ALLOW_PRIVATE_TARGETS", "1") == "1"
)
# Retention (days): delivered events and their deliveries, finished task results, heartbeats.
SELLERDESK_RETENTION_DAYS = {
    "events": int(env("SELLERDESK_EVENT_RETENTION_DAYS", "30")),
    "task_results": int(env("SELLERDESK_TASK_RESULT_RETENTION_DAYS", "7")),
    "heartbeats": int(env("SELLERDESK_HEARTBEAT_RETENTION_DAYS", "7")),
}
SELLERDESK_PRUNE_SECONDS = int(env("SELLERDESK_PRUNE_SECONDS", "3600"))

# E-mail, the second channel for account changes and rulings: the console on the embedded
# default, SMTP when EMAIL_HOST is set.
EMAIL_BACKEND = env(
    "EMAIL_BACKEND",
    "django.core.mail.backends.smtp.EmailBackend"
    if env("EMAIL_HOST") or PRODUCTION
    else "django.core.mail.backends.console.EmailBackend",
)
EMAIL_HOST = env("EMAIL_HOST", "localhost")
EMAIL_PORT = int(env("EMAIL_PORT", "25"))
EMAIL_HOST_USER = env("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env("EMAIL_USE_TLS", "0") == "1"
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", "SellerDesk <no-reply@sellerdesk.local>")

# Content Security Policy (django-csp): scripts only from our own static files, no inline handlers.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'", "'unsafe-inline'"],  # templates use a few style attributes
        "img-src": ["'self'", "data:", "blob:"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = PRODUCTION
CSRF_COOKIE_SECURE = PRODUCTION
SECURE_CONTENT_TYPE_NOSNIFF = True
# Behind a load balancer / reverse proxy: how many of them append to X-Forwarded-For (core/addresses.py)
# and set X-Forwarded-Proto. 0 (the default) trusts neither header.
SELLERDESK_TRUSTED_PROXY_COUNT = int(env("SELLERDESK_TRUSTED_PROXY_COUNT", "0"))
if SELLERDESK_TRUSTED_PROXY_COUNT > 0:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env("SELLERDESK_SSL_REDIRECT", "1" if PRODUCTION else "0") == "1"
SECURE_REDIRECT_EXEMPT = [r"^api/v1/health$"]  # load balancers probe it over plain HTTP
SECURE_HSTS_SECONDS = int(env("SELLERDESK_HSTS_SECONDS", str(365 * 24 * 3600) if PRODUCTION else "0"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = env("SELLERDESK_HSTS_INCLUDE_SUBDOMAINS", "1") == "1"
SECURE_HSTS_PRELOAD = env("SELLERDESK_HSTS_PRELOAD", "1") == "1"
X_FRAME_OPTIONS = "DENY"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}, "httpx": {"level": "WARNING"}},
}
