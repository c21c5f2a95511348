"""Kasane's settings, read from the environment (see README, "Production").

SQLite in ``KASANE_DATA_DIR`` by default; PostgreSQL when ``DATABASE_URL`` is set.
"""

import contextlib
import os
import secrets
from pathlib import Path
from typing import Any

import dj_database_url
import django_stubs_ext
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from kasane.core.env import env_bool, env_choice, env_int, env_list, env_path, env_str

# Lets the code write ModelChoiceField[Area] and the like at run time, as the type checker reads it.
django_stubs_ext.monkeypatch()

BASE_DIR = Path(__file__).resolve().parent
DATA_DIR = env_path("KASANE_DATA_DIR", Path.cwd() / "var")

DEBUG = env_bool("KASANE_DEBUG", default=False)


def _secret_key() -> str:
    """From the environment, else from a file made once in the data directory.

    The file keeps a single-machine SQLite installation working across restarts without
    anyone inventing a key; production sets KASANE_SECRET_KEY from its secret store.
    """
    key = env_str("KASANE_SECRET_KEY")
    if key is not None:
        if len(key) < 32:
            raise ImproperlyConfigured("KASANE_SECRET_KEY must be at least 32 characters long")
        return key
    path = DATA_DIR / "secret_key"
    if not path.exists():
        DATA_DIR.mkdir(parents=True, exist_ok=True)
        # Written private from the first byte, then linked into place: link() fails when
        # another process (a second gunicorn worker starting at the same moment) got there
        # first, and then its key is the one everybody reads.
        draft = DATA_DIR / f".secret_key.{os.getpid()}.{secrets.token_hex(4)}"
        fd = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            with os.fdopen(fd, "w", encoding="ascii") as f:
                f.write(secrets.token_urlsafe(50))
            with contextlib.suppress(FileExistsError):
                os.link(draft, path)
        finally:
            draft.unlink()
    return path.read_text(encoding="ascii").strip()


SECRET_KEY = _secret_key()


def _cell_key_secret() -> str:
    """The secret behind the statistics' record keys (``kasane.core.cellkey``). Its own, so
    that rotating SECRET_KEY does not re-draw every published figure (an analyst could
    average the old and new values); empty: derived from SECRET_KEY."""
    secret = env_str("KASANE_CELL_KEY_SECRET") or ""
    if secret and len(secret) < 32:
        raise ImproperlyConfigured("KASANE_CELL_KEY_SECRET must be at least 32 characters long")
    return secret


CELL_KEY_SECRET = _cell_key_secret()

ALLOWED_HOSTS = env_list("KASANE_ALLOWED_HOSTS", ["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env_list("KASANE_CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    # Django's admin with Kasane's site (kasane.accounts.sites): administrators only.
    "kasane.accounts.apps.KasaneAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_htmx",
    # Two-factor sign-in: TOTP authenticator apps, and one-time recovery codes.
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "kasane.core",
    "kasane.accounts",
    "kasane.audit",
    "kasane.privacy",
    "kasane.registry",
    "kasane.intake",
    "kasane.cases",
    "kasane.meetings",
    "kasane.plans",
    "kasane.outreach",
    "kasane.participation",
    "kasane.community",
    "kasane.evaluation",
    "kasane.api",
    "kasane.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "kasane.core.security.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "kasane.core.middleware.RequestIdMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "kasane.accounts.middleware.SessionTimeoutMiddleware",
    "kasane.accounts.middleware.TwoFactorMiddleware",
    # Every refused request to a record (404/403) by a signed-in account, in the audit log.
    "kasane.audit.middleware.RefusedRequestMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
]

ROOT_URLCONF = "kasane.urls"
WSGI_APPLICATION = "kasane.wsgi.application"

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
                "kasane.core.context_processors.navigation",
            ],
            "builtins": ["kasane.core.templatetags.kasane"],
        },
    }
]


def _database() -> dict[str, Any]:
    url = env_str("DATABASE_URL")
    if url is None:
        DATA_DIR.mkdir(parents=True, exist_ok=True)
        return {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": str(env_path("KASANE_SQLITE_PATH", DATA_DIR / "kasane.sqlite3")),
            "OPTIONS": {
                # IMMEDIATE takes the write lock at BEGIN, so two writers queue on the busy
                # timeout instead of failing mid-transaction with "database is locked".
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            },
            "TEST": {"NAME": None},
        }
    if not url.startswith(("postgres://", "postgresql://")):
        raise ImproperlyConfigured("DATABASE_URL must be a postgres:// or postgresql:// URL")
    config: dict[str, Any] = dict(
        dj_database_url.parse(url, conn_max_age=env_int("KASANE_DB_CONN_MAX_AGE", 60, minimum=0))
    )
    config["CONN_HEALTH_CHECKS"] = True
    return config


DATABASES = {"default": _database()}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.Staff"
AUTHENTICATION_BACKENDS = ["django.contrib.auth.backends.ModelBackend"]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
# NIST SP 800-63B: a length range, a check against known and predictable passwords, and no
# composition rules (no "one digit, one symbol"): those make passwords harder to remember
# without making them harder to guess.
AUTH_PASSWORD_VALIDATORS = [
    {
        "NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator",
        "OPTIONS": {"user_attributes": ("username", "display_name", "email")},
    },
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "kasane.accounts.passwords.MaximumLengthValidator", "OPTIONS": {"max_length": 128}},
    {"NAME": "kasane.accounts.passwords.BreachedPasswordValidator"},
    {"NAME": "kasane.accounts.passwords.RepetitivePasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "core:home"
LOGOUT_REDIRECT_URL = "accounts:login"

# Failed logins are throttled per account and, separately and more loosely, per address:
# a municipal office often sits behind one proxy address shared by all its staff.
KASANE_LOGIN_WINDOW_MINUTES = env_int("KASANE_LOGIN_WINDOW_MINUTES", 15, minimum=1)
KASANE_LOGIN_MAX_FAILURES_PER_ACCOUNT = env_int(
    "KASANE_LOGIN_MAX_FAILURES_PER_ACCOUNT", 5, minimum=1
)
KASANE_LOGIN_MAX_FAILURES_PER_ADDRESS = env_int(
    "KASANE_LOGIN_MAX_FAILURES_PER_ADDRESS", 50, minimum=1
)
# How many reverse proxies in front of Kasane append to X-Forwarded-For (0: use the socket).
KASANE_TRUSTED_PROXY_COUNT = env_int("KASANE_TRUSTED_PROXY_COUNT", 0, minimum=0)

# The absolute limit of a signed-in session, counted from the sign-in (not extended by use),
# and the idle limit: kasane.accounts.middleware.SessionTimeoutMiddleware signs out either.
SESSION_COOKIE_AGE = env_int("KASANE_SESSION_SECONDS", 8 * 60 * 60, minimum=60)
KASANE_IDLE_MINUTES = env_int("KASANE_IDLE_MINUTES", 30, minimum=1)
# Two-factor sign-in (TOTP) for these roles; anyone who enrolled is asked for a code too.
# KASANE_2FA=off switches it off entirely (the demo server does; production must not).
KASANE_2FA = env_bool("KASANE_2FA", default=True)
KASANE_2FA_REQUIRED_ROLES = env_list(
    "KASANE_2FA_REQUIRED_ROLES",
    [
        "caseworker",
        "coordinator",
        "outreach_worker",
        "participation_worker",
        "analyst",
        "auditor",
        "admin",
    ],
)
OTP_TOTP_ISSUER = "Kasane"
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True

SECURE = env_bool("KASANE_SECURE", default=False)
SESSION_COOKIE_SECURE = SECURE
CSRF_COOKIE_SECURE = SECURE
SECURE_SSL_REDIRECT = SECURE
# Load balancers probe the health check over plain HTTP and count a redirect as a failure.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SECURE_HSTS_SECONDS = 31_536_000 if SECURE else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = SECURE
# "preload" only makes the header eligible for the browsers' built-in list; nothing is
# submitted. A host inside LGWAN never is, and may turn it off with KASANE_HSTS_PRELOAD=0.
SECURE_HSTS_PRELOAD = SECURE and env_bool("KASANE_HSTS_PRELOAD", default=True)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
if SECURE:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

LANGUAGE_CODE = "ja"
LANGUAGES = [("ja", _("Japanese")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
TIME_ZONE = "Asia/Tokyo"
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = env_path("KASANE_STATIC_ROOT", DATA_DIR / "static")
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if env_bool("KASANE_STATIC_MANIFEST", default=not DEBUG)
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
# Serve from the app directories when collectstatic has not run (the demo's one command).
WHITENOISE_USE_FINDERS = env_bool("KASANE_STATIC_FINDERS", default=True)

# Application logs never carry personal data: records name objects by their public id, and
# request paths contain ids only (searches are POSTed, never in a query string).
LOGGING: dict[str, Any] = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "filters": {"withhold": {"()": "kasane.core.logging.WithholdExceptionMessages"}},
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "plain",
            "filters": ["withhold"],
        }
    },
    "root": {
        "handlers": ["console"],
        "level": env_choice(
            "KASANE_LOG_LEVEL", ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"), "INFO"
        ),
    },
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}

# Uploaded files (HSDS catalogue, 住民記録 CSV) larger than this are refused with a message
# (kasane.core.uploads). Set the reverse proxy's body limit a little above it.
KASANE_UPLOAD_MAX_BYTES = env_int("KASANE_UPLOAD_MAX_BYTES", 10 * 1024 * 1024, minimum=1024)
KASANE_SEARCH_MAX_LENGTH = 50
KASANE_PAGE_SIZE = 50
# Working days a receiving agency has to answer a referral before it is overdue and escalated.
KASANE_REFERRAL_ANSWER_DAYS = env_int("KASANE_REFERRAL_ANSWER_DAYS", 3, minimum=1)
# Days without contact after which an outreach target is flagged and its worker alerted.
KASANE_OUTREACH_QUIET_DAYS = env_int("KASANE_OUTREACH_QUIET_DAYS", 30, minimum=1)
# The auditor is notified (one alert per account and kind an hour, kasane.audit.alerts) when
# one account makes this many refused requests (404/403 to a record: guessing ids), or
# views and downloads this many aggregate pages and files (differencing tables), in an hour.
KASANE_ALERT_REFUSED_PER_HOUR = env_int("KASANE_ALERT_REFUSED_PER_HOUR", 30, minimum=1)
KASANE_ALERT_AGGREGATE_VIEWS_PER_HOUR = env_int(
    "KASANE_ALERT_AGGREGATE_VIEWS_PER_HOUR", 200, minimum=1
)
