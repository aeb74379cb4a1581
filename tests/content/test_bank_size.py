"""Size targets of the shipped content bank (issue 6 "Done when").

Only ``validé`` challenges of ``actif`` skills count: they are the ones pupils are served. The
targets are written here as numbers, on purpose: ``octets content-report`` shows the same figures
(``octets.content.report``), and lowering a target there must not weaken these tests.
"""

from collections import Counter, defaultdict

import pytest

from octets.content.sources import SOURCE_DIR, build_release, competence_files
from octets.engine.content import ChallengeType

RELEASE, _PROBLEMS = build_release(SOURCE_DIR)
INDEXES = [path.stem for path in competence_files(SOURCE_DIR)]
_INDEX_OF = {c["id"]: c["index"] for c in RELEASE["competences"]}
ACTIVE_SKILLS = [s for s in RELEASE["skills"] if s["status"] == "actif"]
_ACTIVE_IDS = {s["id"] for s in ACTIVE_SKILLS}
SERVED = [
    c for c in RELEASE["challenges"] if c["status"] == "validé" and c["skillId"] in _ACTIVE_IDS
]
PER_SKILL = Counter(c["skillId"] for c in SERVED)


def assert_none(faulty) -> None:
    """Fail listing every faulty item, one per line (pytest would truncate a long list)."""
    faulty = list(faulty.items() if isinstance(faulty, dict) else faulty)
    assert not faulty, f"{len(faulty)} problème(s) :\n" + "\n".join(map(str, faulty))


def test_the_sixteen_competences_are_there():
    assert sorted(_INDEX_OF.values()) == [
        "1.1", "1.2", "1.3",
        "2.1", "2.2", "2.3", "2.4",
        "3.1", "3.2", "3.3", "3.4",
        "4.1", "4.2", "4.3",
        "5.1", "5.2",
    ]  # fmt: skip


@pytest.mark.parametrize("index", INDEXES)
def test_every_skill_has_at_least_two_validated_challenges(index):
    assert_none(
        [
            f"{s['name']} ({s['id']}) : {PER_SKILL[s['id']]}"
            for s in ACTIVE_SKILLS
            if _INDEX_OF.get(s["competenceId"]) == index and PER_SKILL[s["id"]] < 2
        ]
    )


@pytest.mark.parametrize("index", INDEXES)
def test_every_skill_has_a_tutorial(index):
    assert_none(
        [
            s["id"]
            for s in ACTIVE_SKILLS
            if _INDEX_OF.get(s["competenceId"]) == index and not s.get("tutorialIds")
        ]
    )


@pytest.mark.parametrize("index", INDEXES)
def test_every_competence_has_four_tubes_with_levels_one_to_six(index):
    levels = defaultdict(set)
    for skill in ACTIVE_SKILLS:
        if _INDEX_OF.get(skill["competenceId"]) == index and PER_SKILL[skill["id"]]:
            levels[skill["tubeId"]].add(skill["level"])
    full = sorted(tube for tube, found in levels.items() if found >= set(range(1, 7)))
    assert len(full) >= 4, f"compétence {index} : sujets complets {full}"


def test_at_least_700_challenges():
    assert len(SERVED) >= 700


def test_at_least_60_challenges_with_an_attachment():
    assert sum(1 for c in SERVED if c.get("attachments")) >= 60


def test_at_least_60_challenges_with_an_illustration():
    assert sum(1 for c in SERVED if c.get("illustrationUrl")) >= 60


def test_all_five_types_are_used():
    assert {c["type"] for c in SERVED} == {t.value for t in ChallengeType}


def test_some_challenges_are_timed():
    assert sum(1 for c in SERVED if c.get("timer")) >= 5


def test_every_competence_uses_at_least_three_types():
    """Types are used where they fit: no competence made of QCU alone."""
    types = defaultdict(set)
    for challenge in SERVED:
        types[_INDEX_OF.get(challenge["competenceId"])].add(challenge["type"])
    assert_none({index: sorted(types[index]) for index in INDEXES if len(types[index]) < 3})
