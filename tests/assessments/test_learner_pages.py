"""The learner's pages: profile, a competence, training through forms, results, reset, improve."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from django.utils.html import escape

from octets.assessments import selectors, services
from octets.assessments.models import Answer, Assessment, KnowledgeElement
from octets.assessments.presentation import challenge_view, expected_inputs
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def form_for(challenge, right=True) -> dict:
    """What a learner would post in the page's form to answer ``challenge`` (right or wrong)."""
    view = challenge_view(challenge)
    data = {"challenge_id": challenge.id, "valider": "1"}
    if view.has_choices:
        positions = challenge.solution.split(",")
        if not right:
            others = [str(p) for p, _t in view.choices if str(p) not in positions]
            positions = others[:1]
        data["answer"] = positions
        return data
    expected = expected_inputs(challenge)
    for item in view.inputs:
        value = expected[item.block.key]
        if not right:
            value = next(o for o in item.block.options if o != value) if item.is_select else "zzzz"
        data[item.name] = value
    return data


def current_challenge(content, assessment_id):
    assessment = Assessment.objects.get(pk=assessment_id)
    return content.get("challenges", assessment.current_challenge_id)


def start_in_browser(client, index="1.1"):
    response = client.post(f"/competences/{index}/commencer/")
    assert response.status_code == 302
    assessment_id = int(re.search(r"/entrainements/(\d+)/", response["Location"]).group(1))
    return assessment_id


def run_session(client, content, assessment_id, right=lambda challenge: True, limit=30):
    url = f"/entrainements/{assessment_id}/"
    for _ in range(limit):
        page = client.get(url)
        if page.status_code == 302:
            assert page["Location"] == f"{url}resultats/"
            return
        assert page.status_code == 200
        challenge = current_challenge(content, assessment_id)
        if 'id="timed-intro"' in page.content.decode():
            client.post(url, {"challenge_id": challenge.id, "demarrer": "1"})
        response = client.post(url, form_for(challenge, right(challenge)))
        assert response.status_code == 302, response.content.decode()[:800]
    pytest.fail("the session never finished")


def test_profile_lists_every_competence_by_area_with_scores(content, client, login):
    user = UserFactory(first_name="Inès")
    login(user)
    page = client.get("/profil/")
    html = page.content.decode()
    assert page.status_code == 200
    assert "Bonjour Inès" in html
    for competence in content.competences:
        assert f'data-competence="{competence.index}"' in html
    assert 'id="area-1"' in html and 'id="area-2"' in html
    assert "Pas encore certifiable" in html
    assert "0 pix" in html


def test_home_sends_a_learner_to_the_profile(content, client, login):
    login(UserFactory())
    response = client.get("/")
    assert response.status_code == 302 and response["Location"] == "/profil/"


def test_profile_without_content_explains_instead_of_failing(client, login):
    login(UserFactory())
    page = client.get("/profil/")
    assert page.status_code == 200
    assert "octets load-content" in page.content.decode()


def test_full_session_in_pages_then_results_and_profile(content, client, login):
    user = UserFactory()
    login(user)
    assessment_id = start_in_browser(client)
    run_session(client, content, assessment_id)
    assessment = Assessment.objects.get(pk=assessment_id)
    assert assessment.state == "completed"
    assert not Answer.objects.filter(assessment=assessment).exclude(result="ok").exists()
    results = client.get(f"/entrainements/{assessment_id}/resultats/")
    html = results.content.decode()
    assert results.status_code == 200
    level = selectors.scorecard(user, "1.1").level
    assert level >= 1
    assert f"Niveau atteint : {level}" in html
    assert "Aucun acquis échoué" in html
    assert html.count('class="fr-accordion"') == assessment.answers.count()
    profile = client.get("/profil/").content.decode()
    assert "Terminée" in profile
    # a second "Commencer" (back button, double click) does not hide the results
    again = client.post("/competences/1.1/commencer/")
    assert (
        again.status_code == 409 and "Vous avez terminé cette compétence" in again.content.decode()
    )
    assert Assessment.objects.filter(user=user).count() == 1
    assert selectors.scorecard(user, "1.1").assessment_id == assessment_id


def test_wrong_answers_give_skills_to_work_with_tutorials_and_review(content, client, login):
    login(UserFactory())
    assessment_id = start_in_browser(client)
    run_session(client, content, assessment_id, right=lambda challenge: False)
    html = client.get(f"/entrainements/{assessment_id}/resultats/").content.decode()
    assert 'id="skills-to-work"' in html
    failed = KnowledgeElement.objects.filter(
        assessment_id=assessment_id, source="direct", status="invalidated"
    )
    assert failed.exists()
    for row in failed:
        skill = content.get("skills", row.skill_id)
        for tutorial_id in skill.tutorial_ids:
            assert content.get("tutorials", tutorial_id).link in html
    assert "Réponse attendue" in html and "à revoir" in html


def test_resume_after_closing_the_browser_serves_the_same_challenge(content, client, login):
    user = UserFactory()
    login(user)
    assessment_id = start_in_browser(client)
    client.get(f"/entrainements/{assessment_id}/")
    served = Assessment.objects.get(pk=assessment_id).current_challenge_id
    client.logout()
    login(user)
    profile = client.get("/competences/1.1/").content.decode()
    assert "Reprendre" in profile
    assert start_in_browser(client) == assessment_id
    client.get(f"/entrainements/{assessment_id}/")
    assert Assessment.objects.get(pk=assessment_id).current_challenge_id == served
    assert Assessment.objects.filter(user=user).count() == 1


def test_skip_records_a_skipped_answer(content, client, login):
    login(UserFactory())
    assessment_id = start_in_browser(client)
    client.get(f"/entrainements/{assessment_id}/")
    challenge = current_challenge(content, assessment_id)
    response = client.post(
        f"/entrainements/{assessment_id}/", {"challenge_id": challenge.id, "passer": "1"}
    )
    assert response.status_code == 302
    answer = Answer.objects.get(assessment_id=assessment_id)
    assert (answer.value, answer.result) == ("#ABAND#", "aband")


def test_empty_answer_is_refused_in_french_and_nothing_is_saved(content, client, login):
    login(UserFactory())
    assessment_id = start_in_browser(client)
    client.get(f"/entrainements/{assessment_id}/")
    challenge = current_challenge(content, assessment_id)
    response = client.post(
        f"/entrainements/{assessment_id}/", {"challenge_id": challenge.id, "valider": "1"}
    )
    assert response.status_code == 400
    assert "Votre réponse n'a pas été envoyée" in response.content.decode()
    assert not Answer.objects.exists()


def test_a_form_left_open_on_an_old_challenge_saves_nothing(content, client, login):
    login(UserFactory())
    assessment_id = start_in_browser(client)
    client.get(f"/entrainements/{assessment_id}/")
    first = current_challenge(content, assessment_id)
    client.post(f"/entrainements/{assessment_id}/", form_for(first))
    client.get(f"/entrainements/{assessment_id}/")
    before = list(Answer.objects.values_list("challenge_id", "result"))
    response = client.post(f"/entrainements/{assessment_id}/", form_for(first))
    assert response.status_code == 302
    assert list(Answer.objects.values_list("challenge_id", "result")) == before


def test_someone_elses_training_is_not_found(content, client, login):
    owner = UserFactory()
    assessment = services.start_assessment(user=owner, competence_index="1.1")
    login(UserFactory())
    assert client.get(f"/entrainements/{assessment.pk}/").status_code == 404
    assert client.get(f"/entrainements/{assessment.pk}/resultats/").status_code == 404
    assert client.post(f"/entrainements/{assessment.pk}/", {"passer": "1"}).status_code == 404
    assert not Answer.objects.exists()


def test_unknown_competence_is_not_found(content, client, login):
    login(UserFactory())
    assert client.get("/competences/9.9/").status_code == 404
    assert client.post("/competences/9.9/commencer/").status_code == 404


def test_timed_challenge_is_announced_then_timed_and_a_late_answer_is_timed_out(
    content, client, login
):
    user = UserFactory()
    login(user)
    assessment = services.start_assessment(user=user, competence_index="1.1")
    timed = next(c for c in content.challenges_of("comp_1_1") if c.is_timed)
    Assessment.objects.filter(pk=assessment.pk).update(current_challenge_id=timed.id)
    url = f"/entrainements/{assessment.pk}/"
    intro = client.get(url).content.decode()
    assert 'id="timed-intro"' in intro and "Commencer l'épreuve" in intro
    # answering before starting the clock is not possible: the announcement comes back
    early = client.post(url, form_for(timed))
    assert 'id="timed-intro"' in early.content.decode()
    assert not Answer.objects.exists()

    # a stale tab showing another challenge's announcement does not start this clock
    assert client.post(url, {"challenge_id": "autre", "demarrer": "1"}).status_code == 302
    assert Assessment.objects.get(pk=assessment.pk).challenge_served_at is None
    assert client.post(url, {"challenge_id": timed.id, "demarrer": "1"}).status_code == 302
    started = Assessment.objects.get(pk=assessment.pk).challenge_served_at
    assert started is not None
    client.post(url, {"challenge_id": timed.id, "demarrer": "1"})  # a second click: same clock
    assert Assessment.objects.get(pk=assessment.pk).challenge_served_at == started
    page = client.get(url).content.decode()
    assert 'id="timer"' in page and f'data-seconds-left="{timed.timer}"' in page

    Assessment.objects.filter(pk=assessment.pk).update(
        challenge_served_at=timezone.now() - timedelta(seconds=timed.timer + 5)
    )
    client.post(url, form_for(timed))
    answer = Answer.objects.get(challenge_id=timed.id)
    assert answer.result == "timedout" and answer.timeout < 0


def test_a_timed_challenge_can_be_skipped_from_its_announcement(content, client, login):
    user = UserFactory()
    login(user)
    assessment = services.start_assessment(user=user, competence_index="1.1")
    timed = next(c for c in content.challenges_of("comp_1_1") if c.is_timed)
    Assessment.objects.filter(pk=assessment.pk).update(current_challenge_id=timed.id)
    response = client.post(
        f"/entrainements/{assessment.pk}/", {"challenge_id": timed.id, "passer": "1"}
    )
    assert response.status_code == 302
    assert Answer.objects.get().result == "aband"


def _age_knowledge(user, days):
    KnowledgeElement.objects.filter(user=user).update(
        created_at=timezone.now() - timedelta(days=days)
    )


def test_reset_waits_7_days_after_the_last_answer(content, client, login):
    user = UserFactory()
    login(user)
    assessment_id = start_in_browser(client)
    run_session(client, content, assessment_id)
    page = client.get("/competences/1.1/").content.decode()
    assert "dans 7 jours" in page
    refused = client.post("/competences/1.1/remise-a-zero/", {"confirmer": "1"})
    assert refused.status_code == 409
    assert "dans 7 jours" in refused.content.decode()
    assert selectors.scorecard(user, "1.1").pix > 0

    _age_knowledge(user, 7)
    unconfirmed = client.post("/competences/1.1/remise-a-zero/")
    assert unconfirmed.status_code == 400
    assert selectors.scorecard(user, "1.1").pix > 0
    done = client.post("/competences/1.1/remise-a-zero/", {"confirmer": "1"})
    assert done.status_code == 302
    card = selectors.scorecard(user, "1.1")
    assert (card.pix, card.level, card.status) == (0, 0, "not_started")
    assert KnowledgeElement.objects.filter(user=user, status="reset").exists()
    # the history is kept: nothing was deleted
    assert KnowledgeElement.objects.filter(user=user).exclude(status="reset").exists()
    # the competence can be trained again from scratch
    again = start_in_browser(client)
    assert again != assessment_id
    assert client.get(f"/entrainements/{again}/").status_code == 200


def test_reset_interrupts_a_running_session(content, client, login):
    user = UserFactory()
    login(user)
    assessment_id = start_in_browser(client)
    client.get(f"/entrainements/{assessment_id}/")
    challenge = current_challenge(content, assessment_id)
    client.post(f"/entrainements/{assessment_id}/", form_for(challenge))
    _age_knowledge(user, 8)
    assert client.post("/competences/1.1/remise-a-zero/", {"confirmer": "1"}).status_code == 302
    assert Assessment.objects.get(pk=assessment_id).state == "aborted"
    assert client.get(f"/entrainements/{assessment_id}/").status_code == 302


def test_nothing_to_reset_is_refused(content, client, login):
    login(UserFactory())
    response = client.post("/competences/1.1/remise-a-zero/", {"confirmer": "1"})
    assert response.status_code == 409
    assert "Rien à remettre à zéro" in response.content.decode()


def test_improving_reopens_skills_failed_more_than_4_days_ago(content, client, login):
    user = UserFactory()
    login(user)
    assessment_id = start_in_browser(client)
    run_session(client, content, assessment_id, right=lambda challenge: False)
    failed = set(
        KnowledgeElement.objects.filter(user=user, status="invalidated").values_list(
            "skill_id", flat=True
        )
    )
    assert failed
    refused = client.post("/competences/1.1/commencer/", {"ameliorer": "1"})
    assert refused.status_code == 409 and "dans 4 jours" in refused.content.decode()

    _age_knowledge(user, 4)
    assert "Améliorer mon niveau" in client.get("/competences/1.1/").content.decode()
    response = client.post("/competences/1.1/commencer/", {"ameliorer": "1"})
    assert response.status_code == 302
    improving = Assessment.objects.filter(user=user, is_improving=True).get()
    client.get(f"/entrainements/{improving.pk}/")
    improving.refresh_from_db()
    served = content.get("challenges", improving.current_challenge_id)
    assert served.skill_id in failed
    run_session(client, content, improving.pk)
    assert selectors.scorecard(user, "1.1").pix > 0


def test_nothing_to_improve_before_the_competence_is_done(content, client, login):
    login(UserFactory())
    response = client.post("/competences/1.1/commencer/", {"ameliorer": "1"})
    assert response.status_code == 409
    assert not Assessment.objects.exists()


def test_illustrations_have_their_alt_text_and_attachments_download(client, login):
    from octets.content.services import load_release
    from octets.content.sources import SOURCE_DIR, build_release

    load_release(data=build_release(SOURCE_DIR)[0])
    content = selectors.current_content()
    user = UserFactory()
    login(user)
    illustrated = next(c for c in content.challenges if c.illustration_url and not c.is_timed)
    with_file = next(c for c in content.challenges if c.attachments and not c.is_timed)
    for challenge in (illustrated, with_file):
        index = content.get("competences", challenge.competence_id).index
        assessment = services.start_assessment(user=user, competence_index=index)
        Assessment.objects.filter(pk=assessment.pk).update(current_challenge_id=challenge.id)
        html = client.get(f"/entrainements/{assessment.pk}/").content.decode()
        if challenge is illustrated:
            assert f'src="{challenge.illustration_url}"' in html
            assert escape(challenge.illustration_alt) in html
            image = client.get(challenge.illustration_url)
            assert image.status_code == 200 and "attachment" not in image.get(
                "Content-Disposition", ""
            )
        else:
            url = challenge.attachments[0]
            assert f'href="{url}" download' in html
            download = client.get(url)
            assert download.status_code == 200
            assert "attachment" in download["Content-Disposition"]
