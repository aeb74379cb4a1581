"""The content report (issue 6): what the bank holds and how its challenges behave with pupils.

Shared by ``octets content-report`` and the operator's page ``/plateforme/contenu/``.

- :func:`release_report` (pure, no database) counts a release: per competence × level × type,
  totals, challenges with attachments / an illustration / a timer, skills with fewer than
  :data:`MIN_CHALLENGES_PER_SKILL` validated challenges or without tutorial, tubes without review
  note, and the bank-size gates of issue 6 (each with its value, target and whether it is met).
  Only ``validé`` challenges count (the ones pupils are served), except in ``totals.challenges``.
- :func:`answer_statistics` reads the answers (every assessment, every release: challenge ids are
  stable) and gives per challenge the number of answers, the success rate (result ``ok``), the skip
  rate (value ``#ABAND#`` or result ``aband``) and a time per answer. Answers store no display time,
  so the time is a proxy: the delay between the previous answer of the same assessment (or the
  assessment's start, for its first answer) and this answer, capped at :data:`MAX_SECONDS` (a pupil
  who leaves the page open). A challenge with at least :data:`MIN_ANSWERS` answers is *weak* when
  its success rate is below :data:`WEAK_SUCCESS` or its skip rate above :data:`WEAK_SKIP`.
- :func:`build_report` puts both together for the current release (or the shipped TOML sources
  when no release is loaded, or when asked).

Everything returned is plain JSON-ready data (dicts, lists, numbers, strings); labels are in the
active language (French for the command). No personal data: answers are only counted.
"""

from __future__ import annotations

import statistics
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from django.db import DatabaseError
from django.utils.translation import gettext as _

from octets.engine.answers import SKIPPED_VALUE, AnswerResult
from octets.engine.content import ChallengeStatus, ChallengeType, SkillStatus

MIN_CHALLENGES_PER_SKILL = 2
REQUIRED_LEVELS = frozenset(range(1, 7))
MIN_FULL_TUBES = 4
COMPETENCE_COUNT = 16
MIN_CHALLENGES = 700
MIN_ATTACHMENTS = 60
MIN_ILLUSTRATIONS = 60
MIN_TIMED = 5

MIN_ANSWERS = 20
WEAK_SUCCESS = 0.20
WEAK_SKIP = 0.30
MAX_SECONDS = 600

TYPES = tuple(t.value for t in ChallengeType)
LEVELS = tuple(range(1, 9))


def time_note() -> str:
    return _(
        "Temps estimé : délai entre la réponse précédente de la même évaluation (ou son début) "
        "et cette réponse, plafonné à %(minutes)d minutes ; il inclut la lecture de la question "
        "et le chargement de la page."
    ) % {"minutes": MAX_SECONDS // 60}


def _validated(challenge: dict[str, Any]) -> bool:
    return challenge.get("status") == ChallengeStatus.VALIDATED


def _i18n(value: Any) -> str:
    return value.get("fr", "") if isinstance(value, dict) else ""


def release_report(release: dict[str, Any]) -> dict[str, Any]:
    """Counts and gates of a release dict (see the module docstring)."""
    competences = sorted(release.get("competences") or [], key=lambda c: str(c.get("index")))
    tubes = release.get("tubes") or []
    skills = release.get("skills") or []
    challenges = release.get("challenges") or []
    skills_by_id = {s.get("id"): s for s in skills}
    validated = [c for c in challenges if _validated(c)]
    active_skills = [s for s in skills if s.get("status") == SkillStatus.ACTIVE]

    per_skill = Counter(c.get("skillId") for c in validated)
    levels_by_tube: dict[Any, set[int]] = defaultdict(set)
    for skill in active_skills:
        if per_skill[skill.get("id")]:
            levels_by_tube[skill.get("tubeId")].add(skill.get("level"))

    rows = []
    for competence in competences:
        cid = competence.get("id")
        own = [c for c in validated if c.get("competenceId") == cid]
        own_tubes = [t for t in tubes if t.get("competenceId") == cid]
        by_level_type = {
            str(level): dict.fromkeys(TYPES, 0) for level in LEVELS
        }  # level → type → count
        for challenge in own:
            level = (skills_by_id.get(challenge.get("skillId")) or {}).get("level")
            if level in LEVELS and challenge.get("type") in TYPES:
                by_level_type[str(level)][challenge["type"]] += 1
        rows.append(
            {
                "id": cid,
                "index": competence.get("index"),
                "name": _i18n(competence.get("name_i18n")),
                "tubes": len(own_tubes),
                "fullTubes": sum(
                    1 for t in own_tubes if levels_by_tube[t.get("id")] >= REQUIRED_LEVELS
                ),
                "skills": sum(1 for s in active_skills if s.get("competenceId") == cid),
                "challenges": len(own),
                "byLevel": {level: sum(types.values()) for level, types in by_level_type.items()},
                "byType": {t: sum(1 for c in own if c.get("type") == t) for t in TYPES},
                "byLevelType": by_level_type,
                "attachments": sum(1 for c in own if c.get("attachments")),
                "illustrations": sum(1 for c in own if c.get("illustrationUrl")),
                "timed": sum(1 for c in own if c.get("timer")),
            }
        )

    competence_index = {c.get("id"): c.get("index") for c in competences}

    def skill_row(skill: dict[str, Any]) -> dict[str, Any]:
        return {
            "id": skill.get("id"),
            "name": skill.get("name"),
            "competence": competence_index.get(skill.get("competenceId"), "?"),
            "challenges": per_skill[skill.get("id")],
        }

    below = [
        skill_row(s) for s in active_skills if per_skill[s.get("id")] < MIN_CHALLENGES_PER_SKILL
    ]
    without_tutorial = [skill_row(s) for s in active_skills if not s.get("tutorialIds")]
    without_review = [
        {
            "id": t.get("id"),
            "name": t.get("name"),
            "competence": competence_index.get(t.get("competenceId"), "?"),
        }
        for t in tubes
        if not str(t.get("reviewNote") or "").strip()
    ]
    types = {t: sum(1 for c in validated if c.get("type") == t) for t in TYPES}
    totals = {
        "competences": len(competences),
        "tubes": len(tubes),
        "skills": len(active_skills),
        "challenges": len(challenges),
        "validatedChallenges": len(validated),
        "tutorials": len(release.get("tutorials") or []),
        "attachments": sum(1 for c in validated if c.get("attachments")),
        "attachmentFiles": len({url for c in validated for url in c.get("attachments") or ()}),
        "illustrations": sum(1 for c in validated if c.get("illustrationUrl")),
        "timed": sum(1 for c in validated if c.get("timer")),
        "types": types,
    }
    short_competences = [r["index"] for r in rows if r["fullTubes"] < MIN_FULL_TUBES]
    gates = [
        _gate(_("Compétences"), totals["competences"], f"= {COMPETENCE_COUNT}",
              totals["competences"] == COMPETENCE_COUNT),
        _gate(_("Épreuves validées"), totals["validatedChallenges"], f"≥ {MIN_CHALLENGES}",
              totals["validatedChallenges"] >= MIN_CHALLENGES),
        _gate(_("Épreuves avec pièce jointe"), totals["attachments"], f"≥ {MIN_ATTACHMENTS}",
              totals["attachments"] >= MIN_ATTACHMENTS),
        _gate(_("Épreuves illustrées"), totals["illustrations"], f"≥ {MIN_ILLUSTRATIONS}",
              totals["illustrations"] >= MIN_ILLUSTRATIONS),
        _gate(_("Types d'épreuves utilisés"), sum(1 for n in types.values() if n),
              f"= {len(TYPES)}", all(types.values())),
        _gate(_("Épreuves chronométrées"), totals["timed"], f"≥ {MIN_TIMED}",
              totals["timed"] >= MIN_TIMED),
        _gate(_("Acquis avec moins de %(n)d épreuves validées") % {"n": MIN_CHALLENGES_PER_SKILL},
              len(below), "= 0", not below),
        _gate(_("Acquis sans tutoriel"), len(without_tutorial), "= 0", not without_tutorial),
        _gate(_("Compétences avec moins de %(n)d sujets de niveaux 1 à 6") % {"n": MIN_FULL_TUBES},
              len(short_competences), "= 0", not short_competences and bool(rows)),
        _gate(_("Sujets sans note de relecture"), len(without_review), "= 0", not without_review),
    ]  # fmt: skip
    return {
        "version": release.get("version", ""),
        "totals": totals,
        "competences": rows,
        "skillsBelowMinimum": below,
        "skillsWithoutTutorial": without_tutorial,
        "tubesWithoutReview": without_review,
        "competencesWithoutFullTubes": short_competences,
        "gates": gates,
    }


def _gate(label: str, value: int, target: str, ok: bool) -> dict[str, Any]:
    return {"label": label, "value": value, "target": target, "ok": ok}


# --- answers ------------------------------------------------------------------------------------


@dataclass
class _Tally:
    answers: int = 0
    ok: int = 0
    skipped: int = 0
    seconds: list[float] = field(default_factory=list)


def answer_durations(
    rows: Iterable[tuple[Any, datetime, datetime]],
) -> list[float]:
    """Seconds spent on each answer of ``rows`` = ``(assessment key, assessment start, answered
    at)`` ordered by assessment then time: the delay since the previous answer of the same
    assessment, or since its start; negative delays count 0 and long ones :data:`MAX_SECONDS`."""
    durations = []
    previous_key: Any = object()
    previous_at: datetime | None = None
    for key, started_at, answered_at in rows:
        since = previous_at if key == previous_key and previous_at is not None else started_at
        durations.append(_seconds(since, answered_at))
        previous_key, previous_at = key, answered_at
    return durations


def _seconds(since: datetime, answered_at: datetime) -> float:
    return min(max((answered_at - since).total_seconds(), 0.0), float(MAX_SECONDS))


def is_skip(value: str, result: str) -> bool:
    return value == SKIPPED_VALUE or result == AnswerResult.ABAND


def weak_reasons(answers: int, success_rate: float, skip_rate: float) -> list[str]:
    """Why a challenge looks weak (empty when it does not, or with too few answers)."""
    if answers < MIN_ANSWERS:
        return []
    reasons = []
    if success_rate < WEAK_SUCCESS:
        reasons.append(
            _("réussite %(rate)s < %(limit)s")
            % {"rate": percent(success_rate), "limit": percent(WEAK_SUCCESS)}
        )
    if skip_rate > WEAK_SKIP:
        reasons.append(
            _("passée %(rate)s > %(limit)s")
            % {"rate": percent(skip_rate), "limit": percent(WEAK_SKIP)}
        )
    return reasons


def percent(rate: float) -> str:
    """``0.15`` → ``"15 %"`` (French spacing)."""
    return f"{round(rate * 100)} %"


def answer_statistics(challenge_ids: Iterable[str] | None = None) -> dict[str, dict[str, Any]]:
    """Per challenge id (limited to ``challenge_ids`` when given): answers, success and skip rates,
    average and median time in seconds (see the module docstring), weak reasons."""
    from octets.assessments.models import Answer

    wanted = set(challenge_ids) if challenge_ids is not None else None
    rows = (
        Answer.objects.order_by("assessment_id", "created_at", "pk")
        .values_list("assessment_id", "assessment__created_at", "created_at", "challenge_id",
                     "value", "result")
        .iterator(chunk_size=2000)
    )  # fmt: skip
    tallies: dict[str, _Tally] = defaultdict(_Tally)
    previous_key: Any = None
    previous_at: datetime | None = None
    for assessment_id, started_at, answered_at, challenge_id, value, result in rows:
        since = previous_at if assessment_id == previous_key else started_at
        seconds = _seconds(since, answered_at)
        previous_key, previous_at = assessment_id, answered_at
        if wanted is not None and challenge_id not in wanted:
            continue
        tally = tallies[challenge_id]
        tally.answers += 1
        tally.ok += result == AnswerResult.OK
        tally.skipped += is_skip(value, result)
        tally.seconds.append(seconds)
    stats = {}
    for challenge_id, tally in sorted(tallies.items()):
        success = tally.ok / tally.answers
        skip = tally.skipped / tally.answers
        stats[challenge_id] = {
            "answers": tally.answers,
            "successRate": round(success, 4),
            "skipRate": round(skip, 4),
            "averageSeconds": round(statistics.fmean(tally.seconds), 1),
            "medianSeconds": round(statistics.median(tally.seconds), 1),
            "weak": weak_reasons(tally.answers, success, skip),
        }
    return stats


# --- both ---------------------------------------------------------------------------------------


def load_release(*, sources: bool = False, source_dir: Path | str | None = None):
    """``(release dict, origin label, source problems)``: the current release unless ``sources``
    is set or none is loaded, then the TOML sources (``source_dir`` or the shipped ones)."""
    from octets.content.models import ContentRelease
    from octets.content.sources import SOURCE_DIR, build_release

    if not sources and source_dir is None:
        try:
            row = (
                ContentRelease.objects.filter(is_current=True)
                .values_list("version", "data")
                .first()
            )
        except DatabaseError:  # database not migrated yet: the sources still tell a lot
            row = None
        if row is not None:
            return row[1], _("release en service"), []
    directory = Path(source_dir) if source_dir is not None else SOURCE_DIR
    release, problems = build_release(directory)
    origin = _("fichiers sources TOML")
    if not sources and source_dir is None:
        origin = _("fichiers sources TOML (aucune release en service)")
    return release, origin, [p.message for p in problems]


def build_report(*, sources: bool = False, source_dir: Path | str | None = None) -> dict[str, Any]:
    """The whole report: :func:`release_report` of the chosen release plus answer statistics."""
    release, origin, problems = load_release(sources=sources, source_dir=source_dir)
    report = release_report(release)
    report["origin"] = origin
    report["sourceProblems"] = problems
    challenges = {
        c.get("id"): c for c in release.get("challenges") or [] if isinstance(c.get("id"), str)
    }
    skills = {s.get("id"): s for s in release.get("skills") or []}
    index = {c.get("id"): c.get("index") for c in release.get("competences") or []}
    database_ready = True
    try:
        stats = answer_statistics(challenges)
    except DatabaseError:
        stats, database_ready = {}, False
    rows = []
    for challenge_id, row in stats.items():
        challenge = challenges[challenge_id]
        skill = skills.get(challenge.get("skillId")) or {}
        rows.append(
            {
                "id": challenge_id,
                "type": challenge.get("type"),
                "skill": skill.get("name", "?"),
                "competence": index.get(challenge.get("competenceId"), "?"),
                **row,
            }
        )
    report["statistics"] = {
        "databaseReady": database_ready,
        "answers": sum(r["answers"] for r in rows),
        "answeredChallenges": len(rows),
        "minAnswers": MIN_ANSWERS,
        "timeNote": time_note(),
        "challenges": rows,
        "weak": [r for r in rows if r["weak"]],
    }
    return report
