"""CSV exports of campaign results: columns, cells a spreadsheet reads well and cannot run,
streaming, and the background export of big campaigns with its download and clean-up."""

import csv
import io
import re
from datetime import timedelta

from django.core.files.storage import default_storage
from django.http import StreamingHttpResponse
from django.urls import reverse
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from octets.campaigns import exports, services
from octets.campaigns.models import Campaign
from octets.jobs.models import Job
from tests.campaigns import test_results_pages as pages
from tests.factories import MembershipFactory, OrganizationFactory, UserFactory

# the fixtures of the result pages' tests
_media = pages._media
open_school = pages.open_school
results_campaign = pages.results_campaign
add_shared_copies = pages.add_shared_copies
signed_in = pages.signed_in


def read_csv(content: bytes) -> list[list[str]]:
    assert content.startswith("\ufeff".encode())
    text = content.decode("utf-8")[1:]
    assert "\r\n" in text
    return list(csv.reader(io.StringIO(text, newline=""), delimiter=";"))


def download(client, campaign) -> tuple:
    response = client.get(reverse("campaigns:export", args=[campaign.pk]))
    assert response.status_code == 200
    assert isinstance(response, StreamingHttpResponse)
    return response, read_csv(b"".join(response.streaming_content))


@given(st.text(max_size=20))
def test_text_cells_never_start_a_formula(value):
    cell = exports.text(value)
    assert not cell.startswith(("=", "+", "-", "@", "\t", "\r"))
    assert cell in (value, "'" + value)


def test_assessment_export_has_the_columns_and_values(client, open_school, results_campaign):
    _organization, _admin, teacher = open_school
    campaign, _people, rows = results_campaign
    response, table = download(signed_in(client, teacher), campaign)
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    filename = re.search(r'filename="([^"]+)"', response["Content-Disposition"]).group(1)
    assert re.fullmatch(
        rf"Resultats-Rentree_6e-{campaign.pk}-\d{{4}}-\d{{2}}-\d{{2}}\.csv", filename
    )
    header, *lines = table
    assert header[:7] == [
        "Nom de l'organisation",
        "ID Campagne",
        "Code",
        "Nom de la campagne",
        "Nom du Profil Cible",
        "Nom du Participant",
        "Prénom du Participant",
    ]
    assert "Classe" not in header  # the school does not manage its pupils
    assert header[7] == "Numéro"  # the external id label
    assert header[8:12] == ["% de progression", "Date de début", "Partage (O/N)", "Date du partage"]
    stages = campaign.target_profile.stages.count()
    assert header[12] == f"Palier obtenu (/{stages - 1})"
    badges = list(campaign.target_profile.badges.all())
    assert header[13 : 13 + len(badges)] == [f"{b.title} obtenu (O/N)" for b in badges]
    assert header[13 + len(badges)] == "% maitrise de l'ensemble des acquis du profil"
    assert any(h.startswith("% de maitrise des acquis de la compétence ") for h in header)
    assert any(h.startswith("% de maitrise des acquis du domaine ") for h in header)
    assert len(lines) == 3  # the current participations: Ana's latest, Bob, Chloé
    by_name = {line[5]: dict(zip(header, line, strict=True)) for line in lines}
    ana, bob, chloe = by_name["Alvarez"], by_name["Berger"], by_name["Chevalier"]
    assert ana["Partage (O/N)"] == "Oui" and chloe["Partage (O/N)"] == "Non"
    mastery = "% maitrise de l'ensemble des acquis du profil"
    assert ana[mastery] == str(round(rows["ana"].mastery_rate * 100))
    assert bob[mastery] == "0"
    assert chloe[mastery] == "NA" and chloe["Date du partage"] == "NA"
    assert chloe[header[12]] == "NA" and bob[header[12]] == "0"
    assert ana[header[12]] == str(rows["ana"].reached_stage - 1)
    assert re.fullmatch(r"\d{2}/\d{2}/\d{4} \d{2}:\d{2}", ana["Date du partage"])
    assert ana["% de progression"] == "100" and chloe["% de progression"] == "0"
    assert bob["Numéro"] == "'=1+2"  # neutralised formula
    for header_name in header:
        if header_name.startswith("Nombre d'acquis du profil cible"):
            assert chloe[header_name].isdigit()  # the profile's size is known for everyone
    for badge in badges:
        expected = "Oui" if badge.key in rows["ana"].badge_keys else "Non"
        assert ana[f"{badge.title} obtenu (O/N)"] == expected
    # the competence columns add up to the profile
    counts = [int(ana[h]) for h in header if h.startswith("Nombre d'acquis du profil cible dans")]
    validated = [int(ana[h]) for h in header if h.startswith("Acquis maitrisés dans la compétence")]
    assert sum(validated) == rows["ana"].validated_skills_count
    assert sum(counts) >= sum(validated)


def test_profiles_collection_export(client, open_school, content):
    organization, _admin, teacher = open_school
    campaign = services.create_campaign(
        organization=organization,
        creator=teacher,
        type=Campaign.Type.PROFILES_COLLECTION,
        name="@Profils",
    )
    sent, waiting = UserFactory(last_name="+Zola"), UserFactory(last_name="Yann")
    services.share(participation=services.join_campaign(user=sent, code=campaign.code), user=sent)
    services.join_campaign(user=waiting, code=campaign.code)
    Campaign.objects.filter(pk=campaign.pk).update()  # nothing else changes
    response, table = download(signed_in(client, teacher), campaign)
    assert "Resultats-Profils-" in response["Content-Disposition"]
    header, *lines = table
    assert header[4:][:2] == ["Nom du Participant", "Prénom du Participant"]
    assert header[6:11] == [
        "Envoi (O/N)",
        "Date de l'envoi",
        "Nombre de pix total",
        "Certifiable (O/N)",
        "Nombre de compétences certifiables",
    ]
    assert len([h for h in header if h.startswith("Niveau pour la compétence ")]) == 16
    rows = {line[4]: dict(zip(header, line, strict=True)) for line in lines}
    assert rows["'+Zola"]["Nom de la campagne"] == "'@Profils"
    assert (
        rows["'+Zola"]["Certifiable (O/N)"] == "Non"
        and rows["'+Zola"]["Nombre de pix total"] == "0"
    )
    assert rows["Yann"]["Envoi (O/N)"] == "Non" and rows["Yann"]["Nombre de pix total"] == "NA"


def test_class_column_for_a_school_managing_its_pupils(client, school, profiles):
    campaign = services.create_campaign(
        organization=school.organization,
        creator=school.teacher,
        type=Campaign.Type.ASSESSMENT,
        name="6e",
        target_profile_id=profiles["rentree-6e"].pk,
    )
    from octets.campaigns.models import Participation

    add_shared_copies(
        campaign,
        Participation(mastery_rate=0.25, reached_stage=1, total_stages=3, snapshot={}),
        2,
        division="6B",
    )
    _response, (header, *lines) = download(signed_in(client, school.teacher), campaign)
    assert header[7] == "Classe"
    assert [line[7] for line in lines] == ["6B", "6B"]
    assert {
        line[header.index("% maitrise de l'ensemble des acquis du profil")] for line in lines
    } == {"25"}


def test_big_campaigns_export_in_the_background(client, settings, open_school, results_campaign):
    organization, admin, teacher = open_school
    campaign, _people, _rows = results_campaign
    settings.OCTETS_EXPORT_SYNC_MAX = 2
    url = reverse("campaigns:export", args=[campaign.pk])
    signed_in(client, teacher)
    page = client.get(url)
    assert page.status_code == 200 and "Aucun fichier n'est prêt" in page.content.decode()
    # the test settings run jobs as soon as they are enqueued
    assert client.post(url).status_code == 302
    job = Job.objects.get(kind=exports.EXPORT_JOB_KIND)
    assert job.status == Job.Status.SUCCEEDED and job.result["rows"] == 3
    ready = client.get(url, headers={"HX-Request": "true"}).content.decode()
    assert f"?fichier={job.pk}" in ready and "3 lignes" in ready
    file = client.get(url, {"fichier": job.pk})
    assert file.status_code == 200
    assert file["Content-Disposition"].startswith("attachment")
    table = read_csv(b"".join(file.streaming_content))
    assert len(table) == 4
    # another school's admin cannot download it
    stranger = UserFactory()
    MembershipFactory(user=stranger, organization=OrganizationFactory(), role="ADMIN")
    assert signed_in(client, stranger).get(url, {"fichier": job.pk}).status_code in (403, 404)
    # a new export replaces the previous file
    signed_in(client, admin)
    first_path = job.result["path"]
    assert default_storage.exists(first_path)
    client.post(url)
    assert not default_storage.exists(first_path)
    assert client.get(url, {"fichier": job.pk}).status_code == 404
    latest = exports.latest_export_job(campaign)
    assert latest.pk != job.pk and default_storage.exists(latest.result["path"])
    # files are removed 7 days after
    Job.objects.filter(pk=latest.pk).update(finished_at=timezone.now() - timedelta(days=8))
    assert exports.purge_expired_exports() == 1
    assert not default_storage.exists(latest.result["path"])
    assert client.get(url, {"fichier": latest.pk}).status_code == 404
    assert organization.pk == campaign.organization_id
