"""The verbs that move a case through its life: classify, escalate and send down, mediation,
outcome, feedback, follow-up, close, reopen, hand back, corrections."""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cases import deadlines as sla
from cases import hooks
from cases.models import (
    Case,
    Category,
    Deadline,
    Kind,
    Rating,
    Severity,
    Stage,
    Status,
)
from cases.notifications import notify_center, portal_text
from cases.services.core import TRANSITIONS, CaseConflict, CaseError, Step, apply_step, lock_case, start_verb
from cases.services.ratings import record_rating
from govcenter import access
from govcenter.access import Action
from govcenter.divisions import is_within, parent_code
from govcenter.errors import NotAllowed
from govcenter.models import Center
from govcenter.workdays import WorkCalendar


@transaction.atomic
def case_classify(
    *,
    actor,
    case: Case,
    category: Category,
    kind: str | None = None,
    severity: str | None = None,
    expected_version: int | None = None,
) -> Case:
    case = start_verb(case, actor, "classify", expected_version)
    if not category.is_active:
        raise CaseError(_("This category is no longer in use."), field="category")
    fields = ["category"]
    case.category = category
    if kind:
        if kind not in Kind.values:
            raise CaseError(_("Unknown kind: %(kind)s.") % {"kind": kind}, field="kind")
        case.kind, fields = kind, [*fields, "kind"]
    if severity:
        if severity not in Severity.values:
            raise CaseError(_("Unknown severity: %(severity)s.") % {"severity": severity}, field="severity")
        case.severity, fields = severity, [*fields, "severity"]
    return apply_step(
        case, actor, Step("classify", Status.CLASSIFIED, data={"category": category.code}, fields=tuple(fields))
    )


def _move_to(case: Case, center: Center) -> None:
    case.center, case.center_code = center, center.code
    case.levels_passed = [*case.levels_passed, center.code]


@transaction.atomic
def case_escalate(*, actor, case: Case, reason: str, expected_version: int | None = None) -> Case:
    """Send the case up one level (矛盾不上交 is the goal, so a reason is required)."""
    case = start_verb(case, actor, "escalate", expected_version)
    if not reason.strip():
        raise CaseError(_("Say why the case must go up a level."), field="reason")
    above = parent_code(case.center_code)
    if above is None or len(above) < 6:
        raise CaseConflict(_("A county center is the highest level that handles cases here."))
    parent = Center.objects.get(code=above)
    source = case.center_code
    _move_to(case, parent)
    to_status = Status.CLASSIFIED if case.category_id else Status.RECEIVED
    case = apply_step(
        case,
        actor,
        Step(
            "escalate",
            to_status,
            note=reason,
            data={"from": source, "to": above},
            fields=("center", "center_code", "levels_passed"),
        ),
    )
    notify_center(
        case,
        kind="case.escalated",
        text=portal_text(gettext_lazy("Case %(number)s was escalated to your center"), {"number": case.number}),
    )
    return case


@transaction.atomic
def case_send_down(*, actor, case: Case, center: Center, reason: str, expected_version: int | None = None) -> Case:
    """The parent sends an escalated case back down to a center below it."""
    case = start_verb(case, actor, "send-down", expected_version)
    if not reason.strip():
        raise CaseError(_("Say why the case goes back down."), field="reason")
    if center.code == case.center_code or not is_within(center.code, case.center_code):
        raise CaseError(_("A case can only be sent to a center below the one handling it."), field="center")
    source = case.center_code
    _move_to(case, center)
    to_status = Status.CLASSIFIED if case.category_id else Status.RECEIVED
    case = apply_step(
        case,
        actor,
        Step(
            "send-down",
            to_status,
            note=reason,
            data={"from": source, "to": center.code},
            fields=("center", "center_code", "levels_passed"),
        ),
    )
    notify_center(
        case,
        kind="case.sent_down",
        text=portal_text(gettext_lazy("Case %(number)s was sent back to your center"), {"number": case.number}),
    )
    return case


@transaction.atomic
def case_assign_mediators(
    *, actor, case: Case, mediators: list, note: str = "", expected_version: int | None = None
) -> Case:
    """Put the case in mediation with one or more mediators, each given this case (a grant: a
    mediator sees the cases assigned to them, not the whole center's). With the mediation roster
    installed, its assigner does it, so the assignment is recorded and can be ended."""
    assigner = hooks.mediator_assigner()
    if assigner is not None:
        return assigner(actor=actor, case=case, users=mediators, note=note, expected_version=expected_version)
    case = start_verb(case, actor, "assign-mediator", expected_version)
    if not mediators:
        raise CaseError(_("Choose at least one mediator."), field="mediators")
    for mediator in mediators:
        if not may_mediate(mediator, case):
            # One message for "no such mediator here" and "not a mediator": it must not tell who is what.
            raise CaseError(
                _("%(name)s cannot be assigned to this case.") % {"name": mediator.get_username()}, field="mediators"
            )
    names = [m.get_username() for m in mediators]
    return put_in_mediation(case=case, actor=actor, names=names, grantees=mediators, note=note)


def put_in_mediation(*, case: Case, actor, names: list[str], grantees: list, note: str = "") -> Case:
    """The assignment itself, on a case already locked and checked (by `case_assign_mediators`, or by
    the mediation roster, which checks its mediators itself): each grantee gets this case."""
    for user in grantees:
        access.grant(user, Action.CASE_RESOLVE, case)
    return apply_step(case, actor, Step("assign-mediator", Status.IN_MEDIATION, note=note, data={"mediators": names}))


def may_mediate(user, case: Case) -> bool:
    """A mediator of the case's county, or of a center above it (a city's or province's expert)."""
    return any(
        seat.role == "mediator"
        and (case.center_code.startswith(seat.center_code) or seat.center_code.startswith(case.county_code))
        for seat in access.seats(user)
    )


@transaction.atomic
def case_resolve(*, actor, case: Case, outcome: str, note: str, expected_version: int | None = None) -> Case:
    """Record the outcome: resolved (at this center's level) or failed."""
    verb = {"resolved": "resolve", "failed": "fail"}.get(outcome)
    if verb is None:
        raise CaseError(_("The outcome is either resolved or failed."), field="outcome")
    case = start_verb(case, actor, verb, expected_version)
    if not note.strip():
        raise CaseError(_("Describe how the case ended."), field="note")
    fields: tuple[str, ...] = ()
    if verb == "resolve":
        case.resolved_level = case.center.level
        fields = ("resolved_level",)
    target = TRANSITIONS[verb][1]
    return apply_step(case, actor, Step(verb, target, note=note, fields=fields))


@transaction.atomic
def case_feedback(*, actor, case: Case, note: str, method: str = "phone", expected_version: int | None = None) -> Case:
    """Tell the person who raised the case what was done."""
    case = start_verb(case, actor, "feedback", expected_version)
    if not note.strip():
        raise CaseError(_("Write what the person was told."), field="note")
    return apply_step(case, actor, Step("feedback", Status.FEEDBACK_GIVEN, note=note, data={"method": method}))


@transaction.atomic
def case_follow_up(
    *, actor, case: Case, note: str, rating: str | None = None, comment: str = "", expected_version: int | None = None
) -> Case:
    """Follow up (回访); the clerk may record the rating given on the phone."""
    case = start_verb(case, actor, "follow-up", expected_version)
    if rating and Rating.objects.filter(case=case).exists():
        # The person already rated online: keep their word, and say so before anything changes.
        raise CaseError(_("The person already rated the outcome; leave the rating empty."), field="rating")
    if not note.strip():
        raise CaseError(_("Write what the follow-up found."), field="note")
    case = apply_step(case, actor, Step("follow-up", Status.FOLLOWED_UP, note=note))
    if rating:
        record_rating(case, value=rating, comment=comment, source=Rating.Source.PHONE, actor=actor)
    return case


@transaction.atomic
def case_close(*, actor, case: Case, note: str = "", expected_version: int | None = None) -> Case:
    case = start_verb(case, actor, "close", expected_version)
    if case.review_required:
        raise CaseConflict(
            _("The person was dissatisfied: the director must reopen the case or confirm the outcome first.")
        )
    case.closed_at = timezone.now()
    return apply_step(case, actor, Step("close", Status.CLOSED, note=note, fields=("closed_at",)))


@transaction.atomic
def case_reopen(*, actor, case: Case, reason: str, expected_version: int | None = None) -> Case:
    """Reopen: the resolve, feedback and follow-up clocks start again from now."""
    case = start_verb(case, actor, "reopen", expected_version)
    if not reason.strip():
        raise CaseError(_("Say why the case is reopened."), field="reason")
    now = timezone.now()
    case.closed_at, case.review_required, case.resolved_level = None, False, None
    calendar = WorkCalendar.around(timezone.localdate(now))
    restarted = [Stage.RESOLVE, Stage.FEEDBACK, Stage.FOLLOW_UP]
    Deadline.objects.current().filter(case=case, stage__in=restarted).update(superseded_at=now)
    Deadline.objects.bulk_create(sla.build_deadlines(case, now, restarted, calendar))
    return apply_step(
        case,
        actor,
        Step("reopen", Status.REOPENED, note=reason, fields=("closed_at", "review_required", "resolved_level")),
        now,
    )


@transaction.atomic
def case_hand_back(*, actor, case: Case, reason: str, expected_version: int | None = None) -> Case:
    """Return the case to where it came from (court, police, petition office)."""
    case = start_verb(case, actor, "hand-back", expected_version)
    return hand_back(case=case, actor=actor, reason=reason)


def hand_back(*, case: Case, actor, reason: str) -> Case:
    """The hand-back itself, on a case already locked and checked (by `case_hand_back`, or by the
    sweep when a court's time limit runs out)."""
    if not reason.strip():
        raise CaseError(_("Say why the case is handed back."), field="reason")
    case.closed_at = timezone.now()
    return apply_step(case, actor, Step("hand-back", Status.HANDED_BACK, note=reason, fields=("closed_at",)))


EDITABLE_FIELDS = (
    "title",
    "facts",
    "place",
    "amount",
    "people_count",
    "is_group_incident",
    "is_petition_related",
    "is_emergency",
    "is_difficult",
    "severity",
)


@transaction.atomic
def case_update(*, actor, case: Case, changes: dict, expected_version: int) -> Case:
    """Correct a case's details; a stale version is refused, never silently overwritten."""
    case = lock_case(case, expected_version)
    if not access.can(actor, Action.CASE_EDIT, case):
        raise NotAllowed(_("You may see this case but not change it."))
    if not case.is_open:
        raise CaseConflict(_("A closed case cannot be changed; reopen it first."))
    unknown = set(changes) - set(EDITABLE_FIELDS)
    if unknown:
        raise CaseError(_("These fields cannot be changed here: %(fields)s.") % {"fields": ", ".join(sorted(unknown))})
    if "severity" in changes and changes["severity"] not in Severity.values:
        raise CaseError(_("Unknown severity: %(severity)s.") % {"severity": changes["severity"]}, field="severity")
    before = {name: str(getattr(case, name)) for name in changes}
    for name, value in changes.items():
        setattr(case, name, value)
    return apply_step(
        case,
        actor,
        Step("edit", data={"before": before, "after": {k: str(v) for k, v in changes.items()}}, fields=tuple(changes)),
    )
