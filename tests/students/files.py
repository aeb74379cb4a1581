"""Hand-written SIECLE files for the rules and the bad inputs (the generator makes the big ones)."""

import codecs

from octets.students import generator

UAI = "0750001A"


def eleve(
    eleve_id="1",
    *,
    ine="123456789AB",
    first="Chloé",
    last="CŒURDEVEY",
    sex="2",
    born="14/03/2012",
    country="100",
    city_code="75056",
    city="PARIS",
    left="",
    usage=None,
    extra="",
):
    parts = [f'<ELEVE ELEVE_ID="{eleve_id}">']
    if ine is not None:
        parts.append(f"<ID_NATIONAL>{ine}</ID_NATIONAL>")
    parts.append(f"<NOM_DE_FAMILLE>{last}</NOM_DE_FAMILLE>")
    if usage is not None:
        parts.append(f"<NOM_USAGE>{usage}</NOM_USAGE>")
    parts.append(f"<PRENOM>{first}</PRENOM><PRENOM2>Anaïs</PRENOM2>")
    parts.append(f"<DATE_NAISS>{born}</DATE_NAISS><CODE_SEXE>{sex}</CODE_SEXE>")
    parts.append(
        f"<CODE_PAYS>{country}</CODE_PAYS><CODE_DEPARTEMENT_NAISS>075</CODE_DEPARTEMENT_NAISS>"
    )
    parts.append(
        f"<CODE_COMMUNE_INSEE_NAISS>{city_code}</CODE_COMMUNE_INSEE_NAISS><VILLE_NAISS>{city}</VILLE_NAISS>"
    )
    parts.append("<CODE_MEF>10010012110</CODE_MEF><CODE_STATUT>ST</CODE_STATUT>")
    if left:
        parts.append(f"<DATE_SORTIE>{left}</DATE_SORTIE>")
    parts.append(extra)
    parts.append("</ELEVE>")
    return "".join(parts)


def structure(eleve_id="1", *pairs):
    inner = "".join(
        f"<STRUCTURE><CODE_STRUCTURE>{code}</CODE_STRUCTURE><TYPE_STRUCTURE>{kind}</TYPE_STRUCTURE></STRUCTURE>"
        for code, kind in pairs
    )
    return f'<STRUCTURES_ELEVE ELEVE_ID="{eleve_id}">{inner}</STRUCTURES_ELEVE>'


def siecle(
    eleves,
    structures,
    *,
    uai=UAI,
    encoding="ISO-8859-15",
    codec="iso8859_15",
    bom=False,
    prolog="",
) -> bytes:
    uaj = "" if uai is None else f"<UAJ>{uai}</UAJ>"
    text = (
        f'<?xml version="1.0" encoding="{encoding}"?>\n{prolog}<BEE_ELEVES VERSION="3.1">'
        f"<PARAMETRES>{uaj}<ANNEE_SCOLAIRE>2026</ANNEE_SCOLAIRE></PARAMETRES>"
        f"<DONNEES><ELEVES>{''.join(eleves)}</ELEVES>"
        f"<STRUCTURES>{''.join(structures)}</STRUCTURES></DONNEES></BEE_ELEVES>"
    )
    data = text.encode(codec)
    return (codecs.BOM_UTF8 + data) if bom else data


def two_pupils(**kwargs) -> bytes:
    return siecle(
        [
            eleve("1"),
            eleve(
                "2",
                ine="987654321CD",
                first="Zoé",
                last="ŒHMICHEN",
                usage="",
                country="132",
                city_code="",
                city="LONDRES",
            ),
        ],
        [structure("1", ("4A", "D")), structure("2", ("G1", "G"), ("4B", "D"))],
        **kwargs,
    )


BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<BEE_ELEVES><PARAMETRES><UAJ>0750001A</UAJ></PARAMETRES><DONNEES><ELEVES>
<ELEVE ELEVE_ID="1"><ID_NATIONAL>1</ID_NATIONAL><PRENOM>&lol9;</PRENOM></ELEVE></ELEVES></DONNEES></BEE_ELEVES>
"""


def external_entity(target: str) -> bytes:
    return f"""<?xml version="1.0"?>
<!DOCTYPE BEE_ELEVES [<!ENTITY xxe SYSTEM "{target}">]>
<BEE_ELEVES><PARAMETRES><UAJ>0750001A</UAJ></PARAMETRES><DONNEES><ELEVES>
<ELEVE ELEVE_ID="1"><ID_NATIONAL>1</ID_NATIONAL><PRENOM>&xxe;</PRENOM></ELEVE></ELEVES></DONNEES></BEE_ELEVES>
""".encode()


def zip_bomb(size_mb: int = 400) -> bytes:
    """An XML entry that inflates to ``size_mb`` MB of zeros-like text from a few hundred KB."""
    import io
    import zipfile

    buffer = io.BytesIO()
    with (
        zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive,
        archive.open("ElevesSansAdresses.xml", "w", force_zip64=True) as entry,
    ):
        entry.write(
            b'<?xml version="1.0"?><BEE_ELEVES><PARAMETRES><UAJ>0750001A</UAJ></PARAMETRES>'
        )
        chunk = b" " * (1024 * 1024)
        for _ in range(size_mb):
            entry.write(chunk)
        entry.write(b"</BEE_ELEVES>")
    return buffer.getvalue()


def generated_zip(count=20, **kwargs) -> bytes:
    return generator.siecle_zip(uai=kwargs.pop("uai", UAI), count=count, **kwargs)
