"""Time early warning on whatever database DATABASE_URL names: scoring every case (and, apart, every
open case: the nightly pass) and one hotspot detection pass over the window ending at the newest case.

Run: DATABASE_URL=postgres://postgres@127.0.0.1:5432/gc_demo_county .venv/bin/python bench/risk.py
It writes CaseRisk rows (and warnings, hotspots) as the real passes do: use a benchmark database.
"""

import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "govcenter.settings")
os.environ.setdefault("SECRET_KEY", "bench-only")

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402
from django.db.models import Max  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from cases.hotspots import services as hotspots  # noqa: E402
from cases.models import OPEN_STATUSES, Case  # noqa: E402
from cases.risk.scoring import active_indicators, score_case, score_open_cases  # noqa: E402


def main():
    indicators = active_indicators()
    cases = Case.objects.only("pk", "center_code").order_by("pk")
    total = cases.count()
    where = f"{connection.vendor} {connection.settings_dict['NAME']}"
    print(f"database: {where}; {total:,} cases, {len(indicators)} indicators")
    started = time.perf_counter()
    for case in cases.iterator(chunk_size=1000):
        score_case(case, indicators)
    elapsed = time.perf_counter() - started
    print(f"score every case: {elapsed:.1f} s ({1000 * elapsed / max(total, 1):.1f} ms a case)")
    open_count = Case.objects.filter(status__in=OPEN_STATUSES).count()
    started = time.perf_counter()
    score_open_cases()
    print(f"nightly pass over {open_count:,} open cases: {time.perf_counter() - started:.1f} s")
    newest = Case.objects.aggregate(newest=Max("received_at"))["newest"]
    hotspots.hotspots_detect(now=newest)  # warm: loads jieba's dictionary once per process
    with CaptureQueriesContext(connection) as queries:
        started = time.perf_counter()
        found = hotspots.hotspots_detect(now=newest)
        elapsed = time.perf_counter() - started
    print(f"one hotspot pass: {1000 * elapsed:.0f} ms, {len(queries)} queries, {len(found)} hotspots")


if __name__ == "__main__":
    main()
