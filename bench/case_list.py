"""Time the case list (API and page) for a few demo users on whatever database DATABASE_URL names.

Run: DATABASE_URL=postgres://postgres@127.0.0.1:5432/gc_demo_county .venv/bin/python bench/case_list.py
Prints the median and 95th percentile server time (in-process, through the whole middleware stack)
and the query count per request. A fuller benchmark is `make bench` (a later issue).
"""

import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "govcenter.settings")
os.environ.setdefault("SECRET_KEY", "bench-only")
os.environ.setdefault("DEBUG", "false")
os.environ.setdefault("ALLOWED_HOSTS", "testserver")

import django  # noqa: E402

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

RUNS = int(os.environ.get("BENCH_RUNS", "30"))
REQUESTS = [
    ("director", "/api/v1/cases/"),
    ("director", "/api/v1/cases/?overdue=true"),
    ("director", "/api/v1/cases/?page=20"),
    ("director", "/api/v1/cases/?category=d-labour&channel=hotline"),
    ("clerk", "/api/v1/cases/"),
    ("clerk", "/cases/"),
    ("director", "/cases/?status=received&status=classified"),
]


def measure(client, path):
    client.get(path)  # warm
    timings = []
    for _ in range(RUNS):
        started = time.perf_counter()
        response = client.get(path)
        timings.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, (path, response.status_code)
    with CaptureQueriesContext(connection) as queries:
        client.get(path)
    timings.sort()
    return statistics.median(timings), timings[int(len(timings) * 0.95) - 1], len(queries.captured_queries)


def main():
    users = get_user_model().objects
    print(f"database: {connection.vendor} {connection.settings_dict['NAME']}, runs: {RUNS}")
    print(f"{'user':<10} {'request':<52} {'median ms':>9} {'p95 ms':>8} {'queries':>7}")
    for username, path in REQUESTS:
        client = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
        client.force_login(users.get(username=username))
        median, p95, queries = measure(client, path)
        print(f"{username:<10} {path:<52} {median:9.1f} {p95:8.1f} {queries:7d}")


if __name__ == "__main__":
    main()
