"""Writes on accounts: sign-up, terms of use, password changes, API tokens."""

from django.contrib.auth.password_validation import validate_password
from django.db import transaction
from django.utils import timezone

from octets.accounts.models import PersonalAccessToken, User, normalize_email


class AccountError(Exception):
    """A rule of accounts was broken; the message is for the person, in their language."""


@transaction.atomic
def sign_up(
    *, first_name: str, last_name: str, email: str, password: str, lang: str = "fr"
) -> User:
    email = normalize_email(email)
    if User.objects.filter(email=email).exists():
        raise AccountError("Un compte existe déjà avec cette adresse e-mail.")
    user = User(first_name=first_name.strip(), last_name=last_name.strip(), email=email, lang=lang)
    validate_password(password, user)
    user.set_password(password)
    user.cgu_accepted_at = timezone.now()
    user.save()
    return user


def accept_cgu(*, user: User) -> None:
    user.cgu_accepted_at = timezone.now()
    user.save(update_fields=["cgu_accepted_at"])


def set_new_password(*, user: User, password: str) -> None:
    validate_password(password, user)
    user.set_password(password)
    user.must_change_password = False
    user.save(update_fields=["password", "must_change_password"])


def create_access_token(*, email: str, name: str = "cli") -> tuple[PersonalAccessToken, str]:
    user = User.objects.filter(email=normalize_email(email), is_active=True).first()
    if user is None:
        raise AccountError(f"Aucun compte actif pour l'adresse « {email} ».")
    return PersonalAccessToken.issue(user=user, name=name)
