"""Historic cases: the closed and open cases of the system a province leaves, one row per case with
its applicant and respondent (and any further parties by name, as third parties), so the dashboards
and rankings show the past years from the first day.

The natural key is the origin center and the original number (原编号), kept on the case: a case
already imported is left as it is whatever its row says now (from its import on, it lives in the
portal), so importing the same file again changes nothing.

Each new case gets a portal number like any other, in the county's series of the year it was
received. A closed case gets the time limits of today's policy counted from its receipt, met when
it was closed, so the on-time indicators judge it as they judge a case handled in the portal. An
open case's limits still to come run from the import under today's policy: counted from a receipt
years ago, every case still open would be overdue on the first day.
"""

import re
from datetime import datetime

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cases import deadlines as sla
from cases.models import Case, CaseEvent, Category, Channel, Deadline, Kind, Party, Rating, Stage, Status
from cases.services.intake import allocate_numbers
from govcenter import audit
from govcenter.divisions import Level
from govcenter.workdays import WorkCalendar
from onboarding.importers.base import Importer, Verb, zh_choices
from onboarding.importers.lookup import where_in
from onboarding.importers.staff import check_center, load_centers
from onboarding.tabular import Column, Row
from reports import rollups

IMPORT_STATUSES = (Status.RECEIVED, Status.CLASSIFIED, Status.IN_MEDIATION, Status.CLOSED)
OUTCOMES = {"化解成功": "resolved", "化解不成功": "failed"}
# Older dates are typing mistakes (1924 for 2024), not cases of a system that went digital later.
EARLIEST_YEAR = 1980
DATE_FORMATS = ("%Y-%m-%d", "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S")
PARTIES = (("applicant", Party.Role.APPLICANT), ("respondent", Party.Role.RESPONDENT))
# The cells a new case takes as they are (checked against the columns' choices and lengths).
ROW_VALUES = ("kind", "channel", "title", "facts", "outcome", "satisfaction", "original_number")
# 其他当事人: names separated as a spreadsheet cell lists them (not by spaces: a name may have one).
NAME_SEPARATORS = re.compile(r"[、,，;；\n]+")
MAX_OTHER_PARTIES = 20
NAME_LENGTH = Party._meta.get_field("name").max_length


class CaseImporter(Importer):
    kind = "cases"
    title = "历史案件"
    label = gettext_lazy("Historic cases")

    @classmethod
    def build_columns(cls) -> list[Column]:
        statuses = [(value, label) for value, label in Status.choices if value in IMPORT_STATUSES]
        return [
            Column(
                "原编号", "original_number", required=True, max_length=64, example="CG-2023-0001", text=True,
                help="原系统中的案件编号，同一受理中心内唯一；再次导入同一编号的案件不作改动。",
            ),
            Column("中心区划代码", "center", required=True, example="620102001", text=True,
                   help="受理该案件的县、乡镇（街道）或村（社区）中心。"),
            Column("来源渠道", "channel", required=True, choices=zh_choices(Channel.choices), example="来访"),
            Column("案件类型", "kind", required=True, choices=zh_choices(Kind.choices), example="矛盾纠纷"),
            Column("类别代码", "category", max_length=40, example="", help="可空：门户的案件类别代码。"),
            Column("事由摘要", "title", required=True, max_length=200, example="邻里排水纠纷"),
            Column("事实经过", "facts", example=""),
            Column("受理时间", "received_at", required=True, example="2024-03-05 09:30",
                   help="格式：2024-03-05 或 2024-03-05 09:30，不得晚于今天。"),
            Column("状态", "status", required=True, choices=zh_choices(statuses), example="已结案"),
            Column("办结时间", "closed_at", example="2024-03-08", help="已办结的案件必填，其他案件须空白。"),
            Column("办理结果", "outcome", choices=OUTCOMES, example="化解成功", help="已办结的案件必填。"),
            Column("满意度", "satisfaction", choices=zh_choices(Rating.Value.choices), example="满意",
                   help="可空；仅已办结的案件。"),
            Column("申请人姓名", "applicant_name", required=True, max_length=100, example="张三"),
            Column("申请人身份证号", "applicant_id", example="11010519491231002X", text=True),
            Column("申请人电话", "applicant_phone", example="13912345678", text=True),
            Column("被申请人姓名", "respondent_name", max_length=100, example="李四"),
            Column("被申请人身份证号", "respondent_id", example="", text=True),
            Column("被申请人电话", "respondent_phone", example="", text=True),
            Column("其他当事人", "others", example="",
                   help="可空：其余当事人的姓名或单位名称，用顿号、逗号、分号或换行分隔，至多20个，记为第三人。"),
        ]  # fmt: skip

    # --- Plan ------------------------------------------------------------------------------------

    def plan_rows(self, rows: list[Row]) -> None:
        centers = load_centers(row.get("center") for row in rows)
        categories = {c.code: c for c in Category.objects.filter(code__in={row.get("category") for row in rows})}
        existing = {
            (case.origin_code, case.original_number): case
            for case in where_in(
                Case.objects.filter(original_number__isnull=False).only("id", "origin_code", "original_number"),
                "original_number",
                (row.get("original_number") for row in rows),
            )
        }
        self.now = timezone.now()
        self.limits = {}  # the time limits of each (kind, channel), looked up once
        seen = {}
        for row in rows:
            center = check_center(self, row, "center", centers)
            if center is not None and center.level < Level.COUNTY:
                self.error(row, "center", _("Cases are handled at county, township or village centers."))
            values = self._values(row, categories)
            if center is None or row.errors:
                continue
            key = (center.code, row.get("original_number"))
            if not self.once(seen, row, key, "original_number"):
                continue
            label = f"{center.code} {row.get('original_number')}"
            if key in existing:
                self.record(Verb.UNCHANGED, label, row, obj=existing[key])
            else:
                self.record(Verb.CREATED, label, row, center=center, **values)

    def _values(self, row: Row, categories: dict) -> dict:
        category = None
        if row.get("category"):
            category = categories.get(row.get("category"))
            if category is None:
                self.error(row, "category", _("No category has this code."))
        received_at = self._moment(row, "received_at")
        closed_at = self._moment(row, "closed_at")
        closed = row.get("status") == Status.CLOSED
        if closed:
            if not row.get("closed_at"):
                self.error(row, "closed_at", _("A closed case needs its closing date."))
            if not row.get("outcome"):
                self.error(row, "outcome", _("A closed case needs its outcome."))
            if received_at and closed_at and closed_at < received_at:
                if timezone.localdate(closed_at) == timezone.localdate(received_at) and _date_only(
                    row.get("closed_at")
                ):
                    # Closed on the day it came in, the hour not known: closed when received.
                    closed_at = received_at
                else:
                    self.error(row, "closed_at", _("A case cannot close before it was received."))
        else:
            for key in ("closed_at", "outcome", "satisfaction"):
                if row.get(key):
                    self.error(row, key, _("Only a closed case has this; leave it empty."))
        parties = [party for party in (self._party(row, prefix, role) for prefix, role in PARTIES) if party]
        parties += self._others(row)
        return {
            "category": category,
            "received_at": received_at,
            "closed_at": closed_at,
            "parties": parties,
            "row_status": row.get("status"),
            **{key: row.get(key) for key in ROW_VALUES},
        }

    def _moment(self, row: Row, key: str) -> datetime | None:
        text = row.get(key).replace("/", "-").replace(".", "-").replace("T", " ")
        if not text:
            return None
        for pattern in DATE_FORMATS:
            try:
                moment = timezone.make_aware(datetime.strptime(text, pattern))
                break
            except ValueError:
                continue
        else:
            self.error(row, key, _("Not a date: write it as 2024-03-05 or 2024-03-05 09:30."))
            return None
        if moment > self.now:
            self.error(row, key, _("This date is in the future."))
            return None
        if moment.year < EARLIEST_YEAR:
            self.error(row, key, _("A date before %(year)d is not a case's date.") % {"year": EARLIEST_YEAR})
            return None
        return moment

    def _party(self, row: Row, prefix: str, role: str) -> Party | None:
        name = row.get(f"{prefix}_name")
        id_number = self.check_id_number(row, f"{prefix}_id")
        phone = self.check_phone(row, f"{prefix}_phone")
        if not name:
            if id_number or phone:
                self.error(row, f"{prefix}_name", _("A party with an identity number or phone needs a name."))
            return None
        return Party(role=role, name=name, id_number=id_number, phone=phone)

    def _others(self, row: Row) -> list[Party]:
        """The further parties of a case with more than two, by name only, as third parties."""
        names = [name.strip() for name in NAME_SEPARATORS.split(row.get("others")) if name.strip()]
        if len(names) > MAX_OTHER_PARTIES:
            self.error(row, "others", _("At most %(n)d further parties.") % {"n": MAX_OTHER_PARTIES})
            return []
        too_long = [name for name in names if len(name) > NAME_LENGTH]
        if too_long:
            self.error(row, "others", _("A name has at most %(n)d characters.") % {"n": NAME_LENGTH}, value=too_long[0])
            return []
        return [Party(role=Party.Role.THIRD_PARTY, name=name) for name in names]

    # --- Apply -----------------------------------------------------------------------------------

    def apply(self) -> None:
        changes = sorted(self.of(Verb.CREATED), key=lambda change: change.payload["received_at"])
        if not changes:
            return
        calendar = WorkCalendar.load()
        cases = [self._case(change.payload) for change in changes]
        # Before the cases are saved: an open case's next deadline goes into its INSERT.
        deadlines = [deadline for case in cases for deadline in self._deadlines(case, calendar)]
        self._number(cases)
        Case.objects.bulk_create(cases, batch_size=2000)
        self.step(0.4)
        parties, events, ratings = [], [], []
        for change, case in zip(changes, cases, strict=True):
            payload = change.payload
            for party in payload["parties"]:
                party.case = case
                parties.append(party)
            events.append(self._event(case))
            if payload["satisfaction"]:
                ratings.append(Rating(case=case, value=payload["satisfaction"], source=Rating.Source.PHONE))
        Party.objects.bulk_create(parties, batch_size=2000)
        Deadline.objects.bulk_create(deadlines, batch_size=2000)
        CaseEvent.objects.bulk_create(events, batch_size=2000)
        Rating.objects.bulk_create(ratings, batch_size=2000)
        self.step(0.7)
        rollups.forget_past_months()
        entries = (
            audit.Entry(
                "case.import",
                case,
                case.center_code,
                {"number": case.number, "original_number": case.original_number, "import": True},
            )
            for case in cases
        )
        audit.record_many(actor=self.actor, entries=self.moving(entries, len(cases), 0.7))

    def _case(self, payload: dict) -> Case:
        row_status = payload["row_status"]
        center = payload["center"]
        closed = row_status == Status.CLOSED
        return Case(
            county_code=center.code[:6],
            year=timezone.localtime(payload["received_at"]).year,
            kind=payload["kind"],
            channel=payload["channel"],
            category=payload["category"],
            status=row_status,
            center=center,
            center_code=center.code,
            origin_center=center,
            origin_code=center.code,
            levels_passed=[center.code],
            resolved_level=center.level if closed and payload["outcome"] == "resolved" else None,
            title=payload["title"],
            facts=payload["facts"],
            original_number=payload["original_number"],
            created_by=self.actor if getattr(self.actor, "is_authenticated", False) else None,
            received_at=payload["received_at"],
            closed_at=payload["closed_at"] if closed else None,
        )

    def _number(self, cases: list[Case]) -> None:
        """Portal numbers, in order of receipt: one counter upsert per county and year for all its cases."""
        groups: dict[tuple[str, int], list[Case]] = {}
        for case in cases:
            groups.setdefault((case.county_code, case.year), []).append(case)
        for (county, year), members in groups.items():
            for case, (serial, number) in zip(members, allocate_numbers(county, year, len(members)), strict=True):
                case.serial, case.number = serial, number

    def _deadlines(self, case: Case, calendar: WorkCalendar) -> list[Deadline]:
        if case.status == Status.CLOSED:
            deadlines = self._build(case, case.received_at, list(Stage), calendar)
            for deadline in deadlines:
                early = deadline.stage in (Stage.RESPOND, Stage.CLASSIFY)
                deadline.met_at = case.received_at if early else case.closed_at
            return deadlines
        # Open: responded to (and classified, when it has its category) in the old system; the rest
        # runs from now.
        done = [Stage.RESPOND, Stage.CLASSIFY] if case.category_id else [Stage.RESPOND]
        met = self._build(case, case.received_at, done, calendar)
        for deadline in met:
            deadline.met_at = case.received_at
        running = self._build(case, self.now, [s for s in Stage if s not in done], calendar)
        upcoming = min(running, key=lambda d: (d.due_at, sla.STAGE_ORDER[d.stage]))
        case.next_due_at, case.next_stage = upcoming.due_at, str(upcoming.stage)
        return met + running

    def _build(self, case: Case, start: datetime, stages, calendar: WorkCalendar) -> list[Deadline]:
        """sla.build_deadlines, with the policy looked up once per kind and channel, not once per case."""
        key = (case.kind, case.channel)
        if key not in self.limits:
            self.limits[key] = sla.limits_for(*key)
        return sla.build_deadlines(case, start, stages, calendar, limits=self.limits[key])

    def _event(self, case: Case) -> CaseEvent:
        return CaseEvent(
            case=case,
            at=self.now,
            actor=case.created_by,
            verb="import",
            to_status=case.status,
            center_code=case.center_code,
            data={
                "original_number": case.original_number,
                "channel": case.channel,
                "kind": case.kind,
                "received_at": case.received_at.isoformat(),
                "closed_at": case.closed_at.isoformat() if case.closed_at else None,
            },
            version=case.version,
        )


def _date_only(text: str) -> bool:
    return len(text.strip()) <= 10
