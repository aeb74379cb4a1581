"""Students own the pupils of a school (organization learners), the runs that import them from
SIECLE or FREGATA files, and the log of every credential action a teacher takes for a pupil.

A pupil is identified in a school by its INE (``national_student_id``): an import updates the row
with the same (organization, INE), disables the pupils absent from the file and never deletes.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class OrganizationLearner(models.Model):
    class Sex(models.TextChoices):
        MALE = "M", _("Masculin")
        FEMALE = "F", _("Féminin")

    class Status(models.TextChoices):
        STUDENT = "ST", _("Élève")
        APPRENTICE = "AP", _("Apprenti")

    organization = models.ForeignKey(
        "organizations.Organization", on_delete=models.CASCADE, related_name="learners"
    )
    national_student_id = models.CharField(_("INE"), max_length=255)
    first_name = models.CharField(_("prénom"), max_length=255)
    middle_name = models.CharField(_("deuxième prénom"), max_length=255, blank=True, default="")
    third_name = models.CharField(_("troisième prénom"), max_length=255, blank=True, default="")
    last_name = models.CharField(_("nom de famille"), max_length=255)
    preferred_last_name = models.CharField(_("nom d'usage"), max_length=255, blank=True, default="")
    sex = models.CharField(_("sexe"), max_length=1, choices=Sex.choices, blank=True, default="")
    birthdate = models.DateField(_("date de naissance"), null=True, blank=True)
    birth_city = models.CharField(_("commune de naissance"), max_length=255, blank=True, default="")
    birth_city_code = models.CharField(max_length=255, blank=True, default="")
    birth_province_code = models.CharField(max_length=255, blank=True, default="")
    birth_country_code = models.CharField(max_length=255, blank=True, default="")
    mef_code = models.CharField(_("code MEF"), max_length=255, blank=True, default="")
    status = models.CharField(max_length=2, choices=Status.choices, blank=True, default="")
    division = models.CharField(_("classe"), max_length=255, blank=True, default="")
    is_disabled = models.BooleanField(_("a quitté l'établissement"), default=False)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="organization_learners",
    )
    # Filled in by the certification work; shown as "non communiqué" until then.
    is_certifiable = models.BooleanField(null=True, blank=True)
    certifiable_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("élève")
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "national_student_id"],
                name="learner_unique_ine_per_organization",
            )
        ]
        indexes = [
            models.Index(fields=["organization", "is_disabled", "last_name", "first_name"]),
            models.Index(fields=["organization", "division"]),
            models.Index(fields=["national_student_id"]),
        ]

    def __str__(self):
        return f"{self.first_name} {self.last_name}".strip()

    @property
    def full_name(self) -> str:
        return str(self)


class LearnerImport(models.Model):
    """One run of the import pipeline: uploaded → validated (preview) → imported, or failed."""

    class Status(models.TextChoices):
        UPLOADED = "uploaded", _("Fichier reçu, vérification en cours")
        VALIDATED = "validated", _("Vérifié, en attente de confirmation")
        IMPORTING = "importing", _("Import en cours")
        IMPORTED = "imported", _("Importé")
        FAILED = "failed", _("En échec")
        CANCELLED = "cancelled", _("Annulé")

    RUNNING = (Status.UPLOADED, Status.IMPORTING)

    class Format(models.TextChoices):
        SIECLE_XML = "siecle-xml", _("SIECLE (XML)")
        SIECLE_ZIP = "siecle-zip", _("SIECLE (zip)")
        SIECLE_CSV = "siecle-csv", _("SIECLE (CSV)")
        FREGATA_CSV = "fregata-csv", _("FREGATA (CSV)")

    organization = models.ForeignKey(
        "organizations.Organization", on_delete=models.CASCADE, related_name="learner_imports"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.UPLOADED)
    file_name = models.CharField(max_length=255)
    file_format = models.CharField(max_length=12, choices=Format.choices, blank=True, default="")
    encoding = models.CharField(max_length=40, blank=True, default="")
    # Path in the default storage while the file is needed; emptied once it is deleted.
    stored_path = models.CharField(max_length=255, blank=True, default="")
    file_size = models.PositiveBigIntegerField(default=0)
    pupil_count = models.PositiveIntegerField(default=0)
    added_count = models.PositiveIntegerField(default=0)
    updated_count = models.PositiveIntegerField(default=0)
    disabled_count = models.PositiveIntegerField(default=0)
    # [{"code", "message", "ine"?, "line"?, "column"?}] in French, every error of the file.
    errors = models.JSONField(default=list, blank=True)
    preview = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    validated_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            # Two imports never run at once for one school (the services also lock the school).
            models.UniqueConstraint(
                fields=["organization"],
                condition=Q(status__in=["uploaded", "importing"]),
                name="learner_import_one_running_per_organization",
            )
        ]

    def __str__(self):
        return f"import #{self.pk} ({self.status})"

    @property
    def is_running(self) -> bool:
        return self.status in self.RUNNING

    @property
    def is_finished(self) -> bool:
        return self.status in (self.Status.IMPORTED, self.Status.FAILED, self.Status.CANCELLED)


class CredentialAction(models.Model):
    """Who did what to which pupil's login, and when. Never the password itself."""

    class Action(models.TextChoices):
        ACCOUNT_CREATED = "account_created", _("Compte créé avec un identifiant")
        USERNAME_ADDED = "username_added", _("Identifiant ajouté")
        PASSWORD_RESET = "password_reset", _("Mot de passe réinitialisé")

    organization = models.ForeignKey(
        "organizations.Organization", on_delete=models.CASCADE, related_name="+"
    )
    learner = models.ForeignKey(
        OrganizationLearner, on_delete=models.CASCADE, related_name="credential_actions"
    )
    account = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    action = models.CharField(max_length=20, choices=Action.choices)
    performed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    batch = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"{self.action} #{self.pk}"
