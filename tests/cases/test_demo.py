"""The demo cases: realistic, consistent with what the services write, deterministic, idempotent."""

import io
import re
from collections import Counter, defaultdict
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db.models import F
from django.utils import timezone
from rest_framework.test import APIClient
from stdnum.cn import ric

from cases import deadlines as sla
from cases import demo
from cases.models import (
    OPEN_STATUSES,
    Case,
    CaseEvent,
    CaseNumberCounter,
    Deadline,
    Dispatch,
    Handoff,
    Kind,
    Party,
    Rating,
    Stage,
    Status,
)
from cases.services import STAGE_MET_BY, TRANSITIONS
from govcenter.demo import IMPORT_USER
from govcenter.divisions import LEVEL_BY_LENGTH, Level
from govcenter.models import Department
from govcenter.workdays import WorkCalendar
from mediation.models import Agreement

# A fixed "today", so the data (and what these tests find in it) is the same on every day they run.
NOW = datetime(2026, 6, 15, 10, 30, tzinfo=ZoneInfo("Asia/Shanghai"))


@pytest.fixture
def frozen(monkeypatch):
    monkeypatch.setattr(demo, "_now", lambda: NOW)
    return NOW


def _seed(*args) -> str:
    out = io.StringIO()
    call_command("seed_demo", "--scale", "small", "--no-users", *args, stdout=out)
    return out.getvalue()


@pytest.fixture
def seeded(db, frozen, monkeypatch):
    # Small chunks, so a county is inserted in several of them, as a province is.
    monkeypatch.setattr(demo, "CHUNK_SIZE", 120)
    return _seed()


def _events_by_case():
    events = defaultdict(list)
    for event in CaseEvent.objects.order_by("case_id", "at", "id"):
        events[event.case_id].append(event)
    return events


def test_small_demo_has_about_600_cases_spread_like_real_work(seeded):
    assert re.search(r"cases 620102 \S+: 120/\d+", seeded), "progress is reported chunk by chunk"
    cases = Case.objects.all()
    total = cases.count()
    assert 500 <= total <= 700
    kinds = Counter(cases.values_list("kind", flat=True))
    assert 0.5 < kinds[Kind.DISPUTE] / total < 0.7
    assert 0.2 < kinds[Kind.REQUEST] / total < 0.4
    assert 0.05 < kinds[Kind.RISK] / total < 0.15
    levels = Counter(LEVEL_BY_LENGTH[len(code)] for code in cases.values_list("center_code", flat=True))
    assert 0.25 < levels[Level.VILLAGE] / total < 0.42
    assert levels[Level.TOWNSHIP] > levels[Level.VILLAGE]
    assert 0 < levels[Level.COUNTY] < levels[Level.VILLAGE]
    assert len(set(cases.values_list("channel", flat=True))) >= 10
    per_township = Counter(code[:9] for code in cases.values_list("origin_code", flat=True) if len(code) > 6)
    assert max(per_township.values()) > 4 * min(per_township.values())
    years = Counter(timezone.localtime(at).year for at in cases.values_list("received_at", flat=True))
    assert years[2025] > years[2024] * 0.95, "mild growth"
    assert cases.filter(received_at__gt=NOW).count() == 0
    assert CaseEvent.objects.filter(at__gt=NOW).count() == 0


def test_numbers_counters_receipts_and_people_are_valid(seeded):
    cases = list(Case.objects.order_by("county_code", "year", "received_at", "id"))
    serials = defaultdict(list)
    for case in cases:
        assert case.number == f"{case.county_code}-{case.year}-{case.serial:06d}"
        assert case.center_code[:6] == case.origin_code[:6] == case.county_code
        assert case.year == timezone.localtime(case.received_at).year
        serials[case.county_code, case.year].append(case.serial)
    for (county, year), numbers in serials.items():
        assert numbers == list(range(1, len(numbers) + 1)), "gapless, in order of receipt"
        assert CaseNumberCounter.objects.get(county_code=county, year=year).last == len(numbers)
    assert CaseNumberCounter.objects.count() == len(serials)

    receipts = [case.receipt for case in cases]
    assert len(set(receipts)) == len(receipts)
    assert all(re.fullmatch(r"[2-9A-HJ-NP-Z]{10}", receipt) for receipt in receipts)

    applicants = Party.objects.filter(role=Party.Role.APPLICANT)
    assert applicants.count() == len(cases)
    for party in applicants:
        assert party.party_kind == Party.PartyKind.PERSON
        assert ric.validate(party.id_number) == party.id_number
        assert re.fullmatch(r"1[3-9]\d{9}", party.phone)
        assert 2 <= len(party.name) <= 3
    for party in Party.objects.exclude(id_number=""):
        assert ric.is_valid(party.id_number)
    for party in applicants.filter(case__facts__contains="其丈夫"):
        assert int(party.id_number[16]) % 2 == 0, "the ID number says she is a woman"
    for party in applicants.filter(case__facts__contains="八十周岁").select_related("case"):
        assert timezone.localtime(party.case.received_at).year - int(party.id_number[6:10]) == 80
    disputes = Case.objects.filter(kind=Kind.DISPUTE)
    assert disputes.filter(parties__role=Party.Role.RESPONDENT).distinct().count() == disputes.count()
    assert Party.objects.filter(role=Party.Role.RESPONDENT, party_kind=Party.PartyKind.ORGANISATION).exists()
    assert Party.objects.filter(role=Party.Role.THIRD_PARTY).exists()


def test_categories_match_the_kind(seeded):
    for case in Case.objects.select_related("category"):
        if case.category is None:
            assert case.status == Status.RECEIVED, "only a case nobody classified yet lacks a category"
            continue
        assert "--" in case.category.code, "cases use the sub-types"
        assert case.category.code.startswith("r-" if case.kind == Kind.REQUEST else "d-")
    assert len(set(Case.objects.values_list("title", flat=True))) > 150


def test_timelines_follow_the_transition_table(seeded):
    events = _events_by_case()
    for case in Case.objects.all():
        timeline = events[case.pk]
        assert [e.version for e in timeline] == list(range(1, len(timeline) + 1))
        assert case.version == len(timeline)
        first, last = timeline[0], timeline[-1]
        assert (first.verb, first.from_status, first.at) == ("create", "", case.received_at)
        assert first.center_code == case.origin_code
        assert last.to_status == case.status
        assert last.center_code == case.center_code
        moved = [case.origin_code]
        for before, event in zip(timeline, timeline[1:], strict=False):
            assert event.at > before.at
            assert event.from_status == before.to_status
            if event.verb in TRANSITIONS:
                sources, target = TRANSITIONS[event.verb]
                assert event.from_status in sources, (case.number, event.verb, event.from_status)
                assert target is None or event.to_status == target
            else:
                assert event.verb == "confirm-outcome" and event.to_status == event.from_status
            if event.verb == "escalate":
                assert event.data == {"from": moved[-1], "to": event.center_code}
                moved.append(event.center_code)
            if event.verb == "resolve":
                assert case.resolved_level == LEVEL_BY_LENGTH[len(event.center_code)]
            if event.verb in ("dispatch", "accept", "report"):
                assert len(event.center_code) < 12, "villages do not dispatch"
        assert case.levels_passed == moved
        if not any(e.verb == "resolve" for e in timeline):
            assert case.resolved_level is None
        assert (case.closed_at is not None) == (case.status in (Status.CLOSED, Status.HANDED_BACK))
    escalated = Case.objects.filter(levels_passed__1__isnull=False)
    assert escalated.exists()
    for case in escalated:
        assert 2 <= len(case.levels_passed) <= 3
        assert case.center_code == case.levels_passed[-1]
        assert case.levels_passed[-2].startswith(case.center_code)


def test_old_cases_are_mostly_closed_and_recent_ones_open(seeded):
    old = Case.objects.filter(received_at__lt=NOW - timezone.timedelta(days=60))
    finished = old.filter(status__in=[Status.CLOSED, Status.HANDED_BACK]).count()
    assert finished / old.count() > 0.85
    assert old.filter(status=Status.HANDED_BACK).exists()
    recent = Case.objects.filter(received_at__gte=NOW - timezone.timedelta(days=10))
    assert recent.filter(status__in=OPEN_STATUSES).exists()
    assert len(set(Case.objects.values_list("status", flat=True))) >= 6


def test_deadlines_are_the_services_deadlines_with_a_consistent_summary(seeded):
    calendar = WorkCalendar.load()
    events = _events_by_case()
    assert Deadline.objects.count() == 5 * Case.objects.count()
    for case in Case.objects.prefetch_related("deadlines"):
        stages = {d.stage: d for d in case.deadlines.all()}
        assert set(stages) == set(Stage.values)
        for deadline in stages.values():
            assert deadline.start_at == case.received_at
            assert deadline.due_at == sla.compute_due(deadline, calendar)
            if deadline.overdue_at is not None:
                assert deadline.due_at < deadline.overdue_at <= NOW
                assert deadline.met_at is None or deadline.met_at > deadline.overdue_at
        # A stage is met by the first verb that meets it, as services._meet_stages does.
        for verb, stage in STAGE_MET_BY.items():
            first = next((e.at for e in events[case.pk] if e.verb == verb), None)
            if first is not None and stages[stage].met_at != case.received_at:
                assert stages[stage].met_at <= first
        assert sla.refresh_summary(case, NOW) == [], case.number  # nothing to change: already consistent

    open_overdue = Case.objects.filter(status__in=OPEN_STATUSES, is_overdue=True)
    assert open_overdue.exists()
    assert Deadline.objects.filter(case__in=open_overdue, met_at__isnull=True, overdue_at__isnull=False).exists()
    late = Deadline.objects.filter(case__status=Status.CLOSED, met_at__gt=F("due_at"))
    assert late.exists()
    met = Deadline.objects.filter(met_at__isnull=False)
    assert 0.8 < met.filter(met_at__lte=F("due_at")).count() / met.count() < 0.97, "mostly on time"
    assert not Case.objects.filter(status__in=[Status.CLOSED, Status.HANDED_BACK]).exclude(next_stage="").exists()


def test_dispatches_and_ratings(seeded):
    dispatches = Dispatch.objects.select_related("case", "department")
    assert dispatches.count() == CaseEvent.objects.filter(verb="dispatch").count() > 0
    for dispatch in dispatches:
        department: Department = dispatch.department
        assert dispatch.case.center_code.startswith(department.center_code)
        assert dispatch.due_at > dispatch.dispatched_at >= dispatch.case.received_at
        if dispatch.status == Dispatch.State.DECLINED:
            assert dispatch.decline_reason and dispatch.answered_at
        if dispatch.status == Dispatch.State.DONE:
            assert dispatch.result and dispatch.reported_at > dispatch.answered_at
    assert dispatches.filter(status=Dispatch.State.DECLINED).exists()
    assert dispatches.filter(status=Dispatch.State.DONE, reported_at__gt=F("due_at")).exists(), "some late"

    rated = Rating.objects.select_related("case")
    followed = Case.objects.filter(status__in=[Status.FOLLOWED_UP, Status.CLOSED])
    assert rated.count() > 0.6 * followed.count()
    values = Counter(rated.values_list("value", flat=True))
    assert values[Rating.Value.SATISFIED] > values[Rating.Value.BASICALLY] > values[Rating.Value.DISSATISFIED] > 0
    for rating in rated:
        assert rating.case.status in (Status.FEEDBACK_GIVEN, Status.FOLLOWED_UP, Status.CLOSED)
        assert rating.rated_at <= NOW
    unhappy_open = Case.objects.filter(rating__value=Rating.Value.DISSATISFIED).exclude(status=Status.CLOSED)
    assert set(unhappy_open.values_list("review_required", flat=True)) <= {True}
    assert Case.objects.filter(review_required=True).exclude(rating__value=Rating.Value.DISSATISFIED).count() == 0
    assert get_user_model().objects.get(username=IMPORT_USER).has_usable_password() is False


def _snapshot():
    cases = sorted(
        Case.objects.values_list(
            "number", "title", "status", "kind", "category__code", "channel", "center_code", "received_at", "receipt"
        )
    )
    parties = sorted(Party.objects.values_list("case__number", "role", "name", "id_number", "phone", "address"))
    return cases, parties, Counter(CaseEvent.objects.values_list("verb", flat=True))


def _counts():
    return [model.objects.count() for model in (Case, Party, CaseEvent, Deadline, Dispatch, Rating, CaseNumberCounter)]


def test_same_seed_same_cases_and_a_second_run_adds_nothing(db, frozen):
    _seed()
    first, counts = _snapshot(), _counts()
    output = _seed()
    assert "already there, skipped" in output
    assert _counts() == counts
    assert _snapshot() == first

    Agreement.objects.all().delete()
    Handoff.objects.all().delete()
    Case.objects.all().delete()
    CaseNumberCounter.objects.all().delete()
    _seed()
    assert _snapshot() == first

    Agreement.objects.all().delete()
    Handoff.objects.all().delete()
    Case.objects.all().delete()
    CaseNumberCounter.objects.all().delete()
    _seed("--seed", "7")
    assert _snapshot()[0] != first[0]


def test_the_demo_director_and_department_see_cases_in_the_api(db):
    call_command("seed_demo", "--scale", "small", stdout=io.StringIO())  # real today, with the demo logins
    User = get_user_model()
    client = APIClient()
    client.force_authenticate(User.objects.get(username="director"))
    response = client.get("/api/v1/cases/?page_size=50")
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == Case.objects.filter(center_code__startswith="620102").count() > 0
    assert len(body["results"]) == 50

    client.force_authenticate(User.objects.get(username="department"))
    response = client.get("/api/v1/cases/?page_size=50")
    assert response.status_code == 200
    assert response.json()["count"] > 0, "the county's housing bureau has dispatched cases"

    client.force_authenticate(User.objects.get(username="court"))
    court_cases = client.get("/api/v1/cases/?page_size=200").json()
    assert court_cases["count"] > 0, "the court follows the pre-litigation cases it sent"
    assert {row["channel"] for row in court_cases["results"]} == {"court"}
