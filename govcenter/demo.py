"""Synthetic but realistic demo data for the core: the center tree, departments and demo users.

Real Gansu city codes and names; generated counties (Lanzhou's are real), townships, villages and
communities. Same seed, same data: every random choice comes from one seeded generator, and rows are
upserted by their natural keys so running it twice changes nothing.

`seed_demo` calls `seed(ctx)` here first and then the `demo.seed(ctx)` of every later app that has
one, in the order of INSTALLED_APPS, so each app adds its own data on top.
"""

import hashlib
import multiprocessing
import random
import resource
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.db import connection, connections, transaction

from govcenter.divisions import Level
from govcenter.models import Center, Department, Membership, Role

PROVINCE = ("62", "甘肃省")

# Gansu's 14 prefecture-level divisions with the number of county-level divisions under each.
# Jiayuguan has none; it gets its 市辖区 (620201) so its townships have a county above them.
CITIES = [
    ("6201", "兰州市", 8),
    ("6202", "嘉峪关市", 1),
    ("6203", "金昌市", 2),
    ("6204", "白银市", 5),
    ("6205", "天水市", 7),
    ("6206", "武威市", 4),
    ("6207", "张掖市", 6),
    ("6208", "平凉市", 7),
    ("6209", "酒泉市", 7),
    ("6210", "庆阳市", 8),
    ("6211", "定西市", 7),
    ("6212", "陇南市", 9),
    ("6229", "临夏回族自治州", 8),
    ("6230", "甘南藏族自治州", 8),
]

LANZHOU_COUNTIES = [
    ("620102", "城关区"),
    ("620103", "七里河区"),
    ("620104", "西固区"),
    ("620105", "安宁区"),
    ("620111", "红古区"),
    ("620121", "永登县"),
    ("620122", "皋兰县"),
    ("620123", "榆中县"),
]

_SYLLABLES = (
    "安平和兴隆丰泰宁康永定华新东西南北中山水河川源泉林桥沟湾坪塬岭峪石金银玉龙凤鹤云阳明清"
    "长富贵福寿春秋红花柳杨松柏梨枣杏桃麦禾田家庄堡营寨集镇台关门口坡"
)

COUNTY_DEPARTMENTS = [
    ("住房和城乡建设局", Department.Kind.HOUSING),
    ("人力资源和社会保障局", Department.Kind.HUMAN_RESOURCES),
    ("市场监督管理局", Department.Kind.MARKET),
    ("民政局", Department.Kind.CIVIL_AFFAIRS),
    ("信访局", Department.Kind.PETITION),
    ("自然资源局", Department.Kind.NATURAL_RESOURCES),
    ("生态环境分局", Department.Kind.ENVIRONMENT),
]
TOWNSHIP_DEPARTMENTS = [
    ("派出所", Department.Kind.POLICE),
    ("司法所", Department.Kind.JUSTICE),
    ("人民法庭", Department.Kind.COURT),
]

# (townships per county, villages per township) for the fleshed-out counties at each scale.
SCALES = {
    "small": {"counties": {"6201": 2}, "townships": 4, "villages": 5},
    "county": {"counties": {"6201": 8}, "townships": 15, "villages": 12, "full_counties": 1},
    "province": {"counties": {code: n for code, _name, n in CITIES}, "townships": 15, "villages": 12},
}

DEMO_PASSWORD = "Demo@2026"
DEMO_COUNTY = "620102"
DEMO_TOWNSHIP = "620102001"
DEMO_SIBLING_TOWNSHIP = "620102002"
DEMO_VILLAGE = "620102001001"

# username, display name, role, center code, department name (for department officers)
DEMO_USERS = [
    ("province_director", "省中心主任 王建国", Role.DIRECTOR, "62", None),
    ("city_director", "市中心主任 李明", Role.DIRECTOR, "6201", None),
    ("director", "县中心主任 张伟", Role.DIRECTOR, DEMO_COUNTY, None),
    ("clerk", "受理员 刘芳", Role.CLERK, DEMO_TOWNSHIP, None),
    ("clerk2", "受理员 陈静（邻镇）", Role.CLERK, DEMO_SIBLING_TOWNSHIP, None),
    ("mediator", "调解员 杨秀英", Role.MEDIATOR, DEMO_TOWNSHIP, None),
    ("grid", "网格员 赵磊", Role.GRID_WORKER, DEMO_VILLAGE, None),
    ("court", "法院干警 黄丽", Role.COURT, DEMO_COUNTY, None),
    ("police", "派出所民警 周强", Role.POLICE, DEMO_TOWNSHIP, None),
    ("petition", "信访干部 吴敏", Role.PETITION, DEMO_COUNTY, None),
    ("department", "住建局承办人 徐涛", Role.DEPARTMENT, DEMO_COUNTY, "城关区住房和城乡建设局"),
    ("auditor", "督查员 孙燕", Role.AUDITOR, DEMO_COUNTY, None),
    ("expert", "首席法律咨询专家 马志远", Role.EXPERT, DEMO_COUNTY, None),
]


# The system account that "did" what the demo's historical rows record (imported cases, assigned
# grid workers): inactive, with no usable password.
IMPORT_USER = "demo_import"


def import_user():
    User = get_user_model()
    user, created = User.objects.get_or_create(
        username=IMPORT_USER, defaults={"first_name": "历史数据导入（系统）", "is_active": False}
    )
    if created:
        user.set_unusable_password()
        user.save(update_fields=["password"])
    return user


@contextmanager
def given_timestamps(model, *names):
    """Let bulk_create keep the times we give to auto_now(_add) fields (historical rows)."""
    fields = [model._meta.get_field(name) for name in names]
    saved = [(f.auto_now, f.auto_now_add) for f in fields]
    for f in fields:
        f.auto_now = f.auto_now_add = False
    try:
        yield
    finally:
        for f, (auto_now, auto_now_add) in zip(fields, saved, strict=True):
            f.auto_now, f.auto_now_add = auto_now, auto_now_add


def _cpu_seconds() -> float:
    """The processor time of this process and of its workers that have ended."""
    own, workers = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + workers.ru_utime + workers.ru_stime


class Timings(dict):
    """Each part's wall time, as the part records it (`ctx.timings["cases"] = seconds`), and beside it
    in `cpu` the processor time its Python processes used: the parts run one after the other, so a
    part's share is what was used since the part before it recorded its time."""

    def __init__(self):
        super().__init__()
        self.cpu: dict[str, float] = {}
        self._last = _cpu_seconds()

    def __setitem__(self, part: str, seconds: float) -> None:
        now = _cpu_seconds()
        self.cpu[part], self._last = now - self._last, now
        super().__setitem__(part, seconds)


class Draws(random.Random):
    """random.Random drawing the very same numbers, with cheaper choice, randint and randrange (whole
    numbers, step one). A province's seeding calls them tens of millions of times, and the library's
    spend most of their time on argument checks and the calls around the one draw: a quarter of the
    processor time of making up a case. The draw is the library's own algorithm
    (`_randbelow_with_getrandbits`); tests/govcenter/test_seed.py compares the two, draw for draw, so
    a Python that draws otherwise is noticed."""

    def randrange(self, start, stop=None, step=1):
        if stop is None:
            start, stop = 0, start
        if step != 1 or start.__class__ is not int or stop.__class__ is not int:
            return super().randrange(start, stop, step)
        n = stop - start
        if n <= 0:
            raise ValueError(f"empty range for randrange() ({start}, {stop}, {n})")
        getrandbits, k = self.getrandbits, n.bit_length()
        r = getrandbits(k)
        while r >= n:
            r = getrandbits(k)
        return start + r

    def randint(self, a, b):
        return self.randrange(a, b + 1)

    def choice(self, seq):
        n = len(seq)
        if not n:
            raise IndexError("Cannot choose from an empty sequence")
        getrandbits, k = self.getrandbits, n.bit_length()
        r = getrandbits(k)
        while r >= n:
            r = getrandbits(k)
        return seq[r]


@dataclass
class SeedContext:
    """What every app's demo seeder gets: the scale, a seeded generator, a way to report."""

    scale: str
    seed: int
    say: callable
    workers: int = 1  # processes that seed counties side by side (PostgreSQL only)
    rng: random.Random = field(init=False)
    timings: Timings = field(default_factory=Timings)

    def __post_init__(self):
        self.rng = Draws(self.seed)

    def rng_for(self, part: str) -> random.Random:
        """A generator of its own for each part, so adding data to one part leaves the others alike."""
        digest = hashlib.sha256(f"{self.seed}:{part}".encode()).digest()
        return Draws(int.from_bytes(digest[:8], "big"))


_job: Callable | None = None  # what the forked workers of in_workers run, set before they fork
_items: Sequence = ()


def _in_worker(index: int):
    lines: list[str] = []
    return _job(_items[index], lines.append), lines


def in_workers(ctx: SeedContext, items: Sequence, job: Callable, size: Callable | None = None) -> Iterator:
    """`job(item, say)` for every item (a county's work, in a transaction of its own, or a table to
    vacuum), yielding the results.

    Here, in one process, the items are done and yielded in their order. With `ctx.workers` above
    one on PostgreSQL, outside a transaction, they are shared out among that many forked processes,
    each with a connection of its own, the largest first by `size(item)` (so that no worker is left
    with a big one at the end while the others idle), and yielded as they are done; what a job says
    is printed then. Every county draws from generators of its own, so the data is the same as in one
    process; only the ids interleave. The workers inherit what the caller built before calling
    (nothing is pickled but the results), and a failure in one stops the others and is raised here;
    the counties done by then stay done, as in one process."""
    global _job, _items
    parallel = ctx.workers > 1 and len(items) > 1 and connection.vendor == "postgresql"
    if not parallel or connection.in_atomic_block:
        for item in items:
            yield job(item, ctx.say)
        return
    _job, _items = job, items
    order = sorted(range(len(items)), key=lambda index: -size(items[index])) if size else range(len(items))
    sys.stdout.flush()  # or each child would print what the parent had not written yet
    sys.stderr.flush()
    connections.close_all()  # a connection must not be shared across a fork
    pool = multiprocessing.get_context("fork").Pool(min(ctx.workers, len(items)))
    try:
        for result, lines in pool.imap_unordered(_in_worker, order):
            for line in lines:
                ctx.say(line)
            yield result
        pool.close()
    except BaseException:
        pool.terminate()
        raise
    finally:
        pool.join()
        _job, _items = None, ()


def _place_name(rng: random.Random, used: set[str], length: int = 2) -> str:
    while True:
        name = "".join(rng.choice(_SYLLABLES) for _ in range(length))
        if name not in used:
            used.add(name)
            return name


def _token(seed: int, code: str) -> str:
    return hashlib.sha256(f"govcenter-demo:{seed}:{code}".encode()).hexdigest()[:32]


def _center(seed: int, code: str, name: str, level: Level, parent: str | None, rng: random.Random) -> Center:
    return Center(
        code=code,
        name=name,
        level=level,
        parent_id=parent,
        address=f"{name}综治中心",
        phone=f"0931-{rng.randint(2000000, 8999999)}",
        public_token=_token(seed, code),
    )


def build_tree(ctx: SeedContext) -> list[Center]:
    """The centers of a scale, in level order (parents before children)."""
    spec = SCALES[ctx.scale]
    rng = ctx.rng_for("tree")
    centers = [_center(ctx.seed, PROVINCE[0], PROVINCE[1], Level.PROVINCE, None, rng)]
    counties: list[Center] = []
    for city_code, city_name, _n in CITIES:
        centers.append(_center(ctx.seed, city_code, city_name, Level.CITY, "62", rng))
        used: set[str] = set()  # names need only be unique among siblings, as in real life
        for index in range(spec["counties"].get(city_code, 0)):
            if city_code == "6201":
                code, name = LANZHOU_COUNTIES[index]
            else:
                code = f"{city_code}{index + 21:02d}"
                name = _place_name(rng, used) + ("县" if rng.random() < 0.8 else "区")
            counties.append(_center(ctx.seed, code, name, Level.COUNTY, city_code, rng))
    centers.extend(counties)
    full = spec.get("full_counties", len(counties))
    townships: list[Center] = []
    for county in counties[:full]:
        used = set()
        for index in range(spec["townships"]):
            is_street = county.name.endswith("区") and index < spec["townships"] // 2
            suffix = "街道" if is_street else rng.choice(["镇", "镇", "乡"])
            name = _place_name(rng, used) + suffix
            townships.append(_center(ctx.seed, f"{county.code}{index + 1:03d}", name, Level.TOWNSHIP, county.code, rng))
    centers.extend(townships)
    for township in townships:
        is_street = township.name.endswith("街道")
        used = set()
        count = max(3, spec["villages"] + rng.randint(-3, 3)) if ctx.scale == "province" else spec["villages"]
        for index in range(count):
            suffix = "社区" if is_street else "村"
            name = _place_name(rng, used, 2 + (index % 2)) + suffix
            centers.append(
                _center(ctx.seed, f"{township.code}{index + 1:03d}", name, Level.VILLAGE, township.code, rng)
            )
    return centers


def _upsert_centers(centers: list[Center]) -> None:
    Center.objects.bulk_create(
        centers,
        batch_size=2000,
        update_conflicts=True,
        unique_fields=["code"],
        update_fields=["name", "level", "parent", "address", "phone", "public_token"],
    )


def _departments(centers: list[Center]) -> list[Department]:
    by_code = dict(Center.objects.filter(level__in=[Level.COUNTY, Level.TOWNSHIP]).values_list("code", "id"))
    departments = []
    for center in centers:
        if center.level == Level.COUNTY:
            templates = COUNTY_DEPARTMENTS
        elif center.level == Level.TOWNSHIP:
            templates = TOWNSHIP_DEPARTMENTS
        else:
            continue
        for suffix, kind in templates:
            name = f"{center.name}{suffix}"
            departments.append(
                Department(center_id=by_code[center.code], center_code=center.code, name=name, kind=kind)
            )
    return departments


def _upsert_departments(departments: list[Department]) -> None:
    Department.objects.bulk_create(
        departments,
        batch_size=2000,
        update_conflicts=True,
        unique_fields=["center", "name"],
        update_fields=["kind", "center_code"],
    )


def seed_users(ctx: SeedContext) -> list[tuple[str, str, str, str]]:
    """Demo users, one per role (and a clerk in the sibling township); returns the login table."""
    User = get_user_model()
    password = make_password(DEMO_PASSWORD)  # one hash for all: each costs most of a second
    admin, created = User.objects.get_or_create(
        username="admin", defaults={"first_name": "系统管理员", "is_staff": True, "is_superuser": True}
    )
    if created:
        admin.password = password
        admin.save(update_fields=["password"])
    logins = [("admin", DEMO_PASSWORD, "superuser", "—")]
    centers = {c.code: c for c in Center.objects.filter(code__in={u[3] for u in DEMO_USERS})}
    for username, name, role, code, department_name in DEMO_USERS:
        user, created = User.objects.get_or_create(username=username, defaults={"first_name": name})
        if created:
            user.password = password
            user.save(update_fields=["password"])
        department = Department.objects.get(center_code=code, name=department_name) if department_name else None
        Membership.objects.get_or_create(
            user=user,
            center=centers[code],
            role=role,
            defaults={"center_code": code, "department": department},
        )
        logins.append((username, DEMO_PASSWORD, str(Role(role).label), f"{centers[code].name} {code}"))
    return logins


def seed(ctx: SeedContext) -> None:
    started = time.perf_counter()
    centers = build_tree(ctx)
    with transaction.atomic():
        _upsert_centers(centers)
    ctx.timings["centers"] = time.perf_counter() - started
    ctx.say(f"  centers: {len(centers):,} in {ctx.timings['centers']:.1f} s")

    started = time.perf_counter()
    departments = _departments(centers)
    with transaction.atomic():
        _upsert_departments(departments)
    ctx.timings["departments"] = time.perf_counter() - started
    ctx.say(f"  departments: {len(departments):,} in {ctx.timings['departments']:.1f} s")
