"""Demo hand-offs (三调对接) for the demo cases: the court's, the police's and the petition office's.

`cases.demo.seed` calls `seed(ctx)` once its cases exist. Every case that came in through the court,
police or petition channel gets the hand-off that brought it, with the rows the services would have
written (`cases.services.handoffs`): the sender's reference, the receiving center, the status and
timeline following the case (received, accepted, returned with the hand-back note, closed with the
case), and the court's own steps (the 30-day limit and its one extension, judicial confirmation,
filing of what came back). The court also keeps records it did not divert (status "kept"), as many
as make about 39% of its pre-litigation cases diverted, the share one province reported for a year
(122,000 of 313,000, of which 82,000 = 67.2% mediated successfully). A diverted court case has the
court's limit in calendar days on its resolve and feedback deadlines, as `handoff_send` sets it.

Rows go in with `bulk_create`, county by county in one transaction each. Only cases without a
hand-off get one, so a second run adds nothing; references continue after those already given.
Every random choice comes from `ctx.rng_for("handoffs:<county>")`.

`after_users(ctx)` makes the demo `court`, `police` and `petition` logins the senders of their
hand-offs in the demo county (the sender's grant, `sent_by`, and the sender's timeline steps).
"""

import math
import re
import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Count
from django.utils import timezone

from cases import deadlines as sla
from cases import demo as case_demo
from cases.models import (
    Case,
    CaseEvent,
    Category,
    Channel,
    Deadline,
    DiversionRule,
    Handoff,
    HandoffEvent,
    Kind,
    Stage,
)
from cases.services.handoffs import COURT_DAYS
from govcenter import bulk
from govcenter.demo import IMPORT_USER, import_user, in_workers
from govcenter.models import Center

Source, State = Handoff.Source, Handoff.State
CHANNEL_SOURCE = {Channel.COURT: Source.COURT, Channel.POLICE: Source.POLICE, Channel.PETITION: Source.PETITION}

DIVERTED_SHARE = 0.39  # of the court's pre-litigation cases, the share sent to centers
FILED_SHARE = 0.8  # of the court cases that came back, the share the court filed (立案)
EXTENSION_MAX_DAYS = 90  # what handoff_extend allows
# The case's timeline verbs that matter to its hand-off: work began, the outcome, the end.
WORK_VERBS = ("assign-mediator", "dispatch", "escalate", "resolve", "fail", "hand-back", "close")
TAKEN_ON = frozenset({"assign-mediator", "dispatch", "resolve", "fail"})  # the center took it on

# The court's diversion catalog (诉前调解目录): the categories it sends to centers first.
DIVERSION_CATALOG = [
    ("d-marriage", "婚姻家庭纠纷（离婚案件经当事人同意）"),
    ("d-neighbour", "相邻关系、邻里纠纷"),
    ("d-property-mgmt", "物业服务合同纠纷"),
    ("d-consumer", "消费者权益保护纠纷"),
    ("d-contract--loan", "民间借贷纠纷（标的额五十万元以下）"),
    ("d-traffic", "机动车交通事故责任纠纷"),
    ("d-labour--wages", "追索劳动报酬纠纷"),
]

# The claim as the court's transfer states it, by category (the first matching prefix).
CLAIMS = [
    ("d-contract--loan", "请求判令被告归还借款{amount}并支付逾期利息"),
    ("d-contract", "请求判令被告支付合同价款{amount}"),
    ("d-traffic", "请求判令被告赔偿医疗费、误工费、护理费等各项损失{amount}"),
    ("d-marriage--divorce", "请求判令准予原、被告离婚，依法分割夫妻共同财产"),
    ("d-marriage--custody", "请求依法确定子女抚养关系，判令被告按月支付抚养费"),
    ("d-marriage--elder-support", "请求判令被告按月支付赡养费"),
    ("d-marriage--inheritance", "请求依法分割被继承人遗产"),
    ("d-marriage", "请求依法处理家庭纠纷"),
    ("d-labour", "请求判令被告支付拖欠的劳动报酬{amount}"),
    ("d-property-mgmt", "请求判令被告支付拖欠的物业服务费{amount}"),
    ("d-consumer", "请求判令被告退还货款并赔偿损失{amount}"),
    ("d-neighbour", "请求判令被告排除妨害、恢复原状"),
    ("d-housing", "请求判令被告排除妨害、返还房屋"),
    ("d-damages", "请求判令被告赔偿损失{amount}"),
    ("d-medical", "请求判令被告赔偿医疗损害损失{amount}"),
]
EXTENSION_REASONS = [
    "当事人申请延长调解期限，双方仍在协商",
    "案情较复杂，需进一步调查核实",
    "双方就赔偿数额已接近一致，申请延长调解",
    "需等待伤残鉴定结果后继续调解",
    "一方当事人在外务工，需另行约定调解时间",
]
CONFIRMATION_NOTES = {
    "requested": ["双方共同申请司法确认", "当事人持调解协议申请司法确认"],
    "confirmed": ["经审查，调解协议合法有效，裁定确认", "裁定确认调解协议有效"],
    "refused": ["调解协议内容超出当事人处分范围，裁定驳回申请", "经审查不符合司法确认条件，裁定驳回"],
}

REFERENCE_SERIAL = re.compile(r"^[(（](\d{4})[)）][\u4e00-\u9fff]\d{2,6}民诉前调(\d+)号$")


def _local(at: datetime | None) -> datetime | None:
    return timezone.localtime(at) if at is not None else None


def _office(at: datetime) -> datetime:
    return case_demo._office_hours(timezone.localtime(at))


@dataclass
class CaseFacts:
    """What a hand-off needs to know about its case, read off the case and its timeline."""

    id: int
    number: str
    channel: str
    kind: str
    category: str
    status: str
    origin: str
    received_at: datetime
    closed_at: datetime | None
    resolved_level: int | None
    report_count: int
    amount: Decimal | None
    title: str
    first_work: datetime | None = None
    resolve_at: datetime | None = None
    hand_back: tuple[datetime, str] | None = None
    close: tuple[datetime, str] | None = None
    taken_on: bool = False

    @property
    def end(self) -> datetime | None:
        """When the case stopped being open: handed back or closed."""
        if self.hand_back:
            return self.hand_back[0]
        return self.close[0] if self.close else None


# How the rows are written (govcenter.bulk): every field of a hand-off, and its timeline steps.
HANDOFFS = bulk.Table(Handoff, [f.name for f in Handoff._meta.concrete_fields if not f.primary_key])
HANDOFF_EVENTS = bulk.Table(HandoffEvent, ["handoff", "at", "actor", "verb", "from_status", "to_status", "note"])
COURT_LIMITS = bulk.Table(Deadline, ["start_at", "amount", "unit", "due_at", "overdue_at"])


class HandoffRow:
    """A hand-off being built: the attributes of a Handoff with its defaults, without a model instance
    (the rows are written through HANDOFFS)."""

    __slots__ = tuple(HANDOFFS.attnames)
    DEFAULTS = {field.attname: field.get_default() for field in HANDOFFS.fields}

    def __init__(self, **values):
        for name, default in self.DEFAULTS.items():
            setattr(self, name, values.pop(name, default))
        if values:
            raise TypeError(f"not a field of a hand-off: {', '.join(values)}")

    def row(self) -> tuple:
        return tuple(getattr(self, name) for name in self.__slots__)


class Row:
    """One hand-off being built: the hand-off and its timeline steps [at, verb, to_status, note, actor]."""

    __slots__ = ("handoff", "steps")

    def __init__(self, handoff: HandoffRow):
        self.handoff = handoff
        self.steps: list[tuple] = []

    def step(self, at, verb, to_status=None, note="", actor=None):
        self.steps.append((at, verb, to_status, note, actor))


class CountyHandoffs:
    """The hand-offs of one county's court, police and petition cases."""

    def __init__(self, ctx, county: Center, city_name: str, centers: dict, import_user_id: int, now: datetime):
        self.county = county
        self.city_name = city_name
        self.centers = centers  # code → (id, name), the county's subtree
        self.user_id = import_user_id
        self.now = now
        self.rng = ctx.rng_for(f"handoffs:{county.code}")
        self.court_name = f"{city_name}{county.name}人民法院"
        self.late = 0  # court cases still unresolved past even the extended limit (the sweep would return them)

    # --- Reading the cases ---------------------------------------------------------------------------

    def cases(self) -> list[CaseFacts]:
        rows = (
            Case.objects.filter(county_code=self.county.code, channel__in=list(CHANNEL_SOURCE), handoffs__isnull=True)
            .order_by("received_at", "number")
            .values_list(
                "id",
                "number",
                "channel",
                "kind",
                "category__code",
                "status",
                "origin_code",
                "received_at",
                "closed_at",
                "resolved_level",
                "report_count",
                "amount",
                "title",
            )
        )
        facts = {}
        for row in bulk.rows(rows):
            case = CaseFacts(*row)
            case.received_at, case.closed_at = _local(case.received_at), _local(case.closed_at)
            case.category = case.category or ""
            facts[case.id] = case
        if not facts:
            return []
        events = (
            CaseEvent.objects.filter(
                case__county_code=self.county.code, case__channel__in=list(CHANNEL_SOURCE), verb__in=WORK_VERBS
            )
            .order_by("case_id", "at", "id")
            .values_list("case_id", "verb", "at", "note")
        )
        for case_id, verb, at, note in bulk.rows(events):
            case = facts.get(case_id)
            if case is None:
                continue  # a case that already has its hand-off
            at = _local(at)
            if case.first_work is None:
                case.first_work = at
            if verb in TAKEN_ON:
                case.taken_on = True
            if verb == "resolve":
                case.resolve_at = at
            elif verb == "hand-back":
                case.hand_back = (at, note)
            elif verb == "close":
                case.close = (at, note)
        return list(facts.values())

    # --- Building ------------------------------------------------------------------------------------

    def build(self, cases: list[CaseFacts]) -> list[Row]:
        court, police, petition = [], [], []
        for case in cases:
            if case.channel == Channel.COURT:
                court.append(self._court(case))
            elif case.channel == Channel.POLICE:
                police += self._police(case)
            else:
                petition.append(self._petition(case))
        court += self._kept(court)
        self._number_court(court)
        self._number_police(police)
        self._number_petitions(petition)
        return court + police + petition

    def _receiving_center(self, code: str) -> tuple[int, str]:
        """Hand-offs go to a township or county center: a case begun at a village goes to its township."""
        code = code[:9] if len(code) == 12 else code
        return self.centers[code][0], code

    def _handoff(self, source: str, case: CaseFacts | None, sent_at: datetime, **fields) -> Row:
        center_id, center_code = self._receiving_center(case.origin if case else self.county.code)
        handoff = HandoffRow(
            source=source,
            case_id=case.id if case else None,
            center_id=center_id,
            center_code=center_code,
            sent_by_id=self.user_id,
            sent_at=sent_at,
            **fields,
        )
        row = Row(handoff)
        row.step(sent_at, "send", State.KEPT if case is None else State.SENT, actor=self.user_id)
        return row

    def _center_side(self, row: Row, case: CaseFacts, sent: datetime, before: datetime | None) -> None:
        """Receive and accept after sending, before the case's first piece of work (a case handed back
        unworked was never accepted), and the end the case gave the hand-off (`follow_case`):
        returned with the hand-back, or closed with the case. Only a very recent one is still waiting."""
        rng, now = self.rng, self.now
        accept = case.taken_on or case.end is None
        receive_at = _office(sent + timedelta(minutes=rng.uniform(5, 240)))
        accept_at = _office(receive_at + timedelta(minutes=rng.uniform(10, 18 * 60)))
        if before is not None and accept_at >= before:
            receive_at = sent + (before - sent) * rng.uniform(0.1, 0.4)
            accept_at = receive_at + (before - receive_at) * rng.uniform(0.2, 0.8)
        if receive_at <= now:
            row.step(receive_at, "receive", State.RECEIVED)
            if accept and accept_at <= now:
                row.step(accept_at, "accept", State.ACCEPTED)
        if case.hand_back:
            at, note = case.hand_back
            row.handoff.returned_at, row.handoff.return_reason = at, note
            row.step(at, "return", State.RETURNED, note)
        elif case.close:
            at, note = case.close
            row.step(at, "close", State.CLOSED, note)

    # The court.
    def _court(self, case: CaseFacts) -> Row:
        rng, now = self.rng, self.now
        sent = case.received_at
        due = sent + timedelta(days=COURT_DAYS)
        row = self._handoff(
            Source.COURT,
            case,
            sent,
            sender_code=self.county.code,
            sender_name=self.court_name,
            claim=self._claim(case.category, case.amount, case.title),
            due_at=due,
        )
        self._center_side(row, case, sent, case.first_work)
        handoff = row.handoff
        # Open and unresolved past the limit, the sweep returns it: the court extended it before.
        unresolved_until = min(x for x in (case.resolve_at, case.end, now) if x is not None)
        if unresolved_until > due:
            needed = (unresolved_until - due).total_seconds() / 86400
            days = min(EXTENSION_MAX_DAYS, COURT_DAYS * max(1, math.ceil(needed / COURT_DAYS)))
            extended_at = _office(sent + timedelta(days=rng.uniform(18, 28)))
            reason = rng.choice(EXTENSION_REASONS)
            handoff.due_at = due + timedelta(days=days)
            handoff.extended_at, handoff.extension_reason = extended_at, reason
            row.step(extended_at, "extend", note=reason, actor=self.user_id)
            if unresolved_until > handoff.due_at:
                self.late += 1
        if case.resolve_at is not None:
            self._confirmation(row, case.resolve_at)
        if case.hand_back and rng.random() < FILED_SHARE:
            filed_at = _office(case.hand_back[0] + timedelta(days=rng.uniform(1, 25)))
            if filed_at <= now:
                handoff.filed_at = filed_at
                row.step(filed_at, "file", State.CLOSED, actor=self.user_id)  # the note is the number
        return row

    def _confirmation(self, row: Row, resolved_at: datetime) -> None:
        """Judicial confirmation of the agreement: applied for after it was reached, decided within
        about two weeks; mostly confirmed, some still awaiting the decision, a few refused."""
        rng, now = self.rng, self.now
        r = rng.random()
        if r < 0.07:
            return  # the parties did not apply
        requested_at = _office(resolved_at + timedelta(days=rng.uniform(0.5, 10)))
        decided_at = _office(requested_at + timedelta(days=rng.uniform(2, 15)))
        if requested_at > now:
            return
        handoff = row.handoff
        handoff.confirmation, handoff.confirmation_at = "requested", requested_at
        note = rng.choice(CONFIRMATION_NOTES["requested"])
        row.step(requested_at, "confirmation-requested", note=note, actor=self.user_id)
        if decided_at > now or r > 0.95:
            return  # the court has not recorded its decision yet
        decision = "refused" if r > 0.90 else "confirmed"
        handoff.confirmation, handoff.confirmation_at = decision, decided_at
        note = rng.choice(CONFIRMATION_NOTES[decision])
        row.step(decided_at, f"confirmation-{decision}", note=note, actor=self.user_id)

    def _kept(self, diverted: list[Row]) -> list[Row]:
        """The court's pre-litigation cases it kept (not diverted), around the same days as the
        diverted ones, so that those are DIVERTED_SHARE of the court's cases in every season."""
        rng, now = self.rng, self.now
        if not diverted:
            return []
        count = round(len(diverted) * (1 - DIVERTED_SHARE) / DIVERTED_SHARE)
        days = [row.handoff.sent_at for row in diverted]
        first = min(days)
        kept = []
        for _ in range(count):
            day = rng.choice(days) + timedelta(days=rng.uniform(-3, 3))
            sent = _office(day.replace(hour=rng.randint(8, 17), minute=rng.randrange(60), second=rng.randrange(60)))
            sent = min(max(sent, first), now)
            code = rng.choice(DIVERSION_CATALOG)[0]
            amount = Decimal(int(5_000 * 100 ** rng.random()) // 100 * 100)
            kept.append(
                self._handoff(
                    Source.COURT,
                    None,
                    sent,
                    status=State.KEPT,
                    sender_code=self.county.code,
                    sender_name=self.court_name,
                    claim=self._claim(code, amount, "民事纠纷"),
                    due_at=sent + timedelta(days=COURT_DAYS),
                )
            )
        return kept

    @staticmethod
    def _claim(category: str, amount, title: str) -> str:
        money = f"{int(amount):,}元" if amount else ""
        for prefix, text in CLAIMS:
            if category.startswith(prefix):
                return text.format(amount=money)
        return f"请求依法处理{title}"

    def _number_court(self, rows: list[Row]) -> None:
        """(2026)甘0102民诉前调123号 in order of sending per year, continuing after references the
        court already gave; filing numbers (2026)甘0102民初456号 in order of filing, with gaps for
        the cases the court files without diverting them."""
        rng, court_no = self.rng, self.county.code[2:]
        taken = set(
            Handoff.objects.filter(source=Source.COURT, sender_code=self.county.code).values_list(
                "external_ref", flat=True
            )
        )
        serials: dict[int, int] = {}
        for ref in taken:
            match = REFERENCE_SERIAL.match(ref)
            if match:
                year, serial = int(match[1]), int(match[2])
                serials[year] = max(serials.get(year, 0), serial)
        rows.sort(key=lambda row: row.handoff.sent_at)
        for row in rows:
            year = row.handoff.sent_at.year
            while True:
                serials[year] = serials.get(year, 0) + 1
                ref = f"({year})甘{court_no}民诉前调{serials[year]}号"
                if ref not in taken:
                    break
            row.handoff.external_ref = ref
        filings: dict[int, int] = {}
        for row in sorted((r for r in rows if r.handoff.filed_at), key=lambda r: r.handoff.filed_at):
            year = row.handoff.filed_at.year
            filings[year] = filings.get(year, rng.randint(20, 200)) + rng.randint(3, 15)
            row.handoff.filing_number = f"({year})甘{court_no}民初{filings[year]}号"

    # The police.
    def _police(self, case: CaseFacts) -> list[Row]:
        """The alert that brought the case and, for an alert repeated while the case was open, one
        more hand-off for each joining the same case."""
        rng = self.rng
        sender_code = case.origin[:9]
        if len(sender_code) == 9:
            sender_name = f"{self.centers[sender_code][1]}派出所"
        else:
            sender_name = f"{self.county.name}公安{'分' if self.county.name.endswith('区') else ''}局"
        alerts = [(case.received_at - timedelta(minutes=rng.uniform(3, 120)), case.received_at)]
        repeats = case.report_count - 1
        if repeats > 0:  # joined while the case was open (a repeated alert about a closed one opens another)
            span = min(case.end or self.now, self.now) - case.received_at
            for at in sorted(case.received_at + span * rng.uniform(0.05, 0.85) for _ in range(repeats)):
                alerts.append((at, at + min(timedelta(minutes=rng.uniform(10, 90)), span * 0.1)))
        rows = []
        for index, (alert_at, sent) in enumerate(alerts):
            row = self._handoff(
                Source.POLICE, case, sent, sender_code=sender_code, sender_name=sender_name, alert_at=alert_at
            )
            before = case.first_work if index == 0 else case.end
            self._center_side(row, case, sent, before)
            rows.append(row)
        return rows

    def _number_police(self, rows: list[Row]) -> None:
        """警情编号 J{county}{yyyymmdd}{nnnn}: the alert's serial that day (dispute alerts are a few
        of the day's 110 calls, hence the gaps)."""
        family = f"J{self.county.code}"
        self._number(rows, family, lambda h: h.alert_at, lambda h: f"{family}{h.alert_at:%Y%m%d}", 4, (1, 40))

    # The petition office.
    def _petition(self, case: CaseFacts) -> Row:
        rng = self.rng
        if case.kind == Kind.REQUEST:
            category = Handoff.PetitionCategory.APPEAL
        elif case.hand_back or rng.random() < 0.04:  # 涉法涉诉: the petition office takes it back
            category = Handoff.PetitionCategory.LAW
        else:
            category = Handoff.PetitionCategory.DISPUTE
        row = self._handoff(
            Source.PETITION,
            case,
            case.received_at,
            sender_code=self.county.code,
            sender_name=f"{self.county.name}信访局",
            petition_category=category,
            repeat_count=max(0, case.report_count - 1),
        )
        self._center_side(row, case, case.received_at, case.first_work)
        return row

    def _number_petitions(self, rows: list[Row]) -> None:
        """信访件编号 XF{county}{year}{nnnnnn}, the year's serial of all petitions registered."""
        family = f"XF{self.county.code}"
        self._number(rows, family, lambda h: h.sent_at, lambda h: f"{family}{h.sent_at.year}", 6, (1, 6))

    def _number(self, rows: list[Row], family: str, when, prefix_of, width: int, gap: tuple[int, int]) -> None:
        """Serials per prefix in order of `when`, with gaps, after any already given (a second run
        over new cases, or hand-offs sent through the services)."""
        if not rows:
            return
        source = rows[0].handoff.source
        serials: dict[str, int] = {}
        for ref in Handoff.objects.filter(source=source, external_ref__startswith=family).values_list(
            "external_ref", flat=True
        ):
            prefix, tail = ref[:-width], ref[-width:]
            if tail.isdigit():
                serials[prefix] = max(serials.get(prefix, 0), int(tail))
        for row in sorted(rows, key=lambda r: when(r.handoff)):
            prefix = prefix_of(row.handoff)
            serials[prefix] = serials.get(prefix, 0) + self.rng.randint(*gap)
            row.handoff.external_ref = f"{prefix}{serials[prefix]:0{width}d}"

    # --- Writing -------------------------------------------------------------------------------------

    def insert(self, rows: list[Row]) -> int:
        rows.sort(key=lambda row: (row.handoff.sent_at, row.handoff.source))
        for row in rows:
            row.steps.sort(key=lambda step: step[0])  # stable: same-time steps keep their order
            status = ""
            for _at, _verb, to_status, _note, _actor in row.steps:
                status = to_status or status
            row.handoff.status = status
            row.handoff.updated_at = row.steps[-1][0]
        ids = HANDOFFS.insert([row.handoff.row() for row in rows], returning=True)
        events = []
        for handoff_id, row in zip(ids, rows, strict=True):
            handoff, status = row.handoff, ""
            for at, verb, to_status, note, actor in row.steps:
                if verb == "send":
                    note = handoff.external_ref
                elif verb == "file":
                    note = handoff.filing_number
                events.append((handoff_id, at, actor, verb, status, to_status or status, note))
                status = to_status or status
        HANDOFF_EVENTS.insert(events)
        self._court_limits([row.handoff for row in rows if row.handoff.source == Source.COURT and row.handoff.case_id])
        self._catalog()
        return len(rows)

    def _court_limits(self, handoffs: list[HandoffRow]) -> None:
        """The court's limit on the case's resolve and feedback stages, in calendar days from the
        sending (extended with the hand-off), as `handoff_send` and `handoff_extend` set it; whether a
        stage went overdue and the case's summary follow from the new due times."""
        rng, now = self.rng, self.now
        stages = [Stage.RESOLVE, Stage.FEEDBACK]
        by_case = {h.case_id: h for h in handoffs}
        ids = sorted(by_case)
        limits, states = [], {}
        for start in range(0, len(ids), 500):
            chunk = ids[start : start + 500]
            cases = {
                pk: (status, closed_at)
                for pk, status, closed_at in Case.objects.filter(pk__in=chunk).values_list("pk", "status", "closed_at")
            }
            states.update(cases)
            old = Deadline.objects.filter(case_id__in=chunk, stage__in=stages).values_list("pk", "case_id", "met_at")
            for pk, case_id, met_at in old:  # in the deadlines' order (Meta.ordering): the draws follow it
                handoff = by_case[case_id]
                status, closed_at = cases[case_id]
                stop = closed_at if status in sla.CLOCK_STOPPED else None
                amount = round((handoff.due_at - handoff.sent_at).total_seconds() / 86400)
                due = handoff.sent_at + timedelta(days=amount)
                swept = due + timedelta(seconds=rng.randrange(20, 300))
                overdue = swept < min(x for x in (met_at, stop, now) if x is not None)
                limits.append((pk, handoff.sent_at, amount, Deadline.Unit.DAYS, due, swept if overdue else None))
        COURT_LIMITS.update(limits)  # the county's at once: each update costs a scratch table
        open_ids = [pk for pk, (status, _closed) in states.items() if status not in sla.CLOCK_STOPPED]
        for start in range(0, len(open_ids), 500):
            changed = []
            for case in Case.objects.filter(pk__in=open_ids[start : start + 500]).prefetch_related("deadlines"):
                if sla.refresh_summary(case, now):
                    changed.append(case)
            Case.objects.bulk_update(changed, ["next_due_at", "next_stage", "is_overdue"])

    def _catalog(self) -> None:
        categories = dict(
            Category.objects.filter(code__in=[c for c, _n in DIVERSION_CATALOG]).values_list("code", "id")
        )
        DiversionRule.objects.bulk_create(
            [
                DiversionRule(court_code=self.county.code, category_id=categories[code], note=note)
                for code, note in DIVERSION_CATALOG
                if code in categories
            ],
            ignore_conflicts=True,
        )


def seed(ctx) -> None:
    started = time.perf_counter()
    now = case_demo._now()
    loads = dict(Case.objects.order_by().values_list("county_code").annotate(n=Count("id")))
    county_codes = sorted(loads)
    if not county_codes:
        return
    counties = list(Center.objects.filter(code__in=county_codes).select_related("parent").order_by("code"))
    user_id = import_user().pk

    def seed_county(county, say) -> tuple[int, int]:
        centers = {
            code: (pk, name)
            for code, pk, name in Center.objects.filter(code__startswith=county.code).values_list("code", "id", "name")
        }
        builder = CountyHandoffs(ctx, county, county.parent.name if county.parent else "", centers, user_id, now)
        with transaction.atomic():
            cases = builder.cases()
            if not cases:
                say(f"  hand-offs {county.code} {county.name}: every court, police and petition case has one")
                return 0, 0
            count = builder.insert(builder.build(cases))
        say(f"  hand-offs {county.code} {county.name}: {count:,} for {len(cases):,} cases")
        return count, builder.late

    made = late = 0
    with bulk.indexes_deferred(HandoffEvent):  # nothing reads the steps meanwhile (the hand-offs are read)
        for count, county_late in in_workers(ctx, counties, seed_county, size=lambda c: loads[c.code]):
            made += count
            late += county_late
    ctx.timings["handoffs"] = time.perf_counter() - started
    ctx.say(f"  hand-offs: {made:,} new in {ctx.timings['handoffs']:.1f} s")
    if late:
        ctx.say(f"  hand-offs: {late:,} court cases still unresolved past the extended limit")


def after_users(ctx) -> None:
    """The demo court, police and petition logins become the senders of their hand-offs in the demo
    county: the sender's grant on each, `sent_by` and the sender's own timeline steps, and (for the
    police, whose cases cases.demo does not grant) the grant on the cases they brought."""
    from django.contrib.auth.models import Permission

    from cases.models import CaseUserObjectPermission, HandoffUserObjectPermission
    from govcenter.demo import DEMO_COUNTY, DEMO_TOWNSHIP

    User = get_user_model()
    users = {u.username: u for u in User.objects.filter(username__in=["court", "police", "petition"])}
    importer = User.objects.filter(username=IMPORT_USER).values_list("pk", flat=True).first()
    send = Permission.objects.get(content_type__app_label="cases", codename="send_handoff")
    view_case = Permission.objects.get(content_type__app_label="cases", codename="view_case")
    grants, case_grants = [], []
    for username, source, sender_code in (
        ("court", Source.COURT, DEMO_COUNTY),
        ("police", Source.POLICE, DEMO_TOWNSHIP),
        ("petition", Source.PETITION, DEMO_COUNTY),
    ):
        user = users.get(username)
        if user is None:
            continue
        mine = Handoff.objects.filter(source=source, sender_code=sender_code)
        grants += [
            HandoffUserObjectPermission(user=user, permission=send, content_object_id=pk)
            for pk in mine.values_list("pk", flat=True)
        ]
        if source == Source.POLICE:
            case_grants += [
                CaseUserObjectPermission(user=user, permission=view_case, content_object_id=pk)
                for pk in mine.exclude(case=None).values_list("case_id", flat=True).distinct()
            ]
        if importer is not None:
            HandoffEvent.objects.filter(handoff__in=mine, actor_id=importer).update(actor=user)
            mine.filter(sent_by_id=importer).update(sent_by=user)
    HandoffUserObjectPermission.objects.bulk_create(grants, batch_size=2000, ignore_conflicts=True)
    CaseUserObjectPermission.objects.bulk_create(case_grants, batch_size=2000, ignore_conflicts=True)
    ctx.say(f"  demo users: {len(grants):,} hand-off grants for the court, police and petition staff")
