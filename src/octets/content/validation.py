"""Validation of a release: every problem at once, each with its entity kind and id (pure Python).

``validate_release(data)`` returns the list of :class:`Problem` found in a release dict (see
``octets.content.release`` for the format); an empty list means the release can be loaded. It
never stops at the first problem and never raises on malformed input (a string where a list is
expected, a missing field…): malformed values are problems too, and the checks that need them
are skipped for that entity only.

Rules (``Problem.code``):

- ``invalid_release`` the top level is not an object, a version or an entity array is missing;
- ``invalid_field`` a field is missing or has the wrong type;
- ``duplicate_id`` two entities of the same kind share an id;
- ``dangling_reference`` an id points to no entity of the expected kind;
- ``inconsistent_reference`` both sides of a link disagree (a skill's ``tubeId`` and the tube's
  ``skillIds``; a skill's competence and its tube's…);
- ``unknown_challenge_type`` / ``unknown_status`` / ``unknown_format``;
- ``level_out_of_range`` a skill level outside 1–8;
- ``bad_tube_name`` / ``skill_name_mismatch`` / ``duplicate_skill_name`` a tube name is "@" and
  letters or digits not ending with a digit; a skill is named tube name + level, once;
- ``solution_unreachable`` the solution cannot be given through the proposals (QCU position out
  of range; QCM positions out of range, repeated, or no wrong proposal left; QROC empty; QROCM keys
  ≠ the ``${key}`` inputs; a select's solution not among its options) or answering the first
  accepted variant through ``octets.engine.answers`` does not give ``ok`` (for a select, the first
  variant among its options; in a QROCM-dep, whose inputs are interchangeable and where a repeated
  answer counts once, the first variant not already given by a previous input). One problem per
  challenge, its message listing every reason;
- ``empty_proposal`` a QCU/QCM proposal is empty;
- ``skill_not_playable`` an active skill has no validé challenge;
- ``pix_value_mismatch`` a skill's ``pixValue`` is not 8 ÷ (active playable skills of the same
  competence and level) — checked only when no other problem was found, as it follows from them;
- ``bad_competence_index`` a competence index is not "d.d", not in its area, or used twice
  (likewise a duplicate area code);
- ``bad_tutorial_link`` a tutorial link is not an http(s) URL;
- ``missing_illustration_alt`` a challenge has an ``illustrationUrl`` but no ``illustrationAlt``
  (the alternative text is what a pupil using a screen reader gets);
- ``bad_asset_url`` an ``illustrationUrl`` or ``attachments`` item is neither an http(s) URL nor
  an asset path ``/contenu/fichiers/<index>/<file>`` with an allowed file name.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from octets.content.release import (
    ENTITY_KINDS,
    KIND_LABELS,
    TREATMENT_STATUSES,
    challenge_from_release,
    compute_pix_values,
)
from octets.engine.answers import (
    SolutionFormatError,
    apply_treatments,
    parse_yaml_mapping,
    pre_treat,
    validate,
)
from octets.engine.content import (
    MAX_LEVEL,
    MIN_LEVEL,
    BlockType,
    ChallengeStatus,
    ChallengeType,
    ProposalBlock,
    SkillStatus,
    parse_blocks,
    proposal_items,
    proposal_lines,
)

INVALID_RELEASE = "invalid_release"
INVALID_FIELD = "invalid_field"
DUPLICATE_ID = "duplicate_id"
DANGLING_REFERENCE = "dangling_reference"
INCONSISTENT_REFERENCE = "inconsistent_reference"
UNKNOWN_CHALLENGE_TYPE = "unknown_challenge_type"
UNKNOWN_STATUS = "unknown_status"
UNKNOWN_FORMAT = "unknown_format"
LEVEL_OUT_OF_RANGE = "level_out_of_range"
BAD_TUBE_NAME = "bad_tube_name"
SKILL_NAME_MISMATCH = "skill_name_mismatch"
DUPLICATE_SKILL_NAME = "duplicate_skill_name"
SOLUTION_UNREACHABLE = "solution_unreachable"
EMPTY_PROPOSAL = "empty_proposal"
SKILL_NOT_PLAYABLE = "skill_not_playable"
PIX_VALUE_MISMATCH = "pix_value_mismatch"
BAD_COMPETENCE_INDEX = "bad_competence_index"
BAD_TUTORIAL_LINK = "bad_tutorial_link"
MISSING_ILLUSTRATION_ALT = "missing_illustration_alt"
BAD_ASSET_URL = "bad_asset_url"

#: Asset file names (as in ``octets.content.sources.ASSET_NAME``; kept here so that the
#: validation does not import the source reader).
_ASSET_PATH = re.compile(
    r"^/contenu/fichiers/[0-9]\.[0-9]/[a-z0-9]+(?:-[a-z0-9]+)*"
    r"\.(?:svg|png|jpg|csv|txt|html|json|md|odt|ods|xlsx|pdf)\Z"
)

#: Challenge ``format`` values (input size / numeric comparison); empty means the default.
CHALLENGE_FORMATS = frozenset({"", "phrase", "mots", "nombre", "paragraphe", "petit"})

_COMPETENCE_INDEX = re.compile(r"^\d\.\d$")
_TUBE_NAME = re.compile(r"^@[^\W_]*[^\W\d_]$")
_POSITION = re.compile(r"^\d+$")
_PIX_TOLERANCE = 1e-9
_SKILL_STATUSES = frozenset(SkillStatus)
_CHALLENGE_TYPES = frozenset(ChallengeType)
_CHALLENGE_STATUSES = frozenset(ChallengeStatus)


@dataclass(frozen=True, slots=True)
class Problem:
    """One reason to refuse a release. ``entity`` is the kind (``"challenges"``…), ``id`` its id."""

    code: str
    entity: str
    id: str
    message: str  # French, starts with the entity label and id

    def __str__(self) -> str:
        return self.message


def _label(kind: str, id: str) -> str:
    label = KIND_LABELS.get(kind, kind)
    return f"{label[0].upper()}{label[1:]} {id}"


# --- field types ----------------------------------------------------------------------------


def _is_str(value: Any) -> bool:
    return isinstance(value, str)


def _is_id(value: Any) -> bool:
    return isinstance(value, str) and value.strip() != ""


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def _is_ids(value: Any) -> bool:
    return isinstance(value, list) and all(_is_id(item) for item in value)


def _is_i18n(value: Any) -> bool:
    return (
        isinstance(value, dict)
        and _is_id(value.get("fr"))
        and all(isinstance(text, str) for text in value.values())
    )


def _is_opt_i18n(value: Any) -> bool:
    return isinstance(value, dict) and all(isinstance(text, str) for text in value.values())


@dataclass(frozen=True, slots=True)
class _Type:
    check: Callable[[Any], bool]
    required: bool
    nullable: bool
    description: str


ID = _Type(_is_id, True, False, "un texte non vide")
STR = _Type(_is_str, True, False, "un texte")
TEXT = _Type(_is_str, False, True, "un texte")
OPT_ID = _Type(_is_id, False, True, "un identifiant ou null")
IDS = _Type(_is_ids, True, False, "une liste d'identifiants")
OPT_IDS = _Type(_is_ids, False, True, "une liste de textes")
I18N = _Type(_is_i18n, True, False, 'un objet {"fr": "…"} non vide')
OPT_I18N = _Type(_is_opt_i18n, False, True, 'un objet {"fr": "…"}')
INT = _Type(_is_int, True, False, "un entier")
OPT_INT = _Type(_is_int, False, True, "un entier ou null")
NUMBER = _Type(_is_number, True, False, "un nombre")
BOOL = _Type(lambda value: isinstance(value, bool), False, True, "true ou false")
TREATMENT = _Type(lambda value: True, False, True, "")  # values checked as statuses

FIELDS: dict[str, dict[str, _Type]] = {
    "areas": {
        "id": ID,
        "code": ID,
        "name": TEXT,
        "title_i18n": I18N,
        "color": TEXT,
        "competenceIds": IDS,
    },
    "competences": {
        "id": ID,
        "index": ID,
        "name_i18n": I18N,
        "description_i18n": OPT_I18N,
        "origin": TEXT,
        "areaId": ID,
        "skillIds": IDS,
        "thematicIds": IDS,
    },
    "thematics": {
        "id": ID,
        "name_i18n": I18N,
        "index": OPT_INT,
        "competenceId": ID,
        "tubeIds": IDS,
    },
    "tubes": {
        "id": ID,
        "name": ID,
        "title": TEXT,
        "description": TEXT,
        "practicalTitle_i18n": OPT_I18N,
        "practicalDescription_i18n": OPT_I18N,
        "competenceId": ID,
        "thematicId": OPT_ID,
        "skillIds": IDS,
        "reviewNote": TEXT,
    },
    "skills": {
        "id": ID,
        "name": ID,
        "status": ID,
        "level": INT,
        "pixValue": NUMBER,
        "hint_i18n": OPT_I18N,
        "competenceId": ID,
        "tubeId": ID,
        "tutorialIds": OPT_IDS,
        "learningMoreTutorialIds": OPT_IDS,
    },
    "challenges": {
        "id": ID,
        "type": ID,
        "instruction": ID,
        "proposals": STR,
        "solution": STR,
        "solutionToDisplay": TEXT,
        "t1Status": TREATMENT,
        "t2Status": TREATMENT,
        "t3Status": TREATMENT,
        "status": ID,
        "format": TEXT,
        "timer": OPT_INT,
        "locales": OPT_IDS,
        "illustrationUrl": TEXT,
        "illustrationAlt": TEXT,
        "attachments": OPT_IDS,
        "focusable": BOOL,
        "autoReply": BOOL,
        "embedUrl": TEXT,
        "scoring": TEXT,
        "competenceId": ID,
        "skillId": ID,
    },
    "tutorials": {
        "id": ID,
        "title": ID,
        "format": TEXT,
        "source": TEXT,
        "link": ID,
        "locale": TEXT,
        "duration": TEXT,
    },
}

#: (field, kind it points to, whether it holds a list of ids)
REFERENCES: dict[str, tuple[tuple[str, str, bool], ...]] = {
    "areas": (("competenceIds", "competences", True),),
    "competences": (
        ("areaId", "areas", False),
        ("skillIds", "skills", True),
        ("thematicIds", "thematics", True),
    ),
    "thematics": (("competenceId", "competences", False), ("tubeIds", "tubes", True)),
    "tubes": (
        ("competenceId", "competences", False),
        ("thematicId", "thematics", False),
        ("skillIds", "skills", True),
    ),
    "skills": (
        ("tubeId", "tubes", False),
        ("competenceId", "competences", False),
        ("tutorialIds", "tutorials", True),
        ("learningMoreTutorialIds", "tutorials", True),
    ),
    "challenges": (("skillId", "skills", False), ("competenceId", "competences", False)),
    "tutorials": (),
}

#: (child kind, child field → parent, parent kind, parent field listing its children)
LINKS = (
    ("competences", "areaId", "areas", "competenceIds"),
    ("thematics", "competenceId", "competences", "thematicIds"),
    ("tubes", "thematicId", "thematics", "tubeIds"),
    ("skills", "tubeId", "tubes", "skillIds"),
    ("skills", "competenceId", "competences", "skillIds"),
)


# --- proposals helpers ----------------------------------------------------------------------


def select_options(proposals: str) -> dict[str, list[str] | None]:
    """Options of each select input ``${key options=["a","b"]}`` (None when unreadable)."""
    return {
        piece.key: None if piece.options is None else list(piece.options)
        for line in proposal_lines(proposals or "")
        for piece in line
        if isinstance(piece, ProposalBlock) and piece.kind is BlockType.SELECT
    }


def _variants(lines: list[str]) -> list[str]:
    return [line for line in lines if line.strip()]


# --- the validator --------------------------------------------------------------------------


class _Validator:
    def __init__(self, data: Any):
        self.data = data
        self.problems: list[Problem] = []
        self.items: dict[str, list[dict[str, Any]]] = {kind: [] for kind in ENTITY_KINDS}
        self.by_id: dict[str, dict[str, dict[str, Any]]] = {kind: {} for kind in ENTITY_KINDS}
        self.bad: set[tuple[str, int, str]] = set()  # (kind, id(item), field) with a wrong type

    def add(self, code: str, kind: str, id: Any, detail: str) -> None:
        id = str(id) if _is_id(id) else "?"
        self.problems.append(Problem(code, kind, id, f"{_label(kind, id)} : {detail}"))

    def value(self, kind: str, item: dict[str, Any], field: str) -> Any:
        """The field's value when it has the right type, else None."""
        if (kind, id(item), field) in self.bad:
            return None
        return item.get(field)

    # structure -----------------------------------------------------------------------------

    def check_structure(self) -> bool:
        if not isinstance(self.data, dict):
            self.add(INVALID_RELEASE, "release", "?", "le fichier doit contenir un objet JSON.")
            return False
        version = self.data.get("version")
        if not _is_id(version):
            self.add(INVALID_RELEASE, "release", "?", "champ « version » manquant ou vide.")
        for kind in ENTITY_KINDS:
            items = self.data.get(kind)
            if not isinstance(items, list):
                self.add(
                    INVALID_RELEASE,
                    "release",
                    version if _is_id(version) else "?",
                    f"tableau « {kind} » manquant ou invalide.",
                )
                continue
            for position, item in enumerate(items, 1):
                if not isinstance(item, dict):
                    self.add(
                        INVALID_FIELD,
                        kind,
                        f"#{position}",
                        "l'élément n'est pas un objet JSON.",
                    )
                    continue
                self.items[kind].append(item)
                self.check_fields(kind, item)
        return True

    def check_fields(self, kind: str, item: dict[str, Any]) -> None:
        for field, spec in FIELDS[kind].items():
            value = item.get(field)
            if field not in item or value is None:
                if spec.required:
                    self.bad.add((kind, id(item), field))
                    self.add(INVALID_FIELD, kind, item.get("id"), f"champ « {field} » manquant.")
                continue
            if not spec.check(value):
                self.bad.add((kind, id(item), field))
                self.add(
                    INVALID_FIELD,
                    kind,
                    item.get("id"),
                    f"champ « {field} » invalide : {spec.description} est attendu.",
                )

    def check_ids(self) -> None:
        for kind in ENTITY_KINDS:
            counts = Counter(
                item["id"] for item in self.items[kind] if self.value(kind, item, "id")
            )
            for item in self.items[kind]:
                item_id = self.value(kind, item, "id")
                if item_id:
                    self.by_id[kind].setdefault(item_id, item)
            for item_id, count in sorted(counts.items()):
                if count > 1:
                    self.add(DUPLICATE_ID, kind, item_id, f"identifiant utilisé {count} fois.")

    # references ----------------------------------------------------------------------------

    def check_references(self) -> None:
        for kind, references in REFERENCES.items():
            for item in self.items[kind]:
                for field, target, many in references:
                    value = self.value(kind, item, field)
                    if value is None:
                        continue
                    for ref in value if many else [value]:
                        if ref not in self.by_id[target]:
                            self.add(
                                DANGLING_REFERENCE,
                                kind,
                                item.get("id"),
                                f"« {field} » désigne {KIND_LABELS[target]} « {ref} » "
                                "qui n'existe pas.",
                            )
        for child_kind, child_field, parent_kind, list_field in LINKS:
            parent_label = KIND_LABELS[parent_kind]
            child_label = KIND_LABELS[child_kind]
            for child in self.items[child_kind]:
                parent_id = self.value(child_kind, child, child_field)
                parent = self.by_id[parent_kind].get(parent_id) if parent_id else None
                children = self.value(parent_kind, parent, list_field) if parent else None
                if children is not None and child["id"] not in children:
                    self.add(
                        INCONSISTENT_REFERENCE,
                        child_kind,
                        child.get("id"),
                        f"« {child_field} » vaut « {parent_id} » mais ce {parent_label} "
                        f"ne le liste pas dans « {list_field} ».",
                    )
            for parent in self.items[parent_kind]:
                for child_id in self.value(parent_kind, parent, list_field) or ():
                    child = self.by_id[child_kind].get(child_id)
                    if child is None:
                        continue
                    actual = self.value(child_kind, child, child_field)
                    if actual is not None and actual != parent.get("id"):
                        self.add(
                            INCONSISTENT_REFERENCE,
                            parent_kind,
                            parent.get("id"),
                            f"« {list_field} » liste {child_label} « {child_id} » dont "
                            f"« {child_field} » vaut « {actual} ».",
                        )
        self._check_same_competence()

    def _check_same_competence(self) -> None:
        def parent_competence(kind: str, parent_id: Any) -> Any:
            parent = self.by_id[kind].get(parent_id) if parent_id else None
            return self.value(kind, parent, "competenceId") if parent else None

        for kind, field, parent_kind in (
            ("tubes", "thematicId", "thematics"),
            ("skills", "tubeId", "tubes"),
            ("challenges", "skillId", "skills"),
        ):
            for item in self.items[kind]:
                own = self.value(kind, item, "competenceId")
                expected = parent_competence(parent_kind, self.value(kind, item, field))
                if own and expected and own != expected:
                    self.add(
                        INCONSISTENT_REFERENCE,
                        kind,
                        item.get("id"),
                        f"« competenceId » vaut « {own} » mais son "
                        f"{KIND_LABELS[parent_kind]} est dans la compétence « {expected} ».",
                    )

    # entity rules --------------------------------------------------------------------------

    def check_areas_and_competences(self) -> None:
        codes = Counter(
            code for area in self.items["areas"] if (code := self.value("areas", area, "code"))
        )
        for area in self.items["areas"]:
            code = self.value("areas", area, "code")
            if code and codes[code] > 1:
                self.add(
                    BAD_COMPETENCE_INDEX, "areas", area.get("id"), f"code « {code} » en double."
                )
        indexes = Counter(
            index
            for competence in self.items["competences"]
            if (index := self.value("competences", competence, "index"))
        )
        for competence in self.items["competences"]:
            index = self.value("competences", competence, "index")
            if index is None:
                continue
            if not _COMPETENCE_INDEX.match(index):
                self.add(
                    BAD_COMPETENCE_INDEX,
                    "competences",
                    competence.get("id"),
                    f"index « {index} » invalide : la forme attendue est « chiffre.chiffre » "
                    "(ex. 1.1).",
                )
                continue
            if indexes[index] > 1:
                self.add(
                    BAD_COMPETENCE_INDEX,
                    "competences",
                    competence.get("id"),
                    f"index « {index} » utilisé par plusieurs compétences.",
                )
            area_id = self.value("competences", competence, "areaId")
            area = self.by_id["areas"].get(area_id) if area_id else None
            code = self.value("areas", area, "code") if area else None
            if code is not None and index.split(".")[0] != code:
                self.add(
                    BAD_COMPETENCE_INDEX,
                    "competences",
                    competence.get("id"),
                    f"index « {index} » hors de son domaine « {code} ».",
                )

    def check_tubes_and_skills(self) -> None:
        for tube in self.items["tubes"]:
            name = self.value("tubes", tube, "name")
            if name and not _TUBE_NAME.match(name):
                self.add(
                    BAD_TUBE_NAME,
                    "tubes",
                    tube.get("id"),
                    f"nom « {name} » invalide : « @ » suivi de lettres ou chiffres, "
                    "sans chiffre final.",
                )
        names = Counter(
            name for skill in self.items["skills"] if (name := self.value("skills", skill, "name"))
        )
        for skill in self.items["skills"]:
            skill_id = skill.get("id")
            status = self.value("skills", skill, "status")
            if status is not None and status not in _SKILL_STATUSES:
                self.add(
                    UNKNOWN_STATUS,
                    "skills",
                    skill_id,
                    f"statut « {status} » inconnu (attendu : {_choices(SkillStatus)}).",
                )
            level = self.value("skills", skill, "level")
            if level is not None and not MIN_LEVEL <= level <= MAX_LEVEL:
                self.add(
                    LEVEL_OUT_OF_RANGE,
                    "skills",
                    skill_id,
                    f"niveau {level} hors de l'intervalle {MIN_LEVEL}–{MAX_LEVEL}.",
                )
                level = None
            name = self.value("skills", skill, "name")
            tube_id = self.value("skills", skill, "tubeId")
            tube = self.by_id["tubes"].get(tube_id) if tube_id else None
            tube_name = self.value("tubes", tube, "name") if tube else None
            if name and tube_name and level is not None and name != f"{tube_name}{level}":
                self.add(
                    SKILL_NAME_MISMATCH,
                    "skills",
                    skill_id,
                    f"nom « {name} » au lieu de « {tube_name}{level} » "
                    "(nom du sujet suivi du niveau).",
                )
            if name and names[name] > 1:
                self.add(
                    DUPLICATE_SKILL_NAME,
                    "skills",
                    skill_id,
                    f"nom « {name} » porté par {names[name]} acquis.",
                )

    def check_challenges(self) -> None:
        for challenge in self.items["challenges"]:
            challenge_id = challenge.get("id")
            ready = all(
                self.value("challenges", challenge, field) is not None
                for field in ("id", "type", "proposals", "solution")
            ) and not any(
                ("challenges", id(challenge), field) in self.bad
                for field in FIELDS["challenges"]
                if field not in ("skillId", "competenceId", "instruction")
            )
            kind = self.value("challenges", challenge, "type")
            if kind is not None and kind not in _CHALLENGE_TYPES:
                ready = False
                self.add(
                    UNKNOWN_CHALLENGE_TYPE,
                    "challenges",
                    challenge_id,
                    f"type « {kind} » inconnu (attendu : {_choices(ChallengeType)}).",
                )
            status = self.value("challenges", challenge, "status")
            if status is not None and status not in _CHALLENGE_STATUSES:
                ready = False
                self.add(
                    UNKNOWN_STATUS,
                    "challenges",
                    challenge_id,
                    f"statut « {status} » inconnu (attendu : {_choices(ChallengeStatus)}).",
                )
            for field in ("t1Status", "t2Status", "t3Status"):
                value = challenge.get(field)
                if (
                    value is not None
                    and not isinstance(value, bool)
                    and value not in TREATMENT_STATUSES
                ):
                    ready = False
                    self.add(
                        UNKNOWN_STATUS,
                        "challenges",
                        challenge_id,
                        f"« {field} » vaut « {value} » (attendu : Activé ou Désactivé).",
                    )
            format = self.value("challenges", challenge, "format")
            if format is not None and format not in CHALLENGE_FORMATS:
                ready = False
                self.add(
                    UNKNOWN_FORMAT,
                    "challenges",
                    challenge_id,
                    f"format « {format} » inconnu (attendu : "
                    f"{', '.join(sorted(CHALLENGE_FORMATS - {''}))}).",
                )
            timer = self.value("challenges", challenge, "timer")
            if timer is not None and timer <= 0:
                self.add(
                    INVALID_FIELD,
                    "challenges",
                    challenge_id,
                    f"« timer » vaut {timer} : un nombre de secondes positif est attendu.",
                )
                ready = False
            self.check_assets(challenge)
            if ready:
                self.check_solution(challenge)

    def check_assets(self, challenge: dict[str, Any]) -> None:
        challenge_id = challenge.get("id")
        url = self.value("challenges", challenge, "illustrationUrl")
        alt = self.value("challenges", challenge, "illustrationAlt")
        if url and not (alt or "").strip():
            self.add(
                MISSING_ILLUSTRATION_ALT,
                "challenges",
                challenge_id,
                "illustration sans texte alternatif (« illustrationAlt ») : décrivez ce que "
                "l'image montre d'utile pour répondre.",
            )
        urls = [("illustrationUrl", url)] if url else []
        urls += [
            ("attachments", item)
            for item in self.value("challenges", challenge, "attachments") or ()
        ]
        for field, value in urls:
            if not _is_asset_url(value):
                self.add(
                    BAD_ASSET_URL,
                    "challenges",
                    challenge_id,
                    f"« {field} » : « {value} » n'est ni une adresse http(s):// ni un fichier "
                    "/contenu/fichiers/<index>/<fichier>.",
                )

    def check_solution(self, item: dict[str, Any]) -> None:
        kind = ChallengeType(item["type"])
        proposals: str = item["proposals"]
        solution: str = item["solution"]
        reasons: list[str] = []
        answer: Any = None
        if kind in (ChallengeType.QCU, ChallengeType.QCM):
            options = proposal_items(proposals)
            empty = [str(n) for n, text in enumerate(options, 1) if not text]
            if empty:
                self.add(
                    EMPTY_PROPOSAL,
                    "challenges",
                    item["id"],
                    f"proposition(s) vide(s) en position {', '.join(empty)}.",
                )
            count = len(options)
            positions = [part.strip() for part in solution.split(",")]
            if kind is ChallengeType.QCU and len(positions) != 1:
                reasons.append(f"un QCU attend une seule position, pas « {solution.strip()} »")
            elif not all(_POSITION.match(part) for part in positions):
                reasons.append(
                    f"solution « {solution.strip()} » : des positions (1, 2…) séparées par "
                    "des virgules sont attendues"
                )
            else:
                numbers = [int(part) for part in positions]
                outside = [n for n in numbers if not 1 <= n <= count]
                if outside:
                    reasons.append(
                        f"position(s) {', '.join(map(str, outside))} hors des {count} propositions"
                    )
                elif len(set(numbers)) != len(numbers):
                    reasons.append("une position est répétée")
                elif len(set(numbers)) >= count:
                    reasons.append("aucune mauvaise proposition ne reste")
            answer = solution.strip()
        elif kind is ChallengeType.QROC:
            blocks = parse_blocks(proposals)
            variants = _variants(solution.split("\n"))
            if len(blocks) != 1:
                reasons.append(
                    f"un QROC a exactement un champ ${{…}} dans ses propositions ({len(blocks)} trouvé(s))"
                )
            if not variants:
                reasons.append("solution vide")
            else:
                answer = variants[0].rstrip("\r")
                options = select_options(proposals)
                for key, values in options.items():
                    answer = self._select_answer(key, values, variants, reasons) or answer
        else:
            blocks = parse_blocks(proposals)
            try:
                mapping = parse_yaml_mapping(solution)
            except ValueError as error:
                reasons.append(f"solution illisible ({error})")
                mapping = None
            if mapping is not None:
                missing = [key for key in blocks if key not in mapping]
                extra = [key for key in mapping if key not in blocks]
                if not blocks:
                    reasons.append("aucun champ ${…} dans les propositions")
                if missing:
                    reasons.append(f"champ(s) sans solution : {', '.join(missing)}")
                if extra:
                    reasons.append(f"clé(s) de solution sans champ ${{…}} : {', '.join(extra)}")
                empty = [key for key, values in mapping.items() if not _variants(values)]
                if empty:
                    reasons.append(f"clé(s) sans réponse acceptée : {', '.join(empty)}")
                if not reasons:
                    answer = self._qrocm_answer(item, kind, mapping, reasons)
        if not reasons:
            try:
                result = validate(challenge_from_release(item), answer).result
            except SolutionFormatError as error:
                reasons.append(f"solution illisible ({error})")
            else:
                if not result.is_ok:
                    reasons.append(
                        f"répondre « {_show(answer)} » (les premières réponses acceptées) donne "
                        f"« {result} » au lieu de « ok »"
                    )
        if reasons:
            self.add(
                SOLUTION_UNREACHABLE,
                "challenges",
                item["id"],
                f"solution inatteignable par les propositions : {' ; '.join(reasons)}.",
            )

    def _qrocm_answer(
        self,
        item: dict[str, Any],
        kind: ChallengeType,
        mapping: dict[str, list[str]],
        reasons: list[str],
    ) -> dict[str, str]:
        """The first accepted variant of each key; for a select, the first among its options.

        In a QROCM-dep the inputs are interchangeable and the same answer typed twice counts
        once, so each input takes the first variant not already given by a previous input.
        """
        options = select_options(item["proposals"])
        treatments = challenge_from_release(item).treatments
        given: set[str] = set()
        answer: dict[str, str] = {}
        for key, values in mapping.items():
            variants = _variants(values)
            if key in options:
                chosen = self._select_answer(key, options[key], variants, reasons)
            elif kind is ChallengeType.QROCM_DEP:
                chosen = next(
                    (
                        v
                        for v in variants
                        if apply_treatments(pre_treat(v), treatments) not in given
                    ),
                    None,
                )
                if chosen is None:
                    reasons.append(
                        f"« {key} » n'a pas de réponse acceptée différente de celles des champs "
                        "précédents"
                    )
            else:
                chosen = variants[0]
            answer[key] = chosen if chosen is not None else variants[0]
            given.add(apply_treatments(pre_treat(answer[key]), treatments))
        return answer

    @staticmethod
    def _select_answer(
        key: str, options: list[str] | None, variants: list[str], reasons: list[str]
    ) -> str | None:
        if options is None:
            reasons.append(f"options illisibles pour la liste « {key} »")
            return None
        chosen = next((variant for variant in variants if variant in options), None)
        if chosen is None:
            reasons.append(f"aucune réponse acceptée pour « {key} » n'est parmi ses options")
        return chosen

    def check_playable_and_pix(self) -> None:
        playable = {
            skill_id
            for challenge in self.items["challenges"]
            if self.value("challenges", challenge, "status") == ChallengeStatus.VALIDATED
            and (skill_id := self.value("challenges", challenge, "skillId"))
        }
        for skill in self.items["skills"]:
            if self.value("skills", skill, "status") == SkillStatus.ACTIVE and (
                skill.get("id") not in playable
            ):
                self.add(
                    SKILL_NOT_PLAYABLE,
                    "skills",
                    skill.get("id"),
                    "aucune épreuve au statut « validé » : l'acquis ne peut pas être évalué.",
                )
        if self.problems:
            # A stale pixValue follows from the other problems: report it once they are fixed.
            return
        values = compute_pix_values(self.items["skills"], self.items["challenges"])
        for skill in self.items["skills"]:
            actual = skill["pixValue"]
            expected = values.get(skill["id"], 0)
            if abs(actual - expected) > _PIX_TOLERANCE:
                self.add(
                    PIX_VALUE_MISMATCH,
                    "skills",
                    skill["id"],
                    f"« pixValue » vaut {actual} au lieu de {expected} (8 ÷ acquis actifs "
                    "jouables de même compétence et niveau).",
                )

    def check_tutorials(self) -> None:
        for tutorial in self.items["tutorials"]:
            link = self.value("tutorials", tutorial, "link")
            if link is None:
                continue
            try:
                parts = urlsplit(link)
            except ValueError:
                parts = None
            if (
                parts is None
                or parts.scheme not in ("http", "https")
                or not parts.netloc
                or any(char.isspace() for char in link)
            ):
                self.add(
                    BAD_TUTORIAL_LINK,
                    "tutorials",
                    tutorial.get("id"),
                    f"lien « {link} » invalide : une adresse http:// ou https:// est attendue.",
                )

    def run(self) -> list[Problem]:
        if not self.check_structure():
            return self.problems
        self.check_ids()
        self.check_references()
        self.check_areas_and_competences()
        self.check_tubes_and_skills()
        self.check_challenges()
        self.check_tutorials()
        self.check_playable_and_pix()
        return self.problems


def _is_asset_url(value: str) -> bool:
    if _ASSET_PATH.match(value):
        return True
    try:
        parts = urlsplit(value)
    except ValueError:
        return False
    return (
        parts.scheme in ("http", "https")
        and bool(parts.netloc)
        and not any(char.isspace() for char in value)
    )


def _choices(enum) -> str:
    return ", ".join(member.value for member in enum)


def _show(answer: Any) -> str:
    if isinstance(answer, Mapping):
        return ", ".join(f"{key}: {value}" for key, value in answer.items())
    return str(answer)


def validate_release(data: Any) -> list[Problem]:
    """Every problem of the release ``data`` (empty list: the release is valid)."""
    return _Validator(data).run()
