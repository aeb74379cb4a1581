"""Orga campaign pages: the list, creation, settings, edit, archive, duplicate, delete.

Every page starts from the current organization (``request.organization``): a campaign of
another school is a 404. Editing, archiving, duplicating and deleting are for the campaign's
owner and the organization's admins (``services.can_manage``), checked here before any form is
shown and again by the services when writing.
"""

from django.contrib import messages
from django.db.models import Count, Q
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from octets.campaigns import selectors, services
from octets.campaigns.errors import CampaignError
from octets.campaigns.models import Campaign, TargetProfile
from octets.organizations import selectors as organization_selectors
from octets.www.campaigns.forms import (
    STATUS_ARCHIVED,
    VIEW_ALL,
    CampaignEditForm,
    CampaignFilterForm,
    CampaignForm,
    initial_from,
)
from octets.www.orga.permissions import forbidden, organization_required
from octets.www.orga.views import PAGE_SIZES, paginate

NAV = "campaigns"


def _refused(request):
    return forbidden(
        request,
        _(
            "Seuls le propriétaire de cette campagne et les administrateurs de l'organisation "
            "peuvent la modifier, l'archiver, la dupliquer ou la supprimer."
        ),
    )


def _problem(request, exc: CampaignError, campaign: Campaign | None = None):
    return render(
        request,
        "campaigns/problem.html",
        {"nav": NAV, "problem": exc, "campaign": campaign},
        status=exc.status,
    )


def _campaign(request, campaign_id) -> Campaign:
    campaign = selectors.campaign_for(
        viewer=request.user, organization=request.organization, campaign_id=campaign_id
    )
    if campaign is None:
        raise Http404(_("Cette campagne n'existe pas dans votre organisation."))
    return campaign


def _can_manage(request, campaign: Campaign) -> bool:
    return services.can_manage(request.user, campaign, request.membership)


def _members(request) -> list:
    return list(
        organization_selectors.team_members(viewer=request.user, organization=request.organization)
    )


def _put_error_on_field(form, exc: CampaignError) -> None:
    fields = [name for name in exc.details if name in form.fields]
    if fields:
        for name in fields:
            form.add_error(name, exc.message)
    else:
        form.add_error(None, exc.message)


# --- list ----------------------------------------------------------------------------------------


@require_GET
@organization_required()
def campaign_list(request):
    filters = CampaignFilterForm(request.GET or None)
    chosen = filters.values()
    show_all = chosen["vue"] == VIEW_ALL
    qs = selectors.campaign_list(
        viewer=request.user,
        organization=request.organization,
        mine=not show_all,
        archived=chosen["statut"] == STATUS_ARCHIVED,
        name=chosen["nom"],
        owner=chosen["proprietaire"] if show_all else "",
    )
    page = paginate(request, qs)
    is_admin = request.membership.is_admin
    rows = [
        (campaign, is_admin or campaign.owner_id == request.user.pk)
        for campaign in page.object_list
    ]
    context = {
        "nav": NAV,
        "filters": filters,
        "chosen": chosen,
        "show_all": show_all,
        "archived": chosen["statut"] == STATUS_ARCHIVED,
        "page_obj": page,
        "rows": rows,
        "any_manageable": any(manageable for _campaign, manageable in rows),
        "result_count": page.paginator.count,
        "page_sizes": PAGE_SIZES,
        "page_size": page.paginator.per_page,
        "filtered": bool(chosen["nom"] or (show_all and chosen["proprietaire"])),
    }
    template = "campaigns/list.html#campaigns-table" if request.htmx else "campaigns/list.html"
    response = render(request, template, context)
    response["Vary"] = "HX-Request"
    return response


# --- creation and duplication -------------------------------------------------------------------


def _with_counts(profiles):
    """Each profile with its numbers of capped tubes, stages and badges (what the cards show)."""
    return profiles.annotate(
        tubes_count=Count("capped_tubes", distinct=True),
        stages_count=Count("stages", distinct=True),
        badges_count=Count("badges", distinct=True),
    )


def profile_groups(organization) -> list[tuple[str, str, list[TargetProfile]]]:
    """The profiles the school may use, by category: (category, label, profiles) (one query)."""
    profiles = _with_counts(selectors.target_profiles_for(organization))
    labels = dict(TargetProfile.Category.choices)
    groups: dict[str, list[TargetProfile]] = {}
    for profile in profiles:
        groups.setdefault(profile.category, []).append(profile)
    order = list(labels)
    return [
        (category, labels.get(category, category), groups[category])
        for category in sorted(groups, key=lambda c: order.index(c) if c in order else len(order))
    ]


def _creation_page(request, form, *, status=200, source: Campaign | None = None):
    return render(
        request,
        "campaigns/create.html",
        {
            "nav": NAV,
            "form": form,
            "profile_groups": profile_groups(request.organization),
            "purposes": Campaign.Type.choices,
            "external_id_types": Campaign.ExternalIdType.choices,
            "source": source,
        },
        status=status,
    )


@require_http_methods(["GET", "POST"])
@organization_required()
def create(request):
    members = _members(request)
    if request.method == "GET":
        form = CampaignForm(initial={"owner": str(request.user.pk)}, members=members)
        return _creation_page(request, form)
    form = CampaignForm(request.POST, members=members)
    if not form.is_valid():
        return _creation_page(request, form, status=400)
    try:
        campaign = services.create_campaign(
            organization=request.organization, creator=request.user, **form.service_arguments()
        )
    except CampaignError as exc:
        _put_error_on_field(form, exc)
        return _creation_page(request, form, status=exc.status)
    messages.success(
        request,
        _(
            "La campagne « %(name)s » est créée. Donnez aux élèves son code : %(code)s "
            "(ou le lien direct)."
        )
        % {"name": campaign.name, "code": campaign.code},
    )
    return redirect("campaigns:settings", campaign_id=campaign.pk)


@require_GET
@organization_required()
def duplicate(request, campaign_id: int):
    campaign = _campaign(request, campaign_id)
    if not _can_manage(request, campaign):
        return _refused(request)
    initial = {**initial_from(campaign, copy=True), "owner": str(request.user.pk)}
    form = CampaignForm(initial=initial, members=_members(request))
    return _creation_page(request, form, source=campaign)


# --- a campaign's settings, edit, archive ------------------------------------------------------


@require_GET
@organization_required()
def settings_tab(request, campaign_id: int):
    campaign = _campaign(request, campaign_id)
    profile = None
    if campaign.target_profile_id:
        # whatever the profile's sharing today: the campaign runs on it
        profile = _with_counts(TargetProfile.objects.filter(pk=campaign.target_profile_id)).first()
    return render(
        request,
        "campaigns/settings.html",
        {
            "nav": NAV,
            "tab": "settings",
            "campaign": campaign,
            "profile": profile,
            "can_manage": _can_manage(request, campaign),
        },
    )


@require_http_methods(["GET", "POST"])
@organization_required()
def edit(request, campaign_id: int):
    campaign = _campaign(request, campaign_id)
    if not _can_manage(request, campaign):
        return _refused(request)
    members = _members(request)
    context = {"nav": NAV, "tab": "settings", "campaign": campaign, "can_manage": True}
    if request.method == "GET":
        form = CampaignEditForm(initial=initial_from(campaign), members=members, campaign=campaign)
        return render(request, "campaigns/edit.html", {**context, "form": form})
    form = CampaignEditForm(request.POST, members=members, campaign=campaign)
    if not form.is_valid():
        return render(request, "campaigns/edit.html", {**context, "form": form}, status=400)
    data = form.cleaned_data
    try:
        services.update_campaign(
            campaign=campaign,
            user=request.user,
            name=data["name"],
            title=data.get("title", ""),
            landing_text=data["landing_text"],
            owner_id=data["owner"] or None,
        )
    except CampaignError as exc:
        campaign.refresh_from_db()  # the service may have set fields before refusing
        _put_error_on_field(form, exc)
        return render(request, "campaigns/edit.html", {**context, "form": form}, status=exc.status)
    messages.success(request, _("Les modifications de la campagne sont enregistrées."))
    return redirect("campaigns:settings", campaign_id=campaign.pk)


def _archive_action(request, campaign_id: int, *, archive: bool):
    campaign = _campaign(request, campaign_id)
    if not _can_manage(request, campaign):
        return _refused(request)
    action = services.archive_campaign if archive else services.unarchive_campaign
    try:
        action(campaign=campaign, user=request.user)
    except CampaignError as exc:
        return _problem(request, exc, campaign)
    if archive:
        messages.success(
            request,
            _("Campagne archivée : plus personne ne peut y participer ni envoyer de résultats."),
        )
    else:
        messages.success(
            request, _("Campagne désarchivée : les élèves peuvent à nouveau y participer.")
        )
    return redirect("campaigns:settings", campaign_id=campaign.pk)


@require_POST
@organization_required()
def archive(request, campaign_id: int):
    return _archive_action(request, campaign_id, archive=True)


@require_POST
@organization_required()
def unarchive(request, campaign_id: int):
    return _archive_action(request, campaign_id, archive=False)


# --- deletion ----------------------------------------------------------------------------------


def _selected_campaigns(request, values) -> list[Campaign]:
    """The ticked campaigns of the current organization, with how many participations (every
    sending, kept or not) their deletion removes. A campaign of another school is a 404."""
    ids = {int(value) for value in values if str(value).isdigit()}
    campaigns = list(
        Campaign.objects.filter(
            selectors.campaigns_viewable_by(request.user),
            organization=request.organization,
            pk__in=ids,
        )
        .select_related("owner")
        .annotate(
            participations_count=Count(
                "participations", filter=Q(participations__deleted_at__isnull=True)
            )
        )
        .order_by("name", "pk")
    )
    if len(campaigns) != len(ids):
        raise Http404(_("Une des campagnes choisies n'existe pas dans votre organisation."))
    return campaigns


@require_http_methods(["GET", "POST"])
@organization_required()
def delete(request):
    """GET: the confirmation page for the ticked campaigns; POST (confirmed): delete them."""
    values = (
        request.GET.getlist("campagnes")
        if request.method == "GET"
        else (request.POST.getlist("campagnes"))
    )
    campaigns = _selected_campaigns(request, values)
    if not campaigns:
        return _problem(
            request,
            CampaignError(
                _("Cochez au moins une campagne de votre organisation à supprimer."),
                code="NOTHING_SELECTED",
            ),
        )
    if not all(_can_manage(request, campaign) for campaign in campaigns):
        return _refused(request)
    context = {
        "nav": NAV,
        "campaigns": campaigns,
        "participations_count": sum(c.participations_count for c in campaigns),
    }
    if request.method == "GET":
        return render(request, "campaigns/delete_confirm.html", context)
    if request.POST.get("confirmation") != "on":
        context["confirmation_error"] = _(
            "Cochez la case pour confirmer que vous avez compris que la suppression est définitive."
        )
        return render(request, "campaigns/delete_confirm.html", context, status=400)
    try:
        count = services.delete_campaigns(
            organization=request.organization,
            user=request.user,
            campaign_ids=[campaign.pk for campaign in campaigns],
        )
    except CampaignError as exc:
        return render(
            request, "campaigns/delete_confirm.html", {**context, "problem": exc}, status=exc.status
        )
    messages.success(
        request,
        ngettext(
            "%(count)d campagne supprimée, avec ses participations.",
            "%(count)d campagnes supprimées, avec leurs participations.",
            count,
        )
        % {"count": count},
    )
    return redirect("campaigns:list")
