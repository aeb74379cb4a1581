"""Jobs through the real database queue and the real worker command (`octets worker --batch`)."""

import pytest
from django.core import mail
from django.core.management import call_command
from django.db import transaction
from django.utils import timezone

from octets.jobs.models import Job
from octets.jobs.registry import job_handler
from octets.jobs.services import enqueue_job, requeue_stale_jobs
from octets.jobs.tasks import retry_delay
from octets.organizations import services
from tests.factories import MembershipFactory

DB_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}

CALLS: list[int] = []


@job_handler("test_flaky")
def flaky(job):
    CALLS.append(job.pk)
    if job.attempts < 2:
        raise RuntimeError("temporary failure")
    return {"ok": True}


@pytest.fixture
def db_queue(settings, transactional_db):
    settings.TASKS = DB_TASKS
    CALLS.clear()
    return settings


def test_invitation_email_waits_for_the_worker(db_queue):
    admin = MembershipFactory(admin=True)
    [invitation] = services.invite_members(
        organization=admin.organization,
        invited_by=admin.user,
        emails="prof@college.example",
        role="MEMBER",
    )
    job = Job.objects.get(kind="send_invitation_email")
    assert job.status == Job.Status.QUEUED and mail.outbox == []
    call_command("worker", batch=True, verbosity=0)
    job.refresh_from_db()
    assert job.status == Job.Status.SUCCEEDED and job.attempts == 1
    [message] = mail.outbox
    assert message.to == ["prof@college.example"]
    assert f"/rejoindre/{invitation.pk}/{invitation.code}/" in message.body


def test_a_rolled_back_transaction_enqueues_nothing(db_queue):
    admin = MembershipFactory(admin=True)
    with pytest.raises(RuntimeError), transaction.atomic():
        services.invite_members(
            organization=admin.organization,
            invited_by=admin.user,
            emails="x@college.example",
            role="MEMBER",
        )
        raise RuntimeError("the page failed after inviting")
    call_command("worker", batch=True, verbosity=0)
    assert not Job.objects.exists()
    assert mail.outbox == []


def test_failed_job_is_retried_later_then_succeeds(db_queue):
    from django_tasks_db.models import DBTaskResult

    job = enqueue_job(kind="test_flaky", payload={})
    call_command("worker", batch=True, verbosity=0)
    job.refresh_from_db()
    assert job.status == Job.Status.QUEUED and job.attempts == 1
    assert "temporary failure" in job.last_error
    # The retry is scheduled in the future; make it due now and run the worker again.
    DBTaskResult.objects.filter(status="READY").update(run_after=timezone.now())
    call_command("worker", batch=True, verbosity=0)
    job.refresh_from_db()
    assert job.status == Job.Status.SUCCEEDED and job.attempts == 2 and job.result == {"ok": True}
    assert [job.pk, job.pk] == CALLS


def test_job_fails_for_good_after_max_attempts(db_queue):
    from django_tasks_db.models import DBTaskResult

    job = enqueue_job(kind="test_flaky", payload={})
    Job.objects.filter(pk=job.pk).update(max_attempts=1)
    call_command("worker", batch=True, verbosity=0)
    job.refresh_from_db()
    assert job.status == Job.Status.FAILED and job.finished_at is not None
    assert not DBTaskResult.objects.filter(status="READY").exists()


def test_stale_running_jobs_are_requeued(db_queue):
    from datetime import timedelta

    job = enqueue_job(kind="test_flaky", payload={})
    Job.objects.filter(pk=job.pk).update(
        status=Job.Status.RUNNING, attempts=2, started_at=timezone.now() - timedelta(hours=2)
    )
    assert requeue_stale_jobs() == 1
    call_command("worker", batch=True, verbosity=0)
    job.refresh_from_db()
    assert job.status == Job.Status.SUCCEEDED


def test_unknown_kind_is_refused(db):
    with pytest.raises(LookupError):
        enqueue_job(kind="nope", payload={})


def test_retry_delay_grows_and_is_capped():
    delays = [retry_delay(n).total_seconds() for n in range(1, 12)]
    assert delays == sorted(delays)
    assert delays[0] == 30 and max(delays) == 3600
