"""Sign in with an e-mail address or a username, whichever the person types."""

from django.contrib.auth.backends import ModelBackend
from django.db.models import Q

from octets.accounts.models import User


class EmailOrUsernameBackend(ModelBackend):
    def authenticate(self, request, username=None, password=None, **kwargs):
        identifier = (username or kwargs.get("email") or "").strip().lower()
        if not identifier or not password:
            return None
        user = User.objects.filter(Q(email=identifier) | Q(username=identifier)).first()
        if user is None:
            # Same cost as a real check, so timing does not reveal which accounts exist.
            User().set_password(password)
            return None
        if user.check_password(password) and self.user_can_authenticate(user):
            return user
        return None
