"""Vecinos settings: one module, driven by the environment.

Every setting an operator can change is read here and listed in docs/operations.md.
SQLite in the data directory is the default; ``DATABASE_URL`` switches to PostgreSQL
and ``REDIS_URL`` moves the cache, rate limits, live updates and the task queue to Redis.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

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
# Test posture only when asked for (tests/settings.py): importing pytest changes nothing.
TESTING = VECINOS_ENV == "test"

DATA_DIR = config.data_dir()
SECRET_KEY = config.secret_key(production=PRODUCTION, directory=DATA_DIR)
VECINOS_ENCRYPTION_KEYS = config.encryption_keys(directory=DATA_DIR)
VECINOS_HASH_KEY = config.hash_key(directory=DATA_DIR)

DEBUG = config.env_bool("VECINOS_DEBUG", default=not PRODUCTION and not TESTING)
# Set by `make demo` only: what a tester of the demo needs and a real network must
# never do (the console transport shows confirmation codes). Refused in production.
VECINOS_DEMO = config.env_bool("VECINOS_DEMO", False)
if PRODUCTION and VECINOS_DEMO:
    raise ImproperlyConfigured("VECINOS_DEMO is for `make demo` only, never in production.")
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
    "vecinos.alerts",
    "vecinos.delivery",
    "vecinos.cases",
    "vecinos.directory",
    "vecinos.library",
    "vecinos.api",
    "vecinos.feeds",
    "vecinos.organizing",
    "vecinos.demo",
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
    # Only for its static Swagger UI: /api/v1/docs loads nothing from a CDN (vecinos.api.api).
    "ninja",
]

MIDDLEWARE = [
    # First: the client address is hashed and removed before anything else can see it.
    "vecinos.core.middleware.PrivacyMiddleware",
    "django.middleware.security.SecurityMiddleware",
    # Outside everything that can answer early (static files, a bad Host header's 400),
    # so that every response carries them.
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Early, so that on the way out it sees the cookies that sessions, CSRF and
    # messages set further down, and marks such responses no-store.
    "vecinos.core.middleware.SecurityHeadersMiddleware",
    "django.middleware.gzip.GZipMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    # Turns the "Origin: null" that Referrer-Policy: no-referrer causes on same-origin
    # form posts into our origin, so that Django's CSRF check goes on to the token.
    "vecinos.core.middleware.SameOriginFormsMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "vecinos.accounts.middleware.RequireMFAMiddleware",
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
                "vecinos.directory.context_processors.hotlines",
            ],
        },
    }
]

# Database ---------------------------------------------------------------------------------
DATABASE_URL = config.env_str("DATABASE_URL")
DATABASE_REPLICA_URL = config.env_str("VECINOS_DATABASE_REPLICA_URL")


def _postgres(name: str, url: str, *, pool_timeout: int = 10) -> dict[str, Any]:
    if not url.startswith(("postgres://", "postgresql://")):
        raise ImproperlyConfigured(f"{name} must be a postgres:// URL")
    database: dict[str, Any] = dict(
        dj_database_url.parse(url, conn_max_age=config.env_int("VECINOS_DATABASE_CONN_MAX_AGE", 60))
    )
    database["CONN_HEALTH_CHECKS"] = True
    if config.env_bool("VECINOS_DATABASE_POOL", True):
        # psycopg's pool, one per process: a thread borrows a connection for a request
        # and gives it back at its end, so threads that hold none (an open console's
        # stream, an idle thread) cost PostgreSQL nothing, and giving one back is not
        # a reconnect. Measured against persistent connections in
        # benchmarks/results/postgres/reports_http.json.
        database["CONN_MAX_AGE"] = 0
        database.setdefault("OPTIONS", {})["pool"] = {
            "min_size": 1,
            "max_size": config.env_int("VECINOS_DATABASE_POOL_SIZE", 8, minimum=1),
            "timeout": pool_timeout,
        }
    return database


if DATABASE_URL:
    DATABASES = {"default": _postgres("DATABASE_URL", DATABASE_URL)}
    if DATABASE_REPLICA_URL:
        # The public pages read here (vecinos/core/replica.py); in tests it is the
        # primary itself.
        # A replica that does not answer within 2 s is passed over for the primary.
        DATABASES["replica"] = _postgres(
            "VECINOS_DATABASE_REPLICA_URL", DATABASE_REPLICA_URL, pool_timeout=2
        )
        DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
elif DATABASE_REPLICA_URL:
    raise ImproperlyConfigured(
        "VECINOS_DATABASE_REPLICA_URL is a replica of DATABASE_URL's PostgreSQL: "
        "set DATABASE_URL too, or remove it"
    )
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": str(DATA_DIR / "vecinos.sqlite3"),
            "OPTIONS": {
                # WAL with synchronous=FULL: a commit acknowledged to a reporter
                # survives a crash or a power cut (docs/architecture.md, principle 7).
                "init_command": (
                    "PRAGMA journal_mode=WAL;"
                    "PRAGMA synchronous=FULL;"
                    "PRAGMA foreign_keys=ON;"
                    "PRAGMA busy_timeout=20000;"
                    # Deleted rows (purged reports, expired sessions) are overwritten with
                    # zeros, not left readable in free pages (docs/architecture.md,
                    # principle 1).
                    "PRAGMA secure_delete=ON;"
                ),
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
            },
            "TEST": {"NAME": str(DATA_DIR / "test.sqlite3")},
            # Keep each thread's connection: opening one runs the PRAGMAs, and closing
            # the last one checkpoints and deletes the WAL, a disk flush per request.
            "CONN_MAX_AGE": None,
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Redis, cache, tasks ----------------------------------------------------------------------
REDIS_URL = config.env_str("REDIS_URL")
# Without Redis the rate-limit counters live here: Django's default of 300 entries let a
# flood from a few hundred clients push each other's counters out (a few hundred bytes
# each, so 200,000 is tens of MB at most; tests/test_ratelimit.py).
EMBEDDED_CACHE: dict[str, object] = {
    "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
    "OPTIONS": {"MAX_ENTRIES": 200_000},
}
CACHES: dict[str, dict[str, object]]
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "vecinos",
        }
    }
else:
    CACHES = {"default": EMBEDDED_CACHE}

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
# A password-reset form must not mail whatever address a stranger types in.
ACCOUNT_EMAIL_UNKNOWN_ACCOUNTS = False
# Failed sign-ins to one account from every client before it is under watch
# (vecinos.accounts.adapter.AccountAdapter): no lock-out of its owner either way.
ACCOUNT_LOGIN_FAILED_RATE = config.parse_rate(
    config.env_str("VECINOS_ACCOUNT_LOGIN_FAILED_RATE", "20/h"),
    name="VECINOS_ACCOUNT_LOGIN_FAILED_RATE",
)
ACCOUNT_RATE_LIMITS = {
    "login": "30/m/ip",
    "login_failed": "10/m/ip,5/5m/key",
    "signup": "5/h/ip",
    "reset_password": "5/h/ip,3/h/key",
}
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
# Recovery codes are made when the authenticator app is set up and shown that once (a
# copy of the page in a browser's history shows asterisks); new ones replace them.
MFA_RECOVERY_CODES_SHOW_ONCE = True
MFA_ADAPTER = "vecinos.accounts.adapter.MFAAdapter"
MFA_TOTP_ISSUER = "Vecinos"
MFA_FORMS = {
    "authenticate": "vecinos.accounts.forms.AuthenticateForm",
    "reauthenticate": "vecinos.accounts.forms.ReauthenticateForm",
    "activate_totp": "vecinos.accounts.forms.ActivateTOTPForm",
}
# Roles that must have two-factor sign-in (dispatcher, coordinator, admin: docs/operations.md).
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
# Reports wait for the SQLite writer to batch them into one commit (vecinos.reports.writer).
REPORT_GROUP_COMMIT = config.env_bool("VECINOS_REPORT_GROUP_COMMIT", True)
REPORT_WRITE_TIMEOUT = config.env_int("VECINOS_REPORT_WRITE_TIMEOUT", 20, minimum=1)
# Retention windows (days): see docs/privacy.md for what each one covers.
REPORT_RETENTION = config.env_int("VECINOS_REPORT_RETENTION", 14, minimum=1)
INCIDENT_RETENTION = config.env_int("VECINOS_INCIDENT_RETENTION", 90, minimum=1)
# Clustering: a report joins an open incident about this close, seen this recently
# (vecinos.reports.clustering explains how the radius becomes H3 cells).
REPORT_CLUSTER_RADIUS_M = config.env_int(
    "VECINOS_REPORT_CLUSTER_RADIUS_M", 500, minimum=50, maximum=5000
)
REPORT_CLUSTER_MINUTES = config.env_int(
    "VECINOS_REPORT_CLUSTER_MINUTES", 60, minimum=1, maximum=1440
)
# Dispatch: minutes a responder has to acknowledge; hours without news before an
# incident closes by itself.
DISPATCH_ACK_MINUTES = config.env_int("VECINOS_DISPATCH_ACK_MINUTES", 10, minimum=1)
INCIDENT_QUIET_HOURS = config.env_int("VECINOS_INCIDENT_QUIET_HOURS", 6, minimum=1)
ACCOUNT_EVENT_RETENTION = config.env_int("VECINOS_ACCOUNT_EVENT_RETENTION", 365, minimum=1)
# Days an alert (the public record of what was sent) and a delivery row (who got which
# alert) are kept before `vecinos purge` deletes them (vecinos/alerts/retention.py).
ALERT_RETENTION = config.env_int("VECINOS_ALERT_RETENTION", 365, minimum=1)
DELIVERY_RETENTION = config.env_int("VECINOS_DELIVERY_RETENTION", 30, minimum=1)
# Days after a detention case is closed before its personal fields are erased
# (vecinos/cases/retention.py), leaving anonymous counts.
CASE_RETENTION = config.env_int("VECINOS_CASE_RETENTION_DAYS", 90, minimum=1)

# Alerts (docs/operations.md, "Alerts") ----------------------------------------------------
# Distinct dispatchers (the drafter counts) before an alert goes out. 1 is the
# one-committee setting: the drafter's own approval publishes.
ALERT_APPROVALS_REQUIRED = config.env_int(
    "VECINOS_ALERT_APPROVALS_REQUIRED", 2, minimum=1, maximum=5
)
# Hours an alert stays active (and deliveries are retried) after publication.
ALERT_TTL_HOURS = config.env_int("VECINOS_ALERT_TTL_HOURS", 6, minimum=1, maximum=72)

# Delivery (docs/operations.md, "Delivery") -------------------------------------------------
# Every channel goes to the console transport (printed, never sent): the default in test
# mode, so no test can reach a provider by accident.
DELIVERY_CONSOLE_ONLY = config.env_bool("VECINOS_DELIVERY_CONSOLE", TESTING)
# Outbox workers: rows claimed at a time, and seconds after which a claim whose worker
# died may be taken by another.
DELIVERY_BATCH_SIZE = config.env_int("VECINOS_DELIVERY_BATCH_SIZE", 100, minimum=1, maximum=5000)
DELIVERY_CLAIM_TIMEOUT = config.env_int("VECINOS_DELIVERY_CLAIM_TIMEOUT", 300, minimum=10)

SMS_PROVIDER = config.env_str("VECINOS_SMS_PROVIDER", "console").lower()
if SMS_PROVIDER not in {"twilio", "console"}:
    raise ImproperlyConfigured(f"SMS_PROVIDER must be twilio or console, not {SMS_PROVIDER!r}")
TWILIO_ACCOUNT_SID = config.env_str("TWILIO_ACCOUNT_SID")
TWILIO_AUTH_TOKEN = config.env_str("TWILIO_AUTH_TOKEN")
# Senders share the load, each paced to its own rate (vecinos/delivery/ratelimit.py):
# VECINOS_SMS_SENDERS lists them with their rates ("+13235550001:1,90033:100,MG…:10");
# the older TWILIO_FROM lists senders that all take SMS_RATE. A sender is an E.164
# number, a 5-6 digit short code, or a Messaging Service SID.
TWILIO_FROM = config.env_list("TWILIO_FROM")
TWILIO_API_BASE = config.env_str("TWILIO_API_BASE", "https://api.twilio.com").rstrip("/")
# Messages per second per sender: 1 for a long code, 3 toll-free, 100 for a short code.
SMS_RATE = config.env_float("VECINOS_SMS_RATE", 1.0, minimum=0.01)
SMS_SENDERS = config.parse_sms_senders(
    config.env_str("VECINOS_SMS_SENDERS"), name="VECINOS_SMS_SENDERS", default_rate=SMS_RATE
)
if SMS_SENDERS and TWILIO_FROM:
    raise ImproperlyConfigured(
        "Set VECINOS_SMS_SENDERS (senders with their rates) or TWILIO_FROM, not both"
    )
for _sender in TWILIO_FROM:
    if not config.sms_sender_kind(_sender):
        raise ImproperlyConfigured(
            f"TWILIO_FROM holds {_sender!r}: each sender must be +E.164, a 5-6 digit short "
            "code or a Messaging Service SID"
        )
# The number people text (JOIN 90033) shown on the subscribe page: the first sender that
# is a number or short code by default (a Messaging Service cannot be texted).
SMS_PUBLIC_NUMBER = config.env_str(
    "VECINOS_SMS_NUMBER",
    next(
        (s for s in [*SMS_SENDERS, *TWILIO_FROM] if config.sms_sender_kind(s) != "service"),
        "",
    ),
)
if not TWILIO_API_BASE.startswith(("http://", "https://")):
    raise ImproperlyConfigured("TWILIO_API_BASE must start with https:// (or http:// in tests)")
if SMS_PROVIDER == "twilio":
    _missing = [
        name
        for name, value in [
            ("TWILIO_ACCOUNT_SID", TWILIO_ACCOUNT_SID),
            ("TWILIO_AUTH_TOKEN", TWILIO_AUTH_TOKEN),
            ("VECINOS_SMS_SENDERS or TWILIO_FROM", SMS_SENDERS or TWILIO_FROM),
        ]
        if not value
    ]
    if _missing:
        raise ImproperlyConfigured(f"SMS_PROVIDER=twilio needs {', '.join(_missing)}")
    if PRODUCTION and not TWILIO_API_BASE.startswith("https://"):
        raise ImproperlyConfigured("TWILIO_API_BASE must be https:// in production")

# Email goes through Django's SMTP backend. The environment keeps Django's familiar
# EMAIL_* names; they configure MAILERS (Django 6.1 deprecates the EMAIL_* settings).
# Without EMAIL_HOST, alert and code emails are printed by the console transport.
_email_host = config.env_str("EMAIL_HOST")
_email_tls = config.env_bool("EMAIL_USE_TLS", True)
_email_port = config.env_int("EMAIL_PORT", 587 if _email_tls else 25, minimum=1, maximum=65535)
DELIVERY_EMAIL_ENABLED = bool(_email_host)
MAILERS = {
    "default": (
        {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {
                "host": _email_host,
                "port": _email_port,
                "username": config.env_str("EMAIL_HOST_USER"),
                "password": config.env_str("EMAIL_HOST_PASSWORD"),
                "use_tls": _email_tls,
                "timeout": config.env_int("EMAIL_TIMEOUT", 20, minimum=1),
            },
        }
        if _email_host
        # Without a server, production drops mail rather than print addresses to the log.
        else {
            "BACKEND": "django.core.mail.backends.dummy.EmailBackend"
            if PRODUCTION
            else "django.core.mail.backends.console.EmailBackend"
        }
    )
}
DEFAULT_FROM_EMAIL = config.env_str("DEFAULT_FROM_EMAIL", f"Vecinos <alerts@{_public_host}>")
if "@" not in DEFAULT_FROM_EMAIL or "\n" in DEFAULT_FROM_EMAIL or "\r" in DEFAULT_FROM_EMAIL:
    raise ImproperlyConfigured(
        f"DEFAULT_FROM_EMAIL must be an address like 'Vecinos <alerts@example.org>', "
        f"not {DEFAULT_FROM_EMAIL!r}"
    )
SERVER_EMAIL = DEFAULT_FROM_EMAIL
# The VAPID "sub" claim: a mailto: address or an https:// URL push services can reach
# us at (default: VECINOS_PUBLIC_URL when it is https, else a local mailto:).
WEBPUSH_SUBJECT = config.env_str("VECINOS_WEBPUSH_SUBJECT")
if WEBPUSH_SUBJECT and not WEBPUSH_SUBJECT.startswith(("mailto:", "https://")):
    raise ImproperlyConfigured("WEBPUSH_SUBJECT must be a mailto: address or an https:// URL")

# Subscriptions and inbound SMS (docs/operations.md, "Subscriptions and inbound SMS") ------
# A ZIP code becomes the cells within this many km of its centroid.
SUBSCRIPTION_ZIP_RADIUS_KM = config.env_float(
    "VECINOS_SUBSCRIPTION_ZIP_RADIUS_KM", 2.0, minimum=0.5
)
# ZIP codes accepted (two-letter states, comma-separated; empty: any US ZIP).
SUBSCRIPTION_ZIP_STATES = [
    s.upper() for s in config.env_list("VECINOS_SUBSCRIPTION_ZIP_STATES", "CA")
]
# Confirmation codes: minutes before one expires, wrong tries before it is void.
SUBSCRIPTION_CODE_MINUTES = config.env_int(
    "VECINOS_SUBSCRIPTION_CODE_MINUTES", 15, minimum=1, maximum=1440
)
SUBSCRIPTION_CODE_ATTEMPTS = config.env_int(
    "VECINOS_SUBSCRIPTION_CODE_ATTEMPTS", 5, minimum=1, maximum=20
)
# New subscriptions per client (day-scoped pseudonym), and codes per contact: the
# second keeps anyone from flooding another person's phone or inbox with codes.
# Committees (docs/operations.md): join requests per client, and how long the contact
# of someone who left or was removed, or of a decided join request, is kept.
VECINOS_JOIN_RATE = config.parse_rate(
    config.env_str("VECINOS_JOIN_RATE", "10/h"), name="VECINOS_JOIN_RATE"
)
VECINOS_FORMER_CONTACT_DAYS = config.env_int("VECINOS_FORMER_CONTACT_DAYS", 30, minimum=0)
VECINOS_JOIN_REQUEST_DAYS = config.env_int("VECINOS_JOIN_REQUEST_DAYS", 30, minimum=1)
SUBSCRIPTION_RATE = config.parse_rate(
    config.env_str("VECINOS_SUBSCRIPTION_RATE", "10/h"), name="VECINOS_SUBSCRIPTION_RATE"
)
SUBSCRIPTION_CONTACT_RATE = config.parse_rate(
    config.env_str("VECINOS_SUBSCRIPTION_CONTACT_RATE", "3/h"),
    name="VECINOS_SUBSCRIPTION_CONTACT_RATE",
)
# Codes one contact may be sent in a day, whoever asks; beyond that (and within an hour
# of the last code) requests share the last code sent (vecinos.alerts.subscriptions).
SUBSCRIPTION_CONTACT_DAILY_RATE = config.parse_rate(
    config.env_str("VECINOS_SUBSCRIPTION_CONTACT_DAILY_RATE", "6/d"),
    name="VECINOS_SUBSCRIPTION_CONTACT_DAILY_RATE",
)
# Retention: unconfirmed subscriptions (hours), stopped or disabled ones (days).
SUBSCRIPTION_PENDING_HOURS = config.env_int("VECINOS_SUBSCRIPTION_PENDING_HOURS", 24, minimum=1)
SUBSCRIPTION_STOPPED_DAYS = config.env_int("VECINOS_SUBSCRIPTION_STOPPED_DAYS", 30, minimum=1)
# Days a manage link (every subscription of one contact) stays valid.
SUBSCRIPTION_MANAGE_LINK_DAYS = config.env_int(
    "VECINOS_SUBSCRIPTION_MANAGE_LINK_DAYS", 30, minimum=1
)
# Phone numbers written without + are read as numbers of this country (ISO 3166 code).
PHONE_REGION = config.env_str("VECINOS_PHONE_REGION", "US").upper()
# Requests to addresses a user supplied (web-push endpoints) may reach private, loopback
# and link-local addresses only when this is on (vecinos/core/outgoing.py): development
# against a local receiver, and the test suite.
OUTGOING_PRIVATE_ALLOWED = config.env_bool("VECINOS_ALLOW_PRIVATE_ADDRESSES", False)
# Hosts a web-push endpoint may point at (suffixes; "*" any, http allowed: development
# and the loopback test receiver). Anything else could aim our workers at any address.
SUBSCRIPTION_PUSH_HOSTS = config.env_list(
    "VECINOS_SUBSCRIPTION_PUSH_HOSTS",
    "fcm.googleapis.com,push.services.mozilla.com,notify.windows.com,push.apple.com"
    if PRODUCTION
    else "*",
)
# Inbound SMS: messages per number, and per whole webhook, before replies stop.
SMS_INBOUND_RATE = config.parse_rate(
    config.env_str("VECINOS_SMS_INBOUND_RATE", "20/h"), name="VECINOS_SMS_INBOUND_RATE"
)
SMS_INBOUND_GLOBAL_RATE = config.parse_rate(
    config.env_str("VECINOS_SMS_INBOUND_GLOBAL_RATE", "6000/m"),
    name="VECINOS_SMS_INBOUND_GLOBAL_RATE",
)
# Days the (keyed hashes of the) ids of inbound SMS are kept, so a replayed webhook
# files nothing new.
SMS_INBOUND_REPLAY_DAYS = config.env_int("VECINOS_SMS_INBOUND_REPLAY_DAYS", 30, minimum=1)

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
    # Email is optional (SMS and web push carry alerts): without EMAIL_HOST the email
    # channel is off and mail is dropped, which is all that mail.E001 would say.
    SILENCED_SYSTEM_CHECKS: list[str] = [] if _email_host else ["mail.E001"]

# Where the network's committees can check reports (vecinos/core/service_area.py): a
# report from outside is kept but marked, and out of the queue's main view.
VECINOS_SERVICE_AREA = config.env_str("VECINOS_SERVICE_AREA", "")

# Map tiles (vecinos/core/tiles.py). No page loads tiles from a third party: a tile
# request says where someone is looking, with their address. Either the operator's own
# tile server (VECINOS_TILE_URL, e.g. https://tiles.example.org/{z}/{x}/{y}.png), or
# the site's caching proxy of an upstream (VECINOS_TILE_UPSTREAM: the server fetches,
# browsers ask only the site), or none: the maps draw their cells on a plain ground.
VECINOS_TILE_UPSTREAM = config.env_str("VECINOS_TILE_UPSTREAM", "")
VECINOS_TILE_CACHE_DAYS = config.env_int("VECINOS_TILE_CACHE_DAYS", 30, minimum=1)
VECINOS_TILE_USER_AGENT = config.env_str(
    "VECINOS_TILE_USER_AGENT", "Vecinos tile cache (community alert network)"
)
VECINOS_TILE_ATTRIBUTION = config.env_str("VECINOS_TILE_ATTRIBUTION", "© OpenStreetMap")
VECINOS_TILE_URL = config.env_str(
    "VECINOS_TILE_URL", "/tiles/{z}/{x}/{y}.png" if VECINOS_TILE_UPSTREAM else ""
)
_tile_origin = (
    "/".join(VECINOS_TILE_URL.split("/", 3)[:3]).replace("{s}.", "*.")
    if VECINOS_TILE_URL.startswith(("https://", "http://"))
    else CSP.SELF
)

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
    "TILES": (
        [("", VECINOS_TILE_URL, {"attribution": VECINOS_TILE_ATTRIBUTION, "maxZoom": 18})]
        if VECINOS_TILE_URL
        else []
    ),
    "DEFAULT_CENTER": (34.05, -118.25),
    "DEFAULT_ZOOM": 10,
    "RESET_VIEW": False,
    "NO_GLOBALS": True,
}

# Hotlines ---------------------------------------------------------------------------------
# The network's rapid-response number, shown on every public page, every alert page and
# every printed card (committees' and other numbers are kept in the directory).
VECINOS_HOTLINE = config.env_str("VECINOS_HOTLINE", "")
VECINOS_HOTLINE_LABEL = config.env_str("VECINOS_HOTLINE_LABEL", "")

# Languages --------------------------------------------------------------------------------
LANGUAGE_CODE = "en"
# Languages of the interface. Alerts are rendered in more (see vecinos.alerts).
LANGUAGES = [("en", "English"), ("es", "Español")]
LOCALE_PATHS = [BASE_DIR / "locale"]
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
# A report's photo as sent (a phone camera's full-size picture without JavaScript to
# shrink it first); it is downsized and re-encoded on arrival (vecinos/reports/photos.py).
VECINOS_PHOTO_MAX_BYTES = config.env_int(
    "VECINOS_PHOTO_MAX_BYTES", 20 * 1024 * 1024, minimum=1024 * 1024
)
FILE_UPLOAD_MAX_MEMORY_SIZE = 6 * 1024 * 1024
# Uploaded photos are their owner's alone, whatever the umask (Django's default is
# 0644): docs/operations.md, "The data directory".
FILE_UPLOAD_PERMISSIONS = config.PRIVATE_FILE
FILE_UPLOAD_DIRECTORY_PERMISSIONS = config.PRIVATE_DIRECTORY

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
        # Replaces Django's default "django" handlers (unfiltered console, mail_admins),
        # which would print e.g. a DisallowedHost header holding an address.
        "django": {"handlers": ["console"], "level": "INFO", "propagate": False},
        # The request logger repeats the request line; the filter scrubs it anyway.
        "django.server": {"handlers": ["console"], "level": "WARNING", "propagate": False},
        "huey": {"handlers": ["console"], "level": "INFO", "propagate": False},
    },
}
