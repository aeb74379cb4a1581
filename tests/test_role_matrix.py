"""The role matrix: for every protected URL (pages and API), what each persona gets.

Two schools (``school`` and ``other_school``). Object ids in the URLs belong to ``school``.
Every refused request must leave the database exactly as it was; every accepted write must have
its effect; a persona acting from ``other_school`` never touches ``school``'s rows.
"""

from dataclasses import dataclass
from datetime import timedelta
from types import SimpleNamespace
from typing import Any
from urllib.parse import quote

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from octets.accounts.models import PersonalAccessToken, User
from octets.campaigns import services as campaign_services
from octets.campaigns.models import Campaign, CappedTube, Participation, Stage, TargetProfile
from octets.content.services import load_release
from octets.jobs.models import Job
from octets.organizations.middleware import SESSION_KEY
from octets.organizations.models import Invitation, Membership, Organization
from octets.students import generator
from octets.students import services as student_services
from octets.students.models import CredentialAction, LearnerImport, OrganizationLearner
from tests.content.conftest import fixture_release
from tests.factories import (
    InvitationFactory,
    MembershipFactory,
    OrganizationLearnerFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

LOGIN = "→ /connexion/"  # 302 to the login page, with ?next=<the requested path>
ADMIN_LOGIN = "→ /admin/login/"  # 302 to the platform console's own login page, ?next=<path>
NEW_EMAIL = "nouvelle.recrue@alpha.example"


# --- the world the matrix runs in ---------------------------------------------------------------


@pytest.fixture
def world(personas, settings, tmp_path):
    """The personas plus school rows to act on (and matching rows in the other school)."""
    p = personas
    two_days_ago = timezone.now() - timedelta(days=2)
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.CONTENT_ASSETS_DIR = _content_assets(tmp_path / "assets")
    return SimpleNamespace(
        p=p,
        **_student_rows(p),
        **_campaign_rows(p),
        target=MembershipFactory(
            organization=p.school, role="MEMBER", user=UserFactory(email="cible@alpha.example")
        ),
        invitation=InvitationFactory(
            organization=p.school, email="attente@alpha.example", last_sent_at=two_days_ago
        ),
        other_target=MembershipFactory(
            organization=p.other_school, role="MEMBER", user=UserFactory(email="cible@beta.example")
        ),
        other_invitation=InvitationFactory(
            organization=p.other_school, email="attente@beta.example", last_sent_at=two_days_ago
        ),
    )


def _student_rows(p) -> dict:
    """Pupils of both schools (one with a username account) and a validated import of `school`."""
    learner = OrganizationLearnerFactory(organization=p.school, division="6A", first_name="Zoé")
    with_username = OrganizationLearnerFactory(
        organization=p.school,
        division="6A",
        user=UserFactory(email=None, username="lea.martin0101", must_change_password=False),
    )
    other_learner = OrganizationLearnerFactory(
        organization=p.other_school, division="6A", first_name="Hors-Champ"
    )
    learner_import = student_services.start_import(
        organization=p.school,
        uploaded_by=p.admin,
        file_name="ElevesSansAdresses.zip",
        upload=generator.siecle_zip(uai=p.school.external_id, count=3),
    )
    return {
        "learner": learner,
        "learner_with_username": with_username,
        "other_learner": other_learner,
        "learner_import": learner_import,
    }


def _campaign_rows(p) -> dict:
    """An assessment campaign of `school` owned by its admin, with one participant; an archived
    one; and a campaign of `other_school`."""
    load_release(data=fixture_release())
    profile = TargetProfile.objects.create(
        name="Profil de la matrice", category="custom", is_public=True
    )
    CappedTube.objects.create(target_profile=profile, tube_id="tube_1_1_moteur", level=2)
    Stage.objects.create(target_profile=profile, threshold=0, title="Départ", message="Bienvenue")

    def campaign(organization, owner, name):
        return campaign_services.create_campaign(
            organization=organization,
            creator=owner,
            type=Campaign.Type.ASSESSMENT,
            name=name,
            target_profile_id=profile.pk,
        )

    alpha = campaign(p.school, p.admin, "Campagne Alpha")
    archived = campaign(p.school, p.admin, "Campagne Rangée")
    campaign_services.archive_campaign(campaign=archived, user=p.admin)
    beta = campaign(p.other_school, p.other_admin, "Campagne Beta")
    pupil = UserFactory(first_name="Néo", last_name="Participant")
    OrganizationLearnerFactory(organization=p.school, user=pupil, last_name="Participant")
    participation = campaign_services.join_campaign(user=pupil, code=alpha.code)
    return {
        "campaign": alpha,
        "archived_campaign": archived,
        "other_campaign": beta,
        "participation": participation,
    }


CONTENT_SVG = (
    '<svg xmlns="http://www.w3.org/2000/svg" role="img" viewBox="0 0 600 100">'
    "<title>Schéma</title></svg>"
)


def _content_assets(folder):
    """A content assets folder with one illustration (``/contenu/fichiers/1.1/schema.svg``)."""
    (folder / "1.1").mkdir(parents=True)
    (folder / "1.1" / "schema.svg").write_text(CONTENT_SVG, encoding="utf-8")
    return folder


def _siecle_upload(w):
    data = generator.siecle_zip(uai=w.p.school.external_id, count=2, seed=7)
    return SimpleUploadedFile("ElevesSansAdresses.zip", data, content_type="application/zip")


def _rows(organization=None):
    org_filter = {} if organization is None else {"organization": organization}
    orgs = Organization.objects.order_by("pk")
    if organization is not None:
        orgs = orgs.filter(pk=organization.pk)
    return {
        "organizations": list(orgs.values()),
        "memberships": list(Membership.objects.filter(**org_filter).order_by("pk").values()),
        "invitations": list(Invitation.objects.filter(**org_filter).order_by("pk").values()),
        "jobs": list(
            Job.objects.filter(**org_filter)
            .order_by("pk")
            .values("pk", "kind", "status", "payload")
        ),
        "learners": list(OrganizationLearner.objects.filter(**org_filter).order_by("pk").values()),
        "learner_imports": list(LearnerImport.objects.filter(**org_filter).order_by("pk").values()),
        "campaigns": list(Campaign.objects.filter(**org_filter).order_by("pk").values()),
        "participations": list(
            Participation.objects.filter(
                **({} if organization is None else {"campaign__organization": organization})
            )
            .order_by("pk")
            .values()
        ),
        "credential_actions": list(
            CredentialAction.objects.filter(**org_filter).order_by("pk").values()
        ),
        "accounts": list(
            User.objects.filter(
                organization_learners__in=OrganizationLearner.objects.filter(**org_filter)
            )
            .order_by("pk")
            .values("pk", "username", "password", "must_change_password")
        ),
    }


def snapshot() -> dict[str, Any]:
    """Every row a team action could write, plus the e-mails sent."""
    return {**_rows(), "outbox": len(mail.outbox)}


def _assert_redirects_to_login(response, login_path: str, requested: str):
    assert response.status_code == 302
    assert response["Location"] == f"{login_path}?next={quote(requested)}"


# --- pages --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Page:
    method: str
    url: Any  # world -> str
    data: Any = None  # world -> dict
    writes: bool = False


PAGES = {
    "GET /equipe/membres/": Page("get", lambda w: "/equipe/membres/"),
    "GET /equipe/invitations/": Page("get", lambda w: "/equipe/invitations/"),
    "GET /equipe/inviter/": Page("get", lambda w: "/equipe/inviter/"),
    "POST /equipe/inviter/": Page(
        "post",
        lambda w: "/equipe/inviter/",
        lambda w: {"emails": NEW_EMAIL, "role": "MEMBER"},
        writes=True,
    ),
    "GET /equipe/quitter/": Page("get", lambda w: "/equipe/quitter/"),
    "POST /equipe/quitter/": Page("post", lambda w: "/equipe/quitter/", lambda w: {}, writes=True),
    "GET /equipe/membres/<id>/supprimer/": Page(
        "get", lambda w: f"/equipe/membres/{w.target.pk}/supprimer/"
    ),
    "POST /equipe/membres/<id>/supprimer/": Page(
        "post", lambda w: f"/equipe/membres/{w.target.pk}/supprimer/", lambda w: {}, writes=True
    ),
    "POST /equipe/membres/<id>/role/": Page(
        "post",
        lambda w: f"/equipe/membres/{w.target.pk}/role/",
        lambda w: {"role": "ADMIN"},
        writes=True,
    ),
    "POST /equipe/invitations/<id>/renvoyer/": Page(
        "post",
        lambda w: f"/equipe/invitations/{w.invitation.pk}/renvoyer/",
        lambda w: {},
        writes=True,
    ),
    "POST /equipe/invitations/<id>/annuler/": Page(
        "post",
        lambda w: f"/equipe/invitations/{w.invitation.pk}/annuler/",
        lambda w: {},
        writes=True,
    ),
    "POST /organisation/changer/": Page(
        "post",
        lambda w: "/organisation/changer/",
        lambda w: {"organization": w.p.school.pk},
        writes=True,
    ),
    "GET /admin/": Page("get", lambda w: "/admin/"),
    # Contenu
    "GET /contenu/fichiers/<index>/<name>": Page(
        "get", lambda w: "/contenu/fichiers/1.1/schema.svg"
    ),
    "GET /plateforme/contenu/": Page("get", lambda w: "/plateforme/contenu/"),
    # Élèves
    "GET /eleves/": Page("get", lambda w: "/eleves/"),
    "GET /eleves/<id>/": Page("get", lambda w: f"/eleves/{w.learner.pk}/"),
    "POST /eleves/<id>/identifiant/": Page(
        "post", lambda w: f"/eleves/{w.learner.pk}/identifiant/", lambda w: {}, writes=True
    ),
    "POST /eleves/<id>/mot-de-passe/": Page(
        "post",
        lambda w: f"/eleves/{w.learner_with_username.pk}/mot-de-passe/",
        lambda w: {},
        writes=True,
    ),
    "POST /eleves/identifiants/": Page(
        "post", lambda w: "/eleves/identifiants/", lambda w: {"classe": "6A"}, writes=True
    ),
    "GET /eleves/import/": Page("get", lambda w: "/eleves/import/"),
    "POST /eleves/import/": Page(
        "post", lambda w: "/eleves/import/", lambda w: {"file": _siecle_upload(w)}, writes=True
    ),
    "GET /eleves/imports/": Page("get", lambda w: "/eleves/imports/"),
    "GET /eleves/import/<id>/": Page("get", lambda w: f"/eleves/import/{w.learner_import.pk}/"),
    "POST /eleves/import/<id>/confirmer/": Page(
        "post",
        lambda w: f"/eleves/import/{w.learner_import.pk}/confirmer/",
        lambda w: {},
        writes=True,
    ),
    "POST /eleves/import/<id>/annuler/": Page(
        "post",
        lambda w: f"/eleves/import/{w.learner_import.pk}/annuler/",
        lambda w: {},
        writes=True,
    ),
    # Campagnes
    "GET /campagnes/": Page("get", lambda w: "/campagnes/?vue=toutes"),
    "GET /campagnes/creation/": Page("get", lambda w: "/campagnes/creation/"),
    "POST /campagnes/creation/": Page(
        "post",
        lambda w: "/campagnes/creation/",
        lambda w: {
            "type": "profiles_collection",
            "name": "Collecte de la matrice",
            "owner": "",
        },
        writes=True,
    ),
    "GET /campagnes/suppression/": Page(
        "get", lambda w: f"/campagnes/suppression/?campagnes={w.campaign.pk}"
    ),
    "POST /campagnes/suppression/": Page(
        "post",
        lambda w: "/campagnes/suppression/",
        lambda w: {"campagnes": [w.campaign.pk], "confirmation": "on"},
        writes=True,
    ),
    "GET /campagnes/<id>/": Page("get", lambda w: f"/campagnes/{w.campaign.pk}/"),
    "GET /campagnes/<id>/resultats/": Page(
        "get", lambda w: f"/campagnes/{w.campaign.pk}/resultats/"
    ),
    "GET /campagnes/<id>/analyse/": Page("get", lambda w: f"/campagnes/{w.campaign.pk}/analyse/"),
    "GET /campagnes/<id>/export/": Page("get", lambda w: f"/campagnes/{w.campaign.pk}/export/"),
    "GET /campagnes/<id>/parametres/": Page(
        "get", lambda w: f"/campagnes/{w.campaign.pk}/parametres/"
    ),
    "GET /campagnes/<id>/modification/": Page(
        "get", lambda w: f"/campagnes/{w.campaign.pk}/modification/"
    ),
    "POST /campagnes/<id>/modification/": Page(
        "post",
        lambda w: f"/campagnes/{w.campaign.pk}/modification/",
        lambda w: {
            "name": "Campagne renommée",
            "title": "",
            "landing_text": "",
            "owner": w.p.admin.pk,
        },
        writes=True,
    ),
    "POST /campagnes/<id>/archivage/": Page(
        "post", lambda w: f"/campagnes/{w.campaign.pk}/archivage/", lambda w: {}, writes=True
    ),
    "POST /campagnes/<id>/desarchivage/": Page(
        "post",
        lambda w: f"/campagnes/{w.archived_campaign.pk}/desarchivage/",
        lambda w: {},
        writes=True,
    ),
    "GET /campagnes/<id>/duplication/": Page(
        "get", lambda w: f"/campagnes/{w.campaign.pk}/duplication/"
    ),
    "GET /campagnes/<id>/participants/<id>/": Page(
        "get", lambda w: f"/campagnes/{w.campaign.pk}/participants/{w.participation.pk}/"
    ),
    "POST /campagnes/<id>/participants/<id>/suppression/": Page(
        "post",
        lambda w: f"/campagnes/{w.campaign.pk}/participants/{w.participation.pk}/suppression/",
        lambda w: {"confirmation": "on"},
        writes=True,
    ),
    # Rejoindre une campagne (any signed-in account)
    "GET /campagne/": Page("get", lambda w: "/campagne/"),
    "GET /campagne/<code>/": Page("get", lambda w: f"/campagne/{w.campaign.code}/"),
}

PAGE_PERSONAS = ("anonymous", "learner", "member", "admin", "other_admin", "platform_admin")

# Sessions are in the persona's own (only) organization; ids belong to `school`.
# other_admin is in `other_school`: lists show their own team, ids of `school` are 404, and
# as its only admin they cannot leave it (409). `school` has two admins, so `admin` can.
# fmt: off
PAGE_MATRIX = {
    #                                          anonymous  learner  member  admin  other_admin  platform_admin
    "GET /equipe/membres/":                    (LOGIN,    403,     200,    200,   200,         403),
    "GET /equipe/invitations/":                (LOGIN,    403,     403,    200,   200,         403),
    "GET /equipe/inviter/":                    (LOGIN,    403,     403,    200,   200,         403),
    "POST /equipe/inviter/":                   (LOGIN,    403,     403,    302,   302,         403),
    "GET /equipe/quitter/":                    (LOGIN,    403,     200,    200,   200,         403),
    "POST /equipe/quitter/":                   (LOGIN,    403,     302,    302,   409,         403),
    "GET /equipe/membres/<id>/supprimer/":     (LOGIN,    403,     403,    200,   404,         403),
    "POST /equipe/membres/<id>/supprimer/":    (LOGIN,    403,     403,    302,   404,         403),
    "POST /equipe/membres/<id>/role/":         (LOGIN,    403,     403,    302,   404,         403),
    "POST /equipe/invitations/<id>/renvoyer/": (LOGIN,    403,     403,    302,   404,         403),
    "POST /equipe/invitations/<id>/annuler/":  (LOGIN,    403,     403,    302,   404,         403),
    "POST /organisation/changer/":             (LOGIN,    403,     302,    302,   403,         403),
    "GET /admin/":                             (ADMIN_LOGIN, ADMIN_LOGIN, ADMIN_LOGIN, ADMIN_LOGIN, ADMIN_LOGIN, 200),
    # Élèves: teachers see and help pupils; only admins import.
    "GET /eleves/":                            (LOGIN,    403,     200,    200,   200,         403),
    "GET /eleves/<id>/":                       (LOGIN,    403,     200,    200,   404,         403),
    "POST /eleves/<id>/identifiant/":          (LOGIN,    403,     200,    200,   404,         403),
    "POST /eleves/<id>/mot-de-passe/":         (LOGIN,    403,     200,    200,   404,         403),
    "POST /eleves/identifiants/":              (LOGIN,    403,     200,    200,   200,         403),
    "GET /eleves/import/":                     (LOGIN,    403,     403,    200,   200,         403),
    "POST /eleves/import/":                    (LOGIN,    403,     403,    302,   302,         403),
    "GET /eleves/imports/":                    (LOGIN,    403,     403,    200,   200,         403),
    "GET /eleves/import/<id>/":                (LOGIN,    403,     403,    200,   404,         403),
    "POST /eleves/import/<id>/confirmer/":     (LOGIN,    403,     403,    302,   404,         403),
    "POST /eleves/import/<id>/annuler/":       (LOGIN,    403,     403,    302,   404,         403),
    # Campagnes: every member sees the school's campaigns and creates; only the owner (here the
    # admin) and admins edit, archive, delete. Ids of `school` are 404 from `other_school`.
    "GET /campagnes/":                         (LOGIN,    403,     200,    200,   200,         403),
    "GET /campagnes/creation/":                (LOGIN,    403,     200,    200,   200,         403),
    "POST /campagnes/creation/":               (LOGIN,    403,     302,    302,   302,         403),
    "GET /campagnes/suppression/":             (LOGIN,    403,     403,    200,   404,         403),
    "POST /campagnes/suppression/":            (LOGIN,    403,     403,    302,   404,         403),
    "GET /campagnes/<id>/":                    (LOGIN,    403,     200,    200,   404,         403),
    "GET /campagnes/<id>/resultats/":          (LOGIN,    403,     200,    200,   404,         403),
    "GET /campagnes/<id>/analyse/":            (LOGIN,    403,     200,    200,   404,         403),
    "GET /campagnes/<id>/export/":             (LOGIN,    403,     200,    200,   404,         403),
    "GET /campagnes/<id>/parametres/":         (LOGIN,    403,     200,    200,   404,         403),
    "GET /campagnes/<id>/modification/":       (LOGIN,    403,     403,    200,   404,         403),
    "POST /campagnes/<id>/modification/":      (LOGIN,    403,     403,    302,   404,         403),
    "POST /campagnes/<id>/archivage/":         (LOGIN,    403,     403,    302,   404,         403),
    "POST /campagnes/<id>/desarchivage/":      (LOGIN,    403,     403,    302,   404,         403),
    "GET /campagnes/<id>/duplication/":        (LOGIN,    403,     403,    200,   404,         403),
    "GET /campagnes/<id>/participants/<id>/":  (LOGIN,    403,     200,    200,   404,         403),
    "POST /campagnes/<id>/participants/<id>/suppression/": (LOGIN, 403, 403, 302, 404,       403),
    "GET /campagne/":                          (LOGIN,    200,     200,    200,   200,         200),
    "GET /campagne/<code>/":                   (LOGIN,    200,     200,    200,   200,         200),
    # Contenu: the challenges' files for every signed-in user; the content report for operators.
    "GET /contenu/fichiers/<index>/<name>":     (LOGIN,    200,     200,    200,   200,         200),
    "GET /plateforme/contenu/":                (LOGIN,    403,     403,    403,   403,         200),
}
# fmt: on

assert set(PAGE_MATRIX) == set(PAGES)

PAGE_CASES = [
    pytest.param(endpoint, persona, expected, id=f"{endpoint} × {persona}")
    for endpoint, row in PAGE_MATRIX.items()
    for persona, expected in zip(PAGE_PERSONAS, row, strict=True)
]


def _page_effect(endpoint: str, persona: str, w, response) -> None:
    """What an accepted page request must have done (or shown)."""
    content = "" if response.streaming else response.content.decode()
    school_emails = (w.target.user.email, w.p.member.email, w.p.admin.email)
    if endpoint == "GET /equipe/membres/":
        if persona == "other_admin":
            assert all(email not in content for email in school_emails)
            assert w.other_target.user.email in content
            assert w.p.other_admin.email in content
        else:
            assert all(email in content for email in school_emails)
            assert w.other_target.user.email not in content
    elif endpoint == "GET /equipe/invitations/":
        if persona == "other_admin":
            assert w.invitation.email not in content
            assert w.other_invitation.email in content
        else:
            assert w.invitation.email in content
            assert w.other_invitation.email not in content
    elif endpoint == "POST /equipe/inviter/":
        assert response["Location"] == "/equipe/invitations/"
        organization = w.p.other_school if persona == "other_admin" else w.p.school
        invitation = Invitation.objects.get(organization=organization, email=NEW_EMAIL)
        assert invitation.status == Invitation.Status.PENDING
        assert [m.to for m in mail.outbox] == [[NEW_EMAIL]]
    elif endpoint == "GET /equipe/membres/<id>/supprimer/":
        assert w.target.user.full_name in content
    elif endpoint == "POST /equipe/membres/<id>/supprimer/":
        assert response["Location"] == "/equipe/membres/"
        w.target.refresh_from_db()
        assert w.target.disabled_at is not None
        assert w.target.updated_by == w.p.admin
    elif endpoint == "POST /equipe/membres/<id>/role/":
        assert response["Location"] == "/equipe/membres/"
        w.target.refresh_from_db()
        assert w.target.role == "ADMIN"
    elif endpoint == "POST /equipe/invitations/<id>/renvoyer/":
        assert response["Location"] == "/equipe/invitations/"
        before = w.invitation.last_sent_at
        w.invitation.refresh_from_db()
        assert w.invitation.last_sent_at > before
        assert [m.to for m in mail.outbox] == [[w.invitation.email]]
    elif endpoint == "POST /equipe/invitations/<id>/annuler/":
        assert response["Location"] == "/equipe/invitations/"
        w.invitation.refresh_from_db()
        assert w.invitation.status == Invitation.Status.CANCELLED
    elif endpoint == "POST /equipe/quitter/":
        assert response["Location"] == "/"
        user = w.p.member if persona == "member" else w.p.admin
        membership = Membership.objects.get(user=user, organization=w.p.school)
        assert membership.disabled_at is not None
        # No organization left: signed out.
        assert "_auth_user_id" not in response.wsgi_request.session
    elif endpoint == "POST /organisation/changer/":
        assert response["Location"] == "/equipe/membres/"
        assert response.wsgi_request.session[SESSION_KEY] == w.p.school.pk
    elif endpoint == "GET /admin/":
        assert "Octets — console de la plateforme" in content
    elif endpoint.startswith(("GET /eleves", "POST /eleves")):
        _students_page_effect(endpoint, persona, w, response, content)
    elif endpoint.startswith(("GET /campagne", "POST /campagne")):
        _campaigns_page_effect(endpoint, persona, w, response, content)
    elif endpoint == "GET /contenu/fichiers/<index>/<name>":
        assert content == CONTENT_SVG
        assert response["Content-Disposition"] == 'inline; filename="schema.svg"'
    elif endpoint == "GET /plateforme/contenu/":
        assert "Rapport du contenu" in content and 'id="content-gates"' in content


def _students_page_effect(endpoint, persona, w, response, content) -> None:
    own = persona != "other_admin"
    if endpoint == "GET /eleves/":
        assert (w.learner.last_name in content) is own
        assert (w.other_learner.last_name in content) is not own
    elif endpoint == "GET /eleves/<id>/":
        assert w.learner.national_student_id in content
    elif endpoint == "POST /eleves/<id>/identifiant/":
        w.learner.refresh_from_db()
        assert w.learner.user.username in content
        assert w.learner.user.must_change_password
        action = CredentialAction.objects.get(learner=w.learner)
        assert action.action == CredentialAction.Action.ACCOUNT_CREATED
        assert action.performed_by == getattr(w.p, persona)
    elif endpoint == "POST /eleves/<id>/mot-de-passe/":
        account = User.objects.get(pk=w.learner_with_username.user_id)
        assert account.must_change_password
        assert CredentialAction.objects.get(learner=w.learner_with_username).action == (
            CredentialAction.Action.PASSWORD_RESET
        )
    elif endpoint == "POST /eleves/identifiants/":
        assert response["Content-Type"].startswith("text/csv")
        lines = response.content.decode("utf-8-sig").splitlines()
        assert lines[0] == "division;nom;prénom;identifiant;mot de passe"
        school_names = {w.learner.last_name, w.learner_with_username.last_name}
        names = {line.split(";")[1] for line in lines[1:]}
        assert names == ({w.other_learner.last_name} if not own else school_names)
    elif endpoint == "GET /eleves/import/":
        assert "Importer la base élèves" in content
    elif endpoint == "POST /eleves/import/":
        organization = w.p.school if own else w.p.other_school
        latest = LearnerImport.objects.filter(organization=organization).latest("pk")
        assert response["Location"] == f"/eleves/import/{latest.pk}/"
        if own:
            assert latest.status == LearnerImport.Status.VALIDATED
            w.learner_import.refresh_from_db()
            assert w.learner_import.status == LearnerImport.Status.CANCELLED
        else:
            assert latest.status == LearnerImport.Status.FAILED
            assert [e["code"] for e in latest.errors] == ["UAI_MISMATCHED"]
    elif endpoint == "GET /eleves/imports/":
        assert ("ElevesSansAdresses.zip" in content) is own
    elif endpoint == "GET /eleves/import/<id>/":
        assert "Confirmer l'import" in content
    elif endpoint == "POST /eleves/import/<id>/confirmer/":
        w.learner_import.refresh_from_db()
        assert w.learner_import.status == LearnerImport.Status.IMPORTED
        assert w.learner_import.added_count == 3
    elif endpoint == "POST /eleves/import/<id>/annuler/":
        w.learner_import.refresh_from_db()
        assert w.learner_import.status == LearnerImport.Status.CANCELLED


def _campaigns_page_effect(endpoint, persona, w, response, content) -> None:
    own = persona != "other_admin"
    if endpoint == "GET /campagnes/":
        assert ("Campagne Alpha" in content) is own
        assert ("Campagne Beta" in content) is not own
    elif endpoint == "POST /campagnes/creation/":
        organization = w.p.school if own else w.p.other_school
        created = Campaign.objects.get(organization=organization, name="Collecte de la matrice")
        assert created.owner == getattr(w.p, persona)
    elif endpoint == "GET /campagnes/suppression/":
        assert "Campagne Alpha" in content
    elif endpoint == "POST /campagnes/suppression/":
        w.campaign.refresh_from_db()
        w.participation.refresh_from_db()
        assert w.campaign.deleted_at is not None
        assert w.participation.deleted_at is not None and w.participation.user is None
    elif endpoint in ("GET /campagnes/<id>/", "GET /campagnes/<id>/participants/<id>/"):
        assert "Participant" in content
    elif endpoint == "GET /campagnes/<id>/export/":
        assert response["Content-Type"].startswith("text/csv")
        body = b"".join(response.streaming_content).decode("utf-8")
        assert body.startswith("\ufeff") and w.campaign.code in body
    elif endpoint in ("GET /campagnes/<id>/parametres/", "GET /campagnes/<id>/modification/"):
        assert "Campagne Alpha" in content
    elif endpoint == "POST /campagnes/<id>/modification/":
        w.campaign.refresh_from_db()
        assert w.campaign.name == "Campagne renommée"
    elif endpoint == "POST /campagnes/<id>/archivage/":
        w.campaign.refresh_from_db()
        assert w.campaign.is_archived
    elif endpoint == "POST /campagnes/<id>/desarchivage/":
        w.archived_campaign.refresh_from_db()
        assert not w.archived_campaign.is_archived
    elif endpoint == "GET /campagnes/<id>/duplication/":
        assert "Copie de Campagne Alpha" in content
    elif endpoint == "POST /campagnes/<id>/participants/<id>/suppression/":
        w.participation.refresh_from_db()
        assert w.participation.deleted_at is not None
    elif endpoint == "GET /campagne/<code>/":
        assert "Campagne Alpha" in content


@pytest.mark.parametrize(("endpoint", "persona", "expected"), PAGE_CASES)
def test_page_matrix(world, endpoint, persona, expected):
    page = PAGES[endpoint]
    url = page.url(world)
    client = world.p.client_for(persona)
    before_all, before_school = snapshot(), _rows(world.p.school)

    response = client.get(url) if page.method == "get" else client.post(url, page.data(world))

    if expected == LOGIN:
        _assert_redirects_to_login(response, "/connexion/", url)
    elif expected == ADMIN_LOGIN:
        _assert_redirects_to_login(response, "/admin/login/", url)
    else:
        assert response.status_code == expected, response.content.decode()[:800]

    refused = expected in (LOGIN, ADMIN_LOGIN) or expected >= 400
    if refused:
        assert snapshot() == before_all, f"{persona} was refused {endpoint} but rows changed"
        return
    if persona == "other_admin":
        # Acting in their own school is fine; `school` must not have moved.
        assert _rows(world.p.school) == before_school
    _page_effect(endpoint, persona, world, response)


def test_page_matrix_covers_every_team_url():
    """A new route under orga: must get a row in the matrix."""
    from octets.www.orga.urls import urlpatterns

    routes = {str(pattern.pattern) for pattern in urlpatterns}
    covered = {endpoint.split(" ", 1)[1].lstrip("/") for endpoint in PAGES}
    normalized = {
        route.replace("<int:membership_id>", "<id>").replace("<int:invitation_id>", "<id>")
        for route in routes
    }
    assert normalized <= covered, normalized - covered


def test_page_matrix_covers_every_content_url():
    """A new route of the content pages must get a row in the matrix."""
    from octets.www.content.urls import urlpatterns

    covered = {endpoint.split(" ", 1)[1].lstrip("/") for endpoint in PAGES}
    routes = {
        str(pattern.pattern).replace("<str:index>", "<index>").replace("<str:name>", "<name>")
        for pattern in urlpatterns
    }
    assert routes <= covered, routes - covered


def test_page_matrix_covers_every_students_url():
    """A new route of the Élèves pages must get a row in the matrix."""
    from octets.www.students.urls import urlpatterns

    covered = {endpoint.split(" ", 1)[1].lstrip("/") for endpoint in PAGES}
    routes = {
        str(pattern.pattern).replace("<int:learner_id>", "<id>").replace("<int:import_id>", "<id>")
        for pattern in urlpatterns
    }
    assert routes <= covered, routes - covered


def test_page_matrix_covers_every_campaigns_url():
    """A new route of the Campagnes pages (school and learner sides) must get a row."""
    from octets.www.campaigns.urls import urlpatterns as school_routes
    from octets.www.learner.campaign_urls import urlpatterns as learner_routes

    covered = {endpoint.split(" ", 1)[1].lstrip("/") for endpoint in PAGES}
    routes = {
        str(pattern.pattern)
        .replace("<int:campaign_id>", "<id>")
        .replace("<int:participation_id>", "<id>")
        .replace("<str:code>", "<code>")
        for pattern in [*school_routes, *learner_routes]
    }
    # the learner's pages behind the landing page are per participation (tests/campaigns/)
    learner_only = {
        route
        for route in routes
        if route.startswith("campagne/<code>/") and route != "campagne/<code>/"
    }
    assert routes - learner_only <= covered, (routes - learner_only) - covered


@pytest.mark.parametrize(
    "endpoint", [name for name, page in PAGES.items() if page.method == "post"]
)
def test_page_writes_without_csrf_token_are_refused(world, endpoint):
    page = PAGES[endpoint]
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.p.admin, backend="octets.accounts.backends.EmailOrUsernameBackend")
    before = snapshot()

    response = client.post(page.url(world), page.data(world))

    assert response.status_code == 403
    assert "Formulaire expiré" in response.content.decode()
    assert snapshot() == before


@pytest.mark.parametrize(
    ("method", "url", "data"),
    [
        ("get", lambda w: f"/equipe/membres/{w.other_target.pk}/supprimer/", None),
        ("post", lambda w: f"/equipe/membres/{w.other_target.pk}/supprimer/", {}),
        ("post", lambda w: f"/equipe/membres/{w.other_target.pk}/role/", {"role": "ADMIN"}),
        ("post", lambda w: f"/equipe/invitations/{w.other_invitation.pk}/renvoyer/", {}),
        ("post", lambda w: f"/equipe/invitations/{w.other_invitation.pk}/annuler/", {}),
    ],
    ids=["remove-form", "remove", "role", "resend", "cancel"],
)
def test_school_admin_gets_404_on_the_other_school_ids(world, method, url, data):
    client = world.p.client_for("admin")
    before = snapshot()
    response = getattr(client, method)(url(world), data)
    assert response.status_code == 404
    assert snapshot() == before


def test_admin_of_both_schools_only_acts_in_the_current_one(world):
    """With two memberships, the session's organization scopes the ids a page accepts."""
    p = world.p
    MembershipFactory(organization=p.other_school, user=p.admin, role="ADMIN")
    client = p.client_for("admin")
    assert (
        client.post("/organisation/changer/", {"organization": p.other_school.pk}).status_code
        == 302
    )

    before = snapshot()
    assert (
        client.post(f"/equipe/membres/{world.target.pk}/role/", {"role": "ADMIN"}).status_code
        == 404
    )
    assert client.post(f"/equipe/invitations/{world.invitation.pk}/annuler/").status_code == 404
    assert snapshot() == before
    members_page = client.get("/equipe/membres/").content.decode()
    assert world.target.user.email not in members_page
    assert world.other_target.user.email in members_page

    assert client.post("/organisation/changer/", {"organization": p.school.pk}).status_code == 302
    assert (
        client.post(f"/equipe/membres/{world.target.pk}/role/", {"role": "ADMIN"}).status_code
        == 302
    )
    world.target.refresh_from_db()
    assert world.target.role == "ADMIN"


def test_removed_admin_loses_every_access(world, api_client):
    p = world.p
    membership = Membership.objects.get(user=p.admin, organization=p.school)
    membership.disabled_at = timezone.now()
    membership.save(update_fields=["disabled_at"])
    client = p.client_for("admin")
    api = api_client(p.admin)
    before = snapshot()

    assert client.get("/equipe/membres/").status_code == 403
    assert (
        client.post(f"/equipe/membres/{world.target.pk}/role/", {"role": "ADMIN"}).status_code
        == 403
    )
    assert api.get(f"/api/v1/organizations/{p.school.pk}/members").status_code == 404
    assert (
        api.patch(
            f"/api/v1/organizations/{p.school.pk}/members/{world.target.pk}",
            {"role": "ADMIN"},
            content_type="application/json",
        ).status_code
        == 404
    )
    assert snapshot() == before


# --- API ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Call:
    method: str
    url: Any  # world -> str
    body: Any = None  # world -> dict
    multipart: bool = False  # send ``body`` as a form with files instead of JSON


def _org(w):
    return f"/api/v1/organizations/{w.p.school.pk}"


CALLS = {
    "GET /members": Call("get", lambda w: f"{_org(w)}/members"),
    "PATCH /members/{membership_id}": Call(
        "patch", lambda w: f"{_org(w)}/members/{w.target.pk}", lambda w: {"role": "ADMIN"}
    ),
    "DELETE /members/{membership_id}": Call("delete", lambda w: f"{_org(w)}/members/{w.target.pk}"),
    "GET /invitations": Call("get", lambda w: f"{_org(w)}/invitations"),
    "POST /invitations": Call(
        "post", lambda w: f"{_org(w)}/invitations", lambda w: {"emails": NEW_EMAIL}
    ),
    "POST /invitations/{invitation_id}/resend": Call(
        "post", lambda w: f"{_org(w)}/invitations/{w.invitation.pk}/resend"
    ),
    "DELETE /invitations/{invitation_id}": Call(
        "delete", lambda w: f"{_org(w)}/invitations/{w.invitation.pk}"
    ),
    "POST /learner-imports": Call(
        "post",
        lambda w: f"{_org(w)}/learner-imports",
        lambda w: {"file": _siecle_upload(w)},
        multipart=True,
    ),
    "GET /learner-imports/{import_id}": Call(
        "get", lambda w: f"{_org(w)}/learner-imports/{w.learner_import.pk}"
    ),
    "POST /learner-imports/{import_id}/confirm": Call(
        "post", lambda w: f"{_org(w)}/learner-imports/{w.learner_import.pk}/confirm"
    ),
    "GET /target-profiles": Call("get", lambda w: f"{_org(w)}/target-profiles"),
    "GET /campaigns": Call("get", lambda w: f"{_org(w)}/campaigns"),
    "POST /campaigns": Call(
        "post",
        lambda w: f"{_org(w)}/campaigns",
        lambda w: {"type": "profiles_collection", "name": "Collecte par l'API"},
    ),
    "DELETE /campaigns": Call(
        "delete", lambda w: f"{_org(w)}/campaigns", lambda w: {"ids": [w.campaign.pk]}
    ),
}

API_PERSONAS = (
    "no_token",
    "bad_token",
    "revoked_token",
    "admin_session",
    "learner",
    "member",
    "admin",
    "other_admin",
    "platform_admin",
)

# Every URL is under /api/v1/organizations/{organization_id} with the id of `school`.
# admin_session: `admin` signed in to the pages (session cookie) but no bearer token; the API
# only trusts tokens, so a page session cannot be used to forge API writes (no CSRF there).
# fmt: off
API_MATRIX = {
    #                                           no_token  bad_token  revoked_token  admin_session  learner  member  admin  other_admin  platform_admin
    "GET /members":                             (401,     401,       401,           401,           404,     200,    200,   404,         404),
    "PATCH /members/{membership_id}":           (401,     401,       401,           401,           404,     403,    200,   404,         404),
    "DELETE /members/{membership_id}":          (401,     401,       401,           401,           404,     403,    204,   404,         404),
    "GET /invitations":                         (401,     401,       401,           401,           404,     403,    200,   404,         404),
    "POST /invitations":                        (401,     401,       401,           401,           404,     403,    201,   404,         404),
    "POST /invitations/{invitation_id}/resend": (401,     401,       401,           401,           404,     403,    200,   404,         404),
    "DELETE /invitations/{invitation_id}":      (401,     401,       401,           401,           404,     403,    204,   404,         404),
    "POST /learner-imports":                    (401,     401,       401,           401,           404,     403,    202,   404,         404),
    "GET /learner-imports/{import_id}":         (401,     401,       401,           401,           404,     403,    200,   404,         404),
    "POST /learner-imports/{import_id}/confirm": (401,    401,       401,           401,           404,     403,    202,   404,         404),
    # campaigns: any member lists and creates; deleting needs the owner (here the admin) or an admin
    "GET /target-profiles":                     (401,     401,       401,           401,           404,     200,    200,   404,         404),
    "GET /campaigns":                           (401,     401,       401,           401,           404,     200,    200,   404,         404),
    "POST /campaigns":                          (401,     401,       401,           401,           404,     201,    201,   404,         404),
    "DELETE /campaigns":                        (401,     401,       401,           401,           404,     403,    200,   404,         404),
}
# fmt: on

assert set(API_MATRIX) == set(CALLS)

API_CASES = [
    pytest.param(endpoint, persona, expected, id=f"{endpoint} × {persona}")
    for endpoint, row in API_MATRIX.items()
    for persona, expected in zip(API_PERSONAS, row, strict=True)
]


def _api_client_for(persona: str, w, api_client) -> Client:
    if persona == "no_token":
        return Client()
    if persona == "bad_token":
        return Client(headers={"Authorization": "Bearer oct_pas-un-vrai-jeton"})
    if persona == "admin_session":
        return w.p.client_for("admin")
    if persona == "revoked_token":
        client = api_client(w.p.admin)
        PersonalAccessToken.objects.filter(user=w.p.admin).update(revoked_at=timezone.now())
        return client
    return api_client(getattr(w.p, persona))


def _send(client: Client, call: Call, w):
    kwargs = {}
    if call.body is not None and call.multipart:
        kwargs = {"data": call.body(w)}
    elif call.body is not None:
        kwargs = {"data": call.body(w), "content_type": "application/json"}
    return getattr(client, call.method)(call.url(w), **kwargs)


def _api_effect(endpoint: str, persona: str, w, response) -> None:
    if endpoint == "GET /members":
        emails = {row["email"] for row in response.json()["results"]}
        assert {w.target.user.email, w.p.member.email, w.p.admin.email} <= emails
        assert w.other_target.user.email not in emails
        assert w.p.other_admin.email not in emails
    elif endpoint == "PATCH /members/{membership_id}":
        assert response.json()["role"] == "ADMIN"
        w.target.refresh_from_db()
        assert w.target.role == "ADMIN"
    elif endpoint == "DELETE /members/{membership_id}":
        w.target.refresh_from_db()
        assert w.target.disabled_at is not None
    elif endpoint == "GET /invitations":
        assert [row["email"] for row in response.json()] == [w.invitation.email]
    elif endpoint == "POST /invitations":
        assert [row["email"] for row in response.json()] == [NEW_EMAIL]
        assert Invitation.objects.filter(organization=w.p.school, email=NEW_EMAIL).exists()
        assert [m.to for m in mail.outbox] == [[NEW_EMAIL]]
    elif endpoint == "POST /invitations/{invitation_id}/resend":
        before = w.invitation.last_sent_at
        w.invitation.refresh_from_db()
        assert w.invitation.last_sent_at > before
        assert [m.to for m in mail.outbox] == [[w.invitation.email]]
    elif endpoint == "DELETE /invitations/{invitation_id}":
        w.invitation.refresh_from_db()
        assert w.invitation.status == Invitation.Status.CANCELLED
    elif endpoint == "POST /learner-imports":
        body = response.json()
        assert body["status"] == "validated"
        assert body["preview"]["new"] == 2
        assert LearnerImport.objects.get(pk=body["id"]).organization == w.p.school
    elif endpoint == "GET /learner-imports/{import_id}":
        assert response.json()["status"] == "validated"
        assert response.json()["preview"]["pupils"] == 3
    elif endpoint == "POST /learner-imports/{import_id}/confirm":
        assert response.json()["status"] == "imported"
        assert OrganizationLearner.objects.filter(organization=w.p.school).count() == 2 + 3 + 1
    elif endpoint == "GET /target-profiles":
        assert "Profil de la matrice" in {row["name"] for row in response.json()}
    elif endpoint == "GET /campaigns":
        names = {row["name"] for row in response.json()["results"]}
        assert "Campagne Alpha" in names and "Campagne Beta" not in names
    elif endpoint == "POST /campaigns":
        created = Campaign.objects.get(pk=response.json()["id"])
        assert created.organization == w.p.school and created.owner == getattr(w.p, persona)
    elif endpoint == "DELETE /campaigns":
        assert response.json() == {"deleted": 1}
        w.campaign.refresh_from_db()
        assert w.campaign.deleted_at is not None


def test_api_matrix_covers_every_organization_endpoint(client):
    """A new endpoint under /organizations/{organization_id} must get a row in the matrix."""
    prefix = "/api/v1/organizations/{organization_id}"
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    endpoints = {
        f"{method.upper()} {path.removeprefix(prefix)}"
        for path, operations in paths.items()
        if path.startswith(prefix)
        for method in operations
    }
    assert endpoints == set(API_MATRIX)


@pytest.mark.parametrize(("endpoint", "persona", "expected"), API_CASES)
def test_api_matrix(world, api_client, endpoint, persona, expected):
    call = CALLS[endpoint]
    client = _api_client_for(persona, world, api_client)
    before = snapshot()

    response = _send(client, call, world)

    assert response.status_code == expected, response.content.decode()[:800]
    if expected >= 400:
        assert snapshot() == before, f"{persona} was refused {endpoint} but rows changed"
        body = response.json()
        assert set(body) == {"code", "message", "details"}
        assert body["details"] == []
        if expected == 401:
            assert body["code"] == "UNAUTHENTICATED"
            assert body["message"].startswith("Jeton d'accès absent, invalide ou révoqué")
        elif expected == 404:
            assert body["code"] == "NOT_FOUND"
            assert body["message"] == "Organisation introuvable, ou vous n'en êtes pas membre."
        elif expected == 403 and "campaigns" not in endpoint:
            assert body["message"] == (
                "Cette action est réservée aux administrateurs de l'organisation."
            )
        elif expected == 403:
            assert body["code"] == "CAMPAIGN_FORBIDDEN"
        return
    if expected == 204:
        assert response.content == b""
    _api_effect(endpoint, persona, world, response)


@pytest.mark.parametrize(
    ("method", "url", "body"),
    [
        ("patch", lambda w: f"/members/{w.target.pk}", {"role": "ADMIN"}),
        ("delete", lambda w: f"/members/{w.target.pk}", None),
        ("post", lambda w: f"/invitations/{w.invitation.pk}/resend", None),
        ("delete", lambda w: f"/invitations/{w.invitation.pk}", None),
    ],
    ids=["change-role", "remove-member", "resend", "cancel"],
)
def test_other_admin_cannot_reach_school_ids_through_their_own_organization(
    world, api_client, method, url, body
):
    """Right organization in the path (their own), wrong object id (the other school's)."""
    client = api_client(world.p.other_admin)
    path = f"/api/v1/organizations/{world.p.other_school.pk}{url(world)}"
    kwargs = {} if body is None else {"data": body, "content_type": "application/json"}
    before = snapshot()

    response = getattr(client, method)(path, **kwargs)

    assert response.status_code == 404
    assert response.json()["code"] == "NOT_FOUND"
    assert snapshot() == before


@pytest.mark.parametrize(
    ("method", "url", "body"),
    [
        ("get", lambda w: f"{w.p.other_school.pk}/members", None),
        ("get", lambda w: f"{w.p.other_school.pk}/invitations", None),
        ("post", lambda w: f"{w.p.other_school.pk}/invitations", {"emails": NEW_EMAIL}),
        ("patch", lambda w: f"{w.p.school.pk}/members/{w.other_target.pk}", {"role": "ADMIN"}),
        ("delete", lambda w: f"{w.p.school.pk}/members/{w.other_target.pk}", None),
        ("post", lambda w: f"{w.p.school.pk}/invitations/{w.other_invitation.pk}/resend", None),
        ("delete", lambda w: f"{w.p.school.pk}/invitations/{w.other_invitation.pk}", None),
    ],
    ids=[
        "list-foreign-members",
        "list-foreign-invitations",
        "invite-in-foreign-org",
        "foreign-member-role",
        "foreign-member-remove",
        "foreign-invitation-resend",
        "foreign-invitation-cancel",
    ],
)
def test_school_admin_gets_404_on_the_other_school(world, api_client, method, url, body):
    client = api_client(world.p.admin)
    kwargs = {} if body is None else {"data": body, "content_type": "application/json"}
    before = snapshot()

    response = getattr(client, method)(f"/api/v1/organizations/{url(world)}", **kwargs)

    assert response.status_code == 404
    assert response.json()["code"] == "NOT_FOUND"
    assert snapshot() == before


@pytest.mark.parametrize("persona", ["learner", "member", "admin", "other_admin", "platform_admin"])
def test_api_lists_only_the_callers_organizations(world, api_client, persona):
    p = world.p
    expected = {
        "learner": [],
        "platform_admin": [],
        "member": [(p.school.pk, "MEMBER")],
        "admin": [(p.school.pk, "ADMIN")],
        "other_admin": [(p.other_school.pk, "ADMIN")],
    }[persona]
    response = api_client(getattr(p, persona)).get("/api/v1/organizations")
    assert response.status_code == 200
    assert [(row["id"], row["role"]) for row in response.json()] == expected


# --- the learner's own pages and API (scoped to the signed-in person, not an organization) --


@pytest.fixture
def training(personas):
    """The learner's running session on 1.1 (content loaded), and a snapshot function."""
    from octets.assessments import services as training_services
    from octets.content.services import load_release
    from tests.content.conftest import fixture_release

    load_release(data=fixture_release())
    assessment = training_services.start_assessment(user=personas.learner, competence_index="1.1")
    training_services.next_challenge(assessment=assessment)
    assessment.refresh_from_db()
    return assessment


def _training_rows():
    from octets.assessments.models import Answer, Assessment, KnowledgeElement

    return (
        list(Assessment.objects.order_by("pk").values()),
        list(Answer.objects.order_by("pk").values()),
        KnowledgeElement.objects.count(),
    )


LEARNER_PAGES = {
    "GET /profil/": Page("get", lambda a: "/profil/"),
    "GET /competences/<str:index>/": Page("get", lambda a: "/competences/1.1/"),
    "POST /competences/<str:index>/commencer/": Page(
        "post", lambda a: "/competences/1.1/commencer/", lambda a: {}, writes=True
    ),
    "POST /competences/<str:index>/remise-a-zero/": Page(
        "post", lambda a: "/competences/1.1/remise-a-zero/", lambda a: {"confirmer": "1"}
    ),
    "GET /entrainements/<int:assessment_id>/": Page("get", lambda a: f"/entrainements/{a.pk}/"),
    "POST /entrainements/<int:assessment_id>/": Page(
        "post",
        lambda a: f"/entrainements/{a.pk}/",
        lambda a: {"challenge_id": a.current_challenge_id, "passer": "1"},
        writes=True,
    ),
    "GET /entrainements/<int:assessment_id>/resultats/": Page(
        "get", lambda a: f"/entrainements/{a.pk}/resultats/"
    ),
}

# The session belongs to `learner`. Anyone else gets 404 on its ids (its existence is not
# revealed) and their own profile elsewhere; nothing to reset yet (409) for everybody.
# fmt: off
LEARNER_MATRIX = {
    #                                                    anonymous  learner  member  admin
    "GET /profil/":                                      (LOGIN,    200,     200,    200),
    "GET /competences/<str:index>/":                     (LOGIN,    200,     200,    200),
    "POST /competences/<str:index>/commencer/":          (LOGIN,    302,     302,    302),
    "POST /competences/<str:index>/remise-a-zero/":      (LOGIN,    409,     409,    409),
    "GET /entrainements/<int:assessment_id>/":           (LOGIN,    200,     404,    404),
    "POST /entrainements/<int:assessment_id>/":          (LOGIN,    302,     404,    404),
    "GET /entrainements/<int:assessment_id>/resultats/": (LOGIN,    302,     404,    404),
}
# fmt: on


@pytest.mark.parametrize(
    ("endpoint", "persona", "expected"),
    [
        pytest.param(endpoint, persona, expected, id=f"{endpoint} × {persona}")
        for endpoint, row in LEARNER_MATRIX.items()
        for persona, expected in zip(("anonymous", "learner", "member", "admin"), row, strict=True)
    ],
)
def test_learner_page_matrix(personas, training, endpoint, persona, expected):
    page = LEARNER_PAGES[endpoint]
    url = page.url(training)
    client = personas.client_for(persona)
    before = _training_rows()

    response = client.get(url) if page.method == "get" else client.post(url, page.data(training))

    if expected == LOGIN:
        _assert_redirects_to_login(response, "/connexion/", url)
    else:
        assert response.status_code == expected, response.content.decode()[:800]
    if expected == LOGIN or expected >= 400 or not page.writes:
        assert _training_rows() == before, f"{persona} on {endpoint} changed rows"
        return
    from octets.assessments.models import Assessment

    user = getattr(personas, persona)
    if endpoint.startswith("POST /competences"):
        # the learner resumes their session; the others start their own
        assert Assessment.objects.filter(user=user, competence_id="comp_1_1").count() == 1
    else:
        assert training.answers.get().value == "#ABAND#"


def test_learner_matrix_covers_every_learner_url():
    from octets.www.learner.urls import urlpatterns

    assert {str(p.pattern) for p in urlpatterns} == {
        endpoint.split(" ", 1)[1].lstrip("/") for endpoint in LEARNER_PAGES
    }
    assert set(LEARNER_PAGES) == set(LEARNER_MATRIX)


@pytest.mark.parametrize("persona", ["member", "admin"])
def test_training_api_refuses_someone_elses_session(personas, training, api_client, persona):
    client = api_client(getattr(personas, persona))
    before = _training_rows()
    base = f"/api/v1/assessments/{training.pk}"
    assert client.get(base).status_code == 404
    assert client.get(f"{base}/next-challenge").status_code == 404
    assert client.get(f"{base}/results").status_code == 404
    answer = client.post(
        f"{base}/answers",
        {"challenge_id": training.current_challenge_id, "value": "#ABAND#"},
        content_type="application/json",
    )
    assert answer.status_code == 404
    assert _training_rows() == before
    assert Client().get("/api/v1/me/profile").status_code == 401


# --- API: one campaign (ids of `school`; the campaign is owned by its admin) ---------------------

CAMPAIGN_CALLS = {
    "GET /campaigns/{id}": Call("get", lambda w: f"/api/v1/campaigns/{w.campaign.pk}"),
    "PATCH /campaigns/{id}": Call(
        "patch", lambda w: f"/api/v1/campaigns/{w.campaign.pk}", lambda w: {"name": "Renommée"}
    ),
    "PUT /campaigns/{id}/archive": Call(
        "put", lambda w: f"/api/v1/campaigns/{w.campaign.pk}/archive"
    ),
    "DELETE /campaigns/{id}/archive": Call(
        "delete", lambda w: f"/api/v1/campaigns/{w.archived_campaign.pk}/archive"
    ),
    "GET /campaigns/{id}/activity": Call(
        "get", lambda w: f"/api/v1/campaigns/{w.campaign.pk}/activity"
    ),
    "GET /campaigns/{id}/participants": Call(
        "get", lambda w: f"/api/v1/campaigns/{w.campaign.pk}/participants"
    ),
    "GET /campaigns/{id}/results": Call(
        "get", lambda w: f"/api/v1/campaigns/{w.campaign.pk}/results"
    ),
    "GET /campaigns/{id}/analysis": Call(
        "get", lambda w: f"/api/v1/campaigns/{w.campaign.pk}/analysis"
    ),
    "GET /campaigns/{id}/participations/{id}": Call(
        "get",
        lambda w: f"/api/v1/campaigns/{w.campaign.pk}/participations/{w.participation.pk}",
    ),
    "GET /campaigns/{id}/export": Call(
        "get", lambda w: f"/api/v1/campaigns/{w.campaign.pk}/export"
    ),
}

# fmt: off
CAMPAIGN_API_MATRIX = {
    #                                          no_token  bad_token  revoked_token  admin_session  learner  member  admin  other_admin  platform_admin
    "GET /campaigns/{id}":                     (401,     401,       401,           401,           404,     200,    200,   404,         404),
    "PATCH /campaigns/{id}":                   (401,     401,       401,           401,           404,     403,    200,   404,         404),
    "PUT /campaigns/{id}/archive":             (401,     401,       401,           401,           404,     403,    200,   404,         404),
    "DELETE /campaigns/{id}/archive":          (401,     401,       401,           401,           404,     403,    200,   404,         404),
    "GET /campaigns/{id}/activity":            (401,     401,       401,           401,           404,     200,    200,   404,         404),
    "GET /campaigns/{id}/participants":        (401,     401,       401,           401,           404,     200,    200,   404,         404),
    "GET /campaigns/{id}/results":             (401,     401,       401,           401,           404,     200,    200,   404,         404),
    "GET /campaigns/{id}/analysis":            (401,     401,       401,           401,           404,     200,    200,   404,         404),
    "GET /campaigns/{id}/participations/{id}": (401,     401,       401,           401,           404,     200,    200,   404,         404),
    "GET /campaigns/{id}/export":              (401,     401,       401,           401,           404,     200,    200,   404,         404),
}
# fmt: on

assert set(CAMPAIGN_API_MATRIX) == set(CAMPAIGN_CALLS)


def test_campaign_api_matrix_covers_every_campaign_endpoint(client):
    """A new endpoint under /campaigns/{campaign_id} must get a row in the matrix (the big
    export job endpoints are covered in tests/api/test_campaigns_api.py)."""
    prefix = "/api/v1/campaigns/{campaign_id}"
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    endpoints = {
        f"{method.upper()} "
        + ("/campaigns/{id}" + path.removeprefix(prefix)).replace("{participation_id}", "{id}")
        for path, operations in paths.items()
        if path.startswith(prefix) and "/exports" not in path
        for method in operations
    }
    assert endpoints == set(CAMPAIGN_API_MATRIX)


@pytest.mark.parametrize(
    ("endpoint", "persona", "expected"),
    [
        pytest.param(endpoint, persona, expected, id=f"{endpoint} × {persona}")
        for endpoint, row in CAMPAIGN_API_MATRIX.items()
        for persona, expected in zip(API_PERSONAS, row, strict=True)
    ],
)
def test_campaign_api_matrix(world, api_client, endpoint, persona, expected):
    call = CAMPAIGN_CALLS[endpoint]
    client = _api_client_for(persona, world, api_client)
    before = snapshot()

    response = _send(client, call, world)

    assert response.status_code == expected, (
        b"" if response.streaming else response.content
    ).decode()[:800]
    if expected >= 400:
        assert snapshot() == before, f"{persona} was refused {endpoint} but rows changed"
        assert set(response.json()) == {"code", "message", "details"}
        return
    w = world
    if endpoint == "GET /campaigns/{id}":
        assert response.json()["code"] == w.campaign.code
    elif endpoint == "PATCH /campaigns/{id}":
        w.campaign.refresh_from_db()
        assert w.campaign.name == "Renommée"
    elif endpoint == "PUT /campaigns/{id}/archive":
        w.campaign.refresh_from_db()
        assert w.campaign.is_archived
    elif endpoint == "DELETE /campaigns/{id}/archive":
        w.archived_campaign.refresh_from_db()
        assert not w.archived_campaign.is_archived
    elif endpoint == "GET /campaigns/{id}/participants":
        assert "Participant" in response.content.decode()
    elif endpoint == "GET /campaigns/{id}/export":
        body = b"".join(response.streaming_content).decode("utf-8")
        assert body.startswith("\ufeff") and w.campaign.code in body
    else:
        assert snapshot() == before  # reads write nothing
