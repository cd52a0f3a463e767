"""三调对接: hand-offs from the court (诉调), the police (警调) and the petition office (访调).

Sending creates (or, for a repeated alert or petition, joins) a case at the receiving center; the
sender gets a lasting grant on the hand-off and its case. The center receives, accepts or returns
it; the case's own close and hand-back move the hand-off too (`follow_case`). Only the court's
sender records the court's steps: the one extension, judicial confirmation and filing.
"""

import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cases import deadlines as sla
from cases.models import OPEN_STATUSES, Case, Deadline, Handoff, HandoffEvent, Kind, Stage, Status
from cases.notifications import notify_center, portal_text
from cases.services.core import CaseConflict, CaseError, lock_case
from cases.services.dispatch import dispatch_to
from cases.services.intake import CaseInput, case_create, case_link_report, clean_parties, find_duplicates
from cases.services.workflow import hand_back
from govcenter import access, audit
from govcenter.access import Action
from govcenter.divisions import Level, lineage
from govcenter.errors import NotAllowed
from govcenter.models import Center, Department

# (2026)甘0102民诉前调123号: the year, the province's abbreviation and the court's number, the
# pre-litigation mediation mark and the serial. Full-width brackets are as common as half-width.
COURT_REFERENCE = re.compile(r"^[(（](\d{4})[)）][\u4e00-\u9fff]\d{2,6}民诉前调\d+号$")
COURT_DAYS = 30
OPEN_HANDOFF = (Handoff.State.SENT, Handoff.State.RECEIVED, Handoff.State.ACCEPTED)
REPEAT_WINDOW = timedelta(days=365)

CASE_CHANNEL = {Handoff.Source.COURT: "court", Handoff.Source.POLICE: "police", Handoff.Source.PETITION: "petition"}


@dataclass
class HandoffInput:
    source: str
    external_ref: str
    center: Center
    case: CaseInput
    sender_name: str = ""
    claim: str = ""
    due_days: int = COURT_DAYS
    alert_at: datetime | None = None
    petition_category: str = ""
    departments: list[Department] = field(default_factory=list)
    keep_at_court: bool = False


def check_reference(source: str, reference: str) -> str:
    reference = (reference or "").strip()
    if not reference:
        raise CaseError(_("Give the sender's reference number."), field="external_ref")
    if source == Handoff.Source.COURT and not COURT_REFERENCE.match(reference):
        raise CaseError(
            _("%(ref)s is not a pre-litigation case number; it looks like (2026)甘0102民诉前调123号.")
            % {"ref": reference},
            field="external_ref",
        )
    if Handoff.objects.filter(source=source, external_ref=reference).exists():
        raise CaseError(_("%(ref)s has already been handed over.") % {"ref": reference}, field="external_ref")
    return reference


def _check_handoff(actor, data: HandoffInput) -> None:
    if data.source not in Handoff.Source.values:
        raise CaseError(_("Unknown source: %(source)s.") % {"source": data.source}, field="source")
    if data.center.level not in (Level.COUNTY, Level.TOWNSHIP):
        raise CaseError(_("Hand-offs go to a township or county center."), field="center")
    if not access.may_send(actor, data.source, data.center.code):
        raise NotAllowed(_("You may not hand cases of this kind over to this center."))
    if data.source == Handoff.Source.COURT and not 1 <= data.due_days <= 90:
        raise CaseError(_("The time limit is between 1 and 90 days."), field="due_days")
    if data.source == Handoff.Source.PETITION:
        if data.petition_category not in Handoff.PetitionCategory.values:
            raise CaseError(
                _("Unknown petition category: %(category)s.") % {"category": data.petition_category or "—"},
                field="petition_category",
            )
        if data.petition_category == Handoff.PetitionCategory.APPEAL and not data.departments:
            raise CaseError(
                _("An appeal or request goes to the responsible department: choose it."), field="departments"
            )
        if data.petition_category == Handoff.PetitionCategory.APPEAL and data.case.category is None:
            raise CaseError(_("Say what the appeal or request is about (its category)."), field="category")


def _sender_seat(actor, source: str, center_code: str) -> str:
    """The code of the sender's own center (a court's county, a police station's township)."""
    for seat in access.seats(actor):
        if access.SEND_SOURCES.get(seat.role) == source and center_code.startswith(seat.center_code):
            return seat.center_code
    return center_code[:6]


@transaction.atomic
def handoff_send(*, actor, data: HandoffInput) -> Handoff:
    """Hand a case over to a center: court, police or petition office."""
    _check_handoff(actor, data)
    reference = check_reference(data.source, data.external_ref)
    now = timezone.now()
    handoff = Handoff(
        source=data.source,
        external_ref=reference,
        center=data.center,
        center_code=data.center.code,
        sender_code=_sender_seat(actor, data.source, data.center.code),
        sender_name=data.sender_name.strip(),
        sent_by=actor,
        sent_at=now,
        claim=data.claim.strip(),
        alert_at=data.alert_at,
        petition_category=data.petition_category,
    )
    if data.source == Handoff.Source.COURT and data.keep_at_court:
        handoff.status = Handoff.State.KEPT  # counted among the court's cases, not diverted
    else:
        handoff.case = _case_for(actor, data, handoff, now)
    if data.source == Handoff.Source.COURT:
        handoff.due_at = now + timedelta(days=data.due_days)
    try:
        with transaction.atomic():
            handoff.save()
    except IntegrityError as error:  # the same reference sent twice at the same moment
        raise CaseConflict(_("%(ref)s has already been handed over.") % {"ref": reference}) from error
    if handoff.case and data.source == Handoff.Source.COURT:
        _set_court_limit(handoff.case, days=data.due_days, start=now)
    _grant_sender(actor, handoff)
    _event(handoff, actor, "send", "", handoff.status, note=reference)
    audit.record(actor=actor, action=f"handoff.send.{data.source}", obj=handoff, data={"ref": reference})
    return handoff


def _case_for(actor, data: HandoffInput, handoff: Handoff, now: datetime) -> Case:
    """The case the hand-off brings: a new one, or the open case of the same people (a repeated
    police alert or petition joins it instead of opening another)."""
    case_input = data.case
    case_input.channel = CASE_CHANNEL[data.source]
    if data.source == Handoff.Source.PETITION:
        case_input.is_petition_related = True
        case_input.kind = Kind.REQUEST if data.petition_category == Handoff.PetitionCategory.APPEAL else Kind.DISPUTE
        handoff.repeat_count = _earlier_petitions(data, now)
    if data.source in (Handoff.Source.POLICE, Handoff.Source.PETITION):
        parties = clean_parties(case_input.parties)
        # Only an earlier alert (or petition) about the same people joins: a case that came another
        # way, or lies where the sender may not record cases, is not revealed to the sender.
        existing = (
            find_duplicates(center=data.center, parties=parties, category=None, now=now)
            .filter(channel=CASE_CHANNEL[data.source])
            .first()
        )
        may_join = existing is not None and any(
            access.can_at(actor, Action.CASE_CREATE, code) for code in (existing.center_code, existing.origin_code)
        )
        if may_join:
            return case_link_report(
                actor=actor, case=existing, note=_("Repeated: %(ref)s") % {"ref": handoff.external_ref}
            )
    case = case_create(actor=actor, center=data.center, data=case_input, force_new=True)
    if data.source == Handoff.Source.PETITION:
        _route_petition(actor, case, data)
    return case


def _route_petition(actor, case: Case, data: HandoffInput) -> None:
    """申诉求决 goes to the responsible department through dispatch; 矛盾纠纷 stays at the center for
    mediation; 涉法涉诉 goes to the court channel (the court department above the center)."""
    if data.petition_category == Handoff.PetitionCategory.APPEAL:
        departments = data.departments
    elif data.petition_category == Handoff.PetitionCategory.LAW:
        court = (
            Department.objects.filter(
                kind=Department.Kind.COURT, is_active=True, center_code__in=lineage(case.center_code)
            )
            .order_by("-center_code")
            .first()
        )
        if court is None:
            raise CaseError(_("No court is registered at or above this center to take the petition."), field="center")
        departments = [court]
    else:
        return
    locked = lock_case(case, None)
    if locked.status == Status.RECEIVED:
        raise CaseError(_("Say what the petition is about (its category)."), field="category")
    instructions = _("Petition %(ref)s routed by the petition office") % {"ref": data.external_ref}
    dispatch_to(case=locked, actor=actor, departments=departments, instructions=instructions)


def _earlier_petitions(data: HandoffInput, now: datetime) -> int:
    """How many petitions the same person made within a year (by ID number or phone)."""
    applicants = [p for p in data.case.parties if p.role == "applicant"]
    ids = {p.id_number.strip().upper() for p in applicants if p.id_number}
    phones = {p.phone.strip() for p in applicants if p.phone}
    if not ids and not phones:
        return 0
    from django.db.models import Q

    same_person = Q(case__parties__id_number__in=ids) | Q(case__parties__phone__in=phones)
    return (
        Handoff.objects.filter(source=Handoff.Source.PETITION, sent_at__gte=now - REPEAT_WINDOW)
        .filter(same_person, case__parties__role="applicant")
        .values("pk")
        .distinct()
        .count()
    )


def _set_court_limit(case: Case, *, days: int, start: datetime) -> None:
    """A diverted court case has the court's limit (30 days), in calendar days, to be mediated."""
    for deadline in Deadline.objects.running().filter(case=case, stage__in=[Stage.RESOLVE, Stage.FEEDBACK]):
        deadline.start_at, deadline.amount, deadline.unit = start, days, Deadline.Unit.DAYS
        deadline.paused_seconds = deadline.paused_workdays = 0
        deadline.due_at = sla.compute_due(deadline, None)
        deadline.save(update_fields=["start_at", "amount", "unit", "paused_seconds", "paused_workdays", "due_at"])
    case.refresh_from_db()
    fields = sla.refresh_summary(case, timezone.now())
    if fields:
        case.save(update_fields=fields)


def _grant_sender(actor, handoff: Handoff) -> None:
    access.grant(actor, Action.HANDOFF_SENDER, handoff)
    if handoff.case_id and not access.can(actor, Action.CASE_VIEW, handoff.case):
        access.grant(actor, Action.CASE_VIEW, handoff.case)


def _event(handoff: Handoff, actor, verb: str, from_status: str, to_status: str, note: str = "") -> None:
    HandoffEvent.objects.create(
        handoff=handoff,
        at=timezone.now(),
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        verb=verb,
        from_status=from_status,
        to_status=to_status,
        note=note,
    )


def _move(handoff: Handoff, actor, verb: str, to_status: str, note: str = "", fields: tuple[str, ...] = ()) -> Handoff:
    from_status = handoff.status
    handoff.status = to_status
    handoff.save(update_fields=["status", "updated_at", *fields])
    _event(handoff, actor, verb, from_status, to_status, note)
    audit.record(
        actor=actor, action=f"handoff.{verb}", obj=handoff, data={"ref": handoff.external_ref, "to": to_status}
    )
    return handoff


def _lock(handoff: Handoff) -> Handoff:
    # of=self: PostgreSQL cannot lock the nullable side of the outer join to the case.
    return Handoff.objects.select_for_update(of=("self",)).select_related("case").get(pk=handoff.pk)


def _check_state(handoff: Handoff, allowed, verb_label: str) -> None:
    if handoff.status not in allowed:
        raise CaseConflict(
            _("“%(verb)s” is not possible while the hand-off is %(status)s.")
            % {"verb": verb_label, "status": handoff.get_status_display()},
            extra={"status": handoff.status},
        )


def _check_center(actor, handoff: Handoff) -> None:
    if not access.can(actor, Action.HANDOFF_RECEIVE, handoff):
        raise NotAllowed(_("Only the receiving center handles this hand-off."))


def _check_sender(actor, handoff: Handoff) -> None:
    if not access.can(actor, Action.HANDOFF_SENDER, handoff):
        raise NotAllowed(_("Only the sender records this."))


# --- The center's side ------------------------------------------------------------------------------


@transaction.atomic
def handoff_receive(*, actor, handoff: Handoff) -> Handoff:
    handoff = _lock(handoff)
    _check_center(actor, handoff)
    _check_state(handoff, [Handoff.State.SENT], _("receive"))
    return _move(handoff, actor, "receive", Handoff.State.RECEIVED)


@transaction.atomic
def handoff_accept(*, actor, handoff: Handoff, note: str = "") -> Handoff:
    """The center takes the hand-off on (for a police alert: into long-term follow-up, 长效管控)."""
    handoff = _lock(handoff)
    _check_center(actor, handoff)
    _check_state(handoff, [Handoff.State.SENT, Handoff.State.RECEIVED], _("accept"))
    return _move(handoff, actor, "accept", Handoff.State.ACCEPTED, note)


@transaction.atomic
def handoff_return(*, actor, handoff: Handoff, reason: str) -> Handoff:
    """Send the hand-off back to its sender with the case's record (mediation failed, unsuitable)."""
    handoff = _lock(handoff)
    _check_center(actor, handoff)
    _check_state(handoff, OPEN_HANDOFF, _("return"))
    if not reason.strip():
        raise CaseError(_("Say why the hand-off goes back."), field="reason")
    return _return(handoff, actor, reason.strip())


def _return(handoff: Handoff, actor, reason: str) -> Handoff:
    case = handoff.case
    if case is not None and case.status in OPEN_STATUSES:
        hand_back(case=lock_case(case, None), actor=actor, reason=reason)  # moves this hand-off too
        handoff.refresh_from_db()
        return handoff
    handoff.returned_at, handoff.return_reason = timezone.now(), reason
    return _move(handoff, actor, "return", Handoff.State.RETURNED, reason, fields=("returned_at", "return_reason"))


def follow_case(case: Case, verb: str, actor, note: str) -> None:
    """Keep the hand-offs of a case in step with it: a closed case closes them, a handed-back case
    returns them to their senders (with the reason as the record)."""
    if verb not in ("close", "hand-back"):
        return
    for handoff in Handoff.objects.select_for_update().filter(case=case, status__in=OPEN_HANDOFF):
        if verb == "close":
            _move(handoff, actor, "close", Handoff.State.CLOSED, note)
        else:
            handoff.returned_at, handoff.return_reason = timezone.now(), note
            _move(handoff, actor, "return", Handoff.State.RETURNED, note, fields=("returned_at", "return_reason"))


def expire_court_handoffs(*, now: datetime | None = None) -> int:
    """Court cases whose time limit ran out unresolved go back to the court (the sweep calls this)."""
    now = now or timezone.now()
    expired = 0
    due = Handoff.objects.filter(source=Handoff.Source.COURT, status__in=OPEN_HANDOFF, due_at__lt=now)
    for handoff_id in due.values_list("pk", flat=True):
        with transaction.atomic():
            handoff = _lock(Handoff(pk=handoff_id))
            if handoff.status not in OPEN_HANDOFF or handoff.case.resolved_level is not None:
                continue
            _return(handoff, None, _("The pre-litigation mediation period ran out."))
            expired += 1
    return expired


# --- The sender's side (the court) ------------------------------------------------------------------


@transaction.atomic
def handoff_extend(*, actor, handoff: Handoff, reason: str, days: int = COURT_DAYS) -> Handoff:
    """The court extends its time limit, once, with a reason."""
    handoff = _lock(handoff)
    _check_sender(actor, handoff)
    if handoff.source != Handoff.Source.COURT:
        raise CaseConflict(_("Only a court's time limit can be extended."))
    _check_state(handoff, OPEN_HANDOFF, _("extend"))
    if handoff.extended_at:
        raise CaseConflict(_("The time limit was already extended once."))
    if not reason.strip():
        raise CaseError(_("Say why the time limit is extended."), field="reason")
    if not 1 <= days <= 90:
        raise CaseError(_("The extension is between 1 and 90 days."), field="days")
    handoff.due_at += timedelta(days=days)
    handoff.extended_at, handoff.extension_reason = timezone.now(), reason.strip()
    case = handoff.case
    _set_court_limit(case, days=(handoff.due_at - handoff.sent_at).days, start=handoff.sent_at)
    return _move(handoff, actor, "extend", handoff.status, reason, fields=("due_at", "extended_at", "extension_reason"))


@transaction.atomic
def handoff_confirmation(*, actor, handoff: Handoff, status: str, note: str = "") -> Handoff:
    """The court records judicial confirmation (司法确认) of the agreement the center reached."""
    handoff = _lock(handoff)
    _check_sender(actor, handoff)
    if handoff.source != Handoff.Source.COURT:
        raise CaseConflict(_("Judicial confirmation is the court's."))
    if status not in ("requested", "confirmed", "refused"):
        raise CaseError(_("Unknown confirmation status: %(status)s.") % {"status": status}, field="status")
    if handoff.case is None or handoff.case.resolved_level is None:
        raise CaseConflict(_("There is no mediated agreement to confirm yet."))
    allowed_from = {"requested": ("",), "confirmed": ("", "requested"), "refused": ("", "requested")}[status]
    if handoff.confirmation not in allowed_from:
        raise CaseConflict(
            _("The confirmation is already %(status)s.") % {"status": handoff.get_confirmation_display()}
        )
    handoff.confirmation, handoff.confirmation_at = status, timezone.now()
    handoff.save(update_fields=["confirmation", "confirmation_at", "updated_at"])
    _event(handoff, actor, f"confirmation-{status}", handoff.status, handoff.status, note)
    audit.record(actor=actor, action="handoff.confirmation", obj=handoff, data={"status": status})
    notify_center(
        handoff.case,
        kind="handoff.confirmation",
        text=portal_text(
            gettext_lazy("Judicial confirmation of case %(number)s: %(status)s"),
            {"number": handoff.case.number, "status": handoff.get_confirmation_display()},
        ),
    )
    return handoff


@transaction.atomic
def handoff_file(*, actor, handoff: Handoff, filing_number: str) -> Handoff:
    """The court files (立案) a case that came back from the center: the hand-off is closed."""
    handoff = _lock(handoff)
    _check_sender(actor, handoff)
    if handoff.source != Handoff.Source.COURT:
        raise CaseConflict(_("Filing is the court's."))
    _check_state(handoff, [Handoff.State.RETURNED, Handoff.State.KEPT], _("record the filing"))
    if not filing_number.strip():
        raise CaseError(_("Give the filing number."), field="filing_number")
    handoff.filing_number, handoff.filed_at = filing_number.strip(), timezone.now()
    return _move(handoff, actor, "file", Handoff.State.CLOSED, filing_number, fields=("filing_number", "filed_at"))


@transaction.atomic
def handoff_import(*, actor, inputs: list[HandoffInput]) -> list[Handoff]:
    """Send a whole checked file of court transfers: all of them, or (on any error) none."""
    return [handoff_send(actor=actor, data=data) for data in inputs]
