"""Settings shared by every environment, read from environment variables with safe defaults.

Variables (all optional in development):
  DATABASE_URL            sqlite:///path or postgres://user@host:port/name (default: var/octets.sqlite3)
  SECRET_KEY / SECRET_KEY_FILE
  ALLOWED_HOSTS           comma-separated
  EMAIL_URL               smtp://user:password@host:port (``smtp+tls://`` / ``smtp+ssl://``); console otherwise
  DEFAULT_FROM_EMAIL
  OCTETS_BASE_URL         absolute URL used in e-mails (default http://127.0.0.1:8000)
  OCTETS_INVITATION_TTL_DAYS, OCTETS_MAX_PENDING_INVITATIONS
  OCTETS_LOGIN_FAILURE_LIMIT, OCTETS_LOGIN_LOCK_MINUTES
  OCTETS_MAX_REACHABLE_LEVEL  highest level a competence can reach (default 6)
  OCTETS_RESET_DELAY_DAYS, OCTETS_IMPROVE_DELAY_DAYS  training time rules (7 and 4 days)
  OCTETS_CAMPAIGN_RETRY_DELAY_DAYS  days after sharing before a new sending (4)
  OCTETS_EXPORT_SYNC_MAX  campaign exports above this size run as a job (5000)
  OCTETS_IMPORT_MAX_UPLOAD_MB, OCTETS_IMPORT_MAX_UNCOMPRESSED_MB,
  OCTETS_IMPORT_MAX_COMPRESSION_RATIO  limits of a pupil import file (20 MB, 300 MB, 100)
"""

import os
from datetime import timedelta
from pathlib import Path
from urllib.parse import unquote, urlparse

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

PACKAGE_DIR = Path(__file__).resolve().parents[2]
BASE_DIR = Path(os.environ.get("OCTETS_HOME", Path.cwd())).resolve()
VAR_DIR = BASE_DIR / "var"


def env(name: str, default: str | None = None) -> str | None:
    value = os.environ.get(name)
    return value if value not in (None, "") else default


def env_int(name: str, default: int) -> int:
    raw = env(name)
    if raw is None:
        return default
    try:
        return int(raw)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name} must be an integer, got {raw!r}") from exc


def env_bool(name: str, default: bool) -> bool:
    raw = env(name)
    if raw is None:
        return default
    return raw.strip().lower() in {"1", "true", "yes", "on"}


def read_secret_key() -> str | None:
    if key := env("SECRET_KEY"):
        return key
    if path := env("SECRET_KEY_FILE"):
        return Path(path).read_text(encoding="utf-8").strip()
    return None


DEBUG = False
SECRET_KEY = read_secret_key()
ALLOWED_HOSTS = [
    h.strip() for h in (env("ALLOWED_HOSTS", "127.0.0.1,localhost") or "").split(",") if h
]
CSRF_TRUSTED_ORIGINS = [
    o.strip() for o in (env("CSRF_TRUSTED_ORIGINS", "") or "").split(",") if o.strip()
]
OCTETS_BASE_URL = (env("OCTETS_BASE_URL", "http://127.0.0.1:8000") or "").rstrip("/")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "widget_tweaks",
    "dsfr",
    "django_htmx",
    "template_partials",
    "ninja",
    "axes",
    "django_tasks",
    "django_tasks_db",
    "octets.accounts",
    "octets.organizations",
    "octets.content",
    "octets.assessments",
    "octets.students",
    "octets.campaigns",
    "octets.jobs",
    "octets.api",
    "octets.www",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "octets.www.middleware.NullCharacterMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "octets.www.middleware.ChosenLanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "octets.accounts.middleware.LoginRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "octets.accounts.middleware.AccountObligationsMiddleware",
    "octets.organizations.middleware.CurrentOrganizationMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "octets.config.urls"
CSRF_FAILURE_VIEW = "octets.www.public.views.csrf_failure"
WSGI_APPLICATION = "octets.config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [PACKAGE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "octets.organizations.context_processors.current_organization",
            ],
        },
    }
]

# Database: SQLite by default (WAL + IMMEDIATE transactions), PostgreSQL when DATABASE_URL says so.
DEFAULT_SQLITE = VAR_DIR / "octets.sqlite3"
DATABASE_URL = env("DATABASE_URL", f"sqlite:///{DEFAULT_SQLITE}")
# Connections are kept for a minute (health-checked) instead of one per request.
DATABASES = {
    "default": dj_database_url.parse(
        DATABASE_URL, conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 60), conn_health_checks=True
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "octets.accounts.backends.EmailOrUsernameBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 8},
    },
    {"NAME": "octets.accounts.validators.CharacterClassesValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "accounts:login"
PASSWORD_RESET_TIMEOUT = 60 * 60 * 24

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

# Login throttling (django-axes): a (username, IP) pair is locked after N failures, so a class
# behind one school IP is not locked out by one pupil's mistakes.
AXES_FAILURE_LIMIT = env_int("OCTETS_LOGIN_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("OCTETS_LOGIN_LOCK_MINUTES", 15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "octets.accounts.views_support.lockout_response"
AXES_USERNAME_CALLABLE = "octets.accounts.views_support.axes_username"
AXES_ENABLE_ACCESS_FAILURE_LOG = False
AXES_VERBOSE = False
AXES_SENSITIVE_PARAMETERS = ["password"]

LANGUAGE_CODE = "fr"
LANGUAGES = [("fr", _("Français")), ("en", _("English"))]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
TIME_ZONE = "Europe/Paris"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATICFILES_DIRS = [PACKAGE_DIR / "static"]
MEDIA_ROOT = VAR_DIR / "media"

# E-mail: console by default; SMTP when EMAIL_URL is set.
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", "Octets <ne-pas-repondre@octets.localhost>")
EMAIL_URL = env("EMAIL_URL")
if EMAIL_URL:
    parsed = urlparse(EMAIL_URL)
    if parsed.scheme not in {"smtp", "smtp+tls", "smtp+ssl"}:
        raise ImproperlyConfigured("EMAIL_URL must start with smtp://, smtp+tls:// or smtp+ssl://")
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_HOST = parsed.hostname or "localhost"
    EMAIL_PORT = parsed.port or (
        465 if parsed.scheme == "smtp+ssl" else 587 if parsed.scheme == "smtp+tls" else 25
    )
    EMAIL_HOST_USER = unquote(parsed.username or "")
    EMAIL_HOST_PASSWORD = unquote(parsed.password or "")
    EMAIL_USE_TLS = parsed.scheme == "smtp+tls"
    EMAIL_USE_SSL = parsed.scheme == "smtp+ssl"
    EMAIL_TIMEOUT = 30
else:
    EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"

# Background work: Django's task API (backport) on the database; domain Job rows own the state.
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}

OCTETS_INVITATION_TTL_DAYS = env_int("OCTETS_INVITATION_TTL_DAYS", 30)
OCTETS_MAX_PENDING_INVITATIONS = env_int("OCTETS_MAX_PENDING_INVITATIONS", 50)
OCTETS_JOB_MAX_ATTEMPTS = env_int("OCTETS_JOB_MAX_ATTEMPTS", 5)
OCTETS_MAX_REACHABLE_LEVEL = env_int("OCTETS_MAX_REACHABLE_LEVEL", 6)
OCTETS_RESET_DELAY_DAYS = env_int("OCTETS_RESET_DELAY_DAYS", 7)
OCTETS_IMPROVE_DELAY_DAYS = env_int("OCTETS_IMPROVE_DELAY_DAYS", 4)
# A new sending of a shared campaign participation (multiple sendings), as Pix: 4 days.
OCTETS_CAMPAIGN_RETRY_DELAY_DAYS = env_int("OCTETS_CAMPAIGN_RETRY_DELAY_DAYS", 4)
# Campaign exports above this many participations run as a background job.
OCTETS_EXPORT_SYNC_MAX = env_int("OCTETS_EXPORT_SYNC_MAX", 5000)
# Pupil imports: upload size, uncompressed size and compression ratio of a zip (zip bombs).
OCTETS_IMPORT_MAX_UPLOAD_MB = env_int("OCTETS_IMPORT_MAX_UPLOAD_MB", 20)
OCTETS_IMPORT_MAX_UNCOMPRESSED_MB = env_int("OCTETS_IMPORT_MAX_UNCOMPRESSED_MB", 300)
OCTETS_IMPORT_MAX_COMPRESSION_RATIO = env_int("OCTETS_IMPORT_MAX_COMPRESSION_RATIO", 100)

MESSAGE_TAGS = {10: "info", 20: "info", 25: "success", 30: "warning", 40: "error"}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": "INFO"},
    "loggers": {
        # axes logs usernames on failures; pupils are minors, so keep it quiet.
        "axes": {"level": "ERROR"},
        "django.request": {"level": "ERROR"},
    },
}
SILENCED_SYSTEM_CHECKS = ["auth.W004"]  # e-mail uniqueness is a case-insensitive constraint
