"""Risk warnings: raised once from a level, their visit tasks, escalation, the API and the pages."""

from datetime import timedelta

import pytest
from django.utils import timezone

from cases.models import Case, Notification
from cases.risk.models import CaseRisk, RiskMeasure, RiskWarning, WarningTask
from cases.risk.warnings import (
    raise_or_update,
    sweep_warning_tasks,
    task_done,
    warning_close,
    warnings_visited_in_time,
)
from govcenter.errors import ConflictError, NotAllowed
from govcenter.models import Department, Membership, Role
from grids import hooks as grid_hooks
from grids import services as grid_services
from grids.models import GridKind
from tests.factories import UserFactory

OWN, CHILD, SIBLING, PARENT = "620102001", "620102001001", "620102002", "620102"
THREAT = {"code": "t-threat", "name": "扬言同归于尽", "weight": 40, "why": "事实中有“同归于尽”"}
RELEASED = {"code": "t-released", "name": "刑满释放人员", "weight": 25, "why": "当事人为刑满释放人员"}


def risk(level: str, score: int = 40, fired=None) -> CaseRisk:
    return CaseRisk(level=level, score=score, fired=fired if fired is not None else [THREAT])


def hours_after_raise(task: WarningTask) -> float:
    return (task.due_at - task.warning.raised_at).total_seconds() / 3600


@pytest.fixture
def township_director(member_at):
    return member_at("own", Role.DIRECTOR, username="director_township")


@pytest.fixture
def police(tree):
    return Department.objects.create(center=tree[OWN], center_code=OWN, name="东岗派出所", kind=Department.Kind.POLICE)


@pytest.fixture
def officer(tree, police):
    user = UserFactory(username="police_officer")
    Membership.objects.create(user=user, center=tree[OWN], center_code=OWN, role=Role.DEPARTMENT, department=police)
    return user


@pytest.fixture
def worker(member_at):
    return member_at("child", Role.GRID_WORKER, username="grid_worker", first_name="赵磊")


@pytest.fixture
def walked_grid(tree, worker, township_director):
    grid = grid_services.grid_create(
        actor=township_director,
        center=tree[CHILD],
        name="东岗社区第1网格",
        kind=GridKind.URBAN,
        households=400,
        residents=1000,
    )
    grid_services.grid_assign(
        actor=township_director, grid=grid, worker=worker, started_at=timezone.now() - timedelta(days=7)
    )
    return grid


@pytest.fixture
def warned(make_case, police, township_director):
    """An open case at the own township that reached orange."""
    case = make_case()
    return raise_or_update(case, risk("orange"))


@pytest.fixture
def grid_warned(make_case, walked_grid, police, township_director):
    """An orange warning on a case from the walked grid."""
    case = make_case(center_code=CHILD)
    Case.objects.filter(pk=case.pk).update(grid=walked_grid)
    return raise_or_update(Case.objects.get(pk=case.pk), risk("orange"))


def task_of(warning, party) -> WarningTask:
    return WarningTask.objects.select_related("warning").get(warning=warning, party=party)


# --- Raising --------------------------------------------------------------------------------------


def test_a_case_reaching_orange_raises_one_warning_with_three_tasks_due_in_48_hours(warned, police):
    warning = RiskWarning.objects.get()
    assert (warning.level, warning.score, warning.status) == ("orange", 40, "open")
    assert warning.reasons[0]["name"] == "扬言同归于尽"
    tasks = {t.party: t for t in WarningTask.objects.select_related("warning")}
    assert set(tasks) == {"grid", "police", "justice"}
    assert all(hours_after_raise(task) == 48 for task in tasks.values())
    assert tasks["police"].department == police
    assert tasks["justice"].department.name == "东岗街道司法所"
    assert tasks["grid"].assignee is None and tasks["grid"].center_code == warned.case.origin_code


def test_the_officers_and_the_center_are_told(officer, clerk, township_director, warned):
    told = set(Notification.objects.filter(kind="risk.warning").values_list("recipient__username", flat=True))
    assert {"police_officer", "clerk_own", "director_township"} <= told


def test_scoring_again_raises_no_second_warning_and_tells_no_one_twice(warned, clerk):
    notified = Notification.objects.count()
    again = raise_or_update(warned.case, risk("orange"))
    assert again.pk == warned.pk
    assert RiskWarning.objects.count() == 1 and WarningTask.objects.count() == 3
    assert Notification.objects.count() == notified


def test_rising_to_red_updates_the_warning_and_shortens_the_visits(warned, clerk):
    notified = Notification.objects.filter(recipient=clerk).count()
    raise_or_update(warned.case, risk("red", 65, [THREAT, RELEASED]))
    warning = RiskWarning.objects.get()
    assert (warning.level, warning.score, len(warning.reasons)) == ("red", 65, 2)
    assert all(hours_after_raise(task) < 24.1 for task in WarningTask.objects.select_related("warning"))
    assert Notification.objects.filter(recipient=clerk).count() == notified + 1


def test_a_lower_level_never_lowers_an_open_warning(warned):
    raise_or_update(warned.case, risk("red", 65))
    raise_or_update(warned.case, risk("orange", 40))
    assert RiskWarning.objects.get().level == "red"


def test_below_the_threshold_nothing_is_raised(make_case):
    assert raise_or_update(make_case(), risk("yellow", 20)) is None
    assert not RiskWarning.objects.exists()


def test_a_closed_case_raises_nothing(make_case):
    case = make_case()
    Case.objects.filter(pk=case.pk).update(status="closed")
    assert raise_or_update(Case.objects.get(pk=case.pk), risk("red", 80)) is None
    assert not RiskWarning.objects.exists()


def test_the_grid_task_goes_to_the_grids_current_worker(grid_warned, worker, walked_grid):
    task = task_of(grid_warned, "grid")
    assert task.assignee == worker and task.center_code == walked_grid.center_code
    assert Notification.objects.filter(recipient=worker, kind="risk.warning").count() == 1


# --- Verbs ----------------------------------------------------------------------------------------


def test_the_assignee_records_the_visit(grid_warned, worker, api_as):
    task = task_of(grid_warned, "grid")
    url = f"/api/v1/risk-warnings/{grid_warned.pk}/tasks/{task.pk}/done/"
    response = api_as(worker).post(url, {"note": "已上门走访，双方情绪平稳"}, format="json")
    assert response.status_code == 200, response.content
    done = next(t for t in response.json()["tasks"] if t["id"] == task.pk)
    assert done["done_by"]["username"] == "grid_worker" and done["note"] == "已上门走访，双方情绪平稳"
    again = api_as(worker).post(url, {"note": "再次走访"}, format="json")
    assert again.status_code == 409


def test_a_stranger_cannot_record_the_visit(grid_warned, member_at, api_as):
    task = task_of(grid_warned, "grid")
    url = f"/api/v1/risk-warnings/{grid_warned.pk}/tasks/{task.pk}/done/"
    sibling_clerk = member_at("sibling", Role.CLERK)
    assert api_as(sibling_clerk).post(url, {"note": "走访"}, format="json").status_code == 404
    auditor = member_at("own", Role.AUDITOR)  # sees the warning, may not act on it
    assert api_as(auditor).post(url, {"note": "走访"}, format="json").status_code == 403
    with pytest.raises(NotAllowed):
        task_done(actor=auditor, task=task, note="走访")


def test_a_department_officer_records_the_police_visit(warned, officer):
    task = task_done(actor=officer, task=task_of(warned, "police"), note="民警已约谈双方")
    assert task.done_at is not None and task.done_by == officer
    with pytest.raises(ConflictError):
        task_done(actor=officer, task=task, note="again")


def test_measures_and_closing(warned, clerk, api_as):
    client = api_as(clerk)
    base = f"/api/v1/risk-warnings/{warned.pk}/"
    response = client.post(base + "measure/", {"kind": "counselling", "note": "请心理咨询师疏导"}, format="json")
    assert response.status_code == 200
    assert response.json()["measures"][0]["kind"] == "counselling"
    response = client.post(base + "close/", {"note": "双方达成协议，风险化解"}, format="json")
    assert response.status_code == 200 and response.json()["status"] == "closed"
    assert client.post(base + "close/", {"note": "again"}, format="json").status_code == 409
    assert client.post(base + "measure/", {"kind": "watch", "note": "x"}, format="json").status_code == 409


@pytest.mark.parametrize(
    ("payload", "verb", "field"),
    [
        ({"note": ""}, "close", "note"),
        ({}, "close", "note"),
        ({"kind": "prayer", "note": "做了些事"}, "measure", "kind"),
        ({"kind": "watch", "note": "  "}, "measure", "note"),
    ],
)
def test_bad_input_is_refused_with_the_field(warned, clerk, api_as, payload, verb, field):
    response = api_as(clerk).post(f"/api/v1/risk-warnings/{warned.pk}/{verb}/", payload, format="json")
    assert response.status_code == 400 and field in response.json()
    assert RiskWarning.objects.get().status == "open" and not RiskMeasure.objects.exists()


def test_an_empty_visit_note_is_refused_in_chinese(warned, clerk, api_as):
    task = task_of(warned, "justice")
    url = f"/api/v1/risk-warnings/{warned.pk}/tasks/{task.pk}/done/"
    response = api_as(clerk).post(url, {"note": ""}, format="json", HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert response.status_code == 400
    assert any("\u4e00" <= ch <= "\u9fff" for ch in response.json()["note"][0])


def test_closing_needs_a_handler(warned, member_at):
    with pytest.raises(NotAllowed):
        warning_close(actor=member_at("own", Role.AUDITOR), warning=warned, note="已化解")


# --- Escalation -----------------------------------------------------------------------------------


def test_the_sweep_escalates_an_overdue_visit_once_to_the_township_director(warned, township_director, director):
    task = task_of(warned, "police")
    WarningTask.objects.filter(pk=task.pk).update(due_at=timezone.now() - timedelta(hours=1))
    assert sweep_warning_tasks() == 1
    assert sweep_warning_tasks() == 0
    task.refresh_from_db()
    assert task.escalated_at is not None
    told = Notification.objects.filter(kind="risk.overdue")
    assert list(told.values_list("recipient", flat=True)) == [township_director.pk]
    assert "派出所" in told.get().text or "Police" in told.get().text


def test_the_sweep_ignores_visits_made_and_closed_warnings(warned, clerk):
    WarningTask.objects.update(due_at=timezone.now() - timedelta(hours=1))
    task_done(actor=clerk, task=task_of(warned, "grid"), note="走访完毕")
    warning_close(actor=clerk, warning=warned, note="已化解")
    assert sweep_warning_tasks() == 0


# --- The grid assessment --------------------------------------------------------------------------


def test_the_assessment_counts_visits_made_in_time(grid_warned, worker, walked_grid):
    now = timezone.now()
    task = task_of(grid_warned, "grid")
    WarningTask.objects.filter(pk=task.pk).update(due_at=now - timedelta(days=2), done_at=now - timedelta(days=3))
    assert grid_hooks.outcome("warnings_on_time") is warnings_visited_in_time
    assignments = [(worker.pk, walked_grid.pk, now - timedelta(days=30), None)]
    start, end = now - timedelta(days=10), now + timedelta(days=10)
    assert warnings_visited_in_time(assignments=assignments, start=start, end=end) == {worker.pk: (1, 1)}
    WarningTask.objects.filter(pk=task.pk).update(done_at=now - timedelta(days=1))
    assert warnings_visited_in_time(assignments=assignments, start=start, end=end) == {worker.pk: (1, 0)}


# --- Who sees what --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("where", "role", "expected"),
    [
        ("own", Role.DIRECTOR, 200),
        ("own", Role.CLERK, 200),
        ("own", Role.AUDITOR, 200),
        ("parent", Role.DIRECTOR, 200),
        ("sibling", Role.DIRECTOR, 404),
        ("sibling", Role.CLERK, 404),
        ("unrelated", Role.CLERK, 404),
        ("own", Role.MEDIATOR, 404),
    ],
)
def test_who_sees_a_warning(warned, member_at, api_as, where, role, expected):
    client = api_as(member_at(where, role))
    assert client.get(f"/api/v1/risk-warnings/{warned.pk}/").status_code == expected
    listed = [row["id"] for row in client.get("/api/v1/risk-warnings/").json()["results"]]
    assert (warned.pk in listed) == (expected == 200)


def test_a_grid_worker_sees_only_the_warnings_with_a_task_for_them(warned, grid_warned, worker, api_as):
    client = api_as(worker)
    listed = [row["id"] for row in client.get("/api/v1/risk-warnings/").json()["results"]]
    assert listed == [grid_warned.pk]
    assert client.get(f"/api/v1/risk-warnings/{warned.pk}/").status_code == 404


def test_a_department_officer_sees_only_the_warnings_with_a_task_for_their_department(
    warned, officer, member_at, tree, api_as
):
    other = Department.objects.create(
        center=tree[SIBLING], center_code=SIBLING, name="雁南派出所", kind=Department.Kind.POLICE
    )
    stranger = UserFactory()
    Membership.objects.create(
        user=stranger, center=tree[SIBLING], center_code=SIBLING, role=Role.DEPARTMENT, department=other
    )
    listed = [row["id"] for row in api_as(officer).get("/api/v1/risk-warnings/").json()["results"]]
    assert listed == [warned.pk]
    assert api_as(stranger).get(f"/api/v1/risk-warnings/{warned.pk}/").status_code == 404


def test_the_list_filters_by_level_and_overdue(warned, grid_warned, clerk, api_as):
    raise_or_update(grid_warned.case, risk("red", 70))
    WarningTask.objects.filter(warning=warned).update(due_at=timezone.now() - timedelta(minutes=5))
    client = api_as(clerk)
    reds = [row["id"] for row in client.get("/api/v1/risk-warnings/?level=red").json()["results"]]
    assert reds == [grid_warned.pk]
    late = client.get("/api/v1/risk-warnings/?overdue=true").json()["results"]
    assert [row["id"] for row in late] == [warned.pk] and late[0]["overdue"] is True
    assert client.get("/api/v1/risk-warnings/?under=12x").status_code == 400


def test_the_list_query_count_is_flat(warned, grid_warned, clerk, api_as, django_assert_max_num_queries):
    client = api_as(clerk)
    with django_assert_max_num_queries(6):
        client.get("/api/v1/risk-warnings/")


# --- Pages ----------------------------------------------------------------------------------------


def test_the_pages_render_in_chinese(warned, clerk, client):
    WarningTask.objects.filter(warning=warned, party="police").update(due_at=timezone.now() - timedelta(hours=1))
    client.force_login(clerk)
    listing = client.get("/warnings/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "风险预警" in listing and warned.case.number in listing and 'class="overdue"' in listing
    detail = client.get(f"/warnings/{warned.pk}/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "扬言同归于尽" in detail and "+40" in detail and "已走访" in detail and "派出所" in detail
    home = client.get("/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "风险预警" in home and 'href="/warnings/"' in home


def test_the_visit_form_records_it(warned, clerk, client):
    task = task_of(warned, "justice")
    client.force_login(clerk)
    response = client.post(f"/warnings/{warned.pk}/tasks/{task.pk}/done/", {"note": "司法所已走访"})
    assert response.status_code == 303
    task.refresh_from_db()
    assert task.done_by == clerk
    empty = client.post(f"/warnings/{warned.pk}/do/close/", {"note": ""}, follow=True)
    assert RiskWarning.objects.get().status == "open" and empty.status_code == 200


def test_the_pages_are_hidden_from_strangers(warned, member_at, client):
    client.force_login(member_at("sibling", Role.CLERK))
    assert client.get(f"/warnings/{warned.pk}/").status_code == 404
    client.force_login(member_at("own", Role.MEDIATOR))
    assert client.get("/warnings/").status_code == 404
