"""Background jobs: a row that a django-q2 task carries to completion once, with a progress bar.

Exports (`reports.exports`) and imports (`onboarding.jobs`) are such jobs. Their model has a
`status` with "queued" and "running" among its values (every other value is an end), a `progress`
in percent and a count of `attempts`. The mechanism they share:

- `enqueue` hands the task to the queue once the transaction that recorded the job commits;
- `claim` is the task's first step: it takes the job from queued (or from running, when django-q2
  hands out again the task of a worker that died) to running, or gives it up after `MAX_ATTEMPTS`;
- `progress_writer` writes the percent as the job goes, where a polling page sees it.
"""

import contextlib
from collections.abc import Callable, Iterator

from django.db import DEFAULT_DB_ALIAS, connection, connections, transaction
from django.db.models import Model

from govcenter.faults import pause_point

Progress = Callable[[int], None]

QUEUED = "queued"
RUNNING = "running"
ACTIVE = (QUEUED, RUNNING)

# A retried task that finds its job still running means the earlier worker died (django-q2 re-delivers
# only after its timeout); after this many attempts the job is given up.
MAX_ATTEMPTS = 3


def enqueue(task: str, job_id: int, *, name: str) -> None:
    """Queue `task(job_id)` once the current transaction commits (at once outside one): a worker
    never looks for a job that is not there yet."""

    def send() -> None:
        from django_q.tasks import async_task

        async_task(task, job_id, task_name=name)

    transaction.on_commit(send)


@transaction.atomic
def claim(model: type[Model], job_id: int, *, give_up: Callable[[Model], None]):
    """The job, now running and counted as one more attempt; None for a job that has ended (a task
    delivered twice) or is gone. A job tried `MAX_ATTEMPTS` times is handed to `give_up`, which
    ends it with a message for its owner (saving it is `give_up`'s), and None is returned."""
    job = model.objects.select_for_update().filter(pk=job_id).first()
    if job is None or job.status not in ACTIVE:
        return None
    if job.attempts >= MAX_ATTEMPTS:
        give_up(job)
        return None
    job.attempts += 1
    job.status, job.progress = RUNNING, 0
    job.save(update_fields=["attempts", "status", "progress"])
    return job


@contextlib.contextmanager
def progress_writer(model: type[Model], job_id: int, *, fault: str, in_transaction: bool = False) -> Iterator[Progress]:
    """`progress(percent)`: each change written at once, in a statement of its own, so a polling page
    sees it while the job runs. 100 is written by the job's end, not here.

    A job that works outside a transaction (an export) writes on its own connection. A job that works
    inside one (`in_transaction`: an import applies all or nothing) would hide its progress until the
    commit, so it writes through a second connection; SQLite lets one connection write at a time, so
    there the bar shows the job running without a figure until it ends."""
    table = model._meta.db_table
    side: list = []
    last = [-1]

    def execute(sql: str, params: list) -> None:
        if not in_transaction:
            with connection.cursor() as cursor:
                cursor.execute(sql, params)
            return
        if connection.vendor == "sqlite":
            return
        if not side:
            side.append(connections.create_connection(DEFAULT_DB_ALIAS))
        with side[0].cursor() as cursor:  # autocommit: seen at once
            cursor.execute(sql, params)

    def progress(percent) -> None:
        value = max(0, min(99, int(percent)))
        if value == last[0]:
            return
        last[0] = value
        execute(f'UPDATE "{table}" SET "progress" = %s WHERE "id" = %s AND "status" = %s', [value, job_id, RUNNING])
        pause_point(fault)

    try:
        yield progress
    finally:
        if side:
            side[0].close()
