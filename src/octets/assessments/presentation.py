"""How a challenge is shown to a learner, how a submitted form becomes an answer value, and how
an answer and a solution read in the review.

Form fields: QCU ``answer`` (a position), QCM ``answer`` (one per ticked position), QROC and
QROCM ``block-1``, ``block-2``… in the order of the inputs in the proposals text. A QROCM value
is sent to the engine as YAML lines ``key: "value"`` (the syntax Pix clients send).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from datetime import datetime

from django.http import QueryDict
from django.utils import timezone
from django.utils.translation import gettext as _

from octets.engine.answers import SKIPPED_VALUE, parse_yaml_mapping, pre_treat
from octets.engine.content import (
    BlockType,
    Challenge,
    ChallengeType,
    ProposalBlock,
    proposal_items,
    proposal_lines,
)


@dataclass(frozen=True)
class Input:
    """An input of a QROC/QROCM challenge, numbered from 1 in reading order. ``context`` is
    the short text just before it on its line ("Format 1 :"), used as its label when the
    content gives none."""

    number: int
    block: ProposalBlock
    context: str = ""

    @property
    def name(self) -> str:
        return f"block-{self.number}"

    @property
    def label(self) -> str:
        return self.block.label or self.context or _("Réponse %(number)d") % {"number": self.number}

    @property
    def is_select(self) -> bool:
        return self.block.kind is BlockType.SELECT


@dataclass(frozen=True)
class ChallengeView:
    challenge: Challenge
    choices: list[tuple[int, str]]  # QCU/QCM: (position, markdown text)
    lines: list[list[str | Input]]  # QROC/QROCM: text pieces and inputs, line by line

    @property
    def inputs(self) -> list[Input]:
        return [piece for line in self.lines for piece in line if isinstance(piece, Input)]

    @property
    def is_multiple(self) -> bool:
        return self.challenge.type is ChallengeType.QCM

    @property
    def has_choices(self) -> bool:
        return self.challenge.type in (ChallengeType.QCU, ChallengeType.QCM)


def challenge_view(challenge: Challenge) -> ChallengeView:
    if challenge.type in (ChallengeType.QCU, ChallengeType.QCM):
        items = proposal_items(challenge.proposals)
        return ChallengeView(challenge, list(enumerate(items, start=1)), [])
    lines: list[list[str | Input]] = []
    number = 0
    for line in proposal_lines(challenge.proposals):
        pieces: list[str | Input] = []
        for piece in line:
            if isinstance(piece, ProposalBlock):
                number += 1
                before = pieces[-1] if pieces and isinstance(pieces[-1], str) else ""
                pieces.append(Input(number, piece, _context_label(before)))
            else:
                pieces.append(piece)
        lines.append(pieces)
    return ChallengeView(challenge, [], lines)


_MARKUP = re.compile(r"[*_`#>]")
MAX_CONTEXT_LABEL = 60


def _context_label(text: str) -> str:
    """The text before an input as its label when it introduces it like a form field
    ("Durée :"), without Markdown marks and the colon; empty otherwise (a sentence to
    complete keeps the numbered label)."""
    text = _MARKUP.sub("", text).strip()
    if not text.endswith(":"):
        return ""
    label = text.rstrip(":").strip()
    return label if len(label) <= MAX_CONTEXT_LABEL else ""


def _yaml_quoted(text: str) -> str:
    text = " ".join(text.splitlines())
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def value_from_form(view: ChallengeView, data: QueryDict) -> tuple[str, list[str]]:
    """The answer value for the engine, and the French problems that prevent sending it."""
    challenge = view.challenge
    if view.has_choices:
        positions = {str(position) for position, _text in view.choices}
        picked = [value for value in data.getlist("answer") if value in positions]
        picked = sorted(set(picked), key=int)
        if not picked:
            if view.is_multiple:
                return "", [_("Cochez au moins une réponse, ou choisissez « Je passe ».")]
            return "", [_("Choisissez une réponse, ou « Je passe ».")]
        if not view.is_multiple and len(picked) > 1:
            return "", [_("Choisissez une seule réponse.")]
        return ",".join(picked), []
    inputs = view.inputs
    values = {item: str(data.get(item.name, "")).strip() for item in inputs}
    missing = [item.label for item, value in values.items() if not value]
    problems = []
    if missing:
        problems.append(
            _("Répondez à chaque champ, ou choisissez « Je passe » (vide : %(fields)s).")
            % {"fields": ", ".join(missing)}
        )
    for item, value in values.items():
        if item.is_select and value and value not in (item.block.options or ()):
            problems.append(
                _("« %(label)s » : choisissez une valeur de la liste.") % {"label": item.label}
            )
    if problems:
        return "", problems
    if challenge.type is ChallengeType.QROC and len(inputs) == 1:
        return values[inputs[0]], []
    return "\n".join(f"{item.block.key}: {_yaml_quoted(values[item])}" for item in inputs), []


def seconds_left(challenge: Challenge, served_at: datetime | None, now=None) -> int | None:
    """For a timed challenge, seconds left on its timer (negative once it is over)."""
    if not challenge.is_timed or served_at is None:
        return None
    elapsed = ((now or timezone.now()) - served_at).total_seconds()
    return math.ceil(challenge.timer - elapsed)


def answer_text(view: ChallengeView, value: str) -> list[str]:
    """The learner's answer as lines to read again in the review."""
    if value == SKIPPED_VALUE:
        return [_("Épreuve passée")]
    if view.has_choices:
        texts = dict(view.choices)
        picked = [part.strip() for part in value.split(",") if part.strip()]
        return [texts.get(int(p), p) if p.isdigit() else p for p in picked] or [value]
    inputs = view.inputs
    if len(inputs) <= 1 and view.challenge.type is ChallengeType.QROC:
        return [value]
    try:
        mapping = parse_yaml_mapping(value)
    except ValueError:
        return [value]
    return [f"{item.label} : {(mapping.get(item.block.key) or [''])[0]}" for item in inputs] or [
        value
    ]


def solution_text(view: ChallengeView) -> list[str]:
    """The expected answer as lines (the first accepted variant of each input)."""
    challenge = view.challenge
    if view.has_choices:
        texts = dict(view.choices)
        return [
            texts.get(int(part), part)
            for part in (p.strip() for p in challenge.solution.split(","))
            if part.isdigit()
        ]
    if challenge.type is ChallengeType.QROC:
        return [line for line in challenge.solution.splitlines() if line.strip()][:1]
    try:
        mapping = parse_yaml_mapping(challenge.solution)
    except ValueError:
        return [challenge.solution]
    return [f"{item.label} : {(mapping.get(item.block.key) or [''])[0]}" for item in view.inputs]


def expected_inputs(challenge: Challenge) -> dict[str, str]:
    """For a QROC/QROCM, a right value per input key: the first accepted variant, and for a
    QROCM-dep (any input takes any variant, each counting once) a different one per input."""
    if challenge.type is ChallengeType.QROC:
        keys = list(challenge.blocks) or ["answer"]
        return {keys[0]: challenge.solution.splitlines()[0]}
    mapping = parse_yaml_mapping(challenge.solution)
    if challenge.type is not ChallengeType.QROCM_DEP:
        return {key: variants[0] for key, variants in mapping.items()}
    used: set[str] = set()
    chosen = {}
    for key, variants in mapping.items():
        pick = next((v for v in variants if pre_treat(v).lower() not in used), variants[0])
        used.add(pre_treat(pick).lower())
        chosen[key] = pick
    return chosen


def expected_value(challenge: Challenge) -> str:
    """An answer value the engine marks right (used by the demo data and the benchmarks)."""
    if challenge.type in (ChallengeType.QCU, ChallengeType.QCM):
        return challenge.solution
    inputs = expected_inputs(challenge)
    if challenge.type is ChallengeType.QROC:
        return next(iter(inputs.values()))
    return "\n".join(f"{key}: {_yaml_quoted(value)}" for key, value in inputs.items())
