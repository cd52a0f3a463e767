"""Read queries of grids: what a user may see, a worker's own grids, coverage figures and the monthly
assessment of grid workers that the reports rank on."""

from dataclasses import dataclass, field
from datetime import date

from django.contrib.auth import get_user_model
from django.db.models import Count, Prefetch, Q, QuerySet, Sum
from django.db.models.functions import Left

from govcenter import access
from govcenter.access import Action
from govcenter.divisions import PREFIX_LENGTHS, Level, subtree_q
from govcenter.models import Center, Membership, Role
from govcenter.periods import month_bounds
from grids import hooks
from grids.models import (
    WORKER_SEAT_LENGTHS,
    AssessmentPolicy,
    AuxiliaryOfficer,
    Finding,
    Grid,
    GridAssignment,
    PoliceGrid,
    Visit,
)

# --- Lists ----------------------------------------------------------------------------------------


def current_assignments() -> Prefetch:
    """The workers on each grid now, for a list of grids: one query for the whole page."""
    return Prefetch(
        "assignments",
        queryset=GridAssignment.objects.filter(ended_at__isnull=True).select_related("worker").order_by("started_at"),
        to_attr="current_assignments",
    )


def grid_list_visible(*, user) -> QuerySet:
    grids = access.scope(user, Grid.objects.all(), Action.GRID_VIEW)
    return grids.select_related("center", "police_grid").prefetch_related(current_assignments())


def assignment_list_visible(*, user) -> QuerySet:
    rows = access.scope(user, GridAssignment.objects.all(), Action.VISIT_VIEW)
    return rows.select_related("grid", "worker", "assigned_by", "ended_by")


def police_grid_list_visible(*, user) -> QuerySet:
    rows = access.scope(user, PoliceGrid.objects.all(), Action.GRID_VIEW)
    return rows.select_related("center", "station").annotate(
        grid_count=Count("grids", filter=Q(grids__is_active=True), distinct=True),
        auxiliary_count=Count("auxiliaries", filter=Q(auxiliaries__is_active=True), distinct=True),
    )


def auxiliary_list_visible(*, user) -> QuerySet:
    rows = access.scope(user, AuxiliaryOfficer.objects.all(), Action.GRID_VIEW)
    return rows.select_related("police_grid", "village")


def visit_list_visible(*, user) -> QuerySet:
    rows = access.scope(user, Visit.objects.all(), Action.VISIT_VIEW)
    return rows.select_related("grid", "worker")


def my_assignments(*, user) -> QuerySet:
    """The grids a worker walks now, oldest assignment first."""
    return (
        GridAssignment.objects.filter(worker_id=user.pk, ended_at__isnull=True, grid__is_active=True)
        .select_related("grid", "grid__center", "grid__police_grid")
        .order_by("started_at", "grid__code")
    )


def assignable_workers(grid: Grid) -> QuerySet:
    """Users who may be put on the grid: active grid workers of its village or its township."""
    member_ids = Membership.objects.filter(
        center_code__in=[grid.center_code[:length] for length in WORKER_SEAT_LENGTHS],
        role=Role.GRID_WORKER,
        is_active=True,
    ).values("user_id")
    return get_user_model().objects.filter(pk__in=member_ids, is_active=True).order_by("first_name", "username")


# --- Coverage -------------------------------------------------------------------------------------


@dataclass
class CoverageRow:
    """One unit under the center asked about (its townships under a county, …), or the total."""

    code: str
    name: str
    villages: int = 0
    villages_with_auxiliary: int = 0
    grids: int = 0
    grids_staffed: int = 0
    grids_flagged: int = 0
    households: int = 0

    @property
    def auxiliary_share(self) -> float | None:
        """一村一辅警: the share of villages with an auxiliary police officer."""
        return self.villages_with_auxiliary / self.villages if self.villages else None

    @property
    def staffed_share(self) -> float | None:
        """The share of grids with a grid worker on them now."""
        return self.grids_staffed / self.grids if self.grids else None


@dataclass
class Coverage:
    center: Center
    total: CoverageRow
    rows: list[CoverageRow] = field(default_factory=list)


def unit_length(code: str) -> int:
    """The code length of the units one level below a center (a village's own for a village)."""
    later = [length for length in PREFIX_LENGTHS if length > len(code)]
    return later[0] if later else len(code)


def coverage(center: Center) -> Coverage:
    """Auxiliary-officer and grid-worker coverage under a center, per unit one level down: three
    grouped queries whatever the size of the subtree."""
    length = unit_length(center.code)
    units = {
        c.code: CoverageRow(code=c.code, name=c.name)
        for c in Center.objects.filter(
            subtree_q("code", center.code), level=Level(PREFIX_LENGTHS.index(length) + 1), is_active=True
        )
        .only("code", "name")
        .order_by("code")
    }
    covered = AuxiliaryOfficer.objects.filter(
        subtree_q("village_code", center.code), is_active=True, police_grid__is_active=True
    ).values("village_code")
    villages = (
        Center.objects.filter(subtree_q("code", center.code), level=Level.VILLAGE, is_active=True)
        .annotate(unit=Left("code", length))
        .values("unit")
        .order_by()
        .annotate(villages=Count("id"), covered=Count("id", filter=Q(code__in=covered)))
    )
    for row in villages:
        unit = units.setdefault(row["unit"], CoverageRow(code=row["unit"], name=row["unit"]))
        unit.villages, unit.villages_with_auxiliary = row["villages"], row["covered"]
    staffed = GridAssignment.objects.filter(ended_at__isnull=True).values("grid_id")
    grids = (
        Grid.objects.filter(subtree_q("center_code", center.code), is_active=True)
        .annotate(unit=Left("center_code", length))
        .values("unit")
        .order_by()
        .annotate(
            grids=Count("id"),
            staffed=Count("id", filter=Q(pk__in=staffed)),
            flagged=Count("id", filter=~Q(size_flag="")),
            households=Sum("households"),
        )
    )
    for row in grids:
        unit = units.setdefault(row["unit"], CoverageRow(code=row["unit"], name=row["unit"]))
        unit.grids, unit.grids_staffed = row["grids"], row["staffed"]
        unit.grids_flagged, unit.households = row["flagged"], row["households"] or 0
    return coverage_of_rows(center, [units[code] for code in sorted(units)])


COVERAGE_COUNTS = ("villages", "villages_with_auxiliary", "grids", "grids_staffed", "grids_flagged", "households")


def coverage_of_rows(center: Center, rows: list[CoverageRow]) -> Coverage:
    """The coverage of a center from its units' rows (counted now, or kept in a snapshot)."""
    total = CoverageRow(code=center.code, name=center.name)
    for row in rows:
        for name in COVERAGE_COUNTS:
            setattr(total, name, getattr(total, name) + getattr(row, name))
    return Coverage(center=center, total=total, rows=rows)


# --- Assessment -----------------------------------------------------------------------------------


@dataclass
class Measure:
    """One part of a worker's score: how far it was met (0–1, None when there was nothing to count)
    and the weight the county gives it."""

    key: str
    done: int
    expected: int | None
    rate: float | None
    weight: int


@dataclass
class WorkerAssessment:
    worker_id: int
    name: str
    username: str
    county_code: str
    grids: list[str]
    visits: int = 0
    findings: int = 0
    cases_due: int = 0
    cases_on_time: int = 0
    warnings_due: int = 0
    warnings_on_time: int = 0
    measures: list[Measure] = field(default_factory=list)
    score: float | None = None
    rank: int | None = None


def weights_for(county_code: str, policies: dict[str, AssessmentPolicy]) -> AssessmentPolicy:
    """The county's weights, or the defaults when it has set none."""
    return policies.get(county_code) or AssessmentPolicy(center_code=county_code)


def _score(row: WorkerAssessment, policy: AssessmentPolicy) -> None:
    parts = [
        ("visits", row.visits, policy.visits_target, policy.weight_visits),
        ("findings", row.findings, policy.findings_target, policy.weight_findings),
        ("on_time", row.cases_on_time, row.cases_due or None, policy.weight_on_time),
        ("warnings", row.warnings_on_time, row.warnings_due or None, policy.weight_warnings),
    ]
    row.measures = [
        Measure(key, done, expected, min(1.0, done / expected) if expected else None, weight)
        for key, done, expected, weight in parts
    ]
    counted = [m for m in row.measures if m.rate is not None and m.weight]
    total_weight = sum(m.weight for m in counted)
    row.score = round(100 * sum(m.rate * m.weight for m in counted) / total_weight, 1) if total_weight else None


def assessment(center: Center, month: date) -> list[WorkerAssessment]:
    """Each grid worker who walked a grid under the center in the month, with the month's figures and
    a score by their county's weights, best first. A constant number of queries."""
    start, end = month_bounds(month)
    assignments = list(
        GridAssignment.objects.filter(subtree_q("center_code", center.code), started_at__lt=end)
        .filter(Q(ended_at__isnull=True) | Q(ended_at__gt=start))
        .select_related("worker", "grid")
        .order_by("worker_id", "grid__code")
    )
    rows: dict[int, WorkerAssessment] = {}
    for assignment in assignments:
        worker = assignment.worker
        row = rows.get(worker.pk)
        if row is None:
            row = rows[worker.pk] = WorkerAssessment(
                worker_id=worker.pk,
                name=worker.get_full_name() or worker.get_username(),
                username=worker.get_username(),
                county_code=assignment.center_code[:6],
                grids=[],
            )
        if assignment.grid.code not in row.grids:
            row.grids.append(assignment.grid.code)
    if not rows:
        return []
    visits = (
        Visit.objects.filter(
            subtree_q("center_code", center.code), worker_id__in=list(rows), visited_at__gte=start, visited_at__lt=end
        )
        .values("worker_id")
        .order_by()
        .annotate(visits=Count("id"), findings=Count("id", filter=~Q(finding=Finding.NOTHING)))
    )
    for figures in visits:
        row = rows[figures["worker_id"]]
        row.visits, row.findings = figures["visits"], figures["findings"]
    periods = [(a.worker_id, a.grid_id, a.started_at, a.ended_at) for a in assignments]
    for measure, (due_name, done_name) in {
        "cases_on_time": ("cases_due", "cases_on_time"),
        "warnings_on_time": ("warnings_due", "warnings_on_time"),
    }.items():
        provider = hooks.outcome(measure)
        if provider is None:
            continue
        for worker_id, (due, done) in provider(assignments=periods, start=start, end=end).items():
            if worker_id in rows:
                setattr(rows[worker_id], due_name, due)
                setattr(rows[worker_id], done_name, done)
    counties = {row.county_code for row in rows.values()}
    policies = {p.center_code: p for p in AssessmentPolicy.objects.filter(center_code__in=counties)}
    for row in rows.values():
        _score(row, weights_for(row.county_code, policies))
    ranked = sorted(rows.values(), key=lambda r: (r.score is None, -(r.score or 0), r.name, r.worker_id))
    # Equal scores share a rank (1, 1, 3); a worker with nothing scored is listed last, unranked.
    for position, row in enumerate(ranked, start=1):
        if row.score is None:
            continue
        tied = position > 1 and row.score == ranked[position - 2].score
        row.rank = ranked[position - 2].rank if tied else position
    return ranked
