"""Training through the API: a whole session, wrong answers, conflicts, ownership, login."""

import json

import pytest

from octets.accounts.models import PersonalAccessToken
from octets.assessments.models import Answer, Assessment, KnowledgeElement
from tests.assessments.conftest import right_answer
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

SECRET_FIELDS = ("solution", "solution_to_display", "solutionToDisplay", "scoring", "t1")


def post(client, url, body):
    return client.post(url, json.dumps(body), content_type="application/json")


def start(client, competence="1.1"):
    response = post(client, "/api/v1/assessments", {"competence": competence})
    assert response.status_code == 201, response.content
    return response.json()["id"]


def snapshot():
    return (
        list(Answer.objects.order_by("pk").values_list("pk", "challenge_id", "result")),
        KnowledgeElement.objects.count(),
        list(Assessment.objects.order_by("pk").values_list("pk", "state", "current_challenge_id")),
    )


def test_full_training_session_with_right_answers(content, api_client):
    user = UserFactory()
    client = api_client(user)
    assessment_id = start(client)
    served = []
    for _ in range(20):
        response = client.get(f"/api/v1/assessments/{assessment_id}/next-challenge")
        if response.status_code == 204:
            break
        assert response.status_code == 200
        payload = response.json()
        assert not any(field in payload for field in SECRET_FIELDS)
        challenge = content.get("challenges", payload["id"])
        assert challenge.competence_id == "comp_1_1"
        # The same challenge is served until it is answered.
        again = client.get(f"/api/v1/assessments/{assessment_id}/next-challenge")
        assert again.json()["id"] == payload["id"]
        answer = post(
            client,
            f"/api/v1/assessments/{assessment_id}/answers",
            {"challenge_id": payload["id"], "value": right_answer(challenge), "timeout": 10},
        )
        assert answer.status_code == 201, answer.content
        assert answer.json()["result"] == "ok"
        served.append(payload["id"])
    else:
        pytest.fail("the assessment never finished")
    assert served
    assert Assessment.objects.get(pk=assessment_id).state == "completed"
    assert client.get(f"/api/v1/assessments/{assessment_id}/next-challenge").status_code == 204

    profile = client.get("/api/v1/me/profile").json()
    by_index = {row["index"]: row for row in profile["competences"]}
    assert set(by_index) == {c.index for c in content.competences}
    assert by_index["1.1"]["pix"] > 0 and by_index["1.1"]["level"] > 0
    assert by_index["2.1"]["pix"] == 0
    assert profile["total_pix"] == sum(row["pix"] for row in profile["competences"])
    assert profile["is_certifiable"] is False
    assert 1 <= by_index["1.1"]["pix_to_next_level"] <= 8

    # The profile is lifelong: a finished competence has nothing left to ask, so starting it
    # again is refused (an empty session would hide the results) and creates nothing.
    again = post(client, "/api/v1/assessments", {"competence": "1.1"})
    assert again.status_code == 409 and again.json()["code"] == "COMPETENCE_COMPLETED"
    assert Assessment.objects.filter(user=user).count() == 1


def test_wrong_answer_is_marked_ko_and_earns_nothing(content, api_client):
    client = api_client(UserFactory())
    assessment_id = start(client)
    challenge = client.get(f"/api/v1/assessments/{assessment_id}/next-challenge").json()
    response = post(
        client,
        f"/api/v1/assessments/{assessment_id}/answers",
        {"challenge_id": challenge["id"], "value": "réponse fausse"},
    )
    assert response.status_code == 201
    assert response.json()["result"] == "ko"
    kes = KnowledgeElement.objects.filter(assessment_id=assessment_id)
    assert kes.exists() and all(ke.status == "invalidated" and ke.earned_pix == 0 for ke in kes)
    skipped = client.get(f"/api/v1/assessments/{assessment_id}/next-challenge").json()
    response = post(
        client,
        f"/api/v1/assessments/{assessment_id}/answers",
        {"challenge_id": skipped["id"], "value": "#ABAND#"},
    )
    assert response.json()["result"] == "aband"


def test_answer_to_a_challenge_that_is_not_current_is_refused(content, api_client):
    client = api_client(UserFactory())
    assessment_id = start(client)
    current = client.get(f"/api/v1/assessments/{assessment_id}/next-challenge").json()["id"]
    other = next(c.id for c in content.challenges_of("comp_1_1") if c.id != current)
    before = snapshot()
    response = post(
        client,
        f"/api/v1/assessments/{assessment_id}/answers",
        {"challenge_id": other, "value": "1"},
    )
    assert response.status_code == 409
    assert response.json()["code"] == "CHALLENGE_NOT_CURRENT"
    assert snapshot() == before


def test_second_answer_to_the_same_challenge_is_refused(content, api_client):
    client = api_client(UserFactory())
    assessment_id = start(client)
    current = client.get(f"/api/v1/assessments/{assessment_id}/next-challenge").json()
    url = f"/api/v1/assessments/{assessment_id}/answers"
    value = right_answer(content.get("challenges", current["id"]))
    assert post(client, url, {"challenge_id": current["id"], "value": value}).status_code == 201
    before = snapshot()
    response = post(client, url, {"challenge_id": current["id"], "value": "autre"})
    assert response.status_code == 409
    assert response.json()["code"] == "ALREADY_ANSWERED"
    assert response.json()["message"]
    assert snapshot() == before


def test_another_users_assessment_is_not_found(content, api_client):
    owner = api_client(UserFactory())
    assessment_id = start(owner)
    challenge = owner.get(f"/api/v1/assessments/{assessment_id}/next-challenge").json()
    intruder = api_client(UserFactory())
    before = snapshot()
    assert intruder.get(f"/api/v1/assessments/{assessment_id}").status_code == 404
    response = intruder.get(f"/api/v1/assessments/{assessment_id}/next-challenge")
    assert response.status_code == 404
    assert response.json()["code"] == "NOT_FOUND"
    response = post(
        intruder,
        f"/api/v1/assessments/{assessment_id}/answers",
        {"challenge_id": challenge["id"], "value": "1"},
    )
    assert response.status_code == 404
    assert snapshot() == before
    assert owner.get(f"/api/v1/assessments/{assessment_id}").status_code == 200


def test_unknown_competence(content, api_client):
    client = api_client(UserFactory())
    response = post(client, "/api/v1/assessments", {"competence": "9.9"})
    assert response.status_code == 404
    assert response.json()["code"] == "UNKNOWN_COMPETENCE"
    assert "9.9" in response.json()["message"]
    assert not Assessment.objects.exists()


def test_endpoints_require_a_token(content, client):
    assert post(client, "/api/v1/assessments", {"competence": "1.1"}).status_code == 401
    assert client.get("/api/v1/me/profile").status_code == 401


def test_token_with_email_or_username(client, password):
    user = UserFactory(username="eleve.un")
    for body in (
        {"email": user.email, "password": password},
        {"username": "eleve.un", "password": password},
    ):
        response = post(client, "/api/v1/auth/token", body)
        assert response.status_code == 201, response.content
        raw = response.json()["token"]
        me = client.get("/api/v1/me", headers={"Authorization": f"Bearer {raw}"})
        assert me.json()["id"] == user.pk
    assert PersonalAccessToken.objects.filter(user=user).count() == 2


def test_token_with_a_wrong_password(client):
    user = UserFactory()
    response = post(client, "/api/v1/auth/token", {"email": user.email, "password": "Faux12345"})
    assert response.status_code == 401
    assert response.json()["code"] == "INVALID_CREDENTIALS"
    assert "incorrect" in response.json()["message"]
    assert not PersonalAccessToken.objects.exists()


def test_token_endpoint_is_throttled_like_the_login_page(client, password):
    user = UserFactory()
    for _ in range(3):
        failed = post(client, "/api/v1/auth/token", {"email": user.email, "password": "Faux1234"})
    assert failed.status_code == 429
    assert failed.json()["code"] == "LOCKED_OUT"
    # Even the right password is refused while locked.
    response = post(client, "/api/v1/auth/token", {"email": user.email, "password": password})
    assert response.status_code == 429
    assert response.json()["code"] == "LOCKED_OUT"
    assert not PersonalAccessToken.objects.exists()


def test_starting_again_resumes_the_running_session(content, api_client):
    client = api_client(UserFactory())
    first = start(client)
    again = post(client, "/api/v1/assessments", {"competence": "1.1"})
    assert again.status_code == 200 and again.json()["id"] == first
    assert Assessment.objects.count() == 1


def test_results_reset_and_improve_through_the_api(content, api_client):
    from datetime import timedelta

    from django.utils import timezone

    user = UserFactory()
    client = api_client(user)
    assessment_id = start(client)
    assert client.get(f"/api/v1/assessments/{assessment_id}/results").status_code == 409
    while True:
        response = client.get(f"/api/v1/assessments/{assessment_id}/next-challenge")
        if response.status_code == 204:
            break
        post(
            client,
            f"/api/v1/assessments/{assessment_id}/answers",
            {"challenge_id": response.json()["id"], "value": "#ABAND#"},
        )
    results = client.get(f"/api/v1/assessments/{assessment_id}/results").json()
    assert results["assessment"]["state"] == "completed"
    assert results["skills_to_work"] and any(s["tutorials"] for s in results["skills_to_work"])
    assert all(a["answer"] == ["Épreuve passée"] and a["expected"] for a in results["answers"])
    card = results["competence"]
    assert card["status"] == "completed" and card["days_before_reset"] == 7

    too_early = post(client, "/api/v1/me/competences/1.1/reset", {})
    assert too_early.status_code == 409 and too_early.json()["code"] == "RESET_TOO_EARLY"
    improve = post(client, "/api/v1/assessments", {"competence": "1.1", "improve": True})
    assert improve.status_code == 409 and improve.json()["code"] == "IMPROVE_TOO_EARLY"

    KnowledgeElement.objects.update(created_at=timezone.now() - timedelta(days=7))
    improving = post(client, "/api/v1/assessments", {"competence": "1.1", "improve": True})
    assert improving.status_code == 201 and improving.json()["is_improving"] is True
    reset = post(client, "/api/v1/me/competences/1.1/reset", {})
    assert reset.status_code == 200, reset.content
    assert reset.json()["reset_skills"] > 0
    assert reset.json()["competence"]["status"] == "not_started"
    assert Assessment.objects.get(pk=improving.json()["id"]).state == "aborted"
    assert post(client, "/api/v1/me/competences/9.9/reset", {}).status_code == 404
