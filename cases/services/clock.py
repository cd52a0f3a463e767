"""The clock: pausing and resuming, the overdue sweep, recomputation after calendar changes."""

from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cases import deadlines as sla
from cases.models import (
    Case,
    CaseEvent,
    ClockPause,
    Deadline,
    Stage,
)
from cases.notifications import notify_center, portal_text
from cases.services.core import CaseConflict, CaseError, Step, apply_step, lock_case
from govcenter import access, audit
from govcenter.access import Action
from govcenter.errors import NotAllowed
from govcenter.faults import pause_point
from govcenter.workdays import WorkCalendar


@transaction.atomic
def case_pause(*, actor, case: Case, reason: str, expected_version: int | None = None) -> Case:
    """Stop the clock while waiting on a party; the reason is recorded."""
    case = lock_case(case, expected_version)
    if not access.can(actor, Action.CASE_EDIT, case):
        raise NotAllowed(_("You may see this case but not change it."))
    if not case.is_open or case.is_paused:
        raise CaseConflict(_("Only a running clock on an open case can be paused."))
    if not reason.strip():
        raise CaseError(_("Say what the case is waiting for."), field="reason")
    ClockPause.objects.create(case=case, started_at=timezone.now(), reason=reason.strip(), started_by=actor)
    case.is_paused = True
    return apply_step(case, actor, Step("pause", note=reason, fields=("is_paused",)))


@transaction.atomic
def case_resume(*, actor, case: Case, expected_version: int | None = None) -> Case:
    """Restart the clock: every open deadline moves back by the time it stood still."""
    case = lock_case(case, expected_version)
    if not access.can(actor, Action.CASE_EDIT, case):
        raise NotAllowed(_("You may see this case but not change it."))
    pause = ClockPause.objects.select_for_update().filter(case=case, ended_at__isnull=True).first()
    if pause is None:
        raise CaseConflict(_("The clock of this case is not paused."))
    now = timezone.now()
    pause.ended_at = now
    pause.save(update_fields=["ended_at"])
    calendar = WorkCalendar.around(timezone.localdate(pause.started_at))
    lost_workdays = whole_workdays_within(calendar, pause.started_at, now)
    lost_seconds = int((now - pause.started_at).total_seconds())
    for deadline in Deadline.objects.running().filter(case=case):
        deadline.paused_workdays += lost_workdays
        deadline.paused_seconds += lost_seconds
        deadline.due_at = sla.compute_due(deadline, calendar)
        if deadline.overdue_at and deadline.due_at > now:
            deadline.overdue_at = None  # no longer late: the sweep marks it again if it becomes so
        deadline.save(update_fields=["paused_workdays", "paused_seconds", "due_at", "overdue_at"])
    case.is_paused = False
    return apply_step(case, actor, Step("resume", data={"paused_workdays": lost_workdays}, fields=("is_paused",)))


def whole_workdays_within(calendar: WorkCalendar, start: datetime, end: datetime) -> int:
    """Working days that lie wholly inside [start, end]: a pause of minutes across midnight adds
    none, a pause from Thursday to Monday adds Friday (and a worked Saturday)."""
    first = timezone.localdate(start) + timedelta(days=1)
    last = timezone.localdate(end) - timedelta(days=1)
    return calendar.between(first - timedelta(days=1), last) if last >= first else 0


def sweep_overdue(*, now: datetime | None = None, batch: int = 500) -> int:
    """Mark the stages that passed their deadline, flag their cases and notify the handling centers.

    Idempotent: a deadline is marked once (`overdue_at`), and notifications are deduplicated, so a
    sweep killed half-way and run again finishes the job without notifying twice.
    """
    now = now or timezone.now()
    marked = 0
    while True:
        with transaction.atomic():
            due = list(
                Deadline.objects.select_for_update(skip_locked=True)
                .running()
                .filter(overdue_at__isnull=True, due_at__lt=now)
                .exclude(case__status__in=sla.CLOCK_STOPPED)
                .exclude(case__is_paused=True)
                .select_related("case")
                .order_by("due_at")[:batch]
            )
            if not due:
                return marked
            for deadline in due:
                _mark_overdue(deadline, now)
                pause_point("sweep.marking")
            marked += len(due)


def _mark_overdue(deadline: Deadline, now: datetime) -> None:
    deadline.overdue_at = now
    deadline.save(update_fields=["overdue_at"])
    case = deadline.case
    if sla.refresh_summary(case, now):
        case.save(update_fields=["next_due_at", "next_stage", "is_overdue"])
    CaseEvent.objects.create(
        case=case,
        at=now,
        verb="overdue",
        to_status=case.status,
        center_code=case.center_code,
        data={"stage": deadline.stage, "due_at": deadline.due_at.isoformat()},
        version=case.version,
    )
    audit.record(
        actor=None,
        action="case.overdue",
        obj=case,
        data={"number": case.number, "stage": deadline.stage, "due_at": deadline.due_at.isoformat()},
    )
    notify_center(
        case,
        kind="case.overdue",
        text=portal_text(
            gettext_lazy("Case %(number)s is overdue: %(stage)s was due %(due)s"),
            {
                "number": case.number,
                "stage": Stage(deadline.stage).label,
                "due": timezone.localtime(deadline.due_at).strftime("%Y-%m-%d %H:%M"),
            },
        ),
        dedupe_key=f"overdue:{deadline.pk}",
    )


def recompute_deadlines(*, since, now: datetime | None = None) -> int:
    """After the working-day calendar changed from `since` on: recompute the running working-day
    limits that reach that day, case by case, each under its case's lock. Safe to retry: a case
    already recomputed is simply recomputed to the same values."""
    now = now or timezone.now()
    calendar = WorkCalendar.load()
    affected = (
        Deadline.objects.running()
        .filter(unit=Deadline.Unit.WORKDAYS, due_at__date__gte=since)
        .exclude(case__status__in=sla.CLOCK_STOPPED)
        .values_list("case_id", flat=True)
        .distinct()
    )
    changed = 0
    for case_id in list(affected):
        with transaction.atomic():
            changed += _recompute_case(case_id, calendar, now)
    return changed


def _recompute_case(case_id: int, calendar: WorkCalendar, now: datetime) -> int:
    case = Case.objects.select_for_update().get(pk=case_id)
    changed = 0
    for deadline in Deadline.objects.running().filter(case=case, unit=Deadline.Unit.WORKDAYS):
        due = sla.compute_due(deadline, calendar)
        if due != deadline.due_at:
            deadline.due_at = due
            if deadline.overdue_at and due >= now:
                deadline.overdue_at = None
            deadline.save(update_fields=["due_at", "overdue_at"])
            changed += 1
    fields = sla.refresh_summary(case, now)
    if fields:
        case.save(update_fields=fields)
    return changed
