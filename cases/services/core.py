"""The common step of every verb: the transition table, the version check and lock, the timeline
and the audit event."""

from dataclasses import dataclass
from datetime import datetime

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cases import deadlines as sla
from cases.models import (
    OPEN_STATUSES,
    Case,
    CaseEvent,
    ClockPause,
    Deadline,
    Dispatch,
    Stage,
    Status,
)
from govcenter import access, audit
from govcenter.access import Action
from govcenter.errors import ConflictError, DomainError, NotAllowed


class CaseError(DomainError):
    """Bad input for a case: 400."""


class CaseConflict(ConflictError):
    """The case is not in a state that allows this: 409."""


# verb -> (the states it may start from, the state it leads to; None when the service decides)
TRANSITIONS: dict[str, tuple[frozenset[str], str | None]] = {
    "classify": (frozenset({Status.RECEIVED, Status.CLASSIFIED, Status.REOPENED}), Status.CLASSIFIED),
    # Stays "accepted" when a further department is added to a case another one already took.
    "dispatch": (
        frozenset({Status.CLASSIFIED, Status.DISPATCHED, Status.ACCEPTED, Status.FAILED, Status.REOPENED}),
        None,
    ),
    "accept": (frozenset({Status.DISPATCHED, Status.ACCEPTED}), Status.ACCEPTED),
    "decline": (frozenset({Status.DISPATCHED, Status.ACCEPTED}), None),
    "report": (frozenset({Status.ACCEPTED}), Status.ACCEPTED),
    "escalate": (frozenset({Status.RECEIVED, Status.CLASSIFIED, Status.FAILED, Status.REOPENED}), None),
    "send-down": (frozenset({Status.RECEIVED, Status.CLASSIFIED, Status.FAILED, Status.REOPENED}), None),
    "assign-mediator": (
        frozenset({Status.CLASSIFIED, Status.ACCEPTED, Status.IN_MEDIATION, Status.FAILED, Status.REOPENED}),
        Status.IN_MEDIATION,
    ),
    "resolve": (
        frozenset({Status.CLASSIFIED, Status.ACCEPTED, Status.IN_MEDIATION, Status.REOPENED}),
        Status.RESOLVED,
    ),
    "fail": (frozenset({Status.IN_MEDIATION, Status.ACCEPTED}), Status.FAILED),
    "feedback": (frozenset({Status.RESOLVED, Status.FAILED}), Status.FEEDBACK_GIVEN),
    "follow-up": (frozenset({Status.FEEDBACK_GIVEN}), Status.FOLLOWED_UP),
    "close": (frozenset({Status.FOLLOWED_UP}), Status.CLOSED),
    "reopen": (frozenset({Status.FEEDBACK_GIVEN, Status.FOLLOWED_UP, Status.CLOSED}), Status.REOPENED),
    "hand-back": (frozenset(OPEN_STATUSES), Status.HANDED_BACK),
}

VERB_LABELS = {
    "classify": gettext_lazy("Classify"),
    "dispatch": gettext_lazy("Dispatch to departments"),
    "accept": gettext_lazy("Accept"),
    "decline": gettext_lazy("Decline"),
    "report": gettext_lazy("Report progress"),
    "escalate": gettext_lazy("Escalate"),
    "send-down": gettext_lazy("Send down"),
    "assign-mediator": gettext_lazy("Assign mediators"),
    "resolve": gettext_lazy("Record the outcome"),
    "fail": gettext_lazy("Record failure"),
    "feedback": gettext_lazy("Give feedback"),
    "follow-up": gettext_lazy("Follow up"),
    "close": gettext_lazy("Close"),
    "reopen": gettext_lazy("Reopen"),
    "hand-back": gettext_lazy("Hand back"),
}

VERB_ACTIONS: dict[str, Action] = {
    "classify": Action.CASE_CLASSIFY,
    "dispatch": Action.CASE_DISPATCH,
    "accept": Action.CASE_ACCEPT,
    "decline": Action.CASE_ACCEPT,
    "report": Action.CASE_ACCEPT,
    "escalate": Action.CASE_ESCALATE,
    "send-down": Action.CASE_ESCALATE,
    "assign-mediator": Action.CASE_ASSIGN_MEDIATOR,
    "resolve": Action.CASE_RESOLVE,
    "fail": Action.CASE_RESOLVE,
    "feedback": Action.CASE_FEEDBACK,
    "follow-up": Action.CASE_FOLLOW_UP,
    "close": Action.CASE_CLOSE,
    "reopen": Action.CASE_REOPEN,
    "hand-back": Action.CASE_HAND_BACK,
}

# The stage a verb completes (the first action on a case also answers the "respond" limit).
STAGE_MET_BY = {
    "classify": Stage.CLASSIFY,
    "resolve": Stage.RESOLVE,
    "fail": Stage.RESOLVE,
    "feedback": Stage.FEEDBACK,
    "follow-up": Stage.FOLLOW_UP,
}


def allowed_verbs(case: Case, user) -> list[str]:
    """The verbs this user may use on this case now (for the page and for a 409's answer)."""
    return [
        verb
        for verb, (sources, _target) in TRANSITIONS.items()
        if case.status in sources and access.can(user, VERB_ACTIONS[verb], case)
    ]


def lock_case(case: Case, expected_version: int | None) -> Case:
    locked = Case.objects.select_for_update().get(pk=case.pk)
    if expected_version is not None and locked.version != expected_version:
        raise CaseConflict(
            _("The case was changed by someone else (version %(current)d, you had %(yours)d). Reload it and try again.")
            % {"current": locked.version, "yours": expected_version},
            extra={"version": locked.version},
        )
    return locked


def _check_transition(case: Case, verb: str, actor) -> None:
    sources, _target = TRANSITIONS[verb]
    if case.status not in sources:
        allowed = allowed_verbs(case, actor)
        raise CaseConflict(
            _("“%(verb)s” is not possible while the case is %(status)s.")
            % {"verb": VERB_LABELS.get(verb, verb), "status": case.get_status_display()},
            extra={"allowed": allowed, "status": case.status},
        )
    if not access.can(actor, VERB_ACTIONS[verb], case):
        raise NotAllowed(
            _("You may see this case but not do “%(verb)s” on it.") % {"verb": VERB_LABELS.get(verb, verb)}
        )


@dataclass
class Step:
    """What a verb did, to be recorded once: the timeline row, the audit event, the deadlines."""

    verb: str
    to_status: str | None = None
    note: str = ""
    data: dict | None = None
    fields: tuple[str, ...] = ()


def apply_step(case: Case, actor, step: Step, now: datetime | None = None) -> Case:
    """Move the case, bump its version, meet the stage deadline, write timeline and audit."""
    now = now or timezone.now()
    from_status = case.status
    if step.to_status:
        case.status = step.to_status
    case.version += 1
    _meet_stages(case, step.verb, now)
    changed = set(step.fields) | {"status", "version", "updated_at"}
    changed |= _leave_open_work(case, step.verb, now)
    changed |= set(sla.refresh_summary(case, now))
    case.save(update_fields=sorted(changed))
    CaseEvent.objects.create(
        case=case,
        at=now,
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        verb=step.verb,
        from_status=from_status,
        to_status=case.status,
        center_code=case.center_code,
        note=step.note,
        data=step.data or {},
        version=case.version,
    )
    audit.record(
        actor=actor,
        action=f"case.{step.verb}",
        obj=case,
        data={"number": case.number, "from": from_status, "to": case.status, **(step.data or {})},
    )
    from cases.services.handoffs import follow_case  # the hand-offs of a case follow it

    follow_case(case, step.verb, actor, step.note)
    return case


# Verbs after which the departments' dispatches no longer stand: the case was decided, moved to
# another level, or went back to its sender.
ENDS_DISPATCHES = frozenset({"resolve", "fail", "escalate", "send-down", "hand-back", "close"})


def _leave_open_work(case: Case, verb: str, now: datetime) -> set[str]:
    """What a case leaves behind when it stops being open work: live dispatches are withdrawn, and
    a paused clock is stopped for good (a later reopening starts fresh limits, not old pauses)."""
    if verb in ENDS_DISPATCHES:
        case.dispatches.filter(status__in=[Dispatch.State.PENDING, Dispatch.State.ACCEPTED]).update(
            status=Dispatch.State.WITHDRAWN
        )
    if case.is_paused and case.status not in OPEN_STATUSES:
        ClockPause.objects.filter(case=case, ended_at__isnull=True).update(ended_at=now)
        case.is_paused = False
        return {"is_paused"}
    return set()


def _meet_stages(case: Case, verb: str, now: datetime) -> None:
    stages = [Stage.RESPOND]
    if verb in STAGE_MET_BY:
        stages.append(STAGE_MET_BY[verb])
    Deadline.objects.running().filter(case=case, stage__in=stages).update(met_at=now)


def start_verb(case: Case, actor, verb: str, expected_version: int | None) -> Case:
    locked = lock_case(case, expected_version)
    _check_transition(locked, verb, actor)
    return locked
