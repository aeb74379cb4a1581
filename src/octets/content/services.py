"""Writes on learning content: load a release. One transaction; nothing written on error.

``load_release`` validates the whole release first (``octets.content.validation``) and raises
:class:`ReleaseRejected` carrying every problem; otherwise it stores a new immutable
:class:`~octets.content.models.ContentRelease` and makes it current. Loading the checksum of
the current release again changes nothing (``unchanged``); loading the checksum of an older
stored release makes that row current again (``restored``), without copying it.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from django.db import transaction

from octets.content.models import ContentRelease
from octets.content.release import release_checksum, sort_release
from octets.content.validation import Problem, validate_release

VERSION_ALREADY_USED = "version_already_used"


class ReleaseRejected(Exception):
    """The release has problems; ``problems`` lists all of them."""

    def __init__(self, problems: list[Problem]):
        self.problems = list(problems)
        super().__init__(f"Release refusée : {len(self.problems)} problème(s).")


class LoadOutcome(StrEnum):
    LOADED = "loaded"
    UNCHANGED = "unchanged"
    RESTORED = "restored"


@dataclass(frozen=True, slots=True)
class LoadResult:
    release: ContentRelease
    outcome: LoadOutcome


def check_release(*, data: Any) -> list[Problem]:
    """Every problem that would make ``load_release`` refuse ``data`` (reads only)."""
    problems = validate_release(data)
    if problems:
        return problems
    checksum = release_checksum(data)
    other = ContentRelease.objects.filter(version=data["version"]).exclude(checksum=checksum)
    if other.exists():
        problems.append(
            Problem(
                VERSION_ALREADY_USED,
                "release",
                data["version"],
                f"Release {data['version']} : cette version est déjà chargée avec un autre "
                "contenu ; changez le numéro de version.",
            )
        )
    return problems


@transaction.atomic
def load_release(*, data: Any, loaded_by=None) -> LoadResult:
    """Validate then store ``data`` as the current release. Raises :class:`ReleaseRejected`."""
    problems = check_release(data=data)
    if problems:
        raise ReleaseRejected(problems)
    checksum = release_checksum(data)
    current = ContentRelease.objects.select_for_update().filter(is_current=True).first()
    if current is not None and current.checksum == checksum:
        return LoadResult(current, LoadOutcome.UNCHANGED)
    ContentRelease.objects.filter(is_current=True).update(is_current=False)
    existing = ContentRelease.objects.filter(checksum=checksum).first()
    if existing is not None:
        ContentRelease.objects.filter(pk=existing.pk).update(is_current=True)
        existing.refresh_from_db(fields=["is_current"])
        return LoadResult(existing, LoadOutcome.RESTORED)
    release = ContentRelease(
        version=data["version"],
        checksum=checksum,
        data=sort_release(copy.deepcopy(data)),  # entities by id; the caller's dict stays theirs
        loaded_by=loaded_by,
        is_current=True,
    )
    release.save()
    return LoadResult(release, LoadOutcome.LOADED)
