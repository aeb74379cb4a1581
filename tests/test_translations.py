"""The English catalogue is complete, compiled, and used when English is chosen."""

import re
from pathlib import Path

import pytest

import octets

CATALOGUE = Path(octets.__file__).parent / "locale" / "en" / "LC_MESSAGES"


def po_entries(text: str):
    """(msgid, [msgstr…], fuzzy) for each entry of a .po file (header excluded)."""
    for block in text.split("\n\n"):
        ids = re.findall(r'^msgid "(.*)"((?:\n".*")*)', block, re.M)
        if not ids:
            continue
        msgid = ids[0][0] + "".join(re.findall(r'"(.*)"', ids[0][1]))
        strs = [
            "".join([m[0], *re.findall(r'"(.*)"', m[1])])
            for m in re.findall(r'^msgstr(?:\[\d\])? "(.*)"((?:\n".*")*)', block, re.M)
        ]
        if msgid:
            yield msgid, strs, "#, fuzzy" in block


def test_every_french_string_has_an_english_translation():
    entries = list(po_entries((CATALOGUE / "django.po").read_text(encoding="utf-8")))
    assert len(entries) > 150
    missing = [msgid for msgid, strs, fuzzy in entries if fuzzy or not all(strs)]
    assert missing == []


@pytest.mark.django_db
def test_pages_are_in_english_when_chosen(client):
    client.post("/i18n/setlang/", {"language": "en", "next": "/connexion/"})
    body = client.get("/connexion/").content.decode()
    assert 'lang="en"' in body and "Log in to Octets" in body
    client.post("/i18n/setlang/", {"language": "fr", "next": "/connexion/"})
    assert "Connexion à Octets" in client.get("/connexion/").content.decode()


@pytest.mark.django_db
def test_french_is_the_default_even_for_an_english_browser(client):
    body = client.get("/connexion/", headers={"Accept-Language": "en-US,en;q=0.9"}).content.decode()
    assert 'lang="fr"' in body and "Connexion à Octets" in body
