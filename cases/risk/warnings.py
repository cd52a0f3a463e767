"""Risk warnings (命案风险预警): raising one when a case's level reaches the threshold, the visit
tasks of the grid worker, the police station and the judicial office, the measures taken, closing,
and the sweep that escalates overdue visits to the township director.

Services are one function per verb, in a transaction, checked through `govcenter.access` and
audit-logged; selectors start from `access.scope`.
"""

from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cases.models import OPEN_STATUSES, Case
from cases.notifications import _send, notify_center, portal_text
from cases.risk.models import CaseRisk, RiskLevel, RiskMeasure, RiskWarning, WarningStatus, WarningTask
from govcenter import access, audit
from govcenter.access import Action
from govcenter.errors import ConflictError, DomainError, NotAllowed
from govcenter.models import Department, Membership, Role
from grids import hooks as grid_hooks

LEVEL_ORDER = {RiskLevel.YELLOW: 1, RiskLevel.ORANGE: 2, RiskLevel.RED: 3}
# Visit within this many hours of the warning, by level.
VISIT_HOURS = {RiskLevel.RED: 24, RiskLevel.ORANGE: 48, RiskLevel.YELLOW: 72}
PARTY_DEPARTMENTS = {
    WarningTask.Party.POLICE: Department.Kind.POLICE,
    WarningTask.Party.JUSTICE: Department.Kind.JUSTICE,
}
SWEEP_BATCH = 200


def threshold() -> str:
    """The level from which a case raises a warning (setting RISK_WARNING_LEVEL, default orange)."""
    level = getattr(settings, "RISK_WARNING_LEVEL", RiskLevel.ORANGE) or RiskLevel.ORANGE
    return level if level in LEVEL_ORDER else RiskLevel.ORANGE


def reaches_threshold(level: str) -> bool:
    return LEVEL_ORDER.get(level, 0) >= LEVEL_ORDER[threshold()]


def _township_code(case: Case) -> str | None:
    """The township the case belongs to: where it began, else where it is handled (None above it)."""
    for code in (case.origin_code, case.center_code):
        if code and len(code) >= 9:
            return code[:9]
    return None


def _department(case: Case, kind: str) -> Department | None:
    """The township's department of this kind, else the county's."""
    for code in (_township_code(case), case.county_code):
        if not code:
            continue
        found = Department.objects.filter(center_code=code, kind=kind, is_active=True).order_by("pk").first()
        if found is not None:
            return found
    return None


def _grid_worker_id(case: Case) -> int | None:
    if not case.grid_id:
        return None
    from grids.models import GridAssignment

    return (
        GridAssignment.objects.filter(grid_id=case.grid_id, ended_at__isnull=True)
        .order_by("-started_at", "-pk")
        .values_list("worker_id", flat=True)
        .first()
    )


# --- Raising --------------------------------------------------------------------------------------


def raise_or_update(case: Case, risk: CaseRisk) -> RiskWarning | None:
    """Raise a warning for the case when its risk is at or above the threshold and it is open, or
    raise the level of its open warning (never lower it). Idempotent: scoring the same case again
    changes nothing and notifies no one twice. Returns the open warning, if any."""
    if not reaches_threshold(risk.level):
        return None
    with transaction.atomic():
        case = Case.objects.select_for_update(of=("self",)).select_related("grid").get(pk=case.pk)
        if case.status not in OPEN_STATUSES:
            return None
        now = timezone.now()
        warning = RiskWarning.objects.select_for_update().filter(case=case, status=WarningStatus.OPEN).first()
        if warning is None:
            if _closed_at_or_above(case, risk.level):
                # A director closed a warning at this level: the same facts do not raise it again;
                # only a higher level does.
                return None
            warning = _raise(case, risk, now)
        elif LEVEL_ORDER[risk.level] > LEVEL_ORDER.get(warning.level, 0):
            _rise(warning, risk, now)
        else:
            return warning
        _notify_raised(case, warning)
        return warning


def _closed_at_or_above(case: Case, level: str) -> bool:
    closed = RiskWarning.objects.filter(case=case, status=WarningStatus.CLOSED).values_list("level", flat=True)
    return any(LEVEL_ORDER.get(earlier, 0) >= LEVEL_ORDER[level] for earlier in closed)


def _raise(case: Case, risk: CaseRisk, now: datetime) -> RiskWarning:
    warning = RiskWarning.objects.create(
        case=case,
        center_code=case.center_code,
        level=risk.level,
        score=risk.score,
        reasons=list(risk.fired or []),
        raised_at=now,
    )
    due = now + timedelta(hours=VISIT_HOURS[risk.level])
    worker_id = _grid_worker_id(case)
    grid_code = case.grid.center_code if case.grid_id else case.origin_code
    tasks = [
        WarningTask(
            warning=warning,
            center_code=grid_code,
            party=WarningTask.Party.GRID,
            assignee_id=worker_id,
            due_at=due,
        )
    ]
    for party, kind in PARTY_DEPARTMENTS.items():
        department = _department(case, kind)
        tasks.append(
            WarningTask(
                warning=warning,
                center_code=department.center_code if department else (_township_code(case) or case.county_code),
                party=party,
                department=department,
                due_at=due,
            )
        )
    WarningTask.objects.bulk_create(tasks)
    audit.record(
        actor=None,
        action="risk_warning.raise",
        obj=warning,
        center_code=warning.center_code,
        data={"case": case.number, "level": warning.level, "score": warning.score},
    )
    return warning


def _rise(warning: RiskWarning, risk: CaseRisk, now: datetime) -> None:
    before = warning.level
    warning.level, warning.score, warning.reasons = risk.level, risk.score, list(risk.fired or [])
    warning.save(update_fields=["level", "score", "reasons"])
    # The visits still to make are due sooner; a due time is never pushed later.
    latest = now + timedelta(hours=VISIT_HOURS[risk.level])
    for task in warning.tasks.filter(done_at__isnull=True, due_at__gt=latest):
        task.due_at = latest
        task.save(update_fields=["due_at"])
    audit.record(
        actor=None,
        action="risk_warning.rise",
        obj=warning,
        center_code=warning.center_code,
        data={"from": before, "to": warning.level, "score": warning.score},
    )


def _task_recipients(warning: RiskWarning) -> set[int]:
    users: set[int] = set()
    departments = []
    for task in warning.tasks.filter(done_at__isnull=True):
        if task.assignee_id:
            users.add(task.assignee_id)
        elif task.party == WarningTask.Party.GRID:
            users |= set(
                Membership.objects.filter(
                    center_code=task.center_code, role=Role.GRID_WORKER, is_active=True
                ).values_list("user_id", flat=True)
            )
        if task.department_id:
            departments.append(task.department_id)
    if departments:
        users |= set(
            Membership.objects.filter(department_id__in=departments, role=Role.DEPARTMENT, is_active=True).values_list(
                "user_id", flat=True
            )
        )
    return users


def _notify_raised(case: Case, warning: RiskWarning) -> None:
    params = {
        "number": case.number,
        "level": RiskLevel(warning.level).label,
        "hours": VISIT_HOURS[warning.level],
    }
    text = portal_text(_("Risk warning (%(level)s) on case %(number)s: visit within %(hours)s hours."), params)
    key = f"risk-warning:{warning.pk}:{warning.level}"
    _send(sorted(_task_recipients(warning)), case, "risk.warning", text, key)
    notify_center(case, kind="risk.warning", text=text, dedupe_key=key)


# --- Verbs ----------------------------------------------------------------------------------------


def _is_task_party(actor, task: WarningTask) -> bool:
    if task.assignee_id is not None:
        if task.assignee_id == actor.pk:
            return True
    elif task.party == WarningTask.Party.GRID:
        roots = [s.center_code for s in access.seats(actor) if s.role == Role.GRID_WORKER]
        if any(task.center_code.startswith(root) for root in roots):
            return True
    return bool(task.department_id and task.department_id in access.department_ids(actor))


def _require_note(note: str, field: str = "note") -> str:
    note = (note or "").strip()
    if not note:
        raise DomainError(_("Write what was done."), field=field)
    return note


def _lock_open(warning: RiskWarning) -> RiskWarning:
    warning = RiskWarning.objects.select_for_update().select_related("case").get(pk=warning.pk)
    if warning.status != WarningStatus.OPEN:
        raise ConflictError(_("The warning is closed."))
    return warning


@transaction.atomic
def task_done(*, actor, task: WarningTask, note: str) -> WarningTask:
    """Record the visit: by the assignee, an officer of the task's department, or the center's staff."""
    task = WarningTask.objects.select_for_update().select_related("warning").get(pk=task.pk)
    if not (_is_task_party(actor, task) or access.can(actor, Action.WARNING_HANDLE, task.warning)):
        raise NotAllowed(_("You may not record this visit."))
    if task.done_at is not None:
        raise ConflictError(_("The visit was already recorded."))
    note = _require_note(note)
    task.done_at, task.done_by, task.note = timezone.now(), actor, note
    task.save(update_fields=["done_at", "done_by", "note"])
    audit.record(
        actor=actor,
        action="risk_warning.task_done",
        obj=task.warning,
        center_code=task.warning.center_code,
        data={"task": task.pk, "party": task.party},
    )
    return task


@transaction.atomic
def measure_add(*, actor, warning: RiskWarning, kind: str, note: str) -> RiskMeasure:
    """Record a measure taken: by the center's staff or those with a visit task on the warning."""
    warning = _lock_open(warning)
    party = any(_is_task_party(actor, task) for task in warning.tasks.all())
    if not (party or access.can(actor, Action.WARNING_HANDLE, warning)):
        raise NotAllowed(_("You may not record measures on this warning."))
    if kind not in RiskMeasure.Kind.values:
        raise DomainError(_("Choose one of the listed measures."), field="kind")
    note = _require_note(note)
    measure = RiskMeasure.objects.create(warning=warning, kind=kind, note=note, taken_by=actor, taken_at=timezone.now())
    audit.record(
        actor=actor,
        action="risk_warning.measure",
        obj=warning,
        center_code=warning.center_code,
        data={"measure": measure.pk, "kind": kind},
    )
    return measure


@transaction.atomic
def warning_close(*, actor, warning: RiskWarning, note: str) -> RiskWarning:
    """Close the warning once the risk is defused, saying how."""
    warning = _lock_open(warning)
    if not access.can(actor, Action.WARNING_HANDLE, warning):
        raise NotAllowed(_("You may not close this warning."))
    note = _require_note(note)
    warning.status, warning.closed_at, warning.closed_by, warning.close_note = (
        WarningStatus.CLOSED,
        timezone.now(),
        actor,
        note,
    )
    warning.save(update_fields=["status", "closed_at", "closed_by", "close_note"])
    audit.record(
        actor=actor, action="risk_warning.close", obj=warning, center_code=warning.center_code, data={"note": note}
    )
    return warning


def _directors_of(case: Case) -> list[int]:
    """The township's directors, else the county's."""
    for code in (_township_code(case), case.county_code):
        if not code:
            continue
        users = list(
            Membership.objects.filter(center_code=code, role=Role.DIRECTOR, is_active=True)
            .values_list("user_id", flat=True)
            .distinct()
        )
        if users:
            return users
    return []


def close_ended(now: datetime) -> int:
    """Close the open warnings of cases that ended (closed or handed back): there is nothing left to
    visit, and their tasks must not go on escalating."""
    ended = RiskWarning.objects.filter(status=WarningStatus.OPEN).exclude(case__status__in=OPEN_STATUSES)
    return ended.update(
        status=WarningStatus.CLOSED,
        closed_at=now,
        close_note=portal_text(_("The case ended; the warning closed with it."), {}),
    )


def sweep_warning_tasks(now: datetime | None = None) -> int:
    """Escalate the visits past due on open warnings to the township director, once each.
    Idempotent: a task is marked `escalated_at` and its notification has a dedupe key."""
    now = now or timezone.now()
    close_ended(now)
    escalated = 0
    while True:
        with transaction.atomic():
            due = list(
                WarningTask.objects.select_for_update(skip_locked=True)
                .filter(
                    done_at__isnull=True,
                    escalated_at__isnull=True,
                    due_at__lt=now,
                    warning__status=WarningStatus.OPEN,
                )
                .select_related("warning__case")
                .order_by("due_at", "pk")[:SWEEP_BATCH]
            )
            if not due:
                return escalated
            for task in due:
                _escalate(task, now)
            escalated += len(due)


def _escalate(task: WarningTask, now: datetime) -> None:
    task.escalated_at = now
    task.save(update_fields=["escalated_at"])
    case = task.warning.case
    text = portal_text(
        _("The %(party)s visit on risk warning of case %(number)s is overdue: it was due %(due)s."),
        {
            "party": WarningTask.Party(task.party).label,
            "number": case.number,
            "due": timezone.localtime(task.due_at).strftime("%Y-%m-%d %H:%M"),
        },
    )
    _send(_directors_of(case), case, "risk.overdue", text, f"risk-task-overdue:{task.pk}")
    audit.record(
        actor=None,
        action="risk_warning.escalate",
        obj=task.warning,
        center_code=task.warning.center_code,
        data={"task": task.pk, "party": task.party},
    )


# --- Selectors ------------------------------------------------------------------------------------


def overdue_task_q(now: datetime) -> Q:
    return Q(done_at__isnull=True, due_at__lt=now)


def warning_list_visible(*, user, now: datetime | None = None) -> QuerySet:
    """The warnings the user may see, each with `has_overdue` (a visit past due and not made)."""
    now = now or timezone.now()
    overdue = WarningTask.objects.filter(overdue_task_q(now), warning_id=OuterRef("pk"))
    return (
        access.scope(user, RiskWarning.objects.all(), Action.WARNING_VIEW)
        .select_related("case")
        .annotate(has_overdue=Exists(overdue))
    )


def warning_get_visible(*, user, warning_id) -> RiskWarning | None:
    return (
        warning_list_visible(user=user)
        .filter(pk=warning_id)
        .select_related("closed_by")
        .prefetch_related(
            Prefetch(
                "tasks",
                queryset=WarningTask.objects.select_related("assignee", "department", "done_by").order_by("party"),
            ),
            Prefetch("measures", queryset=RiskMeasure.objects.select_related("taken_by")),
        )
        .first()
    )


def warning_figures(*, user, now: datetime | None = None) -> dict:
    """Open warnings by level and the overdue visits among them, over what the user may see."""
    now = now or timezone.now()
    open_warnings = access.scope(user, RiskWarning.objects.all(), Action.WARNING_VIEW).filter(status=WarningStatus.OPEN)
    by_level = dict(open_warnings.order_by().values_list("level").annotate(n=Count("id")))
    overdue = WarningTask.objects.filter(
        overdue_task_q(now), warning_id__in=open_warnings.values("pk"), warning__status=WarningStatus.OPEN
    ).count()
    return {
        "levels": [(level, RiskLevel(level).label, by_level.get(level, 0)) for level in ("red", "orange", "yellow")],
        "open": sum(by_level.values()),
        "overdue": overdue,
    }


def may_see_warnings(user) -> bool:
    """Whether the warnings page has something for the user: their subtree's, or their tasks'."""
    if not getattr(user, "is_authenticated", False):
        return False
    if access.has_action_anywhere(user, Action.WARNING_VIEW):
        return True
    return any(seat.role in (Role.GRID_WORKER, Role.DEPARTMENT) for seat in access.seats(user))


# --- The grid workers' assessment -----------------------------------------------------------------


def warnings_visited_in_time(*, assignments, start, end) -> dict[int, tuple[int, int]]:
    """Per grid worker: the grid visits assigned to them that fell due in the period (and are past),
    and how many of those were made in time."""
    workers = {worker_id for worker_id, _grid, _start, _end in assignments}
    until = min(end, timezone.now())
    rows = WarningTask.objects.filter(
        party=WarningTask.Party.GRID, assignee_id__in=workers, due_at__gte=start, due_at__lt=until
    ).values_list("assignee_id", "due_at", "done_at")
    figures: dict[int, list[int]] = {}
    for worker_id, due_at, done_at in rows.iterator():
        row = figures.setdefault(worker_id, [0, 0])
        row[0] += 1
        row[1] += done_at is not None and done_at <= due_at
    return {worker_id: (due, on_time) for worker_id, (due, on_time) in figures.items()}


grid_hooks.provide_outcome("warnings_on_time", warnings_visited_in_time)
