"""Bearer authentication with personal access tokens (``Authorization: Bearer oct_…``)."""

from datetime import timedelta

from django.utils import timezone
from ninja.security import HttpBearer

from octets.accounts.models import PersonalAccessToken, hash_token

LAST_USED_PRECISION = timedelta(minutes=1)


class TokenAuth(HttpBearer):
    def authenticate(self, request, token):
        if not token:
            return None
        record = (
            PersonalAccessToken.objects.select_related("user")
            .filter(token_hash=hash_token(token), revoked_at__isnull=True, user__is_active=True)
            .first()
        )
        if record is None:
            return None
        now = timezone.now()
        # "last used" to the minute is enough: no write on every call (one writer at a time on
        # SQLite, and a row update per request on PostgreSQL)
        if record.last_used_at is None or now - record.last_used_at >= LAST_USED_PRECISION:
            PersonalAccessToken.objects.filter(pk=record.pk).update(last_used_at=now)
        request.user = record.user
        return record.user
