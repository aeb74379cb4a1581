"""The pure matching rules: standardisation, distance ratio, candidate choice, masked logins."""

import string

import pytest
from hypothesis import given
from hypothesis import strategies as st

from octets.students.reconciliation import (
    Candidate,
    distance_ratio,
    find_matching_candidate,
    obfuscate_email,
    obfuscate_username,
    standardize,
)

names = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=["Cs"]), max_size=30)
letters = st.text(alphabet=string.ascii_lowercase, min_size=1, max_size=20)


def pupil(id, first, last, middle="", third="", preferred=""):
    return Candidate(id, first, middle, third, last, preferred)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Jean-Édouard", "jeanedouard"),
        ("  Marie  Ève ", "marieeve"),
        ("O'Connor", "oconnor"),
        ("LÆTITIA", "laetitia"),
        ("Cœur", "coeur"),
        ("Strauß", "strauss"),
        ("Zoé2", "zoe2"),
        ("", ""),
        (None, ""),
    ],
)
def test_standardize(raw, expected):
    assert standardize(raw) == expected


@given(names)
def test_standardize_is_idempotent_and_keeps_lower_case_ascii_letters_and_digits(name):
    once = standardize(name)
    assert standardize(once) == once
    assert set(once) <= set(string.ascii_lowercase + string.digits)


@given(names, names)
def test_ratio_is_zero_exactly_when_the_standardized_names_are_equal(typed, reference):
    assert (distance_ratio(typed, reference) == 0) == (standardize(typed) == standardize(reference))


@given(letters, letters)
def test_ratio_weighs_the_same_distance_by_the_typed_length(a, b):
    # Levenshtein is symmetric; only the divisor (what was typed) changes.
    assert distance_ratio(a, b) * len(a) == pytest.approx(distance_ratio(b, a) * len(b))
    assert distance_ratio(a, a.upper()) == 0


def test_ratio_examples():
    assert distance_ratio("Martine", "Martina") == pytest.approx(1 / 7)
    assert distance_ratio("Léo", "Leo") == 0
    assert distance_ratio("", "") == 0
    assert distance_ratio("", "Léa") == float("inf")
    assert distance_ratio("abcd", "") == 1


@given(
    st.text(alphabet=string.ascii_lowercase, min_size=6, max_size=20),
    st.data(),
)
def test_one_wrong_letter_in_a_name_of_six_letters_or_more_still_matches(name, data):
    position = data.draw(st.integers(0, len(name) - 1))
    letter = data.draw(st.sampled_from(string.ascii_lowercase))
    typo = name[:position] + letter + name[position + 1 :]
    candidates = [pupil(1, "Camille", name), pupil(2, "Camille", "zzzzzzzzzzzzzzzzzzzzzzzzzzzzz")]
    assert find_matching_candidate(candidates, "camille", typo) == 1
    assert find_matching_candidate([pupil(3, name, "Durand")], typo, "durand") == 3


@given(letters, letters)
def test_two_homonyms_never_match(first, last):
    twins = [pupil(1, first, last), pupil(2, first.upper(), last)]
    assert find_matching_candidate(twins, first, last) is None


@given(st.lists(st.tuples(letters, letters), max_size=6), letters, letters)
def test_a_match_is_one_of_the_candidates_and_close_to_the_typed_names(people, first, last):
    candidates = [pupil(i, given, family) for i, (given, family) in enumerate(people)]
    found = find_matching_candidate(candidates, first, last)
    if found is not None:
        assert distance_ratio(first, candidates[found].first_name) <= 0.25
        assert distance_ratio(last, candidates[found].last_name) <= 0.25


def test_an_exact_match_wins_over_a_close_one():
    candidates = [pupil(1, "Martine", "Dupont"), pupil(2, "Martina", "Dupont")]
    assert find_matching_candidate(candidates, "martine", "DUPONT") == 1
    assert find_matching_candidate(candidates, "Martina", "Dupont") == 2
    # Close to both and equal to neither: ambiguous.
    assert find_matching_candidate(candidates, "Martino", "Dupont") is None


def test_too_many_typos_do_not_match():
    assert find_matching_candidate([pupil(1, "Léa", "Martin")], "Léo", "Martin") is None
    assert find_matching_candidate([pupil(1, "Camille", "Martin")], "Camille", "Marton") == 1
    assert find_matching_candidate([pupil(1, "Camille", "Martin")], "Camille", "Morton") is None


def test_given_names_are_tried_in_order_and_the_first_unique_one_wins():
    anne = pupil(1, "Anne", "Petit")
    marie_anne = pupil(2, "Marie", "Petit", middle="Anne")
    louise = pupil(3, "Marie", "Petit", middle="Claire", third="Louise")
    candidates = [anne, marie_anne, louise]
    assert find_matching_candidate(candidates, "Anne", "Petit") == 1
    assert find_matching_candidate(candidates, "Claire", "Petit") == 3
    assert find_matching_candidate(candidates, "Louise", "Petit") == 3
    # Two Maries by first name, none by second or third name.
    assert find_matching_candidate(candidates, "Marie", "Petit") is None


def test_the_name_in_use_matches_like_the_family_name():
    candidates = [pupil(1, "Inès", "Benali", preferred="Moreau"), pupil(2, "Inès", "Moreaux")]
    assert find_matching_candidate(candidates, "Ines", "Benali") == 1
    assert find_matching_candidate(candidates, "Ines", "Moreau") == 1  # exact beats close
    assert find_matching_candidate(candidates, "Ines", "Moreaux") == 2


def test_empty_names_never_match():
    candidates = [pupil(1, "Léa", "")]
    assert find_matching_candidate(candidates, "Léa", "") is None
    assert find_matching_candidate([pupil(1, "", "Martin")], "", "Martin") is None
    assert find_matching_candidate([pupil(1, "Léa", "Martin")], "--", "Martin") is None
    assert find_matching_candidate([], "Léa", "Martin") is None


def test_any_object_with_the_names_is_a_candidate():
    class Row:
        id = 42
        first_name = "Noé"
        middle_name = third_name = preferred_last_name = ""
        last_name = "Lefèvre"

    assert find_matching_candidate([Row()], "noe", "lefevre") == 42


@pytest.mark.parametrize(
    ("username", "masked"),
    [
        ("jean.dupont1203", "j***.d***3"),
        ("lea.martin.4567", "l***.m***7"),
        ("solo", "s***o"),
        ("x", "x***"),
        ("", ""),
    ],
)
def test_obfuscate_username(username, masked):
    assert obfuscate_username(username) == masked


@pytest.mark.parametrize(
    ("email", "masked"),
    [
        ("jean.dupont@ecole.example", "j***@ecole.example"),
        ("a@b.fr", "a***@b.fr"),
        ("bad-address", "b***"),
        ("", ""),
    ],
)
def test_obfuscate_email(email, masked):
    assert obfuscate_email(email) == masked


@given(
    st.text(alphabet=string.ascii_lowercase + ".", min_size=3, max_size=20),
    st.text(alphabet=string.ascii_lowercase + ".", min_size=3, max_size=20),
)
def test_masked_email_keeps_the_domain_and_hides_the_mailbox(local, domain):
    masked = obfuscate_email(f"{local}@{domain}")
    assert masked == f"{local[0]}***@{domain}"
    assert obfuscate_username(local).count("***") >= 1


def test_compatibility_capitals_are_lower_cased():
    from octets.students.reconciliation import standardize

    assert standardize("ᴬ") == "a" and standardize("Ｌｏｕ") == "lou"
