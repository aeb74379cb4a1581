"""A campaign from end to end, in a browser: a teacher creates a campaign on a shipped target
profile and copies its code; an imported pupil enters the code, proves who she is, takes the
test (checkpoints every 5 answers), retries what she failed with new questions and sends her
results; the teacher reads the activity, the results, the analysis, the participant's page and
downloads the CSV export. Every page state is checked with axe (see conftest.py)."""

import re
from datetime import date

import pytest
from playwright.sync_api import expect

from octets.assessments.models import Assessment
from octets.campaigns.models import Campaign, Participation
from octets.campaigns.profiles import load_profiles
from octets.content import selectors as content_selectors
from octets.content.services import load_release
from tests.campaigns.conftest import shipped_release
from tests.e2e.test_training_journey import answer_in_page
from tests.factories import OrganizationLearnerFactory, UserFactory


@pytest.fixture
def content(transactional_db):
    load_release(data=shipped_release())
    content = content_selectors.current_content()
    load_profiles(content)
    return content


def _play(page, axe, content, participation, *, answer_right) -> int:
    """Answer the test in the page until the results, through the checkpoints."""
    answered = 0
    while True:
        heading = page.get_by_role("heading", level=1)
        if page.get_by_role("button", name="Commencer l'épreuve").count():
            with axe.navigating(page):
                page.get_by_role("button", name="Commencer l'épreuve").click()
        if page.get_by_role("button", name="Je valide").count():
            assessment = Assessment.objects.filter(campaign_participation=participation).latest(
                "created_at", "pk"
            )
            challenge = content.get("challenges", assessment.current_challenge_id)
            with axe.navigating(page):
                if answer_right(answered):
                    answer_in_page(page, challenge)
                    page.get_by_role("button", name="Je valide").click()
                else:
                    page.get_by_role("button", name="Je passe").click()
            answered += 1
            continue
        expect(heading).to_have_text("Point d'étape")
        if page.get_by_role("link", name="Voir mes résultats").count():
            with axe.navigating(page):
                page.get_by_role("link", name="Voir mes résultats").click()
            return answered
        assert answered % 5 == 0, "a checkpoint comes every 5 answers"
        with axe.navigating(page):
            page.get_by_role("link", name="Continuer").click()


def test_teacher_creates_pupil_takes_retries_sends_teacher_reads_results(
    content,
    page,
    new_page,
    signed_in,
    visit,
    axe,
    live_server,
    school,
    teacher_membership,
    tmp_path,
):
    teacher = teacher_membership.user
    pupil_account = UserFactory(first_name="Lou", last_name="Bernard")
    OrganizationLearnerFactory(
        organization=school,
        first_name="Lou",
        last_name="Bernard",
        birthdate=date(2014, 5, 4),
        division="6A",
    )

    # The teacher creates a campaign on "Parcours de rentrée 6e".
    signed_in(page, teacher)
    visit(page, "/campagnes/")
    with axe.navigating(page):
        page.get_by_role("main").get_by_role("link", name="Créer une campagne").first.click()
    page.get_by_label("Évaluer les participants").check(force=True)
    page.get_by_label("Nom de la campagne").fill("Rentrée 6A")
    page.get_by_label("Parcours de rentrée 6e").check(force=True)
    with axe.navigating(page):
        page.get_by_role("button", name="Créer la campagne").click()
    campaign = Campaign.objects.get()
    expect(page.locator("#campaign-code")).to_have_text(campaign.code)

    # The pupil enters the code (lower case, with a space) and proves who she is.
    pupil = new_page()
    signed_in(pupil, pupil_account)
    visit(pupil, "/profil/")
    with axe.navigating(pupil):
        pupil.get_by_role("link", name="J'ai un code").click()
    pupil.get_by_label(re.compile("Code")).fill(f"{campaign.code[:4].lower()} {campaign.code[4:]}")
    with axe.navigating(pupil):
        pupil.get_by_role("button", name="Accéder au parcours").click()
    expect(pupil.get_by_role("heading", level=1)).to_have_text("Rentrée 6A")
    pupil.get_by_role("textbox", name="Prénom").fill("Lou")
    pupil.get_by_role("textbox", name="Nom", exact=True).fill("Bernard")
    birthdate = pupil.get_by_role("textbox", name=re.compile("Date de naissance"))
    birthdate.fill("2014-05-05")  # a date input: the browser shows it as 05/05/2014
    with axe.navigating(pupil):
        pupil.get_by_role("button", name="Je commence").click()
    # a wrong birth date is refused, in French, and nothing is written
    expect(pupil.get_by_role("alert").first).to_contain_text("date de naissance")
    assert not Participation.objects.exists()
    birthdate.fill("2014-05-04")
    with axe.navigating(pupil):
        pupil.get_by_role("button", name="Je commence").click()
    participation = Participation.objects.get()
    assert participation.organization_learner.first_name == "Lou"

    # The test: every other question skipped, then the results.
    first = _play(pupil, axe, content, participation, answer_right=lambda n: n % 2 == 0)
    assert first >= 5
    expect(pupil.get_by_role("heading", level=1)).to_contain_text("Mes résultats")
    participation.refresh_from_db()
    assert participation.status == Participation.Status.TO_SHARE

    # "Retenter": new questions on the failed skills, all answered right this time.
    seen = set(
        Assessment.objects.get(campaign_participation=participation).answers.values_list(
            "challenge_id", flat=True
        )
    )
    with axe.navigating(pupil):
        pupil.get_by_role("button", name="Retenter").click()
    _play(pupil, axe, content, participation, answer_right=lambda n: True)
    retry = Assessment.objects.filter(campaign_participation=participation).latest("pk")
    assert retry.is_retrying
    assert not seen & set(retry.answers.values_list("challenge_id", flat=True))
    with axe.navigating(pupil):
        pupil.get_by_role("button", name="J'envoie mes résultats").click()
    expect(pupil.get_by_role("heading", name="Résultats envoyés")).to_be_visible()
    participation.refresh_from_db()
    assert participation.status == Participation.Status.SHARED
    percent = round(participation.mastery_rate * 100)

    # The teacher reads activity, results, analysis, the participant's page, and exports.
    visit(page, f"/campagnes/{campaign.pk}/")
    expect(page.get_by_role("main")).to_contain_text("Bernard")
    with axe.navigating(page):
        page.get_by_role("link", name="Résultats", exact=True).click()
    row = (
        page.get_by_role("table", name="Résultats des participants")
        .get_by_role("row")
        .filter(has_text="Bernard")
    )
    expect(row).to_contain_text(f"{percent} %")
    with axe.navigating(page):
        page.get_by_role("link", name="Analyse", exact=True).click()
    expect(page.get_by_role("table", name="Sujets à travailler avec la classe")).to_be_visible()
    visit(page, f"/campagnes/{campaign.pk}/participants/{participation.pk}/")
    expect(page.get_by_role("main")).to_contain_text(f"{percent} %")
    visit(page, f"/campagnes/{campaign.pk}/")
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Exporter les résultats (.csv)").click()
    download = download_info.value
    path = tmp_path / download.suggested_filename
    download.save_as(path)
    assert download.suggested_filename.startswith("Resultats-")
    text = path.read_bytes().decode("utf-8")
    assert text.startswith("\ufeff")
    header, line = text.lstrip("\ufeff").splitlines()[:2]
    assert "% maitrise de l'ensemble des acquis du profil" in header
    assert "Bernard" in line and campaign.code in line
