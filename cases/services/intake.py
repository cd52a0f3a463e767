"""Intake: a case from any channel, with its parties, its number and its deadlines; repeated
reports; the citizens' QR form (扫码反映)."""

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal

from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from stdnum.cn import ric
from stdnum.exceptions import ValidationError as StdnumError

from cases import deadlines as sla
from cases import hooks
from cases.models import (
    OPEN_STATUSES,
    Case,
    CaseEvent,
    CaseNumberCounter,
    Category,
    Channel,
    Deadline,
    Kind,
    Party,
    Severity,
    Stage,
    Status,
    new_receipt,
)
from cases.notifications import notify_center, portal_text
from cases.risk.models import PersonFlag
from cases.services.core import CaseConflict, CaseError, Step, apply_step, lock_case
from govcenter import access, audit
from govcenter.access import Action
from govcenter.divisions import Level
from govcenter.errors import NotAllowed
from govcenter.models import Center
from govcenter.workdays import WorkCalendar

DUPLICATE_WINDOW = timedelta(days=30)


@dataclass
class PartyInput:
    role: str
    name: str
    id_number: str = ""
    phone: str = ""
    address: str = ""
    party_kind: str = Party.PartyKind.PERSON
    flags: list[str] = field(default_factory=list)  # early-warning flags (cases.risk.models.PersonFlag)


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


def clean_parties(parties: list[PartyInput]) -> list[Party]:
    if not any(p.role == Party.Role.APPLICANT for p in parties):
        raise CaseError(_("A case needs at least one applicant (the person who raised it)."), field="parties")
    rows = []
    for party in parties:
        if party.role not in Party.Role.values:
            raise CaseError(_("Unknown party role: %(role)s.") % {"role": party.role}, field="parties")
        if party.party_kind not in Party.PartyKind.values:
            raise CaseError(_("A party is a person or an organisation."), field="parties")
        if not party.name.strip():
            raise CaseError(_("Every party needs a name."), field="parties")
        id_number = normalise_id_number(party.id_number) if party.party_kind == Party.PartyKind.PERSON else ""
        flags = sorted(set(party.flags or []))
        if any(flag not in PersonFlag.values for flag in flags):
            raise CaseError(_("Unknown flag on a party."), field="parties")
        rows.append(
            Party(
                role=party.role,
                party_kind=party.party_kind,
                name=party.name.strip(),
                id_number=id_number,
                phone=normalise_phone(party.phone),
                address=party.address.strip(),
                flags=flags,
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
    """The next serial of a county's year and its case number: gapless, never repeated.

    One statement creates the year's counter or increments it, and keeps its row locked until the
    caller's transaction ends: a second intake in the county waits there for the first to commit (or
    roll back, which gives the serial back). Call it inside the transaction that creates the case, as
    late as possible, since every intake of the county queues behind the lock.
    """
    [(serial, number)] = allocate_numbers(county_code, year, 1)
    return serial, number


def allocate_numbers(county_code: str, year: int, count: int) -> list[tuple[int, str]]:
    """The next `count` serials of a county's year with their case numbers, in order: one counter
    upsert for the whole block (an import numbers thousands of cases), locked as `allocate_number`."""
    quote = connection.ops.quote_name
    table = quote(CaseNumberCounter._meta.db_table)
    county, year_, last = quote("county_code"), quote("year"), quote("last")
    with connection.cursor() as cursor:
        # The same statement on PostgreSQL and SQLite (3.35+): an upsert that returns the new value.
        cursor.execute(
            f"INSERT INTO {table} ({county}, {year_}, {last}) VALUES (%s, %s, %s) "
            f"ON CONFLICT ({county}, {year_}) DO UPDATE SET {last} = {table}.{last} + %s RETURNING {last}",
            [county_code, year, count, count],
        )
        (highest,) = cursor.fetchone()
    return [(serial, f"{county_code}-{year}-{serial:06d}") for serial in range(highest - count + 1, highest + 1)]


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
    preferred_mediation: str = ""  # named on the public form from the center's roster (a wish)


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


def _summarise_new_case(case: Case, deadlines: list[Deadline], now: datetime) -> None:
    """What sla.refresh_summary would set, for a case not saved yet (refresh_summary reads the
    deadlines back from the database): the stage due first among those not met, and whether any
    is already late. It goes into the INSERT, so the new row is not rewritten at once by an UPDATE
    of indexed columns (a second copy of the row in every one of its indexes).
    tests/cases/test_intake.py checks that refresh_summary finds nothing to change afterwards."""
    running = sorted((d for d in deadlines if d.met_at is None), key=lambda d: (d.due_at, sla.STAGE_ORDER[d.stage]))
    upcoming = running[0] if running else None
    case.next_due_at = upcoming.due_at if upcoming else None
    case.next_stage = str(upcoming.stage) if upcoming else ""
    case.is_overdue = not case.is_paused and any(d.due_at < now for d in running)


@transaction.atomic
def case_create(
    *,
    actor,
    center: Center,
    data: CaseInput,
    force_new: bool = False,
    received_at: datetime | None = None,
    public: bool = False,
    grid=None,
    visit=None,
) -> Case:
    """Record a new case at a center, with its parties, number, deadlines and timeline.

    When the same person raised the same matter within the window and it is still open, the
    caller is offered the open case (a 409 listing it) unless `force_new` is given; to merge, use
    `case_link_report` instead.
    """
    if not public and not access.can_at(actor, Action.CASE_CREATE, center.code):
        raise NotAllowed(_("You may not record cases at this center."))
    _check_input(data, center)
    parties = clean_parties(data.parties)
    now = timezone.now()
    received_at = received_at or now
    if not force_new:
        # Only cases the recorder may see are offered: the check must not tell anyone which cases
        # a phone or ID number has elsewhere.
        candidates = find_duplicates(center=center, parties=parties, category=data.category, now=now)
        duplicates = list(access.scope(actor, candidates, Action.CASE_VIEW)[:5])
        if duplicates:
            raise CaseConflict(
                _("The same person raised a case that is still open: link this report to it, or record it as new."),
                extra={"duplicates": [{"id": c.pk, "number": c.number, "title": c.title} for c in duplicates]},
            )
    county = center.code[:6]
    year = timezone.localtime(received_at).year  # the local year: 1 January starts at midnight in China
    case = Case(
        county_code=county,
        year=year,
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
        grid=grid,
        visit=visit,
        amount=data.amount,
        people_count=data.people_count,
        is_group_incident=data.is_group_incident,
        is_petition_related=data.is_petition_related,
        is_emergency=data.is_emergency,
        is_difficult=data.is_difficult,
        severity=data.severity,
        preferred_mediation=data.preferred_mediation[:120],
        receipt=_unique_receipt(),
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
        received_at=received_at,
    )
    # Everything that only reads (the receipt, the calendar, the time limits) comes before the number:
    # from allocate_number to the commit, every other intake of the county waits.
    calendar = WorkCalendar.around(timezone.localdate(received_at))
    deadlines = sla.build_deadlines(case, received_at, list(Stage), calendar)
    if data.category and not public:
        # A clerk who files a case with its category has responded and classified it.
        for deadline in deadlines:
            if deadline.stage in (Stage.RESPOND, Stage.CLASSIFY):
                deadline.met_at = now
    _summarise_new_case(case, deadlines, now)
    case.serial, case.number = allocate_number(county, year)
    case.save(force_insert=True)
    for party in parties:
        party.case = case
    Party.objects.bulk_create(parties)
    Deadline.objects.bulk_create(deadlines)
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
    notify_center(
        case,
        kind="case.new",
        text=portal_text(gettext_lazy("New case %(number)s: %(title)s"), {"number": case.number, "title": case.title}),
    )
    # Last: the audit chain's lock serialises every writer of the portal until this transaction commits.
    audit.record(actor=actor, action="case.create", obj=case, data={"number": case.number, "channel": case.channel})
    return case


@transaction.atomic
def case_link_report(*, actor, case: Case, note: str = "") -> Case:
    """Merge a repeated report into the open case (重复诉求并单) instead of opening another."""
    case = lock_case(case, None)
    if not case.is_open:
        raise CaseConflict(_("Only an open case can take a repeated report."))
    # Whoever may record cases where this one is handled, or where it was first reported.
    if not any(access.can_at(actor, Action.CASE_CREATE, code) for code in (case.center_code, case.origin_code)):
        raise NotAllowed(_("You may not add reports to this case."))
    case.report_count += 1
    step = Step("link-report", note=note, data={"report_count": case.report_count}, fields=("report_count",))
    return apply_step(case, actor, step)


def public_report(
    *,
    token: str,
    name: str,
    phone: str,
    kind: str,
    title: str,
    facts: str,
    place: str = "",
    honeypot: str = "",
    preferred: str = "",
) -> Case:
    """A citizen's report through a center's QR code: becomes a case at that center, channel QR.

    Not a transaction of its own: everything before case_create only reads, and case_create writes
    the case, the preferred mediation with it, in one transaction.
    """
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
    preferred_label = ""
    if preferred:
        # The roster is read only when a name was chosen: most reports name no one.
        roster = dict(hooks.public_roster(center))
        if preferred not in roster:
            raise CaseError(_("Choose the preferred mediator from the list."), field="preferred")
        preferred_label = roster[preferred]
    data = CaseInput(
        kind=kind,
        channel=Channel.QR,
        title=title,
        facts=facts,
        place=place,
        parties=[PartyInput(role=Party.Role.APPLICANT, name=name, phone=phone)],
        preferred_mediation=preferred_label,
    )
    return case_create(actor=None, center=center, data=data, force_new=True, public=True)
