"""Accessibility in a browser: keyboard-only use, errors tied to their fields, and axe-core on
every page of the account and team areas, empty and with errors (axe runs on each page state
through the ``visit`` and ``axe.navigating`` helpers of conftest.py)."""

import re

from playwright.sync_api import expect

from tests.e2e.support import expect_described_error, member_row, url_path
from tests.factories import (
    PASSWORD,
    InvitationFactory,
    MembershipFactory,
    UserFactory,
)

MAX_TABS = 20


def tab_to(page, target, max_tabs: int = MAX_TABS) -> int:
    """Press Tab until ``target`` has the focus; return how many presses it took."""
    for presses in range(1, max_tabs + 1):
        page.keyboard.press("Tab")
        if target.evaluate("element => element === document.activeElement"):
            return presses
    raise AssertionError(f"{target} not reached with {max_tabs} presses of Tab")


# --- keyboard -----------------------------------------------------------------------------------


def test_the_skip_link_is_the_first_tab_stop_and_moves_the_focus_to_the_content(page, visit):
    visit(page, "/connexion/")
    page.keyboard.press("Tab")
    skip_link = page.get_by_role("link", name="Contenu")
    expect(skip_link).to_be_focused()
    expect(skip_link).to_be_visible()  # DSFR shows skip links when they get the focus
    page.keyboard.press("Enter")
    expect(page.locator("#contenu")).to_be_focused()
    # The next Tab continues inside the content: the first field of the login form.
    page.keyboard.press("Tab")
    expect(page.get_by_label("Adresse e-mail ou identifiant")).to_be_focused()


def test_signing_in_with_the_keyboard_only(page, visit, axe, live_server, admin):
    visit(page, "/connexion/")
    username = page.get_by_label("Adresse e-mail ou identifiant")
    tab_to(page, username)
    page.keyboard.type(admin.email)
    page.keyboard.press("Tab")
    expect(page.get_by_label("Mot de passe", exact=True)).to_be_focused()
    page.keyboard.type(PASSWORD)
    # The rest of the form follows in reading order.
    page.keyboard.press("Tab")
    expect(page.get_by_role("link", name="Mot de passe oublié ?")).to_be_focused()
    page.keyboard.press("Tab")
    expect(page.get_by_role("button", name="Se connecter")).to_be_focused()
    with axe.navigating(page):
        page.keyboard.press("Enter")
    expect(page).to_have_url(url_path(live_server, "/equipe/membres/"))
    expect(page.locator(".fr-header__tools-links [data-current-user]")).to_have_text("Alice Durand")


def test_login_errors_are_tied_to_their_fields(page, visit, axe):
    visit(page, "/connexion/")
    tab_to(page, page.get_by_label("Adresse e-mail ou identifiant"))
    with axe.navigating(page):
        page.keyboard.press("Enter")  # submits the empty form
    expect_described_error(
        page.get_by_label("Adresse e-mail ou identifiant"), "Ce champ est obligatoire."
    )
    expect_described_error(
        page.get_by_label("Mot de passe", exact=True), "Ce champ est obligatoire."
    )

    # Wrong credentials concern no single field: an alert above the form says so.
    page.get_by_label("Adresse e-mail ou identifiant").fill("personne@college.example")
    page.get_by_label("Mot de passe", exact=True).fill("Mauvais1")
    with axe.navigating(page):
        page.get_by_label("Mot de passe", exact=True).press("Enter")
    expect(page.get_by_role("alert")).to_contain_text(
        "L'adresse e-mail ou l'identifiant, ou le mot de passe, est incorrect."
    )


def test_signup_errors_are_tied_to_their_fields(page, visit, axe, transactional_db):
    visit(page, "/inscription/")
    with axe.navigating(page):
        page.get_by_role("button", name="Créer mon compte").click()
    expect_described_error(page.get_by_label("Prénom"), "Ce champ est obligatoire.")
    expect_described_error(page.get_by_label("Nom", exact=True), "Ce champ est obligatoire.")
    expect_described_error(
        page.get_by_label("J'accepte les conditions générales d'utilisation"),
        "Vous devez accepter les conditions d'utilisation pour créer un compte.",
    )

    page.get_by_label("Prénom").fill("Camille")
    page.get_by_label("Nom", exact=True).fill("Martin")
    page.get_by_label("Adresse e-mail").fill("camille.martin@")
    page.get_by_label("Mot de passe").fill("court")
    with axe.navigating(page):
        page.get_by_role("button", name="Créer mon compte").click()
    email = page.get_by_label("Adresse e-mail")
    expect_described_error(email, "Saisissez une adresse de courriel valide.")
    # The hint stays in the description next to the error.
    expect(email).to_have_accessible_description(re.compile("Format attendu : nom@domaine.fr"))
    password = page.get_by_label("Mot de passe")
    expect_described_error(password, "Le mot de passe doit contenir au moins une majuscule")
    expect(password).to_have_value("")  # a password is never sent back to the browser
    expect(page.get_by_label("Prénom")).to_have_value("Camille")
    expect(page.get_by_label("Prénom")).not_to_have_attribute("aria-invalid", "true")


# --- axe on every page --------------------------------------------------------------------------


PUBLIC_PAGES = {
    "/connexion/": "Connexion à Octets",
    "/inscription/": "Créer un compte",
    "/mot-de-passe-oublie/": "Mot de passe oublié",
    "/demande-administration-sco/": "Activer ou récupérer l'espace Octets Orga de mon établissement",
    "/conditions-generales/": "Conditions générales d'utilisation",
}


def test_public_pages(page, visit, transactional_db):
    for path, heading in PUBLIC_PAGES.items():
        visit(page, path)
        expect(page.get_by_role("heading", level=1)).to_have_text(heading)
        expect(page).to_have_title(re.compile(r" — Octets$"))
        expect(page.locator("html")).to_have_attribute("lang", "fr")


def test_forgotten_password_pages(page, visit, axe, mailoutbox, admin):
    visit(page, "/mot-de-passe-oublie/")
    email = page.get_by_label("Adresse e-mail de votre compte")
    email.fill("pas-une-adresse")
    with axe.navigating(page):
        page.get_by_role("button", name="Recevoir le lien").click()
    expect_described_error(email, "Saisissez une adresse de courriel valide.")

    email.fill(admin.email)
    with axe.navigating(page):
        page.get_by_role("button", name="Recevoir le lien").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Vérifiez votre messagerie")
    assert [message.to for message in mailoutbox] == [[admin.email]]


def test_activate_space_pages(page, visit, axe, mailoutbox, school):
    visit(page, "/demande-administration-sco/")
    with axe.navigating(page):
        page.get_by_role("button", name="Envoyer la demande").click()
    expect_described_error(
        page.get_by_label("UAI/RNE de l'établissement"), "Ce champ est obligatoire."
    )

    page.get_by_label("UAI/RNE de l'établissement").fill("0999999Z")
    page.get_by_label("Votre prénom").fill("Claire")
    page.get_by_label("Votre nom").fill("Lefèvre")
    with axe.navigating(page):
        page.get_by_role("button", name="Envoyer la demande").click()
    expect(page.get_by_role("alert")).to_contain_text(
        "L'UAI/RNE 0999999Z ne correspond à aucun établissement connu d'Octets."
    )

    page.get_by_label("UAI/RNE de l'établissement").fill("0750001a")
    with axe.navigating(page):
        page.get_by_role("button", name="Envoyer la demande").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Demande envoyée")
    assert [message.to for message in mailoutbox] == [[school.email]]


def test_terms_of_use_must_be_accepted_before_going_on(
    page, signed_in, visit, axe, live_server, school
):
    user = MembershipFactory(organization=school, user=UserFactory(without_cgu=True)).user
    visit(signed_in(page, user), "/equipe/membres/")
    expect(page).to_have_url(re.compile(r"/cgu/\?next=/equipe/membres/$"))
    checkbox = page.get_by_label("J'accepte les conditions générales d'utilisation d'Octets")
    with axe.navigating(page):
        page.get_by_role("button", name="Continuer").click()
    expect_described_error(
        checkbox, "Vous devez accepter les conditions d'utilisation pour continuer."
    )
    checkbox.focus()
    page.keyboard.press("Space")
    expect(checkbox).to_be_checked()
    with axe.navigating(page):
        page.get_by_role("button", name="Continuer").click()
    expect(page).to_have_url(url_path(live_server, "/equipe/membres/"))


def test_team_pages_of_an_admin(page, signed_in, visit, axe, live_server, school, admin, member):
    InvitationFactory(
        organization=school, email="dominique.petit@college.example", invited_by=admin
    )
    InvitationFactory(organization=school, email="expiree@college.example", expired=True)
    visit(signed_in(page, admin), "/equipe/invitations/")
    expect(page.get_by_role("row").filter(has_text="expiree@college.example")).to_contain_text(
        "Expirée"
    )

    visit(page, "/equipe/inviter/")
    emails = page.get_by_label("Adresses e-mail")
    with axe.navigating(page):
        page.get_by_role("button", name="Envoyer les invitations").click()
    expect_described_error(emails, "Ce champ est obligatoire.")

    emails.fill("nom@college.example, pas-une-adresse")
    with axe.navigating(page):
        page.get_by_role("button", name="Envoyer les invitations").click()
    expect(page.get_by_role("alert")).to_contain_text("Aucune invitation n'a été envoyée.")
    expect(page.get_by_role("alert")).to_contain_text(
        "« pas-une-adresse » n'est pas une adresse e-mail valide."
    )
    expect(emails).to_have_value("nom@college.example, pas-une-adresse")

    emails.fill(member.user.email)
    with axe.navigating(page):
        page.get_by_role("button", name="Envoyer les invitations").click()
    expect(page.get_by_role("alert")).to_contain_text(
        f"{member.user.email} fait déjà partie de l'équipe."
    )

    visit(page, f"/equipe/membres/{member.pk}/supprimer/")
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Supprimer Camille Martin de l'équipe ?"
    )
    visit(page, "/equipe/quitter/")  # the last admin: a warning instead of the button
    expect(page.get_by_role("alert")).to_contain_text("Vous êtes le dernier administrateur")


def test_filtering_members_with_the_keyboard(page, signed_in, visit, axe, school, admin, member):
    visit(signed_in(page, admin), "/equipe/membres/")
    expect(page.locator("#members-count")).to_have_text("2 membres")
    search = page.get_by_role("searchbox", name="Rechercher un membre")
    tab_to(page, search, max_tabs=30)
    page.keyboard.type("Martin")
    # htmx replaces the table as one types, and the new count is announced by a live region
    # that stays in the page.
    expect(page.get_by_role("status")).to_have_text("1 membre")
    expect(page.locator("#members-count")).to_have_text("1 membre")
    expect(member_row(page, member.user.email)).to_be_visible()
    expect(member_row(page, admin.email)).to_have_count(0)
    expect(page).to_have_url(re.compile(r"/equipe/membres/\?search=Martin"))
    expect(search).to_be_focused()
    axe.check(page)


def test_team_pages_of_a_member(page, signed_in, visit, school, admin, member):
    visit(signed_in(page, member.user), "/equipe/membres/")
    expect(page.get_by_role("columnheader", name="Actions")).to_have_count(0)
    visit(page, "/equipe/quitter/")
    expect(page.get_by_role("button", name="Oui, quitter cet espace")).to_be_visible()
    visit(page, "/equipe/inviter/", status=403)
    expect(page.get_by_role("alert")).to_contain_text(
        "Cette action est réservée aux administrateurs de l'organisation."
    )


def test_join_pages(page, visit, axe, school, admin):
    invitation = InvitationFactory(organization=school, email="nouveau@college.example")
    visit(page, f"/rejoindre/{invitation.pk}/{invitation.code}/")
    signup = page.get_by_role("region", name="Je crée mon compte")
    login = page.get_by_role("region", name="J'ai déjà un compte")
    # Two forms share field names on this page: each label still names its own input.
    expect(login.get_by_label("Mot de passe")).to_have_attribute("autocomplete", "current-password")
    expect(signup.get_by_label("Mot de passe")).to_have_attribute("autocomplete", "new-password")
    # No field takes the focus on arrival: the page is read from its title.
    expect(page.locator("body")).to_be_focused()
    with axe.navigating(page):
        signup.get_by_role("button", name="Créer mon compte et rejoindre").click()
    signup = page.get_by_role("region", name="Je crée mon compte")
    expect_described_error(signup.get_by_label("Prénom"), "Ce champ est obligatoire.")
    expect(signup.get_by_label("Adresse e-mail")).to_have_value("nouveau@college.example")

    with axe.navigating(page):
        login.get_by_role("button", name="Se connecter et rejoindre").click()
    expect_described_error(login.get_by_label("Mot de passe"), "Ce champ est obligatoire.")

    visit(page, f"/rejoindre/{invitation.pk}/MAUVAISCODE/", status=404)
    expect(page.get_by_role("heading", level=1)).to_have_text("Invitation")
