"""The target profiles shipped with Octets (``campaigns/profiles/*.toml``): reading, checking
against the loaded content, and loading them into the database (idempotent, by key).

Checks follow the rules of stages and badges: one zero stage, all stages of one kind (threshold
or level), unique values, thresholds ≤ 100 and levels ≤ the profile's highest cap; badge criteria
on the whole profile or on some of its tubes, each capped at or below the profile's cap.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path

from django.db import transaction

from octets.campaigns.models import Badge, BadgeCriterion, CappedTube, Stage, TargetProfile

PROFILES_DIR = Path(__file__).resolve().parent / "profiles"


class ProfileFileError(ValueError):
    """A shipped profile file breaks a rule (the message names the file and the field)."""


@dataclass(frozen=True)
class ProfileSource:
    path: Path
    data: dict


def read_sources(directory: Path = PROFILES_DIR) -> list[ProfileSource]:
    sources = []
    for path in sorted(directory.glob("*.toml")):
        try:
            with path.open("rb") as handle:
                sources.append(ProfileSource(path, tomllib.load(handle)))
        except tomllib.TOMLDecodeError as exc:
            raise ProfileFileError(f"{path.name} : TOML invalide ({exc})") from exc
    return sources


def check_source(source: ProfileSource, content) -> list[str]:
    """Every problem of one profile file against the content (empty: the file is fine)."""
    name = source.path.name
    data = source.data
    problems = []
    profile = data.get("profile") or {}
    for key in ("key", "name", "category"):
        if not profile.get(key):
            problems.append(f"{name} : [profile].{key} manquant")
    if profile.get("category") and profile["category"] not in TargetProfile.Category.values:
        problems.append(f"{name} : catégorie inconnue « {profile['category']} »")
    tube_problems, caps = check_tubes(name, data.get("tubes") or [], content)
    problems.extend(tube_problems)
    if not caps:
        problems.append(f"{name} : aucun sujet")
    problems.extend(check_stages(name, data.get("stages") or [], max(caps.values(), default=0)))
    problems.extend(_check_badges(name, data.get("badges") or [], caps))
    return problems


def check_tubes(name: str, tubes: list[dict], content) -> tuple[list[str], dict[str, int]]:
    """Problems of a list of capped tubes ``{"id", "level"}`` against the content, and the caps."""
    problems = []
    tube_levels: dict[str, list[int]] = {}
    for skill in content.skills:
        if skill.is_active:
            tube_levels.setdefault(skill.tube_id, []).append(skill.level)
    caps: dict[str, int] = {}
    for index, tube in enumerate(tubes, start=1):
        tube_id, level = tube.get("id"), tube.get("level")
        where = f"{name} : sujet n° {index} ({tube_id})"
        if tube_id not in tube_levels:
            problems.append(f"{where} : ce sujet n'existe pas dans le contenu")
            continue
        if tube_id in caps:
            problems.append(f"{where} : sujet en double")
        if not isinstance(level, int) or not 1 <= level <= max(tube_levels[tube_id]):
            problems.append(f"{where} : niveau {level!r} hors de 1–{max(tube_levels[tube_id])}")
            continue
        caps[tube_id] = level
    return problems, caps


def check_stages(name: str, stages: list[dict], max_cap: int) -> list[str]:
    """Problems of a profile's stages (``threshold`` or ``level``, ``title``, ``message``)."""
    problems = []
    if not stages:
        return problems
    kinds = {"threshold" if "threshold" in s else "level" if "level" in s else None for s in stages}
    if None in kinds:
        problems.append(f"{name} : un palier n'a ni seuil ni niveau")
        return problems
    if len(kinds) > 1:
        problems.append(f"{name} : les paliers mélangent seuils et niveaux")
        return problems
    kind = kinds.pop()
    values = [s[kind] for s in stages]
    if values.count(0) != 1:
        problems.append(f"{name} : il faut exactement un palier zéro")
    if len(set(values)) != len(values):
        problems.append(f"{name} : deux paliers ont la même valeur")
    limit = 100 if kind == "threshold" else max_cap
    for value in values:
        if not isinstance(value, int) or not 0 <= value <= limit:
            problems.append(f"{name} : palier {value!r} hors de 0–{limit}")
    for index, stage in enumerate(stages, start=1):
        for key in ("title", "message"):
            if not str(stage.get(key) or "").strip():
                problems.append(f"{name} : palier n° {index} sans {key}")
    return problems


def _check_badges(name: str, badges: list[dict], caps: dict[str, int]) -> list[str]:
    problems = []
    for index, badge in enumerate(badges, start=1):
        where = f"{name} : badge n° {index} ({badge.get('key')})"
        if not badge.get("key") or not badge.get("title"):
            problems.append(f"{where} : clé ou titre manquant")
        criteria = badge.get("criteria") or []
        if not criteria:
            problems.append(f"{where} : aucun critère")
        for criterion in criteria:
            scope = criterion.get("scope")
            threshold = criterion.get("threshold")
            if scope not in BadgeCriterion.Scope.values:
                problems.append(f"{where} : portée inconnue « {scope} »")
            if not isinstance(threshold, int) or not 0 < threshold <= 100:
                problems.append(f"{where} : seuil {threshold!r} hors de 1–100")
            if scope == BadgeCriterion.Scope.CAPPED_TUBES:
                tubes = criterion.get("tubes") or []
                if not tubes:
                    problems.append(f"{where} : critère sur sujets sans sujet")
                for tube in tubes:
                    cap = caps.get(tube.get("id"))
                    if cap is None or not isinstance(tube.get("level"), int):
                        problems.append(f"{where} : sujet {tube.get('id')} absent du profil")
                    elif not 1 <= tube["level"] <= cap:
                        problems.append(
                            f"{where} : sujet {tube['id']} au niveau {tube['level']} (max {cap})"
                        )
    return problems


def check_all(content, directory: Path = PROFILES_DIR) -> list[str]:
    sources = read_sources(directory)
    problems = []
    keys: dict[str, str] = {}
    badge_keys: dict[str, str] = {}
    for source in sources:
        problems.extend(check_source(source, content))
        key = (source.data.get("profile") or {}).get("key")
        if key in keys:
            problems.append(f"{source.path.name} : clé {key} déjà utilisée par {keys[key]}")
        keys[key] = source.path.name
        for badge in source.data.get("badges") or []:
            if badge.get("key") in badge_keys:
                problems.append(
                    f"{source.path.name} : badge {badge.get('key')} déjà défini dans "
                    f"{badge_keys[badge.get('key')]}"
                )
            badge_keys[badge.get("key")] = source.path.name
    return problems


@transaction.atomic
def load_profiles(content, directory: Path = PROFILES_DIR) -> list[TargetProfile]:
    """Create or update every shipped profile (by key). Campaigns keep the tubes they were
    created with, so updating a profile never changes a running campaign."""
    problems = check_all(content, directory)
    if problems:
        raise ProfileFileError("\n".join(problems))
    loaded = []
    for source in read_sources(directory):
        data = source.data
        head = data["profile"]
        profile, _created = TargetProfile.objects.update_or_create(
            key=head["key"],
            defaults={
                "name": head["name"],
                "category": head["category"],
                "description": head.get("description", "").strip(),
                "is_public": bool(head.get("is_public", True)),
                "is_outdated": False,
            },
        )
        profile.capped_tubes.all().delete()
        CappedTube.objects.bulk_create(
            CappedTube(target_profile=profile, tube_id=tube["id"], level=tube["level"])
            for tube in data["tubes"]
        )
        profile.stages.all().delete()
        Stage.objects.bulk_create(
            Stage(
                target_profile=profile,
                threshold=stage.get("threshold"),
                level=stage.get("level"),
                title=stage["title"],
                message=stage["message"],
                prescriber_title=stage.get("prescriber_title", ""),
                prescriber_description=stage.get("prescriber_description", ""),
            )
            for stage in data.get("stages") or []
        )
        kept = []
        for badge_data in data.get("badges") or []:
            badge, _created = Badge.objects.update_or_create(
                key=badge_data["key"],
                defaults={
                    "target_profile": profile,
                    "title": badge_data["title"],
                    "message": badge_data.get("message", ""),
                    "alt_message": badge_data.get("alt_message", ""),
                    "is_certifiable": bool(badge_data.get("is_certifiable", False)),
                    "is_always_visible": bool(badge_data.get("is_always_visible", True)),
                },
            )
            badge.criteria.all().delete()
            BadgeCriterion.objects.bulk_create(
                BadgeCriterion(
                    badge=badge,
                    scope=criterion["scope"],
                    name=criterion.get("name", ""),
                    threshold=criterion["threshold"],
                    capped_tubes=[[t["id"], t["level"]] for t in criterion.get("tubes") or []],
                )
                for criterion in badge_data["criteria"]
            )
            kept.append(badge.pk)
        profile.badges.exclude(pk__in=kept).delete()
        loaded.append(profile)
    return loaded
