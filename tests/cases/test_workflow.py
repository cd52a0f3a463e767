"""Every verb from every state, through the API: the allowed ones move the case and write the
timeline; the forbidden ones answer 409 with the moves that are allowed, and change nothing."""

import pytest
from django.utils import timezone

from cases.models import Case, CaseEvent, Dispatch, Status
from cases.services import TRANSITIONS
from govcenter.models import AuditEvent, Department, Membership, Role
from tests.conftest import make_member
from tests.fixtures_cases import roster_mediator

ALL_STATUSES = list(Status.values)
WORKFLOW_VERBS = [verb for verb in TRANSITIONS if verb != "fail"]  # "fail" is resolve with outcome=failed


@pytest.fixture
def department_officer(tree):
    department = Department.objects.get(center_code="620102")
    membership = make_member(tree["620102"], Role.DEPARTMENT)
    Membership.objects.filter(pk=membership.pk).update(department=department)
    return membership.user, department


@pytest.fixture
def mediator(tree):
    return roster_mediator(tree["620102001"])


def _put_in(case: Case, status: str, department: Department, director, verb: str) -> None:
    Case.objects.filter(pk=case.pk).update(status=status)
    # A department sees only what was dispatched to it: give it a dispatch whenever it acts.
    if status in (Status.DISPATCHED, Status.ACCEPTED) or verb in ("accept", "decline", "report"):
        accepted = verb == "report" or (status == Status.ACCEPTED and verb != "accept")
        state = Dispatch.State.ACCEPTED if accepted else Dispatch.State.PENDING
        Dispatch.objects.create(
            case=case,
            department=department,
            status=state,
            dispatched_by=director,
            dispatched_at=timezone.now(),
            due_at=timezone.now() + timezone.timedelta(days=5),
        )


def _payload(verb, category, mediator, department):
    return {
        "classify": {"category": category.code},
        "dispatch": {"departments": [Department.objects.get(center_code="620102001").pk]},
        "decline": {"reason": "不属于本部门职责"},
        "report": {"text": "已处理完毕", "final": True},
        "escalate": {"reason": "涉及多个乡镇"},
        "send-down": {"reason": "属地处理", "center": "620102001001"},
        "assign-mediator": {"mediators": [mediator.username]},
        "resolve": {"outcome": "resolved", "note": "双方达成协议"},
        "feedback": {"note": "已电话告知处理结果"},
        "follow-up": {"note": "回访满意"},
        "reopen": {"reason": "当事人反映问题未解决"},
        "hand-back": {"reason": "退回法院"},
    }.get(verb, {})


def _actor(verb, director, department_officer):
    return department_officer if verb in ("accept", "decline", "report") else director


@pytest.mark.parametrize("status", ALL_STATUSES)
@pytest.mark.parametrize("verb", WORKFLOW_VERBS)
def test_every_verb_from_every_state(verb, status, make_case, category, director, department_officer, mediator, api_as):
    officer, department = department_officer
    case = make_case(category=category)
    _put_in(case, status, department, director, verb)
    events_before = CaseEvent.objects.filter(case=case).count()
    client = api_as(_actor(verb, director, officer))

    response = client.post(
        f"/api/v1/cases/{case.pk}/{verb}/", _payload(verb, category, mediator, department), format="json"
    )

    case.refresh_from_db()
    sources, target = TRANSITIONS[verb]
    if status in sources:
        assert response.status_code == 200, response.content
        if target is not None:
            assert case.status == target
        assert response.json()["version"] == case.version
        last = CaseEvent.objects.filter(case=case).order_by("-id").first()
        assert last.verb == verb and last.from_status == status and last.to_status == case.status
        assert AuditEvent.objects.filter(action=f"case.{verb}", object_id=str(case.pk)).exists()
    else:
        assert response.status_code == 409, response.content
        body = response.json()
        assert body["status"] == status and verb not in body["allowed"]
        assert case.status == status and case.version == 1
        assert CaseEvent.objects.filter(case=case).count() == events_before


def test_decline_by_the_only_department_sends_the_case_back_to_the_center(
    make_case, category, director, department_officer, api_as
):
    officer, department = department_officer
    case = make_case(category=category)
    _put_in(case, Status.DISPATCHED, department, director, "decline")
    response = api_as(officer).post(f"/api/v1/cases/{case.pk}/decline/", {"reason": "非本部门职责"}, format="json")
    assert response.json()["status"] == Status.CLASSIFIED


def test_resolve_with_failure_records_failed(make_case, category, director, mediator, api_as):
    case = make_case(category=category)
    Case.objects.filter(pk=case.pk).update(status=Status.IN_MEDIATION)
    response = api_as(director).post(
        f"/api/v1/cases/{case.pk}/resolve/", {"outcome": "failed", "note": "调解不成"}, format="json"
    )
    assert response.json()["status"] == Status.FAILED


def test_the_whole_life_of_a_case(make_case, category, clerk, director, department_officer, api_as):
    """Intake → classify → dispatch → accept → report → resolve → feedback → follow-up → close."""
    officer, department = department_officer
    case = make_case()
    clerk_api = api_as(clerk)
    steps = [
        (clerk, "classify", {"category": category.code}, Status.CLASSIFIED),
        (clerk, "dispatch", {"departments": [department.pk], "instructions": "请核查"}, Status.DISPATCHED),
        (officer, "accept", {}, Status.ACCEPTED),
        (officer, "report", {"text": "已维修管道", "final": True}, Status.ACCEPTED),
        (clerk, "resolve", {"outcome": "resolved", "note": "问题已解决"}, Status.RESOLVED),
        (clerk, "feedback", {"note": "已告知当事人"}, Status.FEEDBACK_GIVEN),
        (clerk, "follow-up", {"note": "当事人满意", "rating": "satisfied"}, Status.FOLLOWED_UP),
        (clerk, "close", {}, Status.CLOSED),
    ]
    for actor, verb, payload, expected in steps:
        client = clerk_api if actor is clerk else api_as(actor)
        response = client.post(f"/api/v1/cases/{case.pk}/{verb}/", payload, format="json")
        assert response.status_code == 200, (verb, response.content)
        assert response.json()["status"] == expected, verb
    case.refresh_from_db()
    assert case.resolved_level == 4  # resolved at the township: 大事不出镇
    assert case.rating.value == "satisfied"
    verbs = [e.verb for e in case.events.order_by("id")]
    assert verbs == ["create", *[s[1] for s in steps[:-1]], "rating", "close"]
    assert not case.is_overdue and case.next_due_at is None


def test_stale_version_is_refused_and_nothing_changes(make_case, category, clerk, api_as):
    case = make_case()
    client = api_as(clerk)
    assert (
        client.post(
            f"/api/v1/cases/{case.pk}/classify/", {"category": category.code, "version": 1}, format="json"
        ).status_code
        == 200
    )
    response = client.patch(f"/api/v1/cases/{case.pk}/", {"title": "改标题", "version": 1}, format="json")
    assert response.status_code == 409
    assert response.json()["version"] == 2
    case.refresh_from_db()
    assert case.title != "改标题"
    response = client.patch(f"/api/v1/cases/{case.pk}/", {"title": "改标题", "version": 2}, format="json")
    assert response.status_code == 200 and response.json()["title"] == "改标题"


def test_escalation_remembers_the_path_and_the_parent_can_send_it_back(make_case, category, clerk, director, api_as):
    case = make_case(category=category)
    response = api_as(clerk).post(f"/api/v1/cases/{case.pk}/escalate/", {"reason": "跨乡镇"}, format="json")
    assert response.json()["center"] == "620102"
    # The township that raised it still follows it; the sibling township does not see it.
    assert api_as(clerk).get(f"/api/v1/cases/{case.pk}/").status_code == 200
    response = api_as(director).post(
        f"/api/v1/cases/{case.pk}/send-down/", {"reason": "属地", "center": "620102001"}, format="json"
    )
    body = response.json()
    assert body["center"] == "620102001"
    assert body["levels_passed"] == ["620102001", "620102", "620102001"]


def test_a_county_cannot_escalate_further(make_case, category, director, api_as):
    case = make_case(center_code="620102", category=category, actor=director)
    response = api_as(director).post(f"/api/v1/cases/{case.pk}/escalate/", {"reason": "x"}, format="json")
    assert response.status_code == 409


def test_reopen_restarts_the_clocks(make_case, category, director, api_as):
    case = make_case(category=category)
    Case.objects.filter(pk=case.pk).update(status=Status.CLOSED)
    before = timezone.now()
    response = api_as(director).post(f"/api/v1/cases/{case.pk}/reopen/", {"reason": "仍未解决"}, format="json")
    assert response.status_code == 200
    resolve = case.deadlines.current().get(stage="resolve")
    assert resolve.start_at >= before and resolve.met_at is None


def test_assigning_a_mediator_from_another_center_grants_that_case_only(make_case, category, clerk, api_as, tree):
    outsider_mediator = roster_mediator(tree["620102002"])
    case = make_case(category=category)
    other = make_case(category=category)
    response = api_as(clerk).post(
        f"/api/v1/cases/{case.pk}/assign-mediator/", {"mediators": [outsider_mediator.username]}, format="json"
    )
    assert response.status_code == 200
    client = api_as(outsider_mediator)
    assert client.get(f"/api/v1/cases/{case.pk}/").status_code == 200
    assert client.get(f"/api/v1/cases/{other.pk}/").status_code == 404
