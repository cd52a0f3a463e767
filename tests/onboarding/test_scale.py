"""The bulk paths: the number of queries of an import does not grow with its rows, and every created
object still has its line in the audit log."""

from django.db import connection
from django.test.utils import CaptureQueriesContext

from govcenter import access
from govcenter.audit import verify_chain
from govcenter.models import AuditEvent, Role
from tests.fixtures_cases import valid_id
from tests.onboarding.conftest import run_import

DIVISIONS = ["统计用区划代码", "名称"]
GRIDS = ["网格编码", "网格名称", "网格类型", "户数", "人口"]
WORKERS = ["网格编码", "用户名", "姓名", "身份证号", "用工性质"]


def _queries(director, kind, rows) -> int:
    access.forget(director)
    with CaptureQueriesContext(connection) as captured:
        outcome = run_import(director, kind, rows, fmt="csv")
    assert outcome.applied, outcome.errors[:3]
    return len(captured)


def _villages(prefix: str, n: int) -> list[list]:
    return [[f"{prefix}{i:03d}", f"第{i}村"] for i in range(1, n + 1)]


def test_division_import_queries_do_not_grow_with_rows(tree, member_at):
    director = member_at("parent", Role.DIRECTOR)
    few = _queries(director, "divisions", [DIVISIONS, ["620102003", "甲街道"], *_villages("620102003", 3)])
    many = _queries(director, "divisions", [DIVISIONS, ["620102004", "乙街道"], *_villages("620102004", 60)])

    assert many == few


def test_grid_worker_import_queries_do_not_grow_with_rows(tree, member_at):
    director = member_at("parent", Role.DIRECTOR)
    run_import(director, "divisions", [DIVISIONS, ["620102003", "甲街道"], *_villages("620102003", 40)])
    villages = [f"620102003{i:03d}" for i in range(1, 41)]
    run_import(director, "grids", [GRIDS, *[[f"{v}001", "一格", "农村村民小组网格", "10", "30"] for v in villages]])

    def workers(start, n):
        return [WORKERS, *[[f"{villages[i]}001", f"w{start + i}", "某", valid_id(start + i), "专职"] for i in range(n)]]

    events = AuditEvent.objects.count()
    few = _queries(director, "grid_workers", workers(100, 3))
    many = _queries(director, "grid_workers", workers(200, 37))

    assert many == few
    # Each worker: the account, the grid-worker role, the assignment; and one line per import.
    assert AuditEvent.objects.count() - events == 3 * 40 + 2
    assert verify_chain()[1] is None
