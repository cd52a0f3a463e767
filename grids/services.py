"""The actions that change grids: laying out grids, assigning grid workers, police grids and their
auxiliary officers, logging patrol visits (and reporting what they found), the assessment weights.

Each is one transaction that checks the actor's right through the access policy and writes the audit
log; bad input is a GridError (400) that names the field, before anything is saved.
"""

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from govcenter import access, audit
from govcenter.access import Action
from govcenter.divisions import Level, is_within
from govcenter.errors import ConflictError, DomainError, NotAllowed
from govcenter.models import Center, Department, Membership, Role
from govcenter.uploads import IMAGE_FILES, check_upload
from grids import hooks
from grids.models import (
    WORKER_SEAT_LENGTHS,
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
    VisitTarget,
    size_check,
)

# A phone's clock may run a little ahead of the server's; a visit further ahead is in the future.
CLOCK_SKEW = timedelta(minutes=5)


class GridError(DomainError):
    """Bad input for a grid, an assignment or a visit: 400."""


class GridConflict(ConflictError):
    """The grid or assignment is not in a state that allows this: 409."""


# --- Grids ----------------------------------------------------------------------------------------


def _check_manager(actor, center_code: str) -> None:
    if not access.can_at(actor, Action.GRID_MANAGE, center_code):
        raise NotAllowed(
            _("Only a director of this grid's village, township or county lays out grids and their workers.")
        )


def _clean_duties(duties) -> list[str]:
    duties = list(dict.fromkeys(duties or []))
    unknown = [duty for duty in duties if duty not in Duty.values]
    if unknown:
        raise GridError(_("Unknown duty: %(duty)s.") % {"duty": ", ".join(map(str, unknown))}, field="duties")
    # Stored in the order of the choices, so two grids with the same duties compare equal.
    return [duty for duty in Duty.values if duty in duties]


def _check_counts(households, residents) -> None:
    for name, value in (("households", households), ("residents", residents)):
        if not isinstance(value, int) or isinstance(value, bool) or value < 0:
            raise GridError(_("A count of households or residents cannot be negative."), field=name)
    if residents < households:
        raise GridError(
            _("%(residents)d residents cannot fill %(households)d households.")
            % {"residents": residents, "households": households},
            field="residents",
        )


def _check_police_grid(police_grid: PoliceGrid | None, center_code: str) -> None:
    if police_grid is not None and not is_within(center_code, police_grid.center_code):
        raise GridError(_("The police grid belongs to another township."), field="police_grid")


@transaction.atomic
def grid_create(
    *,
    actor,
    center: Center,
    name: str,
    kind: str,
    households: int = 0,
    residents: int = 0,
    boundary: str = "",
    duties=(),
    size_note: str = "",
    police_grid: PoliceGrid | None = None,
) -> Grid:
    """A new grid under a village or community center, numbered after the center's last one."""
    _check_manager(actor, center.code)
    if center.level != Level.VILLAGE:
        raise GridError(_("Grids are laid out under a village or community center only."), field="center")
    if not center.is_active:
        raise GridError(_("This center is retired."), field="center")
    if kind not in GridKind.values:
        raise GridError(_("Unknown kind of grid: %(kind)s.") % {"kind": kind}, field="kind")
    if not (name or "").strip():
        raise GridError(_("Give the grid a name."), field="name")
    _check_counts(households, residents)
    _check_police_grid(police_grid, center.code)
    # The center row's lock makes the numbering safe against a second manager at the same time.
    Center.objects.select_for_update().filter(pk=center.pk).first()
    serial = (Grid.objects.filter(center=center).aggregate(last=Max("serial"))["last"] or 0) + 1
    if serial > 999:
        raise GridConflict(_("This center already has 999 grids."))
    flag = size_check(kind, households)[0]
    grid = Grid.objects.create(
        code=f"{center.code}{serial:03d}",
        center=center,
        center_code=center.code,
        serial=serial,
        name=name.strip(),
        kind=kind,
        households=households,
        residents=residents,
        boundary=boundary.strip(),
        duties=_clean_duties(duties),
        size_flag=flag,
        size_note=size_note.strip(),
        police_grid=police_grid,
    )
    audit.record(
        actor=actor,
        action="grid.create",
        obj=grid,
        center_code=grid.center_code,
        data={"code": grid.code, "households": households, "size_flag": flag},
    )
    return grid


GRID_EDITABLE = ("name", "kind", "households", "residents", "boundary", "duties", "size_note", "police_grid")


@transaction.atomic
def grid_update(*, actor, grid: Grid, **changes) -> Grid:
    """Change a grid's description; the size flag follows the new kind and household count."""
    _check_manager(actor, grid.center_code)
    _only(changes, GRID_EDITABLE)
    grid = Grid.objects.select_for_update().get(pk=grid.pk)
    if "kind" in changes and changes["kind"] not in GridKind.values:
        raise GridError(_("Unknown kind of grid: %(kind)s.") % {"kind": changes["kind"]}, field="kind")
    if "name" in changes and not (changes["name"] or "").strip():
        raise GridError(_("Give the grid a name."), field="name")
    _check_counts(changes.get("households", grid.households), changes.get("residents", grid.residents))
    if "police_grid" in changes:
        _check_police_grid(changes["police_grid"], grid.center_code)
    if "duties" in changes:
        changes["duties"] = _clean_duties(changes["duties"])
    before = {name: _plain(getattr(grid, name)) for name in changes}
    for name, value in changes.items():
        setattr(grid, name, value.strip() if isinstance(value, str) else value)
    grid.size_flag = size_check(grid.kind, grid.households)[0]
    grid.save()
    after = {name: _plain(getattr(grid, name)) for name in changes}
    changed = {name: [before[name], after[name]] for name in changes if before[name] != after[name]}
    audit.record(actor=actor, action="grid.update", obj=grid, center_code=grid.center_code, data=changed)
    return grid


def _only(changes: dict, allowed) -> None:
    unknown = sorted(set(changes) - set(allowed))
    if unknown:
        raise GridError(_("These fields cannot be changed here: %(names)s.") % {"names": ", ".join(unknown)})


def _plain(value):
    return value.pk if hasattr(value, "pk") else value


@transaction.atomic
def grid_retire(*, actor, grid: Grid, reason: str) -> Grid:
    """Take a grid out of use (merged into another, the estate demolished). Its history stays."""
    _check_manager(actor, grid.center_code)
    if not (reason or "").strip():
        raise GridError(_("Say why the grid is retired."), field="reason")
    grid = Grid.objects.select_for_update().get(pk=grid.pk)
    if not grid.is_active:
        raise GridConflict(_("This grid is already retired."))
    for assignment in GridAssignment.objects.select_for_update().filter(grid=grid, ended_at__isnull=True):
        _end(assignment, actor, reason=_("The grid was retired: %(reason)s") % {"reason": reason.strip()})
    grid.is_active = False
    grid.save(update_fields=["is_active", "updated_at"])
    audit.record(actor=actor, action="grid.retire", obj=grid, center_code=grid.center_code, data={"reason": reason})
    return grid


# --- Grid workers ---------------------------------------------------------------------------------


def worker_seat(worker, grid: Grid) -> Membership | None:
    """The worker's active grid-worker membership at the grid's village or township, if any."""
    memberships = Membership.objects.filter(
        user_id=worker.pk,
        role=Role.GRID_WORKER,
        is_active=True,
        center__is_active=True,
        center_code__in=[grid.center_code[:length] for length in WORKER_SEAT_LENGTHS],
    )
    return memberships.first()


def _end(assignment: GridAssignment, actor, *, reason: str, at: datetime | None = None) -> GridAssignment:
    assignment.ended_at = max(at or timezone.now(), assignment.started_at)
    assignment.ended_by = actor
    assignment.end_reason = reason[:200]
    assignment.save(update_fields=["ended_at", "ended_by", "end_reason"])
    return assignment


@transaction.atomic
def grid_assign(
    *,
    actor,
    grid: Grid,
    worker,
    employment: str = Employment.FULL_TIME,
    started_at: datetime | None = None,
    note: str = "",
    replace: bool = False,
) -> GridAssignment:
    """Put a grid worker on a grid. With `replace`, the grid's current workers are taken off it first
    (a reassignment): their rows end, so the history of who walked the grid stays."""
    _check_manager(actor, grid.center_code)
    grid = Grid.objects.select_for_update().get(pk=grid.pk)
    if not grid.is_active:
        raise GridConflict(_("This grid is retired."))
    if employment not in Employment.values:
        raise GridError(_("Full-time or part-time?"), field="employment")
    if worker_seat(worker, grid) is None:
        # Names no one: the refusal must not tell who a username belongs to.
        raise GridError(_("This user is not a grid worker of this village or the township above it."), field="worker")
    now = timezone.now()
    started_at = started_at or now
    if started_at > now + CLOCK_SKEW:
        raise GridError(_("An assignment starts today or earlier; schedule it on the day."), field="started_at")
    current = list(GridAssignment.objects.select_for_update().filter(grid=grid, ended_at__isnull=True))
    if any(a.worker_id == worker.pk for a in current):
        raise GridConflict(_("This worker is already on this grid."))
    if replace:
        name = worker.get_full_name() or worker.get_username()
        for assignment in current:
            _end(assignment, actor, reason=_("Reassigned to %(name)s") % {"name": name}, at=started_at)
    assignment = GridAssignment.objects.create(
        grid=grid,
        center_code=grid.center_code,
        worker=worker,
        employment=employment,
        started_at=started_at,
        note=note.strip(),
        assigned_by=actor,
    )
    audit.record(
        actor=actor,
        action="grid.assign",
        obj=assignment,
        center_code=grid.center_code,
        data={"grid": grid.code, "worker": worker.pk, "employment": employment, "replaced": [a.pk for a in current]},
    )
    return assignment


@transaction.atomic
def grid_unassign(*, actor, assignment: GridAssignment, reason: str) -> GridAssignment:
    _check_manager(actor, assignment.center_code)
    if not (reason or "").strip():
        raise GridError(_("Say why the worker leaves the grid."), field="reason")
    assignment = GridAssignment.objects.select_for_update().get(pk=assignment.pk)
    if assignment.ended_at is not None:
        raise GridConflict(_("This assignment has already ended."))
    _end(assignment, actor, reason=reason.strip())
    audit.record(
        actor=actor,
        action="grid.unassign",
        obj=assignment,
        center_code=assignment.center_code,
        data={"reason": reason.strip()},
    )
    return assignment


# --- Police grids ---------------------------------------------------------------------------------


def _check_police_manager(actor, center_code: str) -> None:
    if not access.can_at(actor, Action.POLICE_GRID_MANAGE, center_code):
        raise NotAllowed(_("Only the police liaison or a director of this township or above keeps its police grids."))


def _check_station(station: Department | None, center: Center) -> None:
    if station is None:
        return
    if station.kind != Department.Kind.POLICE:
        raise GridError(_("Choose a police station."), field="station")
    if not is_within(center.code, station.center_code):
        raise GridError(_("This police station does not serve this township."), field="station")


def _cover(police_grid: PoliceGrid, grids) -> list[str]:
    """Make `grids` exactly the grids the police grid covers; returns their codes."""
    grids = list(grids)
    foreign = [g.code for g in grids if not is_within(g.center_code, police_grid.center_code)]
    if foreign:
        raise GridError(
            _("These grids lie outside the township: %(codes)s.") % {"codes": ", ".join(foreign)}, field="grids"
        )
    Grid.objects.filter(police_grid=police_grid).exclude(pk__in=[g.pk for g in grids]).update(police_grid=None)
    Grid.objects.filter(pk__in=[g.pk for g in grids]).update(police_grid=police_grid)
    return sorted(g.code for g in grids)


@transaction.atomic
def police_grid_create(
    *,
    actor,
    center: Center,
    name: str,
    station: Department | None = None,
    officer_name: str = "",
    officer_phone: str = "",
    grids=(),
) -> PoliceGrid:
    _check_police_manager(actor, center.code)
    if center.level != Level.TOWNSHIP:
        raise GridError(_("A police grid belongs to a township center."), field="center")
    if not (name or "").strip():
        raise GridError(_("Give the police grid a name."), field="name")
    _check_station(station, center)
    if PoliceGrid.objects.filter(center=center, name=name.strip()).exists():
        raise GridError(_("This township already has a police grid of that name."), field="name")
    police_grid = PoliceGrid.objects.create(
        center=center,
        center_code=center.code,
        station=station,
        name=name.strip(),
        officer_name=officer_name.strip(),
        officer_phone=officer_phone.strip(),
    )
    covered = _cover(police_grid, grids)
    audit.record(
        actor=actor, action="police_grid.create", obj=police_grid, center_code=center.code, data={"grids": covered}
    )
    return police_grid


@transaction.atomic
def police_grid_update(*, actor, police_grid: PoliceGrid, grids=None, **changes) -> PoliceGrid:
    """Change a police grid's officer, station or name, and (given `grids`) the grids it covers."""
    _check_police_manager(actor, police_grid.center_code)
    police_grid = PoliceGrid.objects.select_for_update().get(pk=police_grid.pk)
    _only(changes, {"name", "station", "officer_name", "officer_phone", "is_active"})
    if "name" in changes:
        name = (changes["name"] or "").strip()
        if not name:
            raise GridError(_("Give the police grid a name."), field="name")
        if PoliceGrid.objects.filter(center_id=police_grid.center_id, name=name).exclude(pk=police_grid.pk).exists():
            raise GridError(_("This township already has a police grid of that name."), field="name")
    if "station" in changes:
        _check_station(changes["station"], police_grid.center)
    for name, value in changes.items():
        setattr(police_grid, name, value.strip() if isinstance(value, str) else value)
    police_grid.save()
    data = {k: _plain(v) for k, v in changes.items()}
    if grids is not None:
        data["grids"] = _cover(police_grid, grids)
    audit.record(
        actor=actor, action="police_grid.update", obj=police_grid, center_code=police_grid.center_code, data=data
    )
    return police_grid


def _check_village(police_grid: PoliceGrid, village: Center) -> None:
    if village.level != Level.VILLAGE or not is_within(village.code, police_grid.center_code):
        raise GridError(_("Choose a village or community of the police grid's township."), field="village")


@transaction.atomic
def auxiliary_add(*, actor, police_grid: PoliceGrid, village: Center, name: str, phone: str = "") -> AuxiliaryOfficer:
    """Station an auxiliary officer in a village (一村一辅警)."""
    _check_police_manager(actor, police_grid.center_code)
    if not police_grid.is_active:
        raise GridConflict(_("This police grid is no longer in use."))
    _check_village(police_grid, village)
    if not (name or "").strip():
        raise GridError(_("Give the officer's name."), field="name")
    officer = AuxiliaryOfficer.objects.create(
        police_grid=police_grid, village=village, village_code=village.code, name=name.strip(), phone=phone.strip()
    )
    audit.record(
        actor=actor, action="police_grid.auxiliary_add", obj=officer, center_code=village.code, data={"name": name}
    )
    return officer


@transaction.atomic
def auxiliary_update(*, actor, officer: AuxiliaryOfficer, **changes) -> AuxiliaryOfficer:
    _check_police_manager(actor, officer.village_code)
    officer = AuxiliaryOfficer.objects.select_for_update().select_related("police_grid").get(pk=officer.pk)
    _only(changes, {"name", "phone", "village", "is_active"})
    if "village" in changes:
        _check_village(officer.police_grid, changes["village"])
        officer.village_code = changes["village"].code
    if "name" in changes and not (changes["name"] or "").strip():
        raise GridError(_("Give the officer's name."), field="name")
    for name, value in changes.items():
        setattr(officer, name, value.strip() if isinstance(value, str) else value)
    officer.save()
    audit.record(
        actor=actor,
        action="police_grid.auxiliary_update",
        obj=officer,
        center_code=officer.village_code,
        data={k: _plain(v) for k, v in changes.items()},
    )
    return officer


# --- Patrol visits --------------------------------------------------------------------------------


@dataclass
class FindingReport:
    """What the grid worker says about a finding that becomes a case. Empty fields are filled from
    the visit: the summary from its notes, the place from where it was, the applicant from whom.
    Plain data (a category code, parties as dicts): the cases app checks it as any intake."""

    title: str = ""
    facts: str = ""
    kind: str = ""
    category: str = ""
    parties: list[dict] = field(default_factory=list)
    severity: str = ""
    force_new: bool = False


def _check_visit_time(visited_at: datetime, assignment: GridAssignment) -> None:
    now = timezone.now()
    if visited_at > now + CLOCK_SKEW:
        raise GridError(_("A visit cannot be dated in the future."), field="visited_at")
    if visited_at < assignment.started_at:
        raise GridError(
            _("You were assigned to this grid on %(day)s; a visit before that is not yours to log.")
            % {"day": timezone.localdate(assignment.started_at).isoformat()},
            field="visited_at",
        )


@transaction.atomic
def visit_log(
    *,
    actor,
    grid: Grid,
    visited_at: datetime,
    place: str,
    target: str = VisitTarget.HOUSEHOLD,
    person: str = "",
    finding: str = Finding.NOTHING,
    notes: str = "",
    photo=None,
    report: FindingReport | None = None,
) -> Visit:
    """A grid worker's patrol visit in one of their grids; with `report`, its finding becomes a case
    in the same step (and if the case cannot be recorded, neither is the visit)."""
    assignment = (
        GridAssignment.objects.filter(grid=grid, worker_id=actor.pk, ended_at__isnull=True).first()
        if getattr(actor, "is_authenticated", False)
        else None
    )
    if assignment is None or not grid.is_active or worker_seat(actor, grid) is None:
        raise NotAllowed(_("Only a grid worker assigned to this grid logs visits in it."), field="grid")
    _check_visit_time(visited_at, assignment)
    if target not in VisitTarget.values:
        raise GridError(_("Unknown kind of place visited: %(target)s.") % {"target": target}, field="target")
    if finding not in Finding.values:
        raise GridError(_("Unknown finding: %(finding)s.") % {"finding": finding}, field="finding")
    if not (place or "").strip():
        raise GridError(_("Say where the visit was (household, address or place)."), field="place")
    if finding != Finding.NOTHING and not (notes or "").strip():
        raise GridError(_("Describe what was found."), field="notes")
    if report is not None and finding == Finding.NOTHING:
        raise GridError(_("Nothing was found on this visit, so there is nothing to report."), field="finding")
    if photo is not None:
        check_upload(photo, IMAGE_FILES, field="photo")
    visit = Visit(
        grid=grid,
        center_code=grid.center_code,
        worker=actor,
        visited_at=visited_at,
        target=target,
        place=place.strip(),
        person=(person or "").strip(),
        finding=finding,
        notes=(notes or "").strip(),
    )
    if photo is not None:
        visit.photo.save(photo.name, photo, save=False)
    try:
        with transaction.atomic():
            visit.save()
            audit.record(
                actor=actor,
                action="visit.log",
                obj=visit,
                center_code=visit.center_code,
                data={"grid": grid.code, "finding": finding},
            )
            if report is not None:
                _report(actor, visit, report)
    except BaseException:
        if visit.photo:
            visit.photo.delete(save=False)  # nothing half-saved: not even the photo
        raise
    return visit


@transaction.atomic
def visit_report(*, actor, visit: Visit, report: FindingReport):
    """Report an earlier visit's finding as a case: its own worker, or staff who record cases there."""
    visit = Visit.objects.select_for_update().select_related("grid").get(pk=visit.pk)
    if visit.worker_id != actor.pk and not access.can_at(actor, Action.CASE_CREATE, visit.center_code):
        raise NotAllowed(_("Only the grid worker who made the visit, or the center's staff, report its finding."))
    if visit.finding == Finding.NOTHING:
        raise GridError(_("Nothing was found on this visit, so there is nothing to report."), field="finding")
    existing = getattr(visit, "case", None)
    if existing is not None:
        raise GridConflict(
            _("This finding is already case %(number)s.") % {"number": existing.number},
            extra={"case": existing.pk},
        )
    case = _report(actor, visit, report)
    return case


def _report(actor, visit: Visit, report: FindingReport):
    reporter = hooks.finding_reporter()
    if reporter is None:  # pragma: no cover - the cases app registers it on start-up
        raise GridConflict(_("Findings cannot be reported as cases on this installation."))
    case = reporter(actor=actor, visit=visit, report=report)
    audit.record(
        actor=actor,
        action="visit.report",
        obj=visit,
        center_code=visit.center_code,
        data={"case": case.pk, "number": case.number},
    )
    return case


# --- Assessment weights ---------------------------------------------------------------------------

WEIGHT_FIELDS = ("weight_visits", "weight_findings", "weight_on_time", "weight_warnings")
TARGET_FIELDS = ("visits_target", "findings_target")


@transaction.atomic
def assessment_policy_set(*, actor, center: Center, **values) -> AssessmentPolicy:
    """A county center's weights and monthly targets for assessing its grid workers."""
    if center.level != Level.COUNTY:
        raise GridError(_("The assessment weights are set by a county center."), field="center")
    _check_manager(actor, center.code)
    _only(values, {*WEIGHT_FIELDS, *TARGET_FIELDS})
    for name, value in values.items():
        if not isinstance(value, int) or isinstance(value, bool) or value < 0 or value > 1000:
            raise GridError(_("Give a whole number from 0 to 1000."), field=name)
    policy = AssessmentPolicy.objects.select_for_update().filter(center=center).first() or AssessmentPolicy(
        center=center, center_code=center.code
    )
    for name, value in values.items():
        setattr(policy, name, value)
    if not any(getattr(policy, name) for name in WEIGHT_FIELDS):
        raise GridError(_("At least one measure must carry weight."), field="weight_visits")
    for name in TARGET_FIELDS:
        if getattr(policy, name) < 1:
            raise GridError(_("A monthly target is at least 1."), field=name)
    policy.updated_by = actor
    try:
        with transaction.atomic():
            policy.save()
    except IntegrityError as error:  # pragma: no cover - a second writer created it between the lines
        raise GridConflict(_("Someone else changed the weights just now; try again.")) from error
    audit.record(actor=actor, action="grid.assessment_policy", obj=policy, center_code=center.code, data=values)
    return policy
