"""Tying an account to an imported pupil: the manual flow and its codes, the INE flow."""

from datetime import date, timedelta

import pytest
from django.utils import timezone

from octets.accounts.models import AuthenticationMethod
from octets.students.association import (
    AssociationError,
    associate_automatically,
    associate_learner,
    find_learner,
    learner_of,
)
from octets.students.models import OrganizationLearner
from tests.factories import OrganizationFactory, OrganizationLearnerFactory, UserFactory

BIRTHDATE = date(2012, 3, 14)


@pytest.fixture
def school(db):
    return OrganizationFactory(name="Collège Jean Moulin")


@pytest.fixture
def other_school(db):
    return OrganizationFactory(name="Lycée Victor Hugo")


@pytest.fixture
def lea(school):
    return OrganizationLearnerFactory(
        organization=school,
        first_name="Léa",
        middle_name="Jeanne",
        last_name="Martin",
        preferred_last_name="Durand",
        birthdate=BIRTHDATE,
        national_student_id="123456789AB",
    )


@pytest.fixture
def pupil_account(db):
    return UserFactory(first_name="Léa", last_name="Martin")


def email_account(email="lea.martin@exemple.fr"):
    return UserFactory(email=email)


def username_account(username="lea.martin1403"):
    return UserFactory(email=None, username=username)


def gar_account(ido="IDO-42"):
    account = UserFactory(email=None, username=f"gar.{ido.lower()}", password=None)
    AuthenticationMethod.objects.create(
        user=account, provider=AuthenticationMethod.Provider.GAR, external_identifier=ido
    )
    return account


def associate(user, organization, first_name="Léa", last_name="Martin", birthdate=BIRTHDATE, **kw):
    return associate_learner(
        user=user,
        organization=organization,
        first_name=first_name,
        last_name=last_name,
        birthdate=birthdate,
        **kw,
    )


def linked_user_id(learner):
    return OrganizationLearner.objects.values_list("user_id", flat=True).get(pk=learner.pk)


def make_older(learner, days):
    OrganizationLearner.objects.filter(pk=learner.pk).update(
        updated_at=timezone.now() - timedelta(days=days)
    )


# --- matching -------------------------------------------------------------------------------------


def test_the_typed_names_link_the_pupil_to_the_account(school, lea, pupil_account):
    learner = associate(pupil_account, school, first_name="  lea ", last_name="MARTIN")
    assert learner.pk == lea.pk
    assert linked_user_id(lea) == pupil_account.pk
    assert learner_of(pupil_account, school) == lea


@pytest.mark.parametrize(
    ("first_name", "last_name"),
    [
        ("Jeanne", "Martin"),  # second given name
        ("Léa", "Durand"),  # name in use
        ("Lea", "Martn"),  # one letter missing in a 6-letter name
    ],
)
def test_other_given_names_name_in_use_and_small_typos_match(
    school, lea, pupil_account, first_name, last_name
):
    assert associate(pupil_account, school, first_name, last_name) == lea


def assert_not_found(excinfo):
    error = excinfo.value
    assert (error.code, error.status, error.short_code, error.value) == (
        "LEARNER_NOT_FOUND",
        404,
        None,
        None,
    )
    assert "date de naissance" in error.message
    assert "enseignant" in error.message


@pytest.mark.parametrize(
    "typed",
    [
        {"first_name": "Léo"},
        {"last_name": "Dupont"},
        {"birthdate": BIRTHDATE + timedelta(days=1)},
        {"first_name": ""},
        {"birthdate": None},
    ],
)
def test_no_pupil_matches(school, lea, pupil_account, typed):
    with pytest.raises(AssociationError) as excinfo:
        associate(pupil_account, school, **typed)
    assert_not_found(excinfo)
    assert linked_user_id(lea) is None


def test_a_pupil_without_birthdate_never_matches(school, pupil_account):
    OrganizationLearnerFactory(
        organization=school, first_name="Léa", last_name="Martin", birthdate=None
    )
    with pytest.raises(AssociationError) as excinfo:
        associate(pupil_account, school, birthdate=None)
    assert_not_found(excinfo)


def test_a_disabled_pupil_is_not_a_candidate(school, pupil_account):
    OrganizationLearnerFactory(
        organization=school,
        first_name="Léa",
        last_name="Martin",
        birthdate=BIRTHDATE,
        disabled=True,
    )
    with pytest.raises(AssociationError) as excinfo:
        associate(pupil_account, school)
    assert_not_found(excinfo)


def test_a_pupil_of_another_school_is_not_a_candidate(other_school, lea, pupil_account):
    with pytest.raises(AssociationError) as excinfo:
        associate(pupil_account, other_school)
    assert_not_found(excinfo)


def test_homonyms_born_the_same_day_are_not_guessed(school, lea, pupil_account):
    OrganizationLearnerFactory(
        organization=school, first_name="Lea", last_name="Martin", birthdate=BIRTHDATE
    )
    with pytest.raises(AssociationError) as excinfo:
        associate(pupil_account, school)
    assert_not_found(excinfo)
    # A homonym born another day is no rival.
    OrganizationLearner.objects.exclude(pk=lea.pk).update(birthdate=date(2011, 1, 1))
    assert find_learner(school, "Léa", "Martin", BIRTHDATE) == lea


# --- R3x: the pupil is already tied to another account --------------------------------------------


@pytest.mark.parametrize(
    ("make_account", "short_code", "value"),
    [
        (email_account, "R31", "l***@exemple.fr"),
        (username_account, "R32", "l***.m***3"),
        (gar_account, "R33", None),
    ],
)
def test_a_pupil_tied_to_another_account_of_this_school(
    school, lea, pupil_account, make_account, short_code, value
):
    owner = make_account()
    OrganizationLearner.objects.filter(pk=lea.pk).update(user=owner)
    with pytest.raises(AssociationError) as excinfo:
        associate(pupil_account, school)
    error = excinfo.value
    assert (error.code, error.status) == ("ACCOUNT_ALREADY_LINKED_IN_THIS_ORGANIZATION", 409)
    assert (error.short_code, error.value, error.account_id) == (short_code, value, owner.pk)
    assert short_code in error.message
    if value:
        assert value in error.message
    assert "lea.martin" not in error.message
    assert linked_user_id(lea) == owner.pk


def test_gar_wins_over_username_and_username_over_email(school, lea, pupil_account):
    both = UserFactory(email="lea@exemple.fr", username="lea.martin1403")
    OrganizationLearner.objects.filter(pk=lea.pk).update(user=both)
    with pytest.raises(AssociationError) as excinfo:
        associate(pupil_account, school)
    assert excinfo.value.short_code == "R32"
    AuthenticationMethod.objects.create(user=both, provider="GAR", external_identifier="IDO-7")
    with pytest.raises(AssociationError) as excinfo:
        associate(pupil_account, school)
    assert (excinfo.value.short_code, excinfo.value.value) == ("R33", None)


def test_a_username_without_password_gives_way_to_the_email(school, lea, pupil_account):
    owner = UserFactory(email="lea@exemple.fr", username="lea.martin1403", password=None)
    OrganizationLearner.objects.filter(pk=lea.pk).update(user=owner)
    with pytest.raises(AssociationError) as excinfo:
        associate(pupil_account, school)
    assert (excinfo.value.short_code, excinfo.value.value) == ("R31", "l***@exemple.fr")


# --- R1x: the same INE is tied to another account in another school -------------------------------


@pytest.mark.parametrize(
    ("make_account", "short_code", "value"),
    [
        (email_account, "R11", "l***@exemple.fr"),
        (username_account, "R12", "l***.m***3"),
        (gar_account, "R13", None),
    ],
)
def test_the_same_ine_tied_to_another_account_in_another_school(
    school, other_school, lea, pupil_account, make_account, short_code, value
):
    owner = make_account()
    OrganizationLearnerFactory(
        organization=other_school,
        national_student_id=lea.national_student_id,
        user=owner,
        disabled=True,  # left that school: still the same pupil
    )
    with pytest.raises(AssociationError) as excinfo:
        associate(pupil_account, school)
    error = excinfo.value
    assert (error.code, error.status) == ("ACCOUNT_ALREADY_LINKED_IN_ANOTHER_ORGANIZATION", 409)
    assert (error.short_code, error.value, error.account_id) == (short_code, value, owner.pk)
    assert short_code in error.message
    assert linked_user_id(lea) is None


def test_the_same_ine_tied_to_this_account_elsewhere_is_the_same_pupil(
    school, other_school, lea, pupil_account
):
    OrganizationLearnerFactory(
        organization=other_school,
        national_student_id=lea.national_student_id,
        birthdate=BIRTHDATE,
        user=pupil_account,
    )
    assert associate(pupil_account, school) == lea
    assert linked_user_id(lea) == pupil_account.pk


def test_r3x_is_checked_before_r1x(school, other_school, lea, pupil_account):
    OrganizationLearner.objects.filter(pk=lea.pk).update(user=email_account())
    OrganizationLearnerFactory(
        organization=other_school, national_student_id=lea.national_student_id, user=gar_account()
    )
    with pytest.raises(AssociationError) as excinfo:
        associate(pupil_account, school)
    assert excinfo.value.short_code == "R31"


# --- R70 and R90: this account belongs to someone else --------------------------------------------


def test_an_account_is_one_pupil_per_school(school, lea, pupil_account):
    OrganizationLearnerFactory(organization=school, birthdate=BIRTHDATE, user=pupil_account)
    with pytest.raises(AssociationError) as excinfo:
        associate(pupil_account, school)
    error = excinfo.value
    assert (error.code, error.status, error.short_code, error.value) == (
        "USER_ALREADY_LINKED_TO_ANOTHER_LEARNER",
        422,
        "R70",
        None,
    )
    assert "R70" in error.message
    assert linked_user_id(lea) is None


def test_an_account_tied_to_a_pupil_with_another_ine_and_birthdate(
    school, other_school, lea, pupil_account
):
    OrganizationLearnerFactory(
        organization=other_school,
        national_student_id="999999999ZZ",
        birthdate=date(2009, 6, 1),
        user=pupil_account,
    )
    with pytest.raises(AssociationError) as excinfo:
        associate(pupil_account, school)
    error = excinfo.value
    assert (error.code, error.status, error.short_code, error.value) == (
        "ACCOUNT_BELONGS_TO_ANOTHER_PUPIL",
        422,
        "R90",
        None,
    )
    assert "R90" in error.message
    assert linked_user_id(lea) is None


def test_a_new_ine_with_the_same_birthdate_is_the_same_pupil(
    school, other_school, lea, pupil_account
):
    OrganizationLearnerFactory(
        organization=other_school,
        national_student_id="999999999ZZ",
        birthdate=BIRTHDATE,
        user=pupil_account,
    )
    assert associate(pupil_account, school) == lea


# --- idempotence, dry run -------------------------------------------------------------------------


def test_joining_twice_is_harmless(school, lea, pupil_account):
    first = associate(pupil_account, school)
    OrganizationLearner.objects.filter(pk=lea.pk).update(updated_at=timezone.now() - timedelta(1))
    before = OrganizationLearner.objects.get(pk=lea.pk).updated_at
    second = associate(pupil_account, school, first_name="Jeanne", last_name="Durand")
    assert first == second == lea
    assert OrganizationLearner.objects.get(pk=lea.pk).updated_at == before
    assert OrganizationLearner.objects.filter(user=pupil_account).count() == 1


def test_a_dry_run_checks_everything_and_writes_nothing(school, lea, pupil_account):
    make_older(lea, 1)
    before = OrganizationLearner.objects.get(pk=lea.pk).updated_at
    assert associate(pupil_account, school, dry_run=True).pk == lea.pk
    assert linked_user_id(lea) is None
    assert OrganizationLearner.objects.get(pk=lea.pk).updated_at == before

    owner = username_account()
    OrganizationLearner.objects.filter(pk=lea.pk).update(user=owner)
    with pytest.raises(AssociationError) as excinfo:
        associate(pupil_account, school, dry_run=True)
    assert excinfo.value.short_code == "R32"


# --- the automatic flow (INE) ---------------------------------------------------------------------


@pytest.fixture
def came_from_other_school(other_school, lea, pupil_account):
    return OrganizationLearnerFactory(
        organization=other_school,
        national_student_id=lea.national_student_id,
        user=pupil_account,
        disabled=True,
    )


def test_the_ine_of_the_account_ties_the_pupil_of_the_new_school(
    school, lea, pupil_account, came_from_other_school
):
    assert associate_automatically(user=pupil_account, organization=school) == lea
    assert linked_user_id(lea) == pupil_account.pk
    # Again: the same pupil, nothing else changes.
    assert associate_automatically(user=pupil_account, organization=school) == lea
    assert learner_of(pupil_account, school) == lea


def test_the_most_recent_pupil_of_the_account_gives_the_ine(
    school, other_school, lea, pupil_account, came_from_other_school
):
    newer = OrganizationLearnerFactory(
        organization=OrganizationFactory(), national_student_id="555555555CC", user=pupil_account
    )
    make_older(came_from_other_school, 30)
    assert associate_automatically(user=pupil_account, organization=school) is None
    make_older(newer, 60)
    assert associate_automatically(user=pupil_account, organization=school) == lea


def test_no_automatic_tie_when_impossible(school, lea, pupil_account, other_school):
    # No pupil on the account.
    assert associate_automatically(user=pupil_account, organization=school) is None
    # A pupil with an INE unknown here.
    OrganizationLearnerFactory(organization=other_school, user=pupil_account)
    assert associate_automatically(user=pupil_account, organization=school) is None
    assert linked_user_id(lea) is None


def test_no_automatic_tie_to_a_pupil_tied_to_another_account_or_gone(
    school, lea, pupil_account, came_from_other_school
):
    owner = email_account()
    OrganizationLearner.objects.filter(pk=lea.pk).update(user=owner)
    assert associate_automatically(user=pupil_account, organization=school) is None
    assert linked_user_id(lea) == owner.pk

    OrganizationLearner.objects.filter(pk=lea.pk).update(user=None, is_disabled=True)
    assert associate_automatically(user=pupil_account, organization=school) is None
    assert linked_user_id(lea) is None


def test_no_automatic_tie_when_the_account_has_another_pupil_here(
    school, lea, pupil_account, came_from_other_school
):
    earlier = OrganizationLearnerFactory(organization=school, user=pupil_account, disabled=True)
    make_older(earlier, 10)
    assert associate_automatically(user=pupil_account, organization=school) is None
    assert linked_user_id(lea) is None


# --- learner_of -----------------------------------------------------------------------------------


def test_learner_of_only_sees_the_enabled_pupil_of_that_school(
    school, other_school, lea, pupil_account
):
    from django.contrib.auth.models import AnonymousUser

    assert learner_of(pupil_account, school) is None
    assert learner_of(AnonymousUser(), school) is None
    OrganizationLearner.objects.filter(pk=lea.pk).update(user=pupil_account)
    assert learner_of(pupil_account, school) == lea
    assert learner_of(pupil_account, other_school) is None
    OrganizationLearner.objects.filter(pk=lea.pk).update(is_disabled=True)
    assert learner_of(pupil_account, school) is None
