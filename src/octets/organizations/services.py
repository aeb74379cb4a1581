"""Writes on organizations and their team. Each function is one transaction.

Rules Pix Orga only enforces in its pages are enforced here, for pages and API alike: the last
active admin can neither leave, nor be demoted, nor be removed; invitations expire and are capped.
"""

import hmac

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from octets.accounts.models import normalize_email
from octets.errors import RuleError
from octets.jobs.services import enqueue_job
from octets.organizations.models import (
    Invitation,
    Membership,
    Organization,
    new_invitation_code,
    normalize_uai,
    validate_uai,
)
from octets.organizations.selectors import count_active_admins


class TeamError(RuleError):
    """A team rule was broken. ``status`` is the HTTP status pages and API answer with."""


def _locked(organization: Organization) -> Organization:
    # Lock the parent row before counting admins or pending invitations (PostgreSQL);
    # SQLite's IMMEDIATE transactions already serialize writers.
    return Organization.objects.select_for_update().get(pk=organization.pk)


# --- organizations ---------------------------------------------------------------------------


@transaction.atomic
def create_organization(
    *,
    type: str,
    name: str,
    external_id: str = "",
    email: str = "",
    is_managing_students: bool | None = None,
    created_by=None,
) -> Organization:
    organization = Organization(
        type=type,
        name=(name or "").strip(),
        external_id=normalize_uai(external_id),
        email=normalize_email(email),
        is_managing_students=(type == Organization.Type.SCO)
        if is_managing_students is None
        else is_managing_students,
        created_by=created_by,
    )
    organization.full_clean()
    organization.save()
    return organization


# --- invitations ------------------------------------------------------------------------------


def parse_emails(raw) -> list[str]:
    """Split comma/semicolon/newline separated addresses; trim, lowercase, de-duplicate, keep order."""
    parts = (
        raw
        if isinstance(raw, list | tuple)
        else str(raw or "").replace(";", ",").replace("\n", ",").split(",")
    )
    seen: dict[str, None] = {}
    for part in parts:
        email = normalize_email(part)
        if email:
            seen.setdefault(email, None)
    return list(seen)


def _send_invitation(invitation: Invitation, *, by=None) -> None:
    enqueue_job(
        kind="send_invitation_email",
        payload={"invitation_id": invitation.pk},
        organization=invitation.organization,
        created_by=by,
    )


@transaction.atomic
def invite_members(
    *, organization: Organization, invited_by, emails, role: str | None
) -> list[Invitation]:
    organization = _locked(organization)
    if organization.is_archived:
        raise TeamError(
            _("Cette organisation est archivée : elle ne peut plus inviter de membres."),
            code="ORGANIZATION_ARCHIVED",
            status=403,
        )
    if role not in (None, *Membership.Role.values):
        raise TeamError(
            _("Le rôle « %(role)s » n'existe pas.") % {"role": role}, code="INVALID_ROLE"
        )
    addresses = parse_emails(emails)
    if not addresses:
        raise TeamError(_("Saisissez au moins une adresse e-mail."), code="EMAIL_REQUIRED")
    problems = []
    for email in addresses:
        try:
            validate_email(email)
        except ValidationError:
            problems.append(
                _("« %(email)s » n'est pas une adresse e-mail valide.") % {"email": email}
            )
    if problems:
        raise TeamError(
            _("Aucune invitation n'a été envoyée."), code="INVALID_EMAIL", details=problems
        )

    members = set(
        Membership.objects.filter(
            organization=organization, disabled_at__isnull=True, user__email__in=addresses
        ).values_list("user__email", flat=True)
    )
    pending = {
        inv.email: inv
        for inv in Invitation.objects.filter(
            organization=organization, status=Invitation.Status.PENDING, email__in=addresses
        )
    }
    live_pending = {email for email, inv in pending.items() if not inv.is_expired}
    for email in addresses:
        if email in members:
            problems.append(_("%(email)s fait déjà partie de l'équipe.") % {"email": email})
        elif email in live_pending:
            problems.append(
                _(
                    "Une invitation est déjà en attente pour %(email)s : utilisez « Renvoyer » dans la liste des invitations."
                )
                % {"email": email}
            )
    if problems:
        raise TeamError(
            _("Aucune invitation n'a été envoyée."),
            code="ALREADY_INVITED_OR_MEMBER",
            status=409,
            details=problems,
        )

    live_count = Invitation.objects.filter(
        Invitation.live_filter(), organization=organization
    ).count()
    limit = settings.OCTETS_MAX_PENDING_INVITATIONS
    if live_count + len(addresses) > limit:
        raise TeamError(
            _(
                "Au plus %(limit)s invitations peuvent être en attente (%(count)s aujourd'hui). "
                "Annulez des invitations ou attendez qu'elles soient acceptées."
            )
            % {"limit": limit, "count": live_count},
            code="TOO_MANY_PENDING_INVITATIONS",
            status=409,
        )

    now = timezone.now()
    invitations = []
    for email in addresses:
        invitation = pending.get(email)  # an expired pending one is revived with a new code
        if invitation is None:
            invitation = Invitation(organization=organization, email=email)
        invitation.role = role
        invitation.invited_by = invited_by
        invitation.code = new_invitation_code()
        invitation.last_sent_at = now
        invitation.save()
        _send_invitation(invitation, by=invited_by)
        invitations.append(invitation)
    return invitations


@transaction.atomic
def resend_invitation(*, invitation: Invitation, by) -> Invitation:
    organization = _locked(invitation.organization)
    if organization.is_archived:
        raise TeamError(
            _("Cette organisation est archivée : elle ne peut plus inviter de membres."),
            code="ORGANIZATION_ARCHIVED",
            status=403,
        )
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if invitation.status != Invitation.Status.PENDING:
        raise TeamError(
            _("Cette invitation n'est plus en attente."), code="INVITATION_NOT_PENDING", status=409
        )
    if invitation.is_expired:
        # An expired link is dead; the new e-mail carries a new code.
        invitation.code = new_invitation_code()
    invitation.last_sent_at = timezone.now()
    invitation.save(update_fields=["code", "last_sent_at"])
    _send_invitation(invitation, by=by)
    return invitation


@transaction.atomic
def cancel_invitation(*, invitation: Invitation, by) -> Invitation:
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if invitation.status != Invitation.Status.PENDING:
        raise TeamError(
            _("Cette invitation n'est plus en attente."), code="INVITATION_NOT_PENDING", status=409
        )
    invitation.status = Invitation.Status.CANCELLED
    invitation.closed_at = timezone.now()
    invitation.save(update_fields=["status", "closed_at"])
    return invitation


class InvitationLinkError(TeamError):
    pass


def invitation_from_link(*, invitation_id, code: str) -> Invitation:
    """The invitation a link points to, or an error that explains why the link no longer works."""
    invitation = Invitation.objects.select_related("organization").filter(pk=invitation_id).first()
    if invitation is None or not hmac.compare_digest(invitation.code, (code or "").strip().upper()):
        raise InvitationLinkError(
            _("Ce lien d'invitation n'est pas valide. Vérifiez qu'il a été copié en entier."),
            code="INVITATION_NOT_FOUND",
            status=404,
        )
    if invitation.status == Invitation.Status.ACCEPTED:
        raise InvitationLinkError(
            _("Cette invitation a déjà été acceptée. Connectez-vous pour accéder à l'espace."),
            code="INVITATION_ALREADY_ACCEPTED",
            status=409,
        )
    if invitation.status == Invitation.Status.CANCELLED:
        raise InvitationLinkError(
            _("Cette invitation a été annulée par un administrateur de l'organisation."),
            code="INVITATION_CANCELLED",
            status=410,
        )
    if invitation.is_expired:
        raise InvitationLinkError(
            _(
                "Cette invitation a expiré (elle était valable %(days)s jours). "
                "Demandez à un administrateur de l'organisation de vous la renvoyer."
            )
            % {"days": settings.OCTETS_INVITATION_TTL_DAYS},
            code="INVITATION_EXPIRED",
            status=410,
        )
    if invitation.organization.is_archived:
        raise InvitationLinkError(
            _("Cette organisation est archivée : l'invitation ne peut plus être acceptée."),
            code="ORGANIZATION_ARCHIVED",
            status=410,
        )
    return invitation


@transaction.atomic
def accept_invitation(*, invitation_id, code: str, user) -> Membership:
    invitation = invitation_from_link(invitation_id=invitation_id, code=code)
    organization = _locked(invitation.organization)
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if invitation.status != Invitation.Status.PENDING:  # accepted meanwhile by someone else
        invitation_from_link(invitation_id=invitation.pk, code=code)
    membership = Membership.objects.filter(
        organization=organization, user=user, disabled_at__isnull=True
    ).first()
    if membership is None:
        has_members = Membership.objects.filter(
            organization=organization, disabled_at__isnull=True
        ).exists()
        role = invitation.role or (Membership.Role.MEMBER if has_members else Membership.Role.ADMIN)
        membership = Membership.objects.create(organization=organization, user=user, role=role)
    elif invitation.role and invitation.role != membership.role:
        if membership.is_admin and count_active_admins(organization) <= 1:
            raise TeamError(
                _(
                    "Vous êtes le dernier administrateur de cette organisation : votre rôle ne peut pas changer."
                ),
                code="LAST_ADMIN",
                status=409,
            )
        membership.role = invitation.role
        membership.save(update_fields=["role", "updated_at"])
    invitation.status = Invitation.Status.ACCEPTED
    invitation.accepted_by = user
    invitation.closed_at = timezone.now()
    invitation.save(update_fields=["status", "accepted_by", "closed_at"])
    return membership


# --- members ----------------------------------------------------------------------------------


def _locked_active_membership(membership: Membership) -> Membership:
    """Lock the organization, then re-read the membership: it must still be active."""
    _locked(membership.organization)
    membership = (
        Membership.objects.select_for_update().select_related("organization").get(pk=membership.pk)
    )
    if membership.disabled_at is not None:
        raise TeamError(
            _("Ce membre ne fait plus partie de l'équipe."), code="MEMBERSHIP_DISABLED", status=404
        )
    return membership


def _guard_last_admin(membership: Membership, message: str) -> None:
    if membership.is_admin and count_active_admins(membership.organization) <= 1:
        raise TeamError(message, code="LAST_ADMIN", status=409)


@transaction.atomic
def change_member_role(*, membership: Membership, role: str, by) -> Membership:
    if role not in Membership.Role.values:
        raise TeamError(
            _("Le rôle « %(role)s » n'existe pas.") % {"role": role}, code="INVALID_ROLE"
        )
    membership = _locked_active_membership(membership)
    if role == membership.role:
        return membership
    if role == Membership.Role.MEMBER:
        _guard_last_admin(
            membership,
            _(
                "Impossible de retirer le rôle d'administrateur au dernier administrateur de l'organisation. "
                "Nommez d'abord un autre administrateur."
            ),
        )
    membership.role = role
    membership.updated_by = by
    membership.save(update_fields=["role", "updated_by", "updated_at"])
    return membership


@transaction.atomic
def remove_member(*, membership: Membership, by) -> Membership:
    """Soft-disable: the person loses access; what they created stays with the team."""
    membership = _locked_active_membership(membership)
    _guard_last_admin(
        membership,
        _(
            "Impossible de retirer le dernier administrateur de l'organisation. "
            "Nommez d'abord un autre administrateur."
        ),
    )
    membership.disabled_at = timezone.now()
    membership.updated_by = by
    membership.save(update_fields=["disabled_at", "updated_by", "updated_at"])
    return membership


def leave_organization(*, membership: Membership) -> Membership:
    try:
        return remove_member(membership=membership, by=membership.user)
    except TeamError as exc:
        if exc.code == "LAST_ADMIN":
            raise TeamError(
                _(
                    "Vous êtes le dernier administrateur : nommez un autre administrateur avant de quitter cet espace."
                ),
                code="LAST_ADMIN",
                status=409,
            ) from exc
        raise


def touch_membership(membership: Membership) -> None:
    Membership.objects.filter(pk=membership.pk).update(last_accessed_at=timezone.now())


# --- "activate my Orga space" (heads of school) ----------------------------------------------


@transaction.atomic
def request_sco_admin_invitation(*, uai: str, first_name: str, last_name: str) -> Invitation:
    """An ADMIN invitation sent to the school's contact e-mail, never to the requester."""
    uai = normalize_uai(uai)
    try:
        validate_uai(uai)
    except ValidationError as exc:
        raise TeamError(exc.messages[0], code="INVALID_UAI") from exc
    first_name, last_name = (first_name or "").strip(), (last_name or "").strip()
    if not first_name or not last_name:
        raise TeamError(_("Indiquez votre prénom et votre nom."), code="NAME_REQUIRED")
    organizations = list(
        Organization.objects.filter(type=Organization.Type.SCO, external_id=uai)[:2]
    )
    if not organizations:
        raise TeamError(
            _(
                "L'UAI/RNE %(uai)s ne correspond à aucun établissement connu d'Octets. "
                "Vérifiez-le ou contactez le support."
            )
            % {"uai": uai},
            code="UAI_NOT_FOUND",
            status=404,
        )
    organization = _locked(organizations[0])
    if organization.is_archived:
        raise TeamError(
            _("L'espace de cet établissement est archivé. Contactez le support."),
            code="ORGANIZATION_ARCHIVED",
            status=403,
        )
    if not organization.email:
        raise TeamError(
            _(
                "Aucune adresse e-mail de contact n'est connue pour cet établissement. Contactez le support."
            ),
            code="ORGANIZATION_WITHOUT_EMAIL",
            status=409,
        )
    invitation = Invitation.objects.filter(
        organization=organization, email=organization.email, status=Invitation.Status.PENDING
    ).first() or Invitation(organization=organization, email=organization.email)
    if invitation.pk and invitation.is_expired:
        invitation.code = new_invitation_code()
    invitation.role = Membership.Role.ADMIN
    invitation.requested_by_name = f"{first_name} {last_name}"[:300]
    invitation.last_sent_at = timezone.now()
    try:
        invitation.save()
    except IntegrityError as exc:  # a concurrent request created it first
        raise TeamError(
            _("Une demande est déjà en cours, réessayez."), code="CONFLICT", status=409
        ) from exc
    _send_invitation(invitation)
    return invitation
