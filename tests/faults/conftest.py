"""A real django-q2 cluster (`manage.py qcluster`) in a subprocess, on the test database, that a test
can kill with SIGKILL and start again. PostgreSQL only: the cluster's processes need the rows the test
committed, and the test needs theirs."""

import os
import signal
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path
from urllib.parse import quote

import pytest
from django.conf import settings
from django.db import connection
from django.utils import timezone

from govcenter.settings import BASE_DIR

# A task may run Q_TIMEOUT seconds; one handed out and not acknowledged (its worker died) is handed out
# again Q_RETRY seconds after it was taken. Generous by default: a dossier's first render in a fresh
# worker takes seconds on a busy machine. A test that waits for the real lease sets them short.
Q_TIMEOUT = 60
Q_RETRY = 61


@pytest.fixture(autouse=True)
def _tasks_run_inline(monkeypatch):
    # Unlike the rest of the suite, tasks go to the real queue (the ORM broker), for the cluster.
    from django_q.conf import Conf

    monkeypatch.setattr(Conf, "SYNC", False)


def database_url() -> str:
    db = connection.settings_dict
    password = f":{quote(db['PASSWORD'], safe='')}" if db.get("PASSWORD") else ""
    host = f"{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}"
    return f"postgres://{quote(db['USER'], safe='')}{password}@{host}/{db['NAME']}"


def let_leases_run_out() -> None:
    """As if Q_RETRY seconds had passed: every task handed out and not acknowledged is due again."""
    from django_q.models import OrmQ

    OrmQ.objects.update(lock=timezone.now() - timedelta(seconds=1))


def wait_for(condition, timeout: float, what: str, poll: float = 0.2):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(poll)
    raise AssertionError(f"timed out after {timeout} s waiting for {what}")


class Cluster:
    """`manage.py qcluster` against the test database; `pause_at` names a `govcenter.faults` point."""

    def __init__(self, tmp_path: Path, pause_at: str | None, timeout: int, retry: int):
        self.pause_file = tmp_path / "paused"
        self.log_dir = tmp_path
        self.pause_at = pause_at
        self.timeout, self.retry = timeout, retry
        self.process: subprocess.Popen | None = None
        self.runs = 0

    def _env(self) -> dict:
        env = {k: v for k, v in os.environ.items() if k not in ("REDIS_URL", "Q_REDIS_URL", "TEST_DATABASE_NAME")}
        env.update(
            DATABASE_URL=database_url(),
            MEDIA_ROOT=str(settings.MEDIA_ROOT),
            Q_WORKERS="1",
            Q_TIMEOUT=str(self.timeout),
            Q_RETRY=str(self.retry),
            PYTHONUNBUFFERED="1",
        )
        if self.pause_at:
            env.update(GOVCENTER_PAUSE_AT=self.pause_at, GOVCENTER_PAUSE_FILE=str(self.pause_file))
        return env

    def start(self) -> None:
        self.runs += 1
        with (self.log_dir / f"qcluster-{self.runs}.log").open("w") as log:  # the child keeps its own copy
            self.process = subprocess.Popen(
                [sys.executable, "manage.py", "qcluster"],
                cwd=BASE_DIR,
                env=self._env(),
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # its own process group: killed as a whole, like a crashed host
            )

    def wait_paused(self, timeout: float = 60) -> int:
        """Wait until a task stops at the pause point; the worker's process id."""

        def paused():
            if self.process.poll() is not None:
                raise AssertionError(f"qcluster exited early:\n{self.log()}")
            parts = self.pause_file.read_text().split() if self.pause_file.exists() else []
            return int(parts[1]) if len(parts) == 2 else None

        return wait_for(paused, timeout, f"a task to reach {self.pause_at}")

    def kill(self) -> None:
        """SIGKILL to every process of the cluster at once: nothing gets to clean up."""
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)

    def log(self) -> str:
        return "\n".join(path.read_text()[-4000:] for path in sorted(self.log_dir.glob("qcluster-*.log")))


@pytest.fixture
def cluster_factory(transactional_db, settings, tmp_path):
    if "orm" not in settings.Q_CLUSTER:
        pytest.skip("the fault tests run the cluster on the ORM broker (unset REDIS_URL and Q_REDIS_URL)")
    settings.MEDIA_ROOT = tmp_path / "media"
    from django_q.models import OrmQ, Schedule

    # Only the task under test: no periodic work (the overdue sweep among it) and no leftovers.
    Schedule.objects.all().delete()
    OrmQ.objects.all().delete()
    clusters = []

    def make(pause_at: str | None = None, timeout: int = Q_TIMEOUT, retry: int = Q_RETRY) -> Cluster:
        cluster = Cluster(tmp_path, pause_at, timeout, retry)
        clusters.append(cluster)
        return cluster

    yield make
    for cluster in clusters:
        cluster.kill()
