"""Accounts own people who sign in: users, their login methods and their API tokens.

A user may sign in several ways over a school life: an e-mail, a username given by the school,
and later an identity from the GAR (SAML). E-mail and username live on the user (each unique
when set); external identity providers are rows of ``AuthenticationMethod``.
"""

import hashlib
import secrets

from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import PermissionsMixin
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


def normalize_email(email: str) -> str:
    return (email or "").strip().lower()


class UserManager(BaseUserManager):
    use_in_migrations = True

    def create_user(self, email=None, password=None, *, username=None, **extra):
        user = self.model(
            email=normalize_email(email) or None,
            username=(username or "").strip().lower() or None,
            **extra,
        )
        if password:
            user.set_password(password)
        else:
            user.set_unusable_password()
        user.save(using=self._db)
        return user

    def create_superuser(self, email, password, **extra):
        extra.setdefault("is_staff", True)
        extra.setdefault("is_superuser", True)
        extra.setdefault("cgu_accepted_at", timezone.now())
        return self.create_user(email, password, **extra)

    def get_by_natural_key(self, identifier):
        ident = (identifier or "").strip().lower()
        return self.get(Q(email=ident) | Q(username=ident))


class User(AbstractBaseUser, PermissionsMixin):
    class Lang(models.TextChoices):
        FR = "fr", "Français"
        EN = "en", "English"

    email = models.EmailField(_("adresse e-mail"), null=True, blank=True)  # noqa: DJ001 (unique when set)
    username = models.CharField(_("identifiant"), max_length=150, null=True, blank=True)  # noqa: DJ001
    first_name = models.CharField(_("prénom"), max_length=150)
    last_name = models.CharField(_("nom"), max_length=150)
    lang = models.CharField(max_length=5, choices=Lang.choices, default=Lang.FR)
    is_active = models.BooleanField(default=True)
    is_staff = models.BooleanField(_("opérateur de la plateforme"), default=False)
    must_change_password = models.BooleanField(default=False)
    cgu_accepted_at = models.DateTimeField(null=True, blank=True)
    date_joined = models.DateTimeField(default=timezone.now)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["first_name", "last_name"]

    class Meta:
        verbose_name = _("utilisateur")
        constraints = [
            models.UniqueConstraint(Lower("email"), name="user_email_unique"),
            models.UniqueConstraint(Lower("username"), name="user_username_unique"),
            models.CheckConstraint(
                condition=Q(email__isnull=False) | Q(username__isnull=False),
                name="user_has_an_identifier",
            ),
        ]

    def __str__(self):
        return self.full_name or self.email or self.username or f"#{self.pk}"

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()

    def save(self, *args, **kwargs):
        self.email = normalize_email(self.email) or None
        self.username = (self.username or "").strip().lower() or None
        super().save(*args, **kwargs)

    def login_methods(self) -> list[str]:
        """The ways this user can sign in, as codes: EMAIL, USERNAME, then providers (GAR…)."""
        methods = []
        if self.email and self.has_usable_password():
            methods.append(AuthenticationMethod.Provider.EMAIL)
        if self.username and self.has_usable_password():
            methods.append(AuthenticationMethod.Provider.USERNAME)
        methods.extend(m.provider for m in self.authentication_methods.all())
        return methods


class AuthenticationMethod(models.Model):
    """An identity held by an external provider (GAR…) that signs this user in."""

    class Provider(models.TextChoices):
        EMAIL = "EMAIL", _("Adresse e-mail")
        USERNAME = "USERNAME", _("Identifiant")
        GAR = "GAR", _("Médiacentre (GAR)")

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="authentication_methods")
    provider = models.CharField(max_length=20, choices=Provider.choices)
    external_identifier = models.CharField(max_length=255)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["provider", "external_identifier"], name="auth_method_identity_unique"
            ),
            models.UniqueConstraint(
                fields=["user", "provider"], name="auth_method_one_per_provider"
            ),
            models.CheckConstraint(
                condition=~Q(provider__in=["EMAIL", "USERNAME"]),
                name="auth_method_external_provider_only",
            ),
        ]

    def __str__(self):
        return f"{self.provider}:{self.pk}"


def hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


class PersonalAccessToken(models.Model):
    """A bearer token for the API; only its SHA-256 is stored, the raw value is shown once."""

    PREFIX = "oct_"

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="access_tokens")
    name = models.CharField(max_length=100)
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    def __str__(self):
        return f"{self.name} ({self.user})"

    @classmethod
    def issue(cls, *, user: User, name: str) -> tuple["PersonalAccessToken", str]:
        raw = cls.PREFIX + secrets.token_urlsafe(32)
        return cls.objects.create(user=user, name=name, token_hash=hash_token(raw)), raw
