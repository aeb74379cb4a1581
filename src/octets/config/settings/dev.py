"""Local use (``make run``): a stable secret stored under var/, static files served from the sources.

DEBUG stays off unless asked for (``DEBUG=1``): a school trying Octets sees the real error pages.
"""

import secrets

from octets.config.settings.base import *  # noqa: F403
from octets.config.settings.base import VAR_DIR, env_bool, read_secret_key

DEBUG = env_bool("DEBUG", False)
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
VAR_DIR.mkdir(parents=True, exist_ok=True)
SECRET_KEY = read_secret_key()
if not SECRET_KEY:
    key_file = VAR_DIR / "secret_key"
    if not key_file.exists():
        key_file.write_text(secrets.token_urlsafe(50), encoding="utf-8")
        key_file.chmod(0o600)
    SECRET_KEY = key_file.read_text(encoding="utf-8").strip()
