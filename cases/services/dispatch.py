"""Dispatch (吹哨派单) to departments and their answers (报到承接): accept, decline, report."""

from datetime import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cases import deadlines as sla
from cases.models import (
    Case,
    Dispatch,
    Stage,
    Status,
)
from cases.notifications import notify_center, portal_text
from cases.services.core import CaseConflict, CaseError, Step, apply_step, start_verb
from govcenter import access
from govcenter.divisions import Level, is_within
from govcenter.models import Department
from govcenter.workdays import WorkCalendar


@transaction.atomic
def case_dispatch(
    *,
    actor,
    case: Case,
    departments: list[Department],
    due_at: datetime | None = None,
    instructions: str = "",
    expected_version: int | None = None,
) -> Case:
    """Blow the whistle (吹哨派单): send the case to one or more departments with a deadline."""
    case = start_verb(case, actor, "dispatch", expected_version)
    return dispatch_to(case=case, actor=actor, departments=departments, due_at=due_at, instructions=instructions)


def dispatch_to(
    *, case: Case, actor, departments: list[Department], due_at: datetime | None = None, instructions: str = ""
) -> Case:
    """The dispatch itself, on a case already locked and checked (by `case_dispatch`, or by the
    petition routing, where the petition office's category decides the department)."""
    if case.center.level not in (Level.COUNTY, Level.TOWNSHIP):
        raise CaseError(_("Only township and county centers dispatch to departments."), field="departments")
    if not departments:
        raise CaseError(_("Choose at least one department."), field="departments")
    now = timezone.now()
    if due_at is None:
        due_at = WorkCalendar.around(timezone.localdate(now)).add(
            now, sla.limits_for(case.kind, case.channel)[Stage.RESOLVE][0]
        )
    if due_at <= now:
        raise CaseError(_("The deadline must lie in the future."), field="due_at")
    for department in departments:
        if (
            not department.is_active
            or not is_within(case.center_code, department.center_code)
            and not is_within(department.center_code, case.center_code)
        ):
            raise CaseError(
                _("%(department)s cannot take cases of this center.") % {"department": department.name},
                field="departments",
            )
        if Dispatch.objects.filter(case=case, department=department, status__in=["pending", "accepted"]).exists():
            raise CaseConflict(_("%(department)s already has this case.") % {"department": department.name})
    Dispatch.objects.bulk_create(
        [
            Dispatch(
                case=case,
                department=d,
                due_at=due_at,
                instructions=instructions,
                dispatched_by=actor,
                dispatched_at=now,
            )
            for d in departments
        ]
    )
    names = [d.name for d in departments]
    step = Step(
        "dispatch",
        Status.DISPATCHED if case.status != Status.ACCEPTED else Status.ACCEPTED,
        note=instructions,
        data={"departments": names, "due_at": due_at.isoformat()},
    )
    case = apply_step(case, actor, step)
    from cases.notifications import notify_department

    for department in departments:
        notify_department(
            case,
            department,
            text=portal_text(gettext_lazy("Case %(number)s was dispatched to you"), {"number": case.number}),
        )
    return case


def _my_dispatch(case: Case, actor, states) -> Dispatch:
    departments = access.department_ids(actor)
    dispatch = (
        Dispatch.objects.select_for_update()
        .filter(case=case, department_id__in=departments, status__in=states)
        .order_by("dispatched_at")
        .first()
    )
    if dispatch is None:
        raise CaseConflict(_("Your department has no open dispatch on this case."))
    return dispatch


@transaction.atomic
def dispatch_accept(*, actor, case: Case, expected_version: int | None = None) -> Case:
    """Report and take the case (报到承接) for the actor's department."""
    case = start_verb(case, actor, "accept", expected_version)
    dispatch = _my_dispatch(case, actor, [Dispatch.State.PENDING])
    dispatch.status, dispatch.answered_by, dispatch.answered_at = Dispatch.State.ACCEPTED, actor, timezone.now()
    dispatch.save(update_fields=["status", "answered_by", "answered_at"])
    return apply_step(case, actor, Step("accept", Status.ACCEPTED, data={"department": dispatch.department.name}))


@transaction.atomic
def dispatch_decline(*, actor, case: Case, reason: str, expected_version: int | None = None) -> Case:
    case = start_verb(case, actor, "decline", expected_version)
    if not reason.strip():
        raise CaseError(_("Say why your department cannot take this case."), field="reason")
    dispatch = _my_dispatch(case, actor, [Dispatch.State.PENDING, Dispatch.State.ACCEPTED])
    dispatch.status, dispatch.answered_by, dispatch.answered_at = Dispatch.State.DECLINED, actor, timezone.now()
    dispatch.decline_reason = reason.strip()
    dispatch.save(update_fields=["status", "answered_by", "answered_at", "decline_reason"])
    live = Dispatch.objects.filter(case=case, status__in=[Dispatch.State.PENDING, Dispatch.State.ACCEPTED])
    if live.filter(status=Dispatch.State.ACCEPTED).exists():
        to_status = Status.ACCEPTED
    elif live.exists():
        to_status = Status.DISPATCHED
    else:
        to_status = Status.CLASSIFIED  # nobody took it: back to the center to dispatch again
    case = apply_step(
        case, actor, Step("decline", to_status, note=reason, data={"department": dispatch.department.name})
    )
    notify_center(
        case,
        kind="dispatch.declined",
        text=portal_text(
            gettext_lazy("%(department)s declined case %(number)s"),
            {"department": dispatch.department.name, "number": case.number},
        ),
    )
    return case


@transaction.atomic
def dispatch_report(*, actor, case: Case, text: str, final: bool = False, expected_version: int | None = None) -> Case:
    """A department reports progress, or (final) its result; the center then resolves the case."""
    case = start_verb(case, actor, "report", expected_version)
    if not text.strip():
        raise CaseError(_("Write what was done."), field="text")
    dispatch = _my_dispatch(case, actor, [Dispatch.State.ACCEPTED])
    now = timezone.now()
    dispatch.progress = [*dispatch.progress, {"at": now.isoformat(), "by": actor.get_username(), "text": text.strip()}]
    fields = ["progress"]
    if final:
        dispatch.status, dispatch.result, dispatch.reported_at = Dispatch.State.DONE, text.strip(), now
        fields += ["status", "result", "reported_at"]
    dispatch.save(update_fields=fields)
    case = apply_step(
        case, actor, Step("report", note=text, data={"department": dispatch.department.name, "final": final})
    )
    if final:
        notify_center(
            case,
            kind="dispatch.done",
            text=portal_text(
                gettext_lazy("%(department)s reported a result on case %(number)s"),
                {"department": dispatch.department.name, "number": case.number},
            ),
        )
    return case
