"""Assessments, their answers and the knowledge elements they produce.

An assessment is tied to the content release it started with; answers keep the challenge id
only, and with the assessment's release that is enough to find the challenge answered again
(``release_content(assessment.content_release_id)``), even after a newer release is loaded.
Knowledge elements are append-only: they form the learner's lifelong profile.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from octets.content.models import ContentRelease


class Assessment(models.Model):
    """A training session on one competence of one release (``competence_id`` is the release id),
    or the test of a campaign participation (``campaign_participation``; no competence)."""

    class State(models.TextChoices):
        STARTED = "started", _("en cours")
        COMPLETED = "completed", _("terminée")
        ABORTED = "aborted", _("interrompue")  # the competence was reset while it was running

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="assessments"
    )
    competence_id = models.CharField(_("compétence"), max_length=100)
    content_release = models.ForeignKey(
        ContentRelease, on_delete=models.PROTECT, related_name="assessments"
    )
    state = models.CharField(_("état"), max_length=20, choices=State.choices, default=State.STARTED)
    created_at = models.DateTimeField(_("créée le"), default=timezone.now)
    updated_at = models.DateTimeField(_("modifiée le"), auto_now=True)
    current_challenge_id = models.CharField(_("épreuve en cours"), max_length=100, blank=True)
    challenge_served_at = models.DateTimeField(
        _("épreuve en cours affichée le"), null=True, blank=True
    )
    seed = models.IntegerField(_("graine"), default=0)
    campaign_participation = models.ForeignKey(
        "campaigns.Participation",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="assessments",
    )
    # A campaign retry: the failures made since this date (the participation's start) are
    # forgotten, so those skills can be asked again with other challenges.
    retry_since = models.DateTimeField(_("nouvel essai depuis"), null=True, blank=True)
    is_improving = models.BooleanField(
        _("pour s'améliorer"),
        default=False,
        help_text=_("Les acquis échoués il y a plus de 4 jours peuvent être proposés à nouveau."),
    )

    class Meta:
        verbose_name = _("évaluation")
        verbose_name_plural = _("évaluations")
        indexes = [models.Index(fields=["user", "competence_id"])]

    def __str__(self) -> str:
        return f"{self.competence_id or 'campagne'} ({self.user})"

    @property
    def is_retrying(self) -> bool:
        return self.retry_since is not None


class Answer(models.Model):
    """One answer: the challenge is found by its id in the assessment's release, which is
    protected from deletion, so the content answered stays available for review."""

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="answers")
    challenge_id = models.CharField(_("épreuve"), max_length=100)
    value = models.TextField(_("réponse"), blank=True)
    result = models.CharField(_("résultat"), max_length=20)
    timeout = models.IntegerField(_("secondes restantes"), null=True, blank=True)
    created_at = models.DateTimeField(_("répondue le"), default=timezone.now)

    class Meta:
        verbose_name = _("réponse")
        verbose_name_plural = _("réponses")
        constraints = [
            models.UniqueConstraint(
                fields=["assessment", "challenge_id"], name="answer_once_per_challenge"
            )
        ]

    def __str__(self) -> str:
        return f"{self.challenge_id}: {self.result}"


class KnowledgeElement(models.Model):
    """One fact about one skill of the learner (append-only; the latest per skill counts).

    ``skill_id`` and ``competence_id`` are ids of the assessment's release; ``earned_pix`` is
    frozen when the element is created.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="knowledge_elements"
    )
    assessment = models.ForeignKey(
        Assessment, on_delete=models.CASCADE, related_name="knowledge_elements"
    )
    answer = models.ForeignKey(
        Answer,
        on_delete=models.CASCADE,
        related_name="knowledge_elements",
        null=True,
        blank=True,
    )
    skill_id = models.CharField(_("acquis"), max_length=100)
    competence_id = models.CharField(_("compétence"), max_length=100)
    status = models.CharField(_("statut"), max_length=20)
    source = models.CharField(_("origine"), max_length=20)
    earned_pix = models.FloatField(_("pix gagnés"), default=0.0)
    created_at = models.DateTimeField(_("créé le"), default=timezone.now)

    class Meta:
        verbose_name = _("élément de connaissance")
        verbose_name_plural = _("éléments de connaissance")
        indexes = [models.Index(fields=["user", "competence_id"])]

    def __str__(self) -> str:
        return f"{self.skill_id}: {self.status}"
