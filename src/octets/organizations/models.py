"""Organizations own schools and other structures, their team (memberships) and invitations.

A membership is never deleted: removing a member or leaving sets ``disabled_at``, so the
history (who created which campaign) stays. An invitation is a single-use code that expires.
"""

import re
import secrets
import string
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

UAI_PATTERN = re.compile(r"^\d{7}[A-Z]$")


def normalize_uai(value: str) -> str:
    return (value or "").strip().upper()


def validate_uai(value: str) -> None:
    if not UAI_PATTERN.match(normalize_uai(value)):
        raise ValidationError(
            _(
                "L'UAI « %(value)s » n'est pas valide : 7 chiffres suivis d'une lettre (ex. 0750001A)."
            ),
            params={"value": value},
            code="invalid_uai",
        )


class Organization(models.Model):
    class Type(models.TextChoices):
        SCO = "SCO", _("Établissement scolaire")
        SUP = "SUP", _("Enseignement supérieur")
        PRO = "PRO", _("Organisation professionnelle")

    type = models.CharField(max_length=3, choices=Type.choices)
    name = models.CharField(_("nom"), max_length=255)
    external_id = models.CharField(
        _("UAI / identifiant externe"), max_length=32, blank=True, default="", db_index=True
    )
    email = models.EmailField(_("adresse e-mail de contact"), blank=True, default="")
    is_managing_students = models.BooleanField(_("gère ses élèves (import SIECLE)"), default=False)
    archived_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("organisation")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["type", "external_id"],
                condition=~Q(external_id=""),
                name="organization_external_id_unique_per_type",
                violation_error_message=_(
                    "Une organisation de ce type existe déjà avec cet identifiant (UAI)."
                ),
            )
        ]

    def __str__(self):
        return f"{self.name} ({self.external_id})" if self.external_id else self.name

    def clean(self):
        self.external_id = normalize_uai(self.external_id)
        if self.type == self.Type.SCO and self.external_id:
            validate_uai(self.external_id)

    @property
    def is_archived(self) -> bool:
        return self.archived_at is not None


class Membership(models.Model):
    class Role(models.TextChoices):
        ADMIN = "ADMIN", _("Administrateur")
        MEMBER = "MEMBER", _("Membre")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(max_length=6, choices=Role.choices, default=Role.MEMBER)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    last_accessed_at = models.DateTimeField(null=True, blank=True)
    disabled_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["user", "organization"],
                condition=Q(disabled_at__isnull=True),
                name="membership_one_active_per_user_and_organization",
            )
        ]

    def __str__(self):
        return f"{self.user} — {self.organization} ({self.role})"

    @property
    def is_admin(self) -> bool:
        return self.role == self.Role.ADMIN


def new_invitation_code() -> str:
    alphabet = string.ascii_uppercase + string.digits
    return "".join(secrets.choice(alphabet) for _ in range(10))


class Invitation(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("En attente")
        ACCEPTED = "accepted", _("Acceptée")
        CANCELLED = "cancelled", _("Annulée")

    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="invitations"
    )
    email = models.EmailField()
    # None: the role is decided on acceptance (ADMIN for the first member, MEMBER after).
    role = models.CharField(max_length=6, choices=Membership.Role.choices, null=True, blank=True)  # noqa: DJ001
    code = models.CharField(max_length=10, default=new_invitation_code)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Name given by a head of school asking for an ADMIN invitation ("activate my space").
    requested_by_name = models.CharField(max_length=300, blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)
    last_sent_at = models.DateTimeField(default=timezone.now)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-last_sent_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "email"],
                condition=Q(status="pending"),
                name="invitation_one_pending_per_email",
            )
        ]

    def __str__(self):
        return f"{self.email} → {self.organization}"

    @staticmethod
    def ttl() -> timedelta:
        return timedelta(days=settings.OCTETS_INVITATION_TTL_DAYS)

    @property
    def expires_at(self):
        return self.last_sent_at + self.ttl()

    @property
    def is_expired(self) -> bool:
        return self.status == self.Status.PENDING and timezone.now() >= self.expires_at

    @classmethod
    def live_filter(cls, now=None) -> Q:
        """Pending and not expired."""
        now = now or timezone.now()
        return Q(status=cls.Status.PENDING, last_sent_at__gt=now - cls.ttl())
