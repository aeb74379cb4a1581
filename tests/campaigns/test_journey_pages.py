"""The learner's campaign pages: the code, the landing page, the test with its checkpoints, the
results (retry, share, a new sending), a profile collection, the errors a pupil may meet, and
that nobody reaches someone else's participation."""

from datetime import date, timedelta

import pytest
from django.utils import timezone
from django.utils.html import escape

from octets.assessments.models import Answer, Assessment
from octets.campaigns import selectors, services
from octets.campaigns.models import Campaign, Participation
from tests.assessments.test_learner_pages import form_for
from tests.factories import MembershipFactory, OrganizationFactory, UserFactory


@pytest.fixture
def open_school(db):
    """A school that does not manage its pupils: anyone with the code may join."""
    organization = OrganizationFactory(is_managing_students=False, name="Collège Jean Moulin")
    admin, teacher = UserFactory(), UserFactory()
    MembershipFactory(user=admin, organization=organization, role="ADMIN")
    MembershipFactory(user=teacher, organization=organization, role="MEMBER")
    return organization, admin, teacher


def _assessment_campaign(organization, creator, profile, **extra):
    return services.create_campaign(
        organization=organization,
        creator=creator,
        type=Campaign.Type.ASSESSMENT,
        name="Rentrée 6e B",
        target_profile_id=profile.pk,
        **extra,
    )


def _participation(user, campaign) -> Participation:
    return Participation.objects.get(
        user=user, campaign=campaign, is_improved=False, deleted_at__isnull=True
    )


def _current_challenge(content, participation):
    assessment = services.current_assessment(participation)
    assessment.refresh_from_db()
    return content.get("challenges", assessment.current_challenge_id)


def take_test(client, content, campaign, user, *, right=lambda number: True, stop_after=None):
    """Answer the campaign test in the pages to its end (right when ``right(n)``, else skip),
    checking a checkpoint every 5 answers and the final one. Returns the number of answers."""
    limit = stop_after or 200
    base = f"/campagne/{campaign.code}/"
    test_url, checkpoint_url = base + "evaluation/", base + "point-etape/"
    answered = 0
    while answered < limit:
        page = client.get(test_url)
        if page.status_code == 302:
            assert page["Location"] == checkpoint_url  # finished: the final checkpoint
            final = client.get(checkpoint_url).content.decode()
            assert "Voir mes résultats" in final and "100 %" in final
            assert final.count("data-result=") == (answered % 5 or 5)
            return answered
        assert page.status_code == 200
        participation = _participation(user, campaign)
        challenge = _current_challenge(content, participation)
        if 'id="timed-intro"' in page.content.decode():
            client.post(test_url, {"challenge_id": challenge.id, "demarrer": "1"})
        if right(answered):
            data = form_for(challenge)
        else:
            data = {"challenge_id": challenge.id, "passer": "1"}
        response = client.post(test_url, data)
        assert response.status_code == 302, response.content.decode()[:800]
        answered += 1
        if answered % 5 == 0:
            assert response["Location"] == checkpoint_url
            checkpoint = client.get(checkpoint_url)
            html = checkpoint.content.decode()
            assert checkpoint.status_code == 200
            assert html.count("data-result=") == 5
            assert f"Question {answered}" in html and f"Question {answered - 5}" not in html
            assert "Réponse attendue" not in html  # no solution during the test
            assert "Continuer" in html or "Voir mes résultats" in html
            if "Voir mes résultats" in html:  # the test ended on a multiple of 5
                assert client.get(test_url)["Location"] == base + "resultats/"
                return answered
        else:
            assert response["Location"] == test_url
    if stop_after is None:
        pytest.fail("the test never ends")
    return answered


def test_full_journey_code_landing_test_checkpoints_retry_share(
    open_school, profiles, content, client, login
):
    organization, _admin, teacher = open_school
    profile = profiles["rentree-6e"]
    campaign = _assessment_campaign(
        organization,
        teacher,
        profile,
        title="Mon parcours de rentrée",
        landing_text="Bienvenue en **6e** !",
    )
    pupil = UserFactory()
    login(pupil)

    page = client.get("/campagne/")
    assert page.status_code == 200 and "J'ai un code" in page.content.decode()
    spaced = " ".join([campaign.code[:3].lower(), campaign.code[3:]])
    response = client.post("/campagne/", {"code": spaced})
    assert response.status_code == 302
    assert response["Location"] == f"/campagne/{campaign.code}/"

    landing = client.get(response["Location"])
    html = landing.content.decode()
    assert landing.status_code == 200
    assert "Collège Jean Moulin" in html and "Mon parcours de rentrée" in html
    assert "Bienvenue en <strong>6e</strong>" in html
    assert profile.name in html and "Je commence" in html
    assert not Participation.objects.exists()  # looking is not joining

    response = client.post(f"/campagne/{campaign.code}/", {"commencer": "1"})
    assert response["Location"] == f"/campagne/{campaign.code}/evaluation/"
    participation = _participation(pupil, campaign)
    # coming back to the landing page resumes the test
    assert client.get(f"/campagne/{campaign.code}/")["Location"].endswith("/evaluation/")

    # the challenge page of training, named after the campaign
    test_url = f"/campagne/{campaign.code}/evaluation/"
    page = client.get(test_url)
    html = page.content.decode()
    assert "Parcours : Mon parcours de rentrée" in html and "Question 1" in html
    challenge = _current_challenge(content, participation)
    empty = client.post(test_url, {"challenge_id": challenge.id, "valider": "1"})
    if 'id="timed-intro"' not in html:
        assert empty.status_code == 400
        assert "Votre réponse n'a pas été envoyée" in empty.content.decode()
    stale = client.post(test_url, {"challenge_id": "rec-an-old-one", "valider": "1"})
    assert stale.status_code == 302 and stale["Location"] == test_url
    assert not Answer.objects.exists()

    # right on even questions, skipped on odd ones: something is left to retry
    first = take_test(client, content, campaign, pupil, right=lambda n: n % 2 == 0)
    assert first > 5
    results_url = f"/campagne/{campaign.code}/resultats/"
    page = client.get(results_url)
    html = page.content.decode()
    assert page.status_code == 200
    participation.refresh_from_db()
    assert participation.status == Participation.Status.TO_SHARE
    assert 'id="mastery"' in html and " %" in html
    assert "Mes résultats par compétence" in html and 'data-competence="' in html
    assert 'id="skills-to-work"' in html
    assert "J'envoie mes résultats" in html and "Retenter" in html
    if profile.stages.exists():
        assert 'id="stage"' in html and "étoile" in html
    before = html

    response = client.post(f"/campagne/{campaign.code}/retenter/")
    assert response["Location"] == test_url
    participation.refresh_from_db()
    assert participation.status == Participation.Status.STARTED
    assert client.get(results_url)["Location"] == test_url  # results wait for the end

    # share before finishing the retry: refused, in French, with its code
    refused = client.post(f"/campagne/{campaign.code}/envoi/")
    assert refused.status_code == 409
    assert "Terminez le parcours" in refused.content.decode()
    assert 'data-code="ASSESSMENT_NOT_COMPLETED"' in refused.content.decode()

    take_test(client, content, campaign, pupil)
    html = client.get(results_url).content.decode()
    assert "J'envoie mes résultats" in html and html != before
    response = client.post(f"/campagne/{campaign.code}/envoi/")
    assert response["Location"] == results_url
    participation.refresh_from_db()
    assert participation.status == Participation.Status.SHARED
    html = client.get(results_url).content.decode()
    assert "Résultats envoyés" in html
    assert "J'envoie mes résultats" not in html and "Retenter" not in html
    assert "Repasser le parcours" not in html  # no multiple sendings here
    assert f"{round(participation.mastery_rate * 100)} %" in html
    # what was sent reads as the live result did: stage, stars, badges
    live = selectors.live_result(participation)
    if live.stage is not None:
        assert escape(live.stage.title) in html
        won, total = live.reached_stage - 1, live.total_stages - 1
        assert f"{won} étoile{'s' if won > 1 else ''} sur {total}" in html
    for badge in live.all_badges:
        if badge in live.badges:
            assert f'data-badge="{badge.key}"' in html
            assert escape(badge.alt_message or badge.title) in html
        elif badge.is_always_visible:
            assert f'data-badge="{badge.key}"' in html and "Non obtenu" in html

    # the profile lists the participation
    html = client.get("/profil/").content.decode()
    assert "Mes parcours" in html and f'data-campaign="{campaign.code}"' in html
    # sending twice is refused
    assert client.post(f"/campagne/{campaign.code}/envoi/").status_code == 409


def test_multiple_sendings_wait_then_repasser(open_school, profiles, content, client, login):
    organization, _admin, teacher = open_school
    campaign = _assessment_campaign(
        organization, teacher, profiles["rentree-6e"], multiple_sendings=True
    )
    pupil = UserFactory()
    login(pupil)
    participation = services.join_campaign(user=pupil, code=campaign.code)
    take_test(client, content, campaign, pupil, right=lambda n: n % 3 == 0)
    client.post(f"/campagne/{campaign.code}/envoi/")
    html = client.get(f"/campagne/{campaign.code}/resultats/").content.decode()
    assert "Résultats envoyés" in html
    assert "Vous pourrez repasser ce parcours dans 4 jours" in html
    assert "Repasser le parcours" not in html
    assert client.post(f"/campagne/{campaign.code}/nouvel-envoi/").status_code == 409
    Participation.objects.filter(pk=participation.pk).update(
        shared_at=timezone.now() - timedelta(days=5)
    )
    html = client.get(f"/campagne/{campaign.code}/resultats/").content.decode()
    assert "Repasser le parcours" in html
    response = client.post(f"/campagne/{campaign.code}/nouvel-envoi/")
    assert response["Location"] == f"/campagne/{campaign.code}/evaluation/"
    again = _participation(pupil, campaign)
    assert again.pk != participation.pk and again.status == Participation.Status.STARTED
    participation.refresh_from_db()
    assert participation.is_improved


def test_profile_collection_shows_then_sends_the_profile(open_school, content, client, login):
    organization, _admin, teacher = open_school
    campaign = services.create_campaign(
        organization=organization,
        creator=teacher,
        type=Campaign.Type.PROFILES_COLLECTION,
        name="Profils 3e",
    )
    pupil = UserFactory()
    login(pupil)
    landing = client.get(f"/campagne/{campaign.code}/").content.decode()
    assert "16 compétences" in landing
    response = client.post(f"/campagne/{campaign.code}/", {"commencer": "1"})
    profile_url = f"/campagne/{campaign.code}/profil/"
    assert response["Location"] == profile_url
    # no test in a collection
    assert client.get(f"/campagne/{campaign.code}/evaluation/")["Location"] == profile_url
    html = client.get(profile_url).content.decode()
    assert html.count('data-competence="') == 16
    assert "J'envoie mon profil" in html
    response = client.post(f"/campagne/{campaign.code}/envoi/")
    assert response["Location"] == profile_url
    html = client.get(profile_url).content.decode()
    assert "Profil envoyé" in html and 'id="sent-profile"' in html
    assert html.count('data-competence="') == 16
    assert "J'envoie mon profil" not in html
    assert _participation(pupil, campaign).status == Participation.Status.SHARED


def test_unknown_or_empty_code_is_explained_in_french(db, client, login):
    login(UserFactory())
    response = client.post("/campagne/", {"code": "zzzzzz999"})
    assert response.status_code == 404
    assert "Aucune campagne ne correspond à ce code" in response.content.decode()
    assert 'value="ZZZZZZ999"' in response.content.decode() or "zzzzzz999" in (
        response.content.decode()
    )
    response = client.post("/campagne/", {"code": "   "})
    assert response.status_code == 400
    assert "Saisissez le code du parcours" in response.content.decode()
    assert client.get("/campagne/ZZZZZZ999/").status_code == 404
    assert client.post("/campagne/ZZZZZZ999/envoi/").status_code == 404


def test_anonymous_visitors_are_sent_to_login(open_school, profiles, client):
    organization, _admin, teacher = open_school
    campaign = _assessment_campaign(organization, teacher, profiles["rentree-6e"])
    response = client.get(f"/campagne/{campaign.code}/")
    assert response.status_code == 302
    assert response["Location"].startswith("/connexion/")
    assert f"next=/campagne/{campaign.code}/" in response["Location"].replace("%2F", "/")


def test_archived_campaign_shows_a_message_and_refuses_joining(
    open_school, profiles, client, login
):
    organization, _admin, teacher = open_school
    campaign = _assessment_campaign(organization, teacher, profiles["rentree-6e"])
    services.archive_campaign(campaign=campaign, user=teacher)
    login(UserFactory())
    page = client.get(f"/campagne/{campaign.code}/")
    html = page.content.decode()
    assert page.status_code == 200
    assert "archivé" in html and 'id="join-form"' not in html
    response = client.post(f"/campagne/{campaign.code}/", {"commencer": "1"})
    assert response.status_code == 409
    assert 'data-code="CAMPAIGN_ARCHIVED"' in response.content.decode()
    assert not Participation.objects.exists()


def test_external_id_is_asked_with_the_campaign_label(open_school, profiles, client, login):
    organization, _admin, teacher = open_school
    campaign = _assessment_campaign(
        organization,
        teacher,
        profiles["rentree-6e"],
        external_id_label="Adresse e-mail académique",
        external_id_type="email",
    )
    pupil = UserFactory()
    login(pupil)
    html = client.get(f"/campagne/{campaign.code}/").content.decode()
    assert "Adresse e-mail académique" in html and 'type="email"' in html
    missing = client.post(f"/campagne/{campaign.code}/", {"external_id": ""})
    assert missing.status_code == 400
    assert "Renseignez « Adresse e-mail académique » pour commencer." in missing.content.decode()
    invalid = client.post(f"/campagne/{campaign.code}/", {"external_id": "pas-un-mail"})
    html = invalid.content.decode()
    assert invalid.status_code == 400
    assert html.count("doit être une adresse e-mail valide") == 1  # on its field, not twice
    assert "INVALID_EMAIL" not in html  # no technical code for a typo
    assert 'value="pas-un-mail"' in html  # the form is kept
    assert not Participation.objects.exists()
    response = client.post(f"/campagne/{campaign.code}/", {"external_id": " lou@ac-exemple.fr "})
    assert response.status_code == 302
    assert _participation(pupil, campaign).participant_external_id == "lou@ac-exemple.fr"


def test_someone_elses_participation_is_never_reachable(
    open_school, profiles, content, client, login
):
    organization, _admin, teacher = open_school
    campaign = _assessment_campaign(organization, teacher, profiles["rentree-6e"])
    owner, other = UserFactory(), UserFactory()
    participation = services.join_campaign(user=owner, code=campaign.code)
    assessment = services.current_assessment(participation)
    login(owner)
    # the owner's own campaign test is served on the campaign's pages, not as training
    redirect = client.get(f"/entrainements/{assessment.pk}/")
    assert redirect["Location"] == f"/campagne/{campaign.code}/evaluation/"
    take_test(client, content, campaign, owner, stop_after=5)
    client.logout()

    login(other)
    landing = f"/campagne/{campaign.code}/"
    for page in ("evaluation/", "point-etape/", "resultats/", "profil/"):
        response = client.get(landing + page)
        assert response.status_code == 302 and response["Location"] == landing, page
    for action in ("envoi/", "retenter/"):
        response = client.post(landing + action)
        assert response.status_code == 302 and response["Location"] == landing, action
    assert client.get(f"/entrainements/{assessment.pk}/").status_code == 404
    assert client.get(f"/entrainements/{assessment.pk}/resultats/").status_code == 404
    assert Participation.objects.filter(user=other).count() == 0
    participation.refresh_from_db()
    assert participation.status == Participation.Status.STARTED
    assert Assessment.objects.filter(user=other).count() == 0


def test_restricted_campaign_asks_the_pupils_identity(school, profiles, client, login):
    campaign = _assessment_campaign(school.organization, school.teacher, profiles["rentree-6e"])
    login(school.pupil_account)
    html = client.get(f"/campagne/{campaign.code}/").content.decode()
    assert "Prénom" in html and "Date de naissance" in html and 'type="date"' in html
    # nothing typed: the account is not recognised automatically, the fields are asked
    response = client.post(f"/campagne/{campaign.code}/", {"commencer": "1"})
    assert response.status_code == 400
    assert "Saisissez votre prénom" in response.content.decode()
    wrong = {"first_name": "Lou", "last_name": "Martin", "birthdate": "2013-05-04"}
    response = client.post(f"/campagne/{campaign.code}/", wrong)
    html = response.content.decode()
    assert 400 <= response.status_code < 500
    assert "Aucun élève de cet établissement ne correspond" in html
    assert 'value="Martin"' in html
    assert not Participation.objects.exists()
    right = {"first_name": "lou", "last_name": "BERNARD", "birthdate": "04/05/2013"}
    response = client.post(f"/campagne/{campaign.code}/", right)
    assert response.status_code == 302, response.content.decode()[:800]
    participation = _participation(school.pupil_account, campaign)
    assert participation.organization_learner == school.pupil
    school.pupil.refresh_from_db()
    assert school.pupil.birthdate == date(2013, 5, 4)
