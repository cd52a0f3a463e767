"""Worker faults: a real `manage.py qcluster` is killed with SIGKILL while an export or the overdue
sweep is half done (a `govcenter.faults` pause point makes the kill land there), and the task is
handed out again (django-q2's ORM broker re-delivers what was not acknowledged after Q_RETRY
seconds). It finishes once: one file and no partial one, one completion, one notification per person
and reason, and a job whose state says what happened.
"""

import os
import signal
from datetime import timedelta
from pathlib import Path

import pytest
from django.db import connection
from django.utils import timezone

from cases.models import CaseEvent, Deadline, Notification, Stage
from govcenter.models import AuditEvent, Role
from reports import exports
from reports.models import ExportJob
from tests.faults.conftest import let_leases_run_out, wait_for

pytestmark = [
    pytest.mark.postgresql,
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="needs PostgreSQL: a qcluster subprocess shares the test database"
    ),
    pytest.mark.django_db(transaction=True),
]

# The sweep's test waits for the real lease: short limits (a sweep of three deadlines takes well
# under a second), retry above timeout as the settings demand.
SWEEP_TIMEOUT, SWEEP_RETRY = 5, 6
# Long enough for a cluster's start and a dossier's render on a busy machine.
FINISH_TIMEOUT = 60


def files_under(root: Path) -> list[Path]:
    return sorted(path for path in root.rglob("*") if path.is_file()) if root.exists() else []


def queued_tasks() -> int:
    from django_q.models import OrmQ

    return OrmQ.objects.count()


def forget_queued_tasks() -> None:
    """Drop what the set-up queued (re-scoring the new cases): the cluster runs the task under test only."""
    from django_q.models import OrmQ

    OrmQ.objects.all().delete()


def finished_tasks(func: str):
    from django_q.models import Task

    return list(Task.objects.filter(func=func).values_list("success", "attempt_count"))


@pytest.fixture
def auditor(member_at):
    return member_at("parent", Role.AUDITOR, username="auditor_county")


@pytest.mark.parametrize(
    "pause_at",
    [
        "export.progress",  # half-way through the build
        "export.file_saved",  # the file is on disk, the transaction that records it not committed
    ],
)
def test_killed_export_is_retried_and_makes_one_file(cluster_factory, make_case, auditor, settings, pause_at):
    case = make_case()
    forget_queued_tasks()
    job = exports.start(owner=auditor, kind="case_dossier", params={"case": case.pk})  # queued on commit

    cluster = cluster_factory(pause_at)
    cluster.start()
    cluster.wait_paused()
    job.refresh_from_db()
    assert (job.status, job.attempts) == (ExportJob.Status.RUNNING, 1)
    cluster.kill()
    if pause_at == "export.file_saved":
        assert len(files_under(settings.MEDIA_ROOT / "exports")) == 1  # written, never recorded

    let_leases_run_out()
    cluster.start()  # the same task is handed out again, not a new one
    wait_for(lambda: queued_tasks() == 0 and finished_tasks("reports.tasks.run_export"), FINISH_TIMEOUT, "the retry")
    cluster.kill()

    job.refresh_from_db()
    assert (job.status, job.attempts, job.progress, job.error) == (ExportJob.Status.DONE, 2, 100, ""), cluster.log()
    assert files_under(settings.MEDIA_ROOT / "exports") == [Path(job.file.path)]
    assert Path(job.file.path).read_bytes().startswith(b"%PDF")
    assert finished_tasks("reports.tasks.run_export") == [(True, 1)]
    actions = AuditEvent.objects.filter(object_type="reports.exportjob", object_id=str(job.pk))
    assert sorted(actions.values_list("action", flat=True)) == ["export.done", "export.start"]


def test_killed_sweep_is_retried_and_notifies_once(cluster_factory, make_case, clerk):
    from django_q.tasks import async_task

    cases = [make_case() for _ in range(3)]
    late = Deadline.objects.filter(case__in=cases, stage=Stage.RESPOND)
    late.update(due_at=timezone.now() - timedelta(hours=1))
    forget_queued_tasks()
    async_task("cases.tasks.sweep_overdue", task_name="sweep-under-test")

    cluster = cluster_factory("sweep.marking", timeout=SWEEP_TIMEOUT, retry=SWEEP_RETRY)
    cluster.start()
    worker = cluster.wait_paused()
    # Only the worker dies, in the middle of the sweep's transaction; its cluster lives on, starts a
    # new worker and hands the task out again when the lease (Q_RETRY) runs out.
    os.kill(worker, signal.SIGKILL)
    wait_for(
        lambda: queued_tasks() == 0 and finished_tasks("cases.tasks.sweep_overdue"),
        SWEEP_RETRY + FINISH_TIMEOUT,
        "the retry",
    )
    cluster.kill()

    assert finished_tasks("cases.tasks.sweep_overdue") == [(True, 1)], cluster.log()
    assert late.filter(overdue_at__isnull=True).count() == 0
    overdue = Notification.objects.filter(kind="case.overdue")
    assert sorted(overdue.values_list("recipient_id", "case_id")) == sorted((clerk.pk, case.pk) for case in cases)
    assert CaseEvent.objects.filter(verb="overdue").count() == 3
    assert AuditEvent.objects.filter(action="case.overdue").count() == 3
