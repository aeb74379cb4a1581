"""Each validation rule on a broken release: French message with the entity id, all at once."""

import pytest

from octets.content import validation
from octets.content.validation import validate_release
from octets.engine.answers import AnswerResult, Evaluation
from tests.content.conftest import entity, found


def set_field(kind, id, field, value):
    def mutate(release):
        entity(release, kind, id)[field] = value

    return mutate


def drop_field(kind, id, field):
    def mutate(release):
        del entity(release, kind, id)[field]

    return mutate


def duplicate_tutorial(release):
    release["tutorials"].append(dict(entity(release, "tutorials", "tuto_1_1_moteur")))


def unlist_skill_from_tube(release):
    entity(release, "tubes", "tube_1_1_moteur")["skillIds"].remove("skill_1_1_moteur_2")


def archive_challenges_of_skill(release):
    entity(release, "challenges", "chal_1_1_moteur_2_a")["status"] = "archivé"


def rename_tube(release):
    entity(release, "tubes", "tube_1_1_moteur")["name"] = "moteur"
    entity(release, "skills", "skill_1_1_moteur_1")["name"] = "moteur1"
    entity(release, "skills", "skill_1_1_moteur_2")["name"] = "moteur2"


def second_skill_at_level_1(release):
    skill = entity(release, "skills", "skill_1_1_moteur_2")
    skill["level"], skill["name"] = 1, "@moteur1"


def wrong_competence_on_challenge(release):
    entity(release, "challenges", "chal_1_1_moteur_1_a")["competenceId"] = "comp_2_1"


CHALLENGE = "challenges"
QCU, QROC, QCM, QROCM = (
    "chal_1_1_moteur_1_a",
    "chal_1_1_moteur_1_b",
    "chal_1_1_moteur_2_a",
    "chal_1_1_source_1_a",
)

RULES = [
    # (mutation, expected problem, a piece of its message)
    (duplicate_tutorial, ("duplicate_id", "tutorials", "tuto_1_1_moteur"), "utilisé 2 fois"),
    (
        set_field("skills", "skill_1_1_moteur_1", "tutorialIds", ["tuto_absent"]),
        ("dangling_reference", "skills", "skill_1_1_moteur_1"),
        "« tutorialIds » désigne tutoriel « tuto_absent » qui n'existe pas",
    ),
    (
        set_field(CHALLENGE, QCU, "skillId", "skill_absent"),
        ("dangling_reference", CHALLENGE, QCU),
        "désigne acquis « skill_absent »",
    ),
    (
        unlist_skill_from_tube,
        ("inconsistent_reference", "skills", "skill_1_1_moteur_2"),
        "ne le liste pas dans « skillIds »",
    ),
    (
        wrong_competence_on_challenge,
        ("inconsistent_reference", CHALLENGE, QCU),
        "son acquis est dans la compétence « comp_1_1 »",
    ),
    (
        set_field(CHALLENGE, QCM, "type", "QCX"),
        ("unknown_challenge_type", CHALLENGE, QCM),
        "type « QCX » inconnu",
    ),
    (
        set_field(CHALLENGE, QCU, "status", "brouillon"),
        ("unknown_status", CHALLENGE, QCU),
        "statut « brouillon » inconnu",
    ),
    (
        set_field("skills", "skill_2_1_courriel_4", "status", "en construction"),
        ("unknown_status", "skills", "skill_2_1_courriel_4"),
        "statut « en construction » inconnu",
    ),
    (
        set_field(CHALLENGE, QROC, "t2Status", "Oui"),
        ("unknown_status", CHALLENGE, QROC),
        "« t2Status » vaut « Oui »",
    ),
    (
        set_field(CHALLENGE, QROC, "format", "nombres"),
        ("unknown_format", CHALLENGE, QROC),
        "format « nombres » inconnu",
    ),
    (
        set_field("skills", "skill_1_1_moteur_2", "level", 9),
        ("level_out_of_range", "skills", "skill_1_1_moteur_2"),
        "niveau 9 hors de l'intervalle 1–8",
    ),
    (
        set_field("skills", "skill_1_1_moteur_2", "level", 0),
        ("level_out_of_range", "skills", "skill_1_1_moteur_2"),
        "niveau 0",
    ),
    (
        set_field("skills", "skill_1_1_moteur_2", "name", "@moteur7"),
        ("skill_name_mismatch", "skills", "skill_1_1_moteur_2"),
        "nom « @moteur7 » au lieu de « @moteur2 »",
    ),
    (rename_tube, ("bad_tube_name", "tubes", "tube_1_1_moteur"), "nom « moteur » invalide"),
    (
        set_field(CHALLENGE, QCU, "solution", "4"),
        ("solution_unreachable", CHALLENGE, QCU),
        "position(s) 4 hors des 3 propositions",
    ),
    (
        set_field(CHALLENGE, QCU, "solution", "1,2"),
        ("solution_unreachable", CHALLENGE, QCU),
        "un QCU attend une seule position",
    ),
    (
        set_field(CHALLENGE, QCM, "solution", "1,5"),
        ("solution_unreachable", CHALLENGE, QCM),
        "position(s) 5 hors des 4 propositions",
    ),
    (
        set_field(CHALLENGE, QCM, "solution", "1,2,3,4"),
        ("solution_unreachable", CHALLENGE, QCM),
        "aucune mauvaise proposition ne reste",
    ),
    (
        set_field(CHALLENGE, QCM, "solution", "1,1"),
        ("solution_unreachable", CHALLENGE, QCM),
        "une position est répétée",
    ),
    (
        set_field(CHALLENGE, QCM, "solution", "un,trois"),
        ("solution_unreachable", CHALLENGE, QCM),
        "des positions (1, 2…)",
    ),
    (
        set_field(CHALLENGE, QROC, "solution", "\n  \n"),
        ("solution_unreachable", CHALLENGE, QROC),
        "solution vide",
    ),
    (
        set_field(CHALLENGE, QROC, "proposals", "Réponse : ……"),
        ("solution_unreachable", CHALLENGE, QROC),
        "un QROC a exactement un champ",
    ),
    (
        set_field(CHALLENGE, QROCM, "solution", "autheur:\n- le journaliste\ndate:\n- oui\n"),
        ("solution_unreachable", CHALLENGE, QROCM),
        "champ(s) sans solution : auteur ; clé(s) de solution sans champ ${…} : autheur",
    ),
    (
        set_field(CHALLENGE, QROCM, "solution", "auteur:\n- le journaliste\ndate:\n- peut-être\n"),
        ("solution_unreachable", CHALLENGE, QROCM),
        "aucune réponse acceptée pour « date » n'est parmi ses options",
    ),
    (
        set_field(CHALLENGE, QROCM, "solution", "auteur: 'non fermé\ndate:\n- oui\n"),
        ("solution_unreachable", CHALLENGE, QROCM),
        "solution illisible",
    ),
    (
        set_field(CHALLENGE, QCU, "proposals", "- a\n- b\n- "),
        ("empty_proposal", CHALLENGE, QCU),
        "proposition(s) vide(s) en position 3",
    ),
    (
        archive_challenges_of_skill,
        ("skill_not_playable", "skills", "skill_1_1_moteur_2"),
        "aucune épreuve au statut « validé »",
    ),
    (
        second_skill_at_level_1,
        ("duplicate_skill_name", "skills", "skill_1_1_moteur_2"),
        "nom « @moteur1 » porté par 2 acquis",
    ),
    (
        set_field("skills", "skill_1_1_moteur_2", "pixValue", 4),
        ("pix_value_mismatch", "skills", "skill_1_1_moteur_2"),
        "« pixValue » vaut 4 au lieu de 8.0",
    ),
    (
        set_field("competences", "comp_1_1", "index", "1-1"),
        ("bad_competence_index", "competences", "comp_1_1"),
        "index « 1-1 » invalide",
    ),
    (
        set_field("competences", "comp_2_1", "index", "1.4"),
        ("bad_competence_index", "competences", "comp_2_1"),
        "index « 1.4 » hors de son domaine « 2 »",
    ),
    (
        set_field("tutorials", "tuto_1_1_moteur", "link", "javascript:alert(1)"),
        ("bad_tutorial_link", "tutorials", "tuto_1_1_moteur"),
        "une adresse http:// ou https:// est attendue",
    ),
    (
        set_field(CHALLENGE, QROC, "timer", 0),
        ("invalid_field", CHALLENGE, QROC),
        "« timer » vaut 0",
    ),
    (
        drop_field(CHALLENGE, QCU, "instruction"),
        ("invalid_field", CHALLENGE, QCU),
        "champ « instruction » manquant",
    ),
    (
        set_field("skills", "skill_1_1_moteur_1", "tutorialIds", "tuto_1_1_moteur"),
        ("invalid_field", "skills", "skill_1_1_moteur_1"),
        "champ « tutorialIds » invalide : une liste de textes est attendu",
    ),
]


@pytest.mark.parametrize(
    ("mutate", "expected", "text"), RULES, ids=[f"{r[1][0]}-{n}" for n, r in enumerate(RULES)]
)
def test_each_rule_reports_exactly_its_problem(release, mutate, expected, text):
    mutate(release)
    problems = validate_release(release)
    assert expected in found(problems)
    # one problem for one fault (a duplicate name is reported on both skills)
    assert len(problems) == (2 if expected[0] == "duplicate_skill_name" else 1), problems
    problem = next(p for p in problems if (p.code, p.entity, p.id) == expected)
    assert text in problem.message
    label = {
        "skills": "Acquis",
        "challenges": "Épreuve",
        "tutorials": "Tutoriel",
        "tubes": "Sujet",
        "competences": "Compétence",
    }[expected[1]]
    assert problem.message.startswith(f"{label} {expected[2]} : ")
    assert str(problem) == problem.message


def test_every_problem_is_reported_at_once(release):
    skip = {"duplicate_skill_name", "pix_value_mismatch"}  # they overlap with other mutations
    chosen = []
    touched = set()
    for mutate, expected, _ in RULES:
        if expected[0] in skip or (expected[1], expected[2]) in touched:
            continue
        touched.add((expected[1], expected[2]))
        chosen.append(expected)
        mutate(release)
    problems = validate_release(release)
    assert set(chosen) <= found(problems)
    assert len(chosen) >= 10


def test_engine_check_refuses_a_solution_the_checker_does_not_accept(release, monkeypatch):
    monkeypatch.setattr(
        validation, "validate", lambda challenge, answer: Evaluation(AnswerResult.KO)
    )
    problems = validate_release(release)
    unreachable = {p.id for p in problems if p.code == "solution_unreachable"}
    validated = {c["id"] for c in release["challenges"]}
    assert unreachable == validated
    qcu = next(p for p in problems if p.id == QCU)
    assert "répondre « 2 » (les premières réponses acceptées) donne « ko » au lieu de « ok »" in (
        qcu.message
    )


def test_malformed_releases_never_raise():
    assert found(validate_release([])) == {("invalid_release", "release", "?")}
    problems = validate_release({"areas": "x", "skills": [3]})
    codes = [p.code for p in problems]
    assert codes.count("invalid_release") == 1 + 6  # version + 6 bad/missing arrays
    assert ("invalid_field", "skills", "#1") in found(problems)


def test_select_inputs_and_numbers_are_checked_through_the_engine(release):
    challenge = entity(release, "challenges", QROC)
    challenge["proposals"] = '${choix options=["Qwant", "Excel"]}'
    challenge["solution"] = "Paint\nQwant"
    assert validate_release(release) == []
    challenge["proposals"] = "${choix options=[Qwant]}"
    assert "options illisibles" in validate_release(release)[0].message


def test_qrocm_dep_inputs_are_interchangeable_but_need_distinct_answers(release):
    challenge = entity(release, "challenges", "chal_2_1_courriel_1_a")
    challenge["solution"] = "p1:\n- RSS\n- Atom\np2:\n- RSS\n- Atom\n"
    assert validate_release(release) == []
    challenge["solution"] = "p1:\n- RSS\np2:\n- rss\n"
    problems = validate_release(release)
    assert found(problems) == {("solution_unreachable", "challenges", "chal_2_1_courriel_1_a")}
    assert "« p2 » n'a pas de réponse acceptée différente" in problems[0].message
