"""Synthetic but realistic cases for the demo: three years up to today, by season, channel and place.

`seed_demo` calls `seed(ctx)` after the center tree exists. Every county that has townships gets
cases at its villages (about a third), its townships (most) and the county center itself (a few),
with parties, the timeline, the five deadlines, dispatches to departments and ratings, all as the
services would have written them, but inserted with `bulk_create` in chunks.

How it stays deterministic and idempotent:
- each county draws from a generator of its own (`ctx.rng_for("cases:<county>")`), so the same seed
  gives the same cases, and adding counties (a larger scale) leaves the others alike;
- cases are generated relative to the moment of the run (today, three years back), and everything
  planned after that moment is cut off: a case received last week is still in mediation;
- a county is seeded whole or not at all, in one transaction: a county that already has cases is
  skipped, so a second run adds nothing (on the same day or any later one), and a run killed half-way
  through a province resumes with the county it was working on. (So a larger scale run over a
  smaller one only fills the counties that had no cases: change scale on an empty database.)

Numbers follow the services: `{county}-{year}-{serial:06d}`, serials in order of receipt within a
county and year (the local year), and `CaseNumberCounter.last` is the highest serial given.
"""

import bisect
import hashlib
import time
from contextlib import nullcontext
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from functools import lru_cache

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Count
from django.utils import timezone
from stdnum.cn import ric

from cases import deadlines as sla
from cases import demo_corpus as corpus
from cases import demo_grids, demo_handoffs
from cases.hotspots import demo as demo_hotspots
from cases.models import (
    Case,
    CaseEvent,
    CaseNumberCounter,
    Category,
    Channel,
    Deadline,
    Dispatch,
    Kind,
    Party,
    Rating,
    Severity,
    Stage,
    Status,
)
from cases.risk import demo as demo_risk
from cases.services import STAGE_MET_BY
from govcenter import bulk
from govcenter.demo import import_user, in_workers
from govcenter.divisions import Level
from govcenter.models import Center, Department
from govcenter.workdays import WorkCalendar

# About how many cases each scale gets in total, over three years.
TOTALS = {"small": 600, "county": 24_000, "province": 1_000_000}
YEARS = 3
CHUNK_SIZE = 5_000  # cases per bulk insert (with their parties, events, deadlines, dispatches, ratings)
BATCH_SIZE = 2_000  # rows per INSERT statement (SQLite lowers it further to fit its parameter limit)
COUNTY_SHARE = 0.05  # of a county's cases, handled at the county center from the start
GROWTH = 0.10  # a year: more people use the centers every year

Unit = Deadline.Unit
STAGES = tuple(Stage.values)  # in their order (sla.STAGE_ORDER)
PERSON, ORGANISATION = Party.PartyKind.PERSON, Party.PartyKind.ORGANISATION
TIME_UNITS = {Unit.MINUTES: "minutes", Unit.HOURS: "hours", Unit.DAYS: "days"}
LEVEL_BY_LENGTH = {6: Level.COUNTY, 9: Level.TOWNSHIP, 12: Level.VILLAGE}
PARENT_LENGTH = {12: 9, 9: 6}


def _now() -> datetime:
    """The moment the cases are generated up to (tests replace it to compare two runs)."""
    return timezone.now()


# --- The world a county's cases live in ---------------------------------------------------------


@dataclass
class Site:
    """A township with its villages, or a county center: where a share of a county's cases begin."""

    code: str
    name: str
    urban: bool
    weight: float
    villages: list[tuple[str, str]] = field(default_factory=list)  # (code, name)


@dataclass
class County:
    code: str
    name: str
    city: str
    urban: bool
    townships: list[Site] = field(default_factory=list)


class Draft:
    """One case before its details: when, where, what and how it came in."""

    __slots__ = ("received_at", "center", "kind", "category", "channel", "serial")

    def __init__(self, received_at, center, kind, category, channel):
        self.received_at = received_at
        self.center = center
        self.kind = kind
        self.category = category
        self.channel = channel
        self.serial = 0


class Plan:
    """A case's whole life as the services would have written it, before cutting it at today."""

    __slots__ = ("steps", "dispatches", "rating", "difficult", "intake_classified")

    def __init__(self):
        self.steps: list[list] = []  # [verb, at, to_status, center_code, note, data]
        self.dispatches: list[dict] = []
        self.rating: tuple | None = None  # (at, value, comment, source)
        self.difficult = False
        self.intake_classified = False


class PartyRow:
    """A party being made up (a model instance would cost more than all the choices that make it)."""

    __slots__ = ("role", "party_kind", "name", "id_number", "phone", "address")

    def __init__(self, role, party_kind, name, id_number, phone, address):
        self.role = role
        self.party_kind = party_kind
        self.name = name
        self.id_number = id_number
        self.phone = phone
        self.address = address

    def row(self) -> tuple:
        """In PARTIES' fields, after the case id."""
        return (self.role, self.party_kind, self.name, self.id_number, self.phone, self.address)


# How the rows of a case are written (govcenter.bulk): the fields of the tuples CountySeeder builds.
CASES = bulk.Table(
    Case,
    [
        "number",
        "county_code",
        "year",
        "serial",
        "kind",
        "channel",
        "category",
        "status",
        "center",
        "center_code",
        "origin_center",
        "origin_code",
        "levels_passed",
        "resolved_level",
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
        "next_due_at",
        "next_stage",
        "is_overdue",
        "review_required",
        "receipt",
        "version",
        "received_at",
        "created_at",
        "updated_at",
        "closed_at",
        "grid",
        "visit",
    ],
)
PARTIES = bulk.Table(Party, ["case", "role", "party_kind", "name", "id_number", "phone", "address"])
EVENTS = bulk.Table(
    CaseEvent, ["case", "at", "verb", "from_status", "to_status", "center_code", "note", "data", "version"]
)
DEADLINES = bulk.Table(Deadline, ["case", "stage", "start_at", "amount", "unit", "due_at", "met_at", "overdue_at"])
DISPATCHES = bulk.Table(
    Dispatch,
    [
        "case",
        "department",
        "status",
        "due_at",
        "instructions",
        "dispatched_by",
        "dispatched_at",
        "answered_at",
        "decline_reason",
        "progress",
        "result",
        "reported_at",
    ],
)
RATINGS = bulk.Table(Rating, ["case", "value", "comment", "source", "rated_at"])


def _receipt(key: bytes, value: int) -> str:
    """A receipt code from a 50-bit number through a keyed Feistel permutation: unique for unique
    numbers (a bijection), random-looking, and the same for the same seed."""
    mask = (1 << 25) - 1
    left, right = value >> 25, value & mask
    for round_ in range(4):
        digest = hashlib.blake2b(right.to_bytes(4, "big") + bytes([round_]), key=key, digest_size=4).digest()
        left, right = right, left ^ (int.from_bytes(digest, "big") & mask)
    code = (left << 25) | right
    return "".join(corpus.ALPHABET[(code >> shift) & 31] for shift in range(45, -1, -5))


def _office_hours(at: datetime) -> datetime:
    """Move a time of night into the next morning: 20:00–08:00 folds into 08:00–09:00, keeping the
    order of the times (the caller's datetimes are in local time)."""
    if 8 <= at.hour < 20:
        return at
    evening = at.replace(hour=20, minute=0, second=0, microsecond=0)
    if at.hour < 8:
        evening -= timedelta(days=1)
    morning = (evening + timedelta(days=1)).replace(hour=8)
    return morning + (at - evening) / 12


def _cumulative(weights) -> list[float]:
    total, out = 0.0, []
    for weight in weights:
        total += weight
        out.append(total)
    return out


def _place_factor(code: str, urban: bool) -> float:
    for prefix, in_town, in_country in corpus.PLACE_FACTORS:
        if code.startswith(prefix):
            return in_town if urban else in_country
    return 1.0


class World:
    """What every county shares: categories, departments, calendar, limits and the tables the
    random choices are drawn from, built once per run."""

    def __init__(self, ctx, now: datetime):
        self.ctx = ctx
        self.now = now
        self.tz = timezone.get_current_timezone()
        self.today = timezone.localtime(now).date()
        # The day after the same date three years ago (spelled so that 29 February cannot fail).
        self.first_day = date(self.today.year - YEARS, self.today.month, 1) + timedelta(days=self.today.day)
        self.calendar = WorkCalendar.load()
        self.category_ids = dict(Category.objects.values_list("code", "id"))
        self._workdays: dict[tuple[date, int], date] = {}
        self._limits: dict[tuple[str, str], dict] = {}
        self.center_ids: dict[str, int] = {}
        self.names: dict[str, str] = {}
        self.departments: dict[str, list[tuple[int, str, str]]] = {}
        self.department_choices: dict[tuple[str, str], list[tuple[int, str, str]]] = {}  # see CountySeeder
        for dept_id, code, name, kind in Department.objects.filter(is_active=True).values_list(
            "id", "center_code", "name", "kind"
        ):
            self.departments.setdefault(code, []).append((dept_id, name, kind))
        for rows in self.departments.values():
            rows.sort()
        self._build_tables()

    # The calendar, cached: the same date plus the same number of working days, computed once.
    def add_workdays(self, moment: datetime, days: int) -> datetime:
        key = (moment.date(), days)
        day = self._workdays.get(key)
        if day is None:
            day = self._workdays[key] = self.calendar.add(moment.date(), days)
        return moment.replace(year=day.year, month=day.month, day=day.day)

    def limits(self, kind: str, channel: str) -> dict:
        key = (kind, channel)
        if key not in self._limits:
            self._limits[key] = sla.limits_for(kind, channel)
        return self._limits[key]

    def due(self, start: datetime, amount: int, unit: str) -> datetime:
        """The same as cases.deadlines.compute_due for a deadline without pauses."""
        if unit == Unit.WORKDAYS:
            return self.add_workdays(start, amount)
        return start + timedelta(**{TIME_UNITS[unit]: amount})

    # The tables of what comes in when.
    def _phase(self, day: date) -> str:
        festival = corpus.SPRING_FESTIVAL.get(day.year + 1 if day.month >= 9 else day.year)
        if festival is None:
            festival = date(day.year + 1 if day.month >= 9 else day.year, 2, 1)
        before = (festival - day).days
        if -15 <= before <= 7:
            return "around"
        if 7 < before <= 45:
            return "pre"
        return ""

    def _weight(self, code: str, urban: bool, month: int, phase: str) -> float:
        weight = corpus.WEIGHTS[code]
        weight *= _place_factor(code, urban)
        for prefix, months, pre, around in corpus.SEASONS:
            if code.startswith(prefix):
                weight *= months.get(month, 1.0) * (pre if phase == "pre" else around if phase == "around" else 1.0)
        return weight

    def _build_tables(self):
        codes = {kind: [] for kind in corpus.KIND_SHARE}
        for code in corpus.WEIGHTS:
            if code not in self.category_ids:
                continue  # a category removed in the admin: not used
            codes[Kind.REQUEST if code.startswith("r-") else Kind.DISPUTE].append(code)
        codes[Kind.RISK] = [code for code in corpus.RISK_CONTENT if code in self.category_ids]
        self.days: list[date] = []
        day = self.first_day
        while day <= self.today:
            self.days.append(day)
            day += timedelta(days=1)
        self.tables: dict[tuple[bool, int, str], tuple[list, list[float]]] = {}
        self.day_cum: dict[bool, list[float]] = {}
        base = {}  # the kind totals of an average month, so kinds keep their shares over a year
        for urban in (True, False):
            for kind, kind_codes in codes.items():
                total = sum(self._kind_weight(kind, c, urban, m, "") for c in kind_codes for m in range(1, 13))
                base[urban, kind] = total / 12 or 1.0
        for urban in (True, False):
            weights = []
            for day in self.days:
                key = (urban, day.month, self._phase(day))
                if key not in self.tables:
                    entries, entry_weights = [], []
                    for kind, kind_codes in codes.items():
                        for code in kind_codes:
                            entries.append((kind, code))
                            entry_weights.append(
                                corpus.KIND_SHARE[kind]
                                * self._kind_weight(kind, code, urban, key[1], key[2])
                                / base[urban, kind]
                            )
                    self.tables[key] = (entries, _cumulative(entry_weights))
                season = self.tables[key][1][-1]
                years = (day - self.first_day).days / 365.25
                busy = 1.0 if self.calendar.is_workday(day) else 0.55
                weights.append(season * busy * (1 + GROWTH) ** years)
            self.day_cum[urban] = _cumulative(weights)
        self.day_keys = {day: (day.month, self._phase(day)) for day in self.days}
        self.hour_tables = {name: (list(hours), _cumulative(hours.values())) for name, hours in corpus.HOURS.items()}
        self.channel_tables = {
            (county, kind): (list(table), _cumulative(table.values()))
            for county, source in ((False, corpus.CHANNELS), (True, corpus.COUNTY_CHANNELS))
            for kind, table in source.items()
        }

    def _kind_weight(self, kind, code, urban, month, phase) -> float:
        if kind == Kind.RISK:
            return corpus.RISK_CONTENT[code][0] * self._weight(code, urban, month, phase) / corpus.WEIGHTS[code]
        return self._weight(code, urban, month, phase)


@lru_cache(maxsize=512)
def _places_valid_in(year: int) -> tuple[tuple[str, ...], tuple[float, ...]]:
    """The birth places python-stdnum accepts for a birth year, with their weights."""
    codes, weights = [], []
    for code, weight in corpus.BIRTH_PLACES:
        body = f"{code}{year}0101001"
        if ric.is_valid(body + ric.calc_check_digit(body + "0")):
            codes.append(code)
            weights.append(weight)
    return tuple(codes), tuple(_cumulative(weights))


# --- One county -----------------------------------------------------------------------------------


class CountySeeder:
    """The cases of one county: drafts for three years, then the rows, CHUNK_SIZE cases at a time."""

    def __init__(self, world: World, county: County, total: int, import_user_id: int):
        self.world = world
        self.county = county
        self.total = total
        self.import_user_id = import_user_id
        self.rng = world.ctx.rng_for(f"cases:{county.code}")
        self.key = hashlib.sha256(f"govcenter-demo-receipt:{world.ctx.seed}".encode()).digest()[:32]
        self.mediators: dict[str, list[str]] = {}
        self.sites = {site.code: site for site in county.townships}
        self.linker = demo_grids.Linker(world.ctx, county.code, demo_grids.village_grids(county.code))
        self.linked = self.visits = 0  # cases given their grid, visits of grid reports

    # Drafts: when, where, what.
    def drafts(self) -> list[Draft]:
        county = self.county
        sites = [(t, t.weight) for t in county.townships]
        township_weight = sum(w for _t, w in sites)
        drafts: list[Draft] = []
        county_count = round(self.total * COUNTY_SHARE)
        drafts += self._site_drafts(None, county_count)
        remaining = self.total - county_count
        for township, weight in sites:
            drafts += self._site_drafts(township, round(remaining * weight / township_weight))
        drafts.sort(key=lambda d: (d.received_at, d.center))
        serials: dict[int, int] = {}
        for draft in drafts:
            year = draft.received_at.year
            serials[year] = serials.get(year, 0) + 1
            draft.serial = serials[year]
        return drafts

    def _site_drafts(self, township: Site | None, count: int) -> list[Draft]:
        world, rng = self.world, self.rng
        urban = township.urban if township else self.county.urban
        days = rng.choices(world.days, cum_weights=world.day_cum[urban], k=count)
        out = []
        for day in days:
            month, phase = world.day_keys[day]
            entries, cum = world.tables[urban, month, phase]
            kind, category = rng.choices(entries, cum_weights=cum)[0]
            channels, channel_cum = world.channel_tables[township is None, kind]
            channel = rng.choices(channels, cum_weights=channel_cum)[0]
            if township is None:
                center = self.county.code
            elif township.villages and rng.random() < corpus.VILLAGE_SHARE[channel]:
                center = rng.choice(township.villages)[0]
            else:
                center = township.code
            hours, hour_cum = world.hour_tables[corpus.CHANNEL_HOURS[channel]]
            hour = rng.choices(hours, cum_weights=hour_cum)[0]
            received = datetime(
                day.year, day.month, day.day, hour, rng.randrange(60), rng.randrange(60), tzinfo=world.tz
            )
            if received > world.now:
                continue
            out.append(Draft(received, center, kind, category, channel))
        return out

    # Chunks: build the rows of up to CHUNK_SIZE cases and insert them.
    def run(self, say) -> int:
        started = time.perf_counter()
        drafts = self.drafts()
        for start in range(0, len(drafts), CHUNK_SIZE):
            chunk = drafts[start : start + CHUNK_SIZE]
            self._insert(chunk)
            say(
                f"  cases {self.county.code} {self.county.name}: {start + len(chunk):,}/{len(drafts):,}"
                f" ({time.perf_counter() - started:.1f} s)"
            )
        last: dict[int, int] = {}
        for draft in drafts:
            last[draft.received_at.year] = max(last.get(draft.received_at.year, 0), draft.serial)
        for year, serial in sorted(last.items()):
            counter, _ = CaseNumberCounter.objects.get_or_create(county_code=self.county.code, year=year)
            if counter.last < serial:
                counter.last = serial
                counter.save(update_fields=["last"])
        return len(drafts)

    def _insert(self, chunk: list[Draft]) -> None:
        cases, children, links = [], [], []
        for draft in chunk:
            case, *rows, link = self._build(draft)
            cases.append(case)
            children.append(rows)
            links.append(link)
        # The visits grid reports came from first: the cases point at them.
        visit_ids = iter(demo_grids.VISITS.insert([visit for _grid, visit in links if visit], returning=True))
        cases = [
            (*case, grid_id, next(visit_ids) if visit else None)
            for case, (grid_id, visit) in zip(cases, links, strict=True)
        ]
        self.linked += sum(1 for grid_id, _visit in links if grid_id is not None)
        self.visits += sum(1 for _grid, visit in links if visit)
        ids = CASES.insert(cases, returning=True)
        for table, index in ((PARTIES, 0), (EVENTS, 1), (DEADLINES, 2), (DISPATCHES, 3)):
            table.insert((case_id, *row) for case_id, rows in zip(ids, children, strict=True) for row in rows[index])
        RATINGS.insert((case_id, *rows[4]) for case_id, rows in zip(ids, children, strict=True) if rows[4])

    # One case, whole: its row in CASES' fields (but the grid and the visit), its children's rows
    # without their case id, and its grid with the visit it came from (demo_grids.Linker).
    def _build(self, draft: Draft):
        world, rng = self.world, self.rng
        kind, code, channel = draft.kind, draft.category, draft.channel
        t0 = draft.received_at
        limits = world.limits(kind, channel)
        dues = {stage: world.due(t0, *limits[stage]) for stage in STAGES}
        plan = self._plan(draft, dues)
        facts = self._facts(draft)

        # Cut the plan at now, then read the case's state off the steps that happened.
        now = world.now
        steps = plan.steps
        happened = bisect.bisect_right([s[1] for s in steps], now)
        steps = steps[:happened]
        last = steps[-1]
        status, center = last[2], last[3]
        met: dict[str, datetime] = {}
        if plan.intake_classified:
            met[Stage.RESPOND] = met[Stage.CLASSIFY] = t0
        levels, resolved_level, closed_at, confirmed_at = [draft.center], None, None, None
        for verb, at, _to, where, _note, _data in steps[1:]:
            met.setdefault(Stage.RESPOND, at)
            stage = STAGE_MET_BY.get(verb)
            if stage:
                met.setdefault(stage, at)
            if verb == "escalate":
                levels.append(where)
            elif verb == "resolve":
                resolved_level = LEVEL_BY_LENGTH[len(where)]
            elif verb in ("close", "hand-back"):
                closed_at = at
            elif verb == "confirm-outcome":
                confirmed_at = at
        rating = None
        if plan.rating and plan.rating[0] <= now:
            rating = plan.rating
        review_required = bool(rating and rating[1] == Rating.Value.DISSATISFIED and confirmed_at is None)
        stopped = status in sla.CLOCK_STOPPED
        stopped_at = closed_at if stopped else None
        category_id = world.category_ids[code] if status != Status.RECEIVED else None

        # The five deadlines; the case's summary is the open one due first (sla.refresh_summary).
        deadlines, upcoming, overdue = [], None, False
        for stage in STAGES:
            amount, unit = limits[stage]
            due = dues[stage]
            met_at = met.get(stage)
            overdue_at = None
            swept = due + timedelta(seconds=rng.randrange(20, 300))  # the five-minute sweep saw it
            # It went overdue if the sweep came before the stage was met, the clock stopped, or now.
            end = now
            if met_at is not None and met_at < end:
                end = met_at
            if stopped_at is not None and stopped_at < end:
                end = stopped_at
            if swept < end:
                overdue_at = swept
            deadlines.append((stage, t0, amount, unit, due, met_at, overdue_at))
            if met_at is None and not stopped:
                if upcoming is None or due < upcoming[1]:  # stages in order: a tie keeps the earlier
                    upcoming = (stage, due)
                overdue = overdue or due < now

        amount = facts["amount"]
        people = self._people(code, kind)
        severity = self._severity(kind, amount, people, plan.difficult)
        county = self.county.code
        case = (
            f"{county}-{t0.year}-{draft.serial:06d}",  # number
            county,
            t0.year,
            draft.serial,
            kind,
            channel,
            category_id,
            status,
            world.center_ids[center],
            center,
            world.center_ids[draft.center],
            draft.center,
            levels,
            resolved_level,
            facts["title"],
            facts["facts"],
            facts["place"],
            amount,
            people,
            people >= 10,  # is_group_incident
            channel == Channel.PETITION,
            kind == Kind.RISK and severity == Severity.CRITICAL,  # is_emergency
            plan.difficult,
            severity,
            upcoming[1] if upcoming else None,  # next_due_at
            upcoming[0] if upcoming else "",  # next_stage
            overdue,
            review_required,
            _receipt(self.key, int(f"{county}{t0.year % 100:02d}{draft.serial:07d}")),
            len(steps),  # version
            t0,  # received_at
            t0,  # created_at
            last[1],  # updated_at
            closed_at,
        )
        events = []
        previous = ""
        for version, (verb, at, to_status, where, note, data) in enumerate(steps, start=1):
            events.append((at, verb, previous, to_status, where, note, data, version))
            previous = to_status
        dispatches = [self._dispatch_row(d) for d in plan.dispatches if d["at"] <= now]
        rating_row = None
        if rating:
            at, value, comment, source = rating
            rating_row = (value, comment, source, at)
        parties = [party.row() for party in facts["parties"]]
        link = self.linker.link(
            case[0], kind, channel, draft.center, t0, facts["title"], facts["facts"], facts["place"], parties[0][2]
        )
        return case, parties, events, deadlines, dispatches, rating_row, link

    def _dispatch_row(self, d: dict) -> tuple:
        now = self.world.now
        status, answered_at, reason, reported_at, result = Dispatch.State.PENDING, None, "", None, ""
        if d.get("declined") and d["declined"] <= now:
            status, answered_at, reason = Dispatch.State.DECLINED, d["declined"], d["reason"]
        elif d.get("accepted") and d["accepted"] <= now:
            status, answered_at = Dispatch.State.ACCEPTED, d["accepted"]
        progress = [
            {"at": at.isoformat(), "by": d["officer"], "text": text} for at, text, _final in d["reports"] if at <= now
        ]
        final = [(at, text) for at, text, is_final in d["reports"] if is_final and at <= now]
        if final:
            status, reported_at, result = Dispatch.State.DONE, final[0][0], final[0][1]
        return (
            d["department"][0],
            status,
            d["due"],
            d["instructions"],
            self.import_user_id,
            d["at"],
            answered_at,
            reason,
            progress,
            result,
            reported_at,
        )

    # --- The life of a case ----------------------------------------------------------------------

    def _plan(self, draft: Draft, dues: dict) -> Plan:
        rng = self.rng
        plan = Plan()
        kind, channel = draft.kind, draft.channel
        t0 = draft.received_at
        center = draft.center
        state = {"status": Status.RECEIVED, "center": center}

        def add(verb, at, to_status, note="", data=None):
            if verb not in ("create", "classify"):  # intake keeps its hours; the rest is office work
                at = _office_hours(at)
            if plan.steps and at <= plan.steps[-1][1]:
                at = plan.steps[-1][1] + timedelta(seconds=rng.randint(30, 300))
            state["status"] = to_status or state["status"]
            plan.steps.append([verb, at, state["status"], state["center"], note, data or {}])
            return at

        plan.intake_classified = channel in corpus.CLASSIFIED_AT_INTAKE and rng.random() < 0.55
        add(
            "create",
            t0,
            Status.CLASSIFIED if plan.intake_classified else Status.RECEIVED,
            data={"channel": channel, "kind": kind},
        )
        t = t0
        if not plan.intake_classified:
            r = rng.random()
            if r < 0.85:
                delay = timedelta(minutes=rng.uniform(2, 29))
            elif r < 0.96:
                delay = timedelta(minutes=rng.uniform(31, 23 * 60))
            else:
                delay = timedelta(hours=rng.uniform(25, 80))
            t = add("classify", t + delay, Status.CLASSIFIED, data={"category": draft.category})

        resolve_due = dues[Stage.RESOLVE]
        resolve_met = False
        escalated = False
        outcome = None
        while outcome is None:
            level = LEVEL_BY_LENGTH[len(state["center"])]
            departments = self._departments_for(draft.category, state["center"])
            path = self._path(kind, channel, level, bool(departments), escalated)
            if path == "escalate":  # beyond this center from the start: up before any work
                moved = self._move_up(state)  # the event is recorded at the center it went to
                at = t + timedelta(minutes=rng.uniform(20, 60 * 30))
                t = add("escalate", at, Status.CLASSIFIED, note=rng.choice(corpus.ESCALATE_REASONS[level]), data=moved)
                escalated = True
                continue
            if path == "unsuitable":
                add(
                    "hand-back",
                    t + timedelta(hours=rng.uniform(1, 72)),
                    Status.HANDED_BACK,
                    note=rng.choice(corpus.UNSUITABLE_REASONS),
                )
                return plan
            work = {"direct": 0, "mediate": 1, "dispatch": 4}[path]
            t_out = self._outcome_time(plan, t, None if resolve_met else resolve_due, work)
            success = self._succeeds(path, level, channel)
            if path == "mediate":
                when = self._between(t, t_out, 1)
                names = self._mediator_names(state["center"])
                add("assign-mediator", when[0], Status.IN_MEDIATION, note="", data={"mediators": names})
            elif path == "dispatch":
                self._dispatch_steps(plan, add, t, t_out, departments, draft)
            if path == "direct":
                success = True
            verb = "resolve" if success else "fail"
            note = rng.choice(corpus.RESOLVE_NOTES[kind] if success else corpus.FAIL_NOTES[kind])
            t = add(verb, t_out, Status.RESOLVED if success else Status.FAILED, note=note)
            resolve_met = True
            if success:
                outcome = "resolved"
                break
            if channel in corpus.HAND_BACK_REASONS and rng.random() < {Channel.COURT: 0.85}.get(channel, 0.5):
                add(
                    "hand-back",
                    t + timedelta(hours=rng.uniform(0.5, 48)),
                    Status.HANDED_BACK,
                    note=rng.choice(corpus.HAND_BACK_REASONS[channel]),
                )
                return plan
            if level != Level.COUNTY and rng.random() < (0.7 if level == Level.VILLAGE else 0.25):
                moved = self._move_up(state)
                at = t + timedelta(hours=rng.uniform(1, 48))
                t = add("escalate", at, Status.CLASSIFIED, note=rng.choice(corpus.ESCALATE_REASONS[level]), data=moved)
                escalated = True
                continue
            outcome = "failed"
        self._after(plan, add, t, dues, outcome, kind)
        return plan

    def _move_up(self, state) -> dict:
        source = state["center"]
        state["center"] = source[: PARENT_LENGTH[len(source)]]
        return {"from": source, "to": state["center"]}

    def _path(self, kind, channel, level, has_departments, escalated) -> str:
        r = self.rng.random()
        if channel == Channel.COURT and level != Level.VILLAGE:
            return "unsuitable" if r < 0.12 and not escalated else "mediate"
        if level == Level.VILLAGE:
            if kind == Kind.REQUEST:
                return "direct" if r < 0.7 else "escalate"
            if kind == Kind.RISK:
                return "direct" if r < 0.5 else "mediate" if r < 0.85 else "escalate"
            return "mediate" if r < 0.68 else "direct" if r < 0.92 else "escalate"
        if level == Level.TOWNSHIP and not escalated and r > 0.97:
            return "escalate"
        r = self.rng.random()
        if kind == Kind.REQUEST:
            return "dispatch" if has_departments and r < 0.6 else "direct"
        if kind == Kind.RISK:
            return "dispatch" if has_departments and r < 0.5 else "mediate" if r < 0.8 else "direct"
        if has_departments and r < 0.25:
            return "dispatch"
        return "mediate" if r < 0.9 else "direct"

    def _succeeds(self, path, level, channel) -> bool:
        if path == "dispatch":
            chance = 0.94
        elif channel == Channel.COURT:
            chance = 0.77  # 67% of diverted court cases are mediated successfully
        else:
            chance = {Level.VILLAGE: 0.82, Level.TOWNSHIP: 0.78, Level.COUNTY: 0.72}[level]
        return self.rng.random() < chance

    def _outcome_time(self, plan: Plan, start: datetime, due: datetime | None, work: int) -> datetime:
        """When the case is resolved (or mediation fails): mostly within the limit, sometimes late,
        and now and then a difficult case that drags on for months."""
        rng = self.rng
        earliest = start + timedelta(minutes=25 * (work + 1))
        r = rng.random()
        if due is not None and r < 0.86 and earliest < due - timedelta(minutes=10):
            span = (due - timedelta(minutes=5) - earliest).total_seconds()
            return earliest + timedelta(seconds=span * rng.random())
        base = max(earliest, due) if due is not None else earliest
        if r < 0.95:
            return base + timedelta(minutes=30) + timedelta(hours=rng.expovariate(1 / 192))
        plan.difficult = True
        return base + timedelta(days=rng.uniform(20, 400))

    def _between(self, start: datetime, end: datetime, count: int) -> list[datetime]:
        span = (end - start).total_seconds()
        return [start + timedelta(seconds=span * f) for f in sorted(self.rng.uniform(0.03, 0.9) for _ in range(count))]

    def _dispatch_steps(self, plan, add, start, end, departments, draft):
        """Blow the whistle and hear back: dispatch (now and then first to a department that
        declines), accept, perhaps a progress report, the final report. The dispatch rows take their
        times from the timeline, so the two never disagree."""
        rng = self.rng
        declined = rng.random() < 0.08 and len(departments) > 1
        progress = rng.random() < 0.4
        count = 3 + (2 if declined else 0) + (1 if progress else 0)
        times = iter(self._between(start, end, count))
        resolve_days = self.world.limits(draft.kind, draft.channel)[Stage.RESOLVE][0]
        first = departments[0]
        if declined:
            wrong = rng.choice(departments[1:])
            record = self._dispatch(plan, add, next(times), wrong, resolve_days)
            record["reason"] = rng.choice(corpus.DECLINE_REASONS)
            record["declined"] = add(
                "decline", next(times), Status.CLASSIFIED, note=record["reason"], data={"department": wrong[1]}
            )
        record = self._dispatch(plan, add, next(times), first, resolve_days)
        record["accepted"] = add("accept", next(times), Status.ACCEPTED, data={"department": first[1]})
        for final in [False] * progress + [True]:
            text = rng.choice(corpus.FINAL_REPORTS if final else corpus.PROGRESS_REPORTS)
            data = {"department": first[1], "final": final}
            record["reports"].append((add("report", next(times), Status.ACCEPTED, note=text, data=data), text, final))

    def _dispatch(self, plan, add, at, department, resolve_days) -> dict:
        instructions = self.rng.choice(corpus.DISPATCH_INSTRUCTIONS).format(n=resolve_days)
        data = {"departments": [department[1]]}
        at = add("dispatch", at, Status.DISPATCHED, note=instructions, data=data)
        due = None
        if at <= self.world.now:  # the rest is cut off anyway; its due day may lie past the calendar
            # The default due time of services.case_dispatch: the resolve limit from the dispatch.
            due = self.world.add_workdays(timezone.localtime(at, self.world.tz), resolve_days)
            data["due_at"] = due.isoformat()
        record = {
            "at": at,
            "department": department,
            "due": due,
            "instructions": instructions,
            "officer": self._person_name(self.rng.random() < 0.5, 1985),
            "reports": [],
        }
        plan.dispatches.append(record)
        return record

    def _departments_for(self, category: str, center: str) -> list[tuple[int, str, str]]:
        """Departments that may take a case of this category from this center, preferred first (the
        same list for the same question: the callers only read it)."""
        key = (category, center)
        found = self.world.department_choices.get(key)
        if found is None:
            found = self.world.department_choices[key] = self._rank_departments(category, center)
        return found

    def _rank_departments(self, category: str, center: str) -> list[tuple[int, str, str]]:
        if len(center) == 12:
            return []  # villages do not dispatch
        kinds = next((kinds for prefix, kinds in corpus.DEPARTMENT_KINDS if category.startswith(prefix)), [])
        pool = self.world.departments.get(center, []) + (
            self.world.departments.get(center[:6], []) if len(center) == 9 else []
        )
        ranked = []
        for kind in kinds:
            ranked += [d for d in pool if d[2] == kind]
        if not ranked:
            return []
        others = [d for d in pool if d not in ranked]
        return ranked[:1] + others  # the right one first, the others are where a wrong dispatch went

    def _after(self, plan: Plan, add, t: datetime, dues: dict, outcome: str, kind: str) -> None:
        """Feedback, follow-up with the rating, the director's review of a dissatisfied one, close."""
        rng = self.rng
        method, note = rng.choice(corpus.FEEDBACK)
        t = add(
            "feedback",
            self._by(t, dues[Stage.FEEDBACK], 10, 36),
            Status.FEEDBACK_GIVEN,
            note=note,
            data={"method": method},
        )
        if rng.random() < 0.01:
            return  # nobody followed it up
        r = rng.random()
        if outcome == "resolved":
            value = "satisfied" if r < 0.8 else "basically" if r < 0.96 else "dissatisfied"
        else:
            value = "satisfied" if r < 0.45 else "basically" if r < 0.8 else "dissatisfied"
        rated = rng.random()
        source = Rating.Source.PUBLIC if rated < 0.1 else Rating.Source.PHONE if rated < 0.82 else None
        if source == Rating.Source.PUBLIC:  # rated on the receipt page before anyone called
            at = t + timedelta(minutes=rng.uniform(20, 60 * 20))
            plan.rating = (at, value, rng.choice(corpus.RATING_COMMENTS[value]), source)
            t = at
        unhappy = source is not None and value == "dissatisfied"
        note = "回访时申请人对处理结果不满意" if unhappy else rng.choice(corpus.FOLLOW_UP_NOTES[kind])
        t = add("follow-up", self._by(t, dues[Stage.FOLLOW_UP], 120, 72), Status.FOLLOWED_UP, note=note)
        if source == Rating.Source.PHONE:
            plan.rating = (t, value, rng.choice(corpus.RATING_COMMENTS[value]), source)
        if unhappy:  # the director must look at it before it can close
            if rng.random() < 0.2:
                return  # still on the director's desk
            t = add(
                "confirm-outcome", t + timedelta(days=rng.uniform(1, 30)), None, note=rng.choice(corpus.CONFIRM_NOTES)
            )
        elif rng.random() < 0.03:
            return  # left at "followed up"
        # Closing has no time limit: often the same day, sometimes when the clerk gets round to it.
        lag = rng.expovariate(1 / 8) if rng.random() < 0.6 else rng.expovariate(1 / 240)
        add("close", t + timedelta(minutes=5, hours=lag), Status.CLOSED)

    def _by(self, t: datetime, due: datetime, minimum_minutes: float, late_mean_hours: float) -> datetime:
        """The time of the next step: usually before its deadline when there is room, else after."""
        rng = self.rng
        earliest = t + timedelta(minutes=minimum_minutes)
        if rng.random() < 0.9 and earliest < due - timedelta(minutes=5):
            span = min((due - timedelta(minutes=5) - earliest).total_seconds(), 3 * 86400)
            return earliest + timedelta(seconds=span * rng.random() ** 1.4)
        return earliest + timedelta(hours=rng.expovariate(1 / late_mean_hours))

    def _mediator_names(self, center: str) -> list[str]:
        roster = self.mediators.get(center)
        if roster is None:
            roster = self.mediators[center] = [self._person_name(self.rng.random() < 0.5, 1970) for _ in range(3)]
        if self.rng.random() < 0.25:
            return self.rng.sample(roster, 2)
        return [self.rng.choice(roster)]

    # --- What the case says ------------------------------------------------------------------

    def _facts(self, draft: Draft) -> dict:
        """Title, facts, place, amount and parties. A title comes with the facts written for it
        (the first titles of a category have their own), or else with the kind's generic facts."""
        rng = self.rng
        code = draft.category
        titles, facts, amount_range, respondent_kind = corpus.CONTENT[code]
        if draft.kind == Kind.RISK:
            _w, titles, facts = corpus.RISK_CONTENT[code]
            amount_range = None
        index = rng.randrange(len(titles))
        text = facts[index] if index < len(facts) else corpus.GENERIC_FACTS[draft.kind]
        # Who the words say the people are: a wife who speaks of her husband, an old man of eighty.
        words = titles[index] + text
        female = any(w in words for w in ("其丈夫", "前夫", "妻子要求", "婆媳"))
        ages = next((span for word, span in corpus.OLD_AGES if word in words), None)
        area, place = self._place(draft.center)
        applicant = self._person(
            draft.received_at, area, male=False if female else None, age=rng.randint(*ages) if ages else None
        )
        parties = [applicant]
        respondent_name = ""
        if draft.kind != Kind.REQUEST and (draft.kind == Kind.DISPUTE or rng.random() < 0.6):
            respondent = self._respondent(respondent_kind, draft, area, male=("婆媳" not in words) if female else None)
            parties.append(respondent)
            respondent_name = respondent.name
        if draft.kind == Kind.DISPUTE and rng.random() < (0.5 if code.startswith("d-traffic") else 0.07):
            parties.append(self._third_party(code, area))
        amount = None
        if amount_range and ("{amount}" in text or rng.random() < 0.75):
            low, high = amount_range
            amount = Decimal(int(low * (high / low) ** rng.random()) // 100 * 100)  # log-uniform
        values = {
            "a": applicant.name,
            "r": respondent_name or "对方",
            "place": place,
            "amount": f"{int(amount):,}元" if amount else "",
            "months": rng.randint(2, 14),
            "years": rng.randint(2, 12),
            "n": rng.randint(3, 12),
            "spouse": "妻子" if applicant.id_number and int(applicant.id_number[16]) % 2 else "丈夫",
        }
        values["title"] = titles[index].format(**values)
        text = text.format(**values)
        if draft.kind == Kind.REQUEST:
            text += rng.choice(["请求帮助解决。", "希望尽快处理。", "请有关部门协调解决。", ""])
        elif draft.kind == Kind.DISPUTE:
            text += rng.choice(["双方多次协商未果，申请调解。", "请求中心组织调解。", "", "现申请人民调解。"])
        return {"title": values["title"][:200], "facts": text, "place": place, "amount": amount, "parties": parties}

    def _place(self, center: str) -> tuple[tuple[str, str], str]:
        """Where it happened: (township, village or community), and the spot as a clerk writes it."""
        rng = self.rng
        names = self.world.names
        if len(center) == 12:
            township, village = names[center[:9]], names[center]
        else:
            site = self.sites[center] if len(center) == 9 else rng.choice(self.county.townships)
            township = site.name
            village = rng.choice(site.villages)[1] if site.villages else site.name
        if village.endswith(("社区", "街道")):
            spot = rng.choice(
                [
                    f"{rng.randint(1, 28)}号楼{rng.randint(1, 6)}单元",
                    "小区东门",
                    "小区地下车库",
                    f"{self._syllables(rng)}路{rng.randint(1, 300)}号",
                    "农贸市场",
                    "小区广场",
                    f"{rng.randint(1, 28)}号楼楼下",
                    "沿街商铺",
                ]
            )
        else:
            spot = rng.choice(
                [
                    f"{rng.randint(1, 9)}组",
                    f"{rng.randint(1, 9)}社",
                    "村委会附近",
                    "村口",
                    f"{rng.randint(1, 9)}组田地",
                    "村小学门口",
                    f"{rng.randint(1, 9)}组{rng.randint(1, 80)}号",
                ]
            )
        return (township, village), f"{village}{spot}"

    def _person_name(self, male: bool, born_year: int) -> str:
        rng = self.rng
        surname = rng.choice(corpus.SURNAMES)
        if born_year < 1968 and rng.random() < 0.6:
            return surname + rng.choice(corpus.OLD_MALE if male else corpus.OLD_FEMALE)
        chars = corpus.MALE_CHARS if male else corpus.FEMALE_CHARS
        if rng.random() < 0.25:
            return surname + rng.choice(chars)
        return surname + rng.choice(chars) + rng.choice(chars)

    def _address(self, area: tuple[str, str], home: bool) -> str:
        rng = self.rng
        township, village = area
        address = f"{self.county.name}{township}{village}" if township != village else f"{self.county.name}{village}"
        if not home:
            return address
        if village.endswith(("社区", "街道")):
            return f"{address}{rng.randint(1, 28)}号楼{rng.randint(1, 6)}单元{rng.randint(1, 18)}0{rng.randint(1, 4)}室"
        return f"{address}{rng.randint(1, 9)}组{rng.randint(1, 80)}号"

    def _person(
        self, when: datetime, area, role: str = Party.Role.APPLICANT, with_id: bool = True, male=None, age=None
    ) -> "PartyRow":
        rng = self.rng
        chance = rng.random() < 0.55
        male = chance if male is None else male
        guess = int(18 + 62 * rng.betavariate(2.0, 2.6))
        age = guess if age is None else age
        born = date(when.year - age, rng.randint(1, 12), rng.randint(1, 28))
        id_number = ""
        if with_id:
            codes, cum = _places_valid_in(born.year)
            preferred = self.county.code if self.county.code in codes and rng.random() < 0.5 else None
            place = preferred or rng.choices(codes, cum_weights=cum)[0]
            sequence = rng.randrange(0, 100) * 10 + rng.choice((1, 3, 5, 7, 9) if male else (0, 2, 4, 6, 8))
            body = f"{place}{born:%Y%m%d}{sequence:03d}"
            id_number = body + ric.calc_check_digit(body + "0")
        phone = rng.choice(corpus.MOBILE_PREFIXES) + f"{rng.randrange(10**8):08d}"
        return PartyRow(role, PERSON, self._person_name(male, born.year), id_number, phone, self._address(area, True))

    @staticmethod
    def _syllables(rng) -> str:
        """A two-syllable place or brand name."""
        return rng.choice(corpus.PLACE_SYLLABLES) + rng.choice(corpus.PLACE_SYLLABLES)

    def _organisation(self, kind: str, area) -> "PartyRow":
        rng = self.rng
        city = self.county.city.removesuffix("市").removesuffix("回族自治州").removesuffix("藏族自治州")
        brand = self._syllables(rng)
        village = area[1]
        if kind == "hospital":
            name = f"{self.county.name}{rng.choice(corpus.HOSPITALS)}" if rng.random() < 0.6 else f"{brand}诊所"
        elif kind == "shop" and rng.random() < 0.5:
            name = f"{village}{brand}{rng.choice(corpus.SHOP_SUFFIXES)}"
        elif kind == "village":
            name = f"{village}{'居民' if village.endswith('社区') else '村民'}委员会"
        else:
            industry = rng.choice(corpus.INDUSTRIES.get(kind, corpus.INDUSTRIES["company"]))
            name = f"{city}{brand}{industry}有限公司"
        phone = f"0931-{rng.randint(2000000, 8999999)}" if rng.random() < 0.7 else ""
        return PartyRow(Party.Role.RESPONDENT, ORGANISATION, name, "", phone, self._address(area, home=False))

    def _respondent(self, kind: str, draft: Draft, area, male=None) -> "PartyRow":
        rng = self.rng
        if rng.random() < 0.3:  # from elsewhere in the county
            area, _spot = self._place(draft.center[:9] if len(draft.center) > 9 else draft.center)
        if kind in ("person", "none") or (kind in ("employer", "company") and rng.random() < 0.4):
            party = self._person(draft.received_at, area, Party.Role.RESPONDENT, with_id=rng.random() < 0.5, male=male)
            if rng.random() < 0.3:
                party.phone = ""
            return party
        return self._organisation(kind, area)

    def _third_party(self, code: str, area) -> "PartyRow":
        rng = self.rng
        if code.startswith("d-traffic"):
            party = self._organisation("company", area)
            party.name = f"{rng.choice(corpus.INSURERS)}{self.county.city}分公司"
        elif rng.random() < 0.4:
            party = self._organisation("village", area)
        else:
            party = self._person(self.world.now, area, with_id=rng.random() < 0.5)
        party.role = Party.Role.THIRD_PARTY
        return party

    def _people(self, code: str, kind: str) -> int:
        rng = self.rng
        if code.startswith(("d-labour--wages", "d-expropriation", "d-property-mgmt")) and rng.random() < 0.4:
            return rng.randint(3, 60)
        if code.startswith("d-consumer--prepaid") and rng.random() < 0.5:
            return rng.randint(5, 40)
        return 1 if kind == Kind.REQUEST else rng.choice((1, 2, 2, 2, 3, 4))

    def _severity(self, kind: str, amount, people: int, difficult: bool) -> str:
        r = self.rng.random()
        if kind == Kind.RISK:
            return Severity.CRITICAL if r < 0.06 else Severity.HIGH if r < 0.4 else Severity.MEDIUM
        if people >= 10 or difficult or (amount is not None and amount >= 100_000):
            return Severity.HIGH if r < 0.9 else Severity.CRITICAL
        return Severity.LOW if r < 0.3 else Severity.MEDIUM if r < 0.93 else Severity.HIGH


# --- Entry point ----------------------------------------------------------------------------------


def _counties(world: World) -> list[County]:
    """The counties that have townships, with their sites and a weight per township (some ten
    times as busy as others), all read from the tree the core seeder built."""
    rows = Center.objects.filter(level__in=[Level.CITY, Level.COUNTY, Level.TOWNSHIP, Level.VILLAGE]).values_list(
        "code", "id", "name", "level", "parent_id"
    )
    counties: dict[str, County] = {}
    townships: dict[str, Site] = {}
    cities = {}
    for code, center_id, name, level, parent in sorted(rows, key=lambda row: (row[3], row[0])):
        world.center_ids[code] = center_id
        world.names[code] = name
        if level == Level.CITY:
            cities[code] = name
        elif level == Level.COUNTY:
            counties[code] = County(code, name, cities.get(parent, ""), name.endswith("区"))
        elif level == Level.TOWNSHIP and parent in counties:
            site = Site(code, name, name.endswith("街道"), 1.0)
            counties[parent].townships.append(site)
            townships[code] = site
        elif level == Level.VILLAGE and parent in townships:
            townships[parent].villages.append((code, name))
    for county in counties.values():
        # Rank the townships in a shuffled order: the busiest has ten times the cases of the quietest,
        # the others lie between on a log scale. Counties differ too (half to twice the average).
        ranked = sorted(county.townships, key=lambda t: _unit(world.ctx.seed, f"township:{t.code}"))
        scale = 2 ** (2 * _unit(world.ctx.seed, f"county:{county.code}") - 1)
        for rank, site in enumerate(ranked):
            site.weight = scale * 10 ** (rank / max(1, len(ranked) - 1))
    return [county for county in counties.values() if county.townships]


def _unit(seed: int, part: str) -> float:
    digest = hashlib.sha256(f"{seed}:cases:{part}".encode()).digest()
    return int.from_bytes(digest[:8], "big") / 2**64


def seed(ctx) -> None:
    started = time.perf_counter()
    now = _now()
    world = World(ctx, now)
    counties = _counties(world)
    if not counties:
        ctx.say("  cases: no townships, nothing to do")
        return
    weights = {c.code: sum(t.weight for t in c.townships) for c in counties}
    total_weight = sum(weights.values())
    seeded = dict(
        Case.objects.filter(county_code__in=[c.code for c in counties])
        .order_by()  # no ordering columns in the GROUP BY
        .values_list("county_code")
        .annotate(count=Count("id"))
    )
    todo = []
    for county in counties:
        if county.code in seeded:
            ctx.say(
                f"  cases {county.code} {county.name}: {seeded[county.code]:,} already there, skipped"
                " (a county is seeded once: start from an empty database for another scale or seed)"
            )
            continue
        todo.append((county, round(TOTALS[ctx.scale] * weights[county.code] / total_weight)))
    user_id = import_user().pk if todo else None

    def seed_county(task, say) -> tuple[int, int, int]:
        county, total = task
        with transaction.atomic():
            seeder = CountySeeder(world, county, total, user_id)
            return seeder.run(say), seeder.linked, seeder.visits

    made = linked = visits = 0
    tables = (Case, Party, CaseEvent, Deadline, Dispatch, Rating)
    with bulk.indexes_deferred(*tables) if todo else nullcontext():
        for county_made, county_linked, county_visits in in_workers(ctx, todo, seed_county, size=lambda t: t[1]):
            made, linked, visits = made + county_made, linked + county_linked, visits + county_visits
        indexes_started = time.perf_counter()
    if made:
        ctx.say(f"  cases: indexes and foreign keys made again in {time.perf_counter() - indexes_started:.1f} s")
    ctx.timings["cases"] = time.perf_counter() - started
    ctx.say(f"  cases: {made:,} new in {ctx.timings['cases']:.1f} s")
    ctx.say(f"  cases: {linked:,} given their grid, {visits:,} visits for grid reports")
    demo_handoffs.seed(ctx)
    demo_grids.seed(ctx, linked=[county.code for county, _total in todo])
    demo_hotspots.seed(ctx)
    demo_risk.seed(ctx)


def after_users(ctx) -> None:
    """Give the demo logins work of their own: the court and petition staff follow the cases their
    channel brought to the demo county (object grants, as the hand-over would give them), and the
    demo clerk is the recorder of the walk-ins at the demo township."""
    from django.contrib.auth.models import Permission

    from cases.models import CaseUserObjectPermission
    from govcenter.demo import DEMO_COUNTY, DEMO_TOWNSHIP
    from govcenter.divisions import subtree_q

    users = {u.username: u for u in get_user_model().objects.filter(username__in=["court", "petition", "clerk"])}
    view_case = Permission.objects.get(content_type__app_label="cases", codename="view_case")
    grants = []
    for username, channel in (("court", Channel.COURT), ("petition", Channel.PETITION)):
        if username not in users:
            continue
        case_ids = Case.objects.filter(subtree_q("center_code", DEMO_COUNTY), channel=channel).values_list(
            "pk", flat=True
        )
        grants += [
            CaseUserObjectPermission(user=users[username], permission=view_case, content_object_id=case_id)
            for case_id in case_ids
        ]
    CaseUserObjectPermission.objects.bulk_create(grants, batch_size=2000, ignore_conflicts=True)
    if "clerk" in users:
        Case.objects.filter(origin_code=DEMO_TOWNSHIP, channel=Channel.WALK_IN, created_by__isnull=True).update(
            created_by=users["clerk"]
        )
    ctx.say(f"  demo users: {len(grants):,} case grants for the court and petition staff")
    demo_handoffs.after_users(ctx)
