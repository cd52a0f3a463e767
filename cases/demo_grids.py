"""The grids of the demo cases: the grid a village's case arose in, and the visit a grid report came from.

Every case reported by a grid worker (channel "grid") at a village gets a grid of that village and
the patrol visit it came from, as `grids.services.visit_log` with a report would have written it: by
the worker on that grid when the case came in, a little before, the finding its kind, the notes its
facts. About half of the village's other cases (walk-ins, calls …) know their grid too, so the
figures per grid have something to count.

`cases.demo` links the cases it makes as it makes them (a `Linker` per county, asked case by case:
an UPDATE of a quarter of a million cases afterwards cost more than making them). `seed(ctx)`, which
`cases.demo.seed` calls next, links what is left in the other counties: cases made before that.

The grid of a case is chosen by a hash of its number, so it is the same on every run; a case that has
its grid (or its visit) is left alone, so a second run adds nothing. A grid report whose grid had
nobody on it that day keeps no visit. Every random choice comes from `ctx.rng_for("case-grids:<county>")`,
drawn in the order of the cases' ids.
"""

import bisect
import hashlib
import time
from collections import defaultdict
from datetime import timedelta

from django.db import transaction

from cases.models import Case, Channel, Kind, Party
from govcenter import bulk
from govcenter.demo import in_workers
from grids.models import Finding, Grid, GridAssignment, Visit, VisitTarget

OTHER_SHARE = 0.5  # of a village's cases from other channels, the share that know their grid
FINDINGS = {Kind.DISPUTE: Finding.DISPUTE, Kind.REQUEST: Finding.REQUEST, Kind.RISK: Finding.RISK}


# How the rows are written (govcenter.bulk).
VISITS = bulk.Table(
    Visit,
    ["grid", "center_code", "worker", "visited_at", "target", "place", "person", "finding", "notes", "created_at"],
)
CASE_GRIDS = bulk.Table(Case, ["grid", "visit"])


def _unit(seed: int, part: str) -> float:
    digest = hashlib.sha256(f"{seed}:case-grids:{part}".encode()).digest()
    return int.from_bytes(digest[:8], "big") / 2**64


class Walkers:
    """Who was on each grid when: the assignments, by grid, in order of their start."""

    def __init__(self, county: str):
        self.by_grid: dict[int, list[tuple]] = defaultdict(list)
        rows = GridAssignment.objects.filter(center_code__startswith=county).values_list(
            "grid_id", "started_at", "ended_at", "worker_id"
        )
        for grid_id, started, ended, worker_id in sorted(rows, key=lambda row: (row[0], row[1])):
            self.by_grid[grid_id].append((started, ended, worker_id))
        self.starts = {grid_id: [row[0] for row in rows] for grid_id, rows in self.by_grid.items()}

    def at(self, grid_id: int, moment):
        """The assignment (started, ended, worker) running at `moment`, the latest one if several."""
        rows = self.by_grid.get(grid_id, [])
        for index in range(bisect.bisect_right(self.starts.get(grid_id, []), moment) - 1, -1, -1):
            started, ended, worker_id = rows[index]
            if ended is None or moment < ended:
                return started, ended, worker_id
        return None


def village_grids(county: str = "") -> dict[str, list[tuple[int, str]]]:
    """The active grids of each village (of one county, or of all), in the order of their serials."""
    grids: dict[str, list[tuple[int, str]]] = defaultdict(list)
    rows = Grid.objects.filter(is_active=True, center_code__startswith=county).order_by("center_code", "serial")
    for center_code, pk, name in rows.values_list("center_code", "id", "name"):
        grids[center_code].append((pk, name))
    return grids


class Linker:
    """The grid of each of a county's village cases and the visit a grid report came from, asked case
    by case in the order of their ids (the order the generator is drawn in)."""

    def __init__(self, ctx, county: str, grids: dict[str, list[tuple[int, str]]]):
        self.seed = ctx.seed
        self.grids = grids
        self.rng = ctx.rng_for(f"case-grids:{county}")
        self.walkers = Walkers(county) if grids else None

    def link(self, number, kind, channel, origin, received_at, title, facts, place, applicant) -> tuple:
        """(grid id or None, the visit as a row of VISITS or None)."""
        grids = self.grids.get(origin)
        if not grids:
            return None, None  # not a village, or one without grids
        if channel != Channel.GRID:
            if _unit(self.seed, f"other:{number}") < OTHER_SHARE:
                return self._pick(grids, number)[0], None
            return None, None
        grid_id, grid_name = self._pick(grids, number)
        walker = self.walkers.at(grid_id, received_at)
        if walker is None:
            return grid_id, None  # nobody walked the grid that day: the case keeps its grid, without a visit
        started, _ended, worker_id = walker
        visited_at = max(started, received_at - timedelta(minutes=self.rng.randint(10, 90)))
        visit = (
            grid_id,
            origin,
            worker_id,
            visited_at,
            VisitTarget.HOUSEHOLD,
            (place or grid_name)[:200],
            applicant[:100],
            FINDINGS.get(kind, Finding.REQUEST),
            facts or title,
            visited_at,
        )
        return grid_id, visit

    def _pick(self, grids: list[tuple[int, str]], number: str) -> tuple[int, str]:
        return grids[int(_unit(self.seed, f"grid:{number}") * len(grids))]


def _county(ctx, county: str, grids: dict[str, list[tuple[int, str]]]) -> tuple[int, int]:
    """Link the county's village cases that have no grid yet; returns (cases linked, visits made).
    (cases.demo links the cases it makes itself; this is for cases made before it did.)"""
    fields = ("id", "number", "kind", "channel", "origin_code", "received_at", "title", "facts", "place")
    cases = Case.objects.filter(county_code=county, origin_code__length=12, grid__isnull=True, visit__isnull=True)
    cases = [row for row in cases.order_by("id").values_list(*fields) if row[4] in grids]
    if not cases:
        return 0, 0
    applicants = dict(
        Party.objects.filter(case_id__in=[row[0] for row in cases if row[3] == Channel.GRID], role=Party.Role.APPLICANT)
        .order_by("case_id", "-id")  # the first applicant wins the dict
        .values_list("case_id", "name")
    )
    linker = Linker(ctx, county, grids)
    linked: dict[int, list] = {}  # case id → [grid id, visit id]
    visits: list[tuple] = []  # in VISITS' fields
    visited: list[int] = []  # the case of each visit
    for case_id, *facts in cases:
        grid_id, visit = linker.link(*facts, applicants.get(case_id, ""))
        if grid_id is not None:
            linked[case_id] = [grid_id, None]
        if visit is not None:
            visits.append(visit)
            visited.append(case_id)
    with transaction.atomic():
        for case_id, visit_id in zip(visited, VISITS.insert(visits, returning=True), strict=True):
            linked[case_id][1] = visit_id
        CASE_GRIDS.update((case_id, grid_id, visit_id) for case_id, (grid_id, visit_id) in linked.items())
    return len(linked), len(visits)


def seed(ctx, linked=()) -> None:
    """Link the cases of the counties with grids but those in `linked` (their cases were linked as
    they were made)."""
    started = time.perf_counter()
    grids = village_grids()
    if not grids:
        ctx.say("  case grids: no grids, nothing to do")
        return
    counties = sorted({code[:6] for code in grids} - set(linked))
    linked = made = 0
    for county_linked, county_made in in_workers(ctx, counties, lambda county, _say: _county(ctx, county, grids)):
        linked += county_linked
        made += county_made
    ctx.timings["case_grids"] = time.perf_counter() - started
    ctx.say(
        f"  case grids: {linked:,} cases given their grid, {made:,} visits for grid reports"
        f" in {ctx.timings['case_grids']:.1f} s"
    )
