"""Orga campaign result pages: activity, results, analysis, a participant, the CSV export.

Every page starts from ``selectors.campaign_for`` (the viewer's organizations only: another
school's campaign is a 404); lists read one page of rows plus a fixed number of queries.
"""

from django.conf import settings
from django.contrib import messages
from django.core.files.storage import default_storage
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_http_methods

from octets.campaigns import exports, reports, selectors, services
from octets.campaigns.errors import CampaignError
from octets.campaigns.models import Campaign, Participation
from octets.jobs.models import Job
from octets.www.orga.permissions import forbidden, organization_required
from octets.www.orga.views import PAGE_SIZES, paginate

RECOMMENDATION_LABELS = {
    "strongly": gettext_lazy("Fortement recommandé"),
    "very": gettext_lazy("Très recommandé"),
    "recommended": gettext_lazy("Recommandé"),
    "fairly": gettext_lazy("Assez recommandé"),
}
EVOLUTION_LABELS = {
    "increase": gettext_lazy("En hausse"),
    "decrease": gettext_lazy("En baisse"),
    "stable": gettext_lazy("Stable"),
}


def _campaign(request, campaign_id) -> Campaign:
    campaign = selectors.campaign_for(
        viewer=request.user, organization=request.organization, campaign_id=campaign_id
    )
    if campaign is None:
        raise Http404(_("Cette campagne n'existe pas dans votre organisation."))
    return campaign


def _status_choices(campaign: Campaign) -> list[tuple[str, str]]:
    labels = dict(Participation.Status.choices)
    if not campaign.is_assessment:
        labels[Participation.Status.SHARED] = _("Profil reçu")
    return list(labels.items())


def _filters(request) -> dict:
    get = request.GET
    return {
        "classe": [v for v in get.getlist("classe") if v],
        "statut": [v for v in get.getlist("statut") if v in Participation.Status.values],
        "recherche": get.get("recherche", "").strip()[:100],
        "palier": [v for v in get.getlist("palier") if v.isdigit()],
        "badge": [v for v in get.getlist("badge") if v],
    }


def _bars(pairs) -> list[dict]:
    """Rows of a bar table: label, count, and the bar's width relative to the largest."""
    pairs = list(pairs)
    top = max((count for _label, count in pairs), default=0)
    return [
        {"label": label, "count": count, "width": round(100 * count / top) if top else 0}
        for label, count in pairs
    ]


def _render_list(request, template: str, partial: str, context: dict):
    name = f"{template}#{partial}" if request.htmx else template
    response = render(request, name, context)
    response["Vary"] = "HX-Request"
    return response


def _page_context(request, page, campaign, filters) -> dict:
    return {
        "nav": "campaigns",
        "campaign": campaign,
        "page_obj": page,
        "result_count": page.paginator.count,
        "page_sizes": PAGE_SIZES,
        "page_size": page.paginator.per_page,
        "filters": filters,
        "filtered": any(filters.values()),
        "can_manage": services.can_manage(request.user, campaign, request.membership),
    }


# --- activity ------------------------------------------------------------------------------


@organization_required()
def activity_tab(request, campaign_id: int):
    campaign = _campaign(request, campaign_id)
    filters = _filters(request)
    qs = selectors.filter_participations(
        selectors.current_participations(campaign),
        divisions=filters["classe"],
        statuses=filters["statut"],
        search=filters["recherche"],
    )
    page = paginate(request, reports.ordered_by_name(qs))
    participations = list(page.object_list)
    counts = reports.participation_counts(campaign, participations)
    statuses = dict(_status_choices(campaign))
    rows = []
    for participation in participations:
        last_name, first_name = selectors.participant_name(participation)
        rows.append(
            {
                "participation": participation,
                "last_name": last_name,
                "first_name": first_name,
                "division": getattr(participation.organization_learner, "division", ""),
                "status": statuses[participation.status],
                "count": counts.get(selectors.participant_key(participation), 1),
            }
        )
    context = _page_context(request, page, campaign, filters)
    context.update(
        {
            "tab": "activity",
            "rows": rows,
            "statuses": list(statuses.items()),
            "divisions": selectors.divisions_of(campaign),
        }
    )
    if not request.htmx:
        total_stages = _total_stages(campaign) if campaign.is_assessment else 0
        stats = selectors.activity(campaign, total_stages=total_stages)
        context.update(
            {
                "stats": stats,
                "status_bars": _bars(
                    [
                        (statuses[Participation.Status.STARTED], stats.started),
                        (statuses[Participation.Status.TO_SHARE], stats.to_share),
                        (statuses[Participation.Status.SHARED], stats.shared),
                    ]
                ),
                "days": _day_rows(stats.by_day),
                "band_bars": _bars(stats.by_result_band),
                "stage_bars": _bars(
                    (
                        _stars_label(stage - 1, total_stages - 1),
                        count,
                    )
                    for stage, count in stats.by_stage
                ),
            }
        )
    return _render_list(request, "campaigns/activity.html", "participants-table", context)


def _total_stages(campaign: Campaign) -> int:
    if campaign.target_profile_id is None:
        return 0
    return campaign.target_profile.stages.count()


def _day_rows(by_day) -> list[dict]:
    top = max((max(started, shared) for _day, started, shared in by_day), default=0)
    return [
        {
            "day": day,
            "started": started,
            "shared": shared,
            "started_width": round(100 * started / top) if top else 0,
            "shared_width": round(100 * shared / top) if top else 0,
        }
        for day, started, shared in by_day
    ]


# --- results -------------------------------------------------------------------------------


@organization_required()
def results_tab(request, campaign_id: int):
    campaign = _campaign(request, campaign_id)
    filters = _filters(request)
    rules = selectors.profile_rules(campaign.target_profile_id)
    qs = selectors.filter_participations(
        selectors.current_participations(campaign).filter(status=Participation.Status.SHARED),
        divisions=filters["classe"],
        search=filters["recherche"],
        stages=filters["palier"] if campaign.is_assessment else (),
        badges=filters["badge"] if campaign.is_assessment else (),
    )
    page = paginate(request, reports.ordered_by_name(qs))
    participations = list(page.object_list)
    sent = reports.sendings(campaign, participations)
    badges_by_key = {badge.key: badge for badge in rules.badges}
    rows = []
    for participation in participations:
        last_name, first_name = selectors.participant_name(participation)
        history = sent.get(selectors.participant_key(participation), reports.Sendings(count=1))
        if campaign.is_assessment:
            evolution = selectors.evolution(participation.mastery_rate, history.previous_rate)
        else:
            evolution = reports.pix_evolution(participation.pix_score, history.previous_pix)
        rows.append(
            {
                "participation": participation,
                "last_name": last_name,
                "first_name": first_name,
                "division": getattr(participation.organization_learner, "division", ""),
                "percentage": round((participation.mastery_rate or 0) * 100),
                "badges": [
                    badges_by_key[key]
                    for key in participation.badge_keys or []
                    if key in badges_by_key
                ],
                "sendings": max(history.count, 1),
                "evolution": evolution,
                "evolution_label": EVOLUTION_LABELS.get(evolution, ""),
            }
        )
    total_stages = len(rules.stages)
    context = _page_context(request, page, campaign, filters)
    context.update(
        {
            "tab": "results",
            "rows": rows,
            "divisions": selectors.divisions_of(campaign),
            "badges": rules.badges,
            "total_stages": total_stages,
            # the filter's values are the stored stage numbers (1 = the zero stage), shown as stars
            "stage_choices": [
                (str(n), _stars_label(n - 1, total_stages - 1)) for n in range(1, total_stages + 1)
            ],
            "star_range": range(1, total_stages),
        }
    )
    return _render_list(request, "campaigns/results.html", "results-table", context)


# --- analysis ------------------------------------------------------------------------------


@organization_required()
def analysis_tab(request, campaign_id: int):
    campaign = _campaign(request, campaign_id)
    if not campaign.is_assessment:
        raise Http404(_("Une collecte de profils n'a pas d'analyse."))
    competences, tubes, count = reports.analysis(campaign)
    return render(
        request,
        "campaigns/analysis.html",
        {
            "nav": "campaigns",
            "tab": "analysis",
            "campaign": campaign,
            "can_manage": services.can_manage(request.user, campaign, request.membership),
            "competences": competences,
            "tubes": [{"tube": tube, "label": RECOMMENDATION_LABELS[tube.label]} for tube in tubes],
            "count": count,
        },
    )


# --- a participant -------------------------------------------------------------------------


def _participant_context(request, campaign, participation) -> dict:
    last_name, first_name = selectors.participant_name(participation)
    history = reports.history(participation)
    context = {
        "nav": "campaigns",
        "tab": "participant",
        "campaign": campaign,
        "participation": participation,
        "last_name": last_name,
        "first_name": first_name,
        "division": getattr(participation.organization_learner, "division", ""),
        "history": [(number, item) for number, item in enumerate(history, start=1)],
        "can_manage": services.can_manage(request.user, campaign, request.membership),
        "status_label": dict(_status_choices(campaign))[participation.status],
    }
    if campaign.is_assessment:
        result = reports.result_of(participation)
        context["result"] = result
        if result is not None and result.total_stages:
            context["stars"] = range(1, result.stars_total + 1)
    elif participation.is_shared:
        context["profile_lines"] = reports.profile_lines(participation)
    return context


def _own_participation(campaign, participation_id) -> Participation:
    participation = reports.participation_in(campaign, participation_id)
    if participation is None:
        raise Http404(_("Cette participation n'existe pas dans cette campagne."))
    return participation


@organization_required()
def participant(request, campaign_id: int, participation_id: int):
    campaign = _campaign(request, campaign_id)
    participation = _own_participation(campaign, participation_id)
    return render(
        request,
        "campaigns/participant.html",
        _participant_context(request, campaign, participation),
    )


@require_http_methods(["GET", "POST"])
@organization_required()
def delete_participant(request, campaign_id: int, participation_id: int):
    campaign = _campaign(request, campaign_id)
    participation = _own_participation(campaign, participation_id)
    if not services.can_manage(request.user, campaign, request.membership):
        return forbidden(
            request,
            _(
                "Seuls le propriétaire de la campagne et les administrateurs de l'organisation peuvent supprimer un participant."
            ),
        )
    context = _participant_context(request, campaign, participation)
    context["confirm_delete"] = True
    if request.method == "GET":
        return render(request, "campaigns/participant.html", context)
    if request.POST.get("confirmation") != "on":
        context["problem"] = CampaignError(
            _("Cochez la case pour confirmer la suppression."),
            code="CONFIRMATION_REQUIRED",
            status=400,
        )
        return render(request, "campaigns/participant.html", context, status=400)
    try:
        services.delete_participant(
            campaign=campaign, user=request.user, participation=participation
        )
    except CampaignError as exc:
        context["problem"] = exc
        return render(request, "campaigns/participant.html", context, status=exc.status)
    messages.success(
        request,
        _("Le participant %(name)s a été supprimé de la campagne.")
        % {"name": f"{context['first_name']} {context['last_name']}".strip()},
    )
    return redirect("campaigns:activity", campaign_id=campaign.pk)


# --- export --------------------------------------------------------------------------------


def _download(campaign, job_id):
    try:
        job_id = int(job_id)
    except (TypeError, ValueError):
        raise Http404 from None
    job = exports.export_jobs(campaign).filter(pk=job_id, status=Job.Status.SUCCEEDED).first()
    path = (job.result or {}).get("path") if job else None
    if not path or exports.is_expired(job) or not default_storage.exists(path):
        raise Http404(_("Ce fichier n'est plus disponible : relancez l'export."))
    response = FileResponse(
        default_storage.open(path, "rb"),
        as_attachment=True,
        filename=job.result.get("filename") or exports.export_filename(campaign),
        content_type="text/csv; charset=utf-8",
    )
    response["Cache-Control"] = "no-store"
    return response


def _stars_label(won: int, total: int) -> str:
    return ngettext("%(n)s étoile sur %(total)s", "%(n)s étoiles sur %(total)s", won) % {
        "n": won,
        "total": total,
    }


def _stream(campaign):
    return exports.streaming_response(campaign)


@require_http_methods(["GET", "POST"])
@organization_required()
def export(request, campaign_id: int):
    campaign = _campaign(request, campaign_id)
    if request.method == "GET" and "fichier" in request.GET:
        return _download(campaign, request.GET["fichier"])
    size = exports.export_size(campaign)
    if size <= settings.OCTETS_EXPORT_SYNC_MAX:
        if request.method == "POST":
            return redirect("campaigns:export", campaign_id=campaign.pk)
        return _stream(campaign)
    exports.purge_expired_exports()
    if request.method == "POST":
        exports.start_export(campaign=campaign, user=request.user)
        return redirect("campaigns:export", campaign_id=campaign.pk)
    job = exports.latest_export_job(campaign)
    if (
        job is not None
        and job.status == Job.Status.SUCCEEDED
        and (exports.is_expired(job) or not (job.result or {}).get("path"))
    ):
        job = None  # the file is gone: offer a new export
    context = {
        "nav": "campaigns",
        "tab": "export",
        "campaign": campaign,
        "can_manage": services.can_manage(request.user, campaign, request.membership),
        "job": job,
        "Status": Job.Status,
        "size": size,
        "retention_days": exports.EXPORT_RETENTION.days,
    }
    name = "campaigns/export_pending.html"
    response = render(request, f"{name}#export-status" if request.htmx else name, context)
    response["Vary"] = "HX-Request"
    return response
