"""Time the dashboard and the red/black list on whatever database DATABASE_URL names.

Run: DATABASE_URL=postgres://postgres@127.0.0.1:5432/gc_demo_province .venv/bin/python bench/reports.py
Prints the median and 95th percentile server time (through the whole stack, as a superuser, so
the figures are of the whole subtree) and the query count: the dashboard of a county, a city and
the province over the last 30 days and a year; one month's ranking of a city's counties and of a
county's townships, computed (the preview), not read from a published snapshot.
"""

import os
import statistics
import sys
import time
from datetime import timedelta
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
from django.utils import timezone  # noqa: E402

RUNS = int(os.environ.get("BENCH_RUNS", "10"))


def requests() -> list[str]:
    today = timezone.localdate()
    year_ago = (today - timedelta(days=364)).isoformat()
    last_month = f"{(today.replace(day=1) - timedelta(days=1)):%Y-%m}"
    return [
        "/api/v1/reports/dashboard/?center=620102",
        f"/api/v1/reports/dashboard/?center=620102&from={year_ago}",
        "/api/v1/reports/dashboard/?center=6201",
        "/api/v1/reports/dashboard/?center=62",
        f"/api/v1/reports/dashboard/?center=62&from={year_ago}",
        f"/api/v1/reports/rankings/?center=620102&month={last_month}",
        f"/api/v1/reports/rankings/?center=6201&month={last_month}",
    ]


def measure(client, path):
    client.get(path)  # warm
    timings = []
    for _ in range(RUNS):
        started = time.perf_counter()
        response = client.get(path)
        timings.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, (path, response.status_code, response.content[:300])
    with CaptureQueriesContext(connection) as queries:
        client.get(path)
    timings.sort()
    return statistics.median(timings), timings[max(0, int(len(timings) * 0.95) - 1)], len(queries.captured_queries)


def main():
    user = get_user_model().objects.filter(is_superuser=True).first() or get_user_model().objects.create_superuser(
        "bench_admin", password=None
    )
    client = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
    client.force_login(user)
    print(f"database: {connection.vendor} {connection.settings_dict['NAME']}, runs: {RUNS}")
    print(f"{'request':<78} {'median ms':>9} {'p95 ms':>8} {'queries':>7}")
    for path in requests():
        median, p95, queries = measure(client, path)
        print(f"{path:<78} {median:9.1f} {p95:8.1f} {queries:7d}")


if __name__ == "__main__":
    main()
