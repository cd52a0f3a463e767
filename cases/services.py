"""Writes on cases: one function per verb. Each locks the case, checks the transition table and the
actor's right through govcenter.access, bumps the version, writes the timeline and the audit log."""

from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from stdnum.cn import ric
from stdnum.exceptions import ValidationError as StdnumError

from cases import deadlines as sla
from cases.models import (
    OPEN_STATUSES,
    Case,
    CaseEvent,
    CaseNumberCounter,
    Category,
    Channel,
    ClockPause,
    Deadline,
    Dispatch,
    Kind,
    Party,
    Rating,
    Severity,
    Stage,
    Status,
    new_receipt,
)
from cases.notifications import notify_center
from govcenter import access, audit
from govcenter.access import Action
from govcenter.divisions import Level, is_within, parent_code
from govcenter.errors import ConflictError, DomainError, NotAllowed
from govcenter.models import Center, Department
from govcenter.workdays import WorkCalendar


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
    "classify": _lazy("classify"),
    "dispatch": _lazy("dispatch to departments"),
    "accept": _lazy("accept"),
    "decline": _lazy("decline"),
    "report": _lazy("report progress"),
    "escalate": _lazy("escalate"),
    "send-down": _lazy("send down"),
    "assign-mediator": _lazy("assign mediators"),
    "resolve": _lazy("record the outcome"),
    "fail": _lazy("record failure"),
    "feedback": _lazy("give feedback"),
    "follow-up": _lazy("follow up"),
    "close": _lazy("close"),
    "reopen": _lazy("reopen"),
    "hand-back": _lazy("hand back"),
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

DUPLICATE_WINDOW = timedelta(days=30)


def allowed_verbs(case: Case, user) -> list[str]:
    """The verbs this user may use on this case now (for the page and for a 409's answer)."""
    return [
        verb
        for verb, (sources, _target) in TRANSITIONS.items()
        if case.status in sources and access.can(user, VERB_ACTIONS[verb], case)
    ]


# --- The common step of every verb --------------------------------------------------------------


def _lock(case: Case, expected_version: int | None) -> Case:
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


def _apply(case: Case, actor, step: Step, now: datetime | None = None) -> Case:
    """Move the case, bump its version, meet the stage deadline, write timeline and audit."""
    now = now or timezone.now()
    from_status = case.status
    if step.to_status:
        case.status = step.to_status
    case.version += 1
    _meet_stages(case, step.verb, now)
    changed = set(step.fields) | {"status", "version", "updated_at"}
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
    return case


def _meet_stages(case: Case, verb: str, now: datetime) -> None:
    stages = [Stage.RESPOND]
    if verb in STAGE_MET_BY:
        stages.append(STAGE_MET_BY[verb])
    Deadline.objects.filter(case=case, stage__in=stages, met_at__isnull=True).update(met_at=now)


def _verb(case: Case, actor, verb: str, expected_version: int | None) -> Case:
    locked = _lock(case, expected_version)
    _check_transition(locked, verb, actor)
    return locked


# --- Intake -------------------------------------------------------------------------------------


@dataclass
class PartyInput:
    role: str
    name: str
    id_number: str = ""
    phone: str = ""
    address: str = ""
    party_kind: str = Party.PartyKind.PERSON


def normalise_id_number(value: str) -> str:
    """A resident identity number, validated (length, date, region, checksum) and upper-cased."""
    value = (value or "").replace(" ", "").upper()
    if not value:
        return ""
    try:
        return ric.validate(value)
    except StdnumError as error:
        raise CaseError(
            _("%(number)s is not a valid resident identity number (%(why)s).") % {"number": value, "why": _why(error)},
            field="parties",
        ) from error


def _why(error: StdnumError) -> str:
    name = type(error).__name__
    return {
        "InvalidChecksum": _("wrong check digit"),
        "InvalidLength": _("it must have 18 characters"),
        "InvalidComponent": _("impossible birth date or region"),
        "InvalidFormat": _("only digits and a final X are allowed"),
    }.get(name, _("malformed"))


def normalise_phone(value: str) -> str:
    value = (value or "").strip().replace(" ", "").replace("-", "")
    if value and not (value.lstrip("+").isdigit() and 5 <= len(value) <= 20):
        raise CaseError(_("%(phone)s is not a phone number.") % {"phone": value}, field="parties")
    return value


def _clean_parties(parties: list[PartyInput]) -> list[Party]:
    if not any(p.role == Party.Role.APPLICANT for p in parties):
        raise CaseError(_("A case needs at least one applicant (the person who raised it)."), field="parties")
    rows = []
    for party in parties:
        if party.role not in Party.Role.values:
            raise CaseError(_("Unknown party role: %(role)s.") % {"role": party.role}, field="parties")
        if not party.name.strip():
            raise CaseError(_("Every party needs a name."), field="parties")
        id_number = normalise_id_number(party.id_number) if party.party_kind == Party.PartyKind.PERSON else ""
        rows.append(
            Party(
                role=party.role,
                party_kind=party.party_kind,
                name=party.name.strip(),
                id_number=id_number,
                phone=normalise_phone(party.phone),
                address=party.address.strip(),
            )
        )
    return rows


def find_duplicates(*, center: Center, parties: list[Party], category: Category | None, now: datetime):
    """Open cases raised by the same person (ID number or phone) in the same county within the
    window, about the same category when one is given: candidates for 重复诉求并单."""
    applicants = [p for p in parties if p.role == Party.Role.APPLICANT]
    ids = {p.id_number for p in applicants if p.id_number}
    phones = {p.phone for p in applicants if p.phone}
    if not ids and not phones:
        return Case.objects.none()
    county = center.code[:6]
    candidates = Case.objects.filter(
        county_code=county,
        status__in=OPEN_STATUSES,
        received_at__gte=now - DUPLICATE_WINDOW,
        parties__role=Party.Role.APPLICANT,
    )
    from django.db.models import Q

    who = Q()
    if ids:
        who |= Q(parties__id_number__in=ids)
    if phones:
        who |= Q(parties__phone__in=phones)
    candidates = candidates.filter(who)
    if category is not None:
        candidates = candidates.filter(category=category)
    return candidates.distinct().order_by("-received_at")


def allocate_number(county_code: str, year: int) -> tuple[int, str]:
    """The next serial of a county's year, under a row lock: gapless, never repeated."""
    try:
        with transaction.atomic():
            CaseNumberCounter.objects.get_or_create(county_code=county_code, year=year)
    except IntegrityError:
        pass  # another transaction created the counter first; the lock below waits for it
    counter = CaseNumberCounter.objects.select_for_update().get(county_code=county_code, year=year)
    counter.last += 1
    counter.save(update_fields=["last"])
    return counter.last, f"{county_code}-{year}-{counter.last:06d}"


def _unique_receipt() -> str:
    while True:
        receipt = new_receipt()
        if not Case.objects.filter(receipt=receipt).exists():
            return receipt


@dataclass
class CaseInput:
    kind: str
    channel: str
    title: str
    parties: list[PartyInput]
    facts: str = ""
    category: Category | None = None
    place: str = ""
    amount: Decimal | None = None
    people_count: int = 1
    is_group_incident: bool = False
    is_petition_related: bool = False
    is_emergency: bool = False
    is_difficult: bool = False
    severity: str = Severity.MEDIUM


def _check_input(data: CaseInput, center: Center) -> None:
    if data.kind not in Kind.values:
        raise CaseError(_("Unknown kind: %(kind)s.") % {"kind": data.kind}, field="kind")
    if data.channel not in Channel.values:
        raise CaseError(_("Unknown channel: %(channel)s.") % {"channel": data.channel}, field="channel")
    if data.severity not in Severity.values:
        raise CaseError(_("Unknown severity: %(severity)s.") % {"severity": data.severity}, field="severity")
    if center.level < Level.COUNTY:
        raise CaseError(_("Cases are handled at county, township or village centers."), field="center")
    if not data.title.strip():
        raise CaseError(_("Give the case a short summary."), field="title")
    if data.amount is not None and data.amount < 0:
        raise CaseError(_("The amount in dispute cannot be negative."), field="amount")
    if data.people_count < 1:
        raise CaseError(_("At least one person is involved."), field="people_count")
    if data.category is not None and not data.category.is_active:
        raise CaseError(_("This category is no longer in use."), field="category")


@transaction.atomic
def case_create(
    *,
    actor,
    center: Center,
    data: CaseInput,
    force_new: bool = False,
    received_at: datetime | None = None,
    public: bool = False,
) -> Case:
    """Record a new case at a center, with its parties, number, deadlines and timeline.

    When the same person raised the same matter within the window and it is still open, the
    caller is offered the open case (a 409 listing it) unless `force_new` is given; to merge, use
    `case_link_report` instead.
    """
    if not public and not access.can_at(actor, Action.CASE_CREATE, center.code):
        raise NotAllowed(_("You may not record cases at this center."))
    _check_input(data, center)
    parties = _clean_parties(data.parties)
    now = timezone.now()
    received_at = received_at or now
    if not force_new:
        duplicates = list(find_duplicates(center=center, parties=parties, category=data.category, now=now)[:5])
        if duplicates:
            raise CaseConflict(
                _("The same person raised a case that is still open: link this report to it, or record it as new."),
                extra={"duplicates": [{"id": c.pk, "number": c.number, "title": c.title} for c in duplicates]},
            )
    county = center.code[:6]
    serial, number = allocate_number(county, received_at.year)
    case = Case.objects.create(
        number=number,
        county_code=county,
        year=received_at.year,
        serial=serial,
        kind=data.kind,
        channel=data.channel,
        category=data.category,
        status=Status.CLASSIFIED if data.category else Status.RECEIVED,
        center=center,
        center_code=center.code,
        origin_center=center,
        origin_code=center.code,
        levels_passed=[center.code],
        title=data.title.strip(),
        facts=data.facts.strip(),
        place=data.place.strip(),
        amount=data.amount,
        people_count=data.people_count,
        is_group_incident=data.is_group_incident,
        is_petition_related=data.is_petition_related,
        is_emergency=data.is_emergency,
        is_difficult=data.is_difficult,
        severity=data.severity,
        receipt=_unique_receipt(),
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
        received_at=received_at,
    )
    for party in parties:
        party.case = case
    Party.objects.bulk_create(parties)
    calendar = WorkCalendar.around(timezone.localdate(received_at))
    Deadline.objects.bulk_create(sla.build_deadlines(case, received_at, list(Stage), calendar))
    if data.category and not public:
        Deadline.objects.filter(case=case, stage__in=[Stage.RESPOND, Stage.CLASSIFY]).update(met_at=now)
    sla.refresh_summary(case, now)
    case.save(update_fields=["next_due_at", "next_stage", "is_overdue"])
    CaseEvent.objects.create(
        case=case,
        at=now,
        actor=case.created_by,
        verb="create",
        to_status=case.status,
        center_code=center.code,
        data={"channel": case.channel, "kind": case.kind},
        version=case.version,
    )
    audit.record(actor=actor, action="case.create", obj=case, data={"number": case.number, "channel": case.channel})
    notify_center(
        case, kind="case.new", text=_("New case %(number)s: %(title)s") % {"number": number, "title": case.title}
    )
    return case


@transaction.atomic
def case_link_report(*, actor, case: Case, note: str = "") -> Case:
    """Merge a repeated report into the open case (重复诉求并单) instead of opening another."""
    case = _lock(case, None)
    if not case.is_open:
        raise CaseConflict(_("Only an open case can take a repeated report."))
    # Whoever may record cases where this one is handled, or where it was first reported.
    if not any(access.can_at(actor, Action.CASE_CREATE, code) for code in (case.center_code, case.origin_code)):
        raise NotAllowed(_("You may not add reports to this case."))
    case.report_count += 1
    step = Step("link-report", note=note, data={"report_count": case.report_count}, fields=("report_count",))
    return _apply(case, actor, step)


# --- The verbs ------------------------------------------------------------------------------------


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
    case = _verb(case, actor, "classify", expected_version)
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
    return _apply(
        case, actor, Step("classify", Status.CLASSIFIED, data={"category": category.code}, fields=tuple(fields))
    )


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
    case = _verb(case, actor, "dispatch", expected_version)
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
    case = _apply(case, actor, step)
    from cases.notifications import notify_department

    for department in departments:
        notify_department(case, department, text=_("Case %(number)s was dispatched to you") % {"number": case.number})
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
    case = _verb(case, actor, "accept", expected_version)
    dispatch = _my_dispatch(case, actor, [Dispatch.State.PENDING])
    dispatch.status, dispatch.answered_by, dispatch.answered_at = Dispatch.State.ACCEPTED, actor, timezone.now()
    dispatch.save(update_fields=["status", "answered_by", "answered_at"])
    return _apply(case, actor, Step("accept", Status.ACCEPTED, data={"department": dispatch.department.name}))


@transaction.atomic
def dispatch_decline(*, actor, case: Case, reason: str, expected_version: int | None = None) -> Case:
    case = _verb(case, actor, "decline", expected_version)
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
    case = _apply(case, actor, Step("decline", to_status, note=reason, data={"department": dispatch.department.name}))
    notify_center(
        case,
        kind="dispatch.declined",
        text=_("%(department)s declined case %(number)s")
        % {"department": dispatch.department.name, "number": case.number},
    )
    return case


@transaction.atomic
def dispatch_report(*, actor, case: Case, text: str, final: bool = False, expected_version: int | None = None) -> Case:
    """A department reports progress, or (final) its result; the center then resolves the case."""
    case = _verb(case, actor, "report", expected_version)
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
    case = _apply(case, actor, Step("report", note=text, data={"department": dispatch.department.name, "final": final}))
    if final:
        notify_center(
            case,
            kind="dispatch.done",
            text=_("%(department)s reported a result on case %(number)s")
            % {"department": dispatch.department.name, "number": case.number},
        )
    return case


def _move_to(case: Case, center: Center) -> None:
    case.center, case.center_code = center, center.code
    case.levels_passed = [*case.levels_passed, center.code]


@transaction.atomic
def case_escalate(*, actor, case: Case, reason: str, expected_version: int | None = None) -> Case:
    """Send the case up one level (矛盾不上交 is the goal, so a reason is required)."""
    case = _verb(case, actor, "escalate", expected_version)
    if not reason.strip():
        raise CaseError(_("Say why the case must go up a level."), field="reason")
    above = parent_code(case.center_code)
    if above is None or len(above) < 6:
        raise CaseConflict(_("A county center is the highest level that handles cases here."))
    parent = Center.objects.get(code=above)
    source = case.center_code
    _move_to(case, parent)
    to_status = Status.CLASSIFIED if case.category_id else Status.RECEIVED
    case = _apply(
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
        case, kind="case.escalated", text=_("Case %(number)s was escalated to your center") % {"number": case.number}
    )
    return case


@transaction.atomic
def case_send_down(*, actor, case: Case, center: Center, reason: str, expected_version: int | None = None) -> Case:
    """The parent sends an escalated case back down to a center below it."""
    case = _verb(case, actor, "send-down", expected_version)
    if not reason.strip():
        raise CaseError(_("Say why the case goes back down."), field="reason")
    if center.code == case.center_code or not is_within(center.code, case.center_code):
        raise CaseError(_("A case can only be sent to a center below the one handling it."), field="center")
    source = case.center_code
    _move_to(case, center)
    to_status = Status.CLASSIFIED if case.category_id else Status.RECEIVED
    case = _apply(
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
        case, kind="case.sent_down", text=_("Case %(number)s was sent back to your center") % {"number": case.number}
    )
    return case


@transaction.atomic
def case_assign_mediators(
    *, actor, case: Case, mediators: list, note: str = "", expected_version: int | None = None
) -> Case:
    """Put the case in mediation with one or more mediators (users holding the mediator role).

    A mediator from outside the case's subtree gets a grant on this case only."""
    case = _verb(case, actor, "assign-mediator", expected_version)
    if not mediators:
        raise CaseError(_("Choose at least one mediator."), field="mediators")
    for mediator in mediators:
        if not any(seat.role == "mediator" for seat in access.seats(mediator)):
            raise CaseError(_("%(name)s is not a mediator.") % {"name": mediator.get_username()}, field="mediators")
        if not access.can(mediator, Action.CASE_RESOLVE, case):
            access.grant(mediator, Action.CASE_RESOLVE, case)
    names = [m.get_username() for m in mediators]
    return _apply(case, actor, Step("assign-mediator", Status.IN_MEDIATION, note=note, data={"mediators": names}))


@transaction.atomic
def case_resolve(*, actor, case: Case, outcome: str, note: str, expected_version: int | None = None) -> Case:
    """Record the outcome: resolved (at this center's level) or failed."""
    verb = {"resolved": "resolve", "failed": "fail"}.get(outcome)
    if verb is None:
        raise CaseError(_("The outcome is either resolved or failed."), field="outcome")
    case = _verb(case, actor, verb, expected_version)
    if not note.strip():
        raise CaseError(_("Describe how the case ended."), field="note")
    fields: tuple[str, ...] = ()
    if verb == "resolve":
        case.resolved_level = case.center.level
        fields = ("resolved_level",)
    target = TRANSITIONS[verb][1]
    return _apply(case, actor, Step(verb, target, note=note, fields=fields))


@transaction.atomic
def case_feedback(*, actor, case: Case, note: str, method: str = "phone", expected_version: int | None = None) -> Case:
    """Tell the person who raised the case what was done."""
    case = _verb(case, actor, "feedback", expected_version)
    if not note.strip():
        raise CaseError(_("Write what the person was told."), field="note")
    return _apply(case, actor, Step("feedback", Status.FEEDBACK_GIVEN, note=note, data={"method": method}))


@transaction.atomic
def case_follow_up(
    *, actor, case: Case, note: str, rating: str | None = None, comment: str = "", expected_version: int | None = None
) -> Case:
    """Follow up (回访); the clerk may record the rating given on the phone."""
    case = _verb(case, actor, "follow-up", expected_version)
    if not note.strip():
        raise CaseError(_("Write what the follow-up found."), field="note")
    case = _apply(case, actor, Step("follow-up", Status.FOLLOWED_UP, note=note))
    if rating:
        _record_rating(case, value=rating, comment=comment, source=Rating.Source.PHONE, actor=actor)
    return case


@transaction.atomic
def case_close(*, actor, case: Case, note: str = "", expected_version: int | None = None) -> Case:
    case = _verb(case, actor, "close", expected_version)
    if case.review_required:
        raise CaseConflict(
            _("The person was dissatisfied: the director must reopen the case or confirm the outcome first.")
        )
    case.closed_at = timezone.now()
    return _apply(case, actor, Step("close", Status.CLOSED, note=note, fields=("closed_at",)))


@transaction.atomic
def case_reopen(*, actor, case: Case, reason: str, expected_version: int | None = None) -> Case:
    """Reopen: the resolve, feedback and follow-up clocks start again from now."""
    case = _verb(case, actor, "reopen", expected_version)
    if not reason.strip():
        raise CaseError(_("Say why the case is reopened."), field="reason")
    now = timezone.now()
    case.closed_at, case.review_required, case.resolved_level = None, False, None
    calendar = WorkCalendar.around(timezone.localdate(now))
    restarted = [Stage.RESOLVE, Stage.FEEDBACK, Stage.FOLLOW_UP]
    Deadline.objects.filter(case=case, stage__in=restarted).delete()
    Deadline.objects.bulk_create(sla.build_deadlines(case, now, restarted, calendar))
    return _apply(
        case,
        actor,
        Step("reopen", Status.REOPENED, note=reason, fields=("closed_at", "review_required", "resolved_level")),
        now,
    )


@transaction.atomic
def case_hand_back(*, actor, case: Case, reason: str, expected_version: int | None = None) -> Case:
    """Return the case to where it came from (court, police, petition office)."""
    case = _verb(case, actor, "hand-back", expected_version)
    if not reason.strip():
        raise CaseError(_("Say why the case is handed back."), field="reason")
    case.closed_at = timezone.now()
    return _apply(case, actor, Step("hand-back", Status.HANDED_BACK, note=reason, fields=("closed_at",)))


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
    case = _lock(case, expected_version)
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
    return _apply(
        case,
        actor,
        Step("edit", data={"before": before, "after": {k: str(v) for k, v in changes.items()}}, fields=tuple(changes)),
    )


# --- The clock ----------------------------------------------------------------------------------


@transaction.atomic
def case_pause(*, actor, case: Case, reason: str, expected_version: int | None = None) -> Case:
    """Stop the clock while waiting on a party; the reason is recorded."""
    case = _lock(case, expected_version)
    if not access.can(actor, Action.CASE_EDIT, case):
        raise NotAllowed(_("You may see this case but not change it."))
    if not case.is_open or case.is_paused:
        raise CaseConflict(_("Only a running clock on an open case can be paused."))
    if not reason.strip():
        raise CaseError(_("Say what the case is waiting for."), field="reason")
    ClockPause.objects.create(case=case, started_at=timezone.now(), reason=reason.strip(), started_by=actor)
    case.is_paused = True
    return _apply(case, actor, Step("pause", note=reason, fields=("is_paused",)))


@transaction.atomic
def case_resume(*, actor, case: Case, expected_version: int | None = None) -> Case:
    """Restart the clock: every open deadline moves back by the time it stood still."""
    case = _lock(case, expected_version)
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
    return _apply(case, actor, Step("resume", data={"paused_workdays": lost_workdays}, fields=("is_paused",)))


# --- Satisfaction -----------------------------------------------------------------------------------


def _record_rating(case: Case, *, value: str, comment: str, source: str, actor=None) -> Rating:
    if value not in Rating.Value.values:
        raise CaseError(_("Unknown rating: %(value)s.") % {"value": value}, field="value")
    if Rating.objects.filter(case=case).exists():
        raise CaseConflict(_("This case has already been rated."))
    rating = Rating.objects.create(
        case=case,
        value=value,
        comment=comment.strip(),
        source=source,
        recorded_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    if value == Rating.Value.DISSATISFIED:
        case.review_required = True
        case.save(update_fields=["review_required"])
        notify_center(
            case,
            kind="rating.dissatisfied",
            roles=("director",),
            text=_("The person who raised case %(number)s is dissatisfied") % {"number": case.number},
        )
    CaseEvent.objects.create(
        case=case,
        at=timezone.now(),
        actor=rating.recorded_by,
        verb="rating",
        to_status=case.status,
        center_code=case.center_code,
        note=comment,
        data={"value": value, "source": source},
        version=case.version,
    )
    audit.record(actor=actor, action="case.rating", obj=case, data={"value": value, "source": source})
    return rating


@transaction.atomic
def rating_submit_public(*, receipt: str, value: str, comment: str = "") -> Rating:
    """The person rates the outcome through the receipt page, once the case was fed back."""
    case = Case.objects.select_for_update().filter(receipt=receipt).first()
    if case is None:
        raise CaseError(_("No report has this receipt code."), field="receipt")
    if case.status not in (Status.FEEDBACK_GIVEN, Status.FOLLOWED_UP, Status.CLOSED):
        raise CaseConflict(_("You can rate the outcome once you have been told it."))
    return _record_rating(case, value=value, comment=comment, source=Rating.Source.PUBLIC)


@transaction.atomic
def rating_confirm(*, actor, case: Case, note: str, expected_version: int | None = None) -> Case:
    """The director looked at a dissatisfied rating and confirms the outcome (or reopens instead)."""
    case = _lock(case, expected_version)
    if not access.can(actor, Action.CASE_REOPEN, case):
        raise NotAllowed(_("Only a director decides on a dissatisfied rating."))
    if not case.review_required:
        raise CaseConflict(_("Nothing awaits review on this case."))
    if not note.strip():
        raise CaseError(_("Say why the outcome stands."), field="note")
    case.review_required = False
    return _apply(case, actor, Step("confirm-outcome", note=note, fields=("review_required",)))


# --- Sweeps ---------------------------------------------------------------------------------------


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


# --- Attachments ----------------------------------------------------------------------------------

# Extension → (content type, the magic bytes the file must start with; None for any).
ALLOWED_FILES = {
    "jpg": ("image/jpeg", (b"\xff\xd8\xff",)),
    "jpeg": ("image/jpeg", (b"\xff\xd8\xff",)),
    "png": ("image/png", (b"\x89PNG\r\n\x1a\n",)),
    "gif": ("image/gif", (b"GIF87a", b"GIF89a")),
    "webp": ("image/webp", (b"RIFF",)),
    "pdf": ("application/pdf", (b"%PDF-",)),
    "doc": ("application/msword", (b"\xd0\xcf\x11\xe0",)),
    "xls": ("application/vnd.ms-excel", (b"\xd0\xcf\x11\xe0",)),
    "docx": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", (b"PK\x03\x04",)),
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", (b"PK\x03\x04",)),
    "pptx": ("application/vnd.openxmlformats-officedocument.presentationml.presentation", (b"PK\x03\x04",)),
    "wps": ("application/vnd.ms-works", (b"\xd0\xcf\x11\xe0",)),
}


def _check_upload(upload) -> str:
    from django.conf import settings

    name = upload.name or ""
    extension = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if extension not in ALLOWED_FILES:
        raise CaseError(
            _("Files of type “%(ext)s” are not accepted. Accepted: images, PDF and office documents (%(list)s).")
            % {"ext": extension or "?", "list": ", ".join(sorted(ALLOWED_FILES))},
            field="file",
        )
    if upload.size > settings.ATTACHMENT_MAX_BYTES:
        raise CaseError(
            _("The file is %(size).1f MB; the limit is %(limit)d MB.")
            % {"size": upload.size / 1048576, "limit": settings.ATTACHMENT_MAX_BYTES // 1048576},
            field="file",
        )
    if upload.size == 0:
        raise CaseError(_("The file is empty."), field="file")
    content_type, signatures = ALLOWED_FILES[extension]
    head = upload.read(16)
    upload.seek(0)
    if not any(head.startswith(signature) for signature in signatures):
        raise CaseError(_("The file's content does not match its “%(ext)s” name.") % {"ext": extension}, field="file")
    return content_type


@transaction.atomic
def attachment_add(*, actor, case: Case, upload):
    from cases.models import Attachment

    if not access.can(actor, Action.CASE_ATTACH, case):
        raise NotAllowed(_("You may see this case but not add files to it."))
    content_type = _check_upload(upload)
    attachment = Attachment(
        case=case, name=upload.name[:200], content_type=content_type, size=upload.size, uploaded_by=actor
    )
    attachment.file.save(upload.name, upload, save=False)
    try:
        with transaction.atomic():
            attachment.save()
            CaseEvent.objects.create(
                case=case,
                at=timezone.now(),
                actor=actor,
                verb="attach",
                to_status=case.status,
                center_code=case.center_code,
                data={"name": attachment.name, "size": attachment.size},
                version=case.version,
            )
            audit.record(
                actor=actor, action="case.attach", obj=case, data={"attachment": attachment.pk, "name": attachment.name}
            )
    except Exception:
        attachment.file.delete(save=False)  # the row was not saved: leave no orphan file behind
        raise
    return attachment


# --- Public intake (扫码反映) ---------------------------------------------------------------------


@transaction.atomic
def public_report(
    *, token: str, name: str, phone: str, kind: str, title: str, facts: str, place: str = "", honeypot: str = ""
) -> Case:
    """A citizen's report through a center's QR code: becomes a case at that center, channel QR."""
    if honeypot:
        # Only a robot fills the hidden field; it gets an answer that teaches it nothing.
        raise CaseError(_("Your report could not be accepted."))
    center = Center.objects.filter(public_token=token, is_active=True).first()
    if center is None:
        raise CaseError(
            _("This QR code is not valid any more. Please scan the code posted at the center."), field="token"
        )
    if kind not in Kind.values:
        kind = Kind.REQUEST
    data = CaseInput(
        kind=kind,
        channel=Channel.QR,
        title=title,
        facts=facts,
        place=place,
        parties=[PartyInput(role=Party.Role.APPLICANT, name=name, phone=phone)],
    )
    return case_create(actor=None, center=center, data=data, force_new=True, public=True)


# --- Notifications ----------------------------------------------------------------------------------


def notifications_mark_read(*, user, ids: list[int] | None = None) -> int:
    """Mark the user's unread notifications (all, or those ids) as read; returns how many."""
    from cases.models import Notification

    unread = Notification.objects.filter(recipient=user, read_at__isnull=True)
    if ids is not None:
        unread = unread.filter(pk__in=ids)
    return unread.update(read_at=timezone.now())
