"""Issue 6 source keys: tube ``review``, skill ``learning_more``, challenge ``illustration``,
``illustration_alt`` and ``attachments`` (files of ``assets/<index>/``)."""

import re
import shutil

import pytest

from octets.content.sources import build_release, unused_assets
from octets.content.validation import validate_release
from tests.content.conftest import FIXTURE_SOURCE, entity, found

ANCHOR_CHALLENGE = 'solution_to_display = "Un moteur de recherche indexe les pages web."\n'
ANCHOR_SKILL = 'hint = "Pense aux mots-clés."\n'
ANCHOR_TUBE = 'description = "Formuler une requête."\n'


@pytest.fixture
def source(tmp_path):
    """A copy of the fixture sources with ``assets/1.1/`` next to it; ``write`` adds keys."""
    shutil.copytree(FIXTURE_SOURCE, tmp_path / "source")
    folder = tmp_path / "assets" / "1.1"
    folder.mkdir(parents=True)
    (folder / "resultats-moteur.svg").write_text("<svg/>", encoding="utf-8")
    (folder / "notes-4e.csv").write_text("a;b\n", encoding="utf-8")
    (folder / "liste-sites.txt").write_text("x\n", encoding="utf-8")

    def write(*, challenge: str = "", skill: str = "", tube: str = ""):
        path = tmp_path / "source" / "1.1.toml"
        text = path.read_text(encoding="utf-8")
        for anchor, extra in ((ANCHOR_CHALLENGE, challenge), (ANCHOR_SKILL, skill),
                              (ANCHOR_TUBE, tube)):  # fmt: skip
            assert text.count(anchor) == 1
            text = text.replace(anchor, anchor + extra)
        path.write_text(text, encoding="utf-8")
        return build_release(tmp_path / "source")

    write.assets = tmp_path / "assets"
    return write


def messages(problems) -> str:
    return "\n".join(p.message for p in problems)


def test_new_keys_land_in_the_release(source):
    release, problems = source(
        challenge='illustration = "resultats-moteur.svg"\n'
        'illustration_alt = "Page de résultats : trois liens, le deuxième est une publicité."\n'
        'attachments = ["notes-4e.csv", "liste-sites.txt"]\n',
        skill='learning_more = ["tuto_1_1_moteur"]\n',
        tube='review = "Niveau 1 : reconnaître un moteur ; niveau 2 : choisir ses mots-clés."\n',
    )
    assert problems == []
    assert validate_release(release) == []
    challenge = entity(release, "challenges", "chal_1_1_moteur_1_a")
    assert challenge["illustrationUrl"] == "/contenu/fichiers/1.1/resultats-moteur.svg"
    assert challenge["illustrationAlt"].startswith("Page de résultats")
    assert challenge["attachments"] == [
        "/contenu/fichiers/1.1/notes-4e.csv",
        "/contenu/fichiers/1.1/liste-sites.txt",
    ]
    skill = entity(release, "skills", "skill_1_1_moteur_1")
    assert skill["learningMoreTutorialIds"] == ["tuto_1_1_moteur"]
    tube = entity(release, "tubes", "tube_1_1_moteur")
    assert tube["reviewNote"].startswith("Niveau 1")
    assert entity(release, "tubes", "tube_1_1_source")["reviewNote"] == ""
    untouched = entity(release, "challenges", "chal_1_1_moteur_1_b")
    assert (untouched["illustrationUrl"], untouched["attachments"]) == ("", [])


@pytest.mark.parametrize(
    ("challenge", "expected"),
    [
        ('attachments = ["absent.csv"]\n', "fichier « absent.csv » introuvable dans assets/1.1/"),
        ('attachments = ["Notes-4e.csv"]\n', "nom de fichier « Notes-4e.csv » invalide"),
        ('attachments = ["notes 4e.csv"]\n', "nom de fichier « notes 4e.csv » invalide"),
        ('attachments = ["élèves.csv"]\n', "nom de fichier « élèves.csv » invalide"),
        ('attachments = ["../1.1/notes-4e.csv"]\n', "invalide"),
        ('attachments = ["notes-4e.exe"]\n', "nom de fichier « notes-4e.exe » invalide"),
        ('attachments = "notes-4e.csv"\n', "« attachments » doit être une liste"),
        ('attachments = ["notes-4e.csv", "notes-4e.csv"]\n', "listé plusieurs fois"),
        (
            'illustration = "notes-4e.csv"\nillustration_alt = "Un tableau de notes."\n',
            "« notes-4e.csv » n'est pas une image",
        ),
        ('illustration = "resultats-moteur.svg"\n', "« illustration_alt » manquant"),
        (
            'illustration = "resultats-moteur.svg"\nillustration_alt = "  "\n',
            "« illustration_alt » manquant",
        ),
        ('illustration_alt = "Une image."\n', "« illustration_alt » sans « illustration »"),
        ("illustration = 3\n", "« illustration » doit être un nom de fichier"),
        ('ilustration = "resultats-moteur.svg"\n', "clé inconnue « ilustration »"),
    ],
)
def test_asset_mistakes_are_source_problems_with_their_location(source, challenge, expected):
    _release, problems = source(challenge=challenge)
    text = messages(problems)
    assert expected in text
    assert "Fichier 1.1.toml, tubes[0].skills[0].challenges[0]" in text
    assert {p.code for p in problems} == {"source_error"}


def test_an_unknown_learning_more_tutorial_is_a_source_problem(source):
    _release, problems = source(skill='learning_more = ["tuto_inexistant"]\n')
    assert (
        "Fichier 1.1.toml, tubes[0].skills[0] : « learning_more » : tutoriel « tuto_inexistant » "
        "inconnu"
    ) in messages(problems)


def test_an_unknown_tutorial_is_a_source_problem(source):
    path = source.assets.parent / "source" / "1.1.toml"
    text = path.read_text(encoding="utf-8")
    anchor = 'tutorials = ["tuto_1_1_moteur"]\n'
    path.write_text(text.replace(anchor, 'tutorials = ["tuto_inexistant"]\n', 1), encoding="utf-8")
    _release, problems = source()
    assert (
        "Fichier 1.1.toml, tubes[0].skills[0] : « tutorials » : tutoriel « tuto_inexistant » "
        "inconnu"
    ) in messages(problems)


def test_unused_assets_are_listed_but_not_the_generators(source):
    release, problems = source(challenge='attachments = ["notes-4e.csv"]\n')
    assert problems == []
    generators = source.assets / "generators"
    generators.mkdir()
    (generators / "photo.py").write_text("print()", encoding="utf-8")
    (source.assets / "perdu.txt").write_text("?", encoding="utf-8")
    assert unused_assets(release, source.assets) == [
        "./perdu.txt",
        "1.1/liste-sites.txt",
        "1.1/resultats-moteur.svg",
    ]


def test_validation_requires_an_alt_text_with_an_illustration(release):
    challenge = entity(release, "challenges", "chal_1_1_moteur_1_a")
    challenge["illustrationUrl"] = "/contenu/fichiers/1.1/plan.svg"
    assert found(validate_release(release)) == {
        ("missing_illustration_alt", "challenges", "chal_1_1_moteur_1_a")
    }
    challenge["illustrationAlt"] = "Plan du collège : le CDI est au premier étage."
    assert validate_release(release) == []


@pytest.mark.parametrize(
    "url",
    [
        "/contenu/fichiers/1.1/../secret.txt",
        "/contenu/fichiers/1.1/Plan.svg",
        "/autre/plan.svg",
        "javascript:alert(1)",
        "plan.svg",
    ],
)
def test_validation_refuses_asset_urls_that_are_not_ours_or_http(release, url):
    challenge = entity(release, "challenges", "chal_1_1_moteur_1_a")
    challenge["attachments"] = [url]
    problems = validate_release(release)
    assert found(problems) == {("bad_asset_url", "challenges", "chal_1_1_moteur_1_a")}
    assert url in problems[0].message


def test_validation_accepts_http_asset_urls_of_imported_releases(release):
    challenge = entity(release, "challenges", "chal_1_1_moteur_1_a")
    challenge["illustrationUrl"] = "https://images.example.org/plan.png"
    challenge["illustrationAlt"] = "Plan."
    challenge["attachments"] = ["https://fichiers.example.org/notes.ods"]
    assert validate_release(release) == []


def test_the_writers_contract_documents_every_key():
    from octets.content.sources import KEYS, SOURCE_DIR

    readme = (SOURCE_DIR / "README.md").read_text(encoding="utf-8")
    keys = {key for spec in KEYS.values() for key in spec.required | spec.optional}
    documented = re.compile(r"^\s*(?:\[\[?(?:\w+\.)*(\w+)\]\]?|(\w+) = )", re.M)
    found = {a or b for a, b in documented.findall(readme)}
    assert sorted(keys - found) == []
