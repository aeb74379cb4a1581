"""Property: a solution built from its proposals always validates; an out-of-range one is the
only problem reported."""

import string

from hypothesis import given, settings
from hypothesis import strategies as st

from octets.content.sources import add_pix_values
from octets.content.validation import SOLUTION_UNREACHABLE, validate_release

WORD = st.text(alphabet=string.ascii_letters + string.digits + "éèàçù' ?!", min_size=1, max_size=15)
TEXT = WORD.map(str.strip).filter(bool)


def release_with(challenge: dict) -> dict:
    release = {
        "version": "prop",
        "areas": [
            {
                "id": "a1",
                "code": "1",
                "name": "1. Domaine",
                "title_i18n": {"fr": "Domaine"},
                "competenceIds": ["c11"],
            }
        ],
        "competences": [
            {
                "id": "c11",
                "index": "1.1",
                "name_i18n": {"fr": "Compétence"},
                "areaId": "a1",
                "skillIds": ["s1"],
                "thematicIds": [],
            }
        ],
        "thematics": [],
        "tubes": [
            {
                "id": "t1",
                "name": "@tube",
                "title": "Sujet",
                "competenceId": "c11",
                "thematicId": None,
                "skillIds": ["s1"],
            }
        ],
        "skills": [
            {
                "id": "s1",
                "name": "@tube3",
                "status": "actif",
                "level": 3,
                "competenceId": "c11",
                "tubeId": "t1",
                "tutorialIds": [],
            }
        ],
        "challenges": [
            {
                "id": "ch1",
                "instruction": "Question ?",
                "status": "validé",
                "competenceId": "c11",
                "skillId": "s1",
                **challenge,
            }
        ],
        "tutorials": [],
    }
    add_pix_values(release)
    return release


@st.composite
def choice_challenges(draw):
    kind = draw(st.sampled_from(["QCU", "QCM"]))
    items = draw(st.lists(TEXT, min_size=2, max_size=7))
    count = len(items)
    proposals = "\n".join(f"- {item}" for item in items)
    if kind == "QCU":
        positions = [draw(st.integers(1, count))]
    else:
        positions = draw(
            st.lists(st.integers(1, count), min_size=1, max_size=count - 1, unique=True)
        )
    return kind, proposals, positions, count


@given(choice_challenges(), st.integers(1, 50), st.data())
@settings(max_examples=150, deadline=None)
def test_qcu_qcm_solution_from_proposals_validates_and_out_of_range_is_the_only_problem(
    challenge, beyond, data
):
    kind, proposals, positions, count = challenge
    solution = ",".join(map(str, positions))
    release = release_with({"type": kind, "proposals": proposals, "solution": solution})
    assert validate_release(release) == []

    broken_positions = list(positions)
    replaced = data.draw(st.integers(0, len(positions) - 1))
    broken_positions[replaced] = data.draw(st.sampled_from([0, count + beyond]))
    release["challenges"][0]["solution"] = ",".join(map(str, broken_positions))
    problems = validate_release(release)
    assert [(p.code, p.entity, p.id) for p in problems] == [
        (SOLUTION_UNREACHABLE, "challenges", "ch1")
    ]
    assert "hors des" in problems[0].message


@given(
    st.lists(TEXT, min_size=1, max_size=4),
    st.booleans(),
    st.booleans(),
    st.booleans(),
    st.sampled_from(["", "\n", "  \n \n"]),
)
@settings(max_examples=150, deadline=None)
def test_qroc_solution_validates_and_an_empty_one_is_the_only_problem(variants, t1, t2, t3, empty):
    release = release_with(
        {
            "type": "QROC",
            "proposals": "Ta réponse : ${reponse}",
            "solution": "\n".join(variants),
            "t1Status": "Activé" if t1 else "Désactivé",
            "t2Status": "Activé" if t2 else "Désactivé",
            "t3Status": "Activé" if t3 else "Désactivé",
        }
    )
    assert validate_release(release) == []
    release["challenges"][0]["solution"] = empty
    problems = validate_release(release)
    assert [(p.code, p.id) for p in problems] == [(SOLUTION_UNREACHABLE, "ch1")]
    assert "solution vide" in problems[0].message
