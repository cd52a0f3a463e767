"""Load and soak run of the portal: clerks, mediators, directors and citizens at once, through gunicorn
and PostgreSQL, driven by locust for a bounded time.

Run: make load   (LOAD_SECONDS=600 make load for a longer soak; .venv/bin/python bench/load.py --help)

It creates the database when it is missing (default gc_load on 127.0.0.1:5432), migrates it and seeds
the county-scale demo once (about 24,000 cases, the demo logins), starts gunicorn with the production
config (gunicorn.conf.py, DEBUG off, persistent connections, workers never recycled so their memory
can be watched) and one django-q2 cluster, then lets locust run the mix of bench/load_mix.py: staff
log in through the login page and send CSRF tokens as browsers do. Every request kind names the
statuses it expects; anything else is an error, a 5xx always. Worker memory (RSS) is sampled every
second: before the load, after the warm-up, at the end and its peak.

It prints a table per request kind (requests, errors, p50/p95 ms), the throughput, the error rate and
the memory, writes bench/results-load.json, and exits 1 if there was any error: a failed request, a
traceback in gunicorn's log, a worker that died, or a background task that failed.

Every run adds cases, sessions and citizens' reports to its database: never point it at one that matters.
"""

import argparse
import csv
import json
import os
import platform
import signal
import subprocess
import sys
import tempfile
import threading
import time
from datetime import UTC, date, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench import load_mix  # noqa: E402 - after the project folder is on the path
from bench.intake_load import (  # noqa: E402
    GUNICORN,
    PYTHON,
    VENV_BIN,
    Server,
    backend_pids,
    check_postgres,
    check_redis,
    cpu_seconds,
    ensure_database,
    fail,
    manage,
    process_tree,
    stop_group,
)

LOCUST = VENV_BIN / "locust"
RESULTS = ROOT / "bench" / "results-load.json"
DEMO_PASSWORD = "Demo@2026"
# Demo logins (govcenter/demo.py) and what they do in the mix.
CLERKS = ["clerk"]
MEDIATORS = ["mediator"]
DIRECTORS = ["director", "city_director", "province_director"]
CATEGORY = "d-neighbour--drainage"


# --- The database and the plan -----------------------------------------------------------------------


def prepare(env: dict, scale: str) -> None:
    import psycopg

    manage(env, "migrate", "--noinput")
    with psycopg.connect(env["DATABASE_URL"]) as conn:
        seeded = conn.execute("SELECT count(*) FROM auth_user WHERE username = 'clerk'").fetchone()[0]
    if not seeded:
        print(f"seeding the demo at {scale} scale (seed_demo --scale {scale}), once …", flush=True)
        manage(env, "seed_demo", "--scale", scale)


def one(conn, sql: str, params=()):
    row = conn.execute(sql, params).fetchone()
    return row[0] if row else None


def center_of(conn, username: str) -> str:
    code = one(
        conn,
        "SELECT m.center_code FROM govcenter_membership m JOIN auth_user u ON u.id = m.user_id"
        " WHERE u.username = %s AND m.is_active ORDER BY length(m.center_code) LIMIT 1",
        [username],
    )
    if code is None:
        fail(f"the demo login {username!r} has no active membership: reseed the load database")
    return code


def build_plan(database_url: str) -> load_mix.Plan:
    """Who logs in and what they work on, read from the seeded demo."""
    import psycopg

    with psycopg.connect(database_url) as conn:
        township = center_of(conn, CLERKS[0])
        county = township[:6]
        mediators, mediation_cases = {}, {}
        for username in MEDIATORS:
            mediator_id = one(
                conn,
                "SELECT m.id FROM mediation_mediator m JOIN auth_user u ON u.id = m.user_id WHERE u.username = %s",
                [username],
            )
            cases = [
                row[0]
                for row in conn.execute(
                    "SELECT a.case_id FROM mediation_assignment a JOIN cases_case c ON c.id = a.case_id"
                    " WHERE a.mediator_id = %s AND a.ended_at IS NULL AND c.status = 'in_mediation' ORDER BY 1",
                    [mediator_id],
                )
            ]
            if mediator_id and cases:
                mediators[username], mediation_cases[username] = mediator_id, cases
        if not mediators:
            fail("no demo mediator has a case in mediation: reseed the load database")
        departments = [
            row[0]
            for row in conn.execute(
                "SELECT id FROM govcenter_department WHERE center_code = %s AND is_active ORDER BY id", [county]
            )
        ]
        tokens = [
            row[0]
            for row in conn.execute(
                "SELECT public_token FROM govcenter_center"
                " WHERE is_active AND level >= 3 AND code LIKE %s ORDER BY code",
                [county + "%"],
            )
        ]
        category = one(conn, "SELECT code FROM cases_category WHERE code = %s AND is_active", [CATEGORY])
        foreign = one(
            conn, "SELECT id FROM cases_case WHERE center_code NOT LIKE %s ORDER BY id LIMIT 1", [township + "%"]
        )
        directors = [(username, center_of(conn, username)) for username in DIRECTORS]
    if not (departments and tokens and category and foreign):
        fail("the load database lacks departments, QR tokens, the category or a second township: reseed it")
    today = date.today()
    return load_mix.Plan(
        password=DEMO_PASSWORD,
        clerks=CLERKS,
        mediators=mediators,
        directors=directors,
        township=township,
        county=county,
        category=category,
        departments=departments,
        public_tokens=tokens,
        mediation_cases=mediation_cases,
        foreign_case=foreign,
        ranking_month=f"{today.year - (today.month == 1)}-{(today.month - 2) % 12 + 1:02d}",
    )


def failed_tasks_since(database_url: str, since: datetime) -> list[str]:
    import psycopg

    with psycopg.connect(database_url) as conn:
        rows = conn.execute(
            "SELECT func, left(result::text, 200) FROM django_q_task WHERE NOT success AND started >= %s", [since]
        ).fetchall()
    return [f"{func}: {result}" for func, result in rows]


# --- Processes ---------------------------------------------------------------------------------------


class Cluster:
    """One django-q2 cluster (`manage.py qcluster`) in its own process group."""

    def __init__(self, env: dict, log_path: Path):
        self.env, self.log_path, self.process = env, log_path, None

    def start(self) -> None:
        self.log = open(self.log_path, "w")  # noqa: SIM115 - closed in stop()
        self.process = subprocess.Popen(
            [str(PYTHON), "manage.py", "qcluster"],
            cwd=ROOT,
            env=self.env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def stop(self) -> None:
        if self.process is None:
            return
        stop_group(self.process, timeout=30)
        self.process = None
        self.log.close()


def rss_kib(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


class MemoryWatch:
    """Samples the resident memory of gunicorn's workers (and of the cluster) once a second."""

    def __init__(self, server_pid: int, cluster_pid: int | None):
        self.server_pid, self.cluster_pid = server_pid, cluster_pid
        self.samples: list[dict] = []
        self.workers_seen: set[int] = set()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def sample(self) -> dict:
        workers = [pid for pid in process_tree(self.server_pid) if pid != self.server_pid]
        self.workers_seen.update(workers)
        sample = {
            "t": time.monotonic(),
            "workers": {pid: rss_kib(pid) for pid in workers},
            "cluster": sum(rss_kib(pid) for pid in process_tree(self.cluster_pid)) if self.cluster_pid else 0,
        }
        self.samples.append(sample)
        return sample

    def _run(self):
        while not self._stop.wait(1.0):
            self.sample()

    def start(self):
        self.sample()
        self._thread.start()

    def stop(self):
        self._stop.set()
        self._thread.join()
        self.sample()

    def at(self, seconds: float) -> dict:
        start = self.samples[0]["t"]
        return min(self.samples, key=lambda s: abs(s["t"] - start - seconds))


def mib(kib: float) -> float:
    return round(kib / 1024, 1)


def memory_report(watch: MemoryWatch, warmup: float) -> dict:
    before, warm, end = watch.samples[0], watch.at(warmup), watch.samples[-1]
    midpoint = warmup + (end["t"] - before["t"] - warmup) / 2

    def total(sample):
        return sum(sample["workers"].values())

    peak = max(watch.samples, key=total)
    per_worker = {
        str(pid): {"warm_mib": mib(warm["workers"].get(pid, 0)), "end_mib": mib(rss)}
        for pid, rss in sorted(end["workers"].items())
    }
    return {
        "workers": len(end["workers"]),
        "workers_replaced": len(watch.workers_seen) - len(end["workers"]),
        "before_load_mib": mib(total(before)),
        "after_warmup_mib": mib(total(warm)),
        "end_mib": mib(total(end)),
        "peak_mib": mib(total(peak)),
        "growth_after_warmup_mib": mib(total(end) - total(warm)),
        "growth_per_worker_mib": mib((total(end) - total(warm)) / max(len(end["workers"]), 1)),
        "per_worker": per_worker,
        # A leak keeps growing; caches filling up after the warm-up level off: compare the halves.
        "growth_second_half_mib": mib(total(end) - total(watch.at(midpoint))),
        "cluster_warm_mib": mib(warm["cluster"]),
        "cluster_end_mib": mib(end["cluster"]),
        "cluster_peak_mib": mib(max(s["cluster"] for s in watch.samples)),
        "cluster_growth_second_half_mib": mib(end["cluster"] - watch.at(midpoint)["cluster"]),
        "samples": len(watch.samples),
        # Every 10 s: seconds since the start, workers' total and the cluster's RSS in MiB.
        "timeline": [
            [round(s["t"] - before["t"]), mib(total(s)), mib(s["cluster"])] for s in watch.samples[::10] + [end]
        ],
    }


# --- locust ------------------------------------------------------------------------------------------


def run_locust(args, port: int, plan: load_mix.Plan, folder: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "LOAD_PLAN": json.dumps(plan.to_dict(), ensure_ascii=False)}
    command = [
        str(LOCUST),
        "-f",
        str(ROOT / "bench" / "locustfile.py"),
        "--headless",
        "--users",
        str(args.users),
        "--spawn-rate",
        str(args.spawn_rate),
        "--run-time",
        f"{args.seconds}s",
        "--stop-timeout",
        "10",
        "--host",
        f"http://127.0.0.1:{port}",
        "--csv",
        str(folder / "load"),
        "--only-summary",
        "--loglevel",
        "WARNING",
        "--exit-code-on-error",
        "0",  # the errors are counted here, from the CSV files
    ]
    return subprocess.run(
        command,
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=args.seconds + 120,
    )


def read_stats(folder: Path) -> tuple[list[dict], dict, list[dict]]:
    with open(folder / "load_stats.csv", newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    kinds, total = [], None
    for row in rows:
        entry = {
            "kind": row["Name"],
            "method": row["Type"],
            "requests": int(row["Request Count"]),
            "errors": int(row["Failure Count"]),
            "rps": round(float(row["Requests/s"]), 2),
            "p50_ms": float(row["50%"] or 0),
            "p95_ms": float(row["95%"] or 0),
            "p99_ms": float(row["99%"] or 0),
            "max_ms": round(float(row["Max Response Time"] or 0), 1),
        }
        if row["Name"] == "Aggregated":
            total = entry
        else:
            kinds.append(entry)
    failures = []
    failures_path = folder / "load_failures.csv"
    if failures_path.exists():
        with open(failures_path, newline="", encoding="utf-8") as handle:
            failures = [
                {"kind": r["Name"], "error": r["Error"], "count": int(r["Occurrences"])} for r in csv.DictReader(handle)
            ]
    if total is None:
        fail("locust wrote no totals")
    return kinds, total, failures


def server_errors(log: str) -> list[str]:
    """Tracebacks, 5xx and killed workers in gunicorn's log (Django's own log goes there too)."""
    markers = ("Traceback", "[ERROR]", "[CRITICAL]", "WORKER TIMEOUT", "Internal Server Error")
    return [line for line in log.splitlines() if any(marker in line for marker in markers)]


# --- The run -----------------------------------------------------------------------------------------


def arguments(argv):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--server", default=os.environ.get("BENCH_PG", "postgres://postgres@127.0.0.1:5432"))
    parser.add_argument("--database", default=os.environ.get("LOAD_DATABASE", "gc_load"))
    parser.add_argument("--scale", default="county", choices=["small", "county", "province"], help="seed when empty")
    parser.add_argument("--redis", default=os.environ.get("LOAD_REDIS_URL", "redis://127.0.0.1:6379/10"))
    parser.add_argument("--seconds", type=int, default=int(os.environ.get("LOAD_SECONDS", "120")))
    parser.add_argument("--users", type=int, default=int(os.environ.get("LOAD_USERS", "12")))
    # One a second: logging in hashes a password (deliberately slow), so a burst of logins would hold
    # every worker for seconds at the start.
    parser.add_argument("--spawn-rate", type=float, default=1.0, help="users started per second")
    parser.add_argument("--warmup", type=int, default=20, help="seconds after which memory growth is counted")
    parser.add_argument("--workers", type=int, default=int(os.environ.get("WEB_CONCURRENCY", "4")))
    parser.add_argument("--output", type=Path, default=RESULTS)
    args = parser.parse_args(argv)
    if not 10 <= args.seconds <= 6 * 3600:
        parser.error("--seconds must be between 10 and 21600")
    return args


def environment(args) -> dict:
    """The portal as production runs it, behind a proxy that terminates TLS (so plain-HTTP cookies)."""
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "govcenter.settings",
        "DATABASE_URL": f"{args.server}/{args.database}",
        "DEBUG": "false",
        "SECRET_KEY": "load-run-only-not-a-secret",
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "CONN_MAX_AGE": "600",
        "NUM_PROXIES": "1",
        "SECURE_SSL_REDIRECT": "false",
        "SECURE_COOKIES": "false",
        "LOG_LEVEL": "WARNING",
    }
    for name in ("REDIS_URL", "Q_REDIS_URL"):
        env.pop(name, None)
    if args.redis:
        env["REDIS_URL"] = env["Q_REDIS_URL"] = args.redis
    return env


def print_report(result: dict) -> None:
    print()
    print(f"{'request kind':<44} {'requests':>8} {'errors':>6} {'req/s':>6} {'p50 ms':>7} {'p95 ms':>7}")
    for kind in sorted(result["kinds"], key=lambda k: k["kind"]):
        print(
            f"{kind['kind'][:44]:<44} {kind['requests']:8d} {kind['errors']:6d} {kind['rps']:6.1f} "
            f"{kind['p50_ms']:7.0f} {kind['p95_ms']:7.0f}"
        )
    total = result["total"]
    print(
        f"{'all':<44} {total['requests']:8d} {total['errors']:6d} {total['rps']:6.1f} "
        f"{total['p50_ms']:7.0f} {total['p95_ms']:7.0f}"
    )
    memory = result["memory"]
    print()
    print(
        f"throughput {result['throughput_rps']:.1f} req/s over {result['seconds']} s with {result['users']} users; "
        f"error rate {result['error_rate'] * 100:.3f} % ({total['errors']} of {total['requests']})"
    )
    print(
        f"gunicorn workers ({memory['workers']}, RSS total): before load {memory['before_load_mib']} MiB, "
        f"after {result['warmup_s']} s warm-up {memory['after_warmup_mib']} MiB, end {memory['end_mib']} MiB, "
        f"peak {memory['peak_mib']} MiB; growth after warm-up {memory['growth_after_warmup_mib']} MiB "
        f"({memory['growth_per_worker_mib']} MiB a worker), in the second half {memory['growth_second_half_mib']} MiB; "
        f"workers replaced {memory['workers_replaced']}"
    )
    print(
        f"qcluster RSS: {memory['cluster_warm_mib']} MiB after warm-up, {memory['cluster_end_mib']} MiB at the end, "
        f"peak {memory['cluster_peak_mib']} MiB; in the second half {memory['cluster_growth_second_half_mib']} MiB"
    )
    cpu = result["cpu"]
    print(
        f"CPU per request: gunicorn {cpu['gunicorn_ms_per_request']} ms, "
        f"PostgreSQL {cpu['postgres_ms_per_request']} ms; "
        f"load average {cpu['load_average_before']} before, {cpu['load_average_after']} after"
    )
    for failure in result["failures"]:
        print(f"  FAILED {failure['count']}× {failure['kind']}: {failure['error'][:300]}")
    for line in result["server_errors"][:20]:
        print(f"  SERVER {line[:300]}")
    for line in result["failed_tasks"][:20]:
        print(f"  TASK {line[:300]}")


def main(argv=None) -> int:
    args = arguments(argv)
    for tool in (GUNICORN, LOCUST):
        if not tool.exists():
            fail(f"{tool} is missing: make install (it is in requirements-dev.txt / requirements.txt)")
    check_postgres(args.server)
    if args.redis:
        check_redis(args.redis)
    env = environment(args)
    if ensure_database(args.server, args.database):
        print(f"created database {args.database}", flush=True)
    prepare(env, args.scale)
    plan = build_plan(env["DATABASE_URL"])
    print(
        f"database {args.database}: {args.users} users (clerks, mediators, directors, citizens) for {args.seconds} s "
        f"against {args.workers} gunicorn workers and one qcluster; redis {'on' if args.redis else 'off'}",
        flush=True,
    )
    with tempfile.TemporaryDirectory(prefix="load-run-") as name:
        folder = Path(name)
        server = Server(env, "sync", args.workers, 1, folder / "gunicorn.log")
        cluster = Cluster(env, folder / "qcluster.log")
        previous = {sig: signal.getsignal(sig) for sig in (signal.SIGINT, signal.SIGTERM)}

        def stop_and_exit(signum, frame):
            print(f"load: signal {signum}, stopping gunicorn and the cluster", file=sys.stderr, flush=True)
            server.stop()
            cluster.stop()
            raise SystemExit(128 + signum)

        for sig in previous:
            signal.signal(sig, stop_and_exit)
        started_at = datetime.now(UTC)
        try:
            server.start()
            cluster.start()
            watch = MemoryWatch(server.process.pid, cluster.process.pid)
            watch.start()
            began, load_before = time.monotonic(), os.getloadavg()[0]
            app_cpu = cpu_seconds(process_tree(server.process.pid))
            done = run_locust(args, server.port, plan, folder)
            elapsed = time.monotonic() - began
            watch.stop()
            # The CPU the portal spent, which neighbours on a shared machine do not inflate as they do
            # latency. The database backends connected during the run (persistent connections).
            cpu = {
                "gunicorn_s": cpu_seconds(process_tree(server.process.pid)) - app_cpu,
                "postgres_s": cpu_seconds(backend_pids(env["DATABASE_URL"], args.database)),
                "load_average_before": round(load_before, 2),
                "load_average_after": round(os.getloadavg()[0], 2),
            }
            # Read before stopping: the workers' shutdown has log lines of its own.
            errors_in_log = server_errors((folder / "gunicorn.log").read_text(errors="replace"))
        finally:
            server.stop()
            cluster.stop()
            for sig, handler in previous.items():
                signal.signal(sig, handler)
        if not (folder / "load_stats.csv").exists():
            fail(f"locust failed (exit {done.returncode}):\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}")
        kinds, total, failures = read_stats(folder)
        cluster_log = (folder / "qcluster.log").read_text(errors="replace")
    failed = failed_tasks_since(env["DATABASE_URL"], started_at)
    memory = memory_report(watch, args.warmup)
    result = {
        "benchmark": "load and soak: clerks, mediators, directors and citizens through gunicorn",
        "at": started_at.isoformat(timespec="seconds"),
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version(), "system": platform.platform()},
        "database": args.database,
        "redis": bool(args.redis),
        "seconds": args.seconds,
        "elapsed_s": round(elapsed, 1),
        "users": args.users,
        "gunicorn_workers": args.workers,
        "warmup_s": args.warmup,
        "throughput_rps": round(total["requests"] / args.seconds, 1),
        "error_rate": total["errors"] / max(total["requests"], 1),
        "expected_4xx_kinds": sorted(k["kind"] for k in kinds if k["kind"].endswith("(404)")),
        "total": total,
        "kinds": kinds,
        "failures": failures,
        "server_errors": errors_in_log,
        "failed_tasks": failed,
        "cluster_log_tail": cluster_log[-2000:],
        "memory": memory,
        "cpu": {
            **cpu,
            "gunicorn_ms_per_request": round(cpu["gunicorn_s"] * 1000 / max(total["requests"], 1), 1),
            "postgres_ms_per_request": round(cpu["postgres_s"] * 1000 / max(total["requests"], 1), 1),
        },
    }
    print_report(result)
    args.output.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"written: {args.output}")
    clean = not (total["errors"] or errors_in_log or failed or memory["workers_replaced"])
    print("zero errors" if clean else "ERRORS: see above")
    return 0 if clean else 1


if __name__ == "__main__":
    sys.exit(main())
