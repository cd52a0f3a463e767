"""Time a province's go-live imports on whatever database DATABASE_URL names (migrated, without
the province's centers yet): the statistics bureau's division list (about 17,000 centers, as a GBK CSV
with the published 12-digit codes), the same list again (nothing changes), a revised list (townships
renamed, one retired with its villages), then 34,000 grids and their 34,000 grid workers (.xlsx, as
the page runs them: a background job, its progress read from another connection), and the workers
again. Then 20,000 historic cases (.xlsx, three years, four in five closed) and the same file again.

With the argument `cases`, only the historic cases (the division list first if the database has no
centers of province 62 yet).

Run:
  createdb -h 127.0.0.1 -U postgres gc_golive
  DATABASE_URL=postgres://postgres@127.0.0.1:5432/gc_golive .venv/bin/python manage.py migrate
  DATABASE_URL=postgres://postgres@127.0.0.1:5432/gc_golive .venv/bin/python bench/onboarding.py

The files are written to var/golive-bench/ (kept: they are realistic inputs to try the pages with).
"""

import csv
import io
import os
import random
import sys
import time
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "govcenter.settings")

import django  # noqa: E402

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.db import connection  # noqa: E402
from openpyxl import Workbook  # noqa: E402
from stdnum.cn import ric  # noqa: E402

from govcenter.demo import _SYLLABLES, CITIES  # noqa: E402
from govcenter.divisions import Level  # noqa: E402
from onboarding import services  # noqa: E402

OUT = Path(__file__).resolve().parent.parent / "var" / "golive-bench"
TOWNSHIPS_PER_COUNTY = 15
VILLAGES_PER_TOWNSHIP = 12
GRIDS = 34_000
CASES = 20_000


def place(rng: random.Random, used: set[str], suffix: str, length: int = 2) -> str:
    while True:
        name = "".join(rng.choice(_SYLLABLES) for _ in range(length)) + suffix
        if name not in used:
            used.add(name)
            return name


def division_rows(rng: random.Random) -> list[list[str]]:
    """The province as the bureau publishes it: 12-digit codes, a level, the urban-rural code."""
    rows = [["统计用区划代码", "名称", "级别", "城乡分类代码"], ["620000000000", "甘肃省", "1", ""]]
    for city_code, city_name, counties in CITIES:
        rows.append([city_code.ljust(12, "0"), city_name, "2", ""])
        county_names: set[str] = set()
        for c in range(counties):
            county = f"{city_code}{c + 21:02d}"
            rows.append([county.ljust(12, "0"), place(rng, county_names, "县"), "3", ""])
            township_names: set[str] = set()
            for t in range(TOWNSHIPS_PER_COUNTY):
                township = f"{county}{t + 1:03d}"
                rows.append([township.ljust(12, "0"), place(rng, township_names, rng.choice("镇乡")), "4", ""])
                village_names: set[str] = set()
                for v in range(max(3, VILLAGES_PER_TOWNSHIP + rng.randint(-3, 3))):
                    rows.append([f"{township}{v + 1:03d}", place(rng, village_names, "村", 2 + v % 2), "5", "220"])
    return rows


def grid_rows(villages: list[str]) -> tuple[list[list], list[list]]:
    grids = [["网格编码", "网格名称", "网格类型", "户数", "人口", "职责"]]
    workers = [["网格编码", "用户名", "姓名", "身份证号", "手机号", "用工性质"]]
    rng = random.Random(7)
    for n in range(GRIDS):
        village = villages[n % len(villages)]
        serial = n // len(villages) + 1
        code = f"{village}{serial:03d}"
        households = rng.randint(80, 400)
        grids.append([code, f"第{serial}网格", "农村村民小组网格", households, households * 3, "党建、社会治理"])
        born = date(1970, 1, 1) + timedelta(days=n // 1000)  # a thousand serials a day: all distinct
        body = f"620121{born:%Y%m%d}{n % 1000:03d}"
        id_number = body + ric.calc_check_digit(body + "0")
        name = "".join(rng.choice(_SYLLABLES) for _ in range(2))
        workers.append([code, f"gw{n:06d}", "王" + name, id_number, f"139{n:08d}", "专职" if n % 3 else "兼职"])
    return grids, workers


CASE_HEADERS = [
    "原编号", "中心区划代码", "来源渠道", "案件类型", "类别代码", "事由摘要", "事实经过", "受理时间", "状态",
    "办结时间", "办理结果", "满意度", "申请人姓名", "申请人身份证号", "申请人电话", "被申请人姓名",
    "被申请人身份证号", "被申请人电话",
]  # fmt: skip


def case_rows(townships: list[str], categories: list[str]) -> list[list]:
    """Three years of cases at the townships, four in five closed (most within a week), the rest open."""
    rng = random.Random(12)
    rows = [CASE_HEADERS]
    first = date(2023, 1, 1)
    channels = ["来访", "来电", "12345热线", "网格上报", "信访", "110警情"]
    for n in range(CASES):
        received = first + timedelta(days=rng.randint(0, 3 * 365 - 60))
        closed = rng.random() < 0.8
        born = date(1960, 1, 1) + timedelta(days=n // 1000)
        body = f"620121{born:%Y%m%d}{n % 1000:03d}"
        rows.append(
            [
                f"OLD-{n:06d}",
                townships[n % len(townships)],
                rng.choice(channels),
                rng.choice(["矛盾纠纷", "诉求", "风险隐患"]),
                rng.choice(categories),
                "邻里纠纷" + str(n),
                "历史案件的事实经过。",
                f"{received.isoformat()} {rng.randint(8, 17):02d}:{rng.randint(0, 59):02d}",
                "已结案" if closed else rng.choice(["已受理", "已分类", "调解中"]),
                (received + timedelta(days=rng.randint(0, 20))).isoformat() if closed else "",
                (rng.choice(["化解成功"] * 4 + ["化解不成功"])) if closed else "",
                rng.choice(["满意", "基本满意", "", ""]) if closed else "",
                "张" + "".join(rng.choice(_SYLLABLES) for _ in range(2)),
                body + ric.calc_check_digit(body + "0"),
                f"138{n:08d}",
                "李" + "".join(rng.choice(_SYLLABLES) for _ in range(2)),
                "",
                "",
            ]
        )
    return rows


def as_csv(rows, encoding="gb18030") -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer).writerows(rows)
    return buffer.getvalue().encode(encoding)


def as_xlsx(rows) -> bytes:
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet()
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def timed(label: str, *, actor, kind: str, content: bytes, filename: str, root: str = "") -> None:
    """One import as the command runs it: at once, in this process."""
    (OUT / filename).write_bytes(content)
    started, cpu_started = time.perf_counter(), time.process_time()
    outcome = services.import_file(actor=actor, kind=kind, content=content, filename=filename, root=root)
    seconds = time.perf_counter() - started
    assert not outcome.errors, outcome.errors[:5]
    cpu = time.process_time() - cpu_started
    print(
        f"{label:44} {outcome.run.rows:6d} rows {seconds:6.1f} s wall {cpu:6.1f} s cpu  {outcome.run.counts}",
        flush=True,
    )


def as_job(label: str, *, actor, kind: str, content: bytes, filename: str) -> None:
    """One import as the page runs it: the upload's part (file checked, kept, queued), then the
    worker's (`run_queued`), with the progress bar's values as another connection sees them."""
    from govcenter import jobs
    from onboarding.models import ImportRun

    (OUT / filename).write_bytes(content)
    queued = []
    enqueue, jobs.enqueue = jobs.enqueue, lambda task, job_id, name: queued.append(job_id)
    try:
        started = time.perf_counter()
        run = services.queue_import(actor=actor, kind=kind, content=content, filename=filename)
        upload = time.perf_counter() - started
    finally:
        jobs.enqueue = enqueue
    seen = ProgressWatch(run.pk)
    started, cpu_started = time.perf_counter(), time.process_time()
    services.run_queued(run.pk)
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu_started
    seen.stop()
    run = ImportRun.objects.get(pk=run.pk)
    assert run.status == ImportRun.Status.APPLIED, (run.status, run.message, run.errors[:5])
    print(
        f"{label:44} {run.rows:6d} rows {seconds:6.1f} s wall {cpu:6.1f} s cpu  {run.counts}\n"
        f"{'':44} upload (checked, kept, queued) {upload:.1f} s; progress seen: {seen.summary()}",
        flush=True,
    )


class ProgressWatch:
    """Reads an import's progress every half second on a connection of its own, as a polling page."""

    def __init__(self, run_id: int):
        import threading

        self.run_id, self.values, self.started = run_id, [], time.perf_counter()
        self.done = threading.Event()
        self.thread = threading.Thread(target=self._watch, daemon=True)
        self.thread.start()

    def _watch(self) -> None:
        import psycopg

        if connection.vendor != "postgresql":
            return
        with psycopg.connect(os.environ["DATABASE_URL"], autocommit=True) as watcher:
            while not self.done.wait(0.5):
                row = watcher.execute("SELECT progress FROM onboarding_importrun WHERE id = %s", [self.run_id])
                value = row.fetchone()[0]
                if not self.values or self.values[-1][1] != value:
                    self.values.append((time.perf_counter() - self.started, value))

    def stop(self) -> None:
        self.done.set()
        self.thread.join()

    def summary(self) -> str:
        if not self.values:
            return "none (SQLite shows the job running without a figure)"
        return ", ".join(f"{value}% at {at:.0f} s" for at, value in self.values)


def historic_cases(admin) -> None:
    from cases.models import Category
    from govcenter.models import Center

    townships = Center.objects.filter(code__startswith="62", is_active=True, level=Level.TOWNSHIP)
    townships = list(townships.values_list("code", flat=True))
    categories = list(Category.objects.filter(is_active=True, parent__isnull=False).values_list("code", flat=True))
    content = as_xlsx(case_rows(townships, categories))
    timed("historic cases (xlsx)", actor=admin, kind="cases", content=content, filename="cases.xlsx")
    timed("historic cases, same file again", actor=admin, kind="cases", content=content, filename="cases.xlsx")


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    print(f"database: {connection.vendor} {connection.settings_dict['NAME']}; load average {os.getloadavg()[0]:.1f}")
    admin, _created = get_user_model().objects.get_or_create(
        username="golive_bench", defaults={"is_superuser": True, "is_staff": True}
    )
    if sys.argv[1:] == ["cases"]:
        from govcenter.models import Center

        if not Center.objects.filter(code__startswith="62", level=Level.TOWNSHIP).exists():
            divisions = as_csv(division_rows(random.Random(62)))
            timed("divisions", actor=None, kind="divisions", content=divisions, filename="divisions.csv", root="62")
        historic_cases(admin)
        return
    divisions = division_rows(random.Random(62))
    timed(
        "divisions, first import (GBK CSV)",
        actor=None,
        kind="divisions",
        content=as_csv(divisions),
        filename="divisions.csv",
        root="62",
    )
    timed(
        "divisions, same file again",
        actor=None,
        kind="divisions",
        content=as_csv(divisions),
        filename="divisions.csv",
        root="62",
    )
    revised = [row[:] for row in divisions]
    for row in revised[1:]:
        if row[2] == "4" and row[0].endswith("001000"):
            row[1] = "新" + row[1]  # each county's first township renamed
    dropped = "620121002"
    revised = [row for row in revised if not row[0].startswith(dropped)]
    timed(
        "divisions, renamed and one township removed",
        actor=None,
        kind="divisions",
        content=as_csv(revised),
        filename="divisions-revised.csv",
        root="62",
    )
    villages = [row[0] for row in revised[1:] if row[2] == "5"]
    grids, workers = grid_rows(villages)
    as_job(
        "grids (xlsx), as a background job", actor=admin, kind="grids", content=as_xlsx(grids), filename="grids.xlsx"
    )
    as_job(
        "grid workers (xlsx), as a background job",
        actor=admin,
        kind="grid_workers",
        content=as_xlsx(workers),
        filename="grid-workers.xlsx",
    )
    timed(
        "grid workers, same file again",
        actor=admin,
        kind="grid_workers",
        content=as_xlsx(workers),
        filename="grid-workers.xlsx",
    )
    historic_cases(admin)


if __name__ == "__main__":
    main()
