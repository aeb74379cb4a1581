"""The single task the queue knows: run a Job by id, record the outcome, retry with backoff."""

import logging
from datetime import timedelta

from django.db import transaction
from django.utils import timezone
from django_tasks import task

from octets.jobs.models import Job
from octets.jobs.registry import HANDLERS

logger = logging.getLogger(__name__)


def retry_delay(attempt: int) -> timedelta:
    return timedelta(seconds=min(30 * 2 ** (attempt - 1), 3600))


@task()
def run_job(job_id: int) -> str:
    with transaction.atomic():
        job = Job.objects.select_for_update().filter(pk=job_id).first()
        if job is None or job.status in (Job.Status.SUCCEEDED, Job.Status.FAILED):
            return "skipped"
        job.status = Job.Status.RUNNING
        job.attempts += 1
        job.started_at = timezone.now()
        job.save(update_fields=["status", "attempts", "started_at"])
    handler = HANDLERS.get(job.kind)
    try:
        if handler is None:
            raise LookupError(f"no handler for job kind {job.kind!r}")
        with transaction.atomic():
            result = handler(job) or {}
    except Exception as exc:
        # Log the kind and id only: payloads and messages may hold personal data.
        logger.warning("job %s #%s failed (attempt %s)", job.kind, job.pk, job.attempts)
        job.last_error = f"{type(exc).__name__}: {exc}"[:2000]
        if job.attempts < job.max_attempts and handler is not None:
            job.status = Job.Status.QUEUED
            job.save(update_fields=["status", "last_error"])
            run_job.using(run_after=timezone.now() + retry_delay(job.attempts)).enqueue(job.pk)
            return "retry"
        job.status = Job.Status.FAILED
        job.finished_at = timezone.now()
        job.save(update_fields=["status", "last_error", "finished_at"])
        return "failed"
    job.status = Job.Status.SUCCEEDED
    job.progress = 100
    job.result = result
    job.finished_at = timezone.now()
    job.save(update_fields=["status", "progress", "result", "finished_at"])
    return "succeeded"
