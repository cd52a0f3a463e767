"""Load test of the public intake (POST /api/v1/public/reports/, the citizens' QR form) through
gunicorn and PostgreSQL, driven by wrk.

Run: make bench-intake   (or .venv/bin/python bench/intake_load.py --help)

It creates the database when it is missing (default gc_bench_intake on 127.0.0.1:5432), migrates it
and seeds the small demo tree once, starts gunicorn with the production config (gunicorn.conf.py)
on a free port with DEBUG off, persistent connections and REDIS_URL set, warms up, then lets wrk
post varied valid reports for a fixed time. It prints requests/s, latency p50/p95/p99 and the
non-2xx count, checks that the case numbers stayed gapless, and writes bench/results-intake.json.

The rate limit stays on at its production rate. Every request carries its own X-Forwarded-For
address and gunicorn is told there is one proxy in front (NUM_PROXIES=1, as in production behind
nginx), so each "citizen" is counted in Redis as in real life and no one reaches the limit; a 429
in the results means the throttle or the addresses are wrong.

Beside requests/s it reports the CPU time gunicorn, the PostgreSQL backends and wrk spent per
request: on a machine shared with other work, requests/s measure the neighbours too, the CPU per
request much less so. --priority gives the benchmark's processes the cores first (a cpu cgroup).

Not measured: the risk scoring each new case queues for django-q2 (no qcluster runs; the queued
tasks are dropped at the end), which a real deployment pays for on its qcluster hosts.

Every run adds cases to the benchmark database: never point it at a database that matters.
"""

import argparse
import json
import os
import platform
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VENV_BIN = ROOT / ".venv" / "bin"
PYTHON = VENV_BIN / "python" if (VENV_BIN / "python").exists() else Path(sys.executable)
GUNICORN = VENV_BIN / "gunicorn"
RESULTS = ROOT / "bench" / "results-intake.json"
PATH = "/api/v1/public/reports/"
# What gunicorn.conf.py defaults to on two cores (two sync workers per core). Measured against
# sync:2, 3, 6, 8 and gthread:2x4, 4x2: as fast as the best and the steadiest from run to run.
DEFAULT_CONFIG = ("sync", 4, 1)
# The redis-py broker of django-q2 pushes tasks here; no cluster consumes them during the benchmark.
QUEUE_KEY = "django_q:govcenter:q"
# DRF's counters for the run's addresses (10.x.y.z), in Django's cache key format.
THROTTLE_KEYS = ":1:throttle_public_10.*"

# A citizen's words: varied lengths and characters, so every body and every case row differ.
TITLES = ["路灯不亮", "楼道堆放杂物", "邻居装修噪音扰民", "小区停车纠纷"]
TITLES += ["拖欠工资", "下水道堵塞", "物业费争议", "宠物伤人"]
FACTS = [
    "小区门口路灯坏了一周，晚上出行很不方便。",
    "楼上邻居每天晚上十一点以后还在装修，多次沟通无果，希望社区出面协调。",
    "在工地干了三个月，包工头一直拖欠工资共计一万二千元，联系不上。",
    "单元楼道里堆满了纸箱和旧家具，存在消防隐患，物业不管。",
    "停车位被外来车辆长期占用，与对方发生口角，担心矛盾升级。",
]
PLACES = ["", "东岗街道3号院", "河西街道人民路12号", "柳寨村二组"]
NAMES = ["张伟", "王芳", "李娜", "刘洋", "陈静", "杨磊", "赵敏", "黄强"]
KINDS = ["request", "dispute", "risk"]


def fail(message: str, code: int = 2):
    print(f"intake_load: {message}", file=sys.stderr)
    raise SystemExit(code)


# --- The database ------------------------------------------------------------------------------------


def check_postgres(server_url: str) -> None:
    import psycopg

    try:
        with psycopg.connect(f"{server_url}/postgres", connect_timeout=3) as conn:
            conn.execute("SELECT 1")
    except psycopg.OperationalError as error:
        fail(f"PostgreSQL is unreachable at {server_url} ({str(error).strip()}). Start it or pass --server.")


def ensure_database(server_url: str, name: str) -> bool:
    """Create the database when missing; True when it was created."""
    import psycopg
    from psycopg import sql

    if not re.fullmatch(r"[a-z_][a-z0-9_]*", name):
        fail(f"{name!r} is not a plain database name")
    with psycopg.connect(f"{server_url}/postgres", autocommit=True) as conn:
        if conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            return False
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        return True


def manage(env: dict, *args: str) -> None:
    done = subprocess.run([str(PYTHON), "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True)
    if done.returncode != 0:
        sys.stderr.write(done.stdout[-4000:] + done.stderr[-4000:])
        fail(f"manage.py {' '.join(args)} failed")


def prepare(env: dict, database_url: str) -> list[str]:
    """Migrate, seed once, and return the QR tokens of the centers that take cases."""
    import psycopg

    manage(env, "migrate", "--noinput")
    with psycopg.connect(database_url) as conn:
        seeded = conn.execute("SELECT count(*) FROM govcenter_center").fetchone()[0]
    if not seeded:
        print("seeding the small demo tree (seed_demo --scale small) …", flush=True)
        manage(env, "seed_demo", "--scale", "small")
    with psycopg.connect(database_url) as conn:
        # Cases are taken at county, township and village centers (levels 3 to 5).
        tokens = [
            row[0]
            for row in conn.execute(
                "SELECT public_token FROM govcenter_center WHERE is_active AND level >= 3 ORDER BY code"
            )
        ]
    if not tokens:
        fail("the benchmark database has no active county, township or village center")
    return tokens


def numbering_report(database_url: str) -> dict:
    """Per county and year: the counter, the number of cases and the highest serial must all agree."""
    import psycopg

    with psycopg.connect(database_url) as conn:
        rows = conn.execute(
            """
            SELECT n.county_code, n.year, n.last, count(c.id), coalesce(max(c.serial), 0),
                   count(DISTINCT c.serial)
            FROM cases_casenumbercounter n
            LEFT JOIN cases_case c ON c.county_code = n.county_code AND c.year = n.year
            GROUP BY n.county_code, n.year, n.last
            """
        ).fetchall()
    broken = [r for r in rows if not (r[2] == r[3] == r[4] == r[5])]
    return {"counters": len(rows), "gapless": not broken, "broken": [list(r) for r in broken]}


def case_count(database_url: str) -> int:
    import psycopg

    with psycopg.connect(database_url) as conn:
        return conn.execute("SELECT count(*) FROM cases_case").fetchone()[0]


# --- Redis -------------------------------------------------------------------------------------------


def check_redis(url: str) -> None:
    import redis

    try:
        redis.from_url(url, socket_connect_timeout=3).ping()
    except redis.RedisError as error:
        fail(f"Redis is unreachable at {url} ({error}). Start it, or pass --redis ''.")


def clean_redis(url: str) -> int:
    """Forget the scoring tasks queued during the run (nothing consumes them here) and the rate-limit
    counters of the run's made-up addresses (they would expire within the hour anyway)."""
    import redis

    if not url:
        return 0
    client = redis.from_url(url)
    queued = client.llen(QUEUE_KEY)
    client.delete(QUEUE_KEY)
    batch = []
    for key in client.scan_iter(match=THROTTLE_KEYS, count=1000):
        batch.append(key)
        if len(batch) == 1000:
            client.unlink(*batch)
            batch = []
    if batch:
        client.unlink(*batch)
    return queued


# --- gunicorn ----------------------------------------------------------------------------------------


def stop_group(process: subprocess.Popen, timeout: float) -> None:
    """Stop a process started in a session of its own, with its children: SIGTERM, then SIGKILL."""
    if process.poll() is not None:
        return
    try:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()
    except ProcessLookupError:
        pass


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Server:
    """gunicorn in its own process group, stopped (the whole group) however the benchmark ends."""

    def __init__(self, env: dict, worker_class: str, workers: int, threads: int, log_path: Path):
        self.port = free_port()
        self.env = {
            **env,
            "GUNICORN_BIND": f"127.0.0.1:{self.port}",
            "WEB_CONCURRENCY": str(workers),
            "GUNICORN_WORKER_CLASS": worker_class,
            "GUNICORN_THREADS": str(threads),
            "GUNICORN_MAX_REQUESTS": "0",  # a recycle in the middle of 20 s would be noise
            "GUNICORN_ACCESS_LOG": "",
        }
        self.log_path = log_path
        self.process = None

    def start(self) -> None:
        self.log = open(self.log_path, "w")  # noqa: SIM115 - closed in stop()
        self.process = subprocess.Popen(
            [str(GUNICORN), "-c", str(ROOT / "gunicorn.conf.py"), "govcenter.wsgi:application"],
            cwd=ROOT,
            env=self.env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                self.stop()
                fail(f"gunicorn exited at start; its log:\n{self.log_path.read_text()[-3000:]}")
            try:
                # Any answer from Django will do (a 404 for an unknown receipt is one).
                urllib.request.urlopen(f"http://127.0.0.1:{self.port}{PATH}READY/", timeout=2)
            except urllib.error.HTTPError:
                return
            except OSError:
                time.sleep(0.2)
        self.stop()
        fail(f"gunicorn did not answer within 60 s; its log:\n{self.log_path.read_text()[-3000:]}")

    def stop(self) -> None:
        if self.process is None:
            return
        stop_group(self.process, timeout=15)
        self.process = None
        self.log.close()


# --- CPU accounting ----------------------------------------------------------------------------------
# The machine may be shared: requests/s then tell as much about the neighbours as about the portal. The
# CPU time that gunicorn, PostgreSQL's backends and wrk spend per request does not depend on them
# (much), and says what two idle cores would carry.

TICK = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pids) -> float:
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue  # gone: its time is lost, which only makes the figure smaller
        total += int(fields[11]) + int(fields[12])
    return total / TICK


def process_tree(root: int) -> list[int]:
    pids, todo = [], [root]
    while todo:
        pid = todo.pop()
        pids.append(pid)
        try:
            children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
        except OSError:
            children = []
        todo.extend(int(child) for child in children)
    return pids


class CpuShare:
    """--priority: on a machine shared with other work, a cpu cgroup with a large share for gunicorn,
    the PostgreSQL backends serving it and wrk, so they get the two cores first, as if they had them
    to themselves. (Nice values do not do it: the kernel shares the CPU between sessions first.)
    Removed again at the end; the processes in it end with the benchmark."""

    ROOT = Path("/sys/fs/cgroup/cpu")
    SHARES = 262144  # against 1024 for everything else

    def __init__(self):
        self.path = self.ROOT / f"gc_bench_intake_{os.getpid()}"
        try:
            self.path.mkdir()
            (self.path / "cpu.shares").write_text(str(self.SHARES))
        except OSError as error:
            fail(f"--priority needs a writable cgroup v1 cpu controller at {self.ROOT} and root ({error})")

    def add(self, pids) -> None:
        for pid in pids:
            try:
                (self.path / "cgroup.procs").write_text(str(pid))
            except OSError:
                pass  # the process ended meanwhile

    def remove(self) -> None:
        for _attempt in range(20):
            try:
                self.path.rmdir()
                return
            except OSError:
                # A backend still closing: hand what is left back to the root group, then retry.
                for pid in (self.path / "cgroup.procs").read_text().split():
                    try:
                        (self.ROOT / "cgroup.procs").write_text(pid)
                    except OSError:
                        pass
                time.sleep(0.5)
        print(f"intake_load: could not remove {self.path}", file=sys.stderr)


def backend_pids(database_url: str, name: str) -> list[int]:
    import psycopg

    with psycopg.connect(database_url) as conn:
        rows = conn.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()", [name]
        ).fetchall()
    return [row[0] for row in rows]


# --- wrk ---------------------------------------------------------------------------------------------

LUA = r"""
-- Varied valid reports; every request from its own citizen's address (X-Forwarded-For).
local tokens = %(tokens)s
local titles = %(titles)s
local facts = %(facts)s
local places = %(places)s
local names = %(names)s
local kinds = %(kinds)s
local threads = {}
local counter = 0
local base = 0
statuses = {}

local function pick(list) return list[math.random(#list)] end
local function esc(s) return (s:gsub('\\', '\\\\'):gsub('"', '\\"')) end

function setup(thread)
  thread:set("id", #threads + 1)
  table.insert(threads, thread)
end

function init(args)
  -- A fresh address block for every thread of every run: no address is ever counted twice.
  math.randomseed(os.time() * 1000 + id * 7919 + math.floor(os.clock() * 1e6))
  base = math.random(0, 2^22) * 8
end

function request()
  counter = counter + 1
  local n = base + counter
  local ip = string.format("10.%%d.%%d.%%d", math.floor(n / 65536) %% 256, math.floor(n / 256) %% 256, n %% 256)
  local body = string.format(
    '{"token":"%%s","name":"%%s","phone":"13%%09d","kind":"%%s","title":"%%s","facts":"%%s","place":"%%s"}',
    esc(pick(tokens)), pick(names), math.random(0, 999999999), pick(kinds),
    pick(titles), esc(pick(facts)) .. " (" .. counter .. ")", pick(places))
  return wrk.format("POST", nil, {["Content-Type"] = "application/json", ["X-Forwarded-For"] = ip}, body)
end

function response(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
end

function done(summary, latency, requests)
  local merged = {}
  for _, thread in ipairs(threads) do
    local counts = thread:get("statuses")
    for status, count in pairs(counts) do
      merged[status] = (merged[status] or 0) + count
    end
  end
  local parts = {}
  for status, count in pairs(merged) do
    table.insert(parts, string.format('"%%d":%%d', status, count))
  end
  io.write(string.format(
    'WRK_JSON {"requests":%%d,"duration_us":%%d,"connect_errors":%%d,"read_errors":%%d,' ..
    '"write_errors":%%d,"timeouts":%%d,"p50_ms":%%.2f,"p90_ms":%%.2f,"p95_ms":%%.2f,"p99_ms":%%.2f,' ..
    '"max_ms":%%.2f,"mean_ms":%%.2f,"statuses":{%%s}}\n',
    summary.requests, summary.duration, summary.errors.connect, summary.errors.read,
    summary.errors.write, summary.errors.timeout,
    latency:percentile(50) / 1000, latency:percentile(90) / 1000, latency:percentile(95) / 1000,
    latency:percentile(99) / 1000, latency.max / 1000, latency.mean / 1000, table.concat(parts, ",")))
end
"""


def lua_list(values) -> str:
    return "{" + ", ".join(json.dumps(v, ensure_ascii=False) for v in values) + "}"


def write_lua(folder: Path, tokens: list[str]) -> Path:
    script = LUA % {
        "tokens": lua_list(tokens),
        "titles": lua_list(TITLES),
        "facts": lua_list(FACTS),
        "places": lua_list(PLACES),
        "names": lua_list(NAMES),
        "kinds": lua_list(KINDS),
    }
    path = folder / "intake.lua"
    path.write_text(script, encoding="utf-8")
    return path


def find_wrk() -> str:
    wrk = shutil.which("wrk")
    if wrk:
        return wrk
    if shutil.which("apt-get"):
        print("wrk is missing: trying apt-get install -y wrk …", flush=True)
        subprocess.run(["apt-get", "install", "-y", "wrk"], capture_output=True)
        wrk = shutil.which("wrk")
    if not wrk:
        fail("wrk is not installed (Debian: apt-get install wrk)")
    return wrk


def run_wrk(wrk: str, lua: Path, port: int, seconds: int, connections: int, threads: int, share=None) -> dict:
    import resource

    wrk_cpu = resource.getrusage(resource.RUSAGE_CHILDREN)
    done = subprocess.run(
        [
            wrk,
            f"-t{threads}",
            f"-c{connections}",
            f"-d{seconds}s",
            "--timeout",
            "10s",
            "-s",
            str(lua),
            f"http://127.0.0.1:{port}{PATH}",
        ],
        capture_output=True,
        text=True,
        preexec_fn=(lambda: share.add([os.getpid()])) if share else None,
    )
    line = next((x for x in done.stdout.splitlines() if x.startswith("WRK_JSON ")), None)
    if done.returncode != 0 or line is None:
        fail(f"wrk failed (exit {done.returncode}):\n{done.stdout}\n{done.stderr}")
    result = json.loads(line.removeprefix("WRK_JSON "))
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    result["wrk_cpu_s"] = after.ru_utime + after.ru_stime - wrk_cpu.ru_utime - wrk_cpu.ru_stime
    result["rps"] = result["requests"] / (result["duration_us"] / 1e6)
    ok = sum(n for status, n in result["statuses"].items() if status.startswith("2"))
    result["non_2xx"] = result["requests"] - ok
    return result


# --- The benchmark -----------------------------------------------------------------------------------


def parse_config(text: str) -> tuple[str, int, int]:
    """'sync:3' → 3 sync workers; 'gthread:2x4' → 2 workers with 4 threads each."""
    match = re.fullmatch(r"(sync|gthread):(\d+)(?:x(\d+))?", text)
    if not match:
        raise argparse.ArgumentTypeError(f"{text!r}: use sync:N or gthread:NxT")
    kind, workers, threads = match.group(1), int(match.group(2)), int(match.group(3) or 1)
    if kind == "sync" and threads != 1:
        raise argparse.ArgumentTypeError("sync workers have one thread")
    return kind, workers, threads


def label(config) -> str:
    kind, workers, threads = config
    return f"{kind}:{workers}" + (f"x{threads}" if kind == "gthread" else "")


class Bench:
    """What every measured configuration shares: the arguments, the environment, wrk and its script."""

    def __init__(self, args, env: dict, wrk: str, lua: Path, folder: Path, share):
        self.args, self.env, self.wrk, self.lua, self.folder, self.share = args, env, wrk, lua, folder, share
        self.database_url = env["DATABASE_URL"]

    def load(self, port: int, seconds: int) -> dict:
        args = self.args
        return run_wrk(self.wrk, self.lua, port, seconds, args.connections, args.wrk_threads, self.share)

    def measure(self, config) -> dict:
        """Start gunicorn with this configuration, warm it up, measure the runs, stop it (always)."""
        kind, workers, threads = config
        server = Server(self.env, kind, workers, threads, self.folder / "gunicorn.log")
        previous = {sig: signal.getsignal(sig) for sig in (signal.SIGINT, signal.SIGTERM)}

        def stop_and_exit(signum, frame):
            print(f"intake_load: signal {signum}, stopping gunicorn", file=sys.stderr, flush=True)
            server.stop()
            raise SystemExit(128 + signum)

        for sig in previous:
            signal.signal(sig, stop_and_exit)
        try:
            server.start()
            self.load(server.port, self.args.warmup)
            runs = [self.run(server, config, index) for index in range(self.args.runs)]
        finally:
            server.stop()
            for sig, handler in previous.items():
                signal.signal(sig, handler)
        median = sorted(runs, key=lambda r: r["rps"])[len(runs) // 2]
        return {
            "config": label(config),
            "worker_class": kind,
            "workers": workers,
            "threads": threads,
            "median_rps": round(median["rps"], 1),
            "median_run": median,
            "rps_runs": [round(r["rps"], 1) for r in runs],
        }

    def run(self, server: "Server", config, index: int) -> dict:
        before = case_count(self.database_url)
        app, backends = process_tree(server.process.pid), backend_pids(self.database_url, self.args.database)
        if self.share:
            self.share.add(app + backends)
        app_cpu, pg_cpu, load = cpu_seconds(app), cpu_seconds(backends), os.getloadavg()[0]
        run = self.load(server.port, self.args.duration)
        app_cpu, pg_cpu = cpu_seconds(app) - app_cpu, cpu_seconds(backends) - pg_cpu
        run["cases_created"] = case_count(self.database_url) - before
        run["load_before"] = round(load, 2)
        per_request = 1000 / max(run["requests"], 1)
        cpu = run["cpu_ms_per_request"] = {
            "gunicorn": round(app_cpu * per_request, 2),
            "postgres": round(pg_cpu * per_request, 2),
            "wrk": round(run["wrk_cpu_s"] * per_request, 2),
        }
        spent = sum(cpu.values())
        # What the CPU spent per request would allow if the benchmark had every core to itself.
        run["cpu_bound_rps"] = round((os.cpu_count() or 1) * 1000 / spent, 1) if spent else None
        print(
            f"  {label(config):<12} run {index + 1}: {run['rps']:7.1f} req/s  "
            f"p50 {run['p50_ms']:6.1f}  p95 {run['p95_ms']:6.1f}  p99 {run['p99_ms']:6.1f} ms  "
            f"non-2xx {run['non_2xx']}  errors {run['read_errors'] + run['timeouts']}  "
            f"cpu ms/req app {cpu['gunicorn']:.1f} pg {cpu['postgres']:.1f} wrk {cpu['wrk']:.1f}  load {load:.1f}",
            flush=True,
        )
        return run


def arguments(argv):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--server", default=os.environ.get("BENCH_PG", "postgres://postgres@127.0.0.1:5432"))
    parser.add_argument("--database", default=os.environ.get("BENCH_DATABASE", "gc_bench_intake"))
    parser.add_argument("--redis", default=os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/9"))
    parser.add_argument(
        "--config",
        type=parse_config,
        action="append",
        help=f"gunicorn workers to measure, sync:N or gthread:NxT (repeatable; default {label(DEFAULT_CONFIG)})",
    )
    parser.add_argument("--runs", type=int, default=3, help="measured runs per config; the median is reported")
    parser.add_argument("--duration", type=int, default=20, help="seconds of each measured run")
    parser.add_argument("--warmup", type=int, default=5, help="seconds of load before measuring")
    parser.add_argument("--connections", type=int, default=16, help="wrk's open connections")
    parser.add_argument("--wrk-threads", type=int, default=1)
    parser.add_argument(
        "--priority",
        action="store_true",
        help="on a shared machine: give gunicorn, its PostgreSQL backends and wrk the CPU first "
        "(a cpu cgroup with a large share; needs root and cgroup v1)",
    )
    parser.add_argument("--output", type=Path, default=RESULTS)
    return parser.parse_args(argv)


def environment(args) -> dict:
    """The portal as production runs it: DEBUG off, persistent connections, the shared cache, one proxy."""
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "govcenter.settings",
        "DATABASE_URL": f"{args.server}/{args.database}",
        "DEBUG": "false",
        "SECRET_KEY": "bench-only-not-a-secret",
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "CONN_MAX_AGE": "600",
        "REDIS_URL": args.redis,
        "Q_REDIS_URL": args.redis,
        "NUM_PROXIES": "1",
        # The proxy in front terminates TLS; wrk speaks plain HTTP to gunicorn behind it.
        "SECURE_SSL_REDIRECT": "false",
        "LOG_LEVEL": "WARNING",
    }


def report(args, results: list[dict], numbering: dict, queued: int) -> dict:
    print()
    print(f"{'config':<12} {'req/s':>7} {'p50 ms':>7} {'p95 ms':>7} {'p99 ms':>7} {'non-2xx':>8}   runs")
    for result in results:
        m = result["median_run"]
        runs = ", ".join(f"{r:.0f}" for r in result["rps_runs"])
        print(
            f"{result['config']:<12} {result['median_rps']:7.1f} {m['p50_ms']:7.1f} {m['p95_ms']:7.1f} "
            f"{m['p99_ms']:7.1f} {m['non_2xx']:8d}   {runs}"
        )
    best = max(results, key=lambda r: r["median_rps"])
    print(f"best: {best['config']} at {best['median_rps']:.1f} req/s (median of {args.runs})")
    print(f"case numbers gapless and unique: {'yes' if numbering['gapless'] else 'NO ' + str(numbering['broken'])}")
    return {
        "benchmark": "public intake POST " + PATH,
        "at": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version(), "system": platform.platform()},
        "database": args.database,
        "redis": bool(args.redis),
        "wrk": {"connections": args.connections, "threads": args.wrk_threads, "duration_s": args.duration},
        "warmup_s": args.warmup,
        "runs": args.runs,
        "priority": args.priority,
        "results": results,
        "best": best["config"],
        "numbering": numbering,
        "tasks_queued_and_dropped": queued,
    }


def main(argv=None) -> int:
    args = arguments(argv)
    if not GUNICORN.exists():
        fail(f"{GUNICORN} is missing: make install (gunicorn is in requirements.txt)")
    wrk = find_wrk()
    check_postgres(args.server)
    if args.redis:
        check_redis(args.redis)
    env = environment(args)
    if ensure_database(args.server, args.database):
        print(f"created database {args.database}", flush=True)
    tokens = prepare(env, env["DATABASE_URL"])
    print(
        f"database {args.database}: {len(tokens)} centers take reports; wrk {args.connections} connections, "
        f"{args.warmup} s warm-up, {args.runs} × {args.duration} s",
        flush=True,
    )
    share = CpuShare() if args.priority else None
    try:
        with tempfile.TemporaryDirectory(prefix="intake-bench-") as folder:
            bench = Bench(args, env, wrk, write_lua(Path(folder), tokens), Path(folder), share)
            results = [bench.measure(config) for config in args.config or [DEFAULT_CONFIG]]
    finally:
        if share:
            share.remove()
    queued = clean_redis(args.redis)
    numbering = numbering_report(env["DATABASE_URL"])
    payload = report(args, results, numbering, queued)
    args.output.write_text(json.dumps(payload, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"written: {args.output}")
    failed = any(r["median_run"]["non_2xx"] for r in results) or not numbering["gapless"]
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
