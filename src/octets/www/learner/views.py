"""The learner's pages: the profile of 16 competences, a competence, training, results.

Every page reads and writes through ``octets.assessments`` (the same services as the API);
a learner only ever reaches their own assessments (others are 404). ``serve_challenge`` is the
challenge page itself, shared with the campaign test (``www.learner.campaigns``).
"""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from octets.assessments import selectors, services
from octets.assessments.errors import AssessmentError
from octets.assessments.models import Assessment
from octets.assessments.presentation import challenge_view, seconds_left, value_from_form
from octets.campaigns import selectors as campaign_selectors
from octets.content.selectors import NoContentLoaded
from octets.engine.answers import SKIPPED_VALUE


def _problem(request, exc: AssessmentError, *, card=None):
    return render(
        request,
        "learner/problem.html",
        {"problem": exc, "card": card, "nav": "profile"},
        status=exc.status,
    )


def profile(request):
    context = {
        "nav": "profile",
        "participations": campaign_selectors.participations_of_user(request.user),
    }
    try:
        context["profile"] = selectors.profile(request.user)
    except NoContentLoaded as exc:
        context["no_content"] = exc
    return render(request, "learner/profile.html", context)


def _card_or_404(request, index: str):
    try:
        card = selectors.scorecard(request.user, index)
    except NoContentLoaded as exc:
        raise Http404(str(exc)) from exc
    if card is None:
        raise Http404(_("Cette compétence n'existe pas."))
    return card


def competence(request, index: str):
    card = _card_or_404(request, index)
    return render(request, "learner/competence.html", {"card": card, "nav": "profile"})


@require_POST
def start(request, index: str):
    improve = request.POST.get("ameliorer") == "1"
    try:
        assessment = services.start_assessment(
            user=request.user, competence_index=index, improve=improve
        )
    except AssessmentError as exc:
        card = selectors.scorecard(request.user, index) if exc.status == 409 else None
        return _problem(request, exc, card=card)
    return redirect("learner:challenge", assessment_id=assessment.pk)


@require_POST
def reset(request, index: str):
    card = _card_or_404(request, index)
    if request.POST.get("confirmer") != "1":
        return _problem(
            request,
            AssessmentError(
                _("Cochez la case de confirmation pour remettre la compétence à zéro."),
                code="CONFIRMATION_REQUIRED",
                status=400,
            ),
            card=card,
        )
    try:
        count = services.reset_competence(user=request.user, competence_index=index)
    except AssessmentError as exc:
        return _problem(request, exc, card=card)
    messages.success(
        request,
        _("La compétence « %(name)s » est remise à zéro (%(count)d acquis oubliés).")
        % {"name": card.name, "count": count},
    )
    return redirect("learner:competence", index=index)


def _challenge_context(assessment, challenge, *, problems=(), posted=None, extra=None):
    view = challenge_view(challenge)
    left = seconds_left(challenge, assessment.challenge_served_at)
    context = {
        "nav": "profile",
        "assessment": assessment,
        "view": view,
        "number": assessment.answers.count() + 1,
        "seconds_left": left,
        "problems": problems,
        # what the learner had entered, shown again with the problems
        "selected": posted.getlist("answer") if posted else [],
        "entered": {item.name: posted.get(item.name, "") for item in view.inputs} if posted else {},
    }
    if extra is not None:
        context.update(extra)  # a campaign test names its campaign instead of a competence
    else:
        context["card_name"] = (
            selectors.content_of(assessment).get("competences", assessment.competence_id).name
        )
    return context


def serve_challenge(request, assessment, *, here: str, finished: str, extra=None, answered=None):
    """The challenge page of a running assessment (training or campaign test): the current
    challenge, a timed challenge's announcement, and the answer form.

    ``here`` is the page's own URL, ``finished`` where to go once the assessment is completed,
    ``extra`` what the templates show instead of the competence, ``answered()`` the response
    after an accepted answer (back to ``here`` by default).
    """
    try:
        current = services.next_challenge(assessment=assessment)
    except AssessmentError as exc:
        return _problem(request, exc)
    if current is None:
        return redirect(finished)
    assessment.refresh_from_db()

    def page(template, *, status=200, **kwargs):
        context = _challenge_context(assessment, current, extra=extra, **kwargs)
        return render(request, template, context, status=status)

    if current.is_timed and assessment.challenge_served_at is None:
        # a timed challenge is announced first; its clock starts when the learner is ready
        if request.method == "POST" and "demarrer" in request.POST:
            # only the announcement of this very challenge starts its clock (not a stale tab)
            if request.POST.get("challenge_id") == current.id:
                services.start_timer(assessment=assessment)
            return redirect(here)
        if "passer" not in request.POST:
            return page("learner/timed_intro.html")
    if request.method == "GET":
        return page("learner/challenge.html")
    if request.POST.get("challenge_id") != current.id:
        # a tab left open on an earlier challenge: show the current one again, nothing saved
        messages.warning(
            request,
            _("Cette épreuve a déjà été traitée : voici l'épreuve en cours."),
        )
        return redirect(here)
    if "passer" in request.POST:
        value, problems = SKIPPED_VALUE, []
    else:
        value, problems = value_from_form(challenge_view(current), request.POST)
    if problems:
        return page("learner/challenge.html", status=400, problems=problems, posted=request.POST)
    try:
        services.submit_answer(
            assessment=assessment,
            challenge_id=current.id,
            value=value,
            timeout=seconds_left(current, assessment.challenge_served_at),
        )
    except AssessmentError as exc:
        return _problem(request, exc)
    return answered() if answered is not None else redirect(here)


def _campaign_page(assessment):
    """A campaign test is taken on its campaign's pages, not as training."""
    participation = assessment.campaign_participation
    if participation.deleted_at is not None:
        raise Http404(_("Évaluation introuvable."))
    return redirect("join:test", code=participation.campaign.code)


@require_http_methods(["GET", "POST"])
def challenge(request, assessment_id: int):
    assessment = selectors.assessment_of(request.user, assessment_id)
    if assessment.campaign_participation_id:
        return _campaign_page(assessment)
    if assessment.state == Assessment.State.ABORTED:
        messages.info(request, _("Cet entraînement a été interrompu par une remise à zéro."))
        return redirect("learner:profile")
    return serve_challenge(
        request,
        assessment,
        here=reverse("learner:challenge", kwargs={"assessment_id": assessment.pk}),
        finished=reverse("learner:results", kwargs={"assessment_id": assessment.pk}),
    )


def results(request, assessment_id: int):
    assessment = selectors.assessment_of(request.user, assessment_id)
    if assessment.campaign_participation_id:
        return _campaign_page(assessment)
    if assessment.state == Assessment.State.STARTED:
        return redirect("learner:challenge", assessment_id=assessment.pk)
    return render(
        request,
        "learner/results.html",
        {"results": selectors.results(assessment), "nav": "profile"},
    )
