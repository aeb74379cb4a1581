"""The Orga campaign pages: list (tabs, filters, counts, pagination, query count), creation
(errors on their field, nothing written), settings, edit, archive, duplicate and deletion with its
confirmation; who may do what (404 for another school, 403 for a member who does not own it)."""

import html
import re

import pytest
from django.contrib.messages import get_messages

from octets.campaigns import services
from octets.campaigns.models import Campaign, Participation, TargetProfile
from tests.factories import MembershipFactory, OrganizationFactory, UserFactory

pytestmark = pytest.mark.django_db
BACKEND = "octets.accounts.backends.EmailOrUsernameBackend"


def squash(html: str) -> str:
    """Whitespace-free HTML with CSRF tokens blanked (they are masked differently per render)."""
    html = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', 'name="csrfmiddlewaretoken"', html)
    return re.sub(r"\s+", "", html)


class Team:
    """A school not managing its pupils: an admin, a teacher who owns campaigns, a colleague."""

    def __init__(self):
        self.organization = OrganizationFactory(is_managing_students=False)
        self.admin = UserFactory(first_name="Alice", last_name="Admin")
        self.teacher = UserFactory(first_name="Théo", last_name="Martin")
        self.colleague = UserFactory(first_name="Chloé", last_name="Durand")
        MembershipFactory(user=self.admin, organization=self.organization, role="ADMIN")
        MembershipFactory(user=self.teacher, organization=self.organization, role="MEMBER")
        MembershipFactory(user=self.colleague, organization=self.organization, role="MEMBER")


@pytest.fixture
def team(db):
    return Team()


@pytest.fixture
def as_user(client):
    def sign_in(user):
        client.force_login(user, backend=BACKEND)
        return client

    return sign_in


def collection(team, owner=None, name="Profils 3e", **extra):
    """A profile collection (needs no content: fast to create in numbers)."""
    return services.create_campaign(
        organization=team.organization,
        creator=owner or team.teacher,
        type=Campaign.Type.PROFILES_COLLECTION,
        name=name,
        **extra,
    )


def assessment(team, profile, owner=None, name="Rentrée 6e B", **extra):
    return services.create_campaign(
        organization=team.organization,
        creator=owner or team.teacher,
        type=Campaign.Type.ASSESSMENT,
        name=name,
        target_profile_id=profile.pk,
        **extra,
    )


def participate(campaign, *, shared=False, improved=False):
    return Participation.objects.create(
        campaign=campaign,
        user=UserFactory(),
        status=Participation.Status.SHARED if shared else Participation.Status.TO_SHARE,
        is_improved=improved,
    )


def text(response) -> str:
    """The page with entities decoded and whitespace squeezed, to search for French text."""
    return re.sub(r"\s+", " ", html.unescape(response.content.decode()))


def creation_data(profile=None, **changes):
    data = {
        "type": "assessment",
        "name": "Rentrée 5e A",
        "target_profile": str(profile.pk) if profile else "",
        "title": "Bilan de rentrée",
        "landing_text": "Bienvenue **à tous**",
        "external_id_label": "",
        "external_id_type": "",
        "owner": "",
    }
    data.update(changes)
    return data


# --- who may see and do what ---------------------------------------------------------------------


@pytest.mark.parametrize("who", ["admin", "teacher", "colleague"])
def test_pages_render_for_every_member(team, profiles, as_user, who):
    campaign = assessment(team, profiles["rentree-6e"], landing_text="Bonjour **la 6e B**")
    client = as_user(getattr(team, who))
    for url in (
        "/campagnes/",
        "/campagnes/?vue=toutes&statut=archivees",
        "/campagnes/creation/",
        f"/campagnes/{campaign.pk}/parametres/",
    ):
        assert client.get(url).status_code == 200, url
    body = text(client.get(f"/campagnes/{campaign.pk}/parametres/"))
    assert campaign.code in body
    assert "Bonjour <strong>la 6e B</strong>" in body  # the landing text is rendered Markdown
    assert f"/campagne/{campaign.code}/" in body  # the direct link, copyable
    assert "octets/campaigns.js" in body and "data-copy=" in body
    manages = who != "colleague"
    assert ("Archiver" in body) is manages
    assert (f"/campagnes/{campaign.pk}/modification/" in body) is manages
    assert (f"/campagnes/{campaign.pk}/duplication/" in body) is manages


def test_another_schools_campaign_is_not_found(team, as_user):
    elsewhere = Team()
    foreign = collection(elsewhere, owner=elsewhere.admin)
    client = as_user(team.admin)
    for url in ("parametres", "modification", "duplication"):
        assert client.get(f"/campagnes/{foreign.pk}/{url}/").status_code == 404, url
    for url in ("archivage", "desarchivage", "modification"):
        assert client.post(f"/campagnes/{foreign.pk}/{url}/", {"name": "X"}).status_code == 404
    assert client.get("/campagnes/suppression/", {"campagnes": foreign.pk}).status_code == 404
    response = client.post(
        "/campagnes/suppression/", {"campagnes": [foreign.pk], "confirmation": "on"}
    )
    assert response.status_code == 404
    foreign.refresh_from_db()
    assert foreign.name == "Profils 3e" and not foreign.is_archived and not foreign.is_deleted


def test_a_member_who_does_not_own_the_campaign_gets_403_and_changes_nothing(team, as_user):
    campaign = collection(team)
    client = as_user(team.colleague)
    refused = [
        client.get(f"/campagnes/{campaign.pk}/modification/"),
        client.post(f"/campagnes/{campaign.pk}/modification/", {"name": "Piraté"}),
        client.post(f"/campagnes/{campaign.pk}/archivage/"),
        client.get(f"/campagnes/{campaign.pk}/duplication/"),
        client.get("/campagnes/suppression/", {"campagnes": campaign.pk}),
        client.post("/campagnes/suppression/", {"campagnes": campaign.pk, "confirmation": "on"}),
    ]
    for response in refused:
        assert response.status_code == 403
        assert "propriétaire de cette campagne et les administrateurs" in text(response)
    campaign.refresh_from_db()
    assert campaign.name == "Profils 3e" and not campaign.is_archived and not campaign.is_deleted
    Campaign.objects.filter(pk=campaign.pk).update(archived_at="2026-01-01T00:00Z")
    assert client.post(f"/campagnes/{campaign.pk}/desarchivage/").status_code == 403
    assert Campaign.objects.get(pk=campaign.pk).is_archived


def test_archive_and_unarchive_are_post_only_and_say_so(team, as_user):
    campaign = collection(team)
    client = as_user(team.teacher)
    assert client.get(f"/campagnes/{campaign.pk}/archivage/").status_code == 405
    response = client.post(f"/campagnes/{campaign.pk}/archivage/", follow=True)
    assert response.redirect_chain[-1][0] == f"/campagnes/{campaign.pk}/parametres/"
    body = text(response)
    assert "Campagne archivée" in body and "Désarchiver" in body
    campaign.refresh_from_db()
    assert campaign.is_archived and campaign.archived_by == team.teacher
    again = client.post(f"/campagnes/{campaign.pk}/archivage/")
    assert again.status_code == 409 and "déjà archivée" in text(again)
    client.post(f"/campagnes/{campaign.pk}/desarchivage/")
    campaign.refresh_from_db()
    assert not campaign.is_archived


# --- creation ----------------------------------------------------------------------------------


def test_create_page_offers_profiles_by_category_with_their_facts(team, profiles, as_user):
    body = text(as_user(team.teacher).get("/campagnes/creation/"))
    profile = profiles["rentree-6e"]
    assert f'value="{profile.pk}"' in body
    assert str(TargetProfile.Category.BACK_TO_SCHOOL.label) in body
    tubes = profile.capped_tubes.count()
    stages = profile.stages.count()
    assert f"{tubes} sujets · résultats en {stages} paliers" in body
    assert "Markdown" in body and "5000 caractères" in body
    assert "(NIR) est interdit" in body
    # the owner select lists the team, me first chosen
    assert re.search(rf'<option value="{team.teacher.pk}"[^>]*selected', body)
    assert f'value="{team.colleague.pk}"' in body
    assert "<script>" not in body and " onclick=" not in body  # no inline script (CSP)


def test_create_an_assessment_campaign(team, profiles, as_user):
    profile = profiles["rentree-6e"]
    client = as_user(team.teacher)
    response = client.post(
        "/campagnes/creation/",
        creation_data(
            profile,
            external_id_label="Adresse e-mail ENT",
            external_id_type="email",
            multiple_sendings="on",
            owner=str(team.colleague.pk),
        ),
    )
    campaign = Campaign.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/campagnes/{campaign.pk}/parametres/"
    assert campaign.code in str(next(iter(get_messages(response.wsgi_request))))
    assert (campaign.type, campaign.target_profile, campaign.title) == (
        "assessment",
        profile,
        "Bilan de rentrée",
    )
    assert campaign.external_id_type == "email" and campaign.multiple_sendings
    assert campaign.owner == team.colleague and campaign.creator == team.teacher


def test_a_profile_collection_drops_what_belongs_to_assessments(team, profiles, as_user):
    response = as_user(team.teacher).post(
        "/campagnes/creation/",
        creation_data(profiles["rentree-6e"], type="profiles_collection", multiple_sendings="on"),
    )
    assert response.status_code == 302
    campaign = Campaign.objects.get()
    assert campaign.target_profile is None and campaign.title == ""
    assert not campaign.multiple_sendings and campaign.owner == team.teacher


@pytest.mark.parametrize(
    ("changes", "field", "message", "status"),
    [
        ({"name": ""}, "name", "Donnez un nom à la campagne.", 400),
        ({"name": "   "}, "name", "Le nom est obligatoire.", 400),
        ({"type": ""}, "type", "Choisissez l'objectif de la campagne", 400),
        ({"target_profile": ""}, "target_profile", "Choisissez le parcours", 400),
        ({"title": "x" * 51}, "title", "ne doit pas dépasser 50 caractères", 400),
        ({"landing_text": "x" * 5001}, "landing_text", "ne doit pas dépasser 5000", 400),
        ({"external_id_label": "Numéro"}, "external_id_type", "texte ou adresse e-mail", 400),
        ({"owner": "999999"}, "owner", "n'est pas membre de l'organisation", 400),
    ],
)
def test_creation_errors_show_on_their_field_and_write_nothing(
    team, profiles, as_user, changes, field, message, status
):
    response = as_user(team.teacher).post(
        "/campagnes/creation/", creation_data(profiles["rentree-6e"], **changes)
    )
    assert response.status_code == status
    body = text(response)
    assert message in body
    assert 'role="alert"' in body
    if field in ("type", "target_profile", "external_id_type"):
        assert f'href="#field-{field}"' in body and f'aria-describedby="{field}-errors"' in body
    else:
        assert re.search(
            rf'id="id_{field}"[^>]*aria-invalid="true"|aria-invalid="true"[^>]*id="id_{field}"',
            body,
        )
    assert not Campaign.objects.exists()
    # what was typed is kept
    if changes.get("title"):
        assert "x" * 51 in body


def test_a_profile_the_school_may_not_use_is_refused(team, profiles, as_user):
    private = TargetProfile.objects.create(
        name="Parcours privé", category="custom", owner_organization=OrganizationFactory()
    )
    response = as_user(team.teacher).post("/campagnes/creation/", creation_data(private))
    assert response.status_code == 403
    assert "pas accessible à votre organisation" in text(response)
    assert "Parcours privé" not in text(as_user(team.teacher).get("/campagnes/creation/"))
    assert not Campaign.objects.exists()


def test_duplicate_prefills_the_creation_form(team, profiles, as_user):
    source = assessment(
        team,
        profiles["rentree-6e"],
        title="Mon titre",
        landing_text="Texte d'accueil",
        external_id_label="Numéro ENT",
        external_id_type="string",
    )
    body = text(as_user(team.admin).get(f"/campagnes/{source.pk}/duplication/"))
    assert 'value="Copie de Rentrée 6e B"' in body
    assert 'value="Mon titre"' in body and "Texte d'accueil" in body
    assert re.search(rf'value="{profiles["rentree-6e"].pk}"[^>]*checked', body)
    assert re.search(r'value="string"[^>]*checked', body)
    assert re.search(rf'<option value="{team.admin.pk}"[^>]*selected', body)  # the copy is mine
    assert 'action="/campagnes/creation/"' in body
    assert Campaign.objects.count() == 1


# --- edit ----------------------------------------------------------------------------------------


def test_edit_changes_name_title_landing_text_and_owner(team, profiles, as_user):
    campaign = assessment(team, profiles["rentree-6e"])
    client = as_user(team.teacher)
    body = text(client.get(f"/campagnes/{campaign.pk}/modification/"))
    assert 'value="Rentrée 6e B"' in body and 'name="title"' in body
    response = client.post(
        f"/campagnes/{campaign.pk}/modification/",
        {
            "name": "Rentrée 6e C",
            "title": "Bilan",
            "landing_text": "Texte",
            "owner": team.colleague.pk,
        },
    )
    assert response.status_code == 302
    campaign.refresh_from_db()
    assert (campaign.name, campaign.title, campaign.landing_text, campaign.owner) == (
        "Rentrée 6e C",
        "Bilan",
        "Texte",
        team.colleague,
    )
    # the former owner is no longer a manager
    assert client.get(f"/campagnes/{campaign.pk}/modification/").status_code == 403


def test_edit_errors_are_shown_and_nothing_changes(team, as_user):
    campaign = collection(team)
    client = as_user(team.admin)
    body = text(client.get(f"/campagnes/{campaign.pk}/modification/"))
    assert 'name="title"' not in body  # a collection has no title
    response = client.post(
        f"/campagnes/{campaign.pk}/modification/",
        {"name": "Nouveau", "landing_text": "y" * 5001, "owner": team.teacher.pk},
    )
    assert response.status_code == 400
    assert "ne doit pas dépasser 5000 caractères" in text(response)
    campaign.refresh_from_db()
    assert campaign.name == "Profils 3e" and campaign.landing_text == ""


def test_edit_keeps_an_owner_who_left_the_team(team, as_user):
    campaign = collection(team)
    team.teacher.memberships.update(disabled_at="2026-01-01T00:00Z")
    client = as_user(team.admin)
    body = text(client.get(f"/campagnes/{campaign.pk}/modification/"))
    assert "ne fait plus partie de l'équipe" in body
    response = client.post(
        f"/campagnes/{campaign.pk}/modification/", {"name": "Renommée", "owner": ""}
    )
    assert response.status_code == 302
    campaign.refresh_from_db()
    assert campaign.name == "Renommée" and campaign.owner == team.teacher


# --- deletion -----------------------------------------------------------------------------------


def test_delete_needs_the_confirmation_then_anonymises_participations(team, as_user):
    first, second = collection(team, name="Première"), collection(team, name="Seconde")
    kept = collection(team, name="Gardée")
    participate(first, shared=True)
    participate(first, shared=True, improved=True)
    participate(second)
    client = as_user(team.teacher)
    page = client.get("/campagnes/suppression/", {"campagnes": [first.pk, second.pk]})
    body = text(page)
    assert page.status_code == 200
    assert "Première" in body and "Seconde" in body and "Gardée" not in body
    assert "3 participations seront supprimées" in body
    assert 'name="confirmation"' in body
    unconfirmed = client.post("/campagnes/suppression/", {"campagnes": [first.pk, second.pk]})
    assert unconfirmed.status_code == 400
    assert "Cochez la case pour confirmer" in text(unconfirmed)
    assert not Campaign.objects.filter(deleted_at__isnull=False).exists()
    assert not Participation.objects.filter(deleted_at__isnull=False).exists()
    done = client.post(
        "/campagnes/suppression/", {"campagnes": [first.pk, second.pk], "confirmation": "on"}
    )
    assert done.status_code == 302 and done["Location"] == "/campagnes/"
    assert "2 campagnes supprimées" in str(next(iter(get_messages(done.wsgi_request))))
    assert set(Campaign.objects.filter(deleted_at__isnull=True)) == {kept}
    assert not Participation.objects.filter(deleted_at__isnull=True).exists()
    assert not Participation.objects.filter(user__isnull=False).exists()
    listing = text(client.get("/campagnes/"))
    assert "Première" not in listing and "Gardée" in listing


def test_delete_with_nothing_ticked_says_so(team, as_user):
    response = as_user(team.teacher).get("/campagnes/suppression/")
    assert response.status_code == 400
    assert "Cochez au moins une campagne" in text(response)


def test_delete_refuses_a_mix_with_someone_elses_campaign(team, as_user):
    mine = collection(team, name="À moi")
    theirs = collection(team, owner=team.colleague, name="À Chloé")
    client = as_user(team.teacher)
    response = client.post(
        "/campagnes/suppression/", {"campagnes": [mine.pk, theirs.pk], "confirmation": "on"}
    )
    assert response.status_code == 403
    assert not Campaign.objects.filter(deleted_at__isnull=False).exists()
    # the list offers no checkbox for a campaign the member cannot delete
    body = text(client.get("/campagnes/", {"vue": "toutes"}))
    assert f'id="campagne-{mine.pk}"' in body and f'id="campagne-{theirs.pk}"' not in body


# --- list ----------------------------------------------------------------------------------------


def test_list_tabs_status_and_counts(team, as_user):
    mine = collection(team, name="Profils 3e A")
    theirs = collection(team, owner=team.colleague, name="Profils 3e B")
    archived = collection(team, name="Ancienne")
    services.archive_campaign(campaign=archived, user=team.teacher)
    participate(mine, shared=True)
    participate(mine, shared=True, improved=True)  # an older sending: not counted
    participate(mine)
    Participation.objects.create(campaign=mine, user=None, deleted_at="2026-01-01T00:00Z")
    client = as_user(team.teacher)

    body = text(client.get("/campagnes/"))
    assert "Profils 3e A" in body and "Profils 3e B" not in body and "Ancienne" not in body
    assert "1 campagne active" in body
    assert ">Propriétaire<" not in body  # no owner column on "Mes campagnes"
    row = re.search(rf'<tr data-campaign="{mine.code}">.*?</tr>', body).group(0)
    assert re.findall(r"<td>(\d+)</td>", row) == ["2", "1"]  # participants, results received
    assert f'href="/campagnes/{mine.pk}/"' in row

    body = text(client.get("/campagnes/", {"vue": "toutes"}))
    assert "Profils 3e A" in body and "Profils 3e B" in body and "2 campagnes actives" in body
    assert ">Propriétaire<" in body and "Chloé Durand" in body

    body = text(client.get("/campagnes/", {"vue": "toutes", "statut": "archivees"}))
    assert "Ancienne" in body and "Profils 3e A" not in body and "1 campagne archivée" in body
    assert theirs.code not in body


def test_list_searches_by_name_and_by_owner(team, as_user):
    collection(team, name="Rentrée 6e A")
    collection(team, owner=team.colleague, name="Rentrée 5e B")
    collection(team, owner=team.colleague, name="Bilan 3e")
    client = as_user(team.admin)
    body = text(client.get("/campagnes/", {"vue": "toutes", "nom": "rentrée"}))
    assert "Rentrée 6e A" in body and "Rentrée 5e B" in body and "Bilan 3e" not in body
    body = text(client.get("/campagnes/", {"vue": "toutes", "proprietaire": "durand"}))
    assert "Rentrée 6e A" not in body and "Rentrée 5e B" in body and "Bilan 3e" in body
    body = text(
        client.get("/campagnes/", {"vue": "toutes", "proprietaire": "chloé", "nom": "bilan"})
    )
    assert "Bilan 3e" in body and "Rentrée" not in body.split('id="campaigns-table"')[1]
    body = text(client.get("/campagnes/", {"vue": "toutes", "nom": "introuvable"}))
    assert "Aucune campagne ne correspond à cette recherche." in body


def test_empty_state_invites_to_create_a_campaign(team, as_user):
    body = text(as_user(team.teacher).get("/campagnes/"))
    assert "Vous n'avez pas encore de campagne" in body
    assert body.count('href="/campagnes/creation/"') >= 2


def test_list_pagination_and_page_size(team, as_user):
    for number in range(30):
        collection(team, name=f"Campagne {number:02d}")
    client = as_user(team.teacher)
    body = text(client.get("/campagnes/"))
    assert body.count("<tr data-campaign=") == 25 and "30 campagnes actives" in body
    assert "Page suivante" in body
    body = text(client.get("/campagnes/", {"taille": 100}))
    assert body.count("<tr data-campaign=") == 30


def test_list_htmx_fragment_equals_the_same_part_of_the_page(team, as_user):
    collection(team)
    client = as_user(team.teacher)
    full = client.get("/campagnes/", {"nom": "profils"}).content.decode()
    fragment = (
        client.get("/campagnes/", {"nom": "profils"}, headers={"HX-Request": "true"})
        .content.decode()
        .strip()
    )
    assert fragment.startswith('<div id="campaigns-table">')
    assert squash(fragment) in squash(full)


def test_list_query_count_does_not_grow_with_campaigns(
    team, as_user, django_assert_max_num_queries
):
    client = as_user(team.admin)
    for number in range(5):
        participate(collection(team, name=f"A{number}"), shared=True)
    with django_assert_max_num_queries(8):
        assert client.get("/campagnes/", {"vue": "toutes"}).status_code == 200
    for number in range(60):
        campaign = collection(team, owner=team.colleague, name=f"B{number}")
        participate(campaign)
        participate(campaign, shared=True)
    with django_assert_max_num_queries(8):
        response = client.get("/campagnes/", {"vue": "toutes", "taille": 100})
    assert text(response).count("<tr data-campaign=") == 65


def test_anonymous_goes_to_login_and_an_account_without_school_is_refused(client, as_user):
    response = client.get("/campagnes/")
    assert response.status_code == 302 and response["Location"].startswith("/connexion/")
    response = as_user(UserFactory()).get("/campagnes/creation/")
    assert response.status_code == 403
    assert "membre d'aucune organisation" in text(response)


def test_a_duplicate_is_a_new_campaign_with_its_own_code(team, profiles, as_user):
    source = assessment(team, profiles["rentree-6e"], multiple_sendings=True)
    participate(source, shared=True)
    client = as_user(team.teacher)
    body = text(client.get(f"/campagnes/{source.pk}/duplication/"))
    assert re.search(r'name="multiple_sendings"[^>]*checked', body)
    response = client.post(
        "/campagnes/creation/",
        creation_data(profiles["rentree-6e"], name="Copie de Rentrée 6e B", multiple_sendings="on"),
    )
    copy = Campaign.objects.exclude(pk=source.pk).get()
    assert response["Location"] == f"/campagnes/{copy.pk}/parametres/"
    assert copy.code != source.code and copy.multiple_sendings
    assert not copy.participations.exists()
