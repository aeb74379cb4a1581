"""Benchmark: the assessment engine in pure Python (never run as a test).

Run:  .venv/bin/python bench/engine.py [--samples 300] [--learners 1000]
Times, in one process and one run (per call, µs; median and p95 over samples, each sample
averaging a batch of calls):
  - baselines: an empty function call and a small ``dict(...)``;
  - next-challenge selection on a full competence (10 tubes, levels 1–6 and more, 3 challenges
    per skill) with 20 answers already given, catalog prepared once and rebuilt per call;
  - answer checking for each challenge type;
  - knowledge elements for one answer.
Ratios are to the empty function call measured in the same run.
Then simulates learners with a known level per tube, 10 % slips and 10 % guesses, and reports
questions asked per competence and the error between estimated and true levels.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from octets.engine.answers import AnswerResult, check_answer
from octets.engine.content import Challenge, ChallengeType, Skill
from octets.engine.knowledge import (
    KnowledgeElement,
    KnowledgeSource,
    KnowledgeStatus,
    knowledge_for_answer,
    latest_by_skill,
)
from octets.engine.scoring import score_competence, skill_pix_values
from octets.engine.selection import Catalog, build_catalog, next_challenge

COMPETENCE = "rec_bench_1_1"
# A full competence: 10 tubes, levels 1–6 everywhere, some tubes longer, some with gaps.
TUBES = {
    "recherche": [1, 2, 3, 4, 5, 6],
    "moteur": [1, 2, 3, 4, 5, 6, 7],
    "source": [2, 3, 4, 5, 6],
    "veille": [1, 2, 3],
    "url": [1, 2, 4, 5, 6],
    "filtre": [3, 4, 5, 6, 7, 8],
    "image": [1, 2, 3, 4, 5],
    "fiabilite": [2, 3, 4, 6],
    "motcle": [1, 2, 3, 4, 5, 6],
    "navigation": [1, 2, 3, 5, 6],
}
CHALLENGES_PER_SKILL = 3


def build_content() -> tuple[list[Skill], list[Challenge]]:
    skills = [
        Skill(f"{tube}{level}", f"@{tube}{level}", tube, COMPETENCE, level)
        for tube, levels in TUBES.items()
        for level in levels
    ]
    challenges = [
        Challenge(
            id=f"ch_{skill.id}_{n}",
            skill_id=skill.id,
            type=ChallengeType.QCU,
            solution="1",
            proposals="- oui\n- non",
            locales=("fr", "fr-fr") if n % 2 else ("fr-fr",),
            timer=60 if (skill.level + n) % 7 == 0 else None,
        )
        for skill in skills
        for n in range(1, CHALLENGES_PER_SKILL + 1)
    ]
    return skills, challenges


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def per_call_samples(fn: Callable[[], object], samples: int) -> list[float]:
    """Per-call times in µs: each sample times a batch sized to last about 2 ms."""
    fn()
    start = time.perf_counter()
    fn()
    once = max(time.perf_counter() - start, 1e-7)
    batch = max(1, min(10_000, int(0.002 / once)))
    results = []
    for _ in range(samples):
        start = time.perf_counter()
        for _ in range(batch):
            fn()
        results.append((time.perf_counter() - start) / batch * 1e6)
    return results


def noisy_learner(tube_levels: dict[str, int], rng: random.Random, slip: float, guess: float):
    def answer(skill: Skill) -> AnswerResult:
        knows = skill.level <= tube_levels[skill.tube_id]
        right = rng.random() >= slip if knows else rng.random() < guess
        return AnswerResult.OK if right else AnswerResult.KO

    return answer


def play(
    catalog: Catalog,
    answer: Callable[[Skill], AnswerResult],
    pix: dict[str, float],
    *,
    seed: int,
    stop_after: int | None = None,
) -> tuple[list[KnowledgeElement], list[str], bool]:
    """Play an assessment; returns KEs, answered challenge ids, and the last answer's timer."""
    history: list[KnowledgeElement] = []
    answered: list[str] = []
    last_timed = False
    while stop_after is None or len(answered) < stop_after:
        selection = next_challenge(
            catalog,
            knowledge=history,
            answered_challenge_ids=answered,
            last_answer_timed=last_timed,
            seed=seed,
        )
        if selection is None:
            break
        answered.append(selection.challenge.id)
        last_timed = selection.challenge.is_timed
        history.extend(
            knowledge_for_answer(
                skill=selection.skill,
                result=answer(selection.skill),
                target_skills=catalog.skills,
                known=latest_by_skill(history),
                pix_values=pix,
                next_order=len(history),
            )
        )
    return history, answered, last_timed


def bench_timings(samples: int) -> None:
    skills, challenges = build_content()
    catalog = build_catalog(skills, challenges)
    pix = skill_pix_values(skills)
    # 20 answers given by a noisy mid-level learner (the first such seed whose session is
    # still running after 20 answers).
    for attempt in range(1000):
        rng = random.Random(attempt)
        levels = {tube: rng.randint(2, 5) for tube in TUBES}
        history, answered, last_timed = play(
            catalog, noisy_learner(levels, rng, 0.1, 0.1), pix, seed=42, stop_after=20
        )
        if len(answered) == 20 and next_challenge(
            catalog, knowledge=history, answered_challenge_ids=answered, seed=42
        ):
            break
    state = {
        "knowledge": history,
        "answered_challenge_ids": answered,
        "last_answer_timed": last_timed,
        "locale": "fr-fr",
        "seed": 42,
    }
    assert next_challenge(catalog, **state) is not None, "the assessment must still be running"

    def empty() -> None:
        return None

    qcm = Challenge("q2", "s", ChallengeType.QCM, solution="1,3,4")
    qroc = Challenge("q3", "s", ChallengeType.QROC, solution="Mozilla Firefox\nFirefox")
    number = Challenge("q4", "s", ChallengeType.QROC, solution="3.5", format="nombre")
    ind = Challenge(
        "q5",
        "s",
        ChallengeType.QROCM_IND,
        solution="nom:\n- Dupont\n- Dupond\nprenom:\n- Jean\nville:\n- Paris\n",
        proposals='${nom} ${prenom} ${ville options=["Paris","Lyon"]}',
    )
    dep = Challenge(
        "q6",
        "s",
        ChallengeType.QROCM_DEP,
        solution="a:\n- Firefox\nb:\n- Chrome\n- Google Chrome\nc:\n- Safari\n",
        proposals="${n1} ${n2}",
    )
    # a pool of 40 accepted answers shared by both inputs, as in the shipped content
    pool = "".join(f"- reponse acceptee numero {n}\n" for n in range(40))
    dep_pool = Challenge(
        "q7",
        "s",
        ChallengeType.QROCM_DEP,
        solution=f"p1:\n{pool}p2:\n{pool}",
        proposals="${p1} ${p2}",
    )
    ind_answer = 'nom: "dupond"\nprenom: "Jeann"\nville: "Paris"'
    known = latest_by_skill(history)
    unknown = next(skill for skill in skills if skill.id not in known)

    cases: dict[str, Callable[[], object]] = {
        "référence : appel de fonction vide": empty,
        "référence : dict(a=1, b=2, c=3)": lambda: dict(a=1, b=2, c=3),  # noqa: C408
        "prochaine épreuve (catalogue prêt), 20 réponses": lambda: next_challenge(catalog, **state),
        "prochaine épreuve + build_catalog, 20 réponses": lambda: next_challenge(
            build_catalog(skills, challenges), **state
        ),
        "première épreuve (catalogue prêt)": lambda: next_challenge(catalog, seed=1),
        "correction QCU": lambda: check_answer(challenges[0], "1"),
        "correction QCM": lambda: check_answer(qcm, "4, 1,3"),
        "correction QROC (T1+T2+T3, faute de frappe)": lambda: check_answer(qroc, "mozila firefox"),
        "correction QROC numérique": lambda: check_answer(number, "3,50"),
        "correction QROCM-ind (YAML, 3 champs)": lambda: check_answer(ind, ind_answer),
        "correction QROCM-dep (2 champs)": lambda: check_answer(
            dep, {"n1": "safari", "n2": "chrome"}
        ),
        "correction QROCM-dep (2 champs, 40 variantes, fautes)": lambda: check_answer(
            dep_pool, {"p1": "reponse aceptee numero 39", "p2": "reponse acceptee numero 3"}
        ),
        "éléments de connaissance d'une réponse": lambda: knowledge_for_answer(
            skill=unknown,
            result=AnswerResult.KO,
            target_skills=catalog.skills,
            known=known,
            pix_values=pix,
            next_order=len(history),
        ),
    }
    results = {name: per_call_samples(fn, samples) for name, fn in cases.items()}
    base = statistics.median(results["référence : appel de fonction vide"])
    print(
        f"Compétence : {len(skills)} acquis, {len(challenges)} épreuves, {len(TUBES)} sujets ; "
        f"{len(answered)} réponses, {len(history)} éléments de connaissance "
        f"(apprenant n° {attempt}) ; {samples} mesures"
    )
    print(f"{'cas':52} {'médiane µs':>11} {'p95 µs':>9} {'rapport':>9}")
    for name, values in results.items():
        med = statistics.median(values)
        print(f"{name:52} {med:11.3f} {percentile(values, 0.95):9.3f} {med / base:9.1f}")


def true_level(skills: list[Skill], tube_levels: dict[str, int], pix: dict[str, float]) -> int:
    """The competence level of a learner who masters exactly the skills up to each tube level."""
    earned = [
        KnowledgeElement(
            s.id, KnowledgeStatus.VALIDATED, KnowledgeSource.DIRECT, pix[s.id], i, COMPETENCE
        )
        for i, s in enumerate(skills)
        if s.level <= tube_levels[s.tube_id]
    ]
    return score_competence(COMPETENCE, earned, allow_excess=True).level


def simulate(learners: int, slip: float, guess: float) -> None:
    skills, challenges = build_content()
    catalog = build_catalog(skills, challenges)
    pix = skill_pix_values(skills)
    max_by_tube = {tube: max(levels) for tube, levels in TUBES.items()}
    rng = random.Random(2026)
    questions: list[int] = []
    level_errors: list[int] = []
    tube_errors: list[int] = []
    signed: list[int] = []
    for learner in range(learners):
        general = rng.randint(0, 6)
        tube_levels = {
            tube: max(0, min(max_by_tube[tube], general + rng.choice((-1, 0, 0, 1))))
            for tube in TUBES
        }
        history, answered, _ = play(
            catalog, noisy_learner(tube_levels, rng, slip, guess), pix, seed=learner
        )
        questions.append(len(answered))
        state = latest_by_skill(history)
        estimated = score_competence(COMPETENCE, state.values(), allow_excess=True).level
        truth = true_level(skills, tube_levels, pix)
        level_errors.append(abs(estimated - truth))
        signed.append(estimated - truth)
        for tube in TUBES:
            validated = [
                s.level
                for s in skills
                if s.tube_id == tube and s.id in state and state[s.id].is_validated
            ]
            # the true tube level is the highest existing skill level the learner masters
            truth_in_tube = max(
                (level for level in TUBES[tube] if level <= tube_levels[tube]), default=0
            )
            tube_errors.append(abs(max(validated, default=0) - truth_in_tube))
    exact = sum(1 for error in level_errors if error == 0) / learners
    print(
        f"{learners} apprenants, erreurs {slip:.0%} / réponses au hasard {guess:.0%} : "
        f"questions par compétence moyenne {statistics.mean(questions):.1f}, "
        f"médiane {statistics.median(questions):.0f}, min {min(questions)}, "
        f"p95 {percentile([float(q) for q in questions], 0.95):.0f}, max {max(questions)} ; "
        f"erreur absolue moyenne sur le niveau {statistics.mean(level_errors):.2f} "
        f"(biais {statistics.mean(signed):+.2f}, niveau exact {exact:.0%}) ; "
        f"par sujet {statistics.mean(tube_errors):.2f}"
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--samples", type=int, default=300)
    parser.add_argument("--learners", type=int, default=1000)
    args = parser.parse_args()
    print(f"Python {sys.version.split()[0]}")
    bench_timings(args.samples)
    simulate(args.learners, 0.10, 0.10)
    simulate(args.learners, 0.0, 0.0)


if __name__ == "__main__":
    main()
