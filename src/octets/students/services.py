"""Writes on pupils: the import pipeline (upload → validate + preview → confirm → import) and the
credentials teachers give pupils. Each public function is one transaction.

Two imports never interleave for one school: starting, confirming and writing lock the school
row, and a partial unique constraint allows one running import per school. A rejected file
changes no pupil. Pupils absent from an imported file are disabled, never deleted.

The preview and the writing walk the pupils a chunk at a time, comparing each chunk with the
school's rows of the same INEs: memory holds one chunk, the file's INEs and the first pupils of
each preview list, whatever the number of pupils.
"""

import heapq
import json
import logging
import os
import secrets
import shutil
import string
import tempfile
import uuid
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date
from itertools import islice
from typing import NamedTuple

from django.core.files.base import ContentFile, File
from django.core.files.storage import default_storage
from django.db import IntegrityError, connection, transaction
from django.db.models import BooleanField, Q
from django.db.models.expressions import RawSQL
from django.utils import timezone
from django.utils.translation import gettext as _

from octets.accounts.models import AuthenticationMethod, User
from octets.errors import RuleError
from octets.jobs.services import enqueue_job
from octets.organizations.models import Organization
from octets.students.models import CredentialAction, LearnerImport, OrganizationLearner
from octets.students.parsing import (
    WRITTEN_FIELDS,
    LearnerRecord,
    ParseResult,
    max_upload_bytes,
    normalize_name,
    parse_learner_file,
)

logger = logging.getLogger(__name__)

CHUNK_SIZE = 500
PREVIEW_LIST_LIMIT = 200
IDENTITY_FIELDS = ("first_name", "last_name", "birthdate", "sex")


class StudentsError(RuleError):
    """A pupil rule was broken. ``status`` is the HTTP status pages and API answer with."""


def _locked(organization: Organization) -> Organization:
    return Organization.objects.select_for_update().get(pk=organization.pk)


def check_manages_students(organization: Organization) -> None:
    if organization.type != Organization.Type.SCO or not organization.is_managing_students:
        raise StudentsError(
            _(
                "Cet espace ne gère pas d'élèves : l'import SIECLE est réservé aux établissements scolaires qui gèrent leurs élèves."
            ),
            code="NOT_MANAGING_STUDENTS",
            status=403,
        )


# --- the pipeline ---------------------------------------------------------------------------------


def _store(organization: Organization, upload) -> tuple[str, int]:
    name = f"learner-imports/{organization.pk}/{uuid.uuid4().hex}.upload"
    if isinstance(upload, bytes | bytearray):
        upload = ContentFile(bytes(upload))
    elif not isinstance(upload, File):
        upload = File(upload)
    size = upload.size
    return default_storage.save(name, upload), size


def _discard_file(learner_import: LearnerImport) -> None:
    """Forget the stored upload; the files go once the transaction commits (not on rollback)."""
    path = learner_import.stored_path
    if path:

        def delete():
            default_storage.delete(path)
            default_storage.delete(_records_path(path))

        transaction.on_commit(delete)
        learner_import.stored_path = ""


def _records_path(path: str) -> str:
    return f"{path}.pupils.json"


def _save_records(learner_import: LearnerImport, records: Iterable[LearnerRecord]) -> None:
    """Keep the validated pupils beside the upload (one JSON line each): the import writes
    exactly what the preview showed, without reading the file a second time."""
    name = _records_path(learner_import.stored_path)
    default_storage.delete(name)
    with tempfile.TemporaryFile() as lines:
        for record in records:
            row = [
                value.isoformat() if isinstance(value, date) else value
                for value in (getattr(record, field) for field in WRITTEN_FIELDS)
            ]
            lines.write(json.dumps(row, ensure_ascii=False).encode() + b"\n")
        lines.seek(0)
        default_storage.save(name, File(lines))


def _load_records(learner_import: LearnerImport) -> Iterator[LearnerRecord] | None:
    """The kept pupils, read one line at a time as they are written (None: none kept)."""
    name = _records_path(learner_import.stored_path)
    if not default_storage.exists(name):
        return None
    return _read_records(name)


def _read_records(name: str) -> Iterator[LearnerRecord]:
    birthdate = WRITTEN_FIELDS.index("birthdate")
    with default_storage.open(name, "rb") as handle:
        for line in handle:
            row = json.loads(line)
            if row[birthdate]:
                row[birthdate] = date.fromisoformat(row[birthdate])
            yield LearnerRecord(*row)


@transaction.atomic
def start_import(
    *, organization: Organization, uploaded_by, file_name: str, upload
) -> LearnerImport:
    """Store the upload and queue its validation. Refused (409) while another import runs."""
    check_manages_students(organization)
    size = getattr(upload, "size", None)
    if size is None:
        size = len(upload)
    if size == 0:
        raise StudentsError(_("Le fichier est vide."), code="EMPTY_FILE")
    if size > max_upload_bytes():
        raise StudentsError(
            _("La taille du fichier doit être inférieure à %(max)s Mo.")
            % {"max": max_upload_bytes() // (1024 * 1024)},
            code="PAYLOAD_TOO_LARGE",
            status=413,
        )
    organization = _locked(organization)
    if LearnerImport.objects.filter(
        organization=organization, status__in=LearnerImport.RUNNING
    ).exists():
        raise StudentsError(
            _("Un import est déjà en cours pour cet établissement : attendez qu'il se termine."),
            code="IMPORT_IN_PROGRESS",
            status=409,
        )
    # A newer file replaces a preview nobody confirmed.
    for stale in LearnerImport.objects.filter(
        organization=organization, status=LearnerImport.Status.VALIDATED
    ):
        _discard_file(stale)
        stale.status = LearnerImport.Status.CANCELLED
        stale.finished_at = timezone.now()
        stale.save(update_fields=["status", "stored_path", "finished_at", "updated_at"])
    path, size = _store(organization, upload)
    try:
        with transaction.atomic():
            learner_import = LearnerImport.objects.create(
                organization=organization,
                created_by=uploaded_by,
                file_name=(file_name or "fichier")[:255],
                stored_path=path,
                file_size=size,
            )
    except IntegrityError:
        default_storage.delete(path)
        raise StudentsError(
            _("Un import est déjà en cours pour cet établissement : attendez qu'il se termine."),
            code="IMPORT_IN_PROGRESS",
            status=409,
        ) from None
    enqueue_job(
        kind="validate_learner_import",
        payload={"learner_import_id": learner_import.pk},
        organization=organization,
        created_by=uploaded_by,
    )
    return learner_import


def _parse(learner_import: LearnerImport) -> ParseResult:
    uai = learner_import.organization.external_id
    try:
        local_path = default_storage.path(learner_import.stored_path)
    except NotImplementedError:
        local_path = None
    if local_path is None or not os.path.exists(local_path):
        # Remote storage (S3…): the zip reader needs a local, seekable copy.
        with tempfile.NamedTemporaryFile(suffix=".upload") as copy:
            with default_storage.open(learner_import.stored_path, "rb") as stored:
                shutil.copyfileobj(stored, copy)
            copy.flush()
            return parse_learner_file(copy.name, expected_uai=uai)
    return parse_learner_file(local_path, expected_uai=uai)


def _fail(learner_import: LearnerImport, problems) -> LearnerImport:
    learner_import.status = LearnerImport.Status.FAILED
    learner_import.errors = [p.as_dict() for p in problems]
    learner_import.finished_at = timezone.now()
    _discard_file(learner_import)
    learner_import.save()
    return learner_import


@transaction.atomic
def validate_import(*, learner_import: LearnerImport) -> LearnerImport:
    """Read the whole file; on errors the import fails with all of them, else a preview is kept."""
    learner_import = (
        LearnerImport.objects.select_for_update()
        .select_related("organization")
        .get(pk=learner_import.pk)
    )
    if learner_import.status != LearnerImport.Status.UPLOADED:
        return learner_import  # already done (a job run twice)
    result = _parse(learner_import)
    learner_import.file_format = result.file_format
    learner_import.encoding = result.encoding
    if not result.ok:
        return _fail(learner_import, result.problems)
    learner_import.preview = build_preview(learner_import.organization, result.records)
    _save_records(learner_import, result.records)
    learner_import.pupil_count = len(result.records)
    learner_import.status = LearnerImport.Status.VALIDATED
    learner_import.validated_at = timezone.now()
    learner_import.errors = []
    learner_import.save()
    return learner_import


@transaction.atomic
def confirm_import(*, learner_import: LearnerImport, by) -> LearnerImport:
    organization = _locked(learner_import.organization)
    learner_import = LearnerImport.objects.select_for_update().get(pk=learner_import.pk)
    if learner_import.status != LearnerImport.Status.VALIDATED:
        raise StudentsError(
            _("Cet import ne peut plus être confirmé (statut : %(status)s).")
            % {"status": learner_import.get_status_display()},
            code="IMPORT_NOT_CONFIRMABLE",
            status=409,
        )
    if LearnerImport.objects.filter(
        organization=organization, status=LearnerImport.Status.IMPORTING
    ).exists():
        raise StudentsError(
            _("Un import est déjà en cours pour cet établissement : attendez qu'il se termine."),
            code="IMPORT_IN_PROGRESS",
            status=409,
        )
    learner_import.status = LearnerImport.Status.IMPORTING
    learner_import.confirmed_by = by
    learner_import.save(update_fields=["status", "confirmed_by", "updated_at"])
    enqueue_job(
        kind="run_learner_import",
        payload={"learner_import_id": learner_import.pk},
        organization=organization,
        created_by=by,
    )
    return learner_import


@transaction.atomic
def cancel_import(*, learner_import: LearnerImport) -> LearnerImport:
    learner_import = LearnerImport.objects.select_for_update().get(pk=learner_import.pk)
    if learner_import.status != LearnerImport.Status.VALIDATED:
        raise StudentsError(
            _("Seul un import en attente de confirmation peut être annulé."),
            code="IMPORT_NOT_CANCELLABLE",
            status=409,
        )
    _discard_file(learner_import)
    learner_import.status = LearnerImport.Status.CANCELLED
    learner_import.finished_at = timezone.now()
    learner_import.save()
    return learner_import


def run_import(*, learner_import: LearnerImport) -> LearnerImport:
    """Write the confirmed file. Safe to run twice: only an IMPORTING import is written."""
    with transaction.atomic():
        organization = _locked(learner_import.organization)
        learner_import = LearnerImport.objects.select_for_update().get(pk=learner_import.pk)
        if learner_import.status != LearnerImport.Status.IMPORTING:
            return learner_import
        records = _load_records(learner_import)
        if records is None:  # validated before the records were kept: read the file again
            result = _parse(learner_import)
            if not result.ok:
                return _fail(learner_import, result.problems)
            records = result.records
        try:
            with transaction.atomic():
                counts = write_learners(organization, records)
        except Exception as exc:
            # Nothing was written (savepoint rolled back). Only the type is logged: the message
            # of a database error may quote a pupil's data.
            logger.error("learner import #%s failed: %s", learner_import.pk, type(exc).__name__)
            return _fail(learner_import, [_import_error()])
        learner_import.added_count = counts.added
        learner_import.updated_count = counts.updated
        learner_import.disabled_count = counts.disabled
        learner_import.pupil_count = counts.added + counts.updated
        learner_import.status = LearnerImport.Status.IMPORTED
        learner_import.finished_at = timezone.now()
        _discard_file(learner_import)
        learner_import.save()
        return learner_import


def _import_error():
    from octets.students.parsing import ImportProblem

    return ImportProblem(
        "IMPORT_ERROR", _("L'écriture des élèves a échoué ; aucun élève n'a été modifié.")
    )


# --- preview and writing --------------------------------------------------------------------------


class ExistingLearner(NamedTuple):
    """The columns the preview and the writing compare, as a small tuple per pupil."""

    id: int
    national_student_id: str
    first_name: str
    last_name: str
    birthdate: date | None
    sex: str
    division: str
    is_disabled: bool
    user_id: int | None


def _chunk_size() -> int:
    """Pupils handled together: as many INEs per query as the database takes (999 parameters
    for Django on SQLite), fewer round trips on PostgreSQL, and a bounded memory either way."""
    limit = connection.features.max_query_params
    return 2000 if limit is None else min(2000, limit - 99)


def _chunks(records: Iterable[LearnerRecord], size: int) -> Iterator[list[LearnerRecord]]:
    iterator = iter(records)
    while chunk := list(islice(iterator, size)):
        yield chunk


def _among(field_name: str, values: list) -> RawSQL:
    """``field IN (values)`` for one chunk of values. On PostgreSQL the values go as one array
    (``= ANY(%s)``): the statement stays short, where a long one (an ``IN`` of 2,000
    placeholders) is re-read by psycopg at each call, which cost more than the query."""
    meta = OrganizationLearner._meta
    quote = connection.ops.quote_name
    # Only model-defined table and column names are interpolated; values are parameters.
    column = f"{quote(meta.db_table)}.{quote(meta.get_field(field_name).column)}"
    if not values:
        sql, params = "1 = 0", ()
    elif connection.vendor == "postgresql":
        sql, params = f"{column} = ANY(%s)", (list(values),)
    else:
        sql, params = f"{column} IN ({', '.join(['%s'] * len(values))})", tuple(values)
    return RawSQL(sql, params, output_field=BooleanField())  # noqa: S611


def _existing(organization: Organization, ines: list[str]) -> dict[str, ExistingLearner]:
    """This school's rows for these INEs (one chunk of the file)."""
    rows = OrganizationLearner.objects.filter(
        _among("national_student_id", ines), organization=organization
    ).values_list(*ExistingLearner._fields)
    return {row[1]: ExistingLearner(*row) for row in rows}


def _active_rows(organization: Organization, *fields: str):
    """This school's active pupils, streamed (a school may have tens of thousands)."""
    return (
        OrganizationLearner.objects.filter(organization=organization, is_disabled=False)
        .values_list("national_student_id", *fields)
        .iterator(chunk_size=_chunk_size())
    )


def _person(record_or_row) -> dict:
    return {
        "ine": record_or_row.national_student_id,
        "first_name": record_or_row.first_name,
        "last_name": record_or_row.last_name,
        "division": record_or_row.division,
    }


class _Listed:
    """A preview list: every pupil counted, only the first ``PREVIEW_LIST_LIMIT`` kept."""

    def __init__(self):
        self.count = 0
        self.items: list[dict] = []

    def counted(self) -> bool:
        """Count one more pupil; true when it is still to be listed."""
        self.count += 1
        return len(self.items) < PREVIEW_LIST_LIMIT


def build_preview(organization: Organization, records: Iterable[LearnerRecord]) -> dict:
    """What the import will do: new pupils, leavers, returns, class and identity changes.

    One pass over ``records``, a chunk at a time: memory holds one chunk of pupils, their
    INEs (to find the leavers) and the first pupils of each list shown, whatever the size.
    """
    in_file: set[str] = set()
    pupils = changed_count = 0
    new, returning, class_changes, identity_changes = _Listed(), _Listed(), _Listed(), _Listed()
    per_class: dict[str, dict[str, int]] = {}

    def bump(division: str, key: str) -> None:
        counts = per_class.setdefault(
            division or "—", {"pupils": 0, "new": 0, "leaving": 0, "arriving": 0}
        )
        counts[key] += 1

    for chunk in _chunks(records, _chunk_size()):
        existing = _existing(organization, [r.national_student_id for r in chunk])
        for record in chunk:
            pupils += 1
            in_file.add(record.national_student_id)
            bump(record.division, "pupils")
            row = existing.get(record.national_student_id)
            if row is None:
                if new.counted():
                    new.items.append(_person(record))
                bump(record.division, "new")
                continue
            changed = False
            if row.is_disabled:
                changed = True
                if returning.counted():
                    returning.items.append(_person(record))
            if row.division != record.division:
                changed = True
                if class_changes.counted():
                    class_changes.items.append(
                        {**_person(record), "previous_division": row.division}
                    )
                bump(record.division, "arriving")
                bump(row.division, "leaving")
            fields = [
                f
                for f in IDENTITY_FIELDS
                if getattr(row, f) != (getattr(record, f) or ("" if f != "birthdate" else None))
            ]
            if fields:
                changed = True
                if identity_changes.counted():
                    identity_changes.items.append(
                        {
                            **_person(record),
                            "fields": fields,
                            "before": {f: _show(getattr(row, f)) for f in fields},
                            "after": {f: _show(getattr(record, f)) for f in fields},
                        }
                    )
            changed_count += changed
    leaving_count = 0

    def leavers():
        nonlocal leaving_count
        for ine, first_name, last_name, division in _active_rows(
            organization, "first_name", "last_name", "division"
        ):
            if ine not in in_file:
                leaving_count += 1
                bump(division, "leaving")
                yield {
                    "ine": ine,
                    "first_name": first_name,
                    "last_name": last_name,
                    "division": division,
                }

    # The same as sorting them all and keeping the first ones, without keeping them all.
    leaving = heapq.nsmallest(
        PREVIEW_LIST_LIMIT, leavers(), key=lambda p: (p["division"], p["last_name"])
    )
    return {
        "counts": {
            "pupils": pupils,
            "new": new.count,
            "leaving": leaving_count,
            "returning": returning.count,
            "class_changes": class_changes.count,
            "identity_changes": identity_changes.count,
            "unchanged": pupils - new.count - changed_count,
        },
        "per_class": dict(sorted(per_class.items())),
        "new": new.items,
        "leaving": leaving,
        "returning": returning.items,
        "class_changes": class_changes.items,
        "identity_changes": identity_changes.items,
        "list_limit": PREVIEW_LIST_LIMIT,
    }


def _show(value) -> str:
    if isinstance(value, date):
        return value.strftime("%d/%m/%Y")
    return value or ""


@dataclass
class WriteCounts:
    added: int = 0
    updated: int = 0
    disabled: int = 0


def _accounts_to_link(organization, records, existing) -> dict[str, int]:
    """INE → account to link, for pupils of the file not linked yet (automatic linking by INE).

    Another learner row with the same INE (this school or another) already linked to an account
    gives the candidate; the most recently updated row wins. Not linked when the account is tied
    to several INEs, when another pupil of this school already holds it, or when it comes from
    another school and the birth dates differ. Called a chunk of the file at a time, after the
    previous chunks were written: the links they made count as held.
    """
    wanted = [
        r
        for r in records
        if (row := existing.get(r.national_student_id)) is None or row.user_id is None
    ]
    if not wanted:
        return {}
    candidates: dict[str, dict] = {}
    rows = (
        OrganizationLearner.objects.filter(
            _among("national_student_id", [r.national_student_id for r in wanted]),
            user__isnull=False,
        )
        .order_by("updated_at")
        .values("national_student_id", "user_id", "organization_id", "birthdate")
    )
    for row in rows:
        candidates[row["national_student_id"]] = row  # the most recent wins
    if not candidates:
        return {}
    user_ids = sorted({row["user_id"] for row in candidates.values()})
    ines_per_user: dict[int, set[str]] = {}
    taken_here: dict[int, str] = {}
    step = _chunk_size()
    for start in range(0, len(user_ids), step):
        for user_id, ine, organization_id in OrganizationLearner.objects.filter(
            _among("user", user_ids[start : start + step])
        ).values_list("user_id", "national_student_id", "organization_id"):
            ines_per_user.setdefault(user_id, set()).add(ine)
            if organization_id == organization.pk:
                taken_here[user_id] = ine
    links = {}
    for record in wanted:
        row = candidates.get(record.national_student_id)
        if row is None:
            continue
        user_id = row["user_id"]
        if len(ines_per_user.get(user_id, ())) > 1:
            continue
        if user_id in taken_here and taken_here[user_id] != record.national_student_id:
            continue
        if row["organization_id"] == organization.pk or row["birthdate"] == record.birthdate:
            links[record.national_student_id] = user_id
            taken_here[user_id] = record.national_student_id
    return links


# Columns an import writes; created_at and certifiability are kept on update.
UPSERT_FIELDS = (*WRITTEN_FIELDS, "user", "is_disabled", "updated_at")


def _upsert(organization: Organization, rows, now) -> None:
    """``INSERT … ON CONFLICT (organization, INE) DO UPDATE`` of one chunk of pupils.

    Django's ``bulk_create(update_conflicts=True)`` writes the same SQL but compiles it row by
    row: 10× slower here. SQLite runs one prepared single-row statement per pupil
    (``executemany``, in C, no round trip). PostgreSQL gets the whole chunk as one array per
    column, turned back into rows by ``unnest``: one short statement per chunk. (A ``VALUES``
    list of 100 rows per statement was 3× slower: psycopg re-reads and quotes the long text of
    such a statement at each call, and PostgreSQL plans each one.)
    """
    meta = OrganizationLearner._meta
    quote = connection.ops.quote_name
    fields = [meta.get_field(name) for name in ("organization", "created_at", *UPSERT_FIELDS)]
    columns = [field.column for field in fields]
    conflict = [meta.get_field(name).column for name in ("organization", "national_student_id")]
    updates = [c for c in columns if c not in (*conflict, meta.get_field("created_at").column)]
    # Only model-defined table, column and type names are interpolated; values are parameters.
    insert = f"INSERT INTO {quote(meta.db_table)} ({', '.join(quote(c) for c in columns)})"
    upsert = f"ON CONFLICT ({', '.join(quote(c) for c in conflict)}) DO UPDATE SET " + ", ".join(
        f"{quote(c)} = EXCLUDED.{quote(c)}" for c in updates
    )
    birthdate = meta.get_field("birthdate")
    stamp = meta.get_field("updated_at").get_db_prep_value(now, connection)
    params = [
        (
            organization.pk,
            stamp,
            *(
                birthdate.get_db_prep_value(record.birthdate, connection)
                if name == "birthdate"
                else getattr(record, name)
                for name in WRITTEN_FIELDS
            ),
            user_id,
            False,
            stamp,
        )
        for record, user_id in rows
    ]
    if not params:
        return
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            arrays = ", ".join(f"%s::{field.db_type(connection)}[]" for field in fields)
            cursor.execute(
                f"{insert} SELECT * FROM unnest({arrays}) {upsert}",  # noqa: S608
                [list(column) for column in zip(*params, strict=True)],
            )
        else:
            placeholders = ", ".join(["%s"] * len(columns))
            cursor.executemany(f"{insert} VALUES ({placeholders}) {upsert}", params)


def write_learners(organization: Organization, records: Iterable[LearnerRecord]) -> WriteCounts:
    """Upsert by (organization, INE), disable the pupils absent from ``records``, link accounts.

    One pass over ``records``, a chunk at a time (memory: one chunk and the file's INEs).
    """
    now = timezone.now()
    counts = WriteCounts()
    in_file: set[str] = set()
    for chunk in _chunks(records, _chunk_size()):
        existing = _existing(organization, [r.national_student_id for r in chunk])
        links = _accounts_to_link(organization, chunk, existing)
        rows = []
        for record in chunk:
            in_file.add(record.national_student_id)
            row = existing.get(record.national_student_id)
            if row is None:
                counts.added += 1
                user_id = links.get(record.national_student_id)
            else:
                counts.updated += 1
                user_id = row.user_id or links.get(record.national_student_id)
            rows.append((record, user_id))
        _upsert(organization, rows, now)
    # Read them all before writing any: SQLite does not isolate a read from the writes of the
    # same connection.
    leaving = [pk for ine, pk in _active_rows(organization, "id") if ine not in in_file]
    for start in range(0, len(leaving), CHUNK_SIZE):
        OrganizationLearner.objects.filter(pk__in=leaving[start : start + CHUNK_SIZE]).update(
            is_disabled=True, updated_at=now
        )
    counts.disabled = len(leaving)
    return counts


# --- synchronous pipeline (CLI) -------------------------------------------------------------------


@dataclass
class SyncOutcome:
    learner_import: LearnerImport
    preview: dict


def import_file_now(
    *, organization: Organization, path, file_name: str, by=None, dry_run: bool = False
) -> SyncOutcome:
    """The same pipeline, synchronously: validate, preview and (unless ``dry_run``) write."""
    check_manages_students(organization)
    with open(path, "rb") as handle:
        learner_import = start_import(
            organization=organization, uploaded_by=by, file_name=file_name, upload=File(handle)
        )
    learner_import.refresh_from_db()
    if learner_import.status == LearnerImport.Status.UPLOADED:
        # No worker ran the validation job yet (database queue): run it here.
        learner_import = validate_import(learner_import=learner_import)
    if learner_import.status == LearnerImport.Status.FAILED:
        return SyncOutcome(learner_import, {})
    preview = learner_import.preview
    if dry_run:
        learner_import = cancel_import(learner_import=learner_import)
        return SyncOutcome(learner_import, preview)
    learner_import = confirm_import(learner_import=learner_import, by=by)
    learner_import.refresh_from_db()
    if learner_import.status == LearnerImport.Status.IMPORTING:
        learner_import = run_import(learner_import=learner_import)
    return SyncOutcome(learner_import, preview)


# --- credentials for pupils -----------------------------------------------------------------------

SAFE_LETTERS = "".join(c for c in string.ascii_lowercase if c not in "ilo")


def one_time_password() -> str:
    """6 letters without i, l, o (easy to read aloud and copy) followed by 2 digits."""
    letters = "".join(secrets.choice(SAFE_LETTERS) for _ in range(6))
    return letters + f"{secrets.randbelow(100):02d}"


def _username_taken(username: str) -> bool:
    return User.objects.filter(username__iexact=username).exists()


def username_for(learner: OrganizationLearner) -> str:
    """``prénom.nomDDMM`` normalised; when taken, DDMM becomes 4 random digits until free."""
    base = f"{normalize_name(learner.first_name)}.{normalize_name(learner.last_name)}"
    suffix = learner.birthdate.strftime("%d%m") if learner.birthdate else ""
    username = base + suffix
    while not suffix or _username_taken(username):
        suffix = f"{secrets.randbelow(10_000):04d}"
        username = base + suffix
    return username


@dataclass
class Credential:
    learner: OrganizationLearner
    username: str
    password: str  # empty when the account kept its own password


def _log(learner, account, action, by, batch=False) -> None:
    CredentialAction.objects.create(
        organization_id=learner.organization_id,
        learner=learner,
        account=account,
        action=action,
        performed_by=by,
        batch=batch,
    )


def _lock_learner(learner: OrganizationLearner) -> OrganizationLearner:
    learner = (
        OrganizationLearner.objects.select_for_update(of=("self",))
        .select_related("user")
        .get(pk=learner.pk)
    )
    if learner.is_disabled:
        raise StudentsError(
            _("%(name)s ne fait plus partie de l'établissement.") % {"name": learner.full_name},
            code="LEARNER_DISABLED",
            status=409,
        )
    return learner


def _add_username(learner: OrganizationLearner, by, batch: bool) -> Credential:
    account = learner.user
    if account is None:
        password = one_time_password()
        account = User(
            first_name=learner.first_name,
            last_name=learner.last_name,
            username=username_for(learner),
            must_change_password=True,
        )
        account.set_password(password)
        account.save()
        OrganizationLearner.objects.filter(pk=learner.pk).update(user=account)
        learner.user = account
        _log(learner, account, CredentialAction.Action.ACCOUNT_CREATED, by, batch)
        return Credential(learner, account.username, password)
    if account.username:
        raise StudentsError(
            _("%(name)s a déjà un identifiant.") % {"name": learner.full_name},
            code="USERNAME_ALREADY_SET",
            status=409,
        )
    account.username = username_for(learner)
    password = ""
    update = ["username"]
    if not account.has_usable_password():
        # A GAR-only account gets a password to go with its new username.
        password = one_time_password()
        account.set_password(password)
        account.must_change_password = True
        update += ["password", "must_change_password"]
    account.save(update_fields=update)
    _log(learner, account, CredentialAction.Action.USERNAME_ADDED, by, batch)
    return Credential(learner, account.username, password)


@transaction.atomic
def add_username(*, learner: OrganizationLearner, by) -> Credential:
    """Give a pupil a username (creating the account if needed) with a one-time password."""
    return _add_username(_lock_learner(learner), by, batch=False)


def _reset(learner: OrganizationLearner, by, batch: bool) -> Credential:
    account = learner.user
    if account is None or not account.username:
        raise StudentsError(
            _("%(name)s n'a pas d'identifiant : le mot de passe ne peut pas être réinitialisé.")
            % {"name": learner.full_name},
            code="NO_USERNAME",
            status=409,
        )
    password = one_time_password()
    account.set_password(password)
    account.must_change_password = True
    account.save(update_fields=["password", "must_change_password"])
    _log(learner, account, CredentialAction.Action.PASSWORD_RESET, by, batch)
    return Credential(learner, account.username, password)


@transaction.atomic
def reset_password(*, learner: OrganizationLearner, by) -> Credential:
    """A new one-time password for a pupil who signs in with a username."""
    return _reset(_lock_learner(learner), by, batch=False)


@dataclass
class BatchOutcome:
    credentials: list[Credential]
    skipped: list[OrganizationLearner]  # sign in with an e-mail or the GAR only


@transaction.atomic
def generate_credentials(*, learners, by) -> BatchOutcome:
    """For each pupil: an account with a username if none, else a new one-time password when
    the pupil signs in with a username; pupils who sign in by e-mail or GAR only are reported."""
    outcome = BatchOutcome([], [])
    ids = [learner.pk for learner in learners]
    locked = (
        OrganizationLearner.objects.select_for_update(of=("self",))
        .select_related("user")
        .filter(pk__in=ids, is_disabled=False)
        .order_by("division", "last_name", "first_name", "pk")
    )
    for learner in locked:
        account = learner.user
        if account is None:
            outcome.credentials.append(_add_username(learner, by, batch=True))
        elif account.username:
            outcome.credentials.append(_reset(learner, by, batch=True))
        else:
            outcome.skipped.append(learner)
    return outcome


def login_methods(learner: OrganizationLearner) -> list[str]:
    account = learner.user
    if account is None:
        return []
    methods = []
    if account.email:
        methods.append(AuthenticationMethod.Provider.EMAIL)
    if account.username:
        methods.append(AuthenticationMethod.Provider.USERNAME)
    if account.authentication_methods.filter(provider=AuthenticationMethod.Provider.GAR).exists():
        methods.append(AuthenticationMethod.Provider.GAR)
    return methods


def learners_of_division(organization: Organization, division: str):
    return OrganizationLearner.objects.filter(
        Q(organization=organization), division=division, is_disabled=False
    )
