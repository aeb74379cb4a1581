"""The learner's side of campaigns (``join:``): enter a code, the landing page with the identity
and external id a campaign may ask, the test with a checkpoint every 5 answers, the results
(retry, share, a new sending) and the profile a collection campaign receives.

Pages find the campaign by its code and the learner's own participation in it
(``selectors.participation_of``): there is no participation id in any URL, so nobody reaches
another learner's participation. Every write goes through ``octets.campaigns.services``; a broken
rule is shown with its French message and its code, with a 4xx status.
"""

from __future__ import annotations

from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from octets.assessments import selectors as assessment_selectors
from octets.assessments import services as assessment_services
from octets.assessments.models import Assessment
from octets.campaigns import selectors, services
from octets.campaigns.errors import CampaignError
from octets.campaigns.models import Campaign, Participation
from octets.content.selectors import current_content
from octets.errors import RuleError
from octets.www.learner.campaign_forms import CodeForm, JoinForm
from octets.www.learner.views import serve_challenge

CHECKPOINT_EVERY = 5


# -- helpers ----------------------------------------------------------------------------------


def _campaign_or_404(code: str) -> Campaign:
    try:
        return services.campaign_by_code(code)
    except CampaignError as exc:
        raise Http404(exc.message) from exc


def _problem_code(exc: RuleError) -> str | None:
    """The code a pupil reads to a teacher: R11…R90 for an identity conflict (the teacher's
    troubleshooting needs it); none for other rules, whose French message says it all."""
    return getattr(exc, "short_code", None)


def _problem(request, exc: RuleError, campaign: Campaign | None = None):
    return render(
        request,
        "learner/campaign_problem.html",
        {
            "nav": "join",
            "campaign": campaign,
            "problem": exc,
            "problem_code": _problem_code(exc),
        },
        status=exc.status,
    )


def next_url(participation: Participation) -> str:
    """Where a learner continues a participation: the test, the results or the profile."""
    code = participation.campaign.code
    if not participation.campaign.is_assessment:
        return reverse("join:profile", kwargs={"code": code})
    if participation.status == Participation.Status.STARTED:
        return reverse("join:test", kwargs={"code": code})
    return reverse("join:results", kwargs={"code": code})


def _mine(request, code: str) -> tuple[Campaign, Participation | None]:
    campaign = _campaign_or_404(code)
    return campaign, selectors.participation_of(request.user, campaign)


def _new_sending(participation: Participation) -> dict:
    """After sharing: whether (and when) the learner may send again."""
    campaign = participation.campaign
    if not (participation.is_shared and campaign.multiple_sendings) or campaign.is_archived:
        return {"days_before_new_sending": None, "can_send_again": False}
    days = selectors.days_before_new_sending(participation)
    nothing_left = campaign.is_assessment and (participation.mastery_rate or 0) >= 1
    return {
        "days_before_new_sending": days,
        "can_send_again": days == 0 and not nothing_left,
    }


def _account(request):
    """The signed-in user itself, not its lazy wrapper (``join_campaign`` locks the row through
    the user's class)."""
    user = request.user
    user.is_authenticated  # noqa: B018 -- evaluates the lazy object
    return getattr(user, "_wrapped", user)


def _identity_needed(user, campaign: Campaign) -> bool:
    if not services.is_restricted(campaign):
        return False
    from octets.students import association

    return association.learner_of(user, campaign.organization) is None


# -- the code and the landing page ------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def enter_code(request):
    form = CodeForm(request.POST or None)
    context = {"form": form, "nav": "join"}
    if request.method == "GET":
        return render(request, "learner/campaign_code.html", context)
    if not form.is_valid():
        return render(request, "learner/campaign_code.html", context, status=400)
    try:
        campaign = services.campaign_by_code(form.cleaned_data["code"])
    except CampaignError as exc:
        form.add_error("code", exc.message)
        return render(request, "learner/campaign_code.html", context, status=exc.status)
    return redirect("join:landing", code=campaign.code)


def _landing_page(request, campaign, participation, form, *, problem=None, status=200):
    return render(
        request,
        "learner/campaign_landing.html",
        {
            "nav": "join",
            "campaign": campaign,
            "participation": participation,
            "continue_url": next_url(participation) if participation else None,
            "form": form,
            "problem": problem,
            "problem_code": _problem_code(problem) if problem else None,
        },
        status=problem.status if problem and status == 200 else status,
    )


@require_http_methods(["GET", "POST"])
def landing(request, code: str):
    campaign, participation = _mine(request, code)
    if request.method == "GET" and code != campaign.code:
        return redirect("join:landing", code=campaign.code)
    if request.method == "GET" and participation is not None and not campaign.is_archived:
        return redirect(next_url(participation))
    form = JoinForm(
        request.POST if request.method == "POST" else None,
        campaign=campaign,
        ask_identity=participation is None and _identity_needed(request.user, campaign),
        ask_external_id=participation is None,
    )
    if request.method == "GET":
        return _landing_page(request, campaign, participation, form)
    if form.identity_is_empty():
        # the school may recognise the account with no form (its pupil's INE known elsewhere)
        try:
            joined = services.join_campaign(
                user=_account(request),
                code=campaign.code,
                external_id=str(form.data.get("external_id", "")),
            )
        except RuleError as exc:
            if exc.code != "IDENTITY_REQUIRED" and "external_id" not in exc.details:
                return _landing_page(request, campaign, participation, form, problem=exc)
        else:
            return redirect(next_url(joined))
    if not form.is_valid():
        return _landing_page(request, campaign, participation, form, status=400)
    try:
        joined = services.join_campaign(
            user=_account(request), code=campaign.code, **form.join_arguments()
        )
    except RuleError as exc:
        on_fields = [name for name in exc.details if name in form.fields]
        for name in on_fields:
            form.add_error(name, exc.message)
        # a message already shown on its field is not repeated in the box above the form
        box = None if on_fields and not getattr(exc, "short_code", None) else exc
        return _landing_page(request, campaign, participation, form, problem=box, status=exc.status)
    return redirect(next_url(joined))


@require_POST
def again(request, code: str):
    """ "Repasser le parcours": a new participation after a shared one (multiple sendings)."""
    campaign = _campaign_or_404(code)
    try:
        participation = services.join_campaign(user=_account(request), code=campaign.code)
    except RuleError as exc:
        return _problem(request, exc, campaign)
    return redirect(next_url(participation))


# -- the test ---------------------------------------------------------------------------------


def _running_test(request, code: str):
    """(campaign, participation, assessment), or the response that sends the learner elsewhere."""
    campaign, participation = _mine(request, code)
    if participation is None:
        return redirect("join:landing", code=campaign.code)
    if not campaign.is_assessment:
        return redirect("join:profile", code=campaign.code)
    assessment = services.current_assessment(participation)
    if assessment is None:  # never: joining an assessment campaign creates its test
        raise Http404(_("Évaluation introuvable."))
    return campaign, participation, assessment


@require_http_methods(["GET", "POST"])
def take_test(request, code: str):
    found = _running_test(request, code)
    if not isinstance(found, tuple):
        return found
    campaign, participation, assessment = found
    if participation.is_shared or assessment.state != Assessment.State.STARTED:
        return redirect("join:results", code=campaign.code)
    checkpoint_url = reverse("join:checkpoint", kwargs={"code": campaign.code})
    here = reverse("join:test", kwargs={"code": campaign.code})

    def answered():
        if assessment.answers.count() % CHECKPOINT_EVERY == 0:
            return redirect(checkpoint_url)
        return redirect(here)

    return serve_challenge(
        request,
        assessment,
        here=here,
        # the last answers are reviewed at a final checkpoint, then the results
        finished=checkpoint_url,
        extra={
            "nav": "join",
            "campaign": campaign,
            "card_name": campaign.title or campaign.name,
        },
        answered=answered,
    )


def _answer_label(result: str) -> str:
    return {
        "ok": _("réussie"),
        "aband": _("passée"),
        "timedout": _("temps dépassé"),
    }.get(result, _("à revoir"))


@require_GET
def checkpoint(request, code: str):
    """The last answers (right or wrong, no solution) and the progression in the test."""
    found = _running_test(request, code)
    if not isinstance(found, tuple):
        return found
    campaign, participation, assessment = found
    answers = list(assessment.answers.order_by("created_at", "pk"))
    if not answers:
        return redirect("join:test", code=campaign.code)
    if assessment.state == Assessment.State.STARTED:
        # is anything left to ask? (the test page would serve it next)
        finished = assessment_services.next_challenge(assessment=assessment) is None
    else:
        finished = True
    content = assessment_selectors.content_of(assessment)
    shown = len(answers) % CHECKPOINT_EVERY or CHECKPOINT_EVERY
    reviewed = []
    for number, answer in enumerate(answers, start=1):
        if number <= len(answers) - shown:
            continue
        challenge = content.get("challenges", answer.challenge_id)
        reviewed.append(
            {
                "number": number,
                "instruction": challenge.instruction if challenge else "",
                "is_ok": answer.result == "ok",
                "label": _answer_label(answer.result),
            }
        )
    progression = 100 if finished else selectors.live_result(participation).progression
    return render(
        request,
        "learner/campaign_checkpoint.html",
        {
            "nav": "join",
            "campaign": campaign,
            "answers": reviewed,
            "progression": progression,
            "finished": finished,
        },
    )


# -- results, retry, share --------------------------------------------------------------------


def _stars(result) -> dict | None:
    """Stars as text: the stages reached above the zero stage, out of those above it."""
    if not result.total_stages or result.total_stages < 2:
        return None
    total = result.total_stages - 1
    won = max(0, (result.reached_stage or 1) - 1)
    return {"won": won, "total": total, "picture": "★" * won + "☆" * (total - won)}


@require_GET
def results(request, code: str):
    campaign, participation = _mine(request, code)
    if participation is None:
        return redirect("join:landing", code=campaign.code)
    if not campaign.is_assessment or participation.status == Participation.Status.STARTED:
        return redirect(next_url(participation))
    result = (
        selectors.frozen_result(participation)
        if participation.is_shared
        else selectors.live_result(participation)
    )
    obtained = {badge.pk for badge in result.badges}
    context = {
        "nav": "join",
        "campaign": campaign,
        "participation": participation,
        "result": result,
        "stars": _stars(result),
        "badges_obtained": result.badges,
        "badges_missing": [
            badge
            for badge in result.all_badges
            if badge.pk not in obtained and badge.is_always_visible
        ],
        "skills_to_work": selectors.skills_to_work(participation),
        "can_retry": services.can_retry(participation),
        "can_share": participation.status == Participation.Status.TO_SHARE
        and not campaign.is_archived,
    }
    context.update(_new_sending(participation))
    return render(request, "learner/campaign_results.html", context)


@require_POST
def retry(request, code: str):
    """ "Retenter": a new try on the failed skills before sending."""
    campaign, participation = _mine(request, code)
    if participation is None:
        return redirect("join:landing", code=campaign.code)
    try:
        services.retry(participation=participation, user=request.user)
    except RuleError as exc:
        return _problem(request, exc, campaign)
    return redirect("join:test", code=campaign.code)


@require_POST
def share(request, code: str):
    """ "J'envoie mes résultats" (or "mon profil"): the school receives them, frozen."""
    campaign, participation = _mine(request, code)
    if participation is None:
        return redirect("join:landing", code=campaign.code)
    try:
        shared = services.share(participation=participation, user=request.user)
    except RuleError as exc:
        return _problem(request, exc, campaign)
    # the page it goes back to says that the results (or the profile) were sent
    return redirect(next_url(shared))


# -- profile collection -----------------------------------------------------------------------


@require_GET
def profile(request, code: str):
    """A profile collection: the learner's 16 competences, then "J'envoie mon profil"."""
    campaign, participation = _mine(request, code)
    if participation is None:
        return redirect("join:landing", code=campaign.code)
    if campaign.is_assessment:
        return redirect(next_url(participation))
    context = {
        "nav": "join",
        "campaign": campaign,
        "participation": participation,
        "can_share": participation.status == Participation.Status.TO_SHARE
        and not campaign.is_archived,
    }
    if participation.is_shared:
        context["sent"] = _sent_profile(participation)
    else:
        context["profile"] = assessment_selectors.profile(request.user)
    context.update(_new_sending(participation))
    return render(request, "learner/campaign_profile.html", context)


def _sent_profile(participation: Participation) -> list[dict]:
    """The competences' levels and pix as they were sent."""
    content = current_content()
    rows = []
    for competence_id, (level, pix) in (
        (participation.snapshot or {}).get("competences", {}).items()
    ):
        competence = content.get("competences", competence_id)
        rows.append(
            {
                "index": competence.index if competence else "",
                "name": competence.name if competence else competence_id,
                "level": level,
                "pix": pix,
            }
        )
    rows.sort(key=lambda row: [int(p) if p.isdigit() else 0 for p in row["index"].split(".")])
    return rows
