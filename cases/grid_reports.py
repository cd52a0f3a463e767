"""Reports from the grid: a patrol visit's finding becomes a case (channel "grid report") in one
step, and the cases from a grid count in its workers' assessment. Registered with grids.hooks on
start-up, since grids may not import cases."""

from collections import defaultdict

from django.utils import timezone
from django.utils.translation import gettext as _

from cases.models import Category, Channel, Deadline, Kind, Party, Severity, Stage
from cases.services.core import CaseError
from cases.services.intake import CaseInput, PartyInput, case_create
from grids import hooks
from grids.models import Finding

KIND_OF_FINDING = {Finding.REQUEST: Kind.REQUEST, Finding.DISPUTE: Kind.DISPUTE, Finding.RISK: Kind.RISK}
# A risk seen on the ground starts high; the clerk may lower it when classifying.
SEVERITY_OF_FINDING = {Finding.RISK: Severity.HIGH}
TITLE_LENGTH = 60


def _title(report, visit) -> str:
    title = (report.title or "").strip()
    if title:
        return title
    first_line = (visit.notes or "").strip().splitlines()[0] if (visit.notes or "").strip() else ""
    return first_line[:TITLE_LENGTH] or _("Found on a patrol visit: %(place)s") % {"place": visit.place}


PARTY_FIELDS = ("role", "name", "id_number", "phone", "address", "party_kind")


def _parties(report, visit, actor) -> list[PartyInput]:
    """The parties the worker named, or else the person visited as the one who raised it, or else the
    grid worker as the reporter (a risk seen in a street has no applicant of its own)."""
    if report.parties:
        return [PartyInput(**{k: str(v) for k, v in party.items() if k in PARTY_FIELDS}) for party in report.parties]
    name = visit.person or (actor.get_full_name() or actor.get_username())
    return [PartyInput(role=Party.Role.APPLICANT, name=name, address=visit.place)]


@hooks.provide_finding_reporter
def report_finding(*, actor, visit, report):
    """The case of a visit's finding, at the grid's village center, linked to the visit and the grid."""
    kind = report.kind or KIND_OF_FINDING[visit.finding]
    if kind not in Kind.values:
        raise CaseError(_("Unknown kind: %(kind)s.") % {"kind": kind}, field="kind")
    category = None
    if report.category:
        category = Category.objects.filter(code=report.category, is_active=True).first()
        if category is None:
            raise CaseError(_("Unknown category: %(code)s.") % {"code": report.category}, field="category")
    data = CaseInput(
        kind=kind,
        channel=Channel.GRID,
        title=_title(report, visit),
        facts=(report.facts or visit.notes or "").strip(),
        category=category,
        place=visit.place,
        parties=_parties(report, visit, actor),
        severity=report.severity or SEVERITY_OF_FINDING.get(visit.finding, Severity.MEDIUM),
    )
    return case_create(
        actor=actor,
        center=visit.grid.center,
        data=data,
        force_new=report.force_new,
        received_at=timezone.now(),
        grid=visit.grid,
        visit=visit,
    )


def resolved_in_time(*, assignments, start, end) -> dict[int, tuple[int, int]]:
    """Per grid worker: the cases from their grids whose resolve limit fell due in the period (and is
    past), and how many of those were resolved in time. A case still open past its limit counts as
    late; it counts for whoever walked its grid when it fell due."""
    by_grid = defaultdict(list)
    for worker_id, grid_id, started_at, ended_at in assignments:
        by_grid[grid_id].append((worker_id, started_at, ended_at))
    until = min(end, timezone.now())
    rows = Deadline.objects.current().filter(
        stage=Stage.RESOLVE, due_at__gte=start, due_at__lt=until, case__grid_id__in=list(by_grid)
    )
    figures: dict[int, list[int]] = defaultdict(lambda: [0, 0])
    for grid_id, met_at, due_at in rows.values_list("case__grid_id", "met_at", "due_at").iterator():
        for worker_id, started_at, ended_at in by_grid[grid_id]:
            if started_at <= due_at and (ended_at is None or due_at < ended_at):
                figures[worker_id][0] += 1
                figures[worker_id][1] += met_at is not None and met_at <= due_at
    return {worker_id: (due, on_time) for worker_id, (due, on_time) in figures.items()}


hooks.provide_outcome("cases_on_time", resolved_in_time)


@hooks.provide_grid_cases
def open_cases_of_grids(*, user, grid_ids, limit: int = 20):
    """The open cases that arose in these grids, whatever their channel, that the user may see:
    overdue first, then by the next deadline."""
    from django.db.models import F

    from cases.models import OPEN_STATUSES
    from cases.selectors import case_list_visible

    return list(
        case_list_visible(user=user)
        .filter(grid_id__in=list(grid_ids), status__in=OPEN_STATUSES)
        .order_by("-is_overdue", F("next_due_at").asc(nulls_last=True), "-id")[:limit]
    )
