"""Background work of pupil imports: validating an uploaded file, writing a confirmed one."""

from octets.jobs.registry import job_handler
from octets.students import services
from octets.students.models import LearnerImport


@job_handler("validate_learner_import")
def validate_learner_import(job) -> dict:
    learner_import = LearnerImport.objects.get(pk=job.payload["learner_import_id"])
    learner_import = services.validate_import(learner_import=learner_import)
    return {"status": learner_import.status}


@job_handler("run_learner_import")
def run_learner_import(job) -> dict:
    learner_import = LearnerImport.objects.get(pk=job.payload["learner_import_id"])
    learner_import = services.run_import(learner_import=learner_import)
    return {
        "status": learner_import.status,
        "added": learner_import.added_count,
        "updated": learner_import.updated_count,
        "disabled": learner_import.disabled_count,
    }
