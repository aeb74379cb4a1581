"""Reads on learning content: the current release as engine dataclasses, cached per process.

``current_content()`` costs one small query (the current release's id and checksum); the
release JSON is read and turned into :class:`~octets.content.release.LearningContent` only when
the checksum changes, so every process follows a newly loaded release on its next call.
``release_content(release_id)`` gives the content of any stored release (the one an answer was
given with), cached the same way.
"""

from __future__ import annotations

import threading

from octets.content.models import ContentRelease
from octets.content.release import LearningContent, content_from_release

_CACHE_SIZE = 4
_cache: dict[str, LearningContent] = {}
_lock = threading.Lock()


class NoContentLoaded(LookupError):
    """No release is current: run ``octets load-content``."""

    def __init__(self):
        super().__init__(
            "Aucun contenu pédagogique n'est en service : chargez une release avec "
            "« octets load-content FICHIER »."
        )


def current_release() -> ContentRelease | None:
    return ContentRelease.objects.filter(is_current=True).defer("data").first()


def release_by_checksum(checksum: str) -> ContentRelease | None:
    return ContentRelease.objects.filter(checksum=checksum).defer("data").first()


def release_by_version(version: str) -> ContentRelease | None:
    return ContentRelease.objects.filter(version=version).defer("data").first()


def releases():
    """Every stored release, newest first (without the JSON)."""
    return ContentRelease.objects.defer("data").order_by("-created_at", "-id")


def _content(release_id: int, checksum: str) -> LearningContent:
    content = _cache.get(checksum)
    if content is not None:
        return content
    data = ContentRelease.objects.values_list("data", flat=True).get(pk=release_id)
    content = content_from_release(data, checksum=checksum)
    with _lock:
        while len(_cache) >= _CACHE_SIZE:
            _cache.pop(next(iter(_cache)))
        _cache[checksum] = content
    return content


def current_content() -> LearningContent:
    """The current release as engine dataclasses. Raises :class:`NoContentLoaded`."""
    row = ContentRelease.objects.filter(is_current=True).values_list("id", "checksum").first()
    if row is None:
        raise NoContentLoaded
    return _content(*row)


def release_content(release_id: int) -> LearningContent:
    """The content of a stored release, current or not (``ContentRelease.DoesNotExist``)."""
    checksum = ContentRelease.objects.values_list("checksum", flat=True).get(pk=release_id)
    return _content(release_id, checksum)


def release_content_with_checksum(release_id: int, checksum: str) -> LearningContent:
    """The content of a stored release whose checksum the caller already read with it (no
    query once the release is cached)."""
    return _content(release_id, checksum)
