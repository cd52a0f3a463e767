"""Background jobs: a row that a django-q2 task carries to completion once, with a progress bar.

Exports (`reports.exports`) and imports (`onboarding.services`) are such jobs. Their model has a
`status` with "queued" and "running" among its values (every other value is an end), a `progress`
in percent and a count of `attempts`. The mechanism they share:

- `enqueue` hands the task to the queue once the transaction that recorded the job commits;
- `claim` is the task's first step: it takes the job from queued (or from running, when django-q2
  hands out again the task of a worker that died) to running, or gives it up after `MAX_ATTEMPTS`;
- `progress_writer` writes the percent as the job goes, where a polling page sees it;
- `sweep_stale` ends the jobs no worker will finish (the worker died where its task is not handed out
  again, as with the Redis broker, or the task never reached the queue).
"""

import contextlib
import logging
from collections.abc import Callable, Iterator
from datetime import timedelta

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connection, connections, transaction
from django.db.models import Model
from django.utils import timezone

from govcenter.faults import pause_point

logger = logging.getLogger("govcenter.jobs")

Progress = Callable[[int], None]

QUEUED = "queued"
RUNNING = "running"
ACTIVE = (QUEUED, RUNNING)

# A retried task that finds its job still running means the earlier worker died (django-q2's ORM
# broker hands a task out again Q_RETRY seconds after it was taken); after this many attempts the
# job is given up.
MAX_ATTEMPTS = 3
# A progress write waits at most this long for a lock: the bar may miss a step, the job never waits.
PROGRESS_LOCK_TIMEOUT = "2s"


def stale_after() -> timedelta:
    """How long a job may stay queued or running before no worker is expected to finish it: every
    attempt taken, run to its timeout and handed out again, once more than the attempts allowed."""
    cluster = settings.Q_CLUSTER
    return timedelta(seconds=(MAX_ATTEMPTS + 1) * (cluster["retry"] + cluster["timeout"]))


def enqueue(task: str, job_id: int, *, name: str) -> None:
    """Queue `task(job_id)` once the current transaction commits (at once outside one): a worker
    never looks for a job that is not there yet."""

    def send() -> None:
        from django_q.tasks import async_task

        async_task(task, job_id, task_name=name)

    # A broker that is down must not turn the request that recorded the job into an error: the job
    # stays queued, and `sweep_stale` ends it with a message if it is never taken.
    transaction.on_commit(send, robust=True)


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
        if connection.vendor == "sqlite" or side == [None]:
            return
        try:
            if not side:
                side.append(_side_connection())
            with side[0].cursor() as cursor:  # autocommit: seen at once
                cursor.execute(sql, params)
        except DatabaseError:
            # The bar is for the person waiting; the job goes on without it.
            logger.warning("progress of %s %s not written; going on without it", table, job_id, exc_info=True)
            if side and side[0] is not None:
                side[0].close()
            side[:] = [None]

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
        if side and side[0] is not None:
            side[0].close()


def _side_connection():
    """A second connection for progress writes, that never waits long for a lock."""
    side = connections.create_connection(DEFAULT_DB_ALIAS)
    with side.cursor() as cursor:
        cursor.execute(f"SET lock_timeout = '{PROGRESS_LOCK_TIMEOUT}'")
    return side


def sweep_stale(model: type[Model], *, abandon: Callable[[Model], None], now=None) -> int:
    """End the jobs queued or running for longer than `stale_after()`: `abandon(job)` marks each
    ended with a message for its owner (saving it is `abandon`'s). Periodic, never on a request."""
    cutoff = (now or timezone.now()) - stale_after()
    ended = 0
    for job_id in model.objects.filter(status__in=ACTIVE, created_at__lt=cutoff).values_list("pk", flat=True):
        with transaction.atomic():
            job = model.objects.select_for_update().filter(pk=job_id, status__in=ACTIVE).first()
            if job is not None:
                abandon(job)
                ended += 1
    return ended
