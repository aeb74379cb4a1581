"""Reading SIECLE XML/zip and CSV files: Pix's selection and mapping rules, every error at once,
bad and hostile files. No database."""

import io
import zipfile
from datetime import date

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from octets.students import generator
from octets.students.parsing import (
    FileRejected,
    _CountingReader,
    normalize_name,
    parse_learner_file,
)
from tests.students import files
from tests.students.files import UAI, eleve, siecle, structure


@pytest.fixture
def parse(tmp_path):
    def run(data: bytes, *, uai: str | None = UAI, name="upload"):
        path = tmp_path / name
        path.write_bytes(data)
        return parse_learner_file(path, expected_uai=uai)

    return run


def codes(result):
    return [p.code for p in result.problems]


# --- the happy path and the mapping ---------------------------------------------------------------


def test_two_valid_pupils_are_mapped_as_pix_does(parse):
    result = parse(files.two_pupils())
    assert result.ok, result.problems
    assert result.encoding == "ISO-8859-15"
    assert result.file_format == "siecle-xml"
    first, second = result.records
    assert first.national_student_id == "123456789AB"
    assert (first.first_name, first.middle_name, first.last_name) == ("Chloé", "Anaïs", "CŒURDEVEY")
    assert first.sex == "F"
    assert first.birthdate == date(2012, 3, 14)
    assert (first.birth_country_code, first.birth_city_code, first.birth_province_code) == (
        "100",
        "75056",
        "075",
    )
    assert (first.mef_code, first.status, first.division) == ("10010012110", "ST", "4A")
    # Born abroad, NOM_USAGE empty, a G group then the D division.
    assert second.last_name == "ŒHMICHEN"
    assert second.preferred_last_name == ""
    assert (second.birth_country_code, second.birth_city) == ("132", "LONDRES")
    assert second.division == "4B"


@pytest.mark.parametrize(
    ("encoding", "codec", "bom"),
    [("ISO-8859-15", "iso8859_15", False), ("UTF-8", "utf-8", False), ("UTF-8", "utf-8", True)],
    ids=["iso-8859-15", "utf-8", "utf-8-bom"],
)
def test_encodings_keep_oe_and_euro(parse, encoding, codec, bom):
    data = siecle(
        [eleve(first="Œdipe €", last="LŒUILLET")],
        [structure("1", ("3A", "D"))],
        encoding=encoding,
        codec=codec,
        bom=bom,
    )
    result = parse(data)
    assert result.ok, result.problems
    assert (result.records[0].first_name, result.records[0].last_name) == ("Œdipe €", "LŒUILLET")


def test_skipped_pupils_are_silent(parse):
    """Left (DATE_SORTIE), no ID_NATIONAL, only Inactifs, only a G group, no structure."""
    data = siecle(
        [
            eleve("1", ine="A1", left="01/10/2026"),
            eleve("2", ine=None),
            eleve("3", ine="A3"),
            eleve("4", ine="A4"),
            eleve("5", ine="A5"),
        ],
        [
            structure("1", ("4A", "D")),
            structure("2", ("4A", "D")),
            structure("3", ("Inactifs", "D")),
            structure("4", ("G1", "G")),
        ],
    )
    result = parse(data)
    assert codes(result) == ["EMPTY"]
    assert "INE et une classe" in result.problems[0].message


def test_the_last_division_wins(parse):
    data = siecle([eleve("1")], [structure("1", ("4A", "D"), ("Inactifs", "D"), ("4C", "D"))])
    assert parse(data).records[0].division == "4C"


def test_sex_codes_map_to_m_f_or_nothing(parse):
    data = siecle(
        [
            eleve("1", ine="A1", sex="1"),
            eleve("2", ine="A2", sex="2"),
            eleve("3", ine="A3", sex="9"),
        ],
        [structure(str(n), ("4A", "D")) for n in (1, 2, 3)],
    )
    assert [r.sex for r in parse(data).records] == ["M", "F", ""]


# --- validation: every error, each with the pupil --------------------------------------------------


def test_every_error_is_collected_with_the_ine(parse):
    data = siecle(
        [
            eleve("1", ine=""),
            eleve("2", ine="DUP"),
            eleve("3", ine="DUP"),
            eleve("4", ine="NOSEX", sex=""),
            eleve("5", ine="NOBIRTH", born=""),
            eleve("6", ine="BADBIRTH", born="31/02/2012"),
            eleve("7", ine="NOCITY", country="100", city_code=""),
            eleve("8", ine="NONAME", first="", last=""),
            eleve("9", ine="TWO", sex="", born=""),
        ],
        [structure(str(n), ("4A", "D")) for n in range(1, 10)],
    )
    result = parse(data)
    assert codes(result) == [
        "INE_REQUIRED",
        "INE_UNIQUE",
        "SEX_CODE_REQUIRED",
        "BIRTHDATE_REQUIRED",
        "INVALID_BIRTHDATE_FORMAT",
        "BIRTH_CITY_CODE_REQUIRED_FOR_FR_STUDENT",
        "FIRST_NAME_REQUIRED",
        "LAST_NAME_REQUIRED",
        "SEX_CODE_REQUIRED",
        "BIRTHDATE_REQUIRED",
    ]
    by_code = {p.code: p for p in result.problems}
    assert by_code["INE_UNIQUE"].ine == "DUP"
    assert by_code["INE_UNIQUE"].message.startswith("Élève INE DUP : ")
    assert "31/02/2012" in by_code["INVALID_BIRTHDATE_FORMAT"].message
    assert by_code["BIRTH_CITY_CODE_REQUIRED_FOR_FR_STUDENT"].ine == "NOCITY"


def test_errors_of_pupils_without_a_class_still_count(parse):
    data = siecle([eleve("1", sex="")], [])
    assert codes(parse(data)) == ["SEX_CODE_REQUIRED"]


@pytest.mark.parametrize(
    "uai", ["0750002B", "0750001a", None], ids=["other", "lower-case", "absent"]
)
def test_uai_must_be_the_schools(parse, uai):
    result = parse(files.two_pupils(uai=uai))
    assert codes(result) == ["UAI_MISMATCHED"]
    assert "0750001A" in result.problems[0].message


def test_duplicate_then_truncated_gives_both_errors(parse):
    data = siecle([eleve("1", ine="X"), eleve("2", ine="X")], [])
    truncated = data[: data.index(b"</ELEVES>")] + b"<ELEVE ELEVE_ID='3'><PRENOM>Jo"
    result = parse(truncated)
    assert codes(result) == ["INE_UNIQUE", "INVALID_FILE"]
    assert "ligne" in result.problems[1].message


# --- bad and hostile files ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "code", "words"),
    [
        (b"", "EMPTY_FILE", "vide"),
        (b"   \n", "EMPTY_FILE", "vide"),
        (bytes(range(256)) * 4, "INVALID_FILE", "ni un fichier XML"),
        (files.two_pupils()[:300], "INVALID_FILE", "mal formé"),
        (files.BILLION_LAUGHS, "INVALID_FILE", "DOCTYPE"),
        (files.external_entity("file:///etc/passwd"), "INVALID_FILE", "DOCTYPE"),
        (files.external_entity("http://127.0.0.1:9/x"), "INVALID_FILE", "DOCTYPE"),
        (
            b'<?xml version="1.0" encoding="x-macthai"?><BEE_ELEVES/>',
            "ENCODING_NOT_SUPPORTED",
            "x-macthai",
        ),
        (files.two_pupils(encoding="UTF-8"), "ENCODING_MISMATCHED", "encodage"),
        (b"<?xml version='1.0'?><HTML><BODY/></HTML>", "INVALID_FILE", "BEE_ELEVES"),
    ],
    ids=[
        "empty",
        "blank",
        "binary",
        "truncated",
        "billion-laughs",
        "external-file-entity",
        "external-url-entity",
        "unknown-encoding",
        "latin-9-declared-utf-8",
        "wrong-root",
    ],
)
def test_bad_files_get_their_own_french_error(parse, data, code, words):
    result = parse(data)
    assert codes(result) == [code]
    assert words in result.problems[0].message
    assert not result.records


def test_no_entity_is_expanded_nor_fetched(parse, tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("CONFIDENTIEL")
    result = parse(files.external_entity(secret.as_uri()))
    assert "CONFIDENTIEL" not in repr(result)


# --- zips ----------------------------------------------------------------------------------------


def test_the_zip_as_downloaded_is_read_and_macos_artefacts_ignored(parse):
    result = parse(files.generated_zip(25))
    assert result.ok, result.problems
    assert result.file_format == "siecle-zip"
    assert len(result.records) == 25


@pytest.mark.parametrize(
    ("members", "words"),
    [
        (
            {"a.xml": files.two_pupils(), "b.xml": files.two_pupils()},
            "exactement un fichier XML (trouvés : 2",
        ),
        ({"lisez-moi.txt": b"rien"}, "exactement un fichier XML (trouvés : 0"),
        ({"__MACOSX/._a.xml": b"x", ".cache.xml": b"x"}, "trouvés : 0"),
    ],
    ids=["two-xml", "no-xml", "only-artefacts"],
)
def test_a_zip_must_hold_exactly_one_xml(parse, members, words):
    result = parse(generator.zip_bytes(members))
    assert codes(result) == ["INVALID_FILE"]
    assert words in result.problems[0].message


def test_a_folder_inside_the_zip_is_fine(parse):
    result = parse(generator.zip_bytes({"export/ElevesSansAdresses.xml": files.two_pupils()}))
    assert result.ok


def test_zip_bomb_is_refused_before_inflating(parse):
    result = parse(files.zip_bomb(60))
    assert codes(result) == ["ZIP_BOMB"]


def test_uncompressed_size_limit(parse, settings):
    settings.OCTETS_IMPORT_MAX_UNCOMPRESSED_MB = 1
    result = parse(files.generated_zip(2000))
    assert codes(result) == ["ZIP_TOO_LARGE"]
    assert "1 Mo" in result.problems[0].message


def test_decompression_is_counted_whatever_the_archive_claims(settings):
    settings.OCTETS_IMPORT_MAX_UNCOMPRESSED_MB = 1
    reader = io.BufferedReader(_CountingReader(io.BytesIO(b"x" * (2 * 1024 * 1024)), 1024 * 1024))
    with pytest.raises(FileRejected) as rejected:
        while reader.read(65536):
            pass
    assert rejected.value.problem.code == "ZIP_TOO_LARGE"


def test_a_corrupted_zip_is_invalid(parse):
    data = bytearray(files.generated_zip(5))
    data[40:400] = b"\x00" * 360
    assert codes(parse(bytes(data))) == ["INVALID_FILE"]


def test_a_zip_of_another_school_is_refused(parse):
    assert codes(parse(files.generated_zip(5, uai="0750002B"))) == ["UAI_MISMATCHED"]


# --- CSV ------------------------------------------------------------------------------------------

CSV_HEADER = ";".join(generator.CSV_HEADER)


def csv_file(*rows, header=CSV_HEADER, encoding="utf-8"):
    return ("\n".join([header, *rows]) + "\n").encode(encoding)


GOOD_ROW = "123;Chloé;;;Lœuillet;;Féminin;14/03/2012;75056;Paris;075;99100;ST;10010012110;4  A"


def test_siecle_csv_template(parse):
    result = parse(generator.siecle_csv(count=12))
    assert result.ok, result.problems
    assert result.file_format == "siecle-csv"
    assert len(result.records) == 12


def test_csv_mapping(parse):
    result = parse(csv_file(GOOD_ROW))
    assert result.ok, result.problems
    record = result.records[0]
    assert (record.last_name, record.sex, record.birthdate) == ("Lœuillet", "F", date(2012, 3, 14))
    assert record.birth_country_code == "100"
    assert record.division == "4 A"


def test_csv_in_windows_1252_and_with_commas(parse):
    row = GOOD_ROW.replace("Lœuillet", "Lœuillet").replace(";", ",")
    data = csv_file(row, header=CSV_HEADER.replace(";", ","), encoding="cp1252")
    result = parse(data)
    assert result.ok, result.problems
    assert result.encoding == "CP1252"
    assert result.records[0].last_name == "Lœuillet"


def test_fregata_csv(parse):
    header = CSV_HEADER.replace("Identifiant unique*", "Identifiant national*").replace(
        "Code sexe*", "Sexe*"
    )
    result = parse(csv_file(GOOD_ROW, header=header))
    assert result.ok, result.problems
    assert result.file_format == "fregata-csv"


def test_csv_unknown_and_missing_columns(parse):
    header = CSV_HEADER.replace(";Division*", "").replace("Statut*", "Statut*;Couleur préférée")
    result = parse(csv_file(header=header))
    assert codes(result) == ["HEADER_UNKNOWN", "HEADER_REQUIRED"]
    assert "« Couleur préférée »" in result.problems[0].message
    assert "« Division »" in result.problems[1].message


def test_csv_line_errors_name_line_and_column(parse):
    rows = [
        GOOD_ROW,
        GOOD_ROW,  # same identifier
        "124;;;;Nom;;Autre;31/13/2012;;;0755;99100;XX;M;6A",
        "125;Léo;;;Nom;;Masculin;01/01/2012;;;075;99132;ST;M;6A",
        "126;Léo;;;Nom;;Masculin;01/01/2012;7Z123;;075;99100;ST;M;6A",
    ]
    result = parse(csv_file(*rows))
    found = [(p.code, p.line, p.column) for p in result.problems]
    assert ("IDENTIFIER_UNIQUE", 3, "Identifiant unique") in found
    assert ("FIELD_REQUIRED", 4, "Premier prénom") in found
    assert ("FIELD_BAD_VALUES", 4, "Code sexe") in found
    assert ("FIELD_DATE_FORMAT", 4, "Date de naissance (jj/mm/aaaa)") in found
    assert ("FIELD_LENGTH", 4, "Code département naissance") in found
    assert ("FIELD_BAD_VALUES", 4, "Statut") in found
    assert ("FIELD_REQUIRED", 4, "Code commune naissance") in found
    assert ("FIELD_REQUIRED", 5, "Libellé commune naissance") in found
    assert ("INSEE_CODE_INVALID", 6, "Code commune naissance") in found
    message = next(p.message for p in result.problems if p.code == "FIELD_DATE_FORMAT")
    assert message.startswith("Ligne 4, colonne « Date de naissance (jj/mm/aaaa) » : ")


def test_csv_without_the_check_column_is_an_encoding_problem(parse):
    assert codes(parse("Nom;Prénom\nA;B\n".encode("cp1252"))) == ["ENCODING_NOT_SUPPORTED"]


def test_csv_with_one_column(parse):
    assert codes(parse(b"Premier pr\xc3\xa9nom\nA\n")) == ["BAD_CSV_FORMAT"]


# --- properties -----------------------------------------------------------------------------------

name_text = (
    st.text(
        alphabet=st.characters(codec="iso8859_15", exclude_categories=("Cc", "Cs", "Zs")),
        min_size=1,
        max_size=20,
    )
    .map(str.strip)
    .filter(bool)
)


@settings(max_examples=60, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(first=name_text, last=name_text, day=st.dates(date(1990, 1, 1), date(2025, 12, 31)))
def test_any_latin9_name_and_date_survive_the_round_trip(parse, first, last, day):
    from xml.sax.saxutils import escape

    data = siecle(
        [eleve(first=escape(first), last=escape(last), born=day.strftime("%d/%m/%Y"))],
        [structure("1", ("5B", "D"))],
    )
    result = parse(data)
    assert result.ok, result.problems
    record = result.records[0]
    assert (record.first_name, record.last_name, record.birthdate) == (first, last, day)


@settings(max_examples=80, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.binary(max_size=400))
def test_arbitrary_bytes_never_crash(parse, data):
    result = parse(data)
    assert not result.ok or result.records


@settings(max_examples=40, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(cut=st.integers(min_value=1, max_value=2000))
def test_any_truncation_is_an_error_not_a_crash(parse, cut):
    data = files.two_pupils()
    result = parse(data[: min(cut, len(data) - 20)])
    assert not result.ok


@given(st.text(max_size=30))
def test_normalized_names_are_lower_ascii_alphanumerics(value):
    normalized = normalize_name(value)
    assert normalized == "".join(c for c in normalized if c.isascii() and c.isalnum())
    assert normalized == normalized.lower()


def test_normalize_name_examples():
    assert normalize_name("Jean-Édouard") == "jeanedouard"
    assert normalize_name("Lœuillet") == "loeuillet"
    assert normalize_name("N'Diaye") == "ndiaye"


def test_zip_members_named_like_folders_are_not_xml():
    assert zipfile.is_zipfile(io.BytesIO(files.generated_zip(1)))


def test_over_long_values_are_refused_before_writing(parse):
    data = siecle([eleve("1", first="A" * 256)], [structure("1", ("6A", "D"))])
    result = parse(data)
    assert codes(result) == ["FIELD_MAX_LENGTH"]
    assert "PRENOM" in result.problems[0].message
