"""Answer checking: is this answer to this challenge right?

This module owns the tolerance treatments (T1 case/accents/spaces, T2 punctuation, T3 edit
distance), the small YAML subset used by QROCM answers and solutions, and one validator per
challenge type. ``check_answer`` is the entry point: it handles the skip value, runs the
validator, then downgrades a late or focused-out right answer, as Pix does. Results use Pix's
status strings (``ok``, ``ko``, ``partially``, ``aband``, ``timedout``, ``focusedOut``); only
``ok`` is a success.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from functools import lru_cache

from octets.engine.content import NUMBER_FORMAT, BlockType, Challenge, ChallengeType

#: Value sent for "Je passe".
SKIPPED_VALUE = "#ABAND#"
#: T3 accepts an answer when edit distance ÷ answer length is at most this.
MAX_EDIT_RATIO = 0.25


class AnswerResult(StrEnum):
    OK = "ok"
    KO = "ko"
    PARTIALLY = "partially"
    ABAND = "aband"
    TIMEDOUT = "timedout"
    FOCUSED_OUT = "focusedOut"

    @property
    def is_ok(self) -> bool:
        return self is AnswerResult.OK


@dataclass(frozen=True, slots=True)
class Evaluation:
    """The verdict on one answer. ``details`` gives, for QROCM, each input key and whether it is right."""

    result: AnswerResult
    details: tuple[tuple[str, bool], ...] = ()


class SolutionFormatError(ValueError):
    """The challenge's solution cannot be read (a content error, caught by the loader)."""


# --- treatments ---------------------------------------------------------------------------

_COMBINING_MARKS = re.compile("[\u0300-\u036f]")
_WHITESPACE = re.compile(r"\s")
_NOT_ASCII_ALNUM_OR_SPACE = re.compile(r"[^a-zA-Z0-9 ]+")
_WHITESPACE_RUNS = re.compile(r"\s\s+")


def pre_treat(value: str) -> str:
    """Applied to every free-text answer: Unicode NFC and non-breaking spaces made plain."""
    return unicodedata.normalize("NFC", value).replace("\u00a0", " ")


def t1(value: str) -> str:
    """T1 "espaces, casse & accents": trim, lower-case, drop accents, remove every space."""
    value = unicodedata.normalize("NFD", value.strip().lower())
    return _WHITESPACE.sub("", _COMBINING_MARKS.sub("", value))


def t2(value: str) -> str:
    """T2 "ponctuation": keep ASCII letters, digits and spaces; collapse runs of spaces."""
    return _WHITESPACE_RUNS.sub(" ", _NOT_ASCII_ALNUM_OR_SPACE.sub("", value))


TREATMENTS: dict[str, Callable[[str], str]] = {"t1": t1, "t2": t2}


def apply_treatments(value: str, treatments: Iterable[str]) -> str:
    """Run the enabled transforming treatments in sorted order (T3 is a comparison, not a transform)."""
    for name in sorted(treatments):
        transform = TREATMENTS.get(name)
        if transform is not None:
            value = transform(value)
    return value


def levenshtein(a: str, b: str, limit: int | None = None) -> int:
    """Edit distance (insert, delete, substitute) between ``a`` and ``b``.

    With ``limit``, stops early and returns ``limit + 1`` as soon as the distance must exceed it.
    """
    if a == b:
        return 0
    # A common prefix or suffix never changes the distance: drop it (typos are local).
    shortest = min(len(a), len(b))
    start = 0
    while start < shortest and a[start] == b[start]:
        start += 1
    end = 0
    while end < shortest - start and a[-1 - end] == b[-1 - end]:
        end += 1
    a, b = a[start : len(a) - end], b[start : len(b) - end]
    if len(a) < len(b):
        a, b = b, a
    over = limit + 1 if limit is not None else None
    if over is not None and len(a) - len(b) >= over:
        return over
    if not b:
        return len(a)
    previous = list(range(len(b) + 1))
    for i, char_a in enumerate(a, 1):
        current = [i]
        left = i
        row_min = i
        for j, char_b in enumerate(b, 1):
            value = previous[j - 1] + (char_a != char_b)
            if previous[j] + 1 < value:
                value = previous[j] + 1
            if left + 1 < value:
                value = left + 1
            current.append(value)
            left = value
            if value < row_min:
                row_min = value
        if over is not None and row_min >= over:
            return over
        previous = current
    distance = previous[-1]
    return over if over is not None and distance >= over else distance


def edit_ratio(answer: str, reference: str) -> float:
    """Levenshtein distance divided by the **answer's** length (0 or infinity for an empty answer)."""
    if not answer:
        return 0.0 if reference == answer else math.inf
    return levenshtein(answer, reference) / len(answer)


def is_close_enough(answer: str, reference: str, max_ratio: float = MAX_EDIT_RATIO) -> bool:
    if not answer:
        return reference == answer
    return _within(answer, reference, math.floor(max_ratio * len(answer) + 1e-9))


def _within(a: str, b: str, limit: int) -> bool:
    """``levenshtein(a, b) <= limit``, deciding the common cases without the table.

    Once the common prefix and suffix are dropped (they never change the distance), the
    distance is at least the length difference and at most the longer remainder; and a
    distance of at most 1 always leaves remainders of at most one character.
    """
    if a == b:
        return True
    if limit <= 0:
        return False
    shortest = min(len(a), len(b))
    start = 0
    while start < shortest and a[start] == b[start]:
        start += 1
    end = 0
    while end < shortest - start and a[-1 - end] == b[-1 - end]:
        end += 1
    longer = max(len(a), len(b)) - start - end
    if abs(len(a) - len(b)) > limit:
        return False
    if longer <= limit:
        return True
    if limit == 1:
        return False
    return levenshtein(a[start : len(a) - end], b[start : len(b) - end], limit) <= limit


def matches_one_of(answer: str, variants: Iterable[str], treatments: Iterable[str]) -> bool:
    """Compare an already treated answer with treated variants: fuzzy when T3 is on, else exact."""
    variants = tuple(variants)
    if answer in variants:
        return True
    if "t3" in treatments and answer:
        limit = math.floor(MAX_EDIT_RATIO * len(answer) + 1e-9)
        return any(_within(answer, variant, limit) for variant in variants)
    return False


# --- numbers ------------------------------------------------------------------------------

_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?")


def parse_number(value: str) -> float | None:
    """A decimal number as a pupil types it ("3,5", " 1 000 "), or None when it is not one."""
    cleaned = _WHITESPACE.sub("", value.replace("\u202f", ""))
    if cleaned.count(",") == 1 and "." not in cleaned:
        cleaned = cleaned.replace(",", ".")
    if not _NUMBER.fullmatch(cleaned):
        return None
    return float(cleaned)


# --- the YAML subset of QROCM answers and solutions -----------------------------------------

_MAPPING_LINE = re.compile(r"^(?P<key>[^:\s][^:]*?)\s*:(?:\s+(?P<value>.*?))?\s*$")
_DOUBLE_QUOTE_ESCAPES = {
    "n": "\n",
    "t": "\t",
    "r": "\r",
    '"': '"',
    "\\": "\\",
    "/": "/",
    "0": "\0",
    " ": " ",
    "_": "\u00a0",
}


def _scalar(text: str) -> str:
    """A YAML scalar read as a string (the FAILSAFE schema: no numbers, no booleans)."""
    text = text.strip()
    if len(text) >= 2 and text[0] == text[-1] == "'":
        return text[1:-1].replace("''", "'")
    if len(text) >= 2 and text[0] == text[-1] == '"':
        return _unescape_double_quoted(text[1:-1])
    if text.startswith(("'", '"')):
        raise ValueError(f"unterminated quoted value: {text!r}")
    comment = text.find(" #")
    return text[:comment].rstrip() if comment != -1 else text


def _unescape_double_quoted(body: str) -> str:
    if "\\" not in body:
        return body
    out: list[str] = []
    i = 0
    while i < len(body):
        char = body[i]
        if char != "\\":
            out.append(char)
            i += 1
            continue
        code = body[i + 1 : i + 2]
        if code in _DOUBLE_QUOTE_ESCAPES:
            out.append(_DOUBLE_QUOTE_ESCAPES[code])
            i += 2
        elif code in ("x", "u", "U"):
            width = {"x": 2, "u": 4, "U": 8}[code]
            out.append(chr(int(body[i + 2 : i + 2 + width], 16)))
            i += 2 + width
        else:
            raise ValueError(f"unknown escape \\{code}")
    return "".join(out)


def parse_yaml_mapping(text: str) -> dict[str, list[str]]:
    """Read ``key: value`` lines and ``key:`` followed by ``- variant`` items.

    Every key maps to the list of its values (one for a scalar). This is the subset of YAML
    that QROCM answers (``key: "value"``) and solutions (``key:\\n- a\\n- b``) use.
    Raises ValueError on anything else.
    """
    result: dict[str, list[str]] = {}
    current: str | None = None
    for line in text.splitlines():
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        if stripped == "-" or stripped.startswith("- "):
            if current is None:
                raise ValueError(f"list item outside a key: {line!r}")
            result[current].append(_scalar(stripped[1:]))
            continue
        match = _MAPPING_LINE.match(line)
        if not match:
            raise ValueError(f"not a 'key: value' line: {line!r}")
        current = _scalar(match.group("key"))
        if current in result:
            raise ValueError(f"duplicate key {current!r}")
        value = match.group("value")
        if value is None or value == "":
            result[current] = []
        elif value.startswith("[") and value.endswith("]"):
            result[current] = [_scalar(item) for item in value[1:-1].split(",") if item.strip()]
        else:
            result[current] = [_scalar(value)]
    return result


def _answer_mapping(value: str | Mapping[str, str]) -> dict[str, str] | None:
    if isinstance(value, Mapping):
        return {str(key): pre_treat(str(item)) for key, item in value.items()}
    try:
        parsed = parse_yaml_mapping(pre_treat(value))
    except ValueError:
        return None
    return {key: (items[0] if items else "") for key, items in parsed.items()}


@lru_cache(maxsize=4096)
def _solution_mapping(solution: str) -> tuple[tuple[str, tuple[str, ...]], ...]:
    try:
        parsed = parse_yaml_mapping(pre_treat(solution))
    except ValueError as error:
        raise SolutionFormatError(str(error)) from error
    return tuple((key, tuple(variants)) for key, variants in parsed.items())


@lru_cache(maxsize=4096)
def _treated_variants(variants: tuple[str, ...], treatments: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(apply_treatments(variant, treatments) for variant in variants)


@lru_cache(maxsize=4096)
def _treated_groups(
    solution: str, treatments: tuple[str, ...]
) -> tuple[tuple[tuple[str, ...], frozenset[str]], ...]:
    """The QROCM solution's groups of treated variants, in order, each also as a set."""
    return tuple(
        (treated, frozenset(treated))
        for treated in (
            _treated_variants(variants, treatments) for _, variants in _solution_mapping(solution)
        )
    )


@lru_cache(maxsize=4096)
def _qroc_variants(solution: str) -> tuple[str, ...]:
    return tuple(line.rstrip("\r") for line in pre_treat(solution).split("\n") if line.rstrip("\r"))


# --- validators ---------------------------------------------------------------------------


def _check_qcu(challenge: Challenge, value: str) -> Evaluation:
    ok = value.strip() == challenge.solution.strip()
    return Evaluation(AnswerResult.OK if ok else AnswerResult.KO)


def _csv_items(value: str) -> list[str]:
    return sorted(item.strip() for item in value.split(","))


def _check_qcm(challenge: Challenge, value: str) -> Evaluation:
    ok = bool(value.strip()) and _csv_items(value) == _csv_items(challenge.solution)
    return Evaluation(AnswerResult.OK if ok else AnswerResult.KO)


def _check_qroc(challenge: Challenge, value: str) -> Evaluation:
    variants = _qroc_variants(challenge.solution)
    if not variants:
        return Evaluation(AnswerResult.KO)
    if challenge.format == NUMBER_FORMAT:
        numbers = [parse_number(variant) for variant in variants]
        answer_number = parse_number(value)
        if answer_number is not None and None not in numbers:
            ok = answer_number in numbers
            return Evaluation(AnswerResult.OK if ok else AnswerResult.KO)
    blocks = challenge.blocks
    first_is_select = bool(blocks) and next(iter(blocks.values())) is BlockType.SELECT
    treatments = () if first_is_select else challenge.treatments
    answer = apply_treatments(pre_treat(value), treatments)
    ok = matches_one_of(answer, _treated_variants(variants, treatments), treatments)
    return Evaluation(AnswerResult.OK if ok else AnswerResult.KO)


def _check_qrocm_ind(challenge: Challenge, value: str | Mapping[str, str]) -> Evaluation:
    solutions = _solution_mapping(challenge.solution)
    answers = _answer_mapping(value)
    if not solutions or answers is None:
        return Evaluation(AnswerResult.KO)
    blocks = challenge.blocks
    details: list[tuple[str, bool]] = []
    for key, variants in solutions:
        treatments = () if blocks.get(key) is BlockType.SELECT else challenge.treatments
        answer = apply_treatments(answers.get(key, ""), treatments)
        details.append(
            (key, matches_one_of(answer, _treated_variants(variants, treatments), treatments))
        )
    solution_keys = {key for key, _ in solutions}
    details.extend((key, False) for key in answers if key not in solution_keys)
    ok = all(right for _, right in details)
    return Evaluation(AnswerResult.OK if ok else AnswerResult.KO, tuple(details))


def _scoring_thresholds(scoring: str) -> tuple[int, int] | None:
    if not scoring.strip():
        return None
    try:
        grades = [int(key) for key in parse_yaml_mapping(scoring.replace("@", ""))]
    except ValueError as error:
        raise SolutionFormatError(f"scoring: {error}") from error
    return (min(grades), max(grades)) if grades else None


def _check_qrocm_dep(challenge: Challenge, value: str | Mapping[str, str]) -> Evaluation:
    solutions = _solution_mapping(challenge.solution)
    answers = _answer_mapping(value)
    if not solutions or answers is None:
        return Evaluation(AnswerResult.KO)
    keys = list(challenge.blocks) or list(answers)
    keys += [key for key in answers if key not in keys]
    if not keys:
        return Evaluation(AnswerResult.KO)
    treatments = challenge.treatments  # inputs are interchangeable: selects are treated too
    fuzzy = "t3" in treatments
    remaining = list(_treated_groups(challenge.solution, treatments))  # (variants, as a set)
    details: list[tuple[str, bool]] = []
    given: set[str] = set()
    for key in keys:
        answer = apply_treatments(answers.get(key, ""), treatments)
        # The same answer typed in two inputs counts once ("RSS", "RSS" is one right answer).
        repeated = answer in given
        given.add(answer)
        matched = None
        if not repeated:
            limit = math.floor(MAX_EDIT_RATIO * len(answer) + 1e-9) if fuzzy and answer else -1
            # the first group (in the solution's order) with this answer or one close enough
            for index, (variants, exact) in enumerate(remaining):
                if answer in exact or (
                    limit >= 0 and any(_within(answer, variant, limit) for variant in variants)
                ):
                    matched = index
                    break
        if matched is not None:
            del remaining[matched]
        details.append((key, matched is not None))
    good = sum(right for _, right in details)
    thresholds = _scoring_thresholds(challenge.scoring)
    if thresholds is None:
        result = AnswerResult.OK if good == len(keys) else AnswerResult.KO
    elif good >= thresholds[1]:
        result = AnswerResult.OK
    elif good >= thresholds[0]:
        result = AnswerResult.PARTIALLY
    else:
        result = AnswerResult.KO
    return Evaluation(result, tuple(details))


def validate(challenge: Challenge, value: str | Mapping[str, str]) -> Evaluation:
    """Run the validator of the challenge's type (no skip, timeout or focus handling)."""
    if challenge.type in (ChallengeType.QROCM_IND, ChallengeType.QROCM_DEP):
        if isinstance(value, str) and not value.strip():
            return Evaluation(AnswerResult.KO)
        if challenge.type is ChallengeType.QROCM_IND:
            return _check_qrocm_ind(challenge, value)
        return _check_qrocm_dep(challenge, value)
    if not isinstance(value, str):
        return Evaluation(AnswerResult.KO)
    if challenge.type is ChallengeType.QCU:
        return _check_qcu(challenge, value)
    if challenge.type is ChallengeType.QCM:
        return _check_qcm(challenge, value)
    return _check_qroc(challenge, value)


def check_answer(
    challenge: Challenge,
    value: str | Mapping[str, str],
    *,
    timeout: int | None = None,
    focused_out: bool = False,
    certification: bool = False,
) -> Evaluation:
    """Mark an answer.

    - ``value`` ``"#ABAND#"`` (skip) gives ``aband`` without validation.
    - ``timeout``: seconds left when the answer was sent; negative means too late, and a right
      answer then becomes ``timedout`` (a wrong one stays ``ko``).
    - In a certification, a right answer to a focusable challenge after the page lost focus
      becomes ``focusedOut``.
    """
    if value == SKIPPED_VALUE:
        return Evaluation(AnswerResult.ABAND)
    evaluation = validate(challenge, value)
    if evaluation.result is AnswerResult.OK:
        if timeout is not None and timeout < 0:
            return Evaluation(AnswerResult.TIMEDOUT, evaluation.details)
        if certification and challenge.focusable and focused_out:
            return Evaluation(AnswerResult.FOCUSED_OUT, evaluation.details)
    return evaluation
