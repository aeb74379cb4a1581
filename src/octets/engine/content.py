"""Learning content as the engine sees it: plain, immutable data.

This module owns the shapes of the learning-content entities that the engine reads (areas,
competences, thematics, tubes, skills, challenges, tutorials) and the few facts derived from
a single entity (a challenge's enabled treatments, its input blocks, whether it is timed).
It does no I/O: the release loader and the database live elsewhere and build these objects.

Field names follow a Pix learning-content release, in snake_case; status values keep the
French spelling used in releases (``actif``, ``validé``…).
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass
from enum import StrEnum
from functools import cached_property

MIN_LEVEL = 1
MAX_LEVEL = 8


class ChallengeType(StrEnum):
    QCU = "QCU"
    QCM = "QCM"
    QROC = "QROC"
    QROCM_IND = "QROCM-ind"
    QROCM_DEP = "QROCM-dep"


class SkillStatus(StrEnum):
    ACTIVE = "actif"
    ARCHIVED = "archivé"
    OBSOLETE = "périmé"


class ChallengeStatus(StrEnum):
    VALIDATED = "validé"
    ARCHIVED = "archivé"
    OBSOLETE = "périmé"
    PROPOSED = "proposé"


#: Statuses a challenge may be served with (validé is preferred when both exist).
OPERATIVE_STATUSES = frozenset({ChallengeStatus.VALIDATED, ChallengeStatus.ARCHIVED})

#: Challenge ``format`` value that turns on numeric comparison for a QROC.
NUMBER_FORMAT = "nombre"


class BlockType(StrEnum):
    INPUT = "input"
    SELECT = "select"


@dataclass(frozen=True, slots=True)
class Area:
    id: str
    code: str
    name: str
    competence_ids: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Competence:
    id: str
    index: str  # "1.1"
    name: str
    area_id: str
    origin: str = "Pix"


@dataclass(frozen=True, slots=True)
class Thematic:
    id: str
    name: str
    competence_id: str
    index: int = 0


@dataclass(frozen=True, slots=True)
class Tube:
    id: str
    name: str  # "@recherche"
    competence_id: str
    title: str = ""
    thematic_id: str | None = None


@dataclass(frozen=True, slots=True)
class Skill:
    id: str
    name: str  # "@recherche3": tube name + level
    tube_id: str
    competence_id: str
    level: int
    status: SkillStatus = SkillStatus.ACTIVE
    tutorial_ids: tuple[str, ...] = ()
    learning_more_tutorial_ids: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if not MIN_LEVEL <= self.level <= MAX_LEVEL:
            raise ValueError(f"skill {self.id}: level {self.level} outside {MIN_LEVEL}–{MAX_LEVEL}")

    @property
    def is_active(self) -> bool:
        return self.status == SkillStatus.ACTIVE


_BLOCK = re.compile(r"\$\{(.*?)\}")
_BLOCK_KEY = re.compile(r"^(.+?)(?:#|§| options|$)")
_PROPOSAL_SPLIT = re.compile(r"\n\s*-\s*")


def parse_blocks(proposals: str) -> dict[str, BlockType]:
    """Input blocks of a QROC/QROCM proposals text, in order: ``{key: input|select}``.

    A block is ``${key}``, optionally with ``#placeholder``, ``§aria label`` or
    `` options=[…]`` (a select box) after the key.
    """
    blocks: dict[str, BlockType] = {}
    for match in _BLOCK.finditer(proposals or ""):
        body = match.group(1)
        key_match = _BLOCK_KEY.match(body)
        if not key_match:
            continue
        key = key_match.group(1).strip()
        blocks[key] = BlockType.SELECT if "options=" in body else BlockType.INPUT
    return blocks


@dataclass(frozen=True)
class Challenge:
    """One question measuring one skill.

    ``solution`` keeps the release syntax: QCU ``"2"``, QCM ``"1,3"``, QROC one accepted answer
    per line, QROCM a YAML mapping ``key:\\n- variant``. ``t1``/``t2``/``t3`` say whether each
    tolerance treatment is enabled ("Activé" in a release).
    """

    id: str
    skill_id: str
    type: ChallengeType
    solution: str
    proposals: str = ""
    instruction: str = ""
    status: ChallengeStatus = ChallengeStatus.VALIDATED
    t1: bool = True
    t2: bool = True
    t3: bool = True
    format: str = ""
    timer: int | None = None
    locales: tuple[str, ...] = ("fr",)
    focusable: bool = False
    scoring: str = ""  # legacy QROCM-dep partial scoring ("1: @skill\n2: @skill")
    competence_id: str = ""
    illustration_url: str = ""
    illustration_alt: str = ""
    attachments: tuple[str, ...] = ()
    embed_url: str = ""
    auto_reply: bool = False

    @property
    def is_timed(self) -> bool:
        return self.timer is not None and math.isfinite(self.timer)

    @property
    def treatments(self) -> tuple[str, ...]:
        """Enabled tolerance treatments, in the order they run ("t1", "t2", "t3")."""
        return tuple(name for name, on in (("t1", self.t1), ("t2", self.t2), ("t3", self.t3)) if on)

    @cached_property
    def blocks(self) -> dict[str, BlockType]:
        if self.type in (ChallengeType.QCU, ChallengeType.QCM):
            return {}
        return parse_blocks(self.proposals)

    def in_locales(self, locales: tuple[str, ...]) -> bool:
        """True when one of the challenge's locales is in ``locales`` (case-insensitive)."""
        return any(own.lower() in locales for own in self.locales)


@dataclass(frozen=True, slots=True)
class Tutorial:
    id: str
    title: str
    link: str
    format: str = ""
    source: str = ""
    locale: str = "fr-fr"
    duration: str = ""


def fallback_locales(locale: str) -> tuple[str, ...]:
    """Locales whose challenges suit ``locale``: itself, then its language ("fr-fr" → fr-fr, fr)."""
    locale = locale.lower()
    language = locale.split("-", 1)[0]
    return (locale,) if language == locale else (locale, language)


@dataclass(frozen=True, slots=True)
class ProposalBlock:
    """One input of a QROC/QROCM proposals text: ``${key#placeholder§label options=[…]}``."""

    key: str
    kind: BlockType
    placeholder: str = ""
    label: str = ""
    options: tuple[str, ...] | None = ()  # a select's choices; None when they are unreadable


def proposal_items(proposals: str) -> list[str]:
    """QCU/QCM proposals, a markdown list: split on "newline, spaces, dash, spaces"."""
    return [item.strip() for item in _PROPOSAL_SPLIT.split("\n" + (proposals or ""))[1:]]


def _block(body: str) -> ProposalBlock | None:
    key_match = _BLOCK_KEY.match(body)
    if not key_match:
        return None
    key = key_match.group(1).strip()
    options: tuple[str, ...] | None = ()
    kind = BlockType.INPUT
    if "options=" in body:
        kind = BlockType.SELECT
        body, raw = body.split("options=", 1)
        try:
            values = json.loads(raw)
        except ValueError:
            values = None
        readable = isinstance(values, list) and all(isinstance(v, str) for v in values)
        options = tuple(values) if readable else None
    rest = body[len(key_match.group(1)) :].strip()
    label = ""
    if "§" in rest:
        rest, label = rest.split("§", 1)
    placeholder = rest[1:] if rest.startswith("#") else ""
    return ProposalBlock(key, kind, placeholder.strip(), label.strip(), options)


def proposal_lines(proposals: str) -> list[list[str | ProposalBlock]]:
    """A QROC/QROCM proposals text as lines of text pieces and input blocks, in order."""
    lines: list[list[str | ProposalBlock]] = []
    for raw_line in (proposals or "").strip("\n").split("\n"):
        pieces: list[str | ProposalBlock] = []
        position = 0
        for match in _BLOCK.finditer(raw_line):
            if match.start() > position:
                pieces.append(raw_line[position : match.start()])
            block = _block(match.group(1))
            pieces.append(block if block is not None else match.group(0))
            position = match.end()
        if position < len(raw_line):
            pieces.append(raw_line[position:])
        lines.append(pieces)
    return lines
