"""The Élèves pages: list (filters, sorts, pagination, query count), pupil page, logins, import."""

import re
import time
from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext

from octets.accounts.models import AuthenticationMethod
from octets.students.models import LearnerImport, OrganizationLearner
from tests.factories import (
    MembershipFactory,
    OrganizationFactory,
    OrganizationLearnerFactory,
    UserFactory,
)
from tests.students import files

pytestmark = pytest.mark.django_db
BACKEND = "octets.accounts.backends.EmailOrUsernameBackend"


def squash(html: str) -> str:
    """Whitespace-free HTML with CSRF tokens blanked (they are masked differently per render)."""
    html = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', 'name="csrfmiddlewaretoken"', html)
    return re.sub(r"\s+", "", html)


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def as_teacher(client, teacher):
    client.force_login(teacher, backend=BACKEND)
    return client


@pytest.fixture
def as_admin(client, school_admin):
    client.force_login(school_admin, backend=BACKEND)
    return client


@pytest.fixture
def classes(school):
    """Pupils in three classes with every login method, one who left, one certifiable."""
    return {
        "none": OrganizationLearnerFactory(organization=school, division="6A", last_name="Aucun"),
        "username": OrganizationLearnerFactory(
            organization=school,
            division="6A",
            last_name="Ident",
            user=UserFactory(email=None, username="x.ident0101"),
        ),
        "email": OrganizationLearnerFactory(
            organization=school, division="5B", last_name="Courriel", user=UserFactory()
        ),
        "gar": OrganizationLearnerFactory(
            organization=school,
            division="4C",
            last_name="Mediac",
            is_certifiable=True,
            user=UserFactory(),
        ),
        "left": OrganizationLearnerFactory(
            organization=school, division="6A", last_name="Absentix", is_disabled=True
        ),
    }


def test_list_hides_pupils_who_left_unless_asked(as_teacher, classes):
    body = as_teacher.get("/eleves/").content.decode()
    assert "4 élèves" in body and "Absentix" not in body
    body = as_teacher.get("/eleves/", {"partis": "on"}).content.decode()
    assert "5 élèves" in body and "Absentix" in body


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"classe": "6A"}, {"Aucun", "Ident"}),
        ({"classe": ["6A", "4C"]}, {"Aucun", "Ident", "Mediac"}),
        ({"search": "cour"}, {"Courriel"}),
        ({"connexion": "none"}, {"Aucun"}),
        ({"connexion": "username"}, {"Ident"}),
        ({"connexion": "email"}, {"Courriel", "Mediac"}),
        ({"connexion": ["username", "none"]}, {"Aucun", "Ident"}),
        ({"certificabilite": "oui"}, {"Mediac"}),
        ({"certificabilite": "inconnu"}, {"Aucun", "Ident", "Courriel"}),
    ],
)
def test_list_filters(as_teacher, classes, query, expected):
    body = as_teacher.get("/eleves/", query).content.decode()
    shown = {
        p.last_name for p in classes.values() if f'data-learner="{p.national_student_id}"' in body
    }
    assert shown == expected


def test_gar_filter(as_teacher, school):
    account = UserFactory()
    AuthenticationMethod.objects.create(user=account, provider="GAR", external_identifier="SAML-1")
    gar = OrganizationLearnerFactory(organization=school, user=account, last_name="Mediacentre")
    OrganizationLearnerFactory(organization=school, last_name="Autre")
    body = as_teacher.get("/eleves/", {"connexion": "gar"}).content.decode()
    assert "1 élève" in body and gar.national_student_id in body
    assert "Médiacentre" in body


def test_sorts_and_pagination(as_teacher, school):
    for n in range(30):
        OrganizationLearnerFactory(
            organization=school, last_name=f"Nom{n:02d}", division=f"{6 - n % 4}A"
        )
    first_page = as_teacher.get("/eleves/", {"taille": 10}).content.decode()
    assert first_page.count("<tr data-learner=") == 10
    assert first_page.index("Nom00") < first_page.index("Nom01")
    assert "30 élèves" in first_page
    last = as_teacher.get("/eleves/", {"taille": 25, "page": 2}).content.decode()
    assert last.count("<tr data-learner=") == 5
    reverse = as_teacher.get("/eleves/", {"tri": "-nom", "taille": 10}).content.decode()
    assert reverse.index("Nom29") < reverse.index("Nom28")
    by_class = as_teacher.get("/eleves/", {"tri": "classe", "taille": 100}).content.decode()
    assert by_class.index(">3A<") < by_class.index(">6A<")
    assert as_teacher.get("/eleves/", {"taille": 1000}).status_code == 200  # falls back to 25


def test_empty_school_says_to_import(as_teacher):
    body = as_teacher.get("/eleves/").content.decode()
    assert "doit importer la base élèves" in body


def test_htmx_fragment_equals_the_same_part_of_the_page(as_teacher, classes):
    full = as_teacher.get("/eleves/").content.decode()
    fragment = as_teacher.get("/eleves/", headers={"HX-Request": "true"}).content.decode().strip()
    assert fragment.startswith('<div id="learners-table">')
    assert squash(fragment) in squash(full)


def test_list_query_count_is_bounded_and_the_page_fast(as_teacher, school):
    OrganizationLearner.objects.bulk_create(
        OrganizationLearner(
            organization=school,
            national_student_id=f"INE{n:06d}",
            first_name=f"P{n}",
            last_name=f"N{n:05d}",
            division=f"{3 + n % 4}{'ABCDEFG'[n % 7]}",
            birthdate=date(2012, 1, 1),
        )
        for n in range(3000)
    )
    as_teacher.get("/eleves/")  # warm up (templates)
    with CaptureQueriesContext(connection) as queries:
        started = time.perf_counter()
        response = as_teacher.get(
            "/eleves/", {"taille": 100, "classe": ["3A", "4B"], "tri": "classe"}
        )
        elapsed = time.perf_counter() - started
    assert response.status_code == 200
    assert len(queries) <= 10, [q["sql"] for q in queries]
    assert elapsed < 0.5  # the benchmark asks < 150 ms; leave room for a busy CI machine
    # Same count on a page of 100 without filters: nothing is read row by row.
    with CaptureQueriesContext(connection) as unfiltered:
        as_teacher.get("/eleves/", {"taille": 100})
    assert len(unfiltered) == len(queries)


def test_another_school_never_shows(as_teacher, school):
    other = OrganizationFactory()
    foreign = OrganizationLearnerFactory(organization=other)
    assert foreign.national_student_id not in as_teacher.get("/eleves/").content.decode()
    assert as_teacher.get(f"/eleves/{foreign.pk}/").status_code == 404
    assert as_teacher.post(f"/eleves/{foreign.pk}/identifiant/").status_code == 404


def test_schools_not_managing_pupils_have_no_list(client):
    membership = MembershipFactory(
        organization=OrganizationFactory(type="PRO", is_managing_students=False)
    )
    client.force_login(membership.user, backend=BACKEND)
    response = client.get("/eleves/")
    assert response.status_code == 403
    assert "ne gère pas d" in response.content.decode()
    assert "/eleves/" not in client.get("/equipe/membres/").content.decode()


def test_pupil_page_and_gerer_le_compte(as_teacher, school):
    learner = OrganizationLearnerFactory(
        organization=school, first_name="Zoé", last_name="Œhmichen", birthdate=date(2011, 12, 25)
    )
    body = as_teacher.get(f"/eleves/{learner.pk}/").content.decode()
    assert "Œhmichen" in body and "25/12/2011" in body and "Non communiqué" in body
    assert "Ajouter l'identifiant" in body
    response = as_teacher.post(f"/eleves/{learner.pk}/identifiant/")
    body = response.content.decode()
    assert "zoe.oehmichen2512" in body
    password = re.search(r'id="credential-password"><code>([a-z0-9]+)</code>', body).group(1)
    assert re.fullmatch(r"[a-hj-km-np-z]{6}\d{2}", password)
    body = as_teacher.get(f"/eleves/{learner.pk}/").content.decode()
    assert "Réinitialiser le mot de passe" in body and password not in body
    again = as_teacher.post(f"/eleves/{learner.pk}/identifiant/")
    assert again.status_code == 409 and "déjà un identifiant" in again.content.decode()
    reset = as_teacher.post(f"/eleves/{learner.pk}/mot-de-passe/").content.decode()
    assert "Mot de passe à usage unique" in reset


def test_batch_csv_for_a_class(as_teacher, school):
    OrganizationLearnerFactory(
        organization=school,
        division="4A",
        first_name="Léa",
        last_name="Martin",
        birthdate=date(2012, 1, 1),
    )
    OrganizationLearnerFactory(
        organization=school,
        division="4A",
        first_name="Ève",
        last_name="=HYPERLINK",
        birthdate=date(2012, 2, 2),
    )
    OrganizationLearnerFactory(organization=school, division="4A", user=UserFactory())
    OrganizationLearnerFactory(organization=school, division="5B")
    response = as_teacher.post("/eleves/identifiants/", {"classe": "4A"})
    assert response.status_code == 200
    assert re.fullmatch(
        r'attachment; filename="\d{8}_\d{4}_identifiants_eleves\.csv"',
        response["Content-Disposition"],
    )
    raw = response.content
    assert raw.startswith(b"\xef\xbb\xbf")
    lines = raw.decode("utf-8-sig").splitlines()
    assert lines[0] == "division;nom;prénom;identifiant;mot de passe"
    assert len(lines) == 3
    assert lines[1].startswith("4A;'=HYPERLINK;Ève;eve.hyperlink0202;")  # neutralised formula
    assert lines[2].startswith("4A;Martin;Léa;lea.martin0101;")
    # The pupil who signs in by e-mail is reported on the next page.
    assert "adresse e-mail ou par le Médiacentre" in as_teacher.get("/eleves/").content.decode()


def test_batch_for_selected_pupils(as_teacher, school):
    chosen = OrganizationLearnerFactory(organization=school, last_name="Choisi")
    OrganizationLearnerFactory(organization=school, last_name="Oublie")
    lines = (
        as_teacher.post("/eleves/identifiants/", {"eleves": [chosen.pk]})
        .content.decode("utf-8-sig")
        .splitlines()
    )
    assert len(lines) == 2 and "Choisi" in lines[1]
    assert as_teacher.post("/eleves/identifiants/", {}).status_code == 400


def test_import_from_the_page(as_admin, school):
    response = as_admin.post(
        "/eleves/import/",
        {"file": SimpleUploadedFile("ElevesSansAdresses.zip", files.generated_zip(30))},
    )
    learner_import = LearnerImport.objects.get()
    assert response["Location"] == f"/eleves/import/{learner_import.pk}/"
    page = as_admin.get(response["Location"]).content.decode()
    assert "30 nouvel(s) élève(s)" in page and "Effectifs par classe" in page
    fragment = (
        as_admin.get(response["Location"], headers={"HX-Request": "true"}).content.decode().strip()
    )
    assert fragment.startswith('<div id="import-status"')
    assert squash(fragment) in squash(page)
    assert as_admin.post(f"/eleves/import/{learner_import.pk}/confirmer/").status_code == 302
    done = as_admin.get(response["Location"]).content.decode()
    assert "Import terminé" in done and "30 élève(s) ajouté(s)" in done
    history = as_admin.get("/eleves/imports/").content.decode()
    assert "ElevesSansAdresses.zip" in history


def test_a_rejected_file_lists_every_error_on_the_page(as_admin, school):
    from tests.students.files import eleve, siecle, structure

    data = siecle([eleve("1", ine="X", sex=""), eleve("2", ine="X")], [structure("1", ("6A", "D"))])
    response = as_admin.post("/eleves/import/", {"file": SimpleUploadedFile("e.xml", data)})
    page = as_admin.get(response["Location"]).content.decode()
    assert "2 erreurs" in page and "SEX_CODE_REQUIRED" in page and "INE_UNIQUE" in page
    assert "Élève INE X" in page
    assert not OrganizationLearner.objects.exists()


def test_import_form_errors(as_admin, school, settings):
    assert as_admin.post("/eleves/import/", {}).status_code == 400
    settings.OCTETS_IMPORT_MAX_UPLOAD_MB = 1
    response = as_admin.post(
        "/eleves/import/", {"file": SimpleUploadedFile("big.xml", b"<" * (1024 * 1024 + 10))}
    )
    assert response.status_code == 413
    assert "inférieure à 1 Mo" in response.content.decode()


def test_teachers_cannot_import(as_teacher):
    assert as_teacher.get("/eleves/import/").status_code == 403
    assert "Importer" not in as_teacher.get("/eleves/").content.decode().split("<h1>")[1]


def test_a_running_import_page_polls_until_done(as_admin, school):
    running = LearnerImport.objects.create(organization=school, file_name="e.zip")
    page = as_admin.get(f"/eleves/import/{running.pk}/").content.decode()
    assert 'hx-trigger="every 2s"' in page and "se met à jour toute seule" in page
    running.status = LearnerImport.Status.FAILED
    running.errors = [{"code": "INVALID_FILE", "message": "Le fichier n'est pas conforme."}]
    running.save()
    fragment = as_admin.get(
        f"/eleves/import/{running.pk}/", headers={"HX-Request": "true"}
    ).content.decode()
    assert "every 2s" not in fragment and "INVALID_FILE" in fragment


@pytest.mark.parametrize("sort", ["nom", "-nom"])
def test_names_with_accents_and_ligatures_sort_where_a_teacher_expects(as_teacher, school, sort):
    for last_name in ("Zola", "Œuvray", "Abel", "Élodie-Martin", "etienne", "Dupont"):
        OrganizationLearnerFactory(organization=school, last_name=last_name, division="5B")
    body = as_teacher.get("/eleves/", {"tri": sort, "classe": "5B"}).content.decode()
    expected = ["Abel", "Dupont", "Élodie-Martin", "etienne", "Œuvray", "Zola"]
    if sort == "-nom":
        expected.reverse()
    positions = [body.index(f"<td>{name}</td>") for name in expected]
    assert positions == sorted(positions)
