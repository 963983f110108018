"""Vecinos settings: one module, driven by the environment.

Every setting an operator can change is read here and listed in docs/operations.md.
SQLite in the data directory is the default; ``DATABASE_URL`` switches to PostgreSQL
and ``REDIS_URL`` moves the cache, rate limits, live updates and the task queue to Redis.
"""

from __future__ import annotations

import sys
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP

from vecinos.core import config

BASE_DIR = Path(__file__).resolve().parent

VECINOS_ENV = config.env_str("VECINOS_ENV", "development")
if VECINOS_ENV not in {"development", "production", "test"}:
    raise ImproperlyConfigured(
        f"VECINOS_ENV must be development, production or test, not {VECINOS_ENV!r}"
    )
PRODUCTION = VECINOS_ENV == "production"
TESTING = VECINOS_ENV == "test" or "pytest" in sys.modules

DATA_DIR = config.data_dir()
SECRET_KEY = config.secret_key(production=PRODUCTION, directory=DATA_DIR)
VECINOS_ENCRYPTION_KEYS = config.encryption_keys(directory=DATA_DIR)
VECINOS_HASH_KEY = config.hash_key(directory=DATA_DIR)

DEBUG = config.env_bool("VECINOS_DEBUG", default=not PRODUCTION and not TESTING)
if PRODUCTION and DEBUG:
    raise ImproperlyConfigured("VECINOS_DEBUG cannot be on in production")

VECINOS_PUBLIC_URL = config.env_str("VECINOS_PUBLIC_URL", "http://127.0.0.1:8000").rstrip("/")
if not VECINOS_PUBLIC_URL.startswith(("http://", "https://")):
    raise ImproperlyConfigured("VECINOS_PUBLIC_URL must start with http:// or https://")
if PRODUCTION and not VECINOS_PUBLIC_URL.startswith("https://"):
    raise ImproperlyConfigured("VECINOS_PUBLIC_URL must be https:// in production")
_public_host = VECINOS_PUBLIC_URL.split("://", 1)[1].split("/", 1)[0].split(":")[0]

ALLOWED_HOSTS = config.env_list("VECINOS_ALLOWED_HOSTS") or (
    [_public_host]
    if PRODUCTION
    else [_public_host, "127.0.0.1", "localhost", "[::1]", "testserver"]
)
VECINOS_PUBLIC_ORIGIN = "/".join(VECINOS_PUBLIC_URL.split("/", 3)[:3])
CSRF_TRUSTED_ORIGINS = [VECINOS_PUBLIC_ORIGIN]

# Addresses of reverse proxies whose X-Forwarded-For header is believed.
VECINOS_TRUSTED_PROXIES = config.env_list("VECINOS_TRUSTED_PROXIES")

INSTALLED_APPS = [
    "vecinos.core",
    "vecinos.accounts",
    "vecinos.committees",
    "vecinos.reports",
    "vecinos.api",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "django_htmx",
    "leaflet",
    "huey.contrib.djhuey",
]

MIDDLEWARE = [
    # First: the client address is hashed and removed before anything else can see it.
    "vecinos.core.middleware.PrivacyMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.middleware.gzip.GZipMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "vecinos.accounts.middleware.RequireMFAMiddleware",
    "vecinos.core.middleware.SecurityHeadersMiddleware",
]

ROOT_URLCONF = "vecinos.urls"
WSGI_APPLICATION = "vecinos.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "vecinos.core.context_processors.site",
            ],
        },
    }
]

# Database ---------------------------------------------------------------------------------
DATABASE_URL = config.env_str("DATABASE_URL")
if DATABASE_URL:
    if not DATABASE_URL.startswith(("postgres://", "postgresql://")):
        raise ImproperlyConfigured("DATABASE_URL must be a postgres:// URL")
    DATABASES = {
        "default": dj_database_url.parse(
            DATABASE_URL, conn_max_age=config.env_int("DATABASE_CONN_MAX_AGE", 60)
        )
    }
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": str(DATA_DIR / "vecinos.sqlite3"),
            "OPTIONS": {
                # WAL with synchronous=FULL: a commit acknowledged to a reporter
                # survives a crash or a power cut (DESIGN.md, principle 7).
                "init_command": (
                    "PRAGMA journal_mode=WAL;"
                    "PRAGMA synchronous=FULL;"
                    "PRAGMA foreign_keys=ON;"
                    "PRAGMA busy_timeout=20000;"
                ),
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
            },
            "TEST": {"NAME": str(DATA_DIR / "test.sqlite3")},
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Redis, cache, tasks ----------------------------------------------------------------------
REDIS_URL = config.env_str("REDIS_URL")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "vecinos",
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

HUEY: dict[str, object]
if REDIS_URL:
    HUEY = {
        "huey_class": "huey.PriorityRedisHuey",
        "name": "vecinos",
        "url": REDIS_URL,
        "immediate": False,
        "consumer": {"workers": config.env_int("VECINOS_WORKER_THREADS", 4, minimum=1)},
    }
else:
    HUEY = {
        "huey_class": "huey.SqliteHuey",
        "name": "vecinos",
        "filename": str(DATA_DIR / "huey.sqlite3"),
        "immediate": False,
        "consumer": {"workers": config.env_int("VECINOS_WORKER_THREADS", 2, minimum=1)},
    }
if TESTING:
    HUEY["immediate"] = config.env_bool("VECINOS_HUEY_IMMEDIATE", True)

# Authentication ---------------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "account_home"
ACCOUNT_LOGIN_METHODS = {"username"}
ACCOUNT_SIGNUP_FIELDS = ["username*", "password1*", "password2*"]
ACCOUNT_ADAPTER = "vecinos.accounts.adapter.AccountAdapter"
ACCOUNT_EMAIL_VERIFICATION = "none"
ACCOUNT_SESSION_REMEMBER = False
ACCOUNT_RATE_LIMITS = {
    "login": "30/m/ip",
    "login_failed": "10/m/ip,5/5m/key",
    "signup": "5/h/ip",
    "reset_password": "5/h/ip,3/h/key",
}
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = "Vecinos"
# Roles that must have two-factor sign-in (DESIGN.md: dispatcher, coordinator, admin).
VECINOS_REQUIRE_MFA = config.env_bool("VECINOS_REQUIRE_MFA", True)
VECINOS_API_TOKEN_DAYS = config.env_int("VECINOS_API_TOKEN_DAYS", 90, minimum=1)

SESSION_COOKIE_AGE = config.env_int("VECINOS_SESSION_HOURS", 12, minimum=1) * 3600
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"

# Privacy and rate limits ------------------------------------------------------------------
VECINOS_REPORT_RATE = config.parse_rate(
    config.env_str("VECINOS_REPORT_RATE", "20/h"), name="VECINOS_REPORT_RATE"
)
VECINOS_API_RATE = config.parse_rate(
    config.env_str("VECINOS_API_RATE", "300/m"), name="VECINOS_API_RATE"
)
# Retention windows (days): see docs/privacy.md for what each one covers.
REPORT_RETENTION = config.env_int("REPORT_RETENTION", 14, minimum=1)
INCIDENT_RETENTION = config.env_int("INCIDENT_RETENTION", 90, minimum=1)

# Security posture -------------------------------------------------------------------------
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "no-referrer"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
if PRODUCTION:
    SECURE_SSL_REDIRECT = config.env_bool("VECINOS_SSL_REDIRECT", True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = config.env_int("VECINOS_HSTS_SECONDS", 31_536_000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SESSION_COOKIE_NAME = "__Host-sessionid"
    CSRF_COOKIE_NAME = "__Host-csrftoken"
    SILENCED_SYSTEM_CHECKS: list[str] = []

# Map tiles are the only third-party requests a page may make (DESIGN.md, principle 5).
VECINOS_TILE_URL = config.env_str(
    "VECINOS_TILE_URL", "https://tile.openstreetmap.org/{z}/{x}/{y}.png"
)
_tile_origin = "/".join(VECINOS_TILE_URL.split("/", 3)[:3]).replace("{s}.", "*.")

SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:", _tile_origin],
    "connect-src": [CSP.SELF],
    "font-src": [CSP.SELF],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.NONE],
    "frame-ancestors": [CSP.NONE],
    "form-action": [CSP.SELF],
    "worker-src": [CSP.SELF],
    "manifest-src": [CSP.SELF],
}

LEAFLET_CONFIG = {
    "TILES": [("", VECINOS_TILE_URL, {"attribution": "© OpenStreetMap", "maxZoom": 18})],
    "DEFAULT_CENTER": (34.05, -118.25),
    "DEFAULT_ZOOM": 10,
    "RESET_VIEW": False,
    "NO_GLOBALS": True,
}

# Languages --------------------------------------------------------------------------------
LANGUAGE_CODE = "en"
# Languages of the interface. Alerts are rendered in more (see vecinos.alerts).
LANGUAGES = [("en", "English"), ("es", "Español")]
LOCALE_PATHS = [BASE_DIR.parent / "locale", BASE_DIR / "locale"]
USE_I18N = True
TIME_ZONE = config.env_str("VECINOS_TIME_ZONE", "America/Los_Angeles")
USE_TZ = True

# Static files -----------------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
MEDIA_ROOT = DATA_DIR / "media"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG or TESTING
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = DEBUG or TESTING
WHITENOISE_AUTOREFRESH = DEBUG

DATA_UPLOAD_MAX_MEMORY_SIZE = 6 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 6 * 1024 * 1024

# Logging: no IP address ever reaches a log line (vecinos.core.logging).
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"no_addresses": {"()": "vecinos.core.logging.NoAddressFilter"}},
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "filters": ["no_addresses"],
            "formatter": "plain",
        }
    },
    "root": {"handlers": ["console"], "level": config.env_str("VECINOS_LOG_LEVEL", "INFO")},
    "loggers": {
        # The request logger repeats the request line; the filter scrubs it anyway.
        "django.server": {"handlers": ["console"], "level": "WARNING", "propagate": False},
        "huey": {"handlers": ["console"], "level": "INFO", "propagate": False},
    },
}
