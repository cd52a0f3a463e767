"""The demo mediation: a roster in the reported proportions, and the mediation of the demo cases as
the services would have written it; deterministic, idempotent, and a desk for the demo mediator."""

import io
import re
from collections import Counter, defaultdict
from datetime import datetime, timedelta
from statistics import mean
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.utils import timezone
from rest_framework.test import APIClient
from stdnum.cn import ric

from cases import demo as case_demo
from cases.models import OPEN_STATUSES, Case, CaseEvent, CaseUserObjectPermission, Party, Status
from govcenter.demo import DEMO_TOWNSHIP
from govcenter.models import Center
from mediation import demo
from mediation.models import (
    Agreement,
    AgreementParty,
    AgreementTerm,
    Assignment,
    MediationOrg,
    MediationSession,
    Mediator,
)

NOW = datetime(2026, 6, 15, 10, 30, tzinfo=ZoneInfo("Asia/Shanghai"))
Kind = MediationOrg.Kind
NUMBER = re.compile(r"^(.+)人调〔(\d{4})〕(\d+)号$")


@pytest.fixture
def frozen(monkeypatch):
    monkeypatch.setattr(case_demo, "_now", lambda: NOW)
    return NOW


def _seed(*args) -> str:
    out = io.StringIO()
    call_command("seed_demo", "--scale", "small", *args, stdout=out)
    return out.getvalue()


@pytest.fixture
def seeded(db, frozen):
    return _seed()


def _counties():
    return sorted(Case.objects.order_by().values_list("county_code", flat=True).distinct())


def _episodes():
    """Per case, the rounds of mediation read off the timeline: [assign event, outcome event or None,
    end (escalate, hand-back, close) or None]."""
    rounds = defaultdict(list)
    for event in CaseEvent.objects.filter(verb__in=demo.EPISODE_VERBS).order_by("case_id", "version"):
        current = rounds[event.case_id][-1] if rounds[event.case_id] else None
        if event.verb == "assign-mediator":
            if current is None or current[1] is not None or current[2] is not None:
                rounds[event.case_id].append([event, None, None])
        elif current is None or current[2] is not None:
            continue
        elif event.verb in ("resolve", "fail") and current[1] is None:
            current[1] = event
        elif event.verb in ("escalate", "hand-back", "close"):
            current[2] = event
    return {case_id: r for case_id, r in rounds.items() if r}


def test_the_roster_keeps_the_reported_proportions(seeded):
    assert "mediation 620102" in seeded
    counties = _counties()
    assert len(counties) == 2
    for county in counties:
        orgs = MediationOrg.objects.filter(center_code__startswith=county)
        kinds = Counter(orgs.values_list("kind", flat=True))
        townships = Center.objects.filter(parent_id=county).count()
        assert kinds[Kind.COMMITTEE] == townships, "a people's mediation committee at every township"
        assert 5 <= kinds[Kind.INDUSTRY] <= 7, "one county's share of 521 (≈ 6)"
        assert kinds[Kind.COURT_STATIONED] == kinds[Kind.EXPERT_TEAM] == kinds[Kind.SOCIAL] == 1
        assert 1 <= kinds[Kind.PERSONAL_ROOM] <= 3
        court = orgs.get(kind=Kind.COURT_STATIONED)
        assert 3 <= court.mediators.count() <= 4, "291 / 87 ≈ 3.3"
        assert court.name.endswith("人民法院诉调对接中心") and court.center_code == county
        experts = orgs.get(kind=Kind.EXPERT_TEAM).mediators
        assert experts.filter(is_chief_consultant=True).count() == 2
        assert not Mediator.objects.filter(is_chief_consultant=True).exclude(org__kind=Kind.EXPERT_TEAM).exists()

    committees = MediationOrg.objects.filter(kind=Kind.COMMITTEE).select_related("center")
    sizes = [org.mediators.count() for org in committees]
    assert 5 <= mean(sizes) <= 7 and min(sizes) >= 4, "3,090 mediators for 525 committees ≈ 6"
    industry = [org.mediators.count() for org in MediationOrg.objects.filter(kind=Kind.INDUSTRY)]
    assert 2.5 <= mean(industry) <= 4.8, "1,875 mediators for 521 organisations ≈ 3.6"
    assert mean(sizes) > mean(industry)
    for org in committees:
        assert org.name == f"{org.center.name}人民调解委员会"
        assert org.center_code == org.center.code and len(org.center_code) == 9
    for org in MediationOrg.objects.filter(kind=Kind.INDUSTRY):
        assert org.name.endswith("调解委员会") and len(org.center_code) == 6
    for org in MediationOrg.objects.filter(kind=Kind.PERSONAL_ROOM):
        namesake = org.name.removesuffix("个人调解工作室")
        assert org.mediators.filter(name=namesake, is_active=True).exists(), "named after its mediator"
    assert MediationOrg.objects.get(kind=Kind.SOCIAL, center_code="620102").name == "城关区社会矛盾纠纷调解志愿服务队"
    shorts = list(MediationOrg.objects.values_list("short_name", flat=True))
    assert len(set(shorts)) == len(shorts), "agreement numbers must not collide"
    assert "柳寨" in shorts or MediationOrg.objects.get(center_code=DEMO_TOWNSHIP).short_name in shorts

    mediators = Mediator.objects.select_related("org").prefetch_related("specialties")
    assert 0 < mediators.filter(is_active=False).count() < 0.1 * mediators.count(), "a few inactive"
    certificates = [m.certificate for m in mediators if m.certificate]
    assert len(set(certificates)) == len(certificates) > 0.85 * mediators.count()
    for mediator in mediators:
        assert mediator.center_code == mediator.org.center_code
        assert 2 <= len(mediator.name) <= 3
        assert re.fullmatch(r"1[3-9]\d{9}", mediator.phone)
        codes = [c.code for c in mediator.specialties.all()]
        assert 1 <= len(codes) <= 3
        assert all(code.startswith("d-") for code in codes)
        if mediator.org.kind == Kind.INDUSTRY:
            field = next(f for f in demo.INDUSTRY_FIELDS if mediator.org.name.endswith(f[1]))
            assert all(code.split("--")[0] in field[3] for code in codes), (mediator.org.name, codes)


def test_agreement_numbers_count_per_organisation_and_year(seeded):
    agreements = list(Agreement.objects.select_related("org").order_by("created_at", "pk"))
    assert len(agreements) > 100
    numbers = [a.number for a in agreements]
    assert len(set(numbers)) == len(numbers)
    serials = defaultdict(list)
    for agreement in agreements:
        match = NUMBER.fullmatch(agreement.number)
        assert match, agreement.number
        assert match[1] == agreement.org.short_name
        assert int(match[2]) == agreement.year == timezone.localtime(agreement.created_at).year
        assert int(match[3]) == agreement.serial and agreement.version == 1
        serials[agreement.org_id, agreement.year].append(agreement.serial)
        assert agreement.center_code[:6] == agreement.org.center_code[:6] == agreement.case.county_code
    for numbers in serials.values():
        assert numbers == list(range(1, len(numbers) + 1)), "in order of drafting, without gaps"
    assert len({org for org, _year in serials}) > 5


def test_agreements_carry_the_parties_and_terms(seeded):
    today = NOW.date()
    episodes = _episodes()
    agreements = Agreement.objects.select_related("case").prefetch_related("parties", "terms", "mediators")
    states = Counter()
    for agreement in agreements:
        case = agreement.case
        states[agreement.status] += 1
        resolve = episodes[case.pk][-1][1]
        assert resolve.verb == "resolve"
        resolved_on = timezone.localtime(resolve.at).date()
        assert agreement.created_at >= resolve.at and agreement.created_at <= NOW
        if agreement.status == Agreement.State.SIGNED:
            assert agreement.signed_at == resolved_on
            assert not agreement.signed_scan, "the demo has no paper to scan"
        else:
            assert agreement.status == Agreement.State.DRAFT and agreement.signed_at is None
            assert (today - resolved_on).days < demo.DRAFT_DAYS, "only recent agreements are still drafts"
        expected = sorted(case.parties.values_list("pk", "role", "party_kind", "name", "id_number", "address"))
        got = sorted(agreement.parties.values_list("party_id", "role", "party_kind", "name", "id_number", "address"))
        assert got == expected
        assert len({row[1] for row in got}) >= 2, "an agreement has two sides"
        for party in agreement.parties.all():
            if party.party_kind == Party.PartyKind.PERSON and party.id_number:
                assert party.birth_date == ric.get_birth_date(party.id_number)
                assert party.sex == ("男" if int(party.id_number[16]) % 2 else "女")
            else:
                assert party.sex == "" and party.birth_date is None
            if party.party_kind == Party.PartyKind.ORGANISATION:
                assert party.legal_representative
        assert agreement.copies >= max(3, len(got))
        terms = list(agreement.terms.order_by("position"))
        assert 1 <= len(terms) <= 3
        assert [t.position for t in terms] == list(range(1, len(terms) + 1))
        amounts = [t.amount for t in terms if t.amount is not None]
        if amounts:
            assert case.amount is not None and sum(amounts) <= case.amount
            assert all(a > 0 and a % 100 == 0 for a in amounts)
        for term in terms:
            assert term.due_date >= resolved_on, "due after signing"
            if agreement.status == Agreement.State.DRAFT or term.due_date > today:
                assert term.fulfilment == AgreementTerm.Fulfilment.PENDING and term.checked_at is None
            if term.fulfilment != AgreementTerm.Fulfilment.PENDING:
                assert term.due_date <= term.checked_at <= today and term.fulfilment_note
        assert set(agreement.mediators.all()) == set(
            Mediator.objects.filter(assignments__case=case, assignments__assigned_at=episodes[case.pk][-1][0].at)
        )
    assert states[Agreement.State.SIGNED] > 0
    fulfilment = Counter(
        AgreementTerm.objects.filter(agreement__signed_at__lt=today - timedelta(days=120)).values_list(
            "fulfilment", flat=True
        )
    )
    total = sum(fulfilment.values())
    assert fulfilment["fulfilled"] > 0.7 * total, "old agreements mostly fulfilled"
    assert fulfilment["partly"] + fulfilment["not"] > 0, "some partly or not"
    assert fulfilment["pending"] == 0
    recent = AgreementTerm.objects.filter(due_date__gt=today)
    assert recent.exists() and not recent.exclude(fulfilment="pending").exists()


def test_assignments_and_sessions_follow_the_timeline(seeded):
    episodes = _episodes()
    mediated = set(CaseEvent.objects.filter(verb="assign-mediator").values_list("case_id", flat=True))
    assert set(episodes) == mediated and len(mediated) > 150
    assignments = defaultdict(list)
    for assignment in Assignment.objects.select_related("mediator"):
        assignments[assignment.case_id].append(assignment)
    sessions = defaultdict(list)
    for session in MediationSession.objects.prefetch_related("mediators").order_by("held_at"):
        sessions[session.case_id].append(session)
    cases = Case.objects.in_bulk(list(mediated))
    outcomes = Counter()
    for case_id, rounds in episodes.items():
        case = cases[case_id]
        case_sessions = list(sessions[case_id])
        for assign, outcome, end in rounds:
            people = [a for a in assignments[case_id] if a.assigned_at == assign.at]
            assert 1 <= len(people) <= 2
            assert sorted(assign.data["mediators"]) == sorted(a.mediator.name for a in people), (
                "the timeline names them"
            )
            for assignment in people:
                assert assignment.mediator.center_code[:6] == case.county_code
                assert assignment.ended_at == (end.at if end else None)
            upper = outcome.at if outcome else NOW
            mine = [s for s in case_sessions if assign.at < s.held_at < upper]
            if outcome is not None:
                assert 1 <= len(mine) <= 3
                last = mine[-1]
                if outcome.verb == "resolve":
                    assert last.outcome == MediationSession.Outcome.AGREED
                else:
                    assert last.outcome in (MediationSession.Outcome.FAILED, MediationSession.Outcome.WITHDRAWN)
                assert last.recorded_at == outcome.at
                outcomes[outcome.verb] += 1
            else:
                assert len(mine) <= 2
            for session in mine:
                assert {m.pk for m in session.mediators.all()} == {a.mediator_id for a in people}
                local = timezone.localtime(session.held_at)
                assert session.held_at <= session.recorded_at <= NOW
                assert session.place and session.attendees and session.notes
                assert "调解员" in session.attendees
                if session is not mine[-1] or outcome is None:
                    assert session.outcome == MediationSession.Outcome.CONTINUE
                assert 8 <= local.hour < 20 or session.held_at - assign.at < timedelta(hours=14)
            case_sessions = [s for s in case_sessions if s not in mine]
        assert not case_sessions, "every session lies between an assignment and its outcome"
        last_round = rounds[-1]
        if case.status == Status.IN_MEDIATION:
            assert last_round[1] is None
        elif case.status in (Status.RESOLVED, Status.FEEDBACK_GIVEN, Status.FOLLOWED_UP, Status.CLOSED):
            assert last_round[1] is not None
        if sessions[case_id]:
            last = sessions[case_id][-1]
            verb = last_round[1].verb if last_round[1] else None
            assert last.outcome == {"resolve": "agreed", "fail": last.outcome, None: "continue"}[verb]
            if verb == "fail":
                assert last.outcome in ("failed", "withdrawn")
    assert outcomes["resolve"] > outcomes["fail"] > 0
    withdrawn = MediationSession.objects.filter(outcome="withdrawn").count()
    assert 0 < withdrawn < MediationSession.objects.filter(outcome="failed").count()
    live = Assignment.objects.filter(ended_at__isnull=True).exclude(mediator__user__username="mediator")
    assert not live.filter(case__status__in=[Status.CLOSED, Status.HANDED_BACK]).exists()


def _counts():
    models = (
        MediationOrg,
        Mediator,
        Mediator.specialties.through,
        Assignment,
        MediationSession,
        MediationSession.mediators.through,
        Agreement,
        AgreementParty,
        AgreementTerm,
        CaseEvent,
        CaseUserObjectPermission,
    )
    return [model.objects.count() for model in models]


def _snapshot():
    return (
        sorted(Mediator.objects.values_list("org__name", "name", "certificate", "phone", "is_active")),
        sorted(Agreement.objects.values_list("number", "case__number", "status", "signed_at")),
        sorted(AgreementTerm.objects.values_list("agreement__number", "position", "text", "amount", "fulfilment")),
        sorted(MediationSession.objects.values_list("case__number", "held_at", "outcome", "notes")),
        sorted(Assignment.objects.values_list("case__number", "mediator__name", "assigned_at", "ended_at")),
    )


def test_same_seed_same_mediation_and_a_second_run_adds_nothing(seeded):
    counts, first = _counts(), _snapshot()
    output = _seed()
    assert "has its roster already, skipped" in output
    assert _counts() == counts
    assert _snapshot() == first

    # Without the roster (the cases stay), the same seed gives the same roster and mediation.
    Agreement.objects.all().delete()
    MediationSession.objects.all().delete()
    Assignment.objects.all().delete()
    Mediator.objects.all().delete()
    MediationOrg.objects.all().delete()
    _seed("--no-users")
    again = _snapshot()
    assert again[0] == first[0] and again[1] == first[1] and again[2] == first[2] and again[3] == first[3]


def test_the_demo_mediator_has_a_desk(seeded):
    User = get_user_model()
    user = User.objects.get(username="mediator")
    mediator = Mediator.objects.select_related("org").get(user=user)
    assert mediator.name == user.first_name.split()[-1]
    assert mediator.org.kind == Kind.COMMITTEE and mediator.org.center_code == DEMO_TOWNSHIP
    desk = Assignment.objects.filter(mediator=mediator, ended_at__isnull=True, case__status__in=OPEN_STATUSES)
    assert desk.count() >= 1
    for assignment in desk.select_related("case"):
        case = assignment.case
        assert case.status == Status.IN_MEDIATION
        steps = case.events.filter(verb="assign-mediator", at=assignment.assigned_at)
        assert any(mediator.name in step.data["mediators"] for step in steps), "the timeline names her"
        assert assignment.assigned_at <= NOW

    client = APIClient()
    client.force_authenticate(user)
    cases = client.get("/api/v1/cases/")
    assert cases.status_code == 200
    assert cases.json()["count"] >= desk.count() > 0
    agreements = client.get("/api/v1/agreements/")
    assert agreements.status_code == 200
    granted = Assignment.objects.filter(mediator=mediator, ended_at__isnull=True).values("case_id")
    assert agreements.json()["count"] == Agreement.objects.filter(case__in=granted).count()
    mine = client.get("/api/v1/assignments/")
    assert mine.status_code == 200

    # A second run gives the desk nothing more.
    counts = _counts()
    _seed()
    assert _counts() == counts
