"""The teacher's campaign pages: activity, results (query count with many rows), analysis, a
participant's page with its sending history, and deleting a participant."""

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from octets.assessments.models import KnowledgeElement
from octets.campaigns import services
from octets.campaigns.models import Campaign, Participation
from tests.campaigns.conftest import play
from tests.factories import (
    MembershipFactory,
    OrganizationFactory,
    OrganizationLearnerFactory,
    UserFactory,
)

BACKEND = "octets.accounts.backends.EmailOrUsernameBackend"


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def open_school(db):
    """A school that does not manage its pupils: anyone with the code may join."""
    organization = OrganizationFactory(is_managing_students=False, name="Lycée Ouvert")
    admin, teacher = UserFactory(), UserFactory()
    MembershipFactory(user=admin, organization=organization, role="ADMIN")
    MembershipFactory(user=teacher, organization=organization, role="MEMBER")
    return organization, admin, teacher


def signed_in(client, user):
    client.force_login(user, backend=BACKEND)
    return client


@pytest.fixture
def results_campaign(open_school, profiles):
    """An assessment campaign with multiple sendings: Ana sent twice (better the second time),
    Bob sent once (everything skipped), Chloé is still taking the test."""
    organization, _admin, teacher = open_school
    campaign = services.create_campaign(
        organization=organization,
        creator=teacher,
        type=Campaign.Type.ASSESSMENT,
        name="Rentrée 6e",
        target_profile_id=profiles["rentree-6e"].pk,
        multiple_sendings=True,
        external_id_label="Numéro",
        external_id_type="string",
    )
    people = {
        "ana": UserFactory(first_name="Ana", last_name="Alvarez"),
        "bob": UserFactory(first_name="Bob", last_name="Berger"),
        "chloe": UserFactory(first_name="Chloé", last_name="Chevalier"),
    }
    first = services.join_campaign(user=people["ana"], code=campaign.code, external_id="A1")
    play(services.current_assessment(first), policy=lambda c, n: n % 3 == 0)
    services.share(participation=first, user=people["ana"])
    Participation.objects.filter(pk=first.pk).update(
        shared_at=timezone.now() - timedelta(days=5), created_at=timezone.now() - timedelta(days=6)
    )
    KnowledgeElement.objects.filter(user=people["ana"]).update(
        created_at=timezone.now() - timedelta(days=6)
    )
    second = services.join_campaign(user=people["ana"], code=campaign.code)
    play(services.current_assessment(second))
    services.share(participation=second, user=people["ana"])
    bob = services.join_campaign(user=people["bob"], code=campaign.code, external_id="=1+2")
    play(services.current_assessment(bob), policy=lambda c, n: False)
    services.share(participation=bob, user=people["bob"])
    chloe = services.join_campaign(user=people["chloe"], code=campaign.code, external_id="C3")
    rows = {"ana_first": first, "ana": second, "bob": bob, "chloe": chloe}
    for participation in rows.values():
        participation.refresh_from_db()
    return campaign, people, rows


def add_shared_copies(campaign, template: Participation, count: int, *, division=None):
    """``count`` more shared participations like ``template``, written in bulk."""
    users = UserFactory.create_batch(count)
    learners = (
        [
            OrganizationLearnerFactory(organization=campaign.organization, division=division)
            for _ in users
        ]
        if division
        else [None] * count
    )
    Participation.objects.bulk_create(
        Participation(
            campaign=campaign,
            user=user,
            organization_learner=learner,
            status=Participation.Status.SHARED,
            shared_at=timezone.now(),
            mastery_rate=template.mastery_rate,
            validated_skills_count=template.validated_skills_count,
            reached_stage=template.reached_stage,
            total_stages=template.total_stages,
            badge_keys=template.badge_keys,
            snapshot=template.snapshot,
        )
        for user, learner in zip(users, learners, strict=True)
    )


def text_of(response) -> str:
    html = response.content.decode()
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


# -- activity -----------------------------------------------------------------------------------


def test_activity_shows_cards_charts_and_the_participant_list(
    client, open_school, results_campaign
):
    organization, _admin, _owner = open_school
    campaign, _people, rows = results_campaign
    teacher = UserFactory()
    MembershipFactory(user=teacher, organization=organization, role="MEMBER")
    response = signed_in(client, teacher).get(reverse("campaigns:activity", args=[campaign.pk]))
    assert response.status_code == 200
    page = text_of(response)
    html = response.content.decode()
    assert re.search(r'id="card-participants".*?>\s*3\s*<', html, re.S)
    assert re.search(r'id="card-shared".*?>\s*2\s*<', html, re.S)
    assert "Répartition des participants par statut" in page
    assert "En cours 1" in page and "Résultats reçus 2" in page
    assert "Participations par jour" in page
    # the list: one line per participant, Ana counts two participations
    ana_row = re.search(rf'data-participation="{rows["ana"].pk}".*?</tr>', html, re.S).group(0)
    assert "Alvarez" in ana_row and "A1" in ana_row and ">2<" in ana_row.replace(" ", "")
    assert f'data-participation="{rows["ana_first"].pk}"' not in html
    # a plain member who does not own the campaign cannot delete
    assert reverse("campaigns:delete_participant", args=[campaign.pk, rows["bob"].pk]) not in html


def test_activity_filters_by_status_and_name_with_an_htmx_fragment(
    client, open_school, results_campaign
):
    _organization, admin, _teacher = open_school
    campaign, _people, rows = results_campaign
    signed_in(client, admin)
    url = reverse("campaigns:activity", args=[campaign.pk])
    fragment = client.get(url, {"statut": "started"}, headers={"HX-Request": "true"})
    assert fragment.status_code == 200
    html = fragment.content.decode()
    assert html.lstrip().startswith('<div id="participants-table">')
    assert f'data-participation="{rows["chloe"].pk}"' in html
    assert f'data-participation="{rows["bob"].pk}"' not in html
    full = client.get(url, {"statut": "started"}).content.decode()
    assert re.sub(r"\s+", "", html) in re.sub(r"\s+", "", full)
    by_name = client.get(url, {"recherche": "berg"}).content.decode()
    assert f'data-participation="{rows["bob"].pk}"' in by_name
    assert f'data-participation="{rows["chloe"].pk}"' not in by_name
    # the admin may delete
    assert reverse("campaigns:delete_participant", args=[campaign.pk, rows["bob"].pk]) in by_name


def test_activity_filters_by_class(client, school, profiles):
    campaign = services.create_campaign(
        organization=school.organization,
        creator=school.teacher,
        type=Campaign.Type.ASSESSMENT,
        name="Classes",
        target_profile_id=profiles["rentree-6e"].pk,
    )
    template = Participation(mastery_rate=0.5, reached_stage=2, total_stages=3, snapshot={})
    add_shared_copies(campaign, template, 2, division="6A")
    add_shared_copies(campaign, template, 3, division="5B")
    signed_in(client, school.teacher)
    url = reverse("campaigns:activity", args=[campaign.pk])
    page = text_of(client.get(url, {"classe": "5B"}))
    assert "3 participants" in page
    results = text_of(
        client.get(reverse("campaigns:results", args=[campaign.pk]), {"classe": "6A"})
    )
    assert "2 résultats reçus" in results


# -- results ------------------------------------------------------------------------------------


def test_results_list_shared_participations_with_stars_badges_and_evolution(
    client, open_school, results_campaign
):
    _organization, _admin, teacher = open_school
    campaign, _people, rows = results_campaign
    response = signed_in(client, teacher).get(reverse("campaigns:results", args=[campaign.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    assert f'data-participation="{rows["chloe"].pk}"' not in html  # not sent
    ana = re.search(rf'data-participation="{rows["ana"].pk}".*?</tr>', html, re.S).group(0)
    bob = re.search(rf'data-participation="{rows["bob"].pk}".*?</tr>', html, re.S).group(0)
    # stars do not count the zero stage, as the pupil and the CSV export count them
    stars = rows["ana"].total_stages - 1
    won = rows["ana"].reached_stage - 1
    assert re.search(rf"{won} étoiles? sur {stars}", ana)
    rows["bob"].refresh_from_db()
    assert re.search(rf"{rows['bob'].stars} étoiles? sur {stars}", bob)
    assert f"{round(rows['ana'].mastery_rate * 100)} %" in ana
    assert "En hausse" in ana and "fr-icon-arrow-up-line" in ana
    assert re.search(r"<td>\s*2\s*</td>", ana)  # two sendings
    assert "—" in bob  # no previous sending: no evolution
    for key in rows["ana"].badge_keys:
        title = campaign.target_profile.badges.get(key=key).title
        assert title in ana


def test_results_filters_by_stage_badge_and_search(client, open_school, results_campaign):
    _organization, _admin, teacher = open_school
    campaign, _people, rows = results_campaign
    signed_in(client, teacher)
    url = reverse("campaigns:results", args=[campaign.pk])

    def shown(**params):
        html = client.get(url, params, headers={"HX-Request": "true"}).content.decode()
        return {int(pk) for pk in re.findall(r'data-participation="(\d+)"', html)}

    assert shown(palier="1") == {rows["bob"].pk}
    assert shown(recherche="alva") == {rows["ana"].pk}
    assert shown(badge="inconnu") == set()
    if rows["ana"].badge_keys:
        assert shown(badge=rows["ana"].badge_keys[0]) == {rows["ana"].pk}


def test_results_query_count_does_not_grow_with_rows(
    client, open_school, results_campaign, django_assert_max_num_queries
):
    _organization, _admin, teacher = open_school
    campaign, _people, rows = results_campaign
    signed_in(client, teacher)
    results_url = reverse("campaigns:results", args=[campaign.pk])
    activity_url = reverse("campaigns:activity", args=[campaign.pk])
    client.get(results_url)  # warm the content cache
    add_shared_copies(campaign, rows["ana"], 120)
    with django_assert_max_num_queries(11):
        response = client.get(results_url, {"taille": 100})
    assert response.status_code == 200
    assert response.content.decode().count("data-participation=") == 100
    with django_assert_max_num_queries(15):
        assert client.get(activity_url, {"taille": 100}).status_code == 200


def test_profiles_collection_lists_pix_and_certifiability(client, open_school, content):
    organization, _admin, teacher = open_school
    campaign = services.create_campaign(
        organization=organization,
        creator=teacher,
        type=Campaign.Type.PROFILES_COLLECTION,
        name="Profils 3e",
    )
    pupil = UserFactory(first_name="Zoé", last_name="Zola")
    participation = services.join_campaign(user=pupil, code=campaign.code)
    services.share(participation=participation, user=pupil)
    signed_in(client, teacher)
    page = text_of(client.get(reverse("campaigns:results", args=[campaign.pk])))
    assert "1 profil reçu" in page and "Zola" in page and "Non certifiable" in page
    assert client.get(reverse("campaigns:analysis", args=[campaign.pk])).status_code == 404
    detail = text_of(
        client.get(reverse("campaigns:participant", args=[campaign.pk, participation.pk]))
    )
    assert "Score Pix 0" in detail and "Profil par compétence" in detail
    activity = text_of(client.get(reverse("campaigns:activity", args=[campaign.pk])))
    assert "Profils reçus" in activity


# -- analysis -----------------------------------------------------------------------------------


def test_analysis_ranks_tubes_with_french_labels_and_tutorials(
    client, open_school, results_campaign
):
    _organization, _admin, teacher = open_school
    campaign, _people, _rows = results_campaign
    response = signed_in(client, teacher).get(reverse("campaigns:analysis", args=[campaign.pk]))
    assert response.status_code == 200
    page = text_of(response)
    assert "Analyse calculée sur 2 résultats reçus." in page
    labels = re.findall(r"(Fortement recommandé|Très recommandé|Assez recommandé|Recommandé)", page)
    assert labels, "every tube has a recommendation"
    order = ["Fortement recommandé", "Très recommandé", "Recommandé", "Assez recommandé"]
    assert [order.index(label) for label in labels] == sorted(
        order.index(label) for label in labels
    )
    assert "Résultats par compétence" in page


# -- a participant ------------------------------------------------------------------------------


def test_participant_page_frozen_live_and_history(client, open_school, results_campaign):
    _organization, _admin, teacher = open_school
    campaign, people, rows = results_campaign
    signed_in(client, teacher)
    url = reverse("campaigns:participant", args=[campaign.pk, rows["ana"].pk])
    page = text_of(client.get(url))
    assert "#1" in page and "#2" in page
    assert f"{round(rows['ana'].mastery_rate * 100)} %" in page
    assert "étoiles sur" in page and "Résultats par compétence" in page
    assert "Niveau atteint par sujet" in page
    first = text_of(
        client.get(reverse("campaigns:participant", args=[campaign.pk, rows["ana_first"].pk]))
    )
    assert f"{round(rows['ana_first'].mastery_rate * 100)} %" in first
    # frozen: later training does not change what the school received
    KnowledgeElement.objects.filter(user=people["ana"]).delete()
    assert f"{round(rows['ana'].mastery_rate * 100)} %" in text_of(client.get(url))
    live = text_of(
        client.get(reverse("campaigns:participant", args=[campaign.pk, rows["chloe"].pk]))
    )
    assert "pas encore envoyés" in live


def test_foreign_campaigns_and_participations_are_404(client, open_school, results_campaign):
    organization, _admin, teacher = open_school
    campaign, _people, rows = results_campaign
    stranger = UserFactory()
    MembershipFactory(user=stranger, organization=OrganizationFactory(), role="ADMIN")
    signed_in(client, stranger)
    for name in ("activity", "results", "analysis", "export"):
        assert client.get(reverse(f"campaigns:{name}", args=[campaign.pk])).status_code in (
            403,
            404,
        )
    assert client.get(
        reverse("campaigns:participant", args=[campaign.pk, rows["ana"].pk])
    ).status_code in (403, 404)
    other = services.create_campaign(
        organization=organization,
        creator=teacher,
        type=Campaign.Type.PROFILES_COLLECTION,
        name="Autre",
    )
    signed_in(client, teacher)
    assert (
        client.get(reverse("campaigns:participant", args=[other.pk, rows["ana"].pk])).status_code
        == 404
    )


def test_delete_participant_needs_owner_or_admin_and_a_confirmation(
    client, open_school, results_campaign
):
    organization, admin, _teacher = open_school
    campaign, _people, rows = results_campaign
    member = UserFactory()
    MembershipFactory(user=member, organization=organization, role="MEMBER")
    url = reverse("campaigns:delete_participant", args=[campaign.pk, rows["ana"].pk])
    signed_in(client, member)
    assert client.get(url).status_code == 403
    assert client.post(url, {"confirmation": "on"}).status_code == 403
    signed_in(client, admin)
    confirm = client.get(url)
    assert confirm.status_code == 200 and "Je confirme vouloir supprimer" in text_of(confirm)
    assert client.post(url).status_code == 400
    assert not Participation.objects.filter(deleted_at__isnull=False).exists()
    response = client.post(url, {"confirmation": "on"})
    assert response.status_code == 302
    assert response["Location"] == reverse("campaigns:activity", args=[campaign.pk])
    deleted = Participation.objects.filter(pk__in=[rows["ana"].pk, rows["ana_first"].pk])
    assert all(p.deleted_at and p.user_id is None for p in deleted)
    assert (
        client.get(reverse("campaigns:participant", args=[campaign.pk, rows["ana"].pk])).status_code
        == 404
    )


def test_aggregated_activity_matches_a_row_by_row_count(open_school, results_campaign):
    from octets.campaigns import selectors

    campaign, _people, _rows = results_campaign
    add_shared_copies(
        campaign, Participation(mastery_rate=0.8, reached_stage=3, total_stages=4, snapshot={}), 2
    )
    add_shared_copies(
        campaign, Participation(mastery_rate=0.39, reached_stage=2, total_stages=4, snapshot={}), 1
    )
    rows = list(selectors.current_participations(campaign))
    shared = [p for p in rows if p.status == Participation.Status.SHARED]
    stats = selectors.activity(campaign)
    assert stats.participants == len(rows)
    assert stats.shared == len(shared)
    assert stats.average_result == round(
        100 * sum(p.mastery_rate or 0 for p in shared) / len(shared)
    )
    bands = [0] * 5
    for p in shared:
        bands[min(4, int((p.mastery_rate or 0) * 5))] += 1
    assert [count for _label, count in stats.by_result_band] == bands
    stages = {}
    for p in shared:
        if p.reached_stage:
            stages[p.reached_stage] = stages.get(p.reached_stage, 0) + 1
    assert dict(stats.by_stage) == stages


def test_analysis_is_cached_until_a_new_result_arrives(open_school, results_campaign):
    from octets.campaigns import reports, selectors

    campaign, _people, rows = results_campaign
    first = reports.analysis(campaign)
    assert first == selectors.analysis(campaign)
    assert reports.analysis(campaign) == first
    add_shared_copies(campaign, rows["bob"], 3)  # three more results, all at 0 %
    after = reports.analysis(campaign)
    assert after[2] == first[2] + 3
    assert after == selectors.analysis(campaign)
