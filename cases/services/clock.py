"""The clock: pausing and resuming, the overdue sweep, recomputation after calendar changes."""

from datetime import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cases import deadlines as sla
from cases.models import (
    Case,
    CaseEvent,
    ClockPause,
    Deadline,
    Stage,
)
from cases.notifications import notify_center
from cases.services.core import CaseConflict, CaseError, Step, apply_step, lock_case
from govcenter import access
from govcenter.access import Action
from govcenter.errors import NotAllowed
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
    lost_workdays = max(0, calendar.between(pause.started_at, now))
    lost_seconds = int((now - pause.started_at).total_seconds())
    for deadline in Deadline.objects.filter(case=case, met_at__isnull=True):
        deadline.paused_workdays += lost_workdays
        deadline.paused_seconds += lost_seconds
        deadline.due_at = sla.compute_due(deadline, calendar)
        deadline.save(update_fields=["paused_workdays", "paused_seconds", "due_at"])
    case.is_paused = False
    return apply_step(case, actor, Step("resume", data={"paused_workdays": lost_workdays}, fields=("is_paused",)))


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
                .filter(met_at__isnull=True, overdue_at__isnull=True, due_at__lt=now)
                .exclude(case__status__in=sla.CLOCK_STOPPED)
                .select_related("case")
                .order_by("due_at")[:batch]
            )
            if not due:
                return marked
            for deadline in due:
                _mark_overdue(deadline, now)
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
    notify_center(
        case,
        kind="case.overdue",
        text=_("Case %(number)s is overdue: %(stage)s was due %(due)s")
        % {
            "number": case.number,
            "stage": Stage(deadline.stage).label,
            "due": timezone.localtime(deadline.due_at).strftime("%Y-%m-%d %H:%M"),
        },
        dedupe_key=f"overdue:{deadline.pk}",
    )


def recompute_deadlines(*, since, now: datetime | None = None) -> int:
    """After the working-day calendar changed from `since` on: recompute open working-day deadlines
    that reach that day, and the overdue flags that follow from them."""
    now = now or timezone.now()
    changed = 0
    open_deadlines = (
        Deadline.objects.filter(met_at__isnull=True, unit=Deadline.Unit.WORKDAYS, due_at__date__gte=since)
        .exclude(case__status__in=sla.CLOCK_STOPPED)
        .order_by("case_id")
    )
    calendar = WorkCalendar.load()
    case_ids = set()
    for deadline in open_deadlines.iterator(chunk_size=1000):
        due = sla.compute_due(deadline, calendar)
        if due != deadline.due_at:
            deadline.due_at = due
            if deadline.overdue_at and due >= now:
                deadline.overdue_at = None
            deadline.save(update_fields=["due_at", "overdue_at"])
            case_ids.add(deadline.case_id)
            changed += 1
    for case in Case.objects.filter(pk__in=case_ids).prefetch_related("deadlines"):
        fields = sla.refresh_summary(case, now)
        if fields:
            case.save(update_fields=fields)
    return changed
