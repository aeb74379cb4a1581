"""The pupils journey of Octets Orga, in a browser: the admin imports the SIECLE zip as SIECLE
gives it, reads the preview, confirms, browses the list, and prints the logins of a class.
Every page state reached is checked with axe (see conftest.py)."""

import re
from pathlib import Path

from playwright.sync_api import expect

from octets.students import generator
from octets.students.models import OrganizationLearner
from tests.e2e.support import url_path
from tests.factories import PASSWORD


def test_admin_imports_siecle_then_prints_the_logins_of_a_class(
    page, visit, login_as, axe, live_server, school, admin, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path / "media"
    export = tmp_path / "ElevesSansAdresses.zip"
    export.write_bytes(generator.siecle_zip(uai=school.external_id, count=60))

    login_as(page, admin, PASSWORD)
    with axe.navigating(page):
        page.get_by_role("navigation", name="Menu principal").get_by_role(
            "link", name="Élèves"
        ).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Élèves")
    expect(page.get_by_text("doit importer la base élèves")).to_be_visible()

    # Import: the zip as downloaded from SIECLE.
    with axe.navigating(page):
        page.get_by_role("link", name="Importer", exact=True).click()
    page.get_by_label("Fichier à importer").set_input_files(str(export))
    with axe.navigating(page):
        page.get_by_role("button", name="Vérifier le fichier").click()

    # The preview says what will happen, class by class; nothing is written yet.
    expect(page).to_have_url(re.compile(r"/eleves/import/\d+/$"))
    summary = page.locator("#import-summary")
    expect(summary).to_contain_text("60 élève(s) dans le fichier")
    expect(summary).to_contain_text("60 nouvel(s) élève(s)")
    per_class = page.get_by_role("table", name="Effectifs par classe")
    expect(per_class.get_by_role("row").filter(has_text="6A")).to_be_visible()
    assert not OrganizationLearner.objects.exists()
    with axe.navigating(page):
        page.get_by_role("button", name="Confirmer l'import").click()
    expect(page.get_by_role("status").filter(has_text="Import terminé")).to_contain_text(
        "60 élève(s) ajouté(s)"
    )

    # The list, filtered by class outside the table.
    with axe.navigating(page):
        page.get_by_role("link", name="Voir la liste des élèves").click()
    expect(page).to_have_url(url_path(live_server, "/eleves/"))
    expect(page.locator("#learners-count")).to_have_text("60 élèves")
    page.get_by_label("Classes").select_option("6A")
    in_6a = OrganizationLearner.objects.filter(division="6A").count()
    expect(page.locator("#learners-count")).to_have_text(f"{in_6a} élèves")
    axe.check(page)

    # Logins for the whole class, as a CSV to print.
    page.get_by_label("Générer les identifiants et mots de passe d'une classe").select_option("6A")
    with page.expect_download() as download_info:
        page.get_by_role("button", name="Générer pour la classe").click()
    download = download_info.value
    assert re.fullmatch(r"\d{8}_\d{4}_identifiants_eleves\.csv", download.suggested_filename)
    raw = Path(download.path()).read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    lines = raw.decode("utf-8-sig").splitlines()
    assert lines[0] == "division;nom;prénom;identifiant;mot de passe"
    assert len(lines) == 1 + in_6a
    division, _last_name, _first_name, username, password = lines[1].split(";")
    assert division == "6A"
    assert re.fullmatch(r"[a-z0-9]+\.[a-z0-9]+\d{4}", username)
    assert re.fullmatch(r"[a-hj-km-np-z]{6}\d{2}", password)
    assert OrganizationLearner.objects.filter(division="6A", user__isnull=False).count() == in_6a

    # One pupil's page: "Gérer le compte" shows the username just created.
    learner = OrganizationLearner.objects.filter(division="6A").order_by("last_name").first()
    visit(page, f"/eleves/{learner.pk}/")
    expect(page.get_by_role("heading", level=2, name="Gérer le compte")).to_be_visible()
    expect(page.locator("#learner-username")).to_have_text(learner.user.username)
    with axe.navigating(page):
        page.get_by_role("button", name="Réinitialiser le mot de passe").click()
    expect(page.locator("#credential-password")).to_have_text(
        re.compile(r"^[a-hj-km-np-z]{6}\d{2}$")
    )

    # The import history lists the import with its counts.
    visit(page, "/eleves/imports/")
    history = page.get_by_role("table", name="Imports de la base élèves")
    expect(history.get_by_role("row").filter(has_text="ElevesSansAdresses.zip")).to_contain_text(
        "Importé"
    )
