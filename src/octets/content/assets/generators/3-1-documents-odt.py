"""Écrit deux documents texte OpenDocument pour la compétence 3.1.

- 3.1/rapport-volcans.odt : un rapport dont trois titres ont le style « Titre 1 » (Heading 1) et
  un quatrième n'est qu'un paragraphe ordinaire mis en gras et en grand ;
- 3.1/expose-commentaires.odt : un exposé avec deux commentaires de relecture (Kylian sur le
  titre, Manon sur le deuxième paragraphe).

Bibliothèque standard seulement ; déterministe (date fixe dans l'archive, même contenu à chaque
exécution). Lancement depuis la racine du dépôt :
    .venv/bin/python src/octets/content/assets/generators/3-1-documents-odt.py
"""

import zipfile
from pathlib import Path
from xml.sax.saxutils import escape

OUTPUT_DIR = Path(__file__).resolve().parent.parent / "3.1"
FIXED_DATE = (2026, 1, 1, 0, 0, 0)
MIMETYPE = "application/vnd.oasis.opendocument.text"

NAMESPACES = (
    'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
    'xmlns:style="urn:oasis:names:tc:opendocument:xmlns:style:1.0" '
    'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" '
    'xmlns:fo="urn:oasis:names:tc:opendocument:xmlns:xsl-fo-compatible:1.0" '
    'xmlns:dc="http://purl.org/dc/elements/1.1/" '
    'xmlns:meta="urn:oasis:names:tc:opendocument:xmlns:meta:1.0" '
    'office:version="1.3"'
)

MANIFEST = """<?xml version="1.0" encoding="UTF-8"?>
<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.3">
 <manifest:file-entry manifest:full-path="/" manifest:version="1.3" manifest:media-type="application/vnd.oasis.opendocument.text"/>
 <manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>
 <manifest:file-entry manifest:full-path="styles.xml" manifest:media-type="text/xml"/>
 <manifest:file-entry manifest:full-path="meta.xml" manifest:media-type="text/xml"/>
</manifest:manifest>
"""

STYLES = f"""<?xml version="1.0" encoding="UTF-8"?>
<office:document-styles {NAMESPACES}>
 <office:styles>
  <style:style style:name="Standard" style:family="paragraph" style:class="text">
   <style:text-properties fo:font-size="12pt"/>
  </style:style>
  <style:style style:name="Text_20_body" style:display-name="Text body" style:family="paragraph"
    style:parent-style-name="Standard" style:class="text">
   <style:paragraph-properties fo:margin-bottom="0.25cm"/>
  </style:style>
  <style:style style:name="Heading" style:family="paragraph" style:parent-style-name="Standard"
    style:next-style-name="Text_20_body" style:class="text">
   <style:paragraph-properties fo:margin-top="0.42cm" fo:margin-bottom="0.21cm" fo:keep-with-next="always"/>
   <style:text-properties fo:font-size="14pt"/>
  </style:style>
  <style:style style:name="Heading_20_1" style:display-name="Heading 1" style:family="paragraph"
    style:parent-style-name="Heading" style:next-style-name="Text_20_body"
    style:default-outline-level="1" style:class="text">
   <style:text-properties fo:font-size="18pt" fo:font-weight="bold"/>
  </style:style>
 </office:styles>
</office:document-styles>
"""


def meta(title: str) -> str:
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<office:document-meta {NAMESPACES}>
 <office:meta>
  <dc:title>{escape(title)}</dc:title>
  <meta:generator>Octets, générateur de contenu pédagogique</meta:generator>
 </office:meta>
</office:document-meta>
"""


def content(body: str) -> str:
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<office:document-content {NAMESPACES}>
 <office:automatic-styles>
  <style:style style:name="P1" style:family="paragraph" style:parent-style-name="Text_20_body">
   <style:text-properties fo:font-size="18pt" fo:font-weight="bold"/>
  </style:style>
 </office:automatic-styles>
 <office:body>
  <office:text>
{body}
  </office:text>
 </office:body>
</office:document-content>
"""


def heading(text: str) -> str:
    return (
        f'   <text:h text:style-name="Heading_20_1" text:outline-level="1">{escape(text)}</text:h>'
    )


def paragraph(text: str, style: str = "Text_20_body") -> str:
    return f'   <text:p text:style-name="{style}">{escape(text)}</text:p>'


def annotation(author: str, date: str, text: str) -> str:
    return (
        f"<office:annotation><dc:creator>{escape(author)}</dc:creator><dc:date>{date}</dc:date>"
        f"<text:p>{escape(text)}</text:p></office:annotation>"
    )


def write_odt(name: str, title: str, body: str) -> None:
    path = OUTPUT_DIR / name
    with zipfile.ZipFile(path, "w") as archive:
        parts = [
            ("mimetype", MIMETYPE, zipfile.ZIP_STORED),
            ("META-INF/manifest.xml", MANIFEST, zipfile.ZIP_DEFLATED),
            ("styles.xml", STYLES, zipfile.ZIP_DEFLATED),
            ("meta.xml", meta(title), zipfile.ZIP_DEFLATED),
            ("content.xml", content(body), zipfile.ZIP_DEFLATED),
        ]
        for member, data, compression in parts:
            info = zipfile.ZipInfo(member, date_time=FIXED_DATE)
            info.compress_type = compression
            info.external_attr = 0o644 << 16
            archive.writestr(info, data.encode("utf-8"))


def rapport_volcans() -> None:
    body = "\n".join(
        [
            heading("Introduction"),
            paragraph(
                "Un volcan est un endroit de la surface de la Terre où le magma, une roche fondue, "
                "remonte et sort sous forme de lave, de cendres ou de gaz."
            ),
            heading("Les volcans effusifs"),
            paragraph(
                "Leur lave est fluide : elle s'écoule en longues coulées. Les éruptions sont "
                "spectaculaires mais rarement explosives."
            ),
            paragraph("Les volcans explosifs", style="P1"),
            paragraph(
                "Leur lave est visqueuse : les gaz restent piégés puis s'échappent brutalement. "
                "Ces éruptions projettent des cendres très haut dans l'atmosphère."
            ),
            heading("Conclusion"),
            paragraph(
                "Connaître le type d'un volcan aide les scientifiques à prévoir ses éruptions et "
                "à protéger les habitants."
            ),
        ]
    )
    write_odt("rapport-volcans.odt", "Rapport sur les volcans", body)


def expose_commentaires() -> None:
    title = (
        '   <text:h text:style-name="Heading_20_1" text:outline-level="1">'
        + annotation("Kylian", "2026-03-10T17:05:00", "Le titre pourrait être plus précis.")
        + "Le sommeil des adolescents</text:h>"
    )
    second = (
        '   <text:p text:style-name="Text_20_body">'
        + annotation(
            "Manon", "2026-03-10T17:20:00", "Il faudrait ajouter une source pour ce chiffre."
        )
        + escape(
            "Selon une enquête, près d'un adolescent sur trois dormirait moins de sept heures "
            "par nuit en semaine."
        )
        + "</text:p>"
    )
    body = "\n".join(
        [
            title,
            paragraph(
                "Le sommeil permet au corps de récupérer et au cerveau de mémoriser ce qu'il a "
                "appris dans la journée."
            ),
            second,
            paragraph(
                "Les écrans le soir retardent l'endormissement : leur lumière et leurs contenus "
                "stimulants gardent le cerveau en éveil."
            ),
            paragraph(
                "Pour mieux dormir, on peut poser son téléphone hors de la chambre et garder des "
                "horaires réguliers."
            ),
        ]
    )
    write_odt("expose-commentaires.odt", "Le sommeil des adolescents", body)


if __name__ == "__main__":
    OUTPUT_DIR.mkdir(parents=True, exist_ok=True)
    rapport_volcans()
    expose_commentaires()
