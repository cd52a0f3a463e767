"""Writes of mediation: the roster, assignment and its grants, sessions that drive the case,
agreements (drafted, signed, superseded, never edited once signed) and the fulfilment of their terms."""

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.db import transaction
from django.db.models import Max
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from stdnum.cn import ric

from cases.models import Case, Party, Status
from cases.services import case_resolve
from cases.services.core import CaseConflict, Step, apply_step, lock_case, start_verb
from cases.services.workflow import put_in_mediation
from govcenter import access, audit, documents
from govcenter.access import Action
from govcenter.divisions import is_within, lineage
from govcenter.errors import DomainError, NotAllowed
from govcenter.models import Center, IssuedDocument
from mediation.models import (
    Agreement,
    AgreementParty,
    AgreementTerm,
    Assignment,
    MediationOrg,
    MediationSession,
    Mediator,
)


class MediationError(DomainError):
    """Bad input for mediation: 400."""


# --- The roster ------------------------------------------------------------------------------------


def _check_roster_right(actor, center_code: str) -> None:
    if not access.can_at(actor, Action.ROSTER_MANAGE, center_code):
        raise NotAllowed(_("Only a director of this center or above keeps its roster."))


@transaction.atomic
def org_create(
    *,
    actor,
    center: Center,
    name: str,
    kind: str,
    short_name: str,
    phone: str = "",
    address: str = "",
    is_public: bool = True,
) -> MediationOrg:
    _check_roster_right(actor, center.code)
    if kind not in MediationOrg.Kind.values:
        raise MediationError(_("Unknown kind of organisation: %(kind)s.") % {"kind": kind}, field="kind")
    if not name.strip() or not short_name.strip():
        raise MediationError(_("Give the organisation's name and its short name."), field="name")
    if MediationOrg.objects.filter(center=center, name=name.strip()).exists():
        raise MediationError(_("This center already has an organisation of that name."), field="name")
    if MediationOrg.objects.filter(short_name=short_name.strip()).exists():
        # The short name heads the agreement numbers (城关人调〔2026〕12号): two alike would clash.
        raise MediationError(_("Another organisation already uses this short name."), field="short_name")
    org = MediationOrg.objects.create(
        center=center,
        center_code=center.code,
        name=name.strip(),
        kind=kind,
        short_name=short_name.strip(),
        phone=phone,
        address=address,
        is_public=is_public,
    )
    audit.record(actor=actor, action="mediation.org_create", obj=org, data={"name": org.name})
    return org


@transaction.atomic
def org_update(*, actor, org: MediationOrg, **changes) -> MediationOrg:
    _check_roster_right(actor, org.center_code)
    org = MediationOrg.objects.select_for_update().get(pk=org.pk)
    short_name = changes.get("short_name", org.short_name).strip()
    if MediationOrg.objects.filter(short_name=short_name).exclude(pk=org.pk).exists():
        raise MediationError(_("Another organisation already uses this short name."), field="short_name")
    if "kind" in changes and changes["kind"] not in MediationOrg.Kind.values:
        raise MediationError(_("Unknown kind of organisation: %(kind)s.") % {"kind": changes["kind"]}, field="kind")
    for name, value in changes.items():
        setattr(org, name, value.strip() if isinstance(value, str) else value)
    org.save()
    audit.record(actor=actor, action="mediation.org_update", obj=org, data={k: str(v) for k, v in changes.items()})
    return org


@transaction.atomic
def mediator_create(
    *,
    actor,
    org: MediationOrg,
    name: str,
    specialties=(),
    user=None,
    certificate: str = "",
    phone: str = "",
    is_chief_consultant: bool = False,
) -> Mediator:
    _check_roster_right(actor, org.center_code)
    if not name.strip():
        raise MediationError(_("Give the mediator's name."), field="name")
    if user is not None and Mediator.objects.filter(user=user).exists():
        raise MediationError(_("This account is already on the roster."), field="user")
    mediator = Mediator.objects.create(
        org=org,
        center_code=org.center_code,
        user=user,
        name=name.strip(),
        certificate=certificate,
        phone=phone,
        is_chief_consultant=is_chief_consultant,
    )
    mediator.specialties.set(specialties)
    audit.record(actor=actor, action="mediation.mediator_create", obj=mediator, data={"name": mediator.name})
    return mediator


@transaction.atomic
def mediator_update(*, actor, mediator: Mediator, **changes) -> Mediator:
    _check_roster_right(actor, mediator.center_code)
    mediator = Mediator.objects.select_for_update().get(pk=mediator.pk)
    specialties = changes.pop("specialties", None)
    for name, value in changes.items():
        setattr(mediator, name, value)
    mediator.save()
    if specialties is not None:
        mediator.specialties.set(specialties)
    audit.record(
        actor=actor, action="mediation.mediator_update", obj=mediator, data={k: str(v) for k, v in changes.items()}
    )
    return mediator


# --- Assignment ------------------------------------------------------------------------------------


def in_reach(mediator: Mediator, case: Case) -> bool:
    """A mediator of the case's county, or of a center above it (a city's or province's expert)."""
    return (
        mediator.is_active
        and mediator.org.is_active
        and (is_within(case.center_code, mediator.center_code) or is_within(mediator.center_code, case.county_code))
    )


@transaction.atomic
def assign(
    *,
    actor,
    case: Case,
    mediators: list[Mediator],
    note: str = "",
    reasons: dict | None = None,
    expected_version: int | None = None,
) -> Case:
    """Put the case in mediation with these mediators. Each with an account gets the case (a grant)
    for as long as the assignment stands."""
    case = start_verb(case, actor, "assign-mediator", expected_version)
    if not mediators:
        raise MediationError(_("Choose at least one mediator."), field="mediators")
    now = timezone.now()
    for mediator in mediators:
        if not in_reach(mediator, case):
            raise MediationError(
                _("%(name)s cannot be assigned to this case.") % {"name": mediator.name}, field="mediators"
            )
        if Assignment.objects.filter(case=case, mediator=mediator, ended_at__isnull=True).exists():
            raise MediationError(_("%(name)s is already on this case.") % {"name": mediator.name}, field="mediators")
        Assignment.objects.create(
            case=case,
            mediator=mediator,
            assigned_by=actor,
            assigned_at=now,
            reasons=(reasons or {}).get(mediator.pk, []),
        )
    grantees = [m.user for m in mediators if m.user_id]
    return put_in_mediation(case=case, actor=actor, names=[m.name for m in mediators], grantees=grantees, note=note)


@transaction.atomic
def unassign(*, actor, assignment: Assignment, reason: str = "") -> Assignment:
    """Take a mediator off the case; a mediator with an account loses the case unless still on it
    another way (their own center's rights stay as they are)."""
    case = lock_case(assignment.case, None)
    if not access.can(actor, Action.CASE_ASSIGN_MEDIATOR, case):
        raise NotAllowed(_("You may see this case but not change its mediators."))
    assignment = Assignment.objects.select_for_update().get(pk=assignment.pk)
    if assignment.ended_at:
        raise CaseConflict(_("This mediator is no longer on the case."))
    assignment.ended_at = timezone.now()
    assignment.save(update_fields=["ended_at"])
    user = assignment.mediator.user
    still_on = Assignment.objects.filter(case=case, mediator__user=user, ended_at__isnull=True).exists()
    if user is not None and not still_on:
        access.revoke(user, Action.CASE_RESOLVE, case)
    apply_step(case, actor, Step("unassign-mediator", note=reason, data={"mediator": assignment.mediator.name}))
    return assignment


# --- Sessions --------------------------------------------------------------------------------------

# What a session's outcome does to the case: an agreement resolves it; no agreement or a withdrawal
# ends the mediation without one.
OUTCOME_TO_CASE = {
    MediationSession.Outcome.AGREED: "resolved",
    MediationSession.Outcome.FAILED: "failed",
    MediationSession.Outcome.WITHDRAWN: "failed",
}


@transaction.atomic
def session_log(
    *,
    actor,
    case: Case,
    held_at,
    place: str,
    mediators: list[Mediator],
    attendees: str,
    notes: str,
    outcome: str,
    next_steps: str = "",
) -> MediationSession:
    """Record a mediation session; its outcome moves the case through the workflow's own verbs."""
    case = lock_case(case, None)
    if not access.can(actor, Action.CASE_RESOLVE, case):
        raise NotAllowed(_("Only the case's mediators and its center record sessions."))
    if case.status != Status.IN_MEDIATION:
        raise CaseConflict(_("Sessions are recorded while the case is in mediation."))
    if outcome not in MediationSession.Outcome.values:
        raise MediationError(_("Unknown outcome: %(outcome)s.") % {"outcome": outcome}, field="outcome")
    if held_at > timezone.now():
        raise MediationError(_("A session is recorded after it was held, not before."), field="held_at")
    if not mediators:
        raise MediationError(_("Say which mediators held the session."), field="mediators")
    for mediator in mediators:
        if not in_reach(mediator, case):
            raise MediationError(_("One of the chosen mediators cannot mediate this case."), field="mediators")
    for name, value in (("place", place), ("attendees", attendees), ("notes", notes)):
        if not value.strip():
            raise MediationError(_("This field is required."), field=name)
    session = MediationSession.objects.create(
        case=case,
        held_at=held_at,
        place=place.strip(),
        attendees=attendees.strip(),
        notes=notes.strip(),
        next_steps=next_steps.strip(),
        outcome=outcome,
        recorded_by=actor,
    )
    session.mediators.set(mediators)
    step = Step(
        "session",
        note=notes.strip()[:500],
        data={"session": session.pk, "outcome": outcome, "held_at": held_at.isoformat()},
    )
    case = apply_step(case, actor, step)
    if outcome in OUTCOME_TO_CASE:
        summary = next_steps.strip() or notes.strip()
        case_resolve(actor=actor, case=case, outcome=OUTCOME_TO_CASE[outcome], note=summary[:1000])
    return session


# --- Agreements ------------------------------------------------------------------------------------


@dataclass
class TermInput:
    text: str
    due_date: date | None
    manner: str = ""
    place: str = ""
    amount: Decimal | None = None


@dataclass
class AgreementInput:
    facts: str
    disputed_matters: str
    terms: list[TermInput]
    responsibilities: str = ""
    copies: int = 3
    mediators: list[Mediator] = field(default_factory=list)


def _check_agreement(data: AgreementInput, case: Case) -> None:
    for mediator in data.mediators:
        if not in_reach(mediator, case):
            raise MediationError(
                _("A mediator named on the agreement must be able to mediate this case."), field="mediators"
            )
    _check_body(data)


def _check_body(data: AgreementInput) -> None:
    if not data.facts.strip():
        raise MediationError(_("State the main facts."), field="facts")
    if not data.disputed_matters.strip():
        raise MediationError(_("State the matters in dispute."), field="disputed_matters")
    if not data.terms:
        raise MediationError(_("An agreement needs at least one term."), field="terms")
    for position, term in enumerate(data.terms, start=1):
        if not term.text.strip():
            raise MediationError(_("Term %(n)d says nothing.") % {"n": position}, field="terms")
        if term.due_date is None:
            raise MediationError(
                _("Term %(n)d needs a date by which it is performed.") % {"n": position}, field="terms"
            )
        if term.amount is not None and term.amount < 0:
            raise MediationError(_("Term %(n)d has a negative amount.") % {"n": position}, field="terms")
    if data.copies < 2:
        raise MediationError(_("At least two copies: one for each side."), field="copies")


def _next_number(org: MediationOrg, year: int) -> tuple[int, str]:
    MediationOrg.objects.select_for_update().filter(pk=org.pk).first()  # one number at a time per organisation
    last = Agreement.objects.filter(org=org, year=year).aggregate(last=Max("serial"))["last"] or 0
    serial = last + 1
    return serial, f"{org.short_name}人调〔{year}〕{serial}号"


def _party_details(party: Party) -> dict:
    details = {"sex": "", "birth_date": None}
    if party.party_kind == Party.PartyKind.PERSON and party.id_number:
        details["birth_date"] = ric.get_birth_date(party.id_number)
        details["sex"] = "男" if int(party.id_number[16]) % 2 else "女"
    return details


def _write_body(agreement: Agreement, data: AgreementInput) -> None:
    agreement.terms.all().delete()
    AgreementTerm.objects.bulk_create(
        AgreementTerm(
            agreement=agreement,
            position=position,
            text=term.text.strip(),
            manner=term.manner.strip(),
            place=term.place.strip(),
            due_date=term.due_date,
            amount=term.amount,
        )
        for position, term in enumerate(data.terms, start=1)
    )
    if data.mediators:
        agreement.mediators.set(data.mediators)


@transaction.atomic
def agreement_draft(*, actor, case: Case, org: MediationOrg, data: AgreementInput) -> Agreement:
    """Draft the agreement of a case: the parties come from the case, with what the format needs."""
    case = lock_case(case, None)
    if not access.can(actor, Action.CASE_RESOLVE, case):
        raise NotAllowed(_("Only the case's mediators and its center draft its agreement."))
    if case.status not in (Status.IN_MEDIATION, Status.RESOLVED):
        raise CaseConflict(_("An agreement is drafted while the case is in mediation or just resolved."))
    if Agreement.objects.filter(case=case, status__in=[Agreement.State.DRAFT, Agreement.State.SIGNED]).exists():
        raise CaseConflict(_("This case already has an agreement: edit the draft, or supersede the signed one."))
    _check_agreement(data, case)
    year = timezone.localdate().year
    serial, number = _next_number(org, year)
    agreement = Agreement.objects.create(
        case=case,
        org=org,
        center_code=case.center_code,
        number=number,
        year=year,
        serial=serial,
        facts=data.facts.strip(),
        disputed_matters=data.disputed_matters.strip(),
        responsibilities=data.responsibilities.strip(),
        copies=data.copies,
        drafted_by=actor,
    )
    AgreementParty.objects.bulk_create(
        AgreementParty(
            agreement=agreement,
            party=party,
            role=party.role,
            party_kind=party.party_kind,
            name=party.name,
            id_number=party.id_number,
            address=party.address,
            **_party_details(party),
        )
        for party in case.parties.all()
    )
    _write_body(agreement, data)
    audit.record(
        actor=actor,
        action="mediation.agreement_draft",
        obj=agreement,
        center_code=case.center_code,
        data={"number": number},
    )
    return agreement


def _lock_agreement(agreement: Agreement, actor) -> Agreement:
    agreement = Agreement.objects.select_for_update().select_related("case").get(pk=agreement.pk)
    if not access.can(actor, Action.CASE_RESOLVE, agreement.case):
        raise NotAllowed(_("Only the case's mediators and its center change its agreement."))
    return agreement


@transaction.atomic
def agreement_edit(*, actor, agreement: Agreement, data: AgreementInput) -> Agreement:
    agreement = _lock_agreement(agreement, actor)
    if agreement.is_locked:
        raise CaseConflict(_("A signed agreement is never edited: make a new version that supersedes it."))
    _check_agreement(data, agreement.case)
    agreement.facts, agreement.disputed_matters = data.facts.strip(), data.disputed_matters.strip()
    agreement.responsibilities, agreement.copies = data.responsibilities.strip(), data.copies
    agreement.save()
    _write_body(agreement, data)
    _revoke_printed(agreement, _("the draft was changed after printing"), actor)
    audit.record(actor=actor, action="mediation.agreement_edit", obj=agreement, center_code=agreement.center_code)
    return agreement


@transaction.atomic
def agreement_sign(*, actor, agreement: Agreement, signed_on: date, scan) -> Agreement:
    """The agreement was signed on paper: its scan is uploaded and from now on it is locked."""
    from govcenter.uploads import SCAN_FILES, check_upload

    agreement = _lock_agreement(agreement, actor)
    if agreement.is_locked:
        raise CaseConflict(_("This agreement is already signed."))
    if signed_on > timezone.localdate():
        raise MediationError(_("The signing date cannot be in the future."), field="signed_on")
    check_upload(scan, SCAN_FILES, field="scan")
    agreement.signed_scan.save(scan.name, scan, save=False)
    agreement.status, agreement.signed_at = Agreement.State.SIGNED, signed_on
    agreement.save(update_fields=["signed_scan", "status", "signed_at", "updated_at"])
    audit.record(
        actor=actor,
        action="mediation.agreement_sign",
        obj=agreement,
        center_code=agreement.center_code,
        data={"number": agreement.number},
    )
    return agreement


@transaction.atomic
def agreement_supersede(*, actor, agreement: Agreement, data: AgreementInput, reason: str) -> Agreement:
    """Correct a signed agreement: a new version (same number, next version) in draft replaces it."""
    old = _lock_agreement(agreement, actor)
    if old.status != Agreement.State.SIGNED:
        raise CaseConflict(_("Only a signed agreement is superseded; a draft is simply edited."))
    if not reason.strip():
        raise MediationError(_("Say what the new version corrects."), field="reason")
    _check_agreement(data, old.case)
    old.status = Agreement.State.SUPERSEDED
    old.save(update_fields=["status", "updated_at"])
    _revoke_printed(old, reason.strip(), actor)
    new = Agreement.objects.create(
        case=old.case,
        org=old.org,
        center_code=old.center_code,
        number=f"{old.org.short_name}人调〔{old.year}〕{old.serial}号（第{old.version + 1}版）",
        year=old.year,
        serial=old.serial,
        version=old.version + 1,
        supersedes=old,
        facts=data.facts.strip(),
        disputed_matters=data.disputed_matters.strip(),
        responsibilities=data.responsibilities.strip(),
        copies=data.copies,
        drafted_by=actor,
    )
    AgreementParty.objects.bulk_create(
        AgreementParty(
            agreement=new,
            **{
                f: getattr(p, f)
                for f in (
                    "party_id",
                    "role",
                    "party_kind",
                    "name",
                    "sex",
                    "birth_date",
                    "id_number",
                    "address",
                    "legal_representative",
                    "agent",
                )
            },
        )
        for p in old.parties.all()
    )
    _write_body(new, AgreementInput(**{**data.__dict__, "mediators": data.mediators or list(old.mediators.all())}))
    audit.record(
        actor=actor,
        action="mediation.agreement_supersede",
        obj=new,
        center_code=new.center_code,
        data={"supersedes": old.number, "reason": reason.strip()},
    )
    return new


def _revoke_printed(agreement: Agreement, reason: str, actor) -> None:
    """A superseded agreement's printed copies must say so when their code is checked."""
    printed = IssuedDocument.objects.filter(
        object_type="mediation.agreement", object_id=str(agreement.pk), is_revoked=False
    )
    for document in printed:
        documents.revoke(document, _("Superseded by a corrected version: %(reason)s") % {"reason": reason}, actor=actor)


@transaction.atomic
def term_check(*, actor, term: AgreementTerm, fulfilment: str, checked_on: date, note: str = "") -> AgreementTerm:
    """Record whether one term was performed (fulfilled, partly, not)."""
    term = AgreementTerm.objects.select_for_update().select_related("agreement__case").get(pk=term.pk)
    if not access.can(actor, Action.CASE_RESOLVE, term.agreement.case):
        raise NotAllowed(_("Only the case's mediators and its center check its agreement."))
    if term.agreement.status != Agreement.State.SIGNED:
        raise CaseConflict(_("Only the terms of a signed agreement are checked."))
    if fulfilment not in AgreementTerm.Fulfilment.values or fulfilment == AgreementTerm.Fulfilment.PENDING:
        raise MediationError(_("Say whether the term was fulfilled, partly fulfilled or not."), field="fulfilment")
    if checked_on > timezone.localdate():
        raise MediationError(_("The check date cannot be in the future."), field="checked_on")
    term.fulfilment, term.checked_at, term.fulfilment_note = fulfilment, checked_on, note.strip()
    term.save(update_fields=["fulfilment", "checked_at", "fulfilment_note"])
    audit.record(
        actor=actor,
        action="mediation.term_check",
        obj=term.agreement,
        center_code=term.agreement.center_code,
        data={"term": term.position, "fulfilment": fulfilment},
    )
    return term


# --- Printing --------------------------------------------------------------------------------------

CHINESE_ORDINALS = "一二三四五六七八九十"
ROLE_NAMES = {"applicant": "申请人", "respondent": "被申请人", "third_party": "第三人"}


def _ordinal(n: int) -> str:
    if n <= 10:
        return CHINESE_ORDINALS[n - 1]
    tens, units = divmod(n, 10)
    return ("" if tens == 1 else CHINESE_ORDINALS[tens - 1]) + "十" + (CHINESE_ORDINALS[units - 1] if units else "")


def _check_printer(actor, case: Case) -> None:
    if not access.can(actor, Action.CASE_PII_VIEW, case):
        raise NotAllowed(_("The document carries personal data: only the case's mediators and its center print it."))


def _printed_parties(agreement: Agreement) -> list[dict]:
    return [{**p.__dict__, "role_label": ROLE_NAMES.get(p.role, p.role)} for p in agreement.parties.all()]


def _print(*, actor, template: str, kind: str, title: str, reference: str, obj, center_code: str, context: dict):
    from govcenter.pdf import render_pdf

    document = documents.issue_document(
        kind=kind, title=title, reference=reference, obj=obj, center_code=center_code, actor=actor
    )
    pdf = render_pdf(template, context, document=document)
    audit.record(
        actor=actor,
        action=f"mediation.print.{kind}",
        obj=obj,
        center_code=center_code,
        data={"reference": reference, "document": document.code},
    )
    return pdf, document


def agreement_pdf(*, actor, agreement: Agreement) -> tuple[bytes, IssuedDocument]:
    """Print the agreement: a new verification code each time (a printed copy is a document issued);
    it carries full identity numbers, so only those who may see them print it."""
    from mediation.numerals import yuan_in_capitals

    _check_printer(actor, agreement.case)
    if agreement.status == Agreement.State.SUPERSEDED:
        raise CaseConflict(_("This agreement was superseded: print the current version."))
    terms = [
        {
            "ordinal": _ordinal(t.position),
            "text": t.text,
            "manner": t.manner,
            "place": t.place,
            "due_date": t.due_date,
            "amount_figures": f"{t.amount:,.2f}" if t.amount is not None else "",
            "amount_words": yuan_in_capitals(t.amount) if t.amount is not None else "",
        }
        for t in agreement.terms.order_by("position")
    ]
    context = {
        "agreement": agreement,
        "parties": _printed_parties(agreement),
        "terms": terms,
        "mediators": list(agreement.mediators.all()),
        "copies_words": _ordinal(agreement.copies),
    }
    return _print(
        actor=actor,
        template="pdf/agreement.html",
        kind=IssuedDocument.Kind.AGREEMENT,
        title="人民调解协议书",
        reference=agreement.number,
        obj=agreement,
        center_code=agreement.center_code,
        context=context,
    )


def session_record_pdf(*, actor, session: MediationSession) -> tuple[bytes, IssuedDocument]:
    """The session record (调解笔录) to be checked and signed by those present."""
    case = session.case
    _check_printer(actor, case)
    with translation.override("zh-hans"):  # the record is a Chinese legal text, whoever prints it
        outcome = str(MediationSession.Outcome(session.outcome).label)
    context = {
        "session": session,
        "case": case,
        "mediators": list(session.mediators.all()),
        "held_at": timezone.localtime(session.held_at),
        "outcome": outcome,
    }
    return _print(
        actor=actor,
        template="pdf/session_record.html",
        kind=IssuedDocument.Kind.SESSION_RECORD,
        title="调解笔录",
        reference=case.number,
        obj=session,
        center_code=case.center_code,
        context=context,
    )


def confirmation_application_pdf(*, actor, agreement: Agreement) -> tuple[bytes, IssuedDocument]:
    """The parties' joint application for judicial confirmation (司法确认申请书) citing the agreement."""
    from govcenter.models import Department

    _check_printer(actor, agreement.case)
    if agreement.status != Agreement.State.SIGNED:
        raise CaseConflict(_("Judicial confirmation is applied for with a signed, current agreement."))
    court = (
        Department.objects.filter(kind=Department.Kind.COURT, center_code__in=lineage(agreement.center_code))
        .order_by("center_code")
        .first()
    )
    context = {
        "agreement": agreement,
        "case": agreement.case,
        "parties": _printed_parties(agreement),
        "court_name": court.name if court else "人民法院",
    }
    return _print(
        actor=actor,
        template="pdf/confirmation_application.html",
        kind=IssuedDocument.Kind.CONFIRMATION_APPLICATION,
        title="司法确认申请书",
        reference=agreement.number,
        obj=agreement,
        center_code=agreement.center_code,
        context=context,
    )
