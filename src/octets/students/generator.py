"""Realistic fake SIECLE exports (``ElevesSansAdresses.xml``, zipped or not) and CSV templates.

Used by ``octets generate-siecle``, the tests and the benchmarks. The XML has what real exports
carry besides what Octets reads (options, last year's school, nomenclatures), so that a file of
5,000 pupils weighs what a real one does (≈ 9 MB). Names come from a small list with accents,
hyphens and ``œ`` so that encodings are exercised. Deterministic for a given seed.
"""

import io
import random
import zipfile
from dataclasses import dataclass
from datetime import date, timedelta
from xml.sax.saxutils import escape

FIRST_NAMES = (
    "Chloé",
    "Zoé",
    "Léa",
    "Inès",
    "Maëlys",
    "Anaïs",
    "Héloïse",
    "Noémie",
    "Jeanne",
    "Camille",
    "Lucas",
    "Hugo",
    "Théo",
    "Mathéo",
    "Noé",
    "Raphaël",
    "Gaël",
    "Loïc",
    "Jérôme",
    "Benoît",
    "Jean-Édouard",
    "Marie-Ève",
    "Aëlle",
    "Yanis",
    "Adam",
    "Sacha",
    "Mélissa",
    "Ambre",
    "Célian",
)
LAST_NAMES = (
    "Martin",
    "Bernard",
    "Dubois",
    "Lefèvre",
    "Lœuillet",
    "Cœurdevey",
    "Œhmichen",
    "Garçon",
    "Moreau",
    "Girard",
    "Bonnet",
    "Dupont-Aignan",
    "N'Diaye",
    "Le Bihan",
    "Müller",
    "Faÿ",
    "Rousseau",
    "Mercier",
    "Blanc",
    "Guérin",
    "Boyer",
    "Chevalier",
    "François",
    "Legrand",
)
CITIES = (
    ("75056", "075", "PARIS"),
    ("69123", "069", "LYON"),
    ("13055", "013", "MARSEILLE"),
    ("33063", "033", "BORDEAUX"),
    ("2A004", "02A", "AJACCIO"),
    ("59350", "059", "LILLE"),
)
FOREIGN = (("132", "LONDRES"), ("109", "BERLIN"), ("134", "MADRID"), ("350", "RABAT"))
LEVELS = (("6", "10010012110"), ("5", "10110001110"), ("4", "10210001110"), ("3", "10310019110"))
SUBJECTS = ("030201", "030602", "030402", "061300", "020100", "100100")


@dataclass
class GeneratedPupil:
    eleve_id: str
    ine: str
    first_name: str
    last_name: str
    division: str
    birthdate: date
    # a named pupil (the demo's): fixed sex and birth place, no second name, no usage name
    sex: str = ""


# The demo school's pupil behind the demo learner account (``octets demo``): the generated
# export of the demo school includes her, so that importing it keeps her enabled.
DEMO_PUPIL = GeneratedPupil(
    eleve_id="199999",
    ine="090000000LB",
    first_name="Lou",
    last_name="Bernard",
    division="6A",
    birthdate=date(2014, 5, 4),
    sex="F",
)


def pupils(
    count: int, *, seed: int = 1, classes_per_level: int = 0, extra: tuple = ()
) -> list[GeneratedPupil]:
    """``count`` fictitious pupils (the same for the same seed), then the ``extra`` ones."""
    rng = random.Random(seed)
    per_level = classes_per_level or max(1, count // 4 // 28 + 1)
    result = []
    for n in range(count):
        level, _mef = LEVELS[n % len(LEVELS)]
        index = (n // len(LEVELS)) % per_level
        division = f"{level}{chr(ord('A') + index)}" if per_level <= 26 else f"{level}-{index + 1}"
        born = date(2010, 1, 1) + timedelta(days=rng.randrange(4 * 365))
        result.append(
            GeneratedPupil(
                eleve_id=str(100000 + n),
                ine=f"{n:09d}{'ABCDEFGHJK'[n % 10]}{'K' if n % 2 else 'J'}",
                first_name=rng.choice(FIRST_NAMES),
                last_name=rng.choice(LAST_NAMES),
                division=division,
                birthdate=born,
            )
        )
    return result + list(extra)


def _eleve(p: GeneratedPupil, rng: random.Random, n: int) -> str:
    level_mef = dict(LEVELS)[p.division[0]]
    named = bool(p.sex)
    if named or rng.random() < 0.9:
        country, (city_code, dept, city) = "100", CITIES[0] if named else rng.choice(CITIES)
    else:
        country, city = rng.choice(FOREIGN)
        city_code, dept = "", "999"
    e = escape
    return (
        f'<ELEVE ELEVE_ID="{p.eleve_id}" ELENOET="{p.eleve_id}">'
        f"<ID_NATIONAL>{p.ine}</ID_NATIONAL>"
        f"<ELENOET>{p.eleve_id}</ELENOET>"
        f"<ID_ELEVE_ETAB>{n + 1}</ID_ELEVE_ETAB>"
        f"<NOM_DE_FAMILLE>{e(p.last_name.upper())}</NOM_DE_FAMILLE>"
        f"<NOM_USAGE>{e(p.last_name.upper()) if n % 7 == 0 and not named else ''}</NOM_USAGE>"
        f"<PRENOM>{e(p.first_name)}</PRENOM>"
        f"<PRENOM2>{'' if named else e(rng.choice(FIRST_NAMES))}</PRENOM2>"
        f"<PRENOM3>{e(rng.choice(FIRST_NAMES)) if n % 3 == 0 and not named else ''}</PRENOM3>"
        f"<DATE_NAISS>{p.birthdate:%d/%m/%Y}</DATE_NAISS>"
        f"<DOUBLEMENT>{'1' if n % 25 == 0 else '0'}</DOUBLEMENT>"
        f"<CODE_PAYS>{country}</CODE_PAYS>"
        f"<ACCEPTE_SMS>{n % 2}</ACCEPTE_SMS>"
        f"<COMMUNE_INSEE_NAISS>{city_code}</COMMUNE_INSEE_NAISS>"
        f"<CODE_COMMUNE_INSEE_NAISS>{city_code}</CODE_COMMUNE_INSEE_NAISS>"
        f"<CODE_DEPARTEMENT_NAISS>{dept}</CODE_DEPARTEMENT_NAISS>"
        f"<VILLE_NAISS>{e(city)}</VILLE_NAISS>"
        f"<CODE_REGIME>{rng.choice(('0', '2', '3'))}</CODE_REGIME>"
        f"<DATE_ENTREE>01/09/{2020 + n % 4}</DATE_ENTREE>"
        f"<CODE_MOTIF_SORTIE></CODE_MOTIF_SORTIE>"
        f"<CODE_SEXE>{({'M': 1, 'F': 2}[p.sex]) if named else 1 + n % 2}</CODE_SEXE>"
        f"<CODE_MEF>{level_mef}</CODE_MEF>"
        f"<CODE_STATUT>ST</CODE_STATUT>"
        f"<ADHESION_TRANSPORT>{n % 2}</ADHESION_TRANSPORT>"
        f"<CODE_PROVENANCE>{rng.choice(('1', '2', '4'))}</CODE_PROVENANCE>"
        f"<CODE_NATIONALITE>{country}</CODE_NATIONALITE>"
        f"<TEL_PORTABLE></TEL_PORTABLE>"
        f"<MEL></MEL>"
        f"<PAIEMENT_ALLOC_FAMILIALES>0</PAIEMENT_ALLOC_FAMILIALES>"
        f"<SCOLARITE_AN_DERNIER>"
        f"<CODE_MEF>{level_mef}</CODE_MEF>"
        f"<CODE_RNE>{rng.randrange(10**7):07d}Z</CODE_RNE>"
        f"<SIGLE>CLG</SIGLE>"
        f"<DENOM_PRINC>COLLEGE</DENOM_PRINC>"
        f"<DENOM_COMPL>{e(rng.choice(LAST_NAMES).upper())} €-ÉCOLE</DENOM_COMPL>"
        f"<LL_COMMUNE_INSEE>{e(city)}</LL_COMMUNE_INSEE>"
        f"<CODE_ACADEMIE>{rng.randrange(1, 40):02d}</CODE_ACADEMIE>"
        f"<CODE_DEPARTEMENT>{dept}</CODE_DEPARTEMENT>"
        f"<CODE_PAYS>{country}</CODE_PAYS>"
        f"<CODE_STRUCTURE>{e(p.division)}</CODE_STRUCTURE>"
        f"<LIBELLE_MEF>CLASSE DE {p.division[0]}EME GENERALE</LIBELLE_MEF>"
        f"</SCOLARITE_AN_DERNIER>"
        f"</ELEVE>\n"
    )


def _option(p: GeneratedPupil, rng: random.Random) -> str:
    options = "".join(
        f"<OPTIONS_ELEVE><NUM_OPTION>{i + 1}</NUM_OPTION>"
        f"<CODE_MODALITE_ELECT>{rng.choice(('S', 'O', 'F'))}</CODE_MODALITE_ELECT>"
        f"<CODE_MATIERE>{rng.choice(SUBJECTS)}</CODE_MATIERE></OPTIONS_ELEVE>"
        for i in range(3)
    )
    return f'<OPTION ELEVE_ID="{p.eleve_id}" ELENOET="{p.eleve_id}">{options}</OPTION>\n'


def _structures(p: GeneratedPupil, n: int) -> str:
    group = (
        "<STRUCTURE><CODE_STRUCTURE>G-LATIN</CODE_STRUCTURE><TYPE_STRUCTURE>G</TYPE_STRUCTURE></STRUCTURE>"
        if n % 5 == 0
        else ""
    )
    return (
        f'<STRUCTURES_ELEVE ELEVE_ID="{p.eleve_id}" ELENOET="{p.eleve_id}">{group}'
        f"<STRUCTURE><CODE_STRUCTURE>{escape(p.division)}</CODE_STRUCTURE>"
        f"<TYPE_STRUCTURE>D</TYPE_STRUCTURE></STRUCTURE></STRUCTURES_ELEVE>\n"
    )


def siecle_xml(
    *,
    uai: str,
    count: int,
    seed: int = 1,
    encoding: str = "iso-8859-15",
    year: int = 2026,
    extra: tuple = (),
) -> bytes:
    """A whole ``ElevesSansAdresses.xml`` in memory (use ``write_siecle_xml`` for big files)."""
    buffer = io.BytesIO()
    write_siecle_xml(
        buffer, uai=uai, count=count, seed=seed, encoding=encoding, year=year, extra=extra
    )
    return buffer.getvalue()


def write_siecle_xml(
    out,
    *,
    uai: str,
    count: int,
    seed: int = 1,
    encoding: str = "iso-8859-15",
    year: int = 2026,
    extra: tuple = (),
) -> None:
    rng = random.Random(seed + 1)
    everyone = pupils(count, seed=seed, extra=extra)
    label = encoding.upper()
    codec = "iso8859_15" if label == "ISO-8859-15" else "utf-8"

    def put(text: str) -> None:
        out.write(text.encode(codec))

    put(f'<?xml version="1.0" encoding="{label}"?>\n<BEE_ELEVES VERSION="3.1">\n')
    put(
        f"<PARAMETRES><UAJ>{escape(uai)}</UAJ><ANNEE_SCOLAIRE>{year}</ANNEE_SCOLAIRE>"
        f"<DATE_EXPORT>01/09/{year}</DATE_EXPORT><HORODATAGE>01/09/{year} 08:00:00</HORODATAGE>"
        f"</PARAMETRES>\n<DONNEES>\n<ELEVES>\n"
    )
    for n, p in enumerate(everyone):
        put(_eleve(p, rng, n))
    put("</ELEVES>\n<OPTIONS>\n")
    for p in everyone:
        put(_option(p, rng))
    put("</OPTIONS>\n<STRUCTURES>\n")
    for n, p in enumerate(everyone):
        put(_structures(p, n))
    put("</STRUCTURES>\n</DONNEES>\n</BEE_ELEVES>\n")


def zip_bytes(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def siecle_zip(
    *, uai: str, count: int, seed: int = 1, encoding: str = "iso-8859-15", extra: tuple = ()
) -> bytes:
    """The zip as a school downloads it (with a macOS artefact the reader must ignore)."""
    xml = siecle_xml(uai=uai, count=count, seed=seed, encoding=encoding, extra=extra)
    return zip_bytes({"ElevesSansAdresses.xml": xml, "__MACOSX/._ElevesSansAdresses.xml": b"\x00"})


CSV_HEADER = (
    "Identifiant unique*",
    "Premier prénom*",
    "Deuxième prénom",
    "Troisième prénom",
    "Nom de famille*",
    "Nom d'usage",
    "Code sexe*",
    "Date de naissance (jj/mm/aaaa)*",
    "Code commune naissance**",
    "Libellé commune naissance**",
    "Code département naissance*",
    "Code pays naissance*",
    "Statut*",
    "Code MEF*",
    "Division*",
)


def siecle_csv(*, count: int, seed: int = 1, encoding: str = "utf-8") -> bytes:
    rng = random.Random(seed + 1)
    lines = [";".join(CSV_HEADER)]
    for n, p in enumerate(pupils(count, seed=seed)):
        city_code, dept, city = rng.choice(CITIES)
        lines.append(
            ";".join(
                (
                    p.ine,
                    p.first_name,
                    "",
                    "",
                    p.last_name,
                    "",
                    "Masculin" if n % 2 == 0 else "Féminin",
                    f"{p.birthdate:%d/%m/%Y}",
                    city_code,
                    city,
                    dept,
                    "99100",
                    "ST",
                    dict(LEVELS)[p.division[0]],
                    p.division,
                )
            )
        )
    text = "\n".join(lines) + "\n"
    return (b"\xef\xbb\xbf" if encoding == "utf-8" else b"") + text.encode(
        "utf-8" if encoding == "utf-8" else "cp1252"
    )
