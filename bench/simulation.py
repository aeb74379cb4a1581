"""Benchmark: how well the engine measures, on the shipped content (never run as a test).

Run:  .venv/bin/python bench/simulation.py [--learners 200] [--seed 2026]

Pure engine, no Django: the release is built from the shipped sources
(``octets.content.sources.build_release``) and read with ``content_from_release``. For every
competence, ``--learners`` simulated learners each get a true level per tube (a general level
drawn from 0–6, then −1, 0, 0 or +1 per tube, within the tube's levels). A learner knows a skill
iff its level is at most the tube's true level, and answers right iff it knows it, except for
slips (wrong although known) and guesses (right although unknown), 10 % each by default, or
none. Each learner runs a whole assessment as ``octets.assessments.services`` does (engine
selection with the seed ``"<assessment seed>:<answers so far>"``, knowledge elements with
inference, until the engine says it is finished).

Reports, per competence and overall: questions asked (median, p95, max); the error between the
estimated level (``score_competence`` on the knowledge elements, capped at level 6 as on the
profile) and the true level (the score of exactly the skills the learner knows, same cap):
mean absolute error, bias and distribution of (estimated − true); and the mean absolute error
per tube (highest validated skill level vs. true tube level). Deterministic for a seed.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from octets.content.release import LearningContent, content_from_release
from octets.content.sources import SOURCE_DIR, build_release
from octets.engine.answers import AnswerResult
from octets.engine.content import Skill
from octets.engine.knowledge import (
    KnowledgeElement,
    KnowledgeSource,
    KnowledgeStatus,
    knowledge_for_answer,
    latest_by_skill,
)
from octets.engine.scoring import score_competence
from octets.engine.selection import Catalog, build_catalog, next_challenge

SHOWN_ERRORS = (-2, -1, 0, 1, 2)


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def load_content() -> LearningContent:
    release, problems = build_release(SOURCE_DIR)
    if problems:
        raise SystemExit("\n".join(problem.message for problem in problems))
    return content_from_release(release)


def play(
    catalog: Catalog,
    pix: dict[str, float],
    answer: Callable[[Skill], AnswerResult],
    assessment_seed: int,
) -> tuple[list[KnowledgeElement], int]:
    """One whole assessment, as the service runs it; returns the KEs and the answers given."""
    history: list[KnowledgeElement] = []
    answered: list[str] = []
    last_timed = False
    while True:
        selection = next_challenge(
            catalog,
            knowledge=history,
            answered_challenge_ids=answered,
            last_answer_timed=last_timed,
            seed=f"{assessment_seed}:{len(answered)}",
        )
        if selection is None:
            return history, len(answered)
        answered.append(selection.challenge.id)
        last_timed = selection.challenge.is_timed
        history.extend(
            knowledge_for_answer(
                skill=selection.skill,
                result=answer(selection.skill),
                target_skills=catalog.skills,
                known=latest_by_skill(history),
                pix_values=pix,
                next_order=len(history) + 1,
            )
        )


@dataclass
class Tally:
    questions: list[float] = field(default_factory=list)
    errors: list[int] = field(default_factory=list)  # estimated − true level
    tube_errors: list[int] = field(default_factory=list)  # absolute, per tube

    def add(self, other: Tally) -> None:
        self.questions += other.questions
        self.errors += other.errors
        self.tube_errors += other.tube_errors

    def row(self, name: str) -> str:
        n = len(self.errors)
        counts = Counter(max(-2, min(2, error)) for error in self.errors)
        spread = " | ".join(f"{counts[e] / n:.0%}" for e in SHOWN_ERRORS)
        return (
            f"| {name} | {statistics.median(self.questions):.0f} | "
            f"{percentile(self.questions, 0.95):.0f} | {max(self.questions):.0f} | "
            f"{statistics.mean(abs(e) for e in self.errors):.2f} | "
            f"{statistics.mean(self.errors):+.2f} | {spread} | "
            f"{statistics.mean(self.tube_errors):.2f} |"
        )


def simulate_competence(
    content: LearningContent, competence_id: str, learners: int, noise: float, seed: str
) -> Tally:
    catalog = build_catalog(content.skills_of(competence_id), content.challenges_of(competence_id))
    pix = dict(content.pix_values)
    tube_levels_available = {
        tube_id: sorted({s.level for s in skills}) for tube_id, skills in catalog.tubes.items()
    }
    rng = random.Random(f"{seed}:{competence_id}:{noise}")
    tally = Tally()
    for _ in range(learners):
        general = rng.randint(0, 6)
        truth = {
            tube_id: max(0, min(levels[-1], general + rng.choice((-1, 0, 0, 1))))
            for tube_id, levels in tube_levels_available.items()
        }

        def answer(skill: Skill, truth=truth) -> AnswerResult:
            knows = skill.level <= truth[skill.tube_id]
            right = rng.random() >= noise if knows else rng.random() < noise
            return AnswerResult.OK if right else AnswerResult.KO

        history, asked = play(catalog, pix, answer, rng.randrange(2**31))
        state = latest_by_skill(history)
        estimated = score_competence(competence_id, state.values()).level
        mastered = [
            KnowledgeElement(
                skill.id,
                KnowledgeStatus.VALIDATED,
                KnowledgeSource.DIRECT,
                pix.get(skill.id, 0.0),
                n,
                competence_id,
            )
            for n, skill in enumerate(catalog.skills)
            if skill.level <= truth.get(skill.tube_id, 0)
        ]
        true_level = score_competence(competence_id, mastered).level
        tally.questions.append(asked)
        tally.errors.append(estimated - true_level)
        for tube_id, skills in catalog.tubes.items():
            validated = max(
                (s.level for s in skills if s.id in state and state[s.id].is_validated),
                default=0,
            )
            true_tube = max((s.level for s in skills if s.level <= truth[tube_id]), default=0)
            tally.tube_errors.append(abs(validated - true_tube))
    return tally


def report(content: LearningContent, learners: int, noise: float, seed: str) -> None:
    competences = sorted(
        content.competences, key=lambda c: [int(part) for part in c.index.split(".")]
    )
    title = (
        f"{noise:.0%} d'erreurs d'inattention et {noise:.0%} de bonnes réponses au hasard"
        if noise
        else "sans bruit (contrôle)"
    )
    print(f"\n{learners} apprenants par compétence, {title}\n")
    print(
        "| compétence | questions : médiane | p95 | max | erreur absolue moyenne | biais | "
        "≤ −2 | −1 | 0 | +1 | ≥ +2 | erreur moyenne par sujet |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    overall = Tally()
    for competence in competences:
        tally = simulate_competence(content, competence.id, learners, noise, seed)
        overall.add(tally)
        print(tally.row(competence.index))
    print(overall.row("**toutes**"))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--learners", type=int, default=200, help="per competence")
    parser.add_argument("--noise", type=float, default=0.10, help="slips and guesses, each")
    parser.add_argument("--seed", default="2026")
    args = parser.parse_args()
    content = load_content()
    counts = content.counts()
    print(
        f"Python {sys.version.split()[0]} ; contenu livré : {counts['competences']} compétences, "
        f"{counts['tubes']} sujets, {counts['skills']} acquis, {counts['challenges']} épreuves"
    )
    report(content, args.learners, args.noise, args.seed)
    report(content, args.learners, 0.0, args.seed)


if __name__ == "__main__":
    main()
