"""Time limits on cases: which policy applies, when each stage is due, pauses, the overdue summary.

Every stage's due time is derived from where it is counted from, its limit and unit, and the time
the clock was paused, so it can be computed again whenever the working-day calendar changes.
"""

from datetime import datetime, timedelta

from django.db.models import Q

from cases.models import Case, Deadline, SlaPolicy, Stage
from govcenter.workdays import WorkCalendar

Unit = Deadline.Unit

DEFAULT_LIMITS = {
    Stage.RESPOND: (30, Unit.MINUTES),
    Stage.CLASSIFY: (24, Unit.HOURS),
    Stage.RESOLVE: (5, Unit.WORKDAYS),
    Stage.FEEDBACK: (5, Unit.WORKDAYS),
    Stage.FOLLOW_UP: (10, Unit.WORKDAYS),
}

STAGE_ORDER = {stage: index for index, stage in enumerate(Stage.values)}

# Cases in these states keep no running clock.
CLOCK_STOPPED = frozenset({"closed", "handed_back"})


def policy_for(kind: str, channel: str) -> SlaPolicy | None:
    """The most specific active policy: kind and channel, then channel, then kind, then default."""
    candidates = SlaPolicy.objects.filter(is_active=True).filter(
        Q(kind=kind, channel=channel) | Q(kind="", channel=channel) | Q(kind=kind, channel="") | Q(kind="", channel="")
    )

    def specificity(policy):
        return (policy.channel != "") * 2 + (policy.kind != "")

    return max(candidates, key=specificity, default=None)


def limits_for(kind: str, channel: str) -> dict[str, tuple[int, str]]:
    policy = policy_for(kind, channel)
    if policy is None:
        return dict(DEFAULT_LIMITS)
    return {
        Stage.RESPOND: (policy.respond_minutes, Unit.MINUTES),
        Stage.CLASSIFY: (policy.classify_hours, Unit.HOURS),
        Stage.RESOLVE: (policy.resolve_workdays, Unit.WORKDAYS),
        Stage.FEEDBACK: (policy.feedback_workdays, Unit.WORKDAYS),
        Stage.FOLLOW_UP: (policy.follow_up_workdays, Unit.WORKDAYS),
    }


_TIME_UNITS = {Unit.MINUTES: "minutes", Unit.HOURS: "hours", Unit.DAYS: "days"}


def compute_due(deadline: Deadline, calendar: WorkCalendar) -> datetime:
    """When a stage is due: working days through the calendar, other units by the clock; a pause
    pushes it back by the working days (or the time) the clock stood still."""
    if deadline.unit == Unit.WORKDAYS:
        return calendar.add(deadline.start_at, deadline.amount + deadline.paused_workdays)
    limit = timedelta(**{_TIME_UNITS[deadline.unit]: deadline.amount})
    return deadline.start_at + limit + timedelta(seconds=deadline.paused_seconds)


def build_deadlines(case: Case, start: datetime, stages, calendar: WorkCalendar, limits=None) -> list[Deadline]:
    """The deadlines of `stages` from `start`; `limits` (of `limits_for`) when the caller has them."""
    limits = limits or limits_for(case.kind, case.channel)
    deadlines = []
    for stage in stages:
        amount, unit = limits[stage]
        deadline = Deadline(case=case, stage=stage, start_at=start, amount=amount, unit=unit)
        deadline.due_at = compute_due(deadline, calendar)
        deadlines.append(deadline)
    return deadlines


def refresh_summary(case: Case, now: datetime) -> list[str]:
    """Set the case's next stage, its due time and its overdue flag from its open deadlines.

    Returns the names of the fields that changed, for `save(update_fields=…)`.
    """
    before = (case.next_due_at, case.next_stage, case.is_overdue)
    if case.status in CLOCK_STOPPED:
        running = []
    else:
        running = sorted(
            (d for d in case.deadlines.all() if d.met_at is None and d.superseded_at is None),
            key=lambda d: (d.due_at, STAGE_ORDER[d.stage]),
        )
    upcoming = running[0] if running else None
    case.next_due_at = upcoming.due_at if upcoming else None
    case.next_stage = upcoming.stage if upcoming else ""
    # A paused clock is not late: the limits move back by the pause when it resumes.
    case.is_overdue = not case.is_paused and any(d.due_at < now for d in running)
    after = (case.next_due_at, case.next_stage, case.is_overdue)
    return [
        name
        for name, old, new in zip(("next_due_at", "next_stage", "is_overdue"), before, after, strict=True)
        if old != new
    ]
