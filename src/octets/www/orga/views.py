"""Team pages (Orga "Équipe"): members, invitations, inviting, roles, removal, leaving, switching."""

from django.contrib import messages
from django.contrib.auth import logout
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from octets.organizations import selectors, services
from octets.organizations.middleware import SESSION_KEY
from octets.organizations.models import Membership
from octets.www.orga.forms import InviteForm, MemberFilterForm, RoleForm
from octets.www.orga.permissions import organization_required

PAGE_SIZES = (10, 25, 50, 100)


def _page_size(request) -> int:
    try:
        size = int(request.GET.get("taille", 25))
    except ValueError:
        return 25
    return size if size in PAGE_SIZES else 25


def paginate(request, queryset):
    """A page of ``queryset`` (size from ``?taille=``), with an elided page range for the links."""
    page = Paginator(queryset, _page_size(request)).get_page(request.GET.get("page"))
    page.elided_range = list(
        page.paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1)
    )
    return page


def _team_counts(request, members_count: int | None = None) -> dict:
    org, user = request.organization, request.user
    if members_count is None:
        members_count = selectors.team_members(viewer=user, organization=org).count()
    counts = {"members_count": members_count}
    if request.membership.is_admin:
        counts["invitations_count"] = selectors.pending_invitations(
            viewer=user, organization=org
        ).count()
    return counts


@organization_required()
def members(request):
    filters = MemberFilterForm(request.GET or None)
    search = role = ""
    if filters.is_valid():
        search, role = filters.cleaned_data["search"], filters.cleaned_data["role"]
    qs = selectors.team_members(
        viewer=request.user, organization=request.organization, search=search, role=role
    )
    page = paginate(request, qs)
    context = {
        "nav": "team",
        "tab": "members",
        "filters": filters,
        "page_obj": page,
        "result_count": page.paginator.count,
        "admin_count": selectors.count_active_admins(request.organization),
        "page_sizes": PAGE_SIZES,
        "page_size": page.paginator.per_page,
        "roles": Membership.Role.choices,
        # Without filters the page count is the team size: no second COUNT.
        **_team_counts(request, None if (search or role) else page.paginator.count),
    }
    template = "orga/members.html#members-table" if request.htmx else "orga/members.html"
    response = render(request, template, context)
    response["Vary"] = "HX-Request"
    return response


def _problem_response(request, exc, template="orga/problem.html", context=None):
    return render(
        request, template, {"problem": exc, "nav": "team", **(context or {})}, status=exc.status
    )


def _own_member(request, membership_id) -> Membership:
    membership = selectors.member(
        viewer=request.user, organization=request.organization, membership_id=membership_id
    )
    if membership is None:
        raise Http404(_("Ce membre n'existe pas dans votre organisation."))
    return membership


@require_POST
@organization_required(admin=True)
def change_role(request, membership_id: int):
    membership = _own_member(request, membership_id)
    form = RoleForm(request.POST)
    if not form.is_valid():
        return _problem_response(
            request, services.TeamError(_("Choisissez un rôle valide."), code="INVALID_ROLE")
        )
    try:
        services.change_member_role(
            membership=membership, role=form.cleaned_data["role"], by=request.user
        )
    except services.TeamError as exc:
        return _problem_response(request, exc)
    messages.success(
        request,
        _("%(name)s est maintenant %(role)s.")
        % {
            "name": membership.user.full_name,
            "role": Membership.Role(form.cleaned_data["role"]).label.lower(),
        },
    )
    return redirect("orga:members")


@require_http_methods(["GET", "POST"])
@organization_required(admin=True)
def remove_member(request, membership_id: int):
    membership = _own_member(request, membership_id)
    if membership.user_id == request.user.pk:
        return redirect("orga:leave")
    if request.method == "GET":
        return render(request, "orga/remove_member.html", {"membership": membership, "nav": "team"})
    try:
        services.remove_member(membership=membership, by=request.user)
    except services.TeamError as exc:
        return _problem_response(request, exc)
    messages.success(
        request,
        _("%(name)s ne fait plus partie de l'équipe.") % {"name": membership.user.full_name},
    )
    return redirect("orga:members")


@require_http_methods(["GET", "POST"])
@organization_required()
def leave(request):
    membership = request.membership
    if request.method == "GET":
        is_last_admin = (
            membership.is_admin and selectors.count_active_admins(request.organization) <= 1
        )
        return render(request, "orga/leave.html", {"is_last_admin": is_last_admin, "nav": "team"})
    try:
        services.leave_organization(membership=membership)
    except services.TeamError as exc:
        return _problem_response(request, exc)
    name = request.organization.name
    request.session.pop(SESSION_KEY, None)
    remaining = selectors.organizations_of(request.user).exists()
    if not remaining:
        logout(request)
    messages.success(request, _("Vous avez quitté l'espace de %(name)s.") % {"name": name})
    return redirect("home")


@organization_required(admin=True)
def invitations(request):
    qs = selectors.pending_invitations(viewer=request.user, organization=request.organization)
    page = paginate(request, qs)
    return render(
        request,
        "orga/invitations.html",
        {"nav": "team", "tab": "invitations", "page_obj": page, **_team_counts(request)},
    )


@require_http_methods(["GET", "POST"])
@organization_required(admin=True)
def invite(request):
    form = InviteForm(request.POST or None)
    context = {"nav": "team", "tab": "invite", "form": form, **_team_counts(request)}
    if request.method == "GET":
        return render(request, "orga/invite.html", context)
    if not form.is_valid():
        return render(request, "orga/invite.html", context, status=400)
    try:
        sent = services.invite_members(
            organization=request.organization,
            invited_by=request.user,
            emails=form.cleaned_data["emails"],
            role=form.cleaned_data["role"],
        )
    except services.TeamError as exc:
        return render(request, "orga/invite.html", {**context, "problem": exc}, status=exc.status)
    if len(sent) == 1:
        messages.success(request, _("Invitation envoyée à %(email)s.") % {"email": sent[0].email})
    else:
        messages.success(request, _("%(count)s invitations envoyées.") % {"count": len(sent)})
    return redirect("orga:invitations")


def _own_invitation(request, invitation_id):
    invitation = selectors.pending_invitation(
        viewer=request.user, organization=request.organization, invitation_id=invitation_id
    )
    if invitation is None:
        raise Http404(_("Cette invitation n'existe pas ou n'est plus en attente."))
    return invitation


def _invitation_action(request, invitation_id, action, success_message):
    invitation = _own_invitation(request, invitation_id)
    try:
        action(invitation=invitation, by=request.user)
    except services.TeamError as exc:
        return _problem_response(request, exc)
    messages.success(request, success_message % {"email": invitation.email})
    return redirect("orga:invitations")


@require_POST
@organization_required(admin=True)
def resend_invitation(request, invitation_id: int):
    return _invitation_action(
        request, invitation_id, services.resend_invitation, _("Invitation renvoyée à %(email)s.")
    )


@require_POST
@organization_required(admin=True)
def cancel_invitation(request, invitation_id: int):
    return _invitation_action(
        request, invitation_id, services.cancel_invitation, _("Invitation de %(email)s annulée.")
    )


@require_POST
def switch_organization(request):
    try:
        organization_id = int(request.POST.get("organization", ""))
    except ValueError:
        organization_id = None
    target = next((m for m in request.memberships if m.organization_id == organization_id), None)
    if target is None:
        return render(
            request,
            "orga/forbidden.html",
            {"reason": _("Vous n'êtes pas membre de cette organisation.")},
            status=403,
        )
    request.session[SESSION_KEY] = target.organization_id
    services.touch_membership(target)
    messages.info(
        request, _("Vous êtes dans l'espace de %(name)s.") % {"name": target.organization.name}
    )
    return redirect("orga:members")
