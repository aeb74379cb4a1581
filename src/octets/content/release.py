"""The release file format and its reading into the engine's dataclasses (pure Python, no Django).

A *release* is one JSON object holding the whole learning content, with Pix's entity and field
names::

    {
      "version": "…",
      "areas":       [{id, code, name, title_i18n, color, competenceIds}],
      "competences": [{id, index, name_i18n, description_i18n, origin, areaId, skillIds, thematicIds}],
      "thematics":   [{id, name_i18n, index, competenceId, tubeIds}],
      "tubes":       [{id, name, title, description, practicalTitle_i18n, practicalDescription_i18n,
                       competenceId, thematicId, skillIds, reviewNote}],
      "skills":      [{id, name, status, level, pixValue, hint_i18n, competenceId, tubeId,
                       tutorialIds, learningMoreTutorialIds}],
      "challenges":  [{id, type, instruction, proposals, solution, solutionToDisplay, t1Status,
                       t2Status, t3Status, status, format, timer, locales, illustrationUrl,
                       illustrationAlt, attachments, focusable, autoReply, embedUrl, scoring,
                       competenceId, skillId}],
      "tutorials":   [{id, title, format, source, link, locale, duration}]
    }

``*_i18n`` fields are ``{"fr": "…"}`` dicts. ``reviewNote`` (Octets only, optional) is the
tube's review note: why difficulty grows with the level. ``illustrationUrl`` and ``attachments``
are http(s) URLs or asset paths ``/contenu/fichiers/<index>/<file>``. ``t1Status``… are
``"Activé"``/``"Désactivé"``. ``pixValue`` = 8 ÷ (active skills having a validé challenge in
the same competence and level), 0 for the others. Extra fields are allowed (a Pix release has
more) and kept in the raw data.

This module owns the canonical serialization (sorted keys and ids, so the same content always
gives the same bytes and the same checksum) and :func:`content_from_release`, which turns an
already validated release into :class:`LearningContent`. Validation lives in
``octets.content.validation``; storage in ``models``/``services``.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from octets.engine.content import (
    MAX_LEVEL,
    MIN_LEVEL,
    Area,
    Challenge,
    ChallengeStatus,
    ChallengeType,
    Competence,
    Skill,
    SkillStatus,
    Thematic,
    Tube,
    Tutorial,
)
from octets.engine.scoring import skill_pix_values

#: Entity arrays of a release, in dependency order.
ENTITY_KINDS = (
    "areas",
    "competences",
    "thematics",
    "tubes",
    "skills",
    "challenges",
    "tutorials",
)

#: French singular label of each entity kind, used in problem messages.
KIND_LABELS = {
    "release": "release",
    "source": "fichier source",
    "areas": "domaine",
    "competences": "compétence",
    "thematics": "thématique",
    "tubes": "sujet",
    "skills": "acquis",
    "challenges": "épreuve",
    "tutorials": "tutoriel",
}

#: French plural of each entity kind, for counts.
KIND_PLURALS = {
    "areas": "domaines",
    "competences": "compétences",
    "thematics": "thématiques",
    "tubes": "sujets",
    "skills": "acquis",
    "challenges": "épreuves",
    "tutorials": "tutoriels",
}


def describe_counts(counts: Mapping[str, int]) -> str:
    """``"5 domaines, 16 compétences, …"``."""
    return ", ".join(f"{counts[kind]} {KIND_PLURALS[kind]}" for kind in ENTITY_KINDS)


ENABLED = "Activé"
DISABLED = "Désactivé"
TREATMENT_STATUSES = (ENABLED, DISABLED)
LOCALE = "fr"


def treatment_enabled(value: Any) -> bool:
    """``t1Status``… as a bool: ``"Activé"`` or ``true`` is on."""
    return value is True or value == ENABLED


def i18n(value: Any, locale: str = LOCALE) -> str:
    """The ``locale`` text of a ``*_i18n`` dict (empty when missing)."""
    if isinstance(value, Mapping):
        text = value.get(locale)
        return text if isinstance(text, str) else ""
    return ""


def canonical_json(data: Mapping[str, Any], *, indent: int | None = None) -> str:
    """The release as text: sorted keys, UTF-8 characters kept; compact unless ``indent``."""
    separators = (",", ": ") if indent is not None else (",", ":")
    return json.dumps(
        data, sort_keys=True, ensure_ascii=False, indent=indent, separators=separators
    )


def release_checksum(data: Mapping[str, Any]) -> str:
    """SHA-256 of the canonical compact JSON of the id-sorted release: indentation, key order
    or entity order in a file do not matter."""
    return hashlib.sha256(canonical_json(sort_release(data)).encode("utf-8")).hexdigest()


def sort_release(data: Mapping[str, Any]) -> dict[str, Any]:
    """A copy with every entity array sorted by id (keys are sorted when serialized)."""
    result = dict(data)
    for kind in ENTITY_KINDS:
        items = data.get(kind)
        if isinstance(items, list):
            result[kind] = sorted(items, key=lambda item: str(item.get("id", "")))
    return result


# --- release → engine dataclasses ---------------------------------------------------------


def challenge_from_release(item: Mapping[str, Any]) -> Challenge:
    """One release challenge as the engine's :class:`Challenge` (fields already validated)."""
    timer = item.get("timer")
    return Challenge(
        id=item["id"],
        skill_id=item.get("skillId") or "",
        type=ChallengeType(item["type"]),
        solution=item.get("solution") or "",
        proposals=item.get("proposals") or "",
        instruction=item.get("instruction") or "",
        status=ChallengeStatus(item.get("status") or ChallengeStatus.VALIDATED),
        t1=treatment_enabled(item.get("t1Status", ENABLED)),
        t2=treatment_enabled(item.get("t2Status", ENABLED)),
        t3=treatment_enabled(item.get("t3Status", ENABLED)),
        format=item.get("format") or "",
        timer=timer if isinstance(timer, int) and not isinstance(timer, bool) else None,
        locales=tuple(item.get("locales") or (LOCALE,)),
        focusable=bool(item.get("focusable", False)),
        scoring=item.get("scoring") or "",
        competence_id=item.get("competenceId") or "",
        illustration_url=item.get("illustrationUrl") or "",
        illustration_alt=item.get("illustrationAlt") or "",
        attachments=tuple(item.get("attachments") or ()),
        embed_url=item.get("embedUrl") or "",
        auto_reply=bool(item.get("autoReply", False)),
    )


def skill_from_release(item: Mapping[str, Any]) -> Skill:
    return Skill(
        id=item["id"],
        name=item["name"],
        tube_id=item["tubeId"],
        competence_id=item["competenceId"],
        level=item["level"],
        status=SkillStatus(item.get("status") or SkillStatus.ACTIVE),
        tutorial_ids=tuple(item.get("tutorialIds") or ()),
        learning_more_tutorial_ids=tuple(item.get("learningMoreTutorialIds") or ()),
    )


@dataclass(frozen=True)
class LearningContent:
    """A whole release as engine dataclasses, indexed by id; tuples are sorted by id.

    ``raw`` keeps each entity's release dict (``raw["challenges"][id]["solutionToDisplay"]``,
    ``raw["skills"][id]["hint_i18n"]``…) for the fields the engine does not need.
    """

    version: str
    checksum: str
    areas: tuple[Area, ...]
    competences: tuple[Competence, ...]
    thematics: tuple[Thematic, ...]
    tubes: tuple[Tube, ...]
    skills: tuple[Skill, ...]
    challenges: tuple[Challenge, ...]
    tutorials: tuple[Tutorial, ...]
    pix_values: Mapping[str, float]
    raw: Mapping[str, Mapping[str, Mapping[str, Any]]] = field(repr=False)

    def __post_init__(self) -> None:
        index = {
            "areas": {a.id: a for a in self.areas},
            "competences": {c.id: c for c in self.competences},
            "thematics": {t.id: t for t in self.thematics},
            "tubes": {t.id: t for t in self.tubes},
            "skills": {s.id: s for s in self.skills},
            "challenges": {c.id: c for c in self.challenges},
            "tutorials": {t.id: t for t in self.tutorials},
        }
        object.__setattr__(self, "_index", index)

    def get(self, kind: str, id: str):
        """The entity of ``kind`` (``"skills"``…) with this id, or None."""
        return self._index[kind].get(id)  # type: ignore[attr-defined]

    def competence_by_index(self, index: str) -> Competence | None:
        return next((c for c in self.competences if c.index == index), None)

    def skills_of(self, competence_id: str) -> tuple[Skill, ...]:
        return tuple(s for s in self.skills if s.competence_id == competence_id)

    def challenges_of(self, competence_id: str) -> tuple[Challenge, ...]:
        return tuple(c for c in self.challenges if c.competence_id == competence_id)

    def counts(self) -> dict[str, int]:
        return {kind: len(getattr(self, kind)) for kind in ENTITY_KINDS}


def compute_pix_values(skills: Iterable[Any], challenges: Iterable[Any]) -> dict[str, float]:
    """``pixValue`` of every skill id of a release, by the engine's rule; 0 for skills that do
    not count. Malformed items are skipped (they are the validation's business)."""
    playable = {
        item.get("skillId")
        for item in challenges
        if isinstance(item, Mapping)
        and isinstance(item.get("skillId"), str)
        and item.get("status") == ChallengeStatus.VALIDATED
    }
    skills = [
        item for item in skills if isinstance(item, Mapping) and isinstance(item.get("id"), str)
    ]
    counted = []
    for item in skills:
        level = item.get("level")
        if (
            item.get("status") == SkillStatus.ACTIVE
            and item["id"] in playable
            and isinstance(level, int)
            and not isinstance(level, bool)
            and MIN_LEVEL <= level <= MAX_LEVEL
            and isinstance(item.get("competenceId"), str)
        ):
            counted.append(
                Skill(
                    id=item["id"],
                    name=str(item.get("name")),
                    tube_id=str(item.get("tubeId")),
                    competence_id=item["competenceId"],
                    level=level,
                )
            )
    values = skill_pix_values(counted)
    return {item["id"]: values.get(item["id"], 0) for item in skills}


def content_from_release(data: Mapping[str, Any], *, checksum: str = "") -> LearningContent:
    """Build :class:`LearningContent` from a release that passed validation."""

    def items(kind: str) -> list[Mapping[str, Any]]:
        return sorted(data.get(kind) or [], key=lambda item: item["id"])

    areas = tuple(
        Area(
            id=item["id"],
            code=item["code"],
            name=i18n(item.get("title_i18n")) or item.get("name", ""),
            competence_ids=tuple(item.get("competenceIds") or ()),
        )
        for item in items("areas")
    )
    competences = tuple(
        Competence(
            id=item["id"],
            index=item["index"],
            name=i18n(item["name_i18n"]),
            area_id=item["areaId"],
            origin=item.get("origin") or "Pix",
        )
        for item in items("competences")
    )
    thematics = tuple(
        Thematic(
            id=item["id"],
            name=i18n(item["name_i18n"]),
            competence_id=item["competenceId"],
            index=item.get("index") or 0,
        )
        for item in items("thematics")
    )
    tubes = tuple(
        Tube(
            id=item["id"],
            name=item["name"],
            competence_id=item["competenceId"],
            title=item.get("title") or "",
            thematic_id=item.get("thematicId"),
        )
        for item in items("tubes")
    )
    skills = tuple(skill_from_release(item) for item in items("skills"))
    challenges = tuple(challenge_from_release(item) for item in items("challenges"))
    tutorials = tuple(
        Tutorial(
            id=item["id"],
            title=item["title"],
            link=item["link"],
            format=item.get("format") or "",
            source=item.get("source") or "",
            locale=item.get("locale") or "fr-fr",
            duration=item.get("duration") or "",
        )
        for item in items("tutorials")
    )
    return LearningContent(
        version=data.get("version", ""),
        checksum=checksum or release_checksum(data),
        areas=areas,
        competences=competences,
        thematics=thematics,
        tubes=tubes,
        skills=skills,
        challenges=challenges,
        tutorials=tutorials,
        pix_values=skill_pix_values(skills, challenges=challenges),
        raw={kind: {item["id"]: item for item in items(kind)} for kind in ENTITY_KINDS},
    )
