"""The grids API: the permission rows (every role seated at the own township against grids, visits and
figures at each relation), grid workers on their own grids only, the one-step report, bad input."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from cases.models import Case, Channel
from govcenter.divisions import Level
from govcenter.models import Center, Role
from grids import services
from grids.models import Finding, Grid, GridAssignment, Visit
from tests.conftest import make_member

ROLES = list(Role.values)
GRID_READERS = {Role.DIRECTOR, Role.CLERK, Role.AUDITOR, Role.POLICE}
VISIT_READERS = {Role.DIRECTOR, Role.CLERK, Role.AUDITOR}
# Where a grid lies, seen from a member seated at the own township 620102001.
GRID_PLACES = {"own": "620102001001", "sibling": "620102002001", "unrelated": "620201001001"}


@pytest.fixture
def places(tree, member_at):
    """A grid in a village of each relation, each walked by a worker of its own, with one visit."""
    grids = {}
    for relation, code in GRID_PLACES.items():
        village = Center.objects.get_or_create(
            code=code, defaults={"level": Level.VILLAGE, "name": f"村{relation}", "parent_id": code[:9]}
        )[0]
        manager = member_at(code[:9], Role.DIRECTOR)
        grid = services.grid_create(
            actor=manager, center=village, name=f"{relation}网格", kind="rural", households=80, residents=200
        )
        worker = make_member(village, Role.GRID_WORKER, username=f"gw_{relation}").user
        services.grid_assign(actor=manager, grid=grid, worker=worker, started_at=timezone.now() - timedelta(days=3))
        services.visit_log(actor=worker, grid=grid, visited_at=timezone.now(), place="一组3号")
        grids[relation] = grid
    return grids


def _seat(member_at, role):
    return member_at("own", role, username=f"seat_{role}")


@pytest.mark.parametrize("relation", GRID_PLACES)
@pytest.mark.parametrize("role", ROLES)
def test_grid_detail_matrix(role, relation, places, member_at, api_as):
    actor = _seat(member_at, role)
    response = api_as(actor).get(f"/api/v1/grids/{places[relation].code}/")
    expected = 200 if role in GRID_READERS and relation == "own" else 404
    assert response.status_code == expected, response.content


@pytest.mark.parametrize("relation", GRID_PLACES)
@pytest.mark.parametrize("role", ROLES)
def test_visit_detail_matrix(role, relation, places, member_at, api_as):
    actor = _seat(member_at, role)
    visit = Visit.objects.get(grid=places[relation])
    response = api_as(actor).get(f"/api/v1/visits/{visit.pk}/")
    expected = 200 if role in VISIT_READERS and relation == "own" else 404
    assert response.status_code == expected, response.content


@pytest.mark.parametrize("relation", GRID_PLACES)
@pytest.mark.parametrize("role", ROLES)
def test_grid_create_matrix(role, relation, places, member_at, api_as):
    actor = _seat(member_at, role)
    payload = {"center": GRID_PLACES[relation], "name": "新网格", "kind": "rural", "households": 90, "residents": 250}
    response = api_as(actor).post("/api/v1/grids/", payload, format="json")
    expected = 201 if role == Role.DIRECTOR and relation == "own" else 403
    assert response.status_code == expected, response.content
    assert Grid.objects.filter(name="新网格").exists() == (expected == 201)


@pytest.mark.parametrize("relation", GRID_PLACES)
@pytest.mark.parametrize("role", ROLES)
def test_coverage_matrix(role, relation, places, member_at, api_as):
    actor = _seat(member_at, role)
    response = api_as(actor).get(f"/api/v1/grids/coverage/?center={GRID_PLACES[relation][:9]}")
    expected = 200 if role in GRID_READERS and relation == "own" else 404
    assert response.status_code == expected, response.content


def test_a_grid_worker_sees_their_own_grids_only(places, api_as, member_at):
    worker = GridAssignment.objects.get(grid=places["own"]).worker
    client = api_as(worker)
    assert [g["code"] for g in client.get("/api/v1/grids/").json()["results"]] == [places["own"].code]
    assert client.get(f"/api/v1/visits/?grid={places['own'].code}").json()["count"] == 1
    # A colleague in the same village, on no grid, sees none of it.
    colleague = member_at("620102001001", Role.GRID_WORKER)
    assert api_as(colleague).get("/api/v1/grids/").json()["count"] == 0
    assert api_as(colleague).get("/api/v1/visits/").json()["count"] == 0
    assert api_as(colleague).get(f"/api/v1/grids/{places['own'].code}/").status_code == 404
    # Nor can a worker manage: no laying out, no assigning.
    assert client.post("/api/v1/grids/", {"center": "620102001001", "name": "x", "kind": "rural"}).status_code == 403
    assign = client.post(f"/api/v1/grids/{places['own'].code}/assign/", {"worker": colleague.username})
    assert assign.status_code == 403


def test_the_successor_sees_the_grids_past_visits_and_the_predecessor_keeps_their_own(places, api_as, member_at):
    grid = places["own"]
    first = GridAssignment.objects.get(grid=grid).worker
    second = member_at("620102001001", Role.GRID_WORKER)
    director = member_at("own", Role.DIRECTOR)
    response = api_as(director).post(
        f"/api/v1/grids/{grid.code}/assign/", {"worker": second.username, "replace": True}, format="json"
    )
    assert response.status_code == 201, response.content
    assert api_as(second).get("/api/v1/visits/").json()["count"] == 1
    assert api_as(first).get("/api/v1/visits/").json()["count"] == 1
    assert api_as(first).get("/api/v1/grids/").json()["count"] == 0
    history = api_as(director).get(f"/api/v1/grids/{grid.code}/assignments/").json()
    assert [row["worker"] for row in history] == [second.username, first.username]
    assert history[1]["ended_at"] and history[1]["end_reason"]


def test_log_a_visit_and_report_it_as_a_case_in_one_request(places, api_as):
    grid = places["own"]
    worker = GridAssignment.objects.get(grid=grid).worker
    payload = {
        "grid": grid.code,
        "place": "二组17号",
        "person": "李桂兰",
        "finding": "dispute",
        "notes": "两户因宅基地边界发生争执",
        "report": {
            "title": "宅基地边界纠纷",
            "parties": [{"role": "applicant", "name": "李桂兰", "phone": "13800001111"}],
        },
    }
    response = api_as(worker).post("/api/v1/visits/", payload, format="json")
    assert response.status_code == 201, response.content
    case = Case.objects.get(pk=response.json()["case"])
    assert (case.channel, case.title, case.grid_id, case.visit_id) == (
        Channel.GRID,
        "宅基地边界纠纷",
        grid.pk,
        response.json()["id"],
    )


def test_report_an_earlier_visit(places, api_as):
    grid = places["own"]
    worker = GridAssignment.objects.get(grid=grid).worker
    visit = services.visit_log(
        actor=worker, grid=grid, visited_at=timezone.now(), place="三组", finding=Finding.REQUEST, notes="低保咨询"
    )
    first = api_as(worker).post(f"/api/v1/visits/{visit.pk}/report/", {}, format="json")
    assert first.status_code == 201, first.content
    assert first.json()["case"]
    again = api_as(worker).post(f"/api/v1/visits/{visit.pk}/report/", {}, format="json")
    assert again.status_code == 409


@pytest.mark.parametrize(
    ("payload", "status", "field"),
    [
        ({"visited_at": "2999-01-01T08:00:00+08:00"}, 400, "visited_at"),
        ({"visited_at": "yesterday"}, 400, "visited_at"),
        ({"grid": "620102002001001"}, 400, "grid"),
        ({"grid": "abc"}, 400, "grid"),
        ({"place": ""}, 400, "place"),
        ({"finding": "dispute", "notes": ""}, 400, "notes"),
        ({"finding": "nothing", "report": {}}, 400, "finding"),
        ({"finding": "dispute", "notes": "争执", "report": {"category": "nope"}}, 400, "category"),
        (
            {"finding": "dispute", "notes": "争执", "report": {"parties": [{"role": "judge", "name": "x"}]}},
            400,
            "parties",
        ),
    ],
)
def test_bad_visits_answer_400_and_save_nothing(places, api_as, payload, status, field):
    grid = places["own"]
    worker = GridAssignment.objects.get(grid=grid).worker
    body = {"grid": grid.code, "place": "一组", **payload}
    before = Visit.objects.count()
    response = api_as(worker).post("/api/v1/visits/", body, format="json", HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert response.status_code == status, response.content
    assert field in response.json(), response.json()
    assert Visit.objects.count() == before and not Case.objects.exists()


def test_a_director_may_not_log_visits_for_a_worker(places, api_as, member_at):
    director = member_at("own", Role.DIRECTOR)
    response = api_as(director).post("/api/v1/visits/", {"grid": places["own"].code, "place": "一组"}, format="json")
    assert response.status_code == 403


def test_bad_grid_input_answers_400(places, api_as, member_at):
    director = member_at("own", Role.DIRECTOR)
    client = api_as(director)
    for payload, field in (
        ({"households": -1}, "households"),
        ({"households": 100, "residents": 10}, "residents"),
        ({"center": "620102001"}, "center"),
        ({"center": "12x"}, "center"),
        ({"duties": ["astrology"]}, "duties"),
    ):
        body = {"center": "620102001001", "name": "网格", "kind": "urban", **payload}
        response = client.post("/api/v1/grids/", body, format="json")
        assert response.status_code == 400 and field in response.json(), (payload, response.content)
    flagged = client.post(
        "/api/v1/grids/",
        {"center": "620102001001", "name": "大网格", "kind": "urban", "households": 900, "residents": 2500},
        format="json",
    )
    assert flagged.status_code == 201
    assert flagged.json()["size_flag"] == "large" and "900" in flagged.json()["size_reason"]
    listed = client.get("/api/v1/grids/?flagged=true").json()
    assert [g["name"] for g in listed["results"]] == ["大网格"]


def test_assessment_endpoint(places, api_as, member_at):
    director = member_at("parent", Role.DIRECTOR)
    response = api_as(director).get("/api/v1/grids/assessment/?center=620102")
    assert response.status_code == 200
    rows = response.json()["results"]
    assert {r["worker"] for r in rows} == {"gw_own", "gw_sibling"}
    assert all(r["visits"] == 1 for r in rows)
    assert api_as(director).get("/api/v1/grids/assessment/?center=620102&month=2026-13").status_code == 400
    assert api_as(director).get("/api/v1/grids/assessment/?center=620201").status_code == 404


def test_grid_list_queries_do_not_grow_with_the_page(tree, member_at, api_as):
    director = member_at("own", Role.DIRECTOR)
    village = tree["620102001001"]
    client = api_as(director)

    def count_queries():
        with CaptureQueriesContext(connection) as queries:
            assert client.get("/api/v1/grids/?page_size=100").status_code == 200
        return len(queries)

    for n in range(3):
        grid = services.grid_create(
            actor=director, center=village, name=f"网格{n}", kind="rural", households=50, residents=120
        )
        services.grid_assign(actor=director, grid=grid, worker=member_at("child", Role.GRID_WORKER))
    few = count_queries()
    for n in range(3, 30):
        grid = services.grid_create(
            actor=director, center=village, name=f"网格{n}", kind="rural", households=50, residents=120
        )
        services.grid_assign(actor=director, grid=grid, worker=member_at("child", Role.GRID_WORKER))
    assert count_queries() == few


@pytest.mark.parametrize(
    "path", ["/api/v1/grids/", "/api/v1/visits/", "/api/v1/police-grids/", "/api/v1/grid-assignments/"]
)
def test_anonymous_is_refused(api, tree, path):
    assert api.get(path).status_code == 401
    assert api.post(path, {}, format="json").status_code == 401


def test_police_grids_and_auxiliary_officers_through_the_api(places, member_at, api_as, tree):
    police = member_at("own", Role.POLICE)
    client = api_as(police)
    created = client.post(
        "/api/v1/police-grids/",
        {"center": "620102001", "name": "东岗第一警格", "officer_name": "李警官", "grids": [places["own"].code]},
        format="json",
    )
    assert created.status_code == 201, created.content
    cell = created.json()["id"]
    assert client.get(f"/api/v1/police-grids/{cell}/").json()["grids"] == [places["own"].code]
    officer = client.post(
        "/api/v1/auxiliary-officers/",
        {"police_grid": cell, "village": "620102001001", "name": "王辅警", "phone": "13900000000"},
        format="json",
    )
    assert officer.status_code == 201, officer.content
    coverage = client.get("/api/v1/grids/coverage/?center=620102001").json()
    assert coverage["total"]["villages_with_auxiliary"] == 1
    # Out of reach: a grid of the sibling township, a village of another township, a sibling's police grid.
    foreign = client.patch(f"/api/v1/police-grids/{cell}/", {"grids": [places["sibling"].code]}, format="json")
    assert foreign.status_code == 400 and "grids" in foreign.json()
    wrong_village = client.post(
        "/api/v1/auxiliary-officers/",
        {"police_grid": cell, "village": "620102002001", "name": "外村"},
        format="json",
    )
    assert wrong_village.status_code == 400 and "village" in wrong_village.json()
    sibling_police = api_as(member_at("sibling", Role.POLICE))
    assert sibling_police.get(f"/api/v1/police-grids/{cell}/").status_code == 404
    clerk = api_as(member_at("own", Role.CLERK))
    assert clerk.get(f"/api/v1/police-grids/{cell}/").status_code == 200
    assert clerk.patch(f"/api/v1/police-grids/{cell}/", {"name": "改名"}, format="json").status_code == 403
    retired = client.patch(f"/api/v1/auxiliary-officers/{officer.json()['id']}/", {"is_active": False}, format="json")
    assert retired.status_code == 200
    assert client.get("/api/v1/grids/coverage/?center=620102001").json()["total"]["villages_with_auxiliary"] == 0


def test_lists_do_not_query_per_row(places, member_at, api_as, tree):
    police = member_at("own", Role.POLICE)
    director = member_at("parent", Role.DIRECTOR)
    client = api_as(police)
    for n in range(3):
        client.post(
            "/api/v1/police-grids/",
            {"center": "620102001", "name": f"警格{n}", "grids": [places["own"].code]},
            format="json",
        )

    def count(user, path):
        from govcenter import access

        access.forget(user)  # the memberships are loaded once per user object: count them every time
        with CaptureQueriesContext(connection) as queries:
            assert api_as(user).get(path).status_code == 200
        return len(queries)

    few = {
        path: count(director, path)
        for path in ("/api/v1/police-grids/", "/api/v1/visits/", "/api/v1/grid-assignments/")
    }
    for n in range(3, 12):
        client.post("/api/v1/police-grids/", {"center": "620102001", "name": f"警格{n}"}, format="json")
        worker = GridAssignment.objects.get(grid=places["own"]).worker
        services.visit_log(actor=worker, grid=places["own"], visited_at=timezone.now(), place=f"{n}号")
    many = {path: count(director, path) for path in few}
    assert many == few


def test_assign_names_no_one_and_looks_up_only_the_grids_candidates(places, member_at, api_as):
    director = member_at("own", Role.DIRECTOR)
    client = api_as(director)
    outsider = member_at("parent", Role.DIRECTOR, username="someone_else", first_name="王建国")
    response = client.post(f"/api/v1/grids/{places['own'].code}/assign/", {"worker": outsider.username}, format="json")
    assert response.status_code == 400 and "王建国" not in response.content.decode()
    unknown = client.post(f"/api/v1/grids/{places['own'].code}/assign/", {"worker": "nobody_at_all"}, format="json")
    assert unknown.json() == response.json()


def test_a_worker_who_left_the_village_loses_the_grid_and_its_visits(places, member_at, api_as, tree):
    from govcenter.models import Membership

    worker = GridAssignment.objects.get(grid=places["own"]).worker
    Membership.objects.filter(user=worker).update(is_active=False)  # the assignment was left open
    Membership.objects.create(user=worker, center=tree["620102002"], center_code="620102002", role=Role.GRID_WORKER)
    client = api_as(worker)
    assert client.get(f"/api/v1/grids/{places['own'].code}/").status_code == 404
    assert client.get("/api/v1/visits/").json()["count"] == 0
    posted = client.post("/api/v1/visits/", {"grid": places["own"].code, "place": "一组"}, format="json")
    assert posted.status_code == 400


def test_police_see_grids_but_not_the_workers_record(places, member_at, api_as):
    police = api_as(member_at("own", Role.POLICE))
    assert police.get(f"/api/v1/grids/{places['own'].code}/").status_code == 200
    assert police.get("/api/v1/grid-assignments/").json()["count"] == 0
    assert police.get("/api/v1/grids/assessment/?center=620102001").status_code == 404
    city_director = api_as(member_at("6201", Role.DIRECTOR))
    assert city_director.get("/api/v1/grids/assessment/?center=6201").status_code == 400


def test_a_visit_in_year_one_and_an_alien_party_are_400(api_as, walked_grid, worker):
    client = api_as(worker)
    old = client.post(
        "/api/v1/visits/",
        {"grid": walked_grid.code, "place": "一组", "visited_at": "0001-01-01T00:00:00"},
        format="json",
    )
    assert old.status_code == 400 and "visited_at" in old.json()
    alien = client.post(
        "/api/v1/visits/",
        {
            "grid": walked_grid.code,
            "place": "一组",
            "finding": "dispute",
            "notes": "争执",
            "report": {"parties": [{"role": "applicant", "name": "某", "party_kind": "alien"}]},
        },
        format="json",
    )
    assert alien.status_code == 400 and "parties" in alien.json()
