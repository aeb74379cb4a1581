"""The content shipped with Octets (``src/octets/content/source``) builds into a valid release
meeting issue 3: 16 competences, ≥3 tubes each, skills of levels 1–6 in every competence, each
skill playable. The structural requirements apply once the writers have added a competence file.
"""

from collections import defaultdict

from octets.content.sources import SOURCE_DIR, build_release, competence_files
from octets.content.validation import validate_release


def test_shipped_sources_build_a_valid_release():
    release, problems = build_release(SOURCE_DIR)
    assert (SOURCE_DIR / "README.md").exists()  # the format contract with the writers
    if not competence_files(SOURCE_DIR):
        # no competence written yet: only the file list can be checked
        assert [p.message for p in problems if "areas.toml" not in p.message] == []
        assert release["competences"] == []
        return
    assert [p.message for p in problems] == []
    assert [p.message for p in validate_release(release)] == []

    competences = {c["id"]: c["index"] for c in release["competences"]}
    assert sorted(competences.values()) == [
        "1.1", "1.2", "1.3",
        "2.1", "2.2", "2.3", "2.4",
        "3.1", "3.2", "3.3", "3.4",
        "4.1", "4.2", "4.3",
        "5.1", "5.2",
    ]  # fmt: skip
    assert sorted(a["code"] for a in release["areas"]) == ["1", "2", "3", "4", "5"]

    tubes = defaultdict(set)
    for tube in release["tubes"]:
        tubes[competences[tube["competenceId"]]].add(tube["id"])
    levels = defaultdict(set)
    for skill in release["skills"]:
        if skill["status"] == "actif":
            levels[competences[skill["competenceId"]]].add(skill["level"])
    playable = {c["skillId"] for c in release["challenges"] if c["status"] == "validé"}
    for index in competences.values():
        assert len(tubes[index]) >= 3, f"compétence {index} : moins de 3 sujets"
        assert {1, 2, 3, 4, 5, 6} <= levels[index], f"compétence {index} : niveaux {levels[index]}"
    assert [s["id"] for s in release["skills"] if s["id"] not in playable] == []
