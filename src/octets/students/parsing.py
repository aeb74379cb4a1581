"""Reading pupil files: the SIECLE export (zip or XML), the SIECLE CSV template and FREGATA CSV.

Pure reading, no database: a file goes in, pupils (``LearnerRecord``) and every problem found
(``ImportProblem``, French message + Pix's error code + where) come out. The caller decides.

XML is streamed with lxml ``iterparse`` (no DTD, no entity, no network, no huge tree); a DOCTYPE
is refused outright, each pupil's element is cleared once read, so memory does not follow the
file size. Read pupils go to a temporary file (``RecordFile``) rather than a list: a SIECLE
export gives the classes at its end, so every pupil must be kept until then, and only each
pupil's INE and SIECLE id stay in memory meanwhile. The encoding is the one the XML
declaration names (ISO-8859-15 in real exports).
Zips are checked before anything is decompressed (one XML inside, sizes, compression ratio) and
decompression is counted as it streams, since an archive can lie about its sizes.
"""

import codecs
import csv
import io
import marshal
import os
import re
import tempfile
import unicodedata
import weakref
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass, field
from datetime import date, datetime
from itertools import islice
from sys import intern

from django.conf import settings
from django.utils.translation import gettext as _
from lxml import etree

MB = 1024 * 1024


def max_upload_bytes() -> int:
    return settings.OCTETS_IMPORT_MAX_UPLOAD_MB * MB


def max_uncompressed_bytes() -> int:
    return settings.OCTETS_IMPORT_MAX_UNCOMPRESSED_MB * MB


def max_compression_ratio() -> int:
    return settings.OCTETS_IMPORT_MAX_COMPRESSION_RATIO


# --- results --------------------------------------------------------------------------------------


@dataclass
class ImportProblem:
    code: str
    message: str
    ine: str | None = None
    line: int | None = None
    column: str | None = None

    def as_dict(self) -> dict:
        return {k: v for k, v in asdict(self).items() if v is not None}


@dataclass(slots=True)
class LearnerRecord:
    national_student_id: str
    first_name: str = ""
    middle_name: str = ""
    third_name: str = ""
    last_name: str = ""
    preferred_last_name: str = ""
    sex: str = ""
    birthdate: date | None = None
    birth_city: str = ""
    birth_city_code: str = ""
    birth_province_code: str = ""
    birth_country_code: str = ""
    mef_code: str = ""
    status: str = ""
    division: str = ""


WRITTEN_FIELDS = tuple(LearnerRecord.__slots__)
WRITTEN_TEXT = tuple(f for f in WRITTEN_FIELDS if f != "birthdate")
XML_LABELS = {
    "national_student_id": "ID_NATIONAL",
    "first_name": "PRENOM",
    "middle_name": "PRENOM2",
    "third_name": "PRENOM3",
    "last_name": "NOM_DE_FAMILLE",
    "preferred_last_name": "NOM_USAGE",
    "sex": "CODE_SEXE",
    "birth_city": "VILLE_NAISS",
    "birth_city_code": "CODE_COMMUNE_INSEE_NAISS",
    "birth_province_code": "CODE_DEPARTEMENT_NAISS",
    "birth_country_code": "CODE_PAYS",
    "mef_code": "CODE_MEF",
    "status": "CODE_STATUT",
    "division": "CODE_STRUCTURE",
}


class _TupleFile:
    """Tuples of str/int/None appended to an anonymous temporary file, read back in order.

    Written ``CHUNK`` tuples at a time with ``marshal`` (C speed; the file never outlives this
    process). Each reading keeps its own offsets, so several can run at once. Fewer tuples than
    one chunk never touch the disk.
    """

    CHUNK = 1000

    def __init__(self):
        self._fd: int | None = None
        self._size = 0
        self._chunks: list[tuple[int, int]] = []  # (offset, size) of each written chunk
        self._pending: list[tuple] = []
        self._length = 0

    def append(self, row: tuple) -> None:
        self._pending.append(row)
        self._length += 1
        if len(self._pending) >= self.CHUNK:
            self._flush()

    def _flush(self) -> None:
        if self._fd is None:
            fd, path = tempfile.mkstemp(prefix="octets-pupils-")
            os.unlink(path)  # nothing is left behind, whatever happens next
            self._fd = fd
            weakref.finalize(self, os.close, fd)
        data = memoryview(marshal.dumps(self._pending))
        offset = self._size
        while data:
            written = os.pwrite(self._fd, data, offset)
            data, offset = data[written:], offset + written
        self._chunks.append((self._size, offset - self._size))
        self._size = offset
        self._pending = []

    def __len__(self) -> int:
        return self._length

    def __iter__(self) -> Iterator[tuple]:
        for offset, size in list(self._chunks):
            # Bytes this process wrote to a file no one else can open (unlinked at creation).
            yield from marshal.loads(os.pread(self._fd, size, offset))  # noqa: S302
        yield from list(self._pending)


BIRTHDATE_INDEX = WRITTEN_FIELDS.index("birthdate")
DIVISION_ROW_INDEX = WRITTEN_FIELDS.index("division") + 1  # in (ELEVE_ID, *row)


def _record_row(record: LearnerRecord) -> tuple:
    row = [getattr(record, name) for name in WRITTEN_FIELDS]
    if row[BIRTHDATE_INDEX] is not None:
        row[BIRTHDATE_INDEX] = row[BIRTHDATE_INDEX].toordinal()
    return tuple(row)


def _row_record(row: tuple) -> LearnerRecord:
    record = LearnerRecord(*row)
    if record.birthdate is not None:
        record.birthdate = date.fromordinal(record.birthdate)
    return record


class RecordFile:
    """The pupils read from a file, kept on disk: a sequence with ``len()`` that can be walked
    any number of times, whatever the number of pupils (memory holds one chunk at a time)."""

    def __init__(self, records: Iterable[LearnerRecord] = ()):
        self._rows = _TupleFile()
        for record in records:
            self.append(record)

    def append(self, record: LearnerRecord) -> None:
        self._rows.append(_record_row(record))

    def _append_row(self, row: tuple) -> None:
        self._rows.append(row)

    def __len__(self) -> int:
        return len(self._rows)

    def __iter__(self) -> Iterator[LearnerRecord]:
        return map(_row_record, self._rows)

    def __getitem__(self, index: int) -> LearnerRecord:
        if index < 0:
            index += len(self)
        if not 0 <= index < len(self):
            raise IndexError(index)
        return next(islice(self, index, None))


@dataclass
class ParseResult:
    file_format: str = ""
    encoding: str = ""
    records: RecordFile = field(default_factory=RecordFile)
    problems: list[ImportProblem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


class FileRejected(Exception):
    """The file cannot be read at all (one problem, nothing else to report)."""

    def __init__(self, problem: ImportProblem):
        super().__init__(problem.message)
        self.problem = problem


def _invalid_file(detail: str) -> FileRejected:
    return FileRejected(
        ImportProblem(
            "INVALID_FILE", _("Le fichier n'est pas conforme : %(detail)s") % {"detail": detail}
        )
    )


# --- opening what was uploaded ----------------------------------------------------------------------

ZIP_MAGIC = b"PK\x03\x04"
# Folders and file not starting with a dot, ending in .xml: leaves out __MACOSX/._x.xml artefacts.
ZIP_XML_ENTRY = re.compile(r"^([^./][^/]*/)*[^./][^/]*\.xml$", re.IGNORECASE)


class _CountingReader(io.RawIOBase):
    """Reads a decompressing stream and stops once more than ``limit`` bytes came out."""

    def __init__(self, raw, limit: int):
        self.raw, self.limit, self.count = raw, limit, 0

    def readable(self):
        return True

    def readinto(self, buffer):
        data = self.raw.read(len(buffer))
        self.count += len(data)
        if self.count > self.limit:
            raise FileRejected(
                ImportProblem(
                    "ZIP_TOO_LARGE",
                    _("Le fichier contenu dans l'archive dépasse %(max)s Mo une fois décompressé.")
                    % {"max": max_uncompressed_bytes() // MB},
                )
            )
        buffer[: len(data)] = data
        return len(data)


def _zip_xml_entry(archive: zipfile.ZipFile) -> zipfile.ZipInfo:
    xml_entries = [
        info
        for info in archive.infolist()
        if not info.is_dir() and ZIP_XML_ENTRY.match(info.filename)
    ]
    if len(xml_entries) != 1:
        names = ", ".join(info.filename for info in xml_entries)
        raise FileRejected(
            ImportProblem(
                "INVALID_FILE",
                _(
                    "L'archive zip doit contenir exactement un fichier XML (trouvés : %(count)s%(names)s)."
                )
                % {"count": len(xml_entries), "names": f" — {names}" if names else ""},
            )
        )
    info = xml_entries[0]
    if info.file_size > max_uncompressed_bytes():
        raise FileRejected(
            ImportProblem(
                "ZIP_TOO_LARGE",
                _("Le fichier contenu dans l'archive dépasse %(max)s Mo une fois décompressé.")
                % {"max": max_uncompressed_bytes() // MB},
            )
        )
    if info.compress_size and info.file_size / info.compress_size > max_compression_ratio():
        raise FileRejected(
            ImportProblem(
                "ZIP_BOMB",
                _(
                    "L'archive est anormalement compressée (plus de %(ratio)s fois) : elle est refusée par sécurité."
                )
                % {"ratio": max_compression_ratio()},
            )
        )
    return info


def sniff_format(head: bytes) -> str:
    """``zip``, ``xml`` or ``csv`` from the first bytes (the file name is not trusted)."""
    if head.startswith(ZIP_MAGIC):
        return "zip"
    stripped = head.removeprefix(codecs.BOM_UTF8).lstrip()
    if stripped.startswith(b"<"):
        return "xml"
    if not stripped:
        raise FileRejected(ImportProblem("EMPTY_FILE", _("Le fichier est vide.")))
    if b"\x00" in head[:4096]:
        raise _invalid_file(_("ce n'est ni un fichier XML, ni une archive zip, ni un fichier CSV."))
    return "csv"


# --- SIECLE XML -------------------------------------------------------------------------------------

ENCODING_DECLARATION = re.compile(rb"""^<\?xml[^>]*?encoding\s*=\s*["']([A-Za-z0-9._:-]+)["']""")
DATE_DDMMYYYY = re.compile(r"^(\d{2})/(\d{2})/(\d{4})$")
SEX_CODES = {"1": "M", "2": "F"}


def declared_encoding(head: bytes) -> str:
    """The encoding the XML declaration names (UTF-8 when none); refused if unknown."""
    match = ENCODING_DECLARATION.match(head.removeprefix(codecs.BOM_UTF8).lstrip())
    label = match.group(1).decode("ascii") if match else "UTF-8"
    try:
        codecs.lookup(label)
    except LookupError:
        raise FileRejected(
            ImportProblem(
                "ENCODING_NOT_SUPPORTED",
                _("Encodage du fichier non supporté : « %(encoding)s ».") % {"encoding": label},
            )
        ) from None
    return label.upper()


def _strict_date(value: str) -> date | None:
    match = DATE_DDMMYYYY.match(value)
    if not match:
        return None
    day, month, year = (int(part) for part in match.groups())
    try:
        return date(year, month, day)
    except ValueError:
        return None


def _text(value) -> str:
    return (value or "").strip()


class SiecleXmlReader:
    """One streamed pass: UAJ, then the ELEVE elements, then the STRUCTURES_ELEVE elements.

    A pupil read is written to a temporary file at once; memory keeps its INE (to refuse a
    repeated one) and its ELEVE_ID with its class, which the STRUCTURES part gives at the end.
    """

    TAGS = ("UAJ", "ELEVE", "STRUCTURES_ELEVE", "OPTION")

    def __init__(self, expected_uai: str | None):
        self.expected_uai = expected_uai
        self.uai: str | None = None
        self.uai_checked = False
        self.problems: list[ImportProblem] = []
        self.read_pupils = _TupleFile()  # (ELEVE_ID, *record row), in file order
        self.divisions: dict[str, str] = {}  # ELEVE_ID -> class ("" until STRUCTURES gives it)
        self.repeated_ids: set[str] = set()  # ELEVE_IDs of several pupils: the last one counts
        self.seen_ines: set[str] = set()

    def _problem(self, code: str, message: str, ine: str | None = None) -> None:
        if ine:
            message = _("Élève INE %(ine)s : %(message)s") % {"ine": ine, "message": message}
        self.problems.append(ImportProblem(code, message, ine=ine or None))

    def _check_uai(self) -> None:
        if self.uai_checked:
            return
        self.uai_checked = True
        if self.expected_uai is not None and self.uai != self.expected_uai:
            # Nothing else of another school's file is read.
            raise FileRejected(
                ImportProblem(
                    "UAI_MISMATCHED",
                    _(
                        "L'UAI du fichier SIECLE (%(file_uai)s) ne correspond pas à celui de votre établissement (%(uai)s)."
                    )
                    % {"file_uai": self.uai or _("absent"), "uai": self.expected_uai},
                )
            )

    def read(self, stream) -> None:
        context = etree.iterparse(
            stream,
            events=("end",),
            tag=self.TAGS,
            resolve_entities=False,
            no_network=True,
            load_dtd=False,
            huge_tree=False,
            remove_comments=True,
            remove_pis=True,
        )
        root_checked = False
        try:
            for _event, element in context:
                if not root_checked:
                    # The DOCTYPE, if any, was read before the first element ended.
                    root_checked = True
                    self._check_root(element.getroottree().getroot())
                tag = element.tag
                if tag == "ELEVE":
                    self._check_uai()
                    self._read_eleve(element)
                elif tag == "STRUCTURES_ELEVE":
                    self._check_uai()
                    self._read_structures(element)
                elif tag == "UAJ":
                    parent = element.getparent()
                    if parent is not None and parent.tag == "PARAMETRES":
                        self.uai = _text(element.text)
                    continue
                elif tag != "OPTION":
                    continue
                # Free what was read: the element and the siblings before it.
                element.clear(keep_tail=False)
                parent = element.getparent()
                if parent is not None:
                    while element.getprevious() is not None:
                        del parent[0]
        except etree.XMLSyntaxError as exc:
            message = str(exc.msg or exc)
            if "encoding" in message.lower() or "utf-8" in message.lower():
                self.problems.append(
                    ImportProblem(
                        "ENCODING_MISMATCHED",
                        _(
                            "Le contenu du fichier ne correspond pas à l'encodage qu'il déclare (ligne %(line)s)."
                        )
                        % {"line": exc.lineno},
                        line=exc.lineno,
                    )
                )
            else:
                self.problems.append(
                    ImportProblem(
                        "INVALID_FILE",
                        _("Le fichier n'est pas conforme : XML mal formé à la ligne %(line)s.")
                        % {"line": exc.lineno},
                        line=exc.lineno,
                    )
                )
            return
        if not root_checked and context.root is not None:
            self._check_root(context.root)
        self._check_uai()

    def _check_root(self, root) -> None:
        docinfo = root.getroottree().docinfo
        if docinfo.doctype or docinfo.internalDTD is not None:
            raise FileRejected(
                ImportProblem(
                    "INVALID_FILE",
                    _(
                        "Le fichier n'est pas conforme : il contient une déclaration DOCTYPE, refusée par sécurité."
                    ),
                )
            )
        if root.tag != "BEE_ELEVES":
            raise _invalid_file(
                _("l'élément racine est « %(tag)s » au lieu de « BEE_ELEVES ».") % {"tag": root.tag}
            )

    def _read_eleve(self, element) -> None:
        values: dict[str, str] = {}
        for child in element:
            tag = child.tag
            if tag not in values:  # the first one counts
                values[tag] = _text(child.text)
        if values.get("DATE_SORTIE") or "ID_NATIONAL" not in values:
            return  # left the school, or not arrived yet: skipped silently
        ine = values["ID_NATIONAL"]
        if not ine:
            self._problem("INE_REQUIRED", _("Le champ INE est obligatoire pour chaque élève."))
            return
        if ine in self.seen_ines:
            self._problem(
                "INE_UNIQUE",
                _("l'INE est présent plusieurs fois dans le fichier pour plusieurs élèves."),
                ine,
            )
            return
        self.seen_ines.add(ine)
        record = LearnerRecord(
            national_student_id=ine,
            first_name=values.get("PRENOM", ""),
            middle_name=values.get("PRENOM2", ""),
            third_name=values.get("PRENOM3", ""),
            last_name=values.get("NOM_DE_FAMILLE", ""),
            preferred_last_name=values.get("NOM_USAGE", ""),
            sex=SEX_CODES.get(values.get("CODE_SEXE", ""), ""),
            # Codes and cities repeat from pupil to pupil: one string each in memory.
            birth_city=intern(values.get("VILLE_NAISS", "")),
            birth_city_code=intern(values.get("CODE_COMMUNE_INSEE_NAISS", "")),
            birth_province_code=intern(values.get("CODE_DEPARTEMENT_NAISS", "")),
            birth_country_code=intern(values.get("CODE_PAYS", "")),
            mef_code=intern(values.get("CODE_MEF", "")),
            status=intern(values.get("CODE_STATUT", "")),
        )
        too_long = [XML_LABELS[name] for name in WRITTEN_TEXT if len(getattr(record, name)) > 255]
        if too_long:
            self._problem(
                "FIELD_MAX_LENGTH",
                _("255 caractères au plus dans %(fields)s.") % {"fields": ", ".join(too_long)},
                ine,
            )
        if not record.first_name:
            self._problem("FIRST_NAME_REQUIRED", _("le prénom est obligatoire."), ine)
        if not record.last_name:
            self._problem("LAST_NAME_REQUIRED", _("le nom de famille est obligatoire."), ine)
        if not values.get("CODE_SEXE"):
            self._problem("SEX_CODE_REQUIRED", _("le champ sexe est obligatoire."), ine)
        raw_birthdate = values.get("DATE_NAISS", "")
        if not raw_birthdate:
            self._problem("BIRTHDATE_REQUIRED", _("la date de naissance est obligatoire."), ine)
        else:
            record.birthdate = _strict_date(raw_birthdate)
            if record.birthdate is None:
                self._problem(
                    "INVALID_BIRTHDATE_FORMAT",
                    _("la date de naissance « %(value)s » n'est pas au format JJ/MM/AAAA.")
                    % {"value": raw_birthdate},
                    ine,
                )
        if record.birth_country_code == "100" and not record.birth_city_code:
            self._problem(
                "BIRTH_CITY_CODE_REQUIRED_FOR_FR_STUDENT",
                _("le code commune de naissance est obligatoire pour un élève né en France."),
                ine,
            )
        eleve_id = element.get("ELEVE_ID", "")
        if eleve_id in self.divisions:
            self.repeated_ids.add(eleve_id)
        self.divisions[eleve_id] = ""
        self.read_pupils.append((eleve_id, *_record_row(record)))

    def _read_structures(self, element) -> None:
        eleve_id = element.get("ELEVE_ID", "")
        if eleve_id not in self.divisions:
            return
        for structure in element:
            if structure.tag != "STRUCTURE":
                continue
            code = type_ = ""
            for child in structure:
                if child.tag == "CODE_STRUCTURE":
                    code = _text(child.text)
                elif child.tag == "TYPE_STRUCTURE":
                    type_ = _text(child.text)
            if type_ == "D" and code and code != "Inactifs":
                self.divisions[eleve_id] = intern(code)  # the last division wins

    def records(self) -> RecordFile:
        """The pupils with their class, in file order. Pupils without a class are dropped
        (their errors were already counted). When several pupils share an ELEVE_ID, the last
        one read replaces the others, at the place of the first."""
        last_of_id = {}
        if self.repeated_ids:
            for row in self.read_pupils:
                if row[0] in self.repeated_ids:
                    last_of_id[row[0]] = row
        records = RecordFile()
        for row in self.read_pupils:
            eleve_id = row[0]
            if eleve_id in last_of_id:
                row = last_of_id.pop(eleve_id)
            elif eleve_id in self.repeated_ids:
                continue  # already given, at the place of the first
            division = self.divisions[eleve_id]
            if division:
                records._append_row(
                    (*row[1:DIVISION_ROW_INDEX], division, *row[DIVISION_ROW_INDEX + 1 :])
                )
        return records


def parse_siecle_xml(stream, *, expected_uai: str | None, head: bytes) -> ParseResult:
    result = ParseResult(encoding=declared_encoding(head))
    reader = SiecleXmlReader(expected_uai)
    reader.read(stream)
    result.problems = reader.problems
    result.records = reader.records()
    return result


# --- CSV (SIECLE template, FREGATA) -------------------------------------------------------------


@dataclass(frozen=True)
class Column:
    label: str
    attribute: str
    required: bool = False


SIECLE_CSV_COLUMNS = (
    Column("Identifiant unique", "national_student_id", True),
    Column("Premier prénom", "first_name", True),
    Column("Deuxième prénom", "middle_name"),
    Column("Troisième prénom", "third_name"),
    Column("Nom de famille", "last_name", True),
    Column("Nom d'usage", "preferred_last_name"),
    Column("Code sexe", "sex", True),
    Column("Date de naissance (jj/mm/aaaa)", "birthdate", True),
    Column("Code commune naissance", "birth_city_code"),
    Column("Libellé commune naissance", "birth_city"),
    Column("Code département naissance", "birth_province_code", True),
    Column("Code pays naissance", "birth_country_code", True),
    Column("Statut", "status", True),
    Column("Code MEF", "mef_code", True),
    Column("Division", "division", True),
)
# FREGATA (agricultural schools): same columns, the pupil identifier is the national one and the
# sex column is named "Sexe".
FREGATA_CSV_COLUMNS = (
    Column("Identifiant national", "national_student_id", True),
    *(Column("Sexe", "sex", True) if c.attribute == "sex" else c for c in SIECLE_CSV_COLUMNS[1:]),
)
CSV_CHECK_COLUMN = "premier prénom"
CSV_ENCODINGS = ("utf-8-sig", "cp1252", "mac_roman")
CSV_SEX = {"féminin": "F", "masculin": "M", "f": "F", "m": "M"}
COUNTRY_CODE = re.compile(r"^99[1-5]\d\d$")
INSEE_CODE = re.compile(r"^(\d{5}|\d[abAB]\d{3})$")
SPACES = re.compile(r"\s+")


def _header_key(label: str) -> str:
    return SPACES.sub(" ", label.replace("*", "")).strip().casefold()


def _decode_csv(data: bytes) -> tuple[str, str]:
    for encoding in CSV_ENCODINGS:
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        first_line = text.split("\n", 1)[0]
        if CSV_CHECK_COLUMN in _header_key(first_line):
            return text, "UTF-8" if encoding == "utf-8-sig" else encoding.upper()
    raise FileRejected(
        ImportProblem(
            "ENCODING_NOT_SUPPORTED",
            _(
                "Encodage du fichier non supporté, ou colonne « Premier prénom » absente : enregistrez le fichier en UTF-8."
            ),
        )
    )


def parse_csv(data: bytes) -> ParseResult:
    text, encoding = _decode_csv(data)
    first_line = text.split("\n", 1)[0]
    delimiter = ";" if first_line.count(";") >= first_line.count(",") else ","
    rows = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        header = next(rows)
    except (StopIteration, csv.Error):
        raise FileRejected(
            ImportProblem("BAD_CSV_FORMAT", _("Le fichier CSV est mal formé."))
        ) from None
    if len(header) < 2:
        raise FileRejected(
            ImportProblem(
                "BAD_CSV_FORMAT",
                _(
                    "Le fichier CSV doit séparer ses colonnes par des points-virgules ou des virgules."
                ),
            )
        )
    keys = [_header_key(label) for label in header]
    is_fregata = _header_key("Identifiant national") in keys
    columns = FREGATA_CSV_COLUMNS if is_fregata else SIECLE_CSV_COLUMNS
    result = ParseResult(
        file_format="fregata-csv" if is_fregata else "siecle-csv", encoding=encoding
    )
    known = {_header_key(c.label): c for c in columns}
    for label, key in zip(header, keys, strict=True):
        if key not in known:
            result.problems.append(
                ImportProblem(
                    "HEADER_UNKNOWN",
                    _("La colonne « %(field)s » n'est pas reconnue.") % {"field": label.strip()},
                    column=label.strip(),
                )
            )
    for column in columns:
        if column.required and _header_key(column.label) not in keys:
            result.problems.append(
                ImportProblem(
                    "HEADER_REQUIRED",
                    _("La colonne « %(field)s » est obligatoire.") % {"field": column.label},
                    column=column.label,
                )
            )
    if result.problems:
        return result
    positions = [
        (keys.index(_header_key(c.label)), c) for c in columns if _header_key(c.label) in keys
    ]
    seen: set[str] = set()
    try:
        for index, row in enumerate(rows):
            if not any(cell.strip() for cell in row):
                continue
            line = index + 2
            values = {c.attribute: (row[i].strip() if i < len(row) else "") for i, c in positions}
            labels = {c.attribute: c.label for c in columns}
            record = _csv_record(values, labels, line, result.problems, seen)
            if record is not None:
                result.records.append(record)
    except csv.Error as exc:
        result.problems.append(
            ImportProblem(
                "BAD_CSV_FORMAT", _("Le fichier CSV est mal formé : %(detail)s") % {"detail": exc}
            )
        )
    return result


def _csv_record(values, labels, line, problems, seen) -> LearnerRecord | None:
    before = len(problems)

    def problem(code: str, attribute: str, message: str) -> None:
        column = labels[attribute]
        problems.append(
            ImportProblem(
                code,
                _("Ligne %(line)s, colonne « %(column)s » : %(message)s")
                % {"line": line, "column": column, "message": message},
                line=line,
                column=column,
                ine=values.get("national_student_id") or None,
            )
        )

    for attribute, value in values.items():
        if len(value) > 255:
            problem("FIELD_MAX_LENGTH", attribute, _("255 caractères au plus."))
    for attribute in (
        "national_student_id",
        "first_name",
        "last_name",
        "sex",
        "birthdate",
        "birth_province_code",
        "birth_country_code",
        "status",
        "mef_code",
        "division",
    ):
        if not values.get(attribute):
            problem("FIELD_REQUIRED", attribute, _("le champ est obligatoire."))
    ine = values.get("national_student_id", "")
    if ine:
        if ine in seen:
            problem(
                "IDENTIFIER_UNIQUE",
                "national_student_id",
                _("cet identifiant est déjà présent plus haut dans le fichier."),
            )
        seen.add(ine)
    sex = CSV_SEX.get(values.get("sex", "").casefold(), "")
    if values.get("sex") and not sex:
        problem("FIELD_BAD_VALUES", "sex", _("valeurs possibles : Féminin, Masculin."))
    birthdate = None
    if raw := values.get("birthdate"):
        for pattern in ("%d/%m/%Y", "%d/%m/%y"):
            try:
                birthdate = datetime.strptime(raw, pattern).date()
                break
            except ValueError:
                continue
        if birthdate is None:
            problem("FIELD_DATE_FORMAT", "birthdate", _("la date doit être au format JJ/MM/AAAA."))
    province = values.get("birth_province_code", "")
    if province and not 2 <= len(province) <= 3:
        problem("FIELD_LENGTH", "birth_province_code", _("2 ou 3 caractères attendus."))
    country = values.get("birth_country_code", "")
    if country and not COUNTRY_CODE.match(country):
        problem(
            "FIELD_BAD_VALUES",
            "birth_country_code",
            _("code INSEE de pays à 5 chiffres attendu (99100 pour la France)."),
        )
    status = values.get("status", "")
    if status and status not in ("ST", "AP"):
        problem("FIELD_BAD_VALUES", "status", _("valeurs possibles : ST, AP."))
    city_code = values.get("birth_city_code", "")
    if country == "99100":
        if not city_code:
            problem(
                "FIELD_REQUIRED", "birth_city_code", _("obligatoire pour un élève né en France.")
            )
        elif not INSEE_CODE.match(city_code):
            problem("INSEE_CODE_INVALID", "birth_city_code", _("code INSEE de commune invalide."))
    elif country and not values.get("birth_city"):
        problem("FIELD_REQUIRED", "birth_city", _("obligatoire pour un élève né à l'étranger."))
    if len(problems) > before:
        return None
    return LearnerRecord(
        national_student_id=ine,
        first_name=values.get("first_name", ""),
        middle_name=values.get("middle_name", ""),
        third_name=values.get("third_name", ""),
        last_name=values.get("last_name", ""),
        preferred_last_name=values.get("preferred_last_name", ""),
        sex=sex,
        birthdate=birthdate,
        birth_city=values.get("birth_city", ""),
        birth_city_code=city_code,
        birth_province_code=province,
        birth_country_code=country[-3:],
        mef_code=values.get("mef_code", ""),
        status=status,
        division=SPACES.sub(" ", values.get("division", "")).strip(),
    )


# --- entry point ------------------------------------------------------------------------------------


def parse_learner_file(path, *, expected_uai: str | None) -> ParseResult:
    """Read a stored upload (zip, XML or CSV) and return its pupils and every problem found."""
    try:
        return _parse(path, expected_uai=expected_uai)
    except FileRejected as rejected:
        return ParseResult(problems=[rejected.problem])


def _parse(path, *, expected_uai) -> ParseResult:
    with open(path, "rb") as handle:
        head = handle.read(4096)
        kind = sniff_format(head)
        handle.seek(0)
        if kind == "csv":
            result = parse_csv(handle.read())
        elif kind == "xml":
            result = parse_siecle_xml(handle, expected_uai=expected_uai, head=head)
            result.file_format = "siecle-xml"
        else:
            result = _parse_zip(handle, expected_uai=expected_uai)
            result.file_format = "siecle-zip"
    if not result.problems and not result.records:
        result.problems.append(
            ImportProblem(
                "EMPTY",
                _(
                    "Aucun élève à importer : les élèves doivent avoir un INE et une classe, et ne pas avoir quitté l'établissement."
                ),
            )
        )
    return result


def _parse_zip(handle, *, expected_uai) -> ParseResult:
    try:
        archive = zipfile.ZipFile(handle)
    except (zipfile.BadZipFile, OSError, ValueError):
        raise _invalid_file(_("l'archive zip est illisible.")) from None
    with archive:
        info = _zip_xml_entry(archive)
        try:
            with archive.open(info) as raw:
                head = raw.read(4096)
            with archive.open(info) as raw:
                stream = io.BufferedReader(_CountingReader(raw, max_uncompressed_bytes()), 1 << 16)
                if not head.removeprefix(codecs.BOM_UTF8).lstrip().startswith(b"<"):
                    raise _invalid_file(_("le fichier de l'archive n'est pas du XML."))
                return parse_siecle_xml(stream, expected_uai=expected_uai, head=head)
        except (zipfile.BadZipFile, EOFError, NotImplementedError, RuntimeError):
            raise _invalid_file(_("l'archive zip est illisible ou chiffrée.")) from None


def iter_records(result: ParseResult) -> Iterator[LearnerRecord]:
    yield from result.records


def normalize_name(value: str) -> str:
    """Lower case, no accent, letters and digits only (œ → oe): for usernames and matching."""
    value = value.casefold().replace("œ", "oe").replace("æ", "ae").replace("ß", "ss")
    value = unicodedata.normalize("NFD", value)
    return "".join(ch for ch in value if ch.isascii() and ch.isalnum())
