"""The team journey of Octets Orga, in a browser, as new users live it.

An admin invites a teacher from the "Équipe" pages; the teacher opens the e-mailed link in
their own browser, creates an account and lands in the team; the admin then manages roles and
members. Every page state reached is checked with axe (see conftest.py).
"""

import re

from django.utils import timezone
from playwright.sync_api import expect

from octets.organizations.models import Invitation, Membership
from tests.e2e.support import TEACHER_EMAIL, join_path, member_row, members_table, url_path
from tests.factories import PASSWORD, OrganizationFactory

TEACHER_PASSWORD = "Tableau-Vert42"


def test_admin_invites_a_teacher_who_creates_an_account_and_joins_the_team(
    page, new_page, visit, login_as, axe, live_server, mailoutbox, school, admin
):
    # The admin signs in and opens the team pages from the main menu.
    login_as(page, admin, PASSWORD)
    expect(page).to_have_url(url_path(live_server, "/equipe/membres/"))
    with axe.navigating(page):
        page.get_by_role("navigation", name="Menu principal").get_by_role(
            "link", name="Équipe"
        ).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Équipe")
    expect(member_row(page, admin.email)).to_be_visible()

    # Équipe → "Inviter un membre": an address and a role.
    with axe.navigating(page):
        page.get_by_role("link", name="Inviter un membre").click()
    expect(page).to_have_url(url_path(live_server, "/equipe/inviter/"))
    page.get_by_label("Adresses e-mail").fill(TEACHER_EMAIL)
    page.get_by_label("Rôle").select_option(label="Membre")
    with axe.navigating(page):
        page.get_by_role("button", name="Envoyer les invitations").click()

    # The pending invitation is listed, with the date it was last sent.
    expect(page).to_have_url(url_path(live_server, "/equipe/invitations/"))
    expect(page.get_by_role("status").filter(has_text="Invitation envoyée")).to_have_text(
        f"Invitation envoyée à {TEACHER_EMAIL}."
    )
    invitations = page.get_by_role("table", name="Invitations en attente")
    expect(invitations.get_by_role("columnheader", name="Date de dernier envoi")).to_be_visible()
    row = invitations.get_by_role("row").filter(has_text=TEACHER_EMAIL)
    invitation = Invitation.objects.get(organization=school, email=TEACHER_EMAIL)
    last_sent = timezone.localtime(invitation.last_sent_at)
    expect(row.locator("time")).to_have_text(last_sent.strftime("%d/%m/%Y %H:%M"))
    expect(row.get_by_role("cell").nth(1)).to_have_text("Membre")
    expect(page.get_by_role("link", name="Invitations (1)")).to_be_visible()

    # The teacher gets one e-mail with a single-use link.
    assert len(mailoutbox) == 1
    message = mailoutbox[0]
    assert message.to == [TEACHER_EMAIL]
    assert "Collège Jean Moulin" in message.subject
    assert "Alice Durand" in message.body
    link = join_path(message)
    assert link == f"/rejoindre/{invitation.pk}/{invitation.code}/"

    # In their own browser, the teacher opens it and creates an account.
    teacher = new_page()
    visit(teacher, link)
    expect(teacher.get_by_role("heading", level=1)).to_have_text(
        "Vous êtes invité(e) à rejoindre Collège Jean Moulin"
    )
    signup = teacher.get_by_role("region", name="Je crée mon compte")
    signup.get_by_label("Prénom").fill("Camille")
    signup.get_by_label("Nom", exact=True).fill("Martin")
    expect(signup.get_by_label("Adresse e-mail")).to_have_value(TEACHER_EMAIL)
    signup.get_by_label("Mot de passe").fill(TEACHER_PASSWORD)
    # DSFR draws the checkbox on its label: people tick it by clicking the label.
    cgu = signup.get_by_label("J'accepte les conditions générales d'utilisation")
    signup.get_by_text("J'accepte les conditions générales d'utilisation").click()
    expect(cgu).to_be_checked()
    with axe.navigating(teacher):
        signup.get_by_role("button", name="Créer mon compte et rejoindre").click()

    # They land on the team page, signed in, and see both names.
    expect(teacher).to_have_url(url_path(live_server, "/equipe/membres/"))
    expect(teacher.get_by_role("status").filter(has_text="Bienvenue")).to_have_text(
        "Bienvenue dans l'équipe de Collège Jean Moulin."
    )
    expect(teacher.locator(".fr-header__tools-links [data-current-user]")).to_have_text(
        "Camille Martin"
    )
    expect(members_table(teacher).locator("tbody tr")).to_have_count(2)
    expect(member_row(teacher, TEACHER_EMAIL).get_by_role("cell")).to_have_text(
        ["Martin", "Camille", TEACHER_EMAIL, "Membre"]
    )
    expect(member_row(teacher, admin.email).get_by_role("cell")).to_have_text(
        ["Durand", "Alice", admin.email, "Administrateur"]
    )
    # A member sees the team, not the admin pages.
    expect(teacher.get_by_role("link", name="Inviter un membre")).to_have_count(0)

    # The admin sees the new member, and no pending invitation any more.
    visit(page, "/equipe/membres/")
    expect(member_row(page, TEACHER_EMAIL)).to_contain_text("Camille")
    visit(page, "/equipe/invitations/")
    expect(page.get_by_role("cell", name="Aucune invitation en attente.")).to_be_visible()

    # The link served once: opening it again explains why it no longer works.
    visit(teacher, link, status=409)
    expect(teacher.get_by_role("alert")).to_contain_text(
        "Cette invitation a déjà été acceptée. Connectez-vous pour accéder à l'espace."
    )
    # A link with a wrong code is not found.
    visit(teacher, f"/rejoindre/{invitation.pk}/ABCDEFGHIJ/", status=404)
    expect(teacher.get_by_role("alert")).to_contain_text(
        "Ce lien d'invitation n'est pas valide. Vérifiez qu'il a été copié en entier."
    )


def test_an_invited_teacher_with_an_account_signs_in_from_the_link(
    new_page, visit, axe, live_server, mailoutbox, school, admin, teacher_membership
):
    """The other half of the join page: an existing account signs in and joins."""
    other_school = OrganizationFactory(name="Lycée Victor Hugo", external_id="0750002B")
    invitation = Invitation.objects.create(
        organization=other_school, email=TEACHER_EMAIL, role=Membership.Role.ADMIN
    )
    teacher = new_page()
    visit(teacher, f"/rejoindre/{invitation.pk}/{invitation.code}/")
    account = teacher.get_by_role("region", name="J'ai déjà un compte")
    account.get_by_label("Adresse e-mail ou identifiant").fill(TEACHER_EMAIL)
    account.get_by_label("Mot de passe").fill("pas-le-bon")
    with axe.navigating(teacher):
        account.get_by_role("button", name="Se connecter et rejoindre").click()
    expect(account.get_by_role("alert")).to_contain_text("est incorrect")

    account.get_by_label("Mot de passe").fill(PASSWORD)
    with axe.navigating(teacher):
        account.get_by_role("button", name="Se connecter et rejoindre").click()
    expect(teacher).to_have_url(url_path(live_server, "/equipe/membres/"))
    expect(teacher.locator("#organization-switcher")).to_contain_text("Lycée Victor Hugo")
    expect(member_row(teacher, TEACHER_EMAIL).get_by_role("cell").nth(3)).to_have_text(
        "Administrateur"
    )
    # Both schools are now reachable from the organization switcher.
    teacher.get_by_label("Changer d'organisation").select_option(label="Collège Jean Moulin")
    with axe.navigating(teacher):
        teacher.get_by_role("button", name="Changer", exact=True).click()
    expect(teacher.locator("#organization-switcher")).to_contain_text("Collège Jean Moulin")
    expect(member_row(teacher, admin.email)).to_be_visible()


def test_admin_makes_a_member_administrator(
    page, signed_in, visit, axe, live_server, school, admin, teacher_membership
):
    visit(signed_in(page, admin), "/equipe/membres/")
    row = member_row(page, TEACHER_EMAIL)
    expect(row.get_by_role("cell").nth(3)).to_have_text("Membre")
    # The last admin cannot leave: the page says so instead of offering to.
    expect(member_row(page, admin.email)).to_contain_text("Vous êtes le seul administrateur")

    row.get_by_label("Rôle de Camille Martin").select_option(label="Administrateur")
    with axe.navigating(page):
        row.get_by_role("button", name="Modifier le rôle de Camille Martin").click()
    expect(page).to_have_url(url_path(live_server, "/equipe/membres/"))
    expect(page.get_by_role("status").filter(has_text="maintenant")).to_have_text(
        "Camille Martin est maintenant administrateur."
    )
    expect(member_row(page, TEACHER_EMAIL).get_by_role("cell").nth(3)).to_have_text(
        "Administrateur"
    )
    teacher_membership.refresh_from_db()
    assert teacher_membership.role == Membership.Role.ADMIN
    # With a second admin, the first one may now leave.
    expect(
        member_row(page, admin.email).get_by_role("link", name="Quitter cet espace")
    ).to_be_visible()


def test_admin_removes_a_member_after_confirming(
    page, signed_in, new_page, visit, axe, live_server, school, admin, teacher_membership
):
    visit(signed_in(page, admin), "/equipe/membres/")
    with axe.navigating(page):
        member_row(page, TEACHER_EMAIL).get_by_role("link", name="Supprimer Camille Martin").click()
    expect(page).to_have_url(
        url_path(live_server, f"/equipe/membres/{teacher_membership.pk}/supprimer/")
    )
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Supprimer Camille Martin de l'équipe ?"
    )
    # "No" goes back without removing anyone.
    with axe.navigating(page):
        page.get_by_role("link", name="Non, revenir à l'équipe").click()
    expect(page).to_have_url(url_path(live_server, "/equipe/membres/"))
    expect(member_row(page, TEACHER_EMAIL)).to_be_visible()

    with axe.navigating(page):
        member_row(page, TEACHER_EMAIL).get_by_role("link", name="Supprimer Camille Martin").click()
    with axe.navigating(page):
        page.get_by_role("button", name="Oui, supprimer").click()
    expect(page).to_have_url(url_path(live_server, "/equipe/membres/"))
    expect(page.get_by_role("status").filter(has_text="ne fait plus partie")).to_have_text(
        "Camille Martin ne fait plus partie de l'équipe."
    )
    expect(member_row(page, TEACHER_EMAIL)).to_have_count(0)
    expect(page.locator("#members-count")).to_have_text("1 membre")
    teacher_membership.refresh_from_db()
    assert teacher_membership.disabled_at is not None

    # The removed teacher no longer reaches the team.
    teacher = new_page()
    visit(teacher, "/connexion/")
    teacher.get_by_label("Adresse e-mail ou identifiant").fill(TEACHER_EMAIL)
    teacher.get_by_label("Mot de passe", exact=True).fill(PASSWORD)
    with axe.navigating(teacher):
        teacher.get_by_role("button", name="Se connecter").click()
    # with no school left, signing in leads to their own profile of competences
    expect(teacher).to_have_url(url_path(live_server, "/profil/"))
    expect(teacher.get_by_role("heading", level=1)).to_have_text("Bonjour Camille")
    visit(teacher, "/equipe/membres/", status=403)
    expect(teacher.get_by_role("alert")).to_contain_text("Vous n'êtes membre d'aucune organisation")


def test_the_last_admin_cannot_leave(page, signed_in, visit, axe, live_server, school, admin):
    visit(signed_in(page, admin), "/equipe/membres/")
    expect(member_row(page, admin.email)).to_contain_text("Vous êtes le seul administrateur")
    visit(page, "/equipe/quitter/")
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Quitter l'espace de Collège Jean Moulin ?"
    )
    expect(page.get_by_role("alert")).to_have_text(
        re.compile(r"Vous êtes le dernier administrateur : nommez un autre administrateur")
    )
    expect(page.get_by_role("button", name=re.compile("quitter", re.IGNORECASE))).to_have_count(0)
    with axe.navigating(page):
        page.get_by_role("link", name="Revenir à l'équipe").click()
    expect(page).to_have_url(url_path(live_server, "/equipe/membres/"))


def test_a_member_leaves_the_team(
    page, signed_in, visit, axe, live_server, school, admin, teacher_membership
):
    visit(signed_in(page, teacher_membership.user), "/equipe/membres/")
    with axe.navigating(page):
        page.get_by_role("link", name="Quitter cet espace Octets Orga").click()
    expect(page).to_have_url(url_path(live_server, "/equipe/quitter/"))
    with axe.navigating(page):
        page.get_by_role("button", name="Oui, quitter cet espace").click()
    # Without any other organization, the teacher is signed out.
    expect(page).to_have_url(url_path(live_server, "/connexion/"))
    expect(page.get_by_role("status")).to_have_text(
        "Vous avez quitté l'espace de Collège Jean Moulin."
    )
    teacher_membership.refresh_from_db()
    assert teacher_membership.disabled_at is not None
