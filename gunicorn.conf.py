"""How GovCenter runs in production: `gunicorn govcenter.wsgi` from the project folder (gunicorn reads
this file from the working directory; elsewhere pass `-c /path/to/gunicorn.conf.py`).

Everything is read from the environment, with defaults measured on a 2-core machine by
`make bench-intake` (bench/intake_load.py, which serves through this file):

  GUNICORN_BIND            where to listen (default 127.0.0.1:8000; a reverse proxy sits in front)
  WEB_CONCURRENCY          worker processes (default: 2 per core, at least 2)
  GUNICORN_WORKER_CLASS    sync (default) or gthread
  GUNICORN_THREADS         threads per worker when gthread (default 1)
  GUNICORN_TIMEOUT         seconds before a silent worker is killed and replaced (default 30)
  GUNICORN_GRACEFUL_TIMEOUT  seconds a worker may finish its request on shutdown (default 30)
  GUNICORN_KEEPALIVE       seconds an idle keep-alive connection is kept (default 5)
  GUNICORN_MAX_REQUESTS    recycle a worker after this many requests, 0 for never (default 5000)
  GUNICORN_ACCESS_LOG      "-" for stdout, a file path, or empty for none (default: none)
  GUNICORN_LOG_LEVEL       gunicorn's own log (default info; the error log goes to stderr)
  GUNICORN_PRELOAD         import the application once in the master (default true); a code
                           change then needs a restart, not a HUP
  FORWARDED_ALLOW_IPS      proxies whose X-Forwarded-Proto is believed (default 127.0.0.1)
  GUNICORN_CONTROL_SOCKET  path of gunicorn's control socket for `gunicornc` (default: none; the
                           default path is one per user, shared by every instance on the host)

The application's own settings come from the environment too (govcenter/settings.py): production
sets SECRET_KEY, DEBUG=false, DATABASE_URL (PostgreSQL), CONN_MAX_AGE (persistent connections, one
per worker process and thread), REDIS_URL (shared cache: the rate limits count across all workers and
servers; the django-q2 broker), ALLOWED_HOSTS and NUM_PROXIES=1 behind one reverse proxy (the rate
limits and the audit log then see the citizen's address, not the proxy's). Static files: run
`manage.py collectstatic` once per release; WhiteNoise serves them.
"""

import gc
import multiprocessing
import os


def _int(name: str, default: int) -> int:
    value = os.environ.get(name)
    return int(value) if value else default


def _bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    return default if not value else value.strip().lower() in {"1", "true", "yes", "on"}


bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
# A request spends part of its time waiting: on PostgreSQL, on its commit reaching the disk, on the
# county's case-number row and the audit chain's lock. Two sync processes per core keep both cores
# busy; more only add context switches and connections. The public intake on 2 cores (req/s, median
# of three 20 s runs): sync 2, 3, 4, 6, 8 workers 84, 90, 111, 108, 98; gthread 2x4 84, 4x2 118 but
# unsteady (89 to 122); part of its edge is probably keep-alive to wrk, which nginx in front of the
# app does not use unless told to.
workers = _int("WEB_CONCURRENCY", max(2, 2 * multiprocessing.cpu_count()))
worker_class = os.environ.get("GUNICORN_WORKER_CLASS", "sync")
threads = _int("GUNICORN_THREADS", 1)
# Long work (bulk exports, dossiers of many cases) runs in django-q2, so a request that is silent
# for this long is stuck: the worker is replaced rather than left holding a connection.
timeout = _int("GUNICORN_TIMEOUT", 30)
graceful_timeout = _int("GUNICORN_GRACEFUL_TIMEOUT", 30)
# Behind a reverse proxy that keeps connections open to the app servers.
keepalive = _int("GUNICORN_KEEPALIVE", 5)
# A slow leak in any library cannot grow a worker forever; the jitter keeps the workers from all
# restarting (and reconnecting to the database) at once.
max_requests = _int("GUNICORN_MAX_REQUESTS", 5000)
max_requests_jitter = max_requests // 10
accesslog = os.environ.get("GUNICORN_ACCESS_LOG") or None
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
# The heartbeat file on tmpfs: a worker is never reported dead because a disk was slow.
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None
# gunicorn >= 25 opens a control socket at a per-user path by default: two instances on one host
# (a second site, a benchmark) would fight over it. Off unless a path of its own is given.
control_socket = os.environ.get("GUNICORN_CONTROL_SOCKET") or None
control_socket_disable = control_socket is None

# The application is imported once, in the master, and the workers fork from it: they start at once
# and share its memory pages until they write to them.
preload_app = _bool("GUNICORN_PRELOAD", True)


def pre_fork(server, worker):
    # Nothing connects at import time, but a connection must never be shared by two processes.
    if preload_app:
        from django.db import connections

        connections.close_all()
    # Everything alive now (the application, Django's and DRF's metadata) lives as long as the worker:
    # the cyclic garbage collector then leaves it out of every collection (measured: 0.5 ms of CPU a
    # public report before, 0.15 ms after) and does not write to its pages.
    gc.freeze()
