"""Build a release from the readable TOML sources (``content/source/``; format in its README).

``build_release(source_dir)`` reads ``areas.toml`` and every ``<index>.toml`` (``1.1.toml``…)
with the standard library's ``tomllib`` and returns ``(release, problems)``. Source problems are
about the files themselves (TOML syntax, unknown or missing keys, a file name that is not a
competence index…); the content rules are checked afterwards on the release by
``octets.content.validation``. Values are copied as written, so a wrong type in a file is
reported by the validation with the entity id.

Derived fields: skill name = tube name + level; thematics come from the tubes' ``thematic``
names, with id ``them_<competence id>_<slug of the name>`` and ``index`` in order of first use
in the file; reverse id lists (``competenceIds``, ``skillIds``…); challenge ``competenceId``;
``pixValue``. Entities and id lists are sorted, so the same sources always give the same JSON.
The release ``version`` defaults to a digest of the content.
"""

from __future__ import annotations

import hashlib
import re
import tomllib
import unicodedata
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from octets.content.release import (
    DISABLED,
    ENABLED,
    ENTITY_KINDS,
    canonical_json,
    compute_pix_values,
    sort_release,
)
from octets.content.validation import Problem

SOURCE_DIR = Path(__file__).resolve().parent / "source"
AREAS_FILE = "areas.toml"
COMPETENCE_FILE = re.compile(r"^\d\.\d\.toml$")
SOURCE_ERROR = "source_error"

DEFAULT_LOCALES = ["fr", "fr-fr"]


@dataclass(frozen=True, slots=True)
class _Keys:
    required: frozenset[str]
    optional: frozenset[str]


def _keys(required: str, optional: str = "") -> _Keys:
    return _Keys(frozenset(required.split()), frozenset(optional.split()))


KEYS = {
    "areas.toml": _keys("areas"),
    "area": _keys("code id name", "color"),
    "file": _keys("competence", "tutorials tubes"),
    "competence": _keys("id index area name", "description"),
    "tutorial": _keys("id title link", "format duration source locale"),
    "tube": _keys("id name title thematic", "description skills"),
    "skill": _keys("id level", "hint tutorials status challenges"),
    "challenge": _keys(
        "id type instruction proposals solution",
        "solution_to_display t1 t2 t3 format timer status locales",
    ),
}


def competence_files(source_dir: Path) -> list[Path]:
    """The ``<index>.toml`` files of a source directory, by name."""
    return sorted(
        path for path in Path(source_dir).glob("*.toml") if COMPETENCE_FILE.match(path.name)
    )


def slug(text: str) -> str:
    text = unicodedata.normalize("NFKD", str(text)).encode("ascii", "ignore").decode().lower()
    return re.sub(r"[^a-z0-9]+", "_", text).strip("_")


def thematic_id(competence_id: str, name: str) -> str:
    return f"them_{competence_id}_{slug(name)}"


class _Builder:
    def __init__(self, source_dir: Path):
        self.source_dir = Path(source_dir)
        self.problems: list[Problem] = []
        self.release: dict[str, Any] = {kind: [] for kind in ENTITY_KINDS}
        self.file = ""

    def problem(self, where: str, message: str) -> None:
        location = f"{self.file}, {where}" if where else self.file
        self.problems.append(
            Problem(SOURCE_ERROR, "source", self.file, f"Fichier {location} : {message}")
        )

    def table(self, value: Any, where: str, keys: _Keys) -> dict[str, Any] | None:
        if not isinstance(value, dict):
            self.problem(where, "une table TOML est attendue.")
            return None
        for key in sorted(keys.required - value.keys()):
            self.problem(where, f"clé obligatoire « {key} » manquante.")
        for key in sorted(value.keys() - keys.required - keys.optional):
            self.problem(where, f"clé inconnue « {key} ».")
        return value

    def tables(self, value: Any, where: str) -> list[Any]:
        if value is None:
            return []
        if not isinstance(value, list):
            self.problem(where, "un tableau de tables ([[…]]) est attendu.")
            return []
        return value

    def read(self, path: Path) -> dict[str, Any] | None:
        self.file = path.name
        try:
            with path.open("rb") as handle:
                return tomllib.load(handle)
        except tomllib.TOMLDecodeError as error:
            self.problem("", f"TOML invalide ({error}).")
        except (OSError, UnicodeDecodeError) as error:
            self.problem("", f"lecture impossible ({error}).")
        return None

    # -----------------------------------------------------------------------------------------

    def build(self) -> dict[str, Any]:
        if not self.source_dir.is_dir():
            self.file = str(self.source_dir)
            self.problem("", "dossier introuvable.")
            return self.release
        for path in sorted(self.source_dir.glob("*.toml")):
            if path.name != AREAS_FILE and not COMPETENCE_FILE.match(path.name):
                self.file = path.name
                self.problem("", "nom inattendu : areas.toml ou <index>.toml (ex. 1.1.toml).")
        self.read_areas()
        for path in competence_files(self.source_dir):
            self.read_competence(path)
        self.link()
        return self.release

    def read_areas(self) -> None:
        path = self.source_dir / AREAS_FILE
        if not path.exists():
            self.file = AREAS_FILE
            self.problem("", "fichier manquant.")
            return
        data = self.read(path)
        if data is None or self.table(data, "", KEYS["areas.toml"]) is None:
            return
        for n, area in enumerate(self.tables(data.get("areas"), "areas")):
            area = self.table(area, f"areas[{n}]", KEYS["area"])
            if area is None:
                continue
            code, name = area.get("code"), area.get("name")
            self.release["areas"].append(
                {
                    "id": area.get("id"),
                    "code": code,
                    "name": f"{code}. {name}",
                    "title_i18n": {"fr": name},
                    "color": area.get("color", ""),
                    "competenceIds": [],
                }
            )

    def read_competence(self, path: Path) -> None:
        data = self.read(path)
        if data is None or self.table(data, "", KEYS["file"]) is None:
            return
        competence = self.table(data.get("competence"), "[competence]", KEYS["competence"])
        if competence is None:
            return
        competence_id = competence.get("id")
        index = competence.get("index")
        if index != path.stem:
            self.problem("[competence]", f"index « {index} » différent du nom du fichier.")
        self.release["competences"].append(
            {
                "id": competence_id,
                "index": index,
                "name_i18n": {"fr": competence.get("name")},
                "description_i18n": {"fr": competence.get("description", "")},
                "origin": "Pix",
                "areaCode": competence.get("area"),  # resolved to areaId in link()
                "skillIds": [],
                "thematicIds": [],
            }
        )
        for n, tutorial in enumerate(self.tables(data.get("tutorials"), "tutorials")):
            tutorial = self.table(tutorial, f"tutorials[{n}]", KEYS["tutorial"])
            if tutorial is None:
                continue
            self.release["tutorials"].append(
                {
                    "id": tutorial.get("id"),
                    "title": tutorial.get("title"),
                    "format": tutorial.get("format", "page"),
                    "duration": tutorial.get("duration", ""),
                    "source": tutorial.get("source", ""),
                    "link": tutorial.get("link"),
                    "locale": tutorial.get("locale", "fr-fr"),
                }
            )
        thematics: dict[str, dict[str, Any]] = {}
        for n, tube in enumerate(self.tables(data.get("tubes"), "tubes")):
            where = f"tubes[{n}]"
            tube = self.table(tube, where, KEYS["tube"])
            if tube is None:
                continue
            theme_name = tube.get("thematic")
            theme_id = None
            if isinstance(theme_name, str) and slug(theme_name):
                theme_id = thematic_id(str(competence_id), theme_name)
                theme = thematics.get(theme_id)
                if theme is None:
                    theme = thematics[theme_id] = {
                        "id": theme_id,
                        "name_i18n": {"fr": theme_name},
                        "index": len(thematics),
                        "competenceId": competence_id,
                        "tubeIds": [],
                    }
                elif theme["name_i18n"]["fr"] != theme_name:
                    self.problem(
                        where,
                        f"thématique « {theme_name} » trop proche de "
                        f"« {theme['name_i18n']['fr']} » (même identifiant {theme_id}).",
                    )
            elif "thematic" in tube:
                self.problem(where, "« thematic » doit être un nom non vide.")
            tube_name = tube.get("name")
            self.release["tubes"].append(
                {
                    "id": tube.get("id"),
                    "name": tube_name,
                    "title": tube.get("title"),
                    "description": tube.get("description", ""),
                    "practicalTitle_i18n": {"fr": tube.get("title")},
                    "practicalDescription_i18n": {"fr": tube.get("description", "")},
                    "competenceId": competence_id,
                    "thematicId": theme_id,
                    "skillIds": [],
                }
            )
            for m, skill in enumerate(self.tables(tube.get("skills"), f"{where}.skills")):
                self.read_skill(skill, f"{where}.skills[{m}]", tube, competence_id)
        self.release["thematics"].extend(thematics.values())

    def read_skill(self, skill: Any, where: str, tube: dict, competence_id: Any) -> None:
        skill = self.table(skill, where, KEYS["skill"])
        if skill is None:
            return
        level = skill.get("level")
        tube_name = tube.get("name")
        self.release["skills"].append(
            {
                "id": skill.get("id"),
                "name": f"{tube_name}{level}" if isinstance(tube_name, str) else None,
                "status": skill.get("status", "actif"),
                "level": level,
                "hint_i18n": {"fr": skill.get("hint", "")},
                "competenceId": competence_id,
                "tubeId": tube.get("id"),
                "tutorialIds": skill.get("tutorials", []),
                "learningMoreTutorialIds": [],
            }
        )
        for k, challenge in enumerate(self.tables(skill.get("challenges"), f"{where}.challenges")):
            challenge = self.table(challenge, f"{where}.challenges[{k}]", KEYS["challenge"])
            if challenge is None:
                continue
            self.release["challenges"].append(
                {
                    "id": challenge.get("id"),
                    "type": challenge.get("type"),
                    "instruction": challenge.get("instruction"),
                    "proposals": challenge.get("proposals"),
                    "solution": challenge.get("solution"),
                    "solutionToDisplay": challenge.get("solution_to_display", ""),
                    "t1Status": _treatment(challenge.get("t1", True)),
                    "t2Status": _treatment(challenge.get("t2", True)),
                    "t3Status": _treatment(challenge.get("t3", True)),
                    "status": challenge.get("status", "validé"),
                    "format": challenge.get("format", "mots"),
                    "timer": challenge.get("timer"),
                    "locales": challenge.get("locales", list(DEFAULT_LOCALES)),
                    "illustrationUrl": "",
                    "illustrationAlt": "",
                    "attachments": [],
                    "focusable": False,
                    "autoReply": False,
                    "embedUrl": "",
                    "competenceId": competence_id,
                    "skillId": skill.get("id"),
                }
            )

    def link(self) -> None:
        """Resolve area codes and fill the reverse id lists."""
        release = self.release
        areas_by_code = {area["code"]: area for area in release["areas"]}
        competences = {c["id"]: c for c in release["competences"] if isinstance(c["id"], str)}
        for competence in release["competences"]:
            code = competence.pop("areaCode")
            area = areas_by_code.get(code)
            competence["areaId"] = area["id"] if area else f"?code {code}"
            if area:
                area["competenceIds"].append(competence["id"])
        children: dict[tuple[str, Any], list[Any]] = defaultdict(list)
        for thematic in release["thematics"]:
            children[("competences", thematic["competenceId"])].append(thematic["id"])
        for tube in release["tubes"]:
            if tube["thematicId"]:
                children[("thematics", tube["thematicId"])].append(tube["id"])
        for skill in release["skills"]:
            children[("tubes", skill["tubeId"])].append(skill["id"])
        for thematic in release["thematics"]:
            thematic["tubeIds"] = _sorted(children[("thematics", thematic["id"])])
        for tube in release["tubes"]:
            tube["skillIds"] = _sorted(children[("tubes", tube["id"])])
        for competence_id, competence in competences.items():
            competence["thematicIds"] = _sorted(children[("competences", competence_id)])
            competence["skillIds"] = _sorted(
                s["id"] for s in release["skills"] if s["competenceId"] == competence_id
            )
        for area in release["areas"]:
            area["competenceIds"] = _sorted(area["competenceIds"])


def _sorted(ids) -> list[Any]:
    return sorted(ids, key=str)


def _treatment(value: Any) -> Any:
    if value is True:
        return ENABLED
    if value is False:
        return DISABLED
    return value  # not a boolean: left for the validation to report


def add_pix_values(release: dict[str, Any]) -> None:
    """Fill every skill's ``pixValue`` (0 for skills that do not count)."""
    values = compute_pix_values(release["skills"], release["challenges"])
    for skill in release["skills"]:
        skill["pixValue"] = values.get(skill["id"], 0) if isinstance(skill["id"], str) else 0


def default_version(release: dict[str, Any]) -> str:
    """A short digest of the content: the same sources give the same version."""
    content = {kind: release[kind] for kind in ENTITY_KINDS}
    return "src-" + hashlib.sha256(canonical_json(content).encode("utf-8")).hexdigest()[:12]


def build_release(
    source_dir: Path | str = SOURCE_DIR, *, version: str | None = None
) -> tuple[dict[str, Any], list[Problem]]:
    """The release built from the TOML files of ``source_dir``, and the source problems."""
    builder = _Builder(Path(source_dir))
    release = sort_release(builder.build())
    add_pix_values(release)
    release["version"] = version or default_version(release)
    return release, builder.problems
