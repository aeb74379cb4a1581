"""Answer checking: every challenge type and treatment, with concrete examples."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from octets.engine.answers import (
    SKIPPED_VALUE,
    AnswerResult,
    apply_treatments,
    check_answer,
    edit_ratio,
    is_close_enough,
    levenshtein,
    parse_number,
    parse_yaml_mapping,
    pre_treat,
    t1,
    t2,
)
from octets.engine.content import Challenge, ChallengeType

OK, KO = AnswerResult.OK, AnswerResult.KO


def qroc(solution, **kwargs):
    kwargs.setdefault("proposals", "Réponse : ${reponse}")
    return Challenge(id="c", skill_id="s", type=ChallengeType.QROC, solution=solution, **kwargs)


def result(challenge, value, **kwargs):
    return check_answer(challenge, value, **kwargs).result


# --- treatments ---------------------------------------------------------------------------


def test_t1_trims_lowercases_strips_accents_and_removes_all_spaces():
    assert t1("  Élève Ça\tVa  ") == "elevecava"
    assert t1("NOËL") == "noel"


def test_t2_keeps_ascii_letters_digits_spaces_and_collapses_runs():
    assert t2("Bonjour,  le   monde !") == "Bonjour le monde "
    assert t2("é-à") == ""  # accents vanish unless T1 ran first
    assert t2("l'été 2024") == "lt 2024"


def test_treatments_run_in_sorted_order_and_t3_is_not_a_transform():
    assert apply_treatments("L'Été !", ["t2", "t1", "t3"]) == "lete"
    assert apply_treatments("L'Été !", []) == "L'Été !"


def test_pre_treatment_normalises_unicode_and_non_breaking_spaces():
    assert pre_treat("e\u0301t\u00e9\u00a0!") == "\u00e9t\u00e9 !"


@pytest.mark.parametrize(
    ("a", "b", "distance"),
    [("", "", 0), ("abc", "", 3), ("", "ab", 2), ("chat", "chats", 1), ("kitten", "sitting", 3)],
)
def test_levenshtein(a, b, distance):
    assert levenshtein(a, b) == distance
    assert levenshtein(b, a) == distance


def naive_levenshtein(a: str, b: str) -> int:
    rows = [[i + j if i * j == 0 else 0 for j in range(len(b) + 1)] for i in range(len(a) + 1)]
    for i in range(1, len(a) + 1):
        for j in range(1, len(b) + 1):
            rows[i][j] = min(
                rows[i - 1][j] + 1, rows[i][j - 1] + 1, rows[i - 1][j - 1] + (a[i - 1] != b[j - 1])
            )
    return rows[-1][-1]


short_text = st.text(alphabet="abcdé ", max_size=9)


@given(short_text, short_text, st.integers(min_value=0, max_value=5))
def test_levenshtein_matches_the_textbook_table_and_honours_the_limit(a, b, limit):
    expected = naive_levenshtein(a, b)
    assert levenshtein(a, b) == expected
    assert levenshtein(a, b, limit) == (expected if expected <= limit else limit + 1)


def test_edit_ratio_is_over_the_answers_length():
    assert edit_ratio("pariss", "paris") == pytest.approx(1 / 6)
    assert edit_ratio("pa", "paris") == pytest.approx(3 / 2)
    assert edit_ratio("", "") == 0
    assert edit_ratio("", "x") == float("inf")
    assert is_close_enough("abcd", "abce")  # 1/4 = 0.25 is accepted
    assert not is_close_enough("abc", "abd")  # 1/3


# --- QCU / QCM ----------------------------------------------------------------------------


def test_qcu_exact_position():
    challenge = Challenge(id="c", skill_id="s", type=ChallengeType.QCU, solution="2")
    assert result(challenge, "2") is OK
    assert result(challenge, " 2 ") is OK
    assert result(challenge, "1") is KO
    assert result(challenge, "") is KO


def test_qcm_same_set_of_positions_no_partial_credit():
    challenge = Challenge(id="c", skill_id="s", type=ChallengeType.QCM, solution="1,3")
    assert result(challenge, "3, 1") is OK
    assert result(challenge, "1,3") is OK
    assert result(challenge, "1") is KO
    assert result(challenge, "1,3,4") is KO
    assert result(challenge, "") is KO


# --- QROC ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("answer", "expected"),
    [
        ("Paris", OK),
        ("  PARÍS ", OK),  # T1: case, accents, spaces
        ("Pa ris", OK),  # T1 removes every space
        ("paris !", OK),  # T2: punctuation
        ("Pariss", OK),  # T3: 1 edit over 6 characters
        ("Parisss", KO),  # 2 edits over 7 characters > 0.25
        ("Pa", KO),  # ratio is on the answer's length: 3/2
        ("paris cedex", OK),  # second accepted answer
        ("Lyon", KO),
        ("", KO),
    ],
)
def test_qroc_with_all_treatments(answer, expected):
    assert result(qroc("Paris\nParis Cedex"), answer) is expected


def test_qroc_treatments_can_be_disabled():
    assert result(qroc("Paris", t3=False), "Pariss") is KO
    assert result(qroc("Paris", t3=False), "PARIS") is OK
    assert result(qroc("Paris", t1=False), "PARIS") is KO  # 4 edits out of 5
    assert result(qroc("Paris", t1=False, t3=False), "Paris !") is KO  # T2 does not trim
    assert result(qroc("Paris", t1=False, t3=False), "Paris!") is OK
    assert result(qroc("Paris", t2=False, t3=False), "paris!") is KO
    assert result(qroc("Paris", t1=False, t2=False, t3=False), "Paris") is OK
    assert result(qroc("Paris", t1=False, t2=False, t3=False), "paris") is KO


def test_qroc_accents_in_the_solution():
    assert result(qroc("élève"), "ELEVE") is OK
    assert result(qroc("Noël"), "noel") is OK


def test_numeric_qroc_compares_numbers():
    challenge = qroc("3.5", format="nombre")
    assert result(challenge, "3,5") is OK
    assert result(challenge, "3.50") is OK
    assert result(challenge, " 3,5 ") is OK
    assert result(challenge, "35") is KO
    assert result(challenge, "3.4") is KO  # no edit-distance tolerance on numbers
    assert result(qroc("1000", format="nombre"), "1 000") is OK
    assert result(qroc("1000", format="nombre"), "1000,0") is OK


def test_non_numeric_answer_to_a_numeric_qroc_falls_back_to_text():
    assert result(qroc("12", format="nombre"), "douze") is KO
    assert result(qroc("12\ndouze", format="nombre"), "Douze") is OK


def test_parse_number():
    assert parse_number("3,5") == 3.5
    assert parse_number("-2") == -2
    assert parse_number("1\u202f000") == 1000
    assert parse_number("1e3") == 1000
    assert parse_number("abc") is None
    assert parse_number("1,2,3") is None
    assert parse_number("") is None


def test_select_qroc_is_compared_without_treatments():
    challenge = qroc("Paris", proposals='${ville options=["Paris","Lyon"]}')
    assert result(challenge, "Paris") is OK
    assert result(challenge, "paris") is KO
    assert result(challenge, "Pariss") is KO


# --- QROCM --------------------------------------------------------------------------------


def qrocm(kind, solution, proposals, **kwargs):
    return Challenge(
        id="c", skill_id="s", type=kind, solution=solution, proposals=proposals, **kwargs
    )


IND = qrocm(
    ChallengeType.QROCM_IND,
    "nom:\n- Dupont\n- Dupond\nprenom:\n- Jean\nmois:\n- Mars\n",
    '${nom} ${prenom§Prénom} ${mois options=["Mars","Avril"]}',
)


def test_qrocm_ind_checks_each_input_independently():
    evaluation = check_answer(IND, 'nom: "dupond"\nprenom: "Jeann"\nmois: "Mars"')
    assert evaluation.result is OK
    assert evaluation.details == (("nom", True), ("prenom", True), ("mois", True))
    evaluation = check_answer(IND, {"nom": "Durand", "prenom": "jean", "mois": "Mars"})
    assert evaluation.result is KO
    assert dict(evaluation.details) == {"nom": False, "prenom": True, "mois": True}


def test_qrocm_ind_select_key_is_untreated_and_missing_keys_are_wrong():
    assert check_answer(IND, {"nom": "Dupont", "prenom": "Jean", "mois": "mars"}).result is KO
    evaluation = check_answer(IND, {"nom": "Dupont", "prenom": "Jean"})
    assert evaluation.result is KO
    assert dict(evaluation.details)["mois"] is False


def test_qrocm_ind_unknown_key_or_unreadable_answer_is_wrong():
    answer = {"nom": "Dupont", "prenom": "Jean", "mois": "Mars", "intrus": "x"}
    assert check_answer(IND, answer).result is KO
    assert check_answer(IND, "nom: 'Dupont\nprenom").result is KO
    assert check_answer(IND, "").result is KO


DEP = qrocm(
    ChallengeType.QROCM_DEP,
    "a:\n- Firefox\nb:\n- Chrome\n- Google Chrome\nc:\n- Safari\n",
    "Deux navigateurs : ${n1} ${n2}",
)


def test_qrocm_dep_answers_match_distinct_groups_of_the_pool():
    assert check_answer(DEP, {"n1": "firefox", "n2": "Google  Chrome"}).result is OK
    assert check_answer(DEP, 'n1: "Safari"\nn2: "Chrome"').result is OK
    evaluation = check_answer(DEP, {"n1": "Firefox", "n2": "Firefox"})  # same group twice
    assert evaluation.result is KO
    assert evaluation.details == (("n1", True), ("n2", False))
    assert check_answer(DEP, {"n1": "Firefox"}).result is KO  # every input is required
    assert check_answer(DEP, {"n1": "Firefox", "n2": "Opera"}).result is KO


def test_qrocm_dep_counts_a_repeated_answer_once_even_with_a_shared_pool():
    shared_pool = qrocm(
        ChallengeType.QROCM_DEP,
        "p1:\n- RSS\n- Atom\np2:\n- RSS\n- Atom\n",
        "Deux formats de flux : ${p1} ${p2}",
    )
    assert check_answer(shared_pool, {"p1": "Atom", "p2": "rss"}).result is OK
    repeated = check_answer(shared_pool, {"p1": "RSS", "p2": " rss "})
    assert repeated.result is KO
    assert repeated.details == (("p1", True), ("p2", False))


def test_qrocm_dep_legacy_scoring_gives_partially():
    challenge = qrocm(
        ChallengeType.QROCM_DEP,
        DEP.solution,
        "${n1} ${n2} ${n3}",
        scoring="1: @web2\n3: @web4",
    )
    assert check_answer(challenge, {"n1": "Firefox", "n2": "Chrome", "n3": "Safari"}).result is OK
    assert check_answer(challenge, {"n1": "Firefox", "n2": "x", "n3": "y"}).result is (
        AnswerResult.PARTIALLY
    )
    assert check_answer(challenge, {"n1": "a", "n2": "b", "n3": "c"}).result is KO


def test_yaml_subset():
    assert parse_yaml_mapping("a: \"x \\\"y\\\"\"\nb: 'l''été'\nc: plain # comment\nd:") == {
        "a": ['x "y"'],
        "b": ["l'été"],
        "c": ["plain"],
        "d": [],
    }
    assert parse_yaml_mapping("k:\n  - 1\n  - '2'\nj: [a, b]") == {"k": ["1", "2"], "j": ["a", "b"]}
    with pytest.raises(ValueError):
        parse_yaml_mapping("- orphan")
    with pytest.raises(ValueError):
        parse_yaml_mapping("a: 1\na: 2")


# --- skip, timeout, focus -----------------------------------------------------------------


def test_skip_is_aband_for_every_type():
    assert result(qroc("Paris"), SKIPPED_VALUE) is AnswerResult.ABAND
    assert result(IND, SKIPPED_VALUE) is AnswerResult.ABAND


def test_a_right_answer_after_the_timer_counts_as_timedout():
    challenge = qroc("Paris", timer=30)
    assert result(challenge, "Paris", timeout=-3) is AnswerResult.TIMEDOUT
    assert result(challenge, "Lyon", timeout=-3) is KO
    assert result(challenge, "Paris", timeout=12) is OK
    assert result(challenge, "Paris", timeout=0) is OK
    assert not AnswerResult.TIMEDOUT.is_ok


def test_focus_loss_only_matters_in_certification_on_focusable_challenges():
    challenge = qroc("Paris", focusable=True)
    assert result(challenge, "Paris", focused_out=True) is OK
    assert result(challenge, "Paris", focused_out=True, certification=True) is (
        AnswerResult.FOCUSED_OUT
    )
    assert result(qroc("Paris"), "Paris", focused_out=True, certification=True) is OK
