"""Test settings: same database choice as base (SQLite unless DATABASE_URL), fast hashing."""

from octets.config.settings.base import *  # noqa: F403

DEBUG = False
SECRET_KEY = "test-secret-key-not-for-production"  # noqa: S105
ALLOWED_HOSTS = ["*"]
# Argon2 is the production hasher (tested in tests/accounts); MD5 keeps the suite fast.
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.MD5PasswordHasher",
    "django.contrib.auth.hashers.Argon2PasswordHasher",
]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# Jobs run as they are enqueued; tests/jobs runs the real database worker as well.
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
AXES_FAILURE_LIMIT = 3
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
