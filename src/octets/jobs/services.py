"""Enqueue a Job: the row and its queue entry are written in the caller's transaction."""

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from octets.jobs.models import Job
from octets.jobs.registry import HANDLERS


def enqueue_job(*, kind: str, payload: dict, organization=None, created_by=None) -> Job:
    if kind not in HANDLERS:
        raise LookupError(f"unknown job kind {kind!r}")
    from octets.jobs.tasks import run_job

    with transaction.atomic():
        job = Job.objects.create(
            kind=kind,
            payload=payload,
            organization=organization,
            created_by=created_by,
            max_attempts=settings.OCTETS_JOB_MAX_ATTEMPTS,
        )
        run_job.enqueue(job.pk)
    return job


def requeue_stale_jobs(*, older_than_minutes: int = 30) -> int:
    """Jobs left RUNNING by a worker that died are queued again (handlers are idempotent)."""
    from octets.jobs.tasks import run_job

    cutoff = timezone.now() - timezone.timedelta(minutes=older_than_minutes)
    stale = list(
        Job.objects.filter(status=Job.Status.RUNNING, started_at__lt=cutoff).values_list(
            "pk", flat=True
        )
    )
    for job_id in stale:
        with transaction.atomic():
            Job.objects.filter(pk=job_id, status=Job.Status.RUNNING).update(
                status=Job.Status.QUEUED
            )
            run_job.enqueue(job_id)
    return len(stale)
