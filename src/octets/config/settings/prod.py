"""Production: secret key and allowed hosts required, secure cookies, manifest static files."""

from django.core.exceptions import ImproperlyConfigured

from octets.config.settings.base import *  # noqa: F403
from octets.config.settings.base import env_bool, read_secret_key

DEBUG = False
SECRET_KEY = read_secret_key()
if not SECRET_KEY:
    raise ImproperlyConfigured("Set SECRET_KEY or SECRET_KEY_FILE in production.")
SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", True)
CSRF_COOKIE_SECURE = env_bool("SECURE_COOKIES", True)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
