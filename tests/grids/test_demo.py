"""The demo grids: every village laid out under its own code, workers on the grids as the services would
put them, visits only while assigned and never ahead of time, grid reports linked to the visit they
came from, the demo grid worker with work of his own; and a second run adds nothing."""

import io
import re
from collections import Counter, defaultdict
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.utils import timezone

from cases import demo as case_demo
from cases.models import Case, Channel
from govcenter.demo import DEMO_VILLAGE
from govcenter.divisions import Level
from govcenter.models import Center, Department, Membership
from grids import demo
from grids.models import (
    AssessmentPolicy,
    AuxiliaryOfficer,
    Duty,
    Employment,
    Finding,
    Grid,
    GridAssignment,
    GridKind,
    PoliceGrid,
    Visit,
)
from grids.services import size_check, worker_seat

# The same fixed "today" as the cases' demo tests, for the cases and the visits alike.
NOW = datetime(2026, 6, 15, 10, 30, tzinfo=ZoneInfo("Asia/Shanghai"))


def _seed() -> str:
    out = io.StringIO()
    call_command("seed_demo", "--scale", "small", stdout=out)  # with the demo logins
    return out.getvalue()


@pytest.fixture
def seeded(db, monkeypatch):
    monkeypatch.setattr(case_demo, "_now", lambda: NOW)
    monkeypatch.setattr(demo, "_now", lambda: NOW)
    return _seed()


def _spells():
    """(grid, worker) → [(started_at, ended_at)]."""
    spells = defaultdict(list)
    for grid_id, worker_id, started, ended in GridAssignment.objects.values_list(
        "grid_id", "worker_id", "started_at", "ended_at"
    ):
        spells[grid_id, worker_id].append((started, ended))
    return spells


def test_every_village_has_grids_under_its_code_sized_as_the_rule_says(seeded):
    assert "grids 620102" in seeded
    villages = dict(Center.objects.filter(level=Level.VILLAGE).values_list("code", "name"))
    grids = list(Grid.objects.select_related("police_grid__station"))
    per_village = Counter(grid.center_code for grid in grids)
    assert set(per_village) == set(villages), "every village has grids"
    assert all(1 <= n <= 4 for n in per_village.values())
    assert 1.9 <= len(grids) / len(villages) <= 2.6
    assert per_village[DEMO_VILLAGE] >= 3
    for grid in grids:
        assert grid.code == f"{grid.center_code}{grid.serial:03d}"
        assert grid.name.startswith(villages[grid.center_code])
        assert (grid.size_flag, grid.size_reason) == size_check(grid.kind, grid.households)
        assert 2.3 * grid.households - 1 <= grid.residents <= 3.2 * grid.households + 1
        assert set(grid.duties) <= set(Duty.values) and {Duty.GOVERNANCE, Duty.POLITICAL_LEGAL} <= set(grid.duties)
        assert grid.boundary
        # Every grid lies in a police grid of its township, kept by the township's police station.
        assert grid.police_grid.center_code == grid.center_code[:9]
        assert grid.police_grid.station.kind == Department.Kind.POLICE
        assert grid.police_grid.station.center_code == grid.center_code[:9]
        if grid.kind == GridKind.RURAL:
            assert 50 <= grid.households <= 200
            assert grid.name.endswith("组网格")
    urban = [grid for grid in grids if grid.kind == GridKind.URBAN]
    inside = [grid for grid in urban if 300 <= grid.households <= 500]
    assert 0.85 <= len(inside) / len(urban) < 1, "mostly 300–500 households, a few outside"
    assert all(not grid.size_flag for grid in inside)
    assert any(grid.size_note for grid in urban if grid.size_flag), "some centers explained theirs"
    assert 0.6 < sum(len(grid.duties) == len(Duty.values) for grid in grids) / len(grids) < 0.95

    police = Counter(PoliceGrid.objects.values_list("center_code", flat=True))
    assert set(police) == {code[:9] for code in villages}
    assert all(2 <= n <= 4 for n in police.values())
    assert all(
        re.fullmatch(r"\w+派出所第[一二三四]警格", name) for name in PoliceGrid.objects.values_list("name", flat=True)
    )
    covered = defaultdict(set)
    for village_code, police_township in AuxiliaryOfficer.objects.values_list(
        "village_code", "police_grid__center_code"
    ):
        assert village_code[:9] == police_township
        covered[village_code[:9]].add(village_code)
    shares = {township: len(covered[township]) / sum(code[:9] == township for code in villages) for township in police}
    assert 0.6 <= sum(len(c) for c in covered.values()) / len(villages) < 1, "not quite one in every village"
    assert len(set(shares.values())) > 1, "the coverage differs by township"
    counties = {code[:6] for code in villages}
    assert set(AssessmentPolicy.objects.values_list("center_code", flat=True)) == counties


def test_workers_walk_their_grids_only_while_assigned_and_never_ahead_of_time(seeded):
    User = get_user_model()
    current = list(GridAssignment.objects.filter(ended_at__isnull=True).select_related("grid", "worker"))
    grids = Grid.objects.count()
    assert 0.9 * grids <= len({a.grid_id for a in current}) < grids + 1
    for assignment in current:
        assert worker_seat(assignment.worker, assignment.grid) is not None, "a membership that reaches the grid"
        assert assignment.worker.is_active
        assert assignment.started_at <= NOW
    assert sum(a.employment == Employment.PART_TIME for a in current) / len(current) < 0.2
    assert any(a.employment == Employment.PART_TIME for a in current)
    # A grid's workers follow one another: who took over started when the other left.
    by_grid = defaultdict(list)
    for assignment in GridAssignment.objects.order_by("started_at"):
        by_grid[assignment.grid_id].append(assignment)
    handed_over = 0
    for rows in by_grid.values():
        for before, after in zip(rows, rows[1:], strict=False):
            assert before.ended_at == after.started_at and before.end_reason
            handed_over += 1
    assert handed_over >= 2
    for assignment in GridAssignment.objects.exclude(end_reason=""):
        assert assignment.ended_at is not None
    workers = User.objects.filter(username__startswith=demo.WORKER_PREFIX)
    assert workers.filter(first_name__startswith="网格员 ").count() == workers.count()
    assert Membership.objects.filter(user__in=workers, role="grid_worker").count() == workers.count()

    spells = _spells()
    visits = list(Visit.objects.values_list("grid_id", "worker_id", "visited_at", "created_at", "finding", "notes"))
    assert len(visits) > 10_000
    for grid_id, worker_id, visited_at, created_at, finding, notes in visits:
        assert visited_at <= NOW and created_at == visited_at
        assert any(started <= visited_at <= (ended or NOW) for started, ended in spells[grid_id, worker_id]), (
            "only while assigned to the grid"
        )
        assert finding == Finding.NOTHING or notes
    findings = Counter(finding for _g, _w, _at, _c, finding, _n in visits)
    assert 0.82 < findings[Finding.NOTHING] / len(visits) < 0.93
    assert all(findings[kind] for kind in (Finding.REQUEST, Finding.DISPUTE, Finding.RISK))
    patrols = Visit.objects.filter(case__isnull=True).exclude(worker__username="grid")
    hours = Counter(timezone.localtime(at).hour for at in patrols.values_list("visited_at", flat=True))
    assert set(hours) <= set(range(8, 18)), "in office hours"
    # A full-time worker on the grid all year walks it 12 to 25 times a month.
    year_ago = NOW - timedelta(days=365)
    steady = [a for a in current if a.employment == Employment.FULL_TIME and a.started_at < year_ago]
    counts = Counter(
        Visit.objects.filter(worker__in=[a.worker_id for a in steady], case__isnull=True).values_list(
            "worker_id", flat=True
        )
    )
    monthly = [counts[a.worker_id] / 12 for a in steady if a.worker.username != "grid"]
    assert 12 <= sum(monthly) / len(monthly) <= 25


def _snapshot():
    User = get_user_model()
    return (
        sorted(Grid.objects.values_list("code", "name", "households", "size_flag", "police_grid__name")),
        sorted(PoliceGrid.objects.values_list("center_code", "name", "officer_name")),
        sorted(AuxiliaryOfficer.objects.values_list("village_code", "name")),
        sorted(GridAssignment.objects.values_list("grid__code", "worker__username", "started_at", "ended_at")),
        Visit.objects.count(),
        sorted(AssessmentPolicy.objects.values_list("center_code", "visits_target", "weight_visits")),
        User.objects.count(),
        Membership.objects.count(),
        sorted(Case.objects.filter(grid__isnull=False).values_list("number", "grid__code", "visit_id")),
    )


def test_grid_reports_have_their_visit_the_demo_worker_has_work_and_a_rerun_adds_nothing(seeded):
    spells = _spells()
    grids_of = defaultdict(set)
    for pk, center_code in Grid.objects.values_list("id", "center_code"):
        grids_of[center_code].add(pk)
    village_cases = Case.objects.filter(origin_code__length=12)
    reports = list(village_cases.filter(channel=Channel.GRID).select_related("visit"))
    assert reports
    linked = [case for case in reports if case.visit is not None]
    assert len(linked) >= 0.7 * len(reports)
    for case in reports:
        assert case.grid_id in grids_of[case.origin_code]
    for case in linked:
        visit = case.visit
        assert visit.grid_id == case.grid_id
        assert timedelta(0) <= case.received_at - visit.visited_at <= timedelta(minutes=90)
        assert any(
            started <= visit.visited_at <= (ended or NOW) for started, ended in spells[visit.grid_id, visit.worker_id]
        )
        assert visit.finding == case.kind
        assert visit.notes == (case.facts or case.title)
    others = village_cases.exclude(channel=Channel.GRID)
    with_grid = others.filter(grid__isnull=False)
    assert 0.3 < with_grid.count() / others.count() < 0.7, "about half know their grid"
    for origin, grid_id in with_grid.values_list("origin_code", "grid_id"):
        assert grid_id in grids_of[origin]
    assert not Case.objects.exclude(origin_code__length=12).filter(grid__isnull=False).exists()

    # The demo login `grid` took over the first two grids of the demo village forty days ago.
    worker = get_user_model().objects.get(username=demo.DEMO_WORKER)
    mine = GridAssignment.objects.filter(worker=worker, ended_at__isnull=True).select_related("grid")
    assert sorted(a.grid.code for a in mine) == [f"{DEMO_VILLAGE}001", f"{DEMO_VILLAGE}002"]
    handover = mine[0].started_at
    before = GridAssignment.objects.filter(grid__in=[a.grid for a in mine]).exclude(worker=worker)
    assert {(a.ended_at, a.end_reason) for a in before} == {(handover, "调整网格")}
    assert not Visit.objects.filter(grid__in=[a.grid for a in mine], visited_at__gt=handover).exclude(worker=worker)
    recent = Visit.objects.filter(worker=worker, visited_at__gte=NOW - timedelta(days=30))
    assert 18 <= recent.count() <= 25
    assert recent.exclude(finding=Finding.NOTHING).count() >= 3

    first = _snapshot()
    out = _seed()
    assert "grids 620102 城关区: already laid out, skipped" in out
    assert _snapshot() == first, "a second run adds nothing"
