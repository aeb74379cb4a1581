"""Bearer authentication with personal access tokens (``Authorization: Bearer oct_…``)."""

from django.utils import timezone
from ninja.security import HttpBearer

from octets.accounts.models import PersonalAccessToken, hash_token


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
        PersonalAccessToken.objects.filter(pk=record.pk).update(last_used_at=timezone.now())
        request.user = record.user
        return record.user
