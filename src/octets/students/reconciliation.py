"""Reconciliation owns the pure rules that tie what a pupil types (first name, last name) to one
imported pupil of a school, and the masked form of a login shown back to a pupil.

No Django, no I/O: the service layer (``students.association``) loads the candidates (the enabled
pupils of the school born on the typed date) and acts on the answer.

Matching runs two passes, strict (equal once standardised) then tolerant (edit distance at most a
quarter of the typed length). In each pass the pupil's given names are tried in order (first,
second, third): the first one that leaves **exactly one** candidate whose family name or name in
use is also close wins. Homonyms (two candidates left) give no match rather than a guess.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from typing import NamedTuple, Protocol

from octets.engine.answers import is_close_enough, levenshtein

#: Tolerant pass: edit distance ÷ typed length at most this.
MAX_DISTANCE_RATIO = 0.25
GIVEN_NAME_FIELDS = ("first_name", "middle_name", "third_name")
MASK = "***"

# Letters with no Unicode decomposition that French names use; dropping them would turn "Cœur"
# into "cur", too far from a typed "Coeur".
_LIGATURES = str.maketrans({"œ": "oe", "æ": "ae", "ß": "ss", "ø": "o", "đ": "d", "ł": "l"})


class Candidate(NamedTuple):
    """The names of one imported pupil; ``id`` is what a match returns."""

    id: int
    first_name: str
    middle_name: str
    third_name: str
    last_name: str
    preferred_last_name: str


class HasNames(Protocol):
    id: int
    first_name: str
    middle_name: str
    third_name: str
    last_name: str
    preferred_last_name: str


def standardize(name: str | None) -> str:
    """Lower case, accents removed, ASCII letters and digits only: ``Jean-Édouard`` → ``jeanedouard``."""
    if not name:
        return ""
    value = unicodedata.normalize("NFKD", name.casefold().translate(_LIGATURES))
    # lower case again: decomposing may give capitals back (the modifier letter "ᴬ" is "A")
    return "".join(ch for ch in value if ch.isascii() and ch.isalnum()).lower()


def distance_ratio(typed: str, reference: str) -> float:
    """Edit distance between the standardised names divided by the typed length.

    An empty typed name is at distance 0 from an empty reference and infinitely far from any
    other (dividing by the typed length makes a short guess pay for each mistake).
    """
    typed, reference = standardize(typed), standardize(reference)
    if not typed:
        return 0.0 if not reference else float("inf")
    return levenshtein(typed, reference) / len(typed)


def _close(typed: str, reference: str, max_ratio: float) -> bool:
    # Both already standardised; an empty reference (no middle name…) never matches anything.
    if not reference:
        return False
    if max_ratio == 0:
        return typed == reference
    return is_close_enough(typed, reference, max_ratio)


def find_matching_candidate(
    candidates: Iterable[HasNames],
    first_name: str,
    last_name: str,
    *,
    max_ratio: float = MAX_DISTANCE_RATIO,
) -> int | None:
    """The ``id`` of the one candidate these typed names designate, or None.

    ``candidates`` are ``Candidate`` tuples or any objects with the same attributes.
    """
    typed_first, typed_last = standardize(first_name), standardize(last_name)
    if not typed_first or not typed_last:
        return None
    people = [
        (
            candidate.id,
            {field: standardize(getattr(candidate, field)) for field in GIVEN_NAME_FIELDS},
            (standardize(candidate.last_name), standardize(candidate.preferred_last_name)),
        )
        for candidate in candidates
    ]
    for ratio in (0.0, max_ratio):
        same_family = [
            (candidate_id, given)
            for candidate_id, given, family in people
            if any(_close(typed_last, name, ratio) for name in family)
        ]
        for field in GIVEN_NAME_FIELDS:
            found = [cid for cid, given in same_family if _close(typed_first, given[field], ratio)]
            if len(found) == 1:
                return found[0]
    return None


def obfuscate_username(username: str) -> str:
    """``jean.dupont1203`` → ``j***.d***3``: enough for its owner to recognise it, no more."""
    if not username:
        return ""
    head, dot, tail = username.partition(".")
    if dot and tail:
        return f"{head[:1]}{MASK}.{tail[:1]}{MASK}{tail[-1]}"
    return f"{username[:1]}{MASK}{username[-1] if len(username) > 1 else ''}"


def obfuscate_email(email: str) -> str:
    """``jean.dupont@ecole.fr`` → ``j***@ecole.fr``: the domain stays, the mailbox is hidden."""
    if not email:
        return ""
    local, at, domain = email.rpartition("@")
    if not at:
        return f"{email[:1]}{MASK}"
    return f"{local[:1]}{MASK}@{domain}"
