"""octets build-content: TOML sources → deterministic release JSON with derived fields."""

import io
import json
import shutil

import pytest
from django.core.management import CommandError, call_command

from octets.content.release import canonical_json
from octets.content.sources import build_release
from octets.content.validation import validate_release
from tests.content.conftest import FIXTURE_SOURCE, entity


def test_fixture_builds_a_valid_release_with_pix_field_names(release):
    assert validate_release(release) == []
    assert [a["id"] for a in release["areas"]] == ["area_1", "area_2"]
    area = entity(release, "areas", "area_1")
    assert area["name"] == "1. Information et données"
    assert area["title_i18n"] == {"fr": "Information et données"}
    assert area["competenceIds"] == ["comp_1_1"]
    competence = entity(release, "competences", "comp_1_1")
    assert competence["areaId"] == "area_1" and competence["index"] == "1.1"
    assert competence["name_i18n"] == {"fr": "Mener une recherche et une veille d'information"}
    assert competence["skillIds"] == [
        "skill_1_1_moteur_1",
        "skill_1_1_moteur_2",
        "skill_1_1_source_1",
    ]
    assert competence["thematicIds"] == ["them_comp_1_1_rechercher_sur_le_web"]
    thematic = entity(release, "thematics", "them_comp_1_1_rechercher_sur_le_web")
    assert thematic["name_i18n"] == {"fr": "Rechercher sur le web"}
    assert thematic["tubeIds"] == ["tube_1_1_moteur", "tube_1_1_source"]
    tube = entity(release, "tubes", "tube_1_1_moteur")
    assert tube["thematicId"] == thematic["id"] and tube["competenceId"] == "comp_1_1"
    assert tube["skillIds"] == ["skill_1_1_moteur_1", "skill_1_1_moteur_2"]
    skill = entity(release, "skills", "skill_1_1_moteur_1")
    assert skill["name"] == "@moteur1" and skill["level"] == 1 and skill["status"] == "actif"
    assert skill["hint_i18n"] == {"fr": "Pense aux mots-clés."}
    assert skill["tutorialIds"] == ["tuto_1_1_moteur"]
    qroc = entity(release, "challenges", "chal_1_1_moteur_1_b")
    assert qroc["timer"] == 60 and qroc["format"] == "mots" and qroc["status"] == "validé"
    assert qroc["competenceId"] == "comp_1_1" and qroc["skillId"] == "skill_1_1_moteur_1"
    assert qroc["locales"] == ["fr", "fr-fr"]
    qrocm = entity(release, "challenges", "chal_1_1_source_1_a")
    assert (qrocm["t1Status"], qrocm["t2Status"], qrocm["t3Status"]) == (
        "Activé",
        "Activé",
        "Désactivé",
    )
    assert entity(release, "challenges", "chal_1_1_source_1_b")["status"] == "proposé"


def test_pix_value_is_8_divided_by_active_playable_skills_of_the_competence_and_level(release):
    pix = {s["id"]: s["pixValue"] for s in release["skills"]}
    # level 1 of 1.1 has two playable active skills; level 2 one; the archived skill counts 0
    assert pix["skill_1_1_moteur_1"] == pix["skill_1_1_source_1"] == 4
    assert pix["skill_1_1_moteur_2"] == 8
    assert pix["skill_2_1_courriel_1"] == pix["skill_2_1_courriel_3"] == 8
    assert pix["skill_2_1_courriel_4"] == 0


def test_same_sources_give_the_same_bytes_and_version(tmp_path):
    copy_dir = tmp_path / "source"
    shutil.copytree(FIXTURE_SOURCE, copy_dir)
    first, _ = build_release(FIXTURE_SOURCE)
    second, _ = build_release(copy_dir)
    assert canonical_json(first) == canonical_json(second)
    assert first["version"].startswith("src-")
    (copy_dir / "2.1.toml").write_text(
        (copy_dir / "2.1.toml").read_text(encoding="utf-8").replace("Interagir", "Interagir !"),
        encoding="utf-8",
    )
    changed, _ = build_release(copy_dir)
    assert changed["version"] != first["version"]
    assert build_release(FIXTURE_SOURCE, version="2025.1")[0]["version"] == "2025.1"


def test_source_problems_are_all_reported_with_file_and_place(tmp_path):
    source = tmp_path / "source"
    shutil.copytree(FIXTURE_SOURCE, source)
    text = (source / "1.1.toml").read_text(encoding="utf-8")
    text = text.replace('solution = "1,3"', 'solutoin = "1,3"')
    text = text.replace('index = "1.1"', 'index = "1.2"')
    (source / "1.1.toml").write_text(text, encoding="utf-8")
    (source / "2.1.toml").write_text("[competence\nid = 1", encoding="utf-8")
    (source / "notes.toml").write_text("", encoding="utf-8")
    _, problems = build_release(source)
    messages = [p.message for p in problems]
    assert all(p.code == "source_error" and p.entity == "source" for p in problems)
    assert any("1.1.toml" in m and "clé inconnue « solutoin »" in m for m in messages)
    assert any("1.1.toml" in m and "clé obligatoire « solution » manquante" in m for m in messages)
    assert any(
        "1.1.toml" in m and "index « 1.2 » différent du nom du fichier" in m for m in messages
    )
    assert any("2.1.toml" in m and "TOML invalide" in m for m in messages)
    assert any("notes.toml" in m and "nom inattendu" in m for m in messages)
    assert len(problems) == 5


def test_missing_areas_file_and_missing_dir_are_problems(tmp_path):
    _, problems = build_release(tmp_path)
    assert [p.message for p in problems] == ["Fichier areas.toml : fichier manquant."]
    _, problems = build_release(tmp_path / "absent")
    assert len(problems) == 1 and "dossier introuvable" in problems[0].message


def test_wrong_value_types_in_sources_are_reported_by_validation_with_the_entity_id(tmp_path):
    source = tmp_path / "source"
    shutil.copytree(FIXTURE_SOURCE, source)
    text = (source / "2.1.toml").read_text(encoding="utf-8").replace("level = 3", 'level = "3"')
    (source / "2.1.toml").write_text(text, encoding="utf-8")
    release, problems = build_release(source)
    assert problems == []
    messages = [p.message for p in validate_release(release)]
    assert "Acquis skill_2_1_courriel_3 : champ « level » invalide : un entier est attendu." in (
        messages
    )


def run(*args):
    out, err = io.StringIO(), io.StringIO()
    call_command(*args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_command_writes_the_file_or_stdout(tmp_path):
    target = tmp_path / "out" / "release.json"
    out, _ = run("build-content", "--source", str(FIXTURE_SOURCE), "--output", str(target))
    assert "2 domaines, 2 compétences, 2 thématiques, 3 sujets, 6 acquis" in out
    written = target.read_text(encoding="utf-8")
    assert json.loads(written) == build_release(FIXTURE_SOURCE)[0]
    assert "Désactivé" in written  # UTF-8 kept, not \u escapes
    stdout, _ = run("build-content", "--source", str(FIXTURE_SOURCE), "--output", "-")
    assert stdout == written


def test_command_default_output_is_var_content_release_json(tmp_path, settings):
    settings.VAR_DIR = tmp_path / "var"
    run("build-content", "--source", str(FIXTURE_SOURCE), "--release-version", "v1")
    assert json.loads((tmp_path / "var/content/release.json").read_text())["version"] == "v1"


def test_command_fails_with_every_problem_and_writes_nothing(tmp_path):
    source = tmp_path / "source"
    shutil.copytree(FIXTURE_SOURCE, source)
    text = (source / "1.1.toml").read_text(encoding="utf-8")
    text = text.replace('solution = "2"', 'solution = "7"').replace('"QCM"', '"QCX"')
    (source / "1.1.toml").write_text(text, encoding="utf-8")
    target = tmp_path / "release.json"
    err = io.StringIO()
    with pytest.raises(CommandError, match="2 problème"):
        call_command("build-content", "--source", str(source), "--output", str(target), stderr=err)
    assert "Épreuve chal_1_1_moteur_1_a : solution inatteignable" in err.getvalue()
    assert "Épreuve chal_1_1_moteur_2_a : type « QCX » inconnu" in err.getvalue()
    assert not target.exists()
