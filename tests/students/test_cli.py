"""octets import-learners and octets generate-siecle."""

import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from octets.students.models import LearnerImport, OrganizationLearner
from tests.students import files

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def run(*args):
    from io import StringIO

    out = StringIO()
    code = 0
    try:
        call_command("import-learners", *args, stdout=out)
    except SystemExit as exc:
        code = exc.code
    return code, out.getvalue()


def test_generate_then_import(school, tmp_path):
    path = tmp_path / "ElevesSansAdresses.zip"
    call_command("generate-siecle", "--uai", "0750001A", "--pupils", "50", str(path))
    code, out = run("--uai", "0750001A", str(path), "--dry-run")
    assert code == 0
    assert "nouveaux : 50" in out and "rien n'a été écrit" in out
    assert not OrganizationLearner.objects.exists()
    code, out = run("--uai", "0750001a", str(path))
    assert code == 0 and "50 ajoutés" in out
    assert OrganizationLearner.objects.filter(organization=school).count() == 50
    code, out = run("--uai", "0750001A", str(path), "--json")
    summary = json.loads(out)
    assert (summary["status"], summary["updated"], summary["added"]) == ("imported", 50, 0)
    assert LearnerImport.objects.filter(status="imported").count() == 2


@pytest.mark.parametrize("fmt", ["xml", "csv"])
def test_generated_formats_import(school, tmp_path, fmt):
    path = tmp_path / f"eleves.{fmt}"
    call_command(
        "generate-siecle",
        "--uai",
        "0750001A",
        "--pupils",
        "20",
        "--format",
        fmt,
        "--encoding",
        "utf-8",
        str(path),
    )
    code, out = run("--uai", "0750001A", str(path), "--json")
    assert code == 0, out
    assert json.loads(out)["added"] == 20


def test_rejected_file_exits_non_zero_with_codes(school, write_file):
    from tests.students.files import eleve, siecle, structure

    path = write_file(
        siecle([eleve("1", ine="X", sex=""), eleve("2", ine="X")], [structure("1", ("6A", "D"))])
    )
    code, out = run("--uai", "0750001A", str(path))
    assert code == 1
    assert "INE_UNIQUE: Élève INE X" in out and "SEX_CODE_REQUIRED" in out
    code, out = run(
        "--uai", "0750001A", str(write_file(files.two_pupils(uai="0750009Z"))), "--json"
    )
    assert code == 1
    assert json.loads(out)["errors"][0]["code"] == "UAI_MISMATCHED"
    assert not OrganizationLearner.objects.exists()


def test_unknown_school_or_file(school, tmp_path):
    with pytest.raises(CommandError, match="Aucun établissement"):
        call_command("import-learners", "--uai", "0999999Z", __file__)
    with pytest.raises(CommandError, match="introuvable"):
        call_command("import-learners", "--uai", "0750001A", str(tmp_path / "absent.zip"))


def test_generated_file_has_realistic_size(tmp_path):
    path = tmp_path / "big.xml"
    call_command(
        "generate-siecle", "--uai", "0750001A", "--pupils", "1000", "--format", "xml", str(path)
    )
    size_mb = path.stat().st_size / 1e6
    assert 1.5 < size_mb < 2.1  # ≈ 8–10 MB for 5,000 pupils, like real exports
    assert path.read_bytes().startswith(b'<?xml version="1.0" encoding="ISO-8859-15"?>')


def test_an_empty_file_is_refused_with_json_like_any_other(school, tmp_path):
    path = tmp_path / "vide.xml"
    path.write_bytes(b"")
    code, out = run("--uai", "0750001A", str(path), "--json")
    assert code == 1
    summary = json.loads(out)
    assert summary["status"] == "failed"
    assert [error["code"] for error in summary["errors"]] == ["EMPTY_FILE"]
    assert not OrganizationLearner.objects.exists()
