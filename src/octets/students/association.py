"""Association owns the link between a signed-in account and the imported pupil it belongs to,
made when a pupil joins a campaign of a school that manages its pupils.

Two ways in. The automatic one: an account already tied to a pupil somewhere (the most recent one
with an INE) is tied to the enabled pupil with that INE in the new school, with no form. The manual
one: the pupil types first name, last name and birth date; the one enabled pupil of the school
they designate (``students.reconciliation``) is tied to the account unless a check refuses it:

- R3x: that pupil is already tied to another account (``x`` says how that account signs in);
- R1x: the same INE, in another school, is tied to another account;
- R70: this account is already tied to another pupil of this school;
- R90: this account is tied to pupils whose INEs and birth dates all differ (a sibling's account).

``x`` is 3 for an account that comes from the GAR (no login shown), 2 for a username, 1 for an
e-mail; the login is shown masked so its owner recognises it and nobody else learns it.
"""

from __future__ import annotations

from datetime import date

from django.db import transaction
from django.utils.translation import gettext as _

from octets.accounts.models import AuthenticationMethod, User
from octets.errors import RuleError
from octets.organizations.models import Organization
from octets.students.models import OrganizationLearner
from octets.students.reconciliation import (
    Candidate,
    find_matching_candidate,
    obfuscate_email,
    obfuscate_username,
)

LEARNER_NOT_FOUND = "LEARNER_NOT_FOUND"
ALREADY_LINKED_IN_THIS_ORGANIZATION = "ACCOUNT_ALREADY_LINKED_IN_THIS_ORGANIZATION"  # R31 R32 R33
ALREADY_LINKED_IN_ANOTHER_ORGANIZATION = "ACCOUNT_ALREADY_LINKED_IN_ANOTHER_ORGANIZATION"  # R1x
USER_ALREADY_LINKED_TO_ANOTHER_LEARNER = "USER_ALREADY_LINKED_TO_ANOTHER_LEARNER"  # R70
ACCOUNT_BELONGS_TO_ANOTHER_PUPIL = "ACCOUNT_BELONGS_TO_ANOTHER_PUPIL"  # R90

EMAIL, USERNAME, GAR = "1", "2", "3"


class AssociationError(RuleError):
    """A pupil could not be tied to this account.

    ``short_code`` is the code a teacher looks up (R11…R90, None when no pupil matches);
    ``value`` the masked login of the other account (None for GAR or when not relevant);
    ``account_id`` that other account, for server-side follow-ups (never show it).
    """

    def __init__(
        self,
        message: str,
        *,
        code: str,
        status: int,
        short_code: str | None = None,
        value: str | None = None,
        account_id: int | None = None,
    ):
        super().__init__(message, code=code, status=status)
        self.short_code = short_code
        self.value = value
        self.account_id = account_id


# --- reads ----------------------------------------------------------------------------------------


def learner_of(user, organization: Organization) -> OrganizationLearner | None:
    """The enabled pupil of this school tied to this account, if any."""
    if user is None or not user.is_authenticated:
        return None
    return (
        OrganizationLearner.objects.filter(user=user, organization=organization, is_disabled=False)
        .order_by("-updated_at", "-id")
        .first()
    )


def _not_found() -> AssociationError:
    return AssociationError(
        _(
            "Aucun élève de cet établissement ne correspond à ces informations. Vérifiez "
            "l'orthographe de votre prénom et de votre nom ainsi que votre date de naissance ; "
            "si tout est juste, demandez de l'aide à votre enseignant."
        ),
        code=LEARNER_NOT_FOUND,
        status=404,
    )


def find_learner(
    organization: Organization, first_name: str, last_name: str, birthdate: date
) -> OrganizationLearner:
    """The one enabled pupil of this school born that day whose names match the typed ones.

    Raises ``AssociationError`` (LEARNER_NOT_FOUND, 404) when there is none or several.
    """
    if birthdate is None:  # ``birthdate=None`` would select the pupils with no birth date
        raise _not_found()
    rows = OrganizationLearner.objects.filter(
        organization=organization, is_disabled=False, birthdate=birthdate
    ).values_list(*Candidate._fields)
    learner_id = find_matching_candidate([Candidate(*row) for row in rows], first_name, last_name)
    if learner_id is None:
        raise _not_found()
    return OrganizationLearner.objects.get(pk=learner_id)


# --- how another account signs in -----------------------------------------------------------------


def _sign_in_kind(account: User) -> tuple[str, str | None]:
    """(suffix, masked login) of the way this account signs in: GAR, then username, then e-mail."""
    if account.authentication_methods.filter(provider=AuthenticationMethod.Provider.GAR).exists():
        return GAR, None
    usable = account.has_usable_password()
    if account.username and (usable or not account.email):
        return USERNAME, obfuscate_username(account.username)
    # The user model requires an e-mail or a username, so this account has an e-mail; without a
    # password it can still get one through "mot de passe oublié".
    return EMAIL, obfuscate_email(account.email)


def _already_linked(account: User, *, same_organization: bool) -> AssociationError:
    suffix, value = _sign_in_kind(account)
    if same_organization:
        short_code = f"R3{suffix}"
        code = ALREADY_LINKED_IN_THIS_ORGANIZATION
        messages = {
            EMAIL: _(
                "Vous avez déjà un compte Octets dans cet établissement : vous vous y connectez "
                "avec l'adresse e-mail %(value)s. Connectez-vous à ce compte pour continuer, ou "
                "demandez de l'aide à votre enseignant (code %(code)s)."
            ),
            USERNAME: _(
                "Vous avez déjà un compte Octets dans cet établissement : vous vous y connectez "
                "avec l'identifiant %(value)s (prénom.nom suivi de 4 chiffres). Connectez-vous à "
                "ce compte pour continuer, ou demandez de l'aide à votre enseignant (code %(code)s)."
            ),
            GAR: _(
                "Vous avez déjà un compte Octets ouvert par l'ENT de votre établissement. Passez "
                "par l'ENT pour rejoindre ce parcours (code %(code)s)."
            ),
        }
    else:
        short_code = f"R1{suffix}"
        code = ALREADY_LINKED_IN_ANOTHER_ORGANIZATION
        messages = {
            EMAIL: _(
                "Vous avez déjà un compte Octets, ouvert dans un autre établissement : vous vous y "
                "connectez avec l'adresse e-mail %(value)s. Connectez-vous à ce compte pour "
                "continuer, ou demandez de l'aide à votre enseignant (code %(code)s)."
            ),
            USERNAME: _(
                "Vous avez déjà un compte Octets, ouvert dans un autre établissement : vous vous y "
                "connectez avec l'identifiant %(value)s (prénom.nom suivi de 4 chiffres). "
                "Connectez-vous à ce compte pour continuer, ou demandez de l'aide à votre "
                "enseignant (code %(code)s)."
            ),
            GAR: _(
                "Vous avez déjà un compte Octets, ouvert par l'ENT d'un autre établissement. "
                "Demandez à un enseignant de vous redonner l'accès à ce compte (code %(code)s)."
            ),
        }
    return AssociationError(
        messages[suffix] % {"value": value, "code": short_code},
        code=code,
        status=409,
        short_code=short_code,
        value=value,
        account_id=account.pk,
    )


# --- the checks, in the order a pupil meets them ------------------------------------------------


def _check_not_linked_elsewhere(user: User, learner: OrganizationLearner) -> None:
    """R1x: the same INE, in another school, tied to an account that is not this one."""
    if not learner.national_student_id:
        return
    other = (
        OrganizationLearner.objects.filter(
            national_student_id=learner.national_student_id, user__isnull=False
        )
        .exclude(organization_id=learner.organization_id)
        .select_related("user")
        .order_by("-updated_at", "-id")
        .first()
    )
    if other is not None and other.user_id != user.pk:
        raise _already_linked(other.user, same_organization=False)


def _check_no_other_learner_here(user: User, learner: OrganizationLearner) -> None:
    """R70: one account is one pupil in a school."""
    taken = (
        OrganizationLearner.objects.filter(user=user, organization_id=learner.organization_id)
        .exclude(pk=learner.pk)
        .exists()
    )
    if taken:
        raise AssociationError(
            _(
                "Votre compte est déjà rattaché à un autre élève de cet établissement. "
                "Déconnectez-vous puis recommencez ; si le problème continue, montrez ce message "
                "à votre enseignant (code R70)."
            ),
            code=USER_ALREADY_LINKED_TO_ANOTHER_LEARNER,
            status=422,
            short_code="R70",
        )


def _check_same_person(user: User, learner: OrganizationLearner) -> None:
    """R90: an account tied to pupils who share neither the INE nor the birth date is someone
    else's (a brother's or sister's, left signed in on a shared computer)."""
    known = list(
        OrganizationLearner.objects.filter(user=user)
        .exclude(national_student_id="")
        .values_list("national_student_id", "birthdate")
    )
    if not known:
        return
    if all(ine != learner.national_student_id for ine, _birthdate in known) and all(
        birthdate != learner.birthdate for _ine, birthdate in known
    ):
        raise AssociationError(
            _(
                "Ce compte semble appartenir à un autre élève. Si vous n'êtes pas son "
                "propriétaire, déconnectez-vous et connectez-vous avec votre propre compte ; "
                "sinon, demandez de l'aide à votre enseignant (code R90)."
            ),
            code=ACCOUNT_BELONGS_TO_ANOTHER_PUPIL,
            status=422,
            short_code="R90",
        )


# --- writes ---------------------------------------------------------------------------------------


def _lock(user: User, learner_id: int) -> OrganizationLearner:
    # The account first, then the pupil: two tabs of one pupil, or two pupils racing for one row,
    # take their turn and the second one sees the first one's link.
    User.objects.select_for_update().filter(pk=user.pk).first()
    return OrganizationLearner.objects.select_for_update().get(pk=learner_id)


@transaction.atomic
def associate_learner(
    *,
    user: User,
    organization: Organization,
    first_name: str,
    last_name: str,
    birthdate: date,
    dry_run: bool = False,
) -> OrganizationLearner:
    """Tie the pupil these names and birth date designate to ``user`` (a signed-in account).

    Raises ``AssociationError``: LEARNER_NOT_FOUND (404), R31/R32/R33 and R11/R12/R13 (409),
    R70 and R90 (422). Already tied to this very account: returns the pupil, changes nothing.
    With ``dry_run``, runs every check and writes nothing.
    """
    matched = find_learner(organization, first_name, last_name, birthdate)
    learner = _lock(user, matched.pk)
    if learner.is_disabled:  # left the school between the match and the lock
        raise _not_found()
    if learner.user_id == user.pk:
        return learner
    if learner.user_id is not None:
        raise _already_linked(learner.user, same_organization=True)
    _check_not_linked_elsewhere(user, learner)
    _check_no_other_learner_here(user, learner)
    _check_same_person(user, learner)
    if not dry_run:
        learner.user = user
        learner.save(update_fields=["user", "updated_at"])
    return learner


@transaction.atomic
def associate_automatically(
    *, user: User, organization: Organization
) -> OrganizationLearner | None:
    """Tie ``user`` to the enabled pupil of this school with the INE of its most recent pupil.

    Returns that pupil (already tied or newly tied), or None when it cannot be done: no pupil with
    an INE on the account, no such INE here, the pupil tied to another account, or the account
    already tied to another pupil of this school. Never raises a rule error.
    """
    latest = (
        OrganizationLearner.objects.filter(user=user)
        .exclude(national_student_id="")
        .order_by("-updated_at", "-id")
        .values_list("national_student_id", flat=True)
        .first()
    )
    if latest is None:
        return None
    target_id = (
        OrganizationLearner.objects.filter(
            organization=organization, national_student_id=latest, is_disabled=False
        )
        .values_list("pk", flat=True)
        .first()
    )
    if target_id is None:
        return None
    learner = _lock(user, target_id)
    if learner.is_disabled:
        return None
    if learner.user_id == user.pk:
        return learner
    if learner.user_id is not None:
        return None
    if (
        OrganizationLearner.objects.filter(user=user, organization=organization)
        .exclude(pk=learner.pk)
        .exists()
    ):
        return None
    learner.user = user
    learner.save(update_fields=["user", "updated_at"])
    return learner
