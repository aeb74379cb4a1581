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

Assets (issue 6): a challenge's ``illustration`` and ``attachments`` name files of
``content/assets/<index>/`` (``<index>`` is the competence file's); the release holds their URL
paths ``/contenu/fichiers/<index>/<file>`` (``illustrationUrl``, ``attachments``), served by
``octets.www.content``. A file name that breaks :data:`ASSET_NAME`, a missing file, an
illustration without ``illustration_alt`` (or an alt without illustration) and a tutorial id
that no file defines (``tutorials``, ``learning_more``) are source problems. A tube's ``review``
note (why difficulty grows with the level, gaps explained) is kept in the release tube as
``reviewNote`` for the reviewers and the content report; the engine ignores it.
:func:`unused_assets` lists the files no challenge uses (a quality gate in the tests).
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

ASSETS_DIR = Path(__file__).resolve().parent / "assets"
#: Folder of ``assets/`` holding the scripts that generate binary assets (not served).
GENERATORS_DIR = "generators"
#: URL path prefix of the served assets: ``/contenu/fichiers/<index>/<file>``.
ASSET_URL_PREFIX = "/contenu/fichiers/"
#: Content type of each allowed asset extension.
ASSET_TYPES = {
    "svg": "image/svg+xml",
    "png": "image/png",
    "jpg": "image/jpeg",
    "csv": "text/csv; charset=utf-8",
    "txt": "text/plain; charset=utf-8",
    "html": "text/html; charset=utf-8",
    "json": "application/json",
    "md": "text/markdown; charset=utf-8",
    "odt": "application/vnd.oasis.opendocument.text",
    "ods": "application/vnd.oasis.opendocument.spreadsheet",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pdf": "application/pdf",
}
#: Extensions an illustration may have (shown inline as an image).
IMAGE_EXTENSIONS = frozenset({"svg", "png", "jpg"})
#: Lowercase ASCII letters and digits in hyphen-separated words, one allowed extension.
ASSET_NAME = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*\.(" + "|".join(ASSET_TYPES) + r")\Z")
COMPETENCE_INDEX = re.compile(r"^[0-9]\.[0-9]\Z")

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
    "tube": _keys("id name title thematic", "description review skills"),
    "skill": _keys("id level", "hint tutorials learning_more status challenges"),
    "challenge": _keys(
        "id type instruction proposals solution",
        "solution_to_display t1 t2 t3 format timer status locales "
        "illustration illustration_alt attachments",
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


def asset_url(index: str, name: str) -> str:
    """``/contenu/fichiers/<index>/<name>``: the URL path of an asset in a release."""
    return f"{ASSET_URL_PREFIX}{index}/{name}"


def asset_extension(name: str) -> str:
    return name.rsplit(".", 1)[-1] if "." in name else ""


def asset_path(assets_dir: Path | str, index: str, name: str) -> Path | None:
    """The file ``<assets_dir>/<index>/<name>`` when both parts are well formed and the resolved
    path stays inside ``assets_dir`` (no traversal, no symlink out); None otherwise. The file
    itself may not exist."""
    if not (
        isinstance(index, str)
        and isinstance(name, str)
        and COMPETENCE_INDEX.match(index)
        and ASSET_NAME.match(name)
    ):
        return None
    root = Path(assets_dir).resolve()
    path = (root / index / name).resolve()
    if not path.is_relative_to(root) or path.parent != root / index:
        return None
    return path


def asset_files(assets_dir: Path | str) -> list[tuple[str, str]]:
    """Every ``(folder, file name)`` under ``assets_dir`` except the generators' folder."""
    root = Path(assets_dir)
    if not root.is_dir():
        return []
    return sorted(
        (path.parent.relative_to(root).as_posix(), path.name)
        for path in root.rglob("*")
        if path.is_file() and path.relative_to(root).parts[0] != GENERATORS_DIR
    )


def release_asset_urls(release: dict[str, Any]) -> set[str]:
    """Every asset URL path a release's challenges use (illustrations and attachments)."""
    urls: set[str] = set()
    for challenge in release.get("challenges") or []:
        if not isinstance(challenge, dict):
            continue
        url = challenge.get("illustrationUrl")
        if isinstance(url, str) and url:
            urls.add(url)
        attachments = challenge.get("attachments")
        if isinstance(attachments, list):
            urls.update(item for item in attachments if isinstance(item, str))
    return urls


def unused_assets(release: dict[str, Any], assets_dir: Path | str = ASSETS_DIR) -> list[str]:
    """Files of ``assets_dir`` (``<folder>/<name>``) that no challenge of ``release`` uses."""
    used = release_asset_urls(release)
    return [
        f"{folder}/{name}"
        for folder, name in asset_files(assets_dir)
        if asset_url(folder, name) not in used
    ]


class _Builder:
    def __init__(self, source_dir: Path, assets_dir: Path):
        self.source_dir = Path(source_dir)
        self.assets_dir = Path(assets_dir)
        self.problems: list[Problem] = []
        self.release: dict[str, Any] = {kind: [] for kind in ENTITY_KINDS}
        self.file = ""
        self.index = ""  # the competence file's index (its assets folder)
        # (file, location, field, tutorial id) of every tutorial reference, checked at the end
        self.tutorial_refs: list[tuple[str, str, str, Any]] = []

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
            self.index = path.stem
            self.read_competence(path)
        self.link()
        self.check_tutorial_refs()
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
                    "reviewNote": tube.get("review", ""),
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
        for field in ("tutorials", "learning_more"):
            refs = skill.get(field)
            if isinstance(refs, list):
                self.tutorial_refs.extend((self.file, where, field, ref) for ref in refs)
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
                "learningMoreTutorialIds": skill.get("learning_more", []),
            }
        )
        for k, challenge in enumerate(self.tables(skill.get("challenges"), f"{where}.challenges")):
            challenge_where = f"{where}.challenges[{k}]"
            challenge = self.table(challenge, challenge_where, KEYS["challenge"])
            if challenge is None:
                continue
            illustration_url, illustration_alt, attachments = self.read_assets(
                challenge, f"{challenge_where} ({challenge.get('id')})"
            )
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
                    "illustrationUrl": illustration_url,
                    "illustrationAlt": illustration_alt,
                    "attachments": attachments,
                    "focusable": False,
                    "autoReply": False,
                    "embedUrl": "",
                    "competenceId": competence_id,
                    "skillId": skill.get("id"),
                }
            )

    def asset(self, name: Any, where: str, field: str, *, image: bool) -> str | None:
        """The URL path of the asset ``name`` of the current competence, or None (reported)."""
        if not isinstance(name, str) or not name:
            self.problem(where, f"« {field} » doit être un nom de fichier.")
            return None
        if not ASSET_NAME.match(name):
            self.problem(
                where,
                f"« {field} » : nom de fichier « {name} » invalide (lettres minuscules sans "
                "accent, chiffres et tirets, puis une extension parmi "
                f"{', '.join(ASSET_TYPES)}).",
            )
            return None
        if image and asset_extension(name) not in IMAGE_EXTENSIONS:
            self.problem(
                where,
                f"« {field} » : « {name} » n'est pas une image "
                f"({', '.join(sorted(IMAGE_EXTENSIONS))}).",
            )
            return None
        path = asset_path(self.assets_dir, self.index, name)
        if path is None or not path.is_file():
            self.problem(
                where,
                f"« {field} » : fichier « {name} » introuvable dans "
                f"{self.assets_dir.name}/{self.index}/.",
            )
            return None
        return asset_url(self.index, name)

    def read_assets(self, challenge: dict, where: str) -> tuple[str, str, list[Any]]:
        """``(illustrationUrl, illustrationAlt, attachments)`` of a source challenge."""
        url = ""
        illustration = challenge.get("illustration")
        alt = challenge.get("illustration_alt", "")
        if "illustration" in challenge:
            url = self.asset(illustration, where, "illustration", image=True) or ""
        if not isinstance(alt, str):
            self.problem(where, "« illustration_alt » doit être un texte.")
            alt = ""
        if "illustration" in challenge and not alt.strip():
            self.problem(
                where,
                "« illustration_alt » manquant : décrivez ce que l'image montre d'utile pour "
                "répondre.",
            )
        elif alt.strip() and "illustration" not in challenge:
            self.problem(where, "« illustration_alt » sans « illustration ».")
        attachments: list[Any] = []
        names = challenge.get("attachments", [])
        if not isinstance(names, list):
            self.problem(where, "« attachments » doit être une liste de noms de fichiers.")
            names = []
        seen: list[Any] = []
        for name in names:
            if name in seen:
                self.problem(where, f"« attachments » : « {name} » est listé plusieurs fois.")
                continue
            seen.append(name)
            found = self.asset(name, where, "attachments", image=False)
            if found:
                attachments.append(found)
        return url, alt, attachments

    def check_tutorial_refs(self) -> None:
        known = {t["id"] for t in self.release["tutorials"] if isinstance(t.get("id"), str)}
        for file, where, field, ref in self.tutorial_refs:
            if ref not in known:
                self.file = file
                self.problem(
                    where,
                    f"« {field} » : tutoriel « {ref} » inconnu (aucun [[tutorials]] ne porte "
                    "cet identifiant).",
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
    source_dir: Path | str = SOURCE_DIR,
    *,
    version: str | None = None,
    assets_dir: Path | str | None = None,
) -> tuple[dict[str, Any], list[Problem]]:
    """The release built from the TOML files of ``source_dir``, and the source problems.

    Assets are looked up in ``assets_dir``, by default the ``assets`` folder next to
    ``source_dir`` (``content/assets`` for the shipped sources)."""
    source_dir = Path(source_dir)
    if assets_dir is None:
        assets_dir = source_dir.parent / "assets"
    builder = _Builder(source_dir, Path(assets_dir))
    release = sort_release(builder.build())
    add_pix_values(release)
    release["version"] = version or default_version(release)
    return release, builder.problems
