"""Storing releases: validation before writing, immutability, idempotency, current content."""

import io
import json

import pytest
from django.core.management import CommandError, call_command

from octets.content import selectors
from octets.content.models import ContentRelease, ImmutableReleaseError
from octets.content.release import release_checksum
from octets.content.services import LoadOutcome, ReleaseRejected, load_release
from octets.content.sources import build_release
from octets.engine.answers import check_answer
from octets.engine.content import (
    BlockType,
    ChallengeStatus,
    ChallengeType,
    SkillStatus,
)
from tests.content.conftest import FIXTURE_SOURCE, entity, found
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def snapshot():
    return list(ContentRelease.objects.order_by("id").values_list("id", "checksum", "is_current"))


def test_round_trip_build_validate_load_and_read_back(release):
    user = UserFactory()
    result = load_release(data=release, loaded_by=user)
    assert result.outcome is LoadOutcome.LOADED
    stored = ContentRelease.objects.get()
    assert stored.is_current and stored.loaded_by == user
    assert stored.version == release["version"]
    assert stored.checksum == release_checksum(release)
    assert stored.data == release
    assert stored.counts()["challenges"] == 7


def test_current_content_maps_the_release_to_engine_dataclasses(release):
    with pytest.raises(selectors.NoContentLoaded, match="octets load-content"):
        selectors.current_content()
    load_release(data=release)
    content = selectors.current_content()
    assert content.version == release["version"]
    assert content.checksum == release_checksum(release)
    assert content.counts() == {
        "areas": 2,
        "competences": 2,
        "thematics": 2,
        "tubes": 3,
        "skills": 6,
        "challenges": 7,
        "tutorials": 1,
    }
    area = content.get("areas", "area_1")
    assert (area.code, area.name, area.competence_ids) == (
        "1",
        "Information et données",
        ("comp_1_1",),
    )
    competence = content.competence_by_index("1.1")
    assert competence.id == "comp_1_1" and competence.area_id == "area_1"
    assert competence.name == "Mener une recherche et une veille d'information"
    tube = content.get("tubes", "tube_1_1_source")
    assert tube.name == "@sourceFiable" and tube.thematic_id == (
        "them_comp_1_1_rechercher_sur_le_web"
    )
    assert content.get("thematics", tube.thematic_id).competence_id == "comp_1_1"
    skill = content.get("skills", "skill_1_1_moteur_1")
    assert (skill.name, skill.level, skill.tube_id, skill.competence_id) == (
        "@moteur1",
        1,
        "tube_1_1_moteur",
        "comp_1_1",
    )
    assert skill.tutorial_ids == ("tuto_1_1_moteur",) and skill.is_active
    assert content.get("skills", "skill_2_1_courriel_4").status is SkillStatus.ARCHIVED
    assert [s.id for s in content.skills_of("comp_2_1")] == [
        "skill_2_1_courriel_1",
        "skill_2_1_courriel_3",
        "skill_2_1_courriel_4",
    ]
    assert content.pix_values["skill_1_1_moteur_1"] == 4
    assert "skill_2_1_courriel_4" not in content.pix_values
    qrocm = content.get("challenges", "chal_1_1_source_1_a")
    assert qrocm.type is ChallengeType.QROCM_IND and qrocm.treatments == ("t1", "t2")
    assert qrocm.blocks == {"auteur": BlockType.INPUT, "date": BlockType.SELECT}
    assert check_answer(qrocm, {"auteur": "La journaliste", "date": "oui"}).result == "ok"
    qroc = content.get("challenges", "chal_1_1_moteur_1_b")
    assert qroc.is_timed and qroc.timer == 60 and qroc.locales == ("fr", "fr-fr")
    assert check_answer(qroc, "Mots clés").result == "ok"
    assert check_answer(content.get("challenges", "chal_2_1_courriel_3_a"), "3.5").result == "ok"
    draft = content.get("challenges", "chal_1_1_source_1_b")
    assert draft.status is ChallengeStatus.PROPOSED
    assert content.get("tutorials", "tuto_1_1_moteur").link == "https://example.org/moteur"
    raw = content.raw["challenges"]["chal_1_1_moteur_1_a"]
    assert raw["solutionToDisplay"] == "Un moteur de recherche indexe les pages web."


def test_current_content_is_cached_by_checksum_and_follows_a_new_release(
    release, django_assert_num_queries
):
    load_release(data=release)
    first = selectors.current_content()
    with django_assert_num_queries(1):
        assert selectors.current_content() is first
    entity(release, "competences", "comp_2_1")["name_i18n"] = {"fr": "Interagir en ligne"}
    release["version"] = "v2"
    load_release(data=release)
    second = selectors.current_content()
    assert second is not first and second.version == "v2"
    assert second.get("competences", "comp_2_1").name == "Interagir en ligne"
    old = ContentRelease.objects.get(version=first.version)
    assert selectors.release_content(old.pk) is first  # the answered content stays readable


def test_loading_the_same_release_again_is_a_no_op(release):
    load_release(data=release)
    before = snapshot()
    # same content with other key order, indentation and entity order: same checksum
    shuffled = json.loads(json.dumps(release, indent=4))
    shuffled = {key: shuffled[key] for key in sorted(shuffled, reverse=True)}
    for kind in ("skills", "challenges"):
        shuffled[kind] = [dict(reversed(item.items())) for item in reversed(shuffled[kind])]
    assert release_checksum(shuffled) == release_checksum(release)
    result = load_release(data=shuffled)
    assert result.outcome is LoadOutcome.UNCHANGED
    assert snapshot() == before


def test_new_release_switches_current_and_old_one_can_be_restored(release):
    first = load_release(data=release).release
    second_data = json.loads(json.dumps(release))
    second_data["version"] = "v2"
    second = load_release(data=second_data).release
    assert list(ContentRelease.objects.filter(is_current=True)) == [second]
    first.refresh_from_db()
    assert not first.is_current and first.data == release  # kept, unchanged
    result = load_release(data=release)
    assert result.outcome is LoadOutcome.RESTORED and result.release.pk == first.pk
    assert ContentRelease.objects.count() == 2
    assert ContentRelease.objects.get(is_current=True).pk == first.pk


def test_a_version_cannot_be_reused_for_other_content(release):
    load_release(data=release)
    before = snapshot()
    entity(release, "skills", "skill_1_1_moteur_1")["hint_i18n"] = {"fr": "Autre conseil"}
    with pytest.raises(ReleaseRejected) as rejected:
        load_release(data=release)
    assert found(rejected.value.problems) == {
        ("version_already_used", "release", release["version"])
    }
    assert snapshot() == before


def test_rejected_release_reports_all_problems_and_writes_nothing(release):
    load_release(data=release)
    before = snapshot()
    broken = json.loads(json.dumps(release))
    broken["version"] = "v-broken"
    entity(broken, "challenges", "chal_1_1_moteur_1_a")["type"] = "QCX"
    entity(broken, "skills", "skill_1_1_moteur_2")["level"] = 12
    entity(broken, "tutorials", "tuto_1_1_moteur")["link"] = "ftp://example.org"
    with pytest.raises(ReleaseRejected) as rejected:
        load_release(data=broken)
    assert found(rejected.value.problems) == {
        ("unknown_challenge_type", "challenges", "chal_1_1_moteur_1_a"),
        ("level_out_of_range", "skills", "skill_1_1_moteur_2"),
        ("bad_tutorial_link", "tutorials", "tuto_1_1_moteur"),
    }
    assert snapshot() == before
    assert selectors.current_content().version == release["version"]


def test_stored_release_is_immutable(release):
    stored = load_release(data=release).release
    stored.data["version"] = "tampered"
    with pytest.raises(ImmutableReleaseError):
        stored.save()
    assert ContentRelease.objects.get().data == release


# --- commands ---------------------------------------------------------------------------------


def write(tmp_path, data, name="release.json"):
    path = tmp_path / name
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return path


def run(*args):
    out, err = io.StringIO(), io.StringIO()
    call_command(*args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_load_content_command_loads_and_prints_counts(tmp_path, release):
    path = write(tmp_path, release)
    out, _ = run("load-content", str(path))
    assert f"Release {release['version']} chargée et mise en service" in out
    assert "2 domaines, 2 compétences, 2 thématiques, 3 sujets, 6 acquis, 7 épreuves" in out
    assert ContentRelease.objects.get().is_current
    out, _ = run("load-content", str(path))
    assert "déjà en service" in out and "rien n'a changé" in out
    assert ContentRelease.objects.count() == 1


def test_load_content_dry_run_writes_nothing(tmp_path, release):
    path = write(tmp_path, release)
    out, _ = run("load-content", str(path), "--dry-run")
    assert "valide, elle serait chargée" in out
    assert ContentRelease.objects.count() == 0
    run("load-content", str(path))
    out, _ = run("load-content", str(path), "--dry-run")
    assert "déjà en service" in out


def test_load_content_command_rejects_with_every_problem(tmp_path, release):
    entity(release, "challenges", "chal_1_1_moteur_2_a")["solution"] = "1,9"
    entity(release, "competences", "comp_2_1")["index"] = "21"
    path = write(tmp_path, release)
    for extra in ([], ["--dry-run"]):
        err = io.StringIO()
        with pytest.raises(CommandError, match="2 problème"):
            call_command("load-content", str(path), *extra, stdout=io.StringIO(), stderr=err)
        assert "Épreuve chal_1_1_moteur_2_a : solution inatteignable" in err.getvalue()
        assert "Compétence comp_2_1 : index « 21 » invalide" in err.getvalue()
    assert ContentRelease.objects.count() == 0


def test_load_content_command_only_reads_json_files(tmp_path):
    with pytest.raises(CommandError, match="est un dossier"):
        run("load-content", str(FIXTURE_SOURCE))
    with pytest.raises(CommandError, match="introuvable"):
        run("load-content", str(tmp_path / "absent.json"))
    bad = tmp_path / "bad.json"
    bad.write_text("{pas du json", encoding="utf-8")
    with pytest.raises(CommandError, match="pas un fichier JSON lisible"):
        run("load-content", str(bad))
    assert ContentRelease.objects.count() == 0


def test_build_then_load_commands_round_trip(tmp_path):
    target = tmp_path / "release.json"
    run("build-content", "--source", str(FIXTURE_SOURCE), "--output", str(target))
    run("load-content", str(target))
    assert selectors.current_content().version == build_release(FIXTURE_SOURCE)[0]["version"]


# --- admin --------------------------------------------------------------------------------------


def test_admin_shows_releases_read_only(client, release):
    stored = load_release(data=release).release
    admin = UserFactory(is_staff=True, is_superuser=True)
    client.force_login(admin)
    listing = client.get("/admin/content/contentrelease/")
    assert listing.status_code == 200 and release["version"] in listing.content.decode()
    detail = client.get(f"/admin/content/contentrelease/{stored.pk}/change/")
    body = detail.content.decode()
    assert detail.status_code == 200 and "compétence : 2" in body
    assert 'name="_save"' not in body
    assert client.get("/admin/content/contentrelease/add/").status_code == 403
    response = client.post(f"/admin/content/contentrelease/{stored.pk}/delete/", {"post": "yes"})
    assert response.status_code == 403
    assert ContentRelease.objects.filter(pk=stored.pk).exists()
