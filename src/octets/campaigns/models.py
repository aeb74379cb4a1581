"""Campaigns own target profiles (capped tubes, stages, badges), the campaigns a school creates
on them, and the participations of learners.

A participation of an assessment campaign runs on assessments (``Assessment.campaign_participation``)
with the same engine as free training; what it showed at sharing time is frozen on the
participation (mastery, stage, badges, per-competence results) so that later training never
changes a result a teacher has received.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class TargetProfile(models.Model):
    class Category(models.TextChoices):
        BACK_TO_SCHOOL = "back_to_school", _("Parcours de rentrée")
        COMPETENCES = "competences", _("Les 16 compétences")
        SUBJECT = "subject", _("Thématiques")
        DISCIPLINE = "discipline", _("Disciplinaires")
        PREDEFINED = "predefined", _("Parcours prédéfinis")
        TARGETED = "targeted", _("Parcours ciblés")
        CUSTOM = "custom", _("Parcours sur-mesure")
        OTHER = "other", _("Autres")

    key = models.SlugField(_("clé"), max_length=100, unique=True, null=True, blank=True)
    name = models.CharField(_("nom"), max_length=255)
    category = models.CharField(_("catégorie"), max_length=20, choices=Category.choices)
    description = models.TextField(_("description"), blank=True, default="")
    comment = models.TextField(_("commentaire interne"), blank=True, default="")
    is_public = models.BooleanField(_("public"), default=False)
    owner_organization = models.ForeignKey(
        "organizations.Organization",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="owned_target_profiles",
        verbose_name=_("organisation propriétaire"),
    )
    shared_with = models.ManyToManyField(
        "organizations.Organization",
        blank=True,
        related_name="shared_target_profiles",
        verbose_name=_("partagé avec"),
    )
    is_outdated = models.BooleanField(_("obsolète"), default=False)
    created_at = models.DateTimeField(_("créé le"), default=timezone.now)

    class Meta:
        verbose_name = _("profil cible")
        verbose_name_plural = _("profils cibles")
        ordering = ["name", "pk"]

    def __str__(self) -> str:
        return self.name


class CappedTube(models.Model):
    target_profile = models.ForeignKey(
        TargetProfile, on_delete=models.CASCADE, related_name="capped_tubes"
    )
    tube_id = models.CharField(_("sujet"), max_length=100)
    level = models.PositiveSmallIntegerField(_("niveau maximum"))

    class Meta:
        verbose_name = _("sujet plafonné")
        verbose_name_plural = _("sujets plafonnés")
        constraints = [
            models.UniqueConstraint(
                fields=["target_profile", "tube_id"], name="capped_tube_once_per_profile"
            )
        ]

    def __str__(self) -> str:
        return f"{self.tube_id} ≤ {self.level}"


class Stage(models.Model):
    """A step of a target profile: a threshold in %, or a level, or "first skill validated"."""

    target_profile = models.ForeignKey(
        TargetProfile, on_delete=models.CASCADE, related_name="stages"
    )
    threshold = models.PositiveSmallIntegerField(_("seuil (%)"), null=True, blank=True)
    level = models.PositiveSmallIntegerField(_("niveau"), null=True, blank=True)
    is_first_skill = models.BooleanField(_("premier acquis"), default=False)
    title = models.CharField(_("titre pour l'élève"), max_length=255)
    message = models.TextField(_("message pour l'élève"))
    prescriber_title = models.CharField(_("titre pour l'enseignant"), max_length=255, blank=True)
    prescriber_description = models.TextField(_("description pour l'enseignant"), blank=True)

    class Meta:
        verbose_name = _("palier")
        verbose_name_plural = _("paliers")
        ordering = ["threshold", "level", "pk"]

    def __str__(self) -> str:
        return self.title


class Badge(models.Model):
    """A thematic result ("résultat thématique") awarded when all its criteria are fulfilled."""

    target_profile = models.ForeignKey(
        TargetProfile, on_delete=models.CASCADE, related_name="badges"
    )
    key = models.SlugField(_("clé"), max_length=100, unique=True)
    title = models.CharField(_("titre"), max_length=255)
    message = models.TextField(_("message pour l'élève"), blank=True)
    alt_message = models.CharField(_("texte alternatif"), max_length=500, blank=True)
    is_certifiable = models.BooleanField(_("certifiant"), default=False)
    is_always_visible = models.BooleanField(_("toujours visible"), default=True)

    class Meta:
        verbose_name = _("badge")
        verbose_name_plural = _("badges")
        ordering = ["pk"]

    def __str__(self) -> str:
        return self.title


class BadgeCriterion(models.Model):
    class Scope(models.TextChoices):
        CAMPAIGN_PARTICIPATION = "campaign_participation", _("Tout le profil cible")
        CAPPED_TUBES = "capped_tubes", _("Sujets plafonnés")

    badge = models.ForeignKey(Badge, on_delete=models.CASCADE, related_name="criteria")
    scope = models.CharField(_("portée"), max_length=30, choices=Scope.choices)
    name = models.CharField(_("nom"), max_length=255, blank=True)
    threshold = models.PositiveSmallIntegerField(_("seuil (%)"))
    # [[tube_id, level], ...] for the capped-tubes scope
    capped_tubes = models.JSONField(_("sujets"), default=list, blank=True)

    class Meta:
        verbose_name = _("critère de badge")
        verbose_name_plural = _("critères de badge")
        ordering = ["pk"]

    def __str__(self) -> str:
        return f"{self.scope} ≥ {self.threshold} %"


class Campaign(models.Model):
    class Type(models.TextChoices):
        ASSESSMENT = "assessment", _("Évaluer les participants")
        PROFILES_COLLECTION = "profiles_collection", _("Collecter les profils des participants")

    class ExternalIdType(models.TextChoices):
        STRING = "string", _("Texte")
        EMAIL = "email", _("Adresse e-mail")

    organization = models.ForeignKey(
        "organizations.Organization", on_delete=models.CASCADE, related_name="campaigns"
    )
    code = models.CharField(_("code"), max_length=9, unique=True)
    type = models.CharField(_("type"), max_length=20, choices=Type.choices)
    name = models.CharField(_("nom"), max_length=255)
    title = models.CharField(_("titre du parcours"), max_length=50, blank=True, default="")
    landing_text = models.TextField(_("texte de la page d'accueil"), blank=True, default="")
    target_profile = models.ForeignKey(
        TargetProfile,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="campaigns",
        verbose_name=_("profil cible"),
    )
    # The profile's capped tubes when the campaign was created: [[tube_id, level], ...]
    capped_tubes = models.JSONField(default=list, blank=True)
    external_id_label = models.CharField(
        _("libellé de l'identifiant externe"), max_length=255, blank=True, default=""
    )
    external_id_type = models.CharField(
        _("type de l'identifiant externe"),
        max_length=10,
        choices=ExternalIdType.choices,
        blank=True,
        default="",
    )
    multiple_sendings = models.BooleanField(_("envoi multiple"), default=False)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="owned_campaigns",
        verbose_name=_("propriétaire"),
    )
    creator = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("créée le"), default=timezone.now)
    archived_at = models.DateTimeField(_("archivée le"), null=True, blank=True)
    archived_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    deleted_at = models.DateTimeField(_("supprimée le"), null=True, blank=True)
    deleted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("campagne")
        verbose_name_plural = _("campagnes")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["organization", "deleted_at", "archived_at"])]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"

    @property
    def is_assessment(self) -> bool:
        return self.type == self.Type.ASSESSMENT

    @property
    def is_archived(self) -> bool:
        return self.archived_at is not None

    @property
    def is_deleted(self) -> bool:
        return self.deleted_at is not None

    def capped_tube_map(self) -> dict[str, int]:
        return {tube_id: int(level) for tube_id, level in self.capped_tubes}


class Participation(models.Model):
    class Status(models.TextChoices):
        STARTED = "started", _("En cours")
        TO_SHARE = "to_share", _("En attente d'envoi")
        SHARED = "shared", _("Résultats reçus")

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="participations")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="campaign_participations",
    )
    organization_learner = models.ForeignKey(
        "students.OrganizationLearner",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="participations",
    )
    participant_external_id = models.CharField(max_length=255, blank=True, default="")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.STARTED)
    created_at = models.DateTimeField(_("commencée le"), default=timezone.now)
    shared_at = models.DateTimeField(_("envoyée le"), null=True, blank=True)
    # Superseded by a newer participation of the same learner (multiple sendings).
    is_improved = models.BooleanField(default=False)
    deleted_at = models.DateTimeField(null=True, blank=True)
    deleted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Frozen when shared.
    mastery_rate = models.FloatField(null=True, blank=True)
    validated_skills_count = models.PositiveIntegerField(null=True, blank=True)
    pix_score = models.PositiveIntegerField(null=True, blank=True)
    reached_stage = models.PositiveSmallIntegerField(null=True, blank=True)  # 1 = zero stage
    total_stages = models.PositiveSmallIntegerField(null=True, blank=True)
    is_certifiable = models.BooleanField(null=True, blank=True)
    certifiable_competences = models.PositiveSmallIntegerField(null=True, blank=True)
    badge_keys = models.JSONField(default=list, blank=True)
    # assessment: {"competences": {id: [validated, total]}, "tubes": {id: [reached, max, validated, total]},
    #              "skills": {id: "ok"|"ko"}}; collection: {"competences": {id: [level, pix]}}
    snapshot = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name = _("participation")
        verbose_name_plural = _("participations")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "user"],
                condition=Q(is_improved=False, deleted_at__isnull=True, user__isnull=False),
                name="participation_one_current_per_user",
            ),
            models.UniqueConstraint(
                fields=["campaign", "organization_learner"],
                condition=Q(
                    is_improved=False, deleted_at__isnull=True, organization_learner__isnull=False
                ),
                name="participation_one_current_per_learner",
            ),
        ]
        indexes = [
            models.Index(fields=["campaign", "status"]),
            models.Index(fields=["organization_learner"]),
        ]

    def __str__(self) -> str:
        return f"participation #{self.pk} ({self.status})"

    @property
    def is_shared(self) -> bool:
        return self.status == self.Status.SHARED

    @property
    def stars(self) -> int:
        """Stages reached above the zero stage (what "n étoiles sur N" counts)."""
        return max(0, (self.reached_stage or 1) - 1)

    @property
    def stars_total(self) -> int:
        return max(0, (self.total_stages or 1) - 1)
