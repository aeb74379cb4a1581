"""The pupil import API: upload, status, confirm, and its errors in the API's shape."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from octets.students.models import LearnerImport, OrganizationLearner
from tests.students import files

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def upload(client, school, data, name="ElevesSansAdresses.zip"):
    return client.post(
        f"/api/v1/organizations/{school.pk}/learner-imports",
        {"file": SimpleUploadedFile(name, data)},
    )


def test_upload_status_confirm(api_client, school, school_admin):
    client = api_client(school_admin)
    response = upload(client, school, files.generated_zip(12))
    assert response.status_code == 202
    body = response.json()
    assert (body["status"], body["preview"]["new"], body["file_format"]) == (
        "validated",
        12,
        "siecle-zip",
    )
    status = client.get(f"/api/v1/organizations/{school.pk}/learner-imports/{body['id']}").json()
    assert status["preview"]["pupils"] == 12
    done = client.post(f"/api/v1/organizations/{school.pk}/learner-imports/{body['id']}/confirm")
    assert done.status_code == 202
    assert (done.json()["status"], done.json()["added"]) == ("imported", 12)
    again = client.post(f"/api/v1/organizations/{school.pk}/learner-imports/{body['id']}/confirm")
    assert again.status_code == 409
    assert again.json()["code"] == "IMPORT_NOT_CONFIRMABLE"


def test_rejected_file_answers_with_every_error(api_client, school, school_admin):
    from tests.students.files import eleve, siecle, structure

    data = siecle(
        [eleve("1", ine="X", born="99/99/2012"), eleve("2", ine="X")], [structure("1", ("6A", "D"))]
    )
    body = upload(api_client(school_admin), school, data, "e.xml").json()
    assert body["status"] == "failed"
    assert [e["code"] for e in body["errors"]] == ["INVALID_BIRTHDATE_FORMAT", "INE_UNIQUE"]
    assert body["errors"][1]["ine"] == "X"
    assert not OrganizationLearner.objects.exists()


def test_too_large_and_busy(api_client, school, school_admin, settings):
    client = api_client(school_admin)
    settings.OCTETS_IMPORT_MAX_UPLOAD_MB = 1
    response = upload(client, school, b"<" * (1024 * 1024 + 1))
    assert response.status_code == 413
    assert response.json()["code"] == "PAYLOAD_TOO_LARGE"
    LearnerImport.objects.create(organization=school, file_name="x", status="importing")
    response = upload(client, school, files.generated_zip(2))
    assert response.status_code == 409
    assert response.json() == {
        "code": "IMPORT_IN_PROGRESS",
        "message": "Un import est déjà en cours pour cet établissement : attendez qu'il se termine.",
        "details": [],
    }


def test_missing_file_is_a_validation_error(api_client, school, school_admin):
    response = api_client(school_admin).post(f"/api/v1/organizations/{school.pk}/learner-imports")
    assert response.status_code == 422
    assert response.json()["code"] == "VALIDATION_ERROR"
