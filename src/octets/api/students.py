"""Pupil import endpoints: the same pipeline as the Élèves pages (upload, status, confirm)."""

from datetime import datetime

from django.http import Http404
from ninja import File, Router, Schema, Status
from ninja.files import UploadedFile

from octets.api.errors import Error
from octets.api.team import organization_for
from octets.students import selectors, services
from octets.students.models import LearnerImport

router = Router(tags=["Élèves"])


class ImportErrorOut(Schema):
    code: str
    message: str
    ine: str | None = None
    line: int | None = None
    column: str | None = None


class LearnerImportOut(Schema):
    id: int
    status: str
    file_name: str
    file_format: str
    encoding: str
    created_at: datetime
    finished_at: datetime | None
    pupils: int
    added: int
    updated: int
    disabled: int
    preview: dict
    errors: list[ImportErrorOut]

    @staticmethod
    def of(item: LearnerImport) -> "LearnerImportOut":
        return LearnerImportOut(
            id=item.pk,
            status=item.status,
            file_name=item.file_name,
            file_format=item.file_format,
            encoding=item.encoding,
            created_at=item.created_at,
            finished_at=item.finished_at,
            pupils=item.pupil_count,
            added=item.added_count,
            updated=item.updated_count,
            disabled=item.disabled_count,
            preview=(item.preview or {}).get("counts", {}),
            errors=item.errors,
        )


def _import_for(request, organization, import_id: int) -> LearnerImport:
    item = selectors.learner_import(
        viewer=request.user, organization=organization, import_id=import_id
    )
    if item is None:
        raise Http404("Cet import n'existe pas pour cette organisation.")
    return item


@router.post(
    "/organizations/{organization_id}/learner-imports",
    response={202: LearnerImportOut, 403: Error, 404: Error, 409: Error, 413: Error},
    summary="Déposer un export SIECLE (zip ou XML) ou un CSV SIECLE/FREGATA",
    description=(
        "Le fichier est vérifié en tâche de fond : suivez `status` (uploaded → validated, ou "
        "failed avec toutes les erreurs), puis confirmez pour écrire les élèves."
    ),
)
def upload_import(request, organization_id: int, file: File[UploadedFile]):
    organization = organization_for(request, organization_id, admin=True)
    item = services.start_import(
        organization=organization, uploaded_by=request.user, file_name=file.name, upload=file
    )
    item.refresh_from_db()
    return Status(202, LearnerImportOut.of(item))


@router.get(
    "/organizations/{organization_id}/learner-imports/{import_id}",
    response={200: LearnerImportOut, 403: Error, 404: Error},
    summary="État d'un import d'élèves (aperçu, compteurs, erreurs)",
)
def get_import(request, organization_id: int, import_id: int):
    organization = organization_for(request, organization_id, admin=True)
    return LearnerImportOut.of(_import_for(request, organization, import_id))


@router.post(
    "/organizations/{organization_id}/learner-imports/{import_id}/confirm",
    response={202: LearnerImportOut, 403: Error, 404: Error, 409: Error},
    summary="Confirmer un import vérifié : les élèves sont écrits en tâche de fond",
)
def confirm_import(request, organization_id: int, import_id: int):
    organization = organization_for(request, organization_id, admin=True)
    item = services.confirm_import(
        learner_import=_import_for(request, organization, import_id), by=request.user
    )
    item.refresh_from_db()
    return Status(202, LearnerImportOut.of(item))
