"""A learner's training session in a browser: profile → competence → every kind of question,
a refused empty answer, "Je passe", closing the browser and resuming, results with the skills
to work on and the answers reviewed, and the profile that moved. Every page state is checked
with axe (see conftest.py)."""

import re

import pytest
from playwright.sync_api import expect

from octets.assessments.models import Assessment
from octets.assessments.presentation import challenge_view, expected_inputs
from octets.content import selectors as content_selectors
from octets.content.services import load_release
from tests.content.conftest import fixture_release
from tests.e2e.support import url_path
from tests.factories import PASSWORD, UserFactory


@pytest.fixture
def content(transactional_db):
    load_release(data=fixture_release())
    return content_selectors.current_content()


def answer_in_page(page, challenge) -> None:
    """Fill the form as a learner would, with the expected answer."""
    view = challenge_view(challenge)
    if view.has_choices:
        for position in challenge.solution.split(","):
            page.locator(f"label[for=answer-{position.strip()}]").click()
        return
    expected = expected_inputs(challenge)
    for item in view.inputs:
        value = expected[item.block.key]
        field = page.get_by_label(item.label, exact=True)
        if item.is_select:
            field.select_option(value)
        else:
            field.fill(value)


def test_a_learner_trains_on_a_competence_from_the_profile_to_the_results(
    content, page, login_as, visit, axe, live_server
):
    learner = UserFactory(first_name="Lina")

    # Signed in, a learner with no school lands on their profile.
    login_as(page, learner, PASSWORD)
    expect(page).to_have_url(url_path(live_server, "/profil/"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Bonjour Lina")
    expect(page.locator("#certifiable")).to_contain_text("Pas encore certifiable")
    expect(page.locator("[data-competence]")).to_have_count(len(content.competences))

    # Profile → competence 1.1 → "Commencer".
    with axe.navigating(page):
        page.get_by_role("link", name=re.compile(r"^1\.1 ")).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("1.1")
    with axe.navigating(page):
        page.get_by_role("button", name="Commencer").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Question 1")
    assessment = Assessment.objects.get(user=learner)

    # An empty answer is refused with an explanation, and nothing is recorded.
    with axe.navigating(page):
        page.get_by_role("button", name="Je valide").click()
    expect(page.get_by_role("alert")).to_contain_text("Votre réponse n'a pas été envoyée")
    assert not assessment.answers.exists()

    # The first question is skipped.
    with axe.navigating(page):
        page.get_by_role("button", name="Je passe").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Question 2")

    # The learner closes the browser; signing in again resumes at the same question.
    assessment.refresh_from_db()
    waiting = assessment.current_challenge_id
    page.context.clear_cookies()  # what closing the browser does to a session cookie
    login_as(page, learner, PASSWORD)
    visit(page, "/competences/1.1/")
    with axe.navigating(page):
        page.get_by_role("button", name="Reprendre").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Question 2")
    assessment.refresh_from_db()
    assert assessment.current_challenge_id == waiting

    # Every following question is answered right, whatever its kind.
    seen_types = set()
    for _ in range(20):
        if "/resultats/" in page.url:
            break
        assessment.refresh_from_db()
        challenge = content.get("challenges", assessment.current_challenge_id)
        seen_types.add(challenge.type)
        if challenge.is_timed:
            expect(page.locator("#timed-intro")).to_contain_text("Épreuve chronométrée")
            with axe.navigating(page):
                page.get_by_role("button", name="Commencer l'épreuve").click()
            expect(page.locator("#timer")).to_contain_text("Épreuve chronométrée")
        answer_in_page(page, challenge)
        with axe.navigating(page):
            page.get_by_role("button", name="Je valide").click()
    else:
        pytest.fail("the training never finished")
    assert len(seen_types) >= 2

    # Results: the level reached, the skipped skill to work on with its tutorial, the review.
    expect(page.get_by_role("heading", level=1)).to_contain_text("Résultats")
    expect(page.locator("#level-reached")).to_contain_text("Niveau atteint")
    expect(page.locator("#skills-to-work li").first).to_be_visible()
    first = page.get_by_role("button", name=re.compile(r"^Question 1"))
    first.click()
    expect(first).to_have_attribute("aria-expanded", "true")
    expect(page.locator("#answer-1").get_by_text("Épreuve passée")).to_be_visible()
    expect(page.locator("#answer-1").get_by_text("Réponse attendue")).to_be_visible()
    axe.check(page)
    assert assessment.answers.filter(result="ok").count() >= 1

    # The profile shows the pix earned.
    with axe.navigating(page):
        page.get_by_role("navigation", name="Menu principal").get_by_role(
            "link", name="Mes compétences"
        ).click()
    card = page.locator('[data-competence="1.1"]')
    expect(card).to_contain_text("Terminée")
    expect(page.locator("#total-pix")).not_to_have_text(re.compile(r"^\s*0 pix"))
