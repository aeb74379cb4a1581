"""Team endpoints: the same services and rules as the Équipe pages."""

from datetime import datetime
from typing import Literal

from django.http import Http404
from ninja import Router, Schema, Status
from ninja.errors import HttpError

from octets.api.errors import Error
from octets.organizations import selectors, services
from octets.organizations.models import Invitation, Membership, Organization
from octets.organizations.permissions import active_membership, organizations_viewable_by

router = Router(tags=["Équipe"])

Role = Literal["ADMIN", "MEMBER"]


class OrganizationOut(Schema):
    id: int
    type: str
    name: str
    external_id: str
    is_managing_students: bool
    archived: bool
    role: Role

    @staticmethod
    def from_membership(m: Membership) -> "OrganizationOut":
        o = m.organization
        return OrganizationOut(
            id=o.pk,
            type=o.type,
            name=o.name,
            external_id=o.external_id,
            is_managing_students=o.is_managing_students,
            archived=o.is_archived,
            role=m.role,
        )


class MemberOut(Schema):
    id: int
    user_id: int
    first_name: str
    last_name: str
    email: str | None
    role: Role
    created_at: datetime


class MemberPage(Schema):
    count: int
    page: int
    page_size: int
    results: list[MemberOut]


class RoleIn(Schema):
    role: Role


class InvitationIn(Schema):
    emails: str | list[str]
    role: Role = "MEMBER"


class InvitationOut(Schema):
    id: int
    email: str
    role: Role | None
    status: str
    last_sent_at: datetime
    expires_at: datetime
    expired: bool


def _invitation_out(inv: Invitation) -> InvitationOut:
    return InvitationOut(
        id=inv.pk,
        email=inv.email,
        role=inv.role,
        status=inv.status,
        last_sent_at=inv.last_sent_at,
        expires_at=inv.expires_at,
        expired=inv.is_expired,
    )


def _member_out(m: Membership) -> MemberOut:
    return MemberOut(
        id=m.pk,
        user_id=m.user_id,
        first_name=m.user.first_name,
        last_name=m.user.last_name,
        email=m.user.email,
        role=m.role,
        created_at=m.created_at,
    )


def organization_for(request, organization_id: int, *, admin: bool = False) -> Organization:
    """The organization of the URL, if the caller is an active member (404 otherwise); with
    ``admin``, only for its admins (403). Shared by every organization-scoped router."""
    organization = Organization.objects.filter(
        organizations_viewable_by(request.user), pk=organization_id
    ).first()
    if organization is None:
        raise Http404("Organisation introuvable, ou vous n'en êtes pas membre.")
    if admin:
        membership = active_membership(request.user, organization)
        if membership is None or not membership.is_admin:
            raise HttpError(403, "Cette action est réservée aux administrateurs de l'organisation.")
    return organization


@router.get("/organizations", response=list[OrganizationOut], summary="Mes organisations")
def my_organizations(request):
    memberships = (
        Membership.objects.filter(user=request.user, disabled_at__isnull=True)
        .select_related("organization")
        .order_by("organization__name")
    )
    return [OrganizationOut.from_membership(m) for m in memberships]


@router.get(
    "/organizations/{organization_id}/members",
    response={200: MemberPage, 404: Error},
    summary="Membres de l'équipe (recherche, filtre par rôle, pagination)",
)
def list_members(
    request,
    organization_id: int,
    search: str = "",
    role: Role | None = None,
    page: int = 1,
    page_size: int = 25,
):
    organization = organization_for(request, organization_id)
    page_size = max(1, min(page_size, 100))
    page = max(1, page)
    qs = selectors.team_members(
        viewer=request.user, organization=organization, search=search, role=role or ""
    )
    count = qs.count()
    rows = qs[(page - 1) * page_size : page * page_size]
    return MemberPage(
        count=count, page=page, page_size=page_size, results=[_member_out(m) for m in rows]
    )


@router.patch(
    "/organizations/{organization_id}/members/{membership_id}",
    response={200: MemberOut, 403: Error, 404: Error, 409: Error},
    summary="Changer le rôle d'un membre",
)
def change_role(request, organization_id: int, membership_id: int, payload: RoleIn):
    organization = organization_for(request, organization_id, admin=True)
    membership = selectors.member(
        viewer=request.user, organization=organization, membership_id=membership_id
    )
    if membership is None:
        raise Http404("Ce membre n'existe pas dans cette organisation.")
    membership = services.change_member_role(
        membership=membership, role=payload.role, by=request.user
    )
    return _member_out(membership)


@router.delete(
    "/organizations/{organization_id}/members/{membership_id}",
    response={204: None, 403: Error, 404: Error, 409: Error},
    summary="Retirer un membre de l'équipe (ou quitter l'espace, pour soi-même)",
)
def remove_member(request, organization_id: int, membership_id: int):
    organization = organization_for(request, organization_id)
    membership = selectors.member(
        viewer=request.user, organization=organization, membership_id=membership_id
    )
    if membership is None:
        raise Http404("Ce membre n'existe pas dans cette organisation.")
    if membership.user_id == request.user.pk:
        services.leave_organization(membership=membership)
    else:
        organization_for(request, organization_id, admin=True)
        services.remove_member(membership=membership, by=request.user)
    return Status(204, None)


@router.get(
    "/organizations/{organization_id}/invitations",
    response={200: list[InvitationOut], 403: Error, 404: Error},
    summary="Invitations en attente",
)
def list_invitations(request, organization_id: int):
    organization = organization_for(request, organization_id, admin=True)
    return [
        _invitation_out(i)
        for i in selectors.pending_invitations(viewer=request.user, organization=organization)
    ]


@router.post(
    "/organizations/{organization_id}/invitations",
    response={201: list[InvitationOut], 400: Error, 403: Error, 404: Error, 409: Error},
    summary="Inviter une ou plusieurs adresses (séparées par des virgules)",
)
def invite(request, organization_id: int, payload: InvitationIn):
    organization = organization_for(request, organization_id, admin=True)
    sent = services.invite_members(
        organization=organization, invited_by=request.user, emails=payload.emails, role=payload.role
    )
    return Status(201, [_invitation_out(i) for i in sent])


def _pending(request, organization, invitation_id) -> Invitation:
    invitation = selectors.pending_invitation(
        viewer=request.user, organization=organization, invitation_id=invitation_id
    )
    if invitation is None:
        raise Http404("Cette invitation n'existe pas ou n'est plus en attente.")
    return invitation


@router.post(
    "/organizations/{organization_id}/invitations/{invitation_id}/resend",
    response={200: InvitationOut, 403: Error, 404: Error, 409: Error},
    summary="Renvoyer une invitation (la date de dernier envoi est mise à jour)",
)
def resend(request, organization_id: int, invitation_id: int):
    organization = organization_for(request, organization_id, admin=True)
    invitation = services.resend_invitation(
        invitation=_pending(request, organization, invitation_id), by=request.user
    )
    return _invitation_out(invitation)


@router.delete(
    "/organizations/{organization_id}/invitations/{invitation_id}",
    response={204: None, 403: Error, 404: Error, 409: Error},
    summary="Annuler une invitation",
)
def cancel(request, organization_id: int, invitation_id: int):
    organization = organization_for(request, organization_id, admin=True)
    services.cancel_invitation(
        invitation=_pending(request, organization, invitation_id), by=request.user
    )
    return Status(204, None)
