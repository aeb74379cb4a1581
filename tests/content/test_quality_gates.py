"""Quality gates of the shipped content bank (issue 6) that hold for any amount of content.

Built once from ``src/octets/content/source`` and ``src/octets/content/assets``. Most gates run
per competence file, so a failure names the file to fix and lists every faulty entity at once.
The bank-size targets (≥ 700 challenges…) are in ``test_bank_size.py``.
"""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from lxml import etree

from octets.content.release import challenge_from_release
from octets.content.sources import (
    ASSET_NAME,
    ASSET_URL_PREFIX,
    ASSETS_DIR,
    COMPETENCE_INDEX,
    GENERATORS_DIR,
    IMAGE_EXTENSIONS,
    SOURCE_DIR,
    asset_files,
    build_release,
    competence_files,
    unused_assets,
)
from octets.content.validation import (
    EMPTY_PROPOSAL,
    INVALID_FIELD,
    SOLUTION_UNREACHABLE,
    UNKNOWN_CHALLENGE_TYPE,
    proposal_items,
    select_options,
    validate_release,
)
from octets.engine.answers import AnswerResult, parse_yaml_mapping, validate
from octets.engine.content import NUMBER_FORMAT, BlockType, ChallengeType, parse_blocks

RELEASE, SOURCE_PROBLEMS = build_release(SOURCE_DIR)
PROBLEMS = validate_release(RELEASE)
INDEXES = [path.stem for path in competence_files(SOURCE_DIR)]
_INDEX_OF = {c["id"]: c["index"] for c in RELEASE["competences"]}


def assert_none(faulty) -> None:
    """Fail listing every faulty item, one per line (pytest would truncate a long list)."""
    faulty = list(faulty.items() if isinstance(faulty, dict) else faulty)
    assert not faulty, f"{len(faulty)} problème(s) :\n" + "\n".join(map(str, faulty))


def _of(kind: str, index: str) -> list[dict]:
    return [item for item in RELEASE[kind] if _INDEX_OF.get(item.get("competenceId")) == index]


#: Challenges the validation already refuses (a missing field, an unknown type…): the gates
#: below skip them, ``test_release_passes_the_validation`` says what is wrong.
_MALFORMED = {
    p.id
    for p in PROBLEMS
    if p.entity == "challenges" and p.code in (INVALID_FIELD, UNKNOWN_CHALLENGE_TYPE)
}


def _challenges(index: str) -> list[dict]:
    return [c for c in _of("challenges", index) if c.get("id") not in _MALFORMED]


# --- schema -------------------------------------------------------------------------------------


def test_sources_build_without_problems():
    assert_none([p.message for p in SOURCE_PROBLEMS])


def test_release_passes_the_validation():
    assert_none([p.message for p in PROBLEMS])


@pytest.mark.parametrize("index", INDEXES)
def test_every_solution_is_reachable_through_its_proposals(index):
    ids = {c["id"] for c in _of("challenges", index)}
    assert_none(
        [
            p.message
            for p in PROBLEMS
            if p.code in (SOLUTION_UNREACHABLE, EMPTY_PROPOSAL) and p.id in ids
        ]
    )


# --- the questions themselves -------------------------------------------------------------------


def normalized_instruction(text: str) -> str:
    """An instruction as compared for duplicates: no accents, case, markup or spacing."""
    text = unicodedata.normalize("NFKD", text.casefold()).encode("ascii", "ignore").decode()
    text = text.casefold()
    return " ".join(re.sub(r"[^a-z0-9]+", " ", text).split())


@given(st.text(max_size=60), st.sampled_from(["**", "_", "« ", "`", " \n "]))
def test_normalized_instruction_ignores_spacing_and_markup(text, mark):
    assert normalized_instruction(f"  {mark}{text}{mark} \n") == normalized_instruction(text)
    assert normalized_instruction(normalized_instruction(text)) == normalized_instruction(text)


@given(st.text(alphabet="abcdefghijklmnopqrstuvwxyz éèàçôÉÈÀÇ'?", max_size=60))
def test_normalized_instruction_ignores_case_and_accents(text):
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    assert normalized_instruction(text.upper()) == normalized_instruction(plain)


def test_no_two_challenges_share_an_instruction():
    seen: dict[str, list[str]] = defaultdict(list)
    for challenge in RELEASE["challenges"]:
        seen[normalized_instruction(challenge.get("instruction") or "")].append(challenge["id"])
    assert_none([ids for ids in seen.values() if len(ids) > 1])


@pytest.mark.parametrize("index", INDEXES)
def test_choice_questions_keep_a_wrong_proposal(index):
    faulty = []
    for challenge in _challenges(index):
        if challenge["type"] not in (ChallengeType.QCU, ChallengeType.QCM):
            continue
        count = len(proposal_items(challenge["proposals"]))
        right = {part.strip() for part in challenge["solution"].split(",")}
        if count < 2 or len(right) >= count:
            faulty.append(f"{challenge['id']} : {count} propositions, solution {right}")
    assert_none(faulty)


def _wrong_variant(key_variants: list[str], options: list[str] | None, numeric: bool) -> str | None:
    """An answer nobody should get accepted: an option that is not a solution, else gibberish."""
    if options is not None:
        return next((option for option in options if option not in key_variants), None)
    return "987654321" if numeric else "xqzwvkj blorf"


def _one_digit_off(value: str) -> str | None:
    digits = [i for i, char in enumerate(value) if char.isdigit()]
    if not digits:
        return None
    i = digits[-1]
    return value[:i] + str((int(value[i]) + 1) % 10) + value[i + 1 :]


_NUMBER = re.compile(r"^\s*-?\d+(?:[.,]\d+)?\s*$")


def _qroc_faults(challenge: dict) -> list[str]:
    """QROC tolerance sanity: the first accepted answer is accepted, an obviously wrong answer
    and a number off by one digit are not; a select keeps a wrong option."""
    engine = challenge_from_release(challenge)
    kind = ChallengeType(challenge["type"])
    options = select_options(challenge["proposals"])
    if kind is ChallengeType.QROC:
        key = next(iter(parse_blocks(challenge["proposals"])), "")
        mapping = {key: [v for v in challenge["solution"].split("\n") if v.strip()]}
    else:
        mapping = parse_yaml_mapping(challenge["solution"])
    right = {key: next((v for v in variants if v.strip()), "") for key, variants in mapping.items()}
    for key, values in options.items():
        if key in right and values:
            right[key] = next((v for v in mapping[key] if v in values), right[key])

    def result(answer: dict[str, str]) -> AnswerResult:
        value = next(iter(answer.values())) if kind is ChallengeType.QROC else answer
        return validate(engine, value).result

    faults = []
    if kind is not ChallengeType.QROCM_DEP and result(right) is not AnswerResult.OK:
        faults.append(f"la première réponse acceptée {right} n'est pas acceptée")
    for key, variants in mapping.items():
        numeric = all(_NUMBER.match(v) for v in variants if v.strip())
        wrong_value = _wrong_variant(
            variants, options.get(key) if key in options else None, numeric
        )
        if wrong_value is None:
            faults.append(f"la liste « {key} » n'a aucune option fausse")
            continue
        wrong = {**right, key: wrong_value}
        if result(wrong) is AnswerResult.OK:
            faults.append(f"la réponse fausse « {wrong_value} » pour « {key} » est acceptée")
        off = _one_digit_off(right[key]) if numeric and key not in options else None
        if off is not None and off not in variants and result({**right, key: off}).is_ok:
            faults.append(
                f"« {off} » (un chiffre de différence avec « {right[key]} ») est accepté : "
                f'format = "{NUMBER_FORMAT}" ou t3 = false'
            )
    return faults


@pytest.mark.parametrize("index", INDEXES)
def test_qroc_tolerances_are_sane(index):
    faulty = []
    for challenge in _challenges(index):
        if challenge["type"] in (ChallengeType.QCU, ChallengeType.QCM):
            continue
        try:
            faults = _qroc_faults(challenge)
        except (ValueError, StopIteration) as error:  # unreadable: the validation says why
            faults = [f"solution illisible ({error})"]
        faulty += [f"{challenge['id']} : {fault}" for fault in faults]
    assert_none(faulty)


@pytest.mark.parametrize("index", INDEXES)
def test_every_challenge_has_a_solution_to_display(index):
    assert_none(
        [c["id"] for c in _challenges(index) if not (c.get("solutionToDisplay") or "").strip()]
    )


@pytest.mark.parametrize("index", INDEXES)
def test_timers_are_sensible(index):
    assert_none(
        [
            f"{c['id']} : {c['timer']} s"
            for c in _challenges(index)
            if c.get("timer") is not None and not 10 <= c["timer"] <= 300
        ]
    )


# Markdown images and links (raw HTML is not rendered: `<img>` in a question is shown as text).
_EXTERNAL_MEDIA = re.compile(r"!\[[^\]]*\]\(|\]\(\s*https?://", re.I)


@pytest.mark.parametrize("index", INDEXES)
def test_no_challenge_depends_on_an_external_resource(index):
    """Example addresses as text are fine; markdown images and links to the web are not."""
    assert_none(
        [
            c["id"]
            for c in _challenges(index)
            if _EXTERNAL_MEDIA.search(c.get("instruction") or "")
            or _EXTERNAL_MEDIA.search(c.get("proposals") or "")
        ]
    )


# --- tubes --------------------------------------------------------------------------------------


@pytest.mark.parametrize("index", INDEXES)
def test_every_tube_has_a_review_note_explaining_its_gaps(index):
    levels: dict[str, set[int]] = defaultdict(set)
    for skill in _of("skills", index):
        if skill["status"] == "actif":
            levels[skill["tubeId"]].add(skill["level"])
    faulty = []
    for tube in _of("tubes", index):
        note = (tube.get("reviewNote") or "").strip()
        if not note:
            faulty.append(f"{tube['id']} : pas de note « review »")
            continue
        missing = [level for level in range(1, 7) if level not in levels[tube["id"]]]
        unexplained = [level for level in missing if str(level) not in note]
        if unexplained:
            faulty.append(f"{tube['id']} : niveaux {unexplained} absents et non expliqués")
    assert_none(faulty)


# --- assets -------------------------------------------------------------------------------------


def _challenges_by_asset() -> dict[str, list[dict]]:
    by_url: dict[str, list[dict]] = defaultdict(list)
    for challenge in RELEASE["challenges"]:
        for url in [challenge.get("illustrationUrl"), *(challenge.get("attachments") or [])]:
            if url:
                by_url[url].append(challenge)
    return by_url


def _asset_file(url: str) -> Path:
    return ASSETS_DIR / url.removeprefix(ASSET_URL_PREFIX)


def test_every_referenced_asset_exists():
    assert_none(
        [
            url
            for url in _challenges_by_asset()
            if not url.startswith(ASSET_URL_PREFIX) or not _asset_file(url).is_file()
        ]
    )


def test_every_asset_is_used_by_a_challenge():
    assert_none(unused_assets(RELEASE, ASSETS_DIR))


def test_asset_folders_are_competence_indexes_with_well_named_files():
    assert_none(
        [
            f"{folder}/{name}"
            for folder, name in asset_files(ASSETS_DIR)
            if not COMPETENCE_INDEX.match(folder)
            or folder not in INDEXES
            or not ASSET_NAME.match(name)
        ]
    )


def test_every_illustration_is_an_image_with_a_real_description():
    faulty = []
    for challenge in RELEASE["challenges"]:
        url = challenge.get("illustrationUrl")
        if not url:
            continue
        alt = (challenge.get("illustrationAlt") or "").strip()
        name = url.rsplit("/", 1)[-1]
        if name.rsplit(".", 1)[-1] not in IMAGE_EXTENSIONS:
            faulty.append(f"{challenge['id']} : {name} n'est pas une image")
        if (
            len(alt) < 15
            or name.split(".")[0] in alt
            or alt.casefold() in ("image", "illustration")
        ):
            faulty.append(f"{challenge['id']} : texte alternatif « {alt} » trop pauvre")
    assert_none(faulty)


_BINARY = {"png", "jpg", "odt", "ods", "xlsx", "pdf"}
_SIGNATURES = {
    "png": b"\x89PNG\r\n\x1a\n",
    "jpg": b"\xff\xd8\xff",
    "pdf": b"%PDF-",
    "odt": b"PK\x03\x04",
    "ods": b"PK\x03\x04",
    "xlsx": b"PK\x03\x04",
}


def _all_assets() -> list[tuple[str, str]]:
    return [(f, n) for f, n in asset_files(ASSETS_DIR) if COMPETENCE_INDEX.match(f)]


def test_binary_assets_are_real_files_of_their_type_made_by_a_committed_generator():
    generators = "\n".join(
        path.read_text(encoding="utf-8")
        for path in sorted((ASSETS_DIR / GENERATORS_DIR).glob("*.py"))
    )
    faulty = []
    for folder, name in _all_assets():
        extension = name.rsplit(".", 1)[-1]
        if extension not in _BINARY:
            continue
        data = (ASSETS_DIR / folder / name).read_bytes()
        if not data.startswith(_SIGNATURES[extension]):
            faulty.append(f"{folder}/{name} : ce n'est pas un fichier {extension}")
        if name not in generators:
            faulty.append(f"{folder}/{name} : aucun script de {GENERATORS_DIR}/ ne le produit")
    assert_none(faulty)


def test_text_assets_are_utf8_and_json_parses():
    import json

    faulty = []
    for folder, name in _all_assets():
        extension = name.rsplit(".", 1)[-1]
        if extension in _BINARY:
            continue
        path = ASSETS_DIR / folder / name
        try:
            text = path.read_text(encoding="utf-8")
            if extension == "json":
                json.loads(text)
        except (UnicodeDecodeError, ValueError) as error:
            faulty.append(f"{folder}/{name} : {error}")
    assert_none(faulty)


_FORBIDDEN_HTML = re.compile(
    r"<script\b|\bon[a-z]+\s*=|\bsrc\s*=\s*[\"']?\s*(?:https?:)?//|<link\b[^>]*\bhref\s*=\s*[\"']?"
    r"\s*(?:https?:)?//|@import|url\(\s*[\"']?\s*(?:https?:)?//",
    re.I,
)


def test_html_attachments_run_no_script_and_load_nothing_from_elsewhere():
    assert_none(
        [
            f"{folder}/{name}"
            for folder, name in _all_assets()
            if name.endswith(".html")
            and _FORBIDDEN_HTML.search((ASSETS_DIR / folder / name).read_text(encoding="utf-8"))
        ]
    )


# --- SVG ----------------------------------------------------------------------------------------

SVG_NS = "http://www.w3.org/2000/svg"
XLINK_NS = "http://www.w3.org/1999/xlink"
_FORBIDDEN_ELEMENTS = {"script", "foreignObject", "iframe", "embed", "object", "audio", "video"}
_FONT_SIZE = re.compile(r"font-size\s*:\s*([0-9.]+)\s*(px|pt)?", re.I)
_CSS_EXTERNAL = re.compile(r"@import|@font-face|url\(\s*[\"']?\s*(?!#)", re.I)
MIN_FONT_PX = 9
RENDER_WIDTH = 600


def _local(name: str) -> str:
    return name.rsplit("}", 1)[-1]


def _font_px(value: str) -> float | None:
    match = re.fullmatch(r"\s*([0-9.]+)\s*(px|pt)?\s*", value)
    if not match:
        return None
    size = float(match.group(1))
    return size * 4 / 3 if match.group(2) == "pt" else size


def svg_faults(data: bytes) -> list[str]:
    """Breaches of the SVG rules (README of the sources) in one file."""
    if b"<!DOCTYPE" in data or b"<!ENTITY" in data:
        return ["pas de DOCTYPE ni d'entité"]
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
    try:
        root = etree.fromstring(data, parser=parser)
    except etree.XMLSyntaxError as error:
        return [f"XML invalide ({error})"]
    faults = []
    if root.tag != f"{{{SVG_NS}}}svg":
        faults.append('racine <svg xmlns="http://www.w3.org/2000/svg"> attendue')
    if root.get("role") != "img":
        faults.append('role="img" manquant')
    title = root.find(f"{{{SVG_NS}}}title")
    if title is None or not "".join(title.itertext()).strip():
        faults.append("<title> manquant ou vide")
    width = None
    try:
        parts = [float(p) for p in re.split(r"[\s,]+", (root.get("viewBox") or "").strip())]
        if len(parts) == 4 and parts[2] > 0 and parts[3] > 0:
            width = parts[2]
    except ValueError:
        pass
    if width is None:
        faults.append("viewBox manquant ou invalide")
    for element in root.iter():
        if not isinstance(element.tag, str):
            continue
        name = _local(element.tag)
        if name in _FORBIDDEN_ELEMENTS:
            faults.append(f"élément <{name}> interdit")
        if name == "style" and _CSS_EXTERNAL.search(element.text or ""):
            faults.append("<style> charge une ressource externe")
        css = element.text or "" if name == "style" else ""
        sizes = [_font_px(v + (u or "")) for v, u in _FONT_SIZE.findall(css)]
        for attribute, value in element.attrib.items():
            local = _local(attribute)
            if local.lower().startswith("on"):
                faults.append(f"attribut {local} interdit")
            if local == "href" and not (value.startswith("#") or value.startswith("data:image/")):
                faults.append(f"référence externe {local}={value!r}")
            if local == "style":
                if _CSS_EXTERNAL.search(value):
                    faults.append("style charge une ressource externe")
                sizes += [_font_px(v + (u or "")) for v, u in _FONT_SIZE.findall(value)]
            if local == "font-size":
                sizes.append(_font_px(value))
        if width is not None:
            for size in sizes:
                if size is not None and size * RENDER_WIDTH / width < MIN_FONT_PX:
                    faults.append(
                        f"texte de {size:g} px illisible à {RENDER_WIDTH} px de large "
                        f"(viewBox de {width:g} de large)"
                    )
    return sorted(set(faults))


def test_svg_rules_catch_what_they_should():
    good = (
        f'<svg xmlns="{SVG_NS}" role="img" viewBox="0 0 600 300"><title>Un schéma</title>'
        '<text x="10" y="20" font-size="14">Bonjour</text></svg>'
    ).encode()
    assert_none(svg_faults(good))
    bad = (
        f'<svg xmlns="{SVG_NS}" xmlns:xlink="{XLINK_NS}" viewBox="0 0 3000 300">'
        '<script>alert(1)</script><image xlink:href="https://exemple.fr/a.png"/>'
        '<rect onclick="x()" style="fill:url(http://a/b)"/>'
        '<text font-size="12">petit</text></svg>'
    ).encode()
    assert set(svg_faults(bad)) == {
        "<title> manquant ou vide",
        "attribut onclick interdit",
        "référence externe href='https://exemple.fr/a.png'",
        'role="img" manquant',
        "style charge une ressource externe",
        "texte de 12 px illisible à 600 px de large (viewBox de 3000 de large)",
        "élément <script> interdit",
    }
    assert svg_faults(b'<!DOCTYPE svg [<!ENTITY x "y">]><svg/>') == ["pas de DOCTYPE ni d'entité"]


def test_every_svg_follows_the_rules():
    faulty = []
    for folder, name in _all_assets():
        if name.endswith(".svg"):
            faulty += [
                f"{folder}/{name} : {fault}"
                for fault in svg_faults((ASSETS_DIR / folder / name).read_bytes())
            ]
    assert_none(faulty)


def test_select_inputs_are_recognised_by_the_gates():
    """The QROC sanity check must see selects as selects (else it would type gibberish)."""
    assert parse_blocks('${choix options=["a","b"]}') == {"choix": BlockType.SELECT}
    assert select_options('${choix options=["a","b"]}') == {"choix": ["a", "b"]}


def _challenge(**fields) -> dict:
    return {
        "id": "chal_essai",
        "type": "QROC",
        "instruction": "En quelle année ?",
        "proposals": "Année : ${annee}",
        "solution": "2024",
        "t1Status": "Activé",
        "t2Status": "Activé",
        "t3Status": "Activé",
        "status": "validé",
        "format": "mots",
        **fields,
    }


@pytest.mark.parametrize(
    ("fields", "faults"),
    [
        ({}, ["« 2025 » (un chiffre de différence avec « 2024 ») est accepté"]),
        ({"format": "nombre"}, []),
        ({"t3Status": "Désactivé"}, []),
        ({"solution": "CNIL\nla CNIL"}, []),
        (
            {"proposals": '${choix options=["oui","non"]}', "solution": "oui\nnon"},
            ["la liste « choix » n'a aucune option fausse"],
        ),
        (
            {
                "type": "QROCM-ind",
                "proposals": "Nom : ${nom}\nAnnée : ${annee}",
                "solution": "nom:\n- Ada\nannee:\n- 1843",
            },
            ["« 1844 » (un chiffre de différence avec « 1843 ») est accepté"],
        ),
    ],
)
def test_qroc_sanity_catches_tolerance_holes(fields, faults):
    found = _qroc_faults(_challenge(**fields))
    assert [fault.split(" : format")[0] for fault in found] == faults
