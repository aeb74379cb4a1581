"""/contenu/fichiers/<index>/<file>: the challenges' files, to signed-in users, safely."""

import hashlib
import tempfile
from pathlib import Path

import pytest
from django.test import Client
from hypothesis import given
from hypothesis import strategies as st

from octets.content.services import load_release
from octets.content.sources import (
    ASSET_NAME,
    ASSETS_DIR,
    COMPETENCE_INDEX,
    asset_files,
    asset_path,
    asset_url,
)
from tests.content.conftest import entity, fixture_release
from tests.factories import UserFactory

SVG = (
    '<svg xmlns="http://www.w3.org/2000/svg" role="img" viewBox="0 0 600 200">'
    '<title>Plan du CDI</title><rect width="600" height="200" fill="#eee"/></svg>'
)
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


@pytest.fixture
def assets(tmp_path, settings):
    folder = tmp_path / "1.1"
    folder.mkdir()
    (folder / "plan-cdi.svg").write_text(SVG, encoding="utf-8")
    (folder / "notes-4e.csv").write_text("élève;note\nA;12\n", encoding="utf-8")
    (folder / "page-test.html").write_text("<!doctype html><p>Bonjour</p>", encoding="utf-8")
    (folder / "photo-exif.png").write_bytes(PNG)
    (folder / "carte.png").write_bytes(PNG)
    (tmp_path / "generators").mkdir()
    (tmp_path / "generators" / "readme.md").write_text("interne", encoding="utf-8")
    (tmp_path / "secret.txt").write_text("hors des dossiers de compétence", encoding="utf-8")
    settings.CONTENT_ASSETS_DIR = tmp_path
    return tmp_path


@pytest.fixture
def pupil(db):
    client = Client()
    client.force_login(UserFactory(), backend="octets.accounts.backends.EmailOrUsernameBackend")
    return client


def test_anonymous_is_sent_to_the_login_page(assets, client):
    response = client.get("/contenu/fichiers/1.1/plan-cdi.svg")
    assert response.status_code == 302
    assert response["Location"] == "/connexion/?next=/contenu/fichiers/1.1/plan-cdi.svg"


def test_an_svg_illustration_is_shown_inline_in_a_sandbox(assets, pupil):
    response = pupil.get("/contenu/fichiers/1.1/plan-cdi.svg")
    assert response.status_code == 200
    assert response.content == SVG.encode()
    assert response["Content-Type"] == "image/svg+xml"
    assert response["Content-Disposition"] == 'inline; filename="plan-cdi.svg"'
    assert response["X-Content-Type-Options"] == "nosniff"
    csp = response["Content-Security-Policy"]
    assert "sandbox" in csp and "default-src 'none'" in csp and "script" not in csp
    assert response["Cache-Control"] == "private, max-age=604800"
    assert response["ETag"] == f'"{hashlib.sha256(SVG.encode()).hexdigest()[:32]}"'


def test_a_known_etag_gets_304_without_body(assets, pupil):
    etag = pupil.get("/contenu/fichiers/1.1/plan-cdi.svg")["ETag"]
    response = pupil.get("/contenu/fichiers/1.1/plan-cdi.svg", headers={"If-None-Match": etag})
    assert response.status_code == 304
    assert response.content == b""
    assert response["ETag"] == etag


@pytest.mark.parametrize(
    ("name", "content_type"),
    [
        ("notes-4e.csv", "text/csv; charset=utf-8"),
        ("page-test.html", "text/html; charset=utf-8"),
    ],
)
def test_non_images_are_downloads(assets, pupil, name, content_type):
    response = pupil.get(f"/contenu/fichiers/1.1/{name}")
    assert response.status_code == 200
    assert response["Content-Type"] == content_type
    assert response["Content-Disposition"] == f'attachment; filename="{name}"'
    assert response["X-Content-Type-Options"] == "nosniff"
    if name.endswith(".html"):
        assert "sandbox" in response["Content-Security-Policy"]
    else:
        assert "Content-Security-Policy" not in response


def test_an_image_listed_as_attachment_in_the_current_release_is_a_download(assets, pupil):
    release = fixture_release()
    challenge = entity(release, "challenges", "chal_1_1_moteur_1_a")
    challenge["attachments"] = ["/contenu/fichiers/1.1/photo-exif.png"]
    load_release(data=release)

    attachment = pupil.get("/contenu/fichiers/1.1/photo-exif.png")
    illustration = pupil.get("/contenu/fichiers/1.1/carte.png")

    assert attachment["Content-Type"] == illustration["Content-Type"] == "image/png"
    assert attachment["Content-Disposition"] == 'attachment; filename="photo-exif.png"'
    assert illustration["Content-Disposition"] == 'inline; filename="carte.png"'
    assert "Content-Security-Policy" not in illustration


@pytest.mark.parametrize(
    "path",
    [
        "/contenu/fichiers/1.1/absent.svg",  # well formed, no such file
        "/contenu/fichiers/1.1/Plan-CDI.svg",  # uppercase
        "/contenu/fichiers/1.1/plan_cdi.svg",  # underscore
        "/contenu/fichiers/1.1/plan-cdi.svg.py",  # extension not allowed
        "/contenu/fichiers/1.1/.plan-cdi.svg",  # hidden file
        "/contenu/fichiers/1.1/..",
        "/contenu/fichiers/1.1/%2e%2e%2fsecret.txt",
        "/contenu/fichiers/1.1/..%2fsecret.txt",
        "/contenu/fichiers/../secret.txt",
        "/contenu/fichiers/1.1/../secret.txt",
        "/contenu/fichiers/generators/readme.md",  # the generators' folder is not served
        "/contenu/fichiers/1.12/plan-cdi.svg",
        "/contenu/fichiers/1.1/sous/plan-cdi.svg",
    ],
)
def test_anything_but_a_well_formed_existing_asset_is_404(assets, pupil, path):
    response = pupil.get(path)
    assert response.status_code == 404
    assert b"Bonjour" not in response.content and b"hors des dossiers" not in response.content


def test_a_symlink_leading_out_of_the_folder_is_not_followed(assets, pupil, tmp_path_factory):
    outside = tmp_path_factory.mktemp("dehors") / "secret.txt"
    outside.write_text("secret", encoding="utf-8")
    (assets / "1.1" / "lien.txt").symlink_to(outside)
    assert pupil.get("/contenu/fichiers/1.1/lien.txt").status_code == 404


def test_writes_are_refused(assets, pupil):
    response = pupil.post("/contenu/fichiers/1.1/plan-cdi.svg")
    assert response.status_code == 405


def test_head_is_allowed(assets, pupil):
    response = pupil.head("/contenu/fichiers/1.1/notes-4e.csv")
    assert response.status_code == 200


def test_the_shipped_assets_are_served_by_default(pupil, settings):
    """Without the setting, the package's own ``content/assets`` folder is served."""
    if hasattr(settings, "CONTENT_ASSETS_DIR"):
        del settings.CONTENT_ASSETS_DIR
    shipped = [(f, n) for f, n in asset_files(ASSETS_DIR) if COMPETENCE_INDEX.match(f)]
    for folder, name in shipped:
        response = pupil.get(asset_url(folder, name))
        assert response.status_code == 200, f"{folder}/{name}"
        assert response.content == (ASSETS_DIR / folder / name).read_bytes()
    assert pupil.get("/contenu/fichiers/1.1/aucun-fichier-de-ce-nom.svg").status_code == 404
    assert pupil.get("/contenu/fichiers/generators/readme.md").status_code == 404


# --- asset_path: the only gate between a URL and the file system ---------------------------------

_ROOT = Path(tempfile.mkdtemp(prefix="octets-assets-"))

_piece = st.lists(
    st.sampled_from([*"abcz09-._/\\%~é\x00", "..", "1.1", "١.١", ".svg", "/etc/passwd"]), max_size=8
).map("".join)


@given(index=_piece, name=_piece)
def test_asset_path_never_leaves_its_folder(index, name):
    path = asset_path(_ROOT, index, name)
    if path is not None:
        assert path.parent == _ROOT.resolve() / index
        assert path.name == name
        assert ASSET_NAME.match(name)
        assert ".." not in path.parts


@given(
    word=st.lists(st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789", min_size=1), min_size=1),
    extension=st.sampled_from(["svg", "png", "jpg", "csv", "txt", "html", "json", "md", "pdf"]),
)
def test_asset_path_accepts_every_well_formed_name(word, extension):
    name = "-".join(word) + "." + extension
    assert asset_path(_ROOT, "3.2", name) == _ROOT.resolve() / "3.2" / name
