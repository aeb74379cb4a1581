"""The content report: counts and gates of a release, answer statistics, the command, the page."""

import io
import json
from datetime import datetime, timedelta

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from octets.assessments import services
from octets.assessments.models import Answer, Assessment
from octets.content import selectors as content_selectors
from octets.content.models import ContentRelease
from octets.content.report import (
    MAX_SECONDS,
    answer_durations,
    answer_statistics,
    build_report,
    release_report,
    weak_reasons,
)
from octets.content.services import load_release
from octets.engine.answers import SKIPPED_VALUE
from tests.assessments.conftest import right_answer
from tests.content.conftest import FIXTURE_SOURCE, entity, fixture_release
from tests.factories import UserFactory

# --- release_report (no database) ---------------------------------------------------------------


def test_release_report_counts_validated_challenges_per_competence_level_and_type(release):
    report = release_report(release)
    totals = report["totals"]
    assert totals["competences"] == 2
    assert totals["challenges"] == len(release["challenges"])
    assert totals["validatedChallenges"] == sum(
        1 for c in release["challenges"] if c["status"] == "validé"
    )
    row = next(r for r in report["competences"] if r["index"] == "1.1")
    assert row["byLevelType"]["1"]["QCU"] == 1 and row["byLevelType"]["1"]["QROC"] == 1
    assert row["byLevelType"]["2"]["QCM"] == 1
    assert row["byLevel"]["1"] == sum(row["byLevelType"]["1"].values())
    assert row["challenges"] == sum(row["byType"].values()) == sum(row["byLevel"].values())
    assert row["timed"] == 1  # chal_1_1_moteur_1_b has a 60 s timer
    assert totals["timed"] == sum(r["timed"] for r in report["competences"])


def test_release_report_lists_thin_skills_and_tubes_without_review(release):
    report = release_report(release)
    below = {row["id"]: row["challenges"] for row in report["skillsBelowMinimum"]}
    assert below["skill_1_1_moteur_2"] == 1
    assert "skill_1_1_moteur_1" not in below  # two validated challenges
    assert {row["id"] for row in report["skillsWithoutTutorial"]} >= {"skill_1_1_source_1"}
    assert {row["id"] for row in report["tubesWithoutReview"]} == {
        t["id"] for t in release["tubes"]
    }
    gates = {gate["label"]: gate for gate in report["gates"]}
    assert gates["Compétences"] == {
        "label": "Compétences",
        "value": 2,
        "target": "= 16",
        "ok": False,
    }
    assert not gates["Épreuves validées"]["ok"]


def test_release_report_counts_assets(release):
    challenge = entity(release, "challenges", "chal_1_1_moteur_1_a")
    challenge["attachments"] = ["/contenu/fichiers/1.1/a.csv", "/contenu/fichiers/1.1/b.txt"]
    challenge["illustrationUrl"] = "/contenu/fichiers/1.1/c.svg"
    entity(release, "challenges", "chal_1_1_moteur_2_a")["attachments"] = [
        "/contenu/fichiers/1.1/a.csv"
    ]
    totals = release_report(release)["totals"]
    assert (totals["attachments"], totals["attachmentFiles"], totals["illustrations"]) == (2, 2, 1)


# --- answer statistics --------------------------------------------------------------------------


@given(
    start=st.datetimes(max_value=datetime(2100, 1, 1)),
    gaps=st.lists(st.integers(min_value=0, max_value=MAX_SECONDS), min_size=1, max_size=20),
)
def test_durations_of_one_assessment_add_up_to_its_length(start, gaps):
    times, at = [], start
    for gap in gaps:
        at += timedelta(seconds=gap)
        times.append(at)
    durations = answer_durations([(1, start, t) for t in times])
    assert durations == [float(g) for g in gaps]
    assert sum(durations) == (times[-1] - start).total_seconds()


@given(
    gaps=st.lists(st.integers(min_value=-100, max_value=5000), min_size=1, max_size=20),
    split=st.integers(min_value=0, max_value=20),
)
def test_durations_restart_with_each_assessment_and_stay_within_bounds(gaps, split):
    start = timezone.now()
    rows, at = [], start
    for n, gap in enumerate(gaps):
        key = 1 if n < split else 2
        if n == split:
            at = start
        at += timedelta(seconds=gap)
        rows.append((key, start, at))
    durations = answer_durations(rows)
    assert len(durations) == len(rows)
    assert all(0 <= d <= MAX_SECONDS for d in durations)
    if split < len(gaps):
        assert durations[split] == min(max(gaps[split], 0), MAX_SECONDS)


@pytest.mark.parametrize(
    ("answers", "success", "skip", "weak"),
    [
        (19, 0.0, 1.0, []),  # too few answers to judge
        (20, 0.15, 0.0, ["réussite 15 % < 20 %"]),
        (20, 0.5, 0.35, ["passée 35 % > 30 %"]),
        (40, 0.2, 0.3, []),  # on the thresholds: not weak
        (25, 0.04, 0.6, ["réussite 4 % < 20 %", "passée 60 % > 30 %"]),
    ],
)
def test_weak_reasons(answers, success, skip, weak):
    assert weak_reasons(answers, success, skip) == weak


@pytest.fixture
def content(db):
    load_release(data=fixture_release())
    return content_selectors.current_content()


def _answer_rows(challenge_id, results, *, release, start=None):
    """One assessment per answer (a pupil each), answered 40 s after it started."""
    start = start or timezone.now() - timedelta(hours=1)
    for value, result in results:
        assessment = Assessment.objects.create(
            user=UserFactory(), competence_id="comp_1_1", content_release=release, created_at=start
        )
        Answer.objects.create(
            assessment=assessment,
            challenge_id=challenge_id,
            value=value,
            result=result,
            created_at=start + timedelta(seconds=40),
        )


def test_statistics_of_answers_given_through_the_assessment_services(content):
    user = UserFactory()
    assessment = services.start_assessment(user=user, competence_index="1.1")
    first = services.next_challenge(assessment=assessment)
    services.submit_answer(assessment=assessment, challenge_id=first.id, value=right_answer(first))
    second = services.next_challenge(assessment=assessment)
    services.submit_answer(assessment=assessment, challenge_id=second.id, value=SKIPPED_VALUE)
    # place the answers 30 s and 90 s after the start: the time proxy is 30 s, then 60 s
    start = Assessment.objects.get(pk=assessment.pk).created_at
    Answer.objects.filter(challenge_id=first.id).update(created_at=start + timedelta(seconds=30))
    Answer.objects.filter(challenge_id=second.id).update(created_at=start + timedelta(seconds=90))

    stats = answer_statistics()

    assert stats[first.id] == {
        "answers": 1,
        "successRate": 1.0,
        "skipRate": 0.0,
        "averageSeconds": 30.0,
        "medianSeconds": 30.0,
        "weak": [],
    }
    assert stats[second.id]["skipRate"] == 1.0 and stats[second.id]["successRate"] == 0.0
    assert stats[second.id]["averageSeconds"] == 60.0
    assert answer_statistics([first.id]).keys() == {first.id}


def test_weak_challenges_are_flagged_with_enough_answers(content):
    release = ContentRelease.objects.get(is_current=True)
    _answer_rows("chal_1_1_moteur_1_a", [("1", "ko")] * 17 + [("2", "ok")] * 3, release=release)
    _answer_rows(
        "chal_1_1_moteur_2_a",
        [(SKIPPED_VALUE, "aband")] * 7 + [("1,3", "ok")] * 13,
        release=release,
    )
    _answer_rows("chal_1_1_moteur_1_b", [("x", "ko")] * 19, release=release)

    report = build_report()

    stats = {row["id"]: row for row in report["statistics"]["challenges"]}
    assert stats["chal_1_1_moteur_1_a"]["weak"] == ["réussite 15 % < 20 %"]
    assert stats["chal_1_1_moteur_2_a"]["weak"] == ["passée 35 % > 30 %"]
    assert stats["chal_1_1_moteur_1_b"]["weak"] == []  # 19 answers: not enough to judge
    assert stats["chal_1_1_moteur_1_a"]["averageSeconds"] == 40.0
    assert stats["chal_1_1_moteur_1_a"]["competence"] == "1.1"
    assert stats["chal_1_1_moteur_1_a"]["skill"] == "@moteur1"
    assert [row["id"] for row in report["statistics"]["weak"]] == [
        "chal_1_1_moteur_1_a",
        "chal_1_1_moteur_2_a",
    ]
    assert report["statistics"]["answers"] == 59
    assert report["origin"].startswith("release en service")


def test_answers_to_challenges_outside_the_release_are_left_out(content):
    release = ContentRelease.objects.get(is_current=True)
    _answer_rows("chal_disparue", [("1", "ok")], release=release)
    assert build_report()["statistics"]["answers"] == 0


# --- the command --------------------------------------------------------------------------------


def _run(*args) -> str:
    out = io.StringIO()
    call_command("content-report", *args, stdout=out)
    return out.getvalue()


def test_command_json_has_the_report_of_the_current_release(content):
    release = ContentRelease.objects.get(is_current=True)
    _answer_rows("chal_1_1_moteur_1_a", [("2", "ok")] * 20, release=release)
    data = json.loads(_run("--json"))
    assert data["version"] == release.version
    assert data["totals"]["competences"] == 2
    assert {row["index"] for row in data["competences"]} == {"1.1", "2.1"}
    assert data["statistics"]["answers"] == 20
    assert data["statistics"]["weak"] == []


def test_command_table_shows_counts_gates_and_weak_challenges(content):
    release = ContentRelease.objects.get(is_current=True)
    _answer_rows("chal_1_1_moteur_1_a", [("1", "ko")] * 20, release=release)
    text = _run("--detail")
    assert "Épreuves validées par compétence, niveau et type" in text
    assert "Compétence 1.1 — Mener une recherche et une veille d'information" in text
    assert "[NON] Compétences : 2 (attendu = 16)" in text
    assert "Acquis avec moins de 2 épreuves validées" in text
    assert "Épreuves fragiles" in text and "chal_1_1_moteur_1_a" in text
    assert "réussite 0 % < 20 %" in text
    assert "Temps estimé" in text


def test_command_reads_sources_when_asked_or_when_nothing_is_loaded(db):
    text = _run("--source", str(FIXTURE_SOURCE))
    assert "fichiers sources TOML" in text
    data = json.loads(_run("--json"))  # no release loaded: the shipped sources
    assert data["origin"] == "fichiers sources TOML (aucune release en service)"
    assert data["statistics"]["answers"] == 0


def test_command_check_fails_while_a_gate_is_not_met(content):
    with pytest.raises(CommandError, match=r"barrière\(s\) non atteinte\(s\)"):
        _run("--check")


def test_command_refuses_a_missing_source_folder(db, tmp_path):
    with pytest.raises(CommandError, match="Dossier source introuvable"):
        _run("--source", str(tmp_path / "absent"))


# --- the operator's page ------------------------------------------------------------------------


def _client(user) -> Client:
    client = Client()
    client.force_login(user, backend="octets.accounts.backends.EmailOrUsernameBackend")
    return client


def test_page_shows_the_report_to_platform_operators(content):
    release = ContentRelease.objects.get(is_current=True)
    _answer_rows("chal_1_1_moteur_1_a", [("1", "ko")] * 20, release=release)
    response = _client(UserFactory(is_staff=True)).get("/plateforme/contenu/")
    assert response.status_code == 200
    page = response.content.decode()
    for marker in ('id="content-gates"', 'id="content-matrix"', 'id="content-weak"'):
        assert marker in page
    assert 'data-challenge="chal_1_1_moteur_1_a"' in page
    assert "@moteur2" in page  # a skill with a single validated challenge
    assert "non atteint" in page


@pytest.mark.parametrize("persona", ["pupil", "anonymous"])
def test_page_is_for_operators_only(content, persona):
    if persona == "anonymous":
        response = Client().get("/plateforme/contenu/")
        assert response.status_code == 302
        assert response["Location"] == "/connexion/?next=/plateforme/contenu/"
    else:
        assert _client(UserFactory()).get("/plateforme/contenu/").status_code == 403
