"""`make bench`: the key requests on province-sized data, each next to its floors.

For every request it prints (and writes to bench/results.json) the median and 95th percentile
server time through the whole Django stack, in process, and its query count, beside two floors
measured in the same run:

- **sql**: the very statements the request ran (its reads), executed again directly on the same
  connection;
- **minimal**: a minimal Django view (through the same middleware, as the same logged-in user)
  returning a payload of the same size.

The ratios to those floors matter more than the milliseconds: the machine is shared and noisy.

The database is `BENCH_DATABASE_URL` (default: gc_province on the local PostgreSQL). When it has no
province data yet, it is created, migrated and seeded with `seed_demo --scale province` first.
`BENCH_RUNS` sets the runs per request (default 30); `BENCH_ONLY` a substring of the request names
to run.
"""

import json
import os
import statistics
import subprocess
import sys
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/gc_province"
DATABASE_URL = os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL)
RUNS = int(os.environ.get("BENCH_RUNS", "30"))
ONLY = os.environ.get("BENCH_ONLY", "")
RESULTS = ROOT / "bench" / "results.json"
PROVINCE_CASES = 900_000  # below this the database is not province-sized: seed it


def prepare_environment() -> None:
    os.environ["DATABASE_URL"] = DATABASE_URL
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "govcenter.settings")
    os.environ.setdefault("SECRET_KEY", "bench-only")
    os.environ["DEBUG"] = "false"
    os.environ.setdefault("ALLOWED_HOSTS", "testserver")
    os.environ.setdefault("CONN_MAX_AGE", "600")
    # In process, behind no proxy: as if TLS ended at the load balancer in front.
    os.environ.setdefault("SECURE_SSL_REDIRECT", "false")


def ensure_province_data() -> None:
    """Create, migrate and seed the benchmark database when it is not there yet."""
    import psycopg

    name = DATABASE_URL.rsplit("/", 1)[1]
    server = DATABASE_URL.rsplit("/", 1)[0] + "/postgres"
    try:
        with psycopg.connect(server, autocommit=True, connect_timeout=5) as conn:
            if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
                print(f"creating database {name}")
                conn.execute(f'CREATE DATABASE "{name}"')
    except psycopg.OperationalError as error:
        sys.exit(f"make bench needs PostgreSQL at {server}: {error}")
    manage = [sys.executable, str(ROOT / "manage.py")]
    subprocess.run([*manage, "migrate", "--noinput", "-v", "0"], check=True, env=os.environ)
    with psycopg.connect(DATABASE_URL) as conn:
        estimate = conn.execute("SELECT reltuples::bigint FROM pg_class WHERE relname = 'cases_case'").fetchone()
    if not estimate or estimate[0] < PROVINCE_CASES:
        print("seeding the province (seed_demo --scale province); this takes a few minutes")
        started = time.perf_counter()
        subprocess.run([*manage, "seed_demo", "--scale", "province"], check=True, env=os.environ)
        print(f"seeded in {time.perf_counter() - started:.0f} s")


@dataclass
class Request:
    name: str
    user: str
    path: str
    target_ms: float | None = None  # the target for the median, where it sets one
    minimal_ratio: float | None = None  # the target for median / minimal view
    method: str = "get"
    body: dict | None = None
    max_bytes: int | None = None


@dataclass
class Result:
    name: str
    user: str
    path: str
    median_ms: float
    p95_ms: float
    queries: int
    bytes: int
    sql_ms: float | None
    minimal_ms: float
    target_ms: float | None
    minimal_ratio_target: float | None
    max_bytes: int | None
    verdicts: list[str] = field(default_factory=list)

    @property
    def met(self) -> bool:
        return not any(v.startswith("MISSED") for v in self.verdicts)


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * share))]


def timed(call, runs: int) -> list[float]:
    call()  # warm: caches, the connection, the plan
    timings = []
    for _ in range(runs):
        started = time.perf_counter()
        call()
        timings.append((time.perf_counter() - started) * 1000)
    return timings


def main() -> None:
    prepare_environment()
    ensure_province_data()

    import django

    django.setup()
    from django.test.utils import override_settings

    from bench import scenario

    background = scenario.background_work()
    for job in background:
        print(f"background: {job['name']:<32} {job['ms']:>8} ms", flush=True)
    with override_settings(ROOT_URLCONF="bench.urls", ALLOWED_HOSTS=["testserver"]):
        clients = scenario.clients()
        requests = [r for r in scenario.requests() if ONLY in r.name]
        results = [measure(clients, request) for request in requests]
    extra = scenario.grants_comparison(results)
    report(results, extra, background)


def measure(clients, request: Request) -> Result:
    from django.core.cache import cache
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = clients[request.user]

    def call():
        if request.method == "post":
            cache.clear()  # the public form's per-address limit is not what is measured here
            response = client.post(request.path, request.body, content_type="application/json")
        else:
            response = client.get(request.path)
        assert response.status_code in (200, 201), (request.path, response.status_code, response.content[:300])
        return response

    timings = timed(call, RUNS)
    with CaptureQueriesContext(connection) as captured:
        response = call()
    # Copied now: each later request clears the connection's query log (request_started).
    queries = list(captured.captured_queries)
    size = len(response.content) if not response.streaming else sum(len(c) for c in response.streaming_content)
    sql_ms = None
    if request.method == "get":
        # Reads only: a page that writes its audit record cannot write the same chained row twice.
        statements = [q["sql"] for q in queries if _is_read(q["sql"])]
        sql_ms = statistics.median(timed(lambda: run_sql(statements), RUNS))
    minimal_ms = statistics.median(timed(lambda: client.get(f"/__bench__/bytes/{size}/"), RUNS))
    result = Result(
        name=request.name,
        user=request.user,
        path=request.path,
        median_ms=statistics.median(timings),
        p95_ms=percentile(timings, 0.95),
        queries=len(queries),
        bytes=size,
        sql_ms=sql_ms,
        minimal_ms=minimal_ms,
        target_ms=request.target_ms,
        minimal_ratio_target=request.minimal_ratio,
        max_bytes=request.max_bytes,
    )
    judge(result)
    print(row(result), flush=True)
    return result


def _is_read(sql: str) -> bool:
    return sql.lstrip().upper().startswith(("SELECT", "WITH", "EXPLAIN")) and "FOR UPDATE" not in sql.upper()


def run_sql(statements: list[str]) -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        for sql in statements:
            cursor.execute(sql)
            if cursor.description:
                cursor.fetchall()


def judge(result: Result) -> None:
    def verdict(ok: bool, text: str) -> None:
        result.verdicts.append(("met: " if ok else "MISSED: ") + text)

    if result.target_ms is not None:
        verdict(result.median_ms < result.target_ms, f"median < {result.target_ms:g} ms")
    if result.minimal_ratio_target is not None:
        ratio = result.median_ms / result.minimal_ms
        verdict(ratio <= result.minimal_ratio_target, f"≤ {result.minimal_ratio_target:g}× minimal view")
    if result.max_bytes is not None:
        verdict(result.bytes < result.max_bytes, f"< {result.max_bytes // 1000} KB")


HEADER = (
    f"{'request':<34} {'median':>8} {'p95':>8} {'queries':>7} {'KB':>7} {'sql':>7} {'minimal':>8}"
    f" {'×sql':>6} {'×min':>6}  targets"
)


def row(r: Result) -> str:
    sql = f"{r.sql_ms:7.2f}" if r.sql_ms is not None else f"{'–':>7}"
    x_sql = f"{r.median_ms / r.sql_ms:6.1f}" if r.sql_ms else f"{'–':>6}"
    return (
        f"{r.name:<34} {r.median_ms:8.2f} {r.p95_ms:8.2f} {r.queries:7d} {r.bytes / 1000:7.1f} {sql}"
        f" {r.minimal_ms:8.2f} {x_sql} {r.median_ms / r.minimal_ms:6.1f}  {'; '.join(r.verdicts)}"
    )


def report(results: list[Result], extra: list[dict], background: list[dict]) -> None:
    from django.db import connection

    print()
    print(f"database: {connection.settings_dict['NAME']} ({connection.vendor}), runs per request: {RUNS}")
    print("times in ms; sql = the request's statements run directly; minimal = a bare view, same payload size")
    print(HEADER)
    for result in results:
        print(row(result))
    for line in extra:
        print(f"{line['name']:<34} {line['text']}  {'met' if line['met'] else 'MISSED'}")
    for job in background:
        print(f"background: {job['name']:<34} {job['ms']:>8} ms (django-q2, not on any request)")
    missed = [r.name for r in results if not r.met] + [line["name"] for line in extra if not line["met"]]
    print(f"\ntargets missed: {', '.join(missed) if missed else 'none'}")
    RESULTS.write_text(
        json.dumps(
            {
                "database": connection.settings_dict["NAME"],
                "runs": RUNS,
                "measured_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
                "requests": [asdict(r) | {"met": r.met} for r in results],
                "comparisons": extra,
                "background": background,
            },
            ensure_ascii=False,
            indent=2,
        )
    )
    print(f"written to {RESULTS.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
