"""Content releases: the learning content, stored whole and never changed.

A :class:`ContentRelease` row holds one complete release (the JSON of
``octets.content.release``) with its version and the SHA-256 of its canonical JSON. Rows are
immutable: ``save()`` refuses to update an existing row, and the only thing that changes is
which release is current (``is_current``, switched by ``services.load_release`` in one
transaction, at most one current row thanks to a partial unique constraint). Loading a new
release adds a row; the old ones stay.

Why: answers (in the assessment slices) reference the release **and** the challenge id they
were given with. A challenge that has been answered is therefore never changed in place: a
corrected wording, solution or tolerance goes into a new release, while the exact challenge a
pupil answered — instruction, proposals, solution — stays readable from the release the answer
points to (``selectors.release_content``), for reviews, appeals and re-scoring.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from octets.content.release import ENTITY_KINDS


class ImmutableReleaseError(Exception):
    """A stored release was about to be modified."""


class ContentRelease(models.Model):
    version = models.CharField(_("version"), max_length=100, unique=True)
    checksum = models.CharField(_("empreinte SHA-256"), max_length=64, unique=True)
    data = models.JSONField(_("contenu"))
    created_at = models.DateTimeField(_("chargée le"), default=timezone.now)
    loaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("chargée par"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    is_current = models.BooleanField(_("en service"), default=False)

    class Meta:
        verbose_name = _("version du contenu")
        verbose_name_plural = _("versions du contenu")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["is_current"],
                condition=Q(is_current=True),
                name="content_single_current_release",
            )
        ]

    def __str__(self) -> str:
        return f"{self.version} ({self.checksum[:12]})"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise ImmutableReleaseError(
                "Une version du contenu ne se modifie pas : chargez-en une nouvelle."
            )
        super().save(*args, **kwargs)

    def counts(self) -> dict[str, int]:
        return {kind: len(self.data.get(kind) or []) for kind in ENTITY_KINDS}
