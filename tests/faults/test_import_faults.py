"""An import killed in the worker: a real `manage.py qcluster` is killed with SIGKILL after the import
has written every row but before its transaction commits (a `govcenter.faults` pause point), and the
task is handed out again. The import is carried out once: nothing of the dead attempt remains, every
center is there once, and the record and the audit log say it was imported once."""

import pytest
from django.db import connection

from govcenter.models import AuditEvent, Center, Role
from onboarding import services
from onboarding.models import ImportRun
from tests.faults.conftest import let_leases_run_out, wait_for
from tests.faults.test_worker_faults import FINISH_TIMEOUT, finished_tasks, forget_queued_tasks, queued_tasks
from tests.onboarding.conftest import csv_bytes

pytestmark = [
    pytest.mark.postgresql,
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="needs PostgreSQL: a qcluster subprocess shares the test database"
    ),
    pytest.mark.django_db(transaction=True),
]

ROWS = [["统计用区划代码", "名称"]] + [[f"620102{n:03d}", f"新街道{n}"] for n in range(10, 40)]


def test_a_killed_import_is_carried_out_again_once(cluster_factory, member_at):
    director = member_at("parent", Role.DIRECTOR)
    forget_queued_tasks()
    run = services.queue_import(actor=director, kind="divisions", content=csv_bytes(ROWS), filename="区划.csv")

    cluster = cluster_factory("import.applied")
    cluster.start()
    cluster.wait_paused()
    run.refresh_from_db()
    assert (run.status, run.attempts) == (ImportRun.Status.RUNNING, 1)
    assert run.progress >= 45  # written through its own connection while the import's transaction is open
    assert not Center.objects.filter(code__startswith="620102", name__startswith="新街道").exists()
    cluster.kill()

    let_leases_run_out()
    cluster.start()  # the same task is handed out again
    wait_for(lambda: queued_tasks() == 0 and finished_tasks("onboarding.tasks.run_import"), FINISH_TIMEOUT, "the retry")
    cluster.kill()

    run.refresh_from_db()
    assert (run.status, run.attempts, run.progress) == (ImportRun.Status.APPLIED, 2, 100), cluster.log()
    assert run.counts["created"] == 30
    assert Center.objects.filter(name__startswith="新街道").count() == 30
    assert finished_tasks("onboarding.tasks.run_import") == [(True, 1)]
    actions = AuditEvent.objects.filter(object_type="onboarding.importrun", object_id=str(run.pk))
    assert sorted(actions.values_list("action", flat=True)) == ["onboarding.applied", "onboarding.queued"]
    assert AuditEvent.objects.filter(action="center.create").count() == 30
