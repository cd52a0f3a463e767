"""The grid pages as their users meet them: a grid worker on the phone logging a visit and reporting
what they found, the township's grid page with coverage and the assessment, one grid with its
workers and their history, the visit list; and who may see which."""

from datetime import timedelta

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from cases.models import Case, Channel
from govcenter.divisions import Level
from govcenter.models import Center, Role
from grids import services
from grids.models import AssessmentPolicy, Employment, Finding, Grid, GridAssignment, GridKind, Visit
from tests.conftest import CHILD, OWN, SIBLING

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def login(client):
    """Log a user in; the pages speak English so the assertions do not depend on the catalog."""

    def as_user(user, language="en"):
        client.logout()
        client.force_login(user)
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
        return client

    return as_user


def messages_of(response) -> list[str]:
    return [str(m) for m in response.context["messages"]] if response.context else []


def local_minute(delta: timedelta = timedelta(0)) -> str:
    return (timezone.localtime() + delta).strftime("%Y-%m-%dT%H:%M")


def visit_data(**overrides) -> dict:
    data = {
        "visited_at": local_minute(-timedelta(hours=1)),
        "target": "household",
        "place": "东岗西路12号3单元",
        "person": "王秀兰",
        "finding": "nothing",
        "notes": "",
    }
    data.update(overrides)
    return data


def assign(grid, worker, actor, days_ago=7, **fields):
    return services.grid_assign(
        actor=actor, grid=grid, worker=worker, started_at=timezone.now() - timedelta(days=days_ago), **fields
    )


def log_visit(grid, worker, **fields):
    fields.setdefault("visited_at", timezone.now() - timedelta(hours=2))
    fields.setdefault("place", "东岗西路8号")
    return services.visit_log(actor=worker, grid=grid, **fields)


@pytest.fixture
def second_village(tree):
    return Center.objects.create(code="620102001002", level=Level.VILLAGE, name="南山村", parent_id=OWN)


@pytest.fixture
def clerk(member_at):
    return member_at("own", Role.CLERK, username="clerk_grids")


# --- The grid worker's page -----------------------------------------------------------------------


def test_the_worker_page_lists_only_the_workers_own_grids(login, make_grid, worker, member_at, township_director):
    mine = make_grid(name="东岗社区第1网格")
    other = make_grid(name="东岗社区第2网格")
    assign(mine, worker, township_director)
    assign(other, member_at("child", Role.GRID_WORKER), township_director)
    response = login(worker).get("/grids/mine/")
    html = response.content.decode()
    assert response.status_code == 200
    assert "东岗社区第1网格" in html and f"/grids/{mine.code}/visit/" in html
    assert "东岗社区第2网格" not in html and other.code not in html


def test_the_worker_page_shows_the_police_officer_to_call_and_the_duties(
    login, make_grid, worker, township_director, tree
):
    police_grid = services.police_grid_create(
        actor=township_director,
        center=tree[OWN],
        name="东岗第一警格",
        officer_name="李警官",
        officer_phone="13900001234",
    )
    grid = make_grid(duties=["party", "health"], police_grid=police_grid)
    assign(grid, worker, township_director)
    html = login(worker).get("/grids/mine/").content.decode()
    assert 'href="tel:13900001234"' in html and "李警官" in html and "东岗第一警格" in html
    assert "Party building" in html and "Health" in html


def test_the_worker_page_lists_unreported_findings_and_the_cases_they_became(login, walked_grid, worker):
    unreported = log_visit(walked_grid, worker, finding=Finding.RISK, notes="楼道堆放杂物，有火灾隐患", place="3号楼")
    reported = log_visit(
        walked_grid,
        worker,
        finding=Finding.DISPUTE,
        notes="邻里因停车发生争执",
        place="5号楼",
        report=services.FindingReport(title="停车纠纷"),
    )
    log_visit(walked_grid, worker, place="7号楼")
    response = login(worker).get("/grids/mine/")
    html = response.content.decode()
    assert [v.pk for v in response.context["unreported"]] == [unreported.pk]
    assert f"/grids/visits/{unreported.pk}/report/" in html
    assert reported.case.number in html and "停车纠纷" in html
    assert len(response.context["recent"]) == 3


# --- Logging a visit ------------------------------------------------------------------------------


def test_logging_a_visit_through_the_form_creates_it(login, walked_grid, worker):
    client = login(worker)
    form = client.get(f"/grids/{walked_grid.code}/visit/")
    html = form.content.decode()
    assert form.status_code == 200
    assert 'type="datetime-local"' in html and 'accept="image/*"' in html and 'capture="environment"' in html
    response = client.post(f"/grids/{walked_grid.code}/visit/", visit_data())
    assert response.status_code == 303 and response["Location"] == "/grids/mine/"
    visit = Visit.objects.get()
    assert (visit.grid, visit.worker, visit.place, visit.person, visit.finding) == (
        walked_grid,
        worker,
        "东岗西路12号3单元",
        "王秀兰",
        Finding.NOTHING,
    )
    assert not Case.objects.exists()
    page = client.get("/grids/mine/")
    assert "The visit was recorded." in messages_of(page)


def test_the_report_box_turns_the_finding_into_a_grid_case_linked_to_the_visit(login, walked_grid, worker):
    client = login(worker)
    data = visit_data(finding="dispute", notes="楼上漏水，两户争执", report="on", report_title="楼上漏水纠纷")
    response = client.post(f"/grids/{walked_grid.code}/visit/", data, follow=True)
    visit = Visit.objects.get()
    case = Case.objects.get()
    assert (case.channel, case.visit, case.grid, case.title) == (Channel.GRID, visit, walked_grid, "楼上漏水纠纷")
    assert any(case.number in message for message in messages_of(response))


def test_a_visit_with_a_photo_keeps_it_for_those_who_see_the_visit(login, walked_grid, worker, member_at):
    client = login(worker)
    photo = SimpleUploadedFile("street.png", PNG, content_type="image/png")
    client.post(f"/grids/{walked_grid.code}/visit/", visit_data(photo=photo))
    visit = Visit.objects.get()
    assert visit.photo
    html = client.get("/grids/visits/").content.decode()
    assert f"/grids/visits/{visit.pk}/photo/" in html
    photo_response = client.get(f"/grids/visits/{visit.pk}/photo/")
    assert photo_response.status_code == 200 and b"".join(photo_response.streaming_content) == PNG
    assert login(member_at("sibling", Role.DIRECTOR)).get(f"/grids/visits/{visit.pk}/photo/").status_code == 404


def test_a_visit_dated_in_the_future_shows_the_field_error_and_saves_nothing(login, walked_grid, worker):
    client = login(worker)
    data = visit_data(visited_at=local_minute(timedelta(hours=3)), finding="risk", notes="电线私拉乱接", report="on")
    response = client.post(f"/grids/{walked_grid.code}/visit/", data)
    assert response.status_code == 200
    assert "future" in " ".join(response.context["form"].errors["visited_at"])
    html = response.content.decode()
    assert "电线私拉乱接" in html and "东岗西路12号3单元" in html  # nothing typed is lost
    assert not Visit.objects.exists() and not Case.objects.exists()


def test_a_finding_without_a_description_is_refused_on_that_field(login, walked_grid, worker):
    response = login(worker).post(f"/grids/{walked_grid.code}/visit/", visit_data(finding="risk", notes=""))
    assert "notes" in response.context["form"].errors
    assert not Visit.objects.exists()


def test_a_worker_not_assigned_to_the_grid_gets_404_on_its_visit_form(login, make_grid, walked_grid, member_at):
    stranger = member_at("child", Role.GRID_WORKER)
    client = login(stranger)
    assert client.get(f"/grids/{walked_grid.code}/visit/").status_code == 404
    assert client.post(f"/grids/{walked_grid.code}/visit/", visit_data()).status_code == 404
    assert client.get(f"/grids/{walked_grid.code}/").status_code == 404
    assert not Visit.objects.exists()


def test_a_director_sees_the_grid_but_may_not_log_visits_in_it(login, walked_grid, township_director):
    client = login(township_director)
    assert client.get(f"/grids/{walked_grid.code}/visit/").status_code == 403
    assert f"/grids/{walked_grid.code}/visit/" not in client.get(f"/grids/{walked_grid.code}/").content.decode()


def test_an_open_case_of_the_same_person_is_listed_and_can_be_overridden(login, walked_grid, worker):
    log_visit(
        walked_grid,
        worker,
        finding=Finding.REQUEST,
        notes="申请低保",
        person="王秀兰",
        report=services.FindingReport(parties=[{"role": "applicant", "name": "王秀兰", "phone": "13800001111"}]),
    )
    first = Case.objects.get()
    client = login(worker)
    data = visit_data(finding="request", notes="又来反映低保问题", report="on", phone="13800001111")
    response = client.post(f"/grids/{walked_grid.code}/visit/", data)
    html = response.content.decode()
    assert response.status_code == 200
    assert first.number in html and 'name="force_new"' in html
    assert Visit.objects.count() == 1 and Case.objects.count() == 1
    response = client.post(f"/grids/{walked_grid.code}/visit/", {**data, "force_new": "on"})
    assert response.status_code == 303
    assert Visit.objects.count() == 2 and Case.objects.count() == 2


# --- Reporting an earlier finding -----------------------------------------------------------------


def test_an_earlier_finding_is_reported_with_the_button(login, walked_grid, worker):
    visit = log_visit(walked_grid, worker, finding=Finding.RISK, notes="井盖缺失")
    client = login(worker)
    response = client.post(f"/grids/visits/{visit.pk}/report/", {"next": "/grids/mine/"})
    assert response.status_code == 303 and response["Location"] == "/grids/mine/"
    case = Case.objects.get()
    assert (case.visit_id, case.channel) == (visit.pk, Channel.GRID)
    # Reported once: the button leads to the case afterwards.
    again = client.post(f"/grids/visits/{visit.pk}/report/", {})
    assert again.status_code == 303 and again["Location"] == f"/cases/{case.pk}/"
    assert Case.objects.count() == 1


def test_an_auditor_may_not_report_a_finding(login, walked_grid, worker, member_at):
    visit = log_visit(walked_grid, worker, finding=Finding.RISK, notes="井盖缺失")
    auditor = member_at("own", Role.AUDITOR)
    client = login(auditor)
    assert f"/grids/visits/{visit.pk}/report/" not in client.get("/grids/visits/").content.decode()
    assert client.post(f"/grids/visits/{visit.pk}/report/", {}).status_code == 403
    assert not Case.objects.exists()


def test_a_clerk_reports_a_finding_from_the_visit_list(login, walked_grid, worker, clerk):
    visit = log_visit(walked_grid, worker, finding=Finding.DISPUTE, notes="宅基地边界争执")
    client = login(clerk)
    assert f"/grids/visits/{visit.pk}/report/" in client.get("/grids/visits/").content.decode()
    response = client.post(f"/grids/visits/{visit.pk}/report/", {"next": "/grids/visits/"})
    assert response["Location"] == "/grids/visits/"
    assert Case.objects.get().visit == visit


# --- The township's grid page ---------------------------------------------------------------------


@pytest.fixture
def laid_out(tree, second_village, make_grid, township_director, member_at):
    """Village 1: three urban grids (one too small, so flagged), two staffed, an auxiliary officer.
    Village 2: one rural grid, nobody on it, no auxiliary officer."""
    village = tree[CHILD]
    grids = [
        make_grid(name="一网格", households=400, residents=1100),
        make_grid(name="二网格", households=350, residents=900),
        make_grid(name="三网格", households=120, residents=300),
        make_grid(center=second_village, name="南山一组", kind=GridKind.RURAL, households=80, residents=260),
    ]
    assign(grids[0], member_at("child", Role.GRID_WORKER), township_director)
    assign(grids[1], member_at("own", Role.GRID_WORKER), township_director, employment=Employment.PART_TIME)
    police_grid = services.police_grid_create(actor=township_director, center=tree[OWN], name="东岗第一警格")
    services.auxiliary_add(actor=township_director, police_grid=police_grid, village=village, name="辅警张三")
    return grids


def test_the_township_page_shows_coverage_equal_to_a_hand_count(login, laid_out, township_director):
    response = login(township_director).get(f"/grids/center/{OWN}/")
    assert response.status_code == 200
    coverage = response.context["coverage"]
    rows = {row.code: row for row in coverage.rows}
    first, second = rows[CHILD], rows["620102001002"]
    assert (first.villages, first.villages_with_auxiliary, first.grids, first.grids_staffed, first.grids_flagged) == (
        1,
        1,
        3,
        2,
        1,
    )
    assert first.households == 400 + 350 + 120
    assert (second.villages_with_auxiliary, second.grids, second.grids_staffed) == (0, 1, 0)
    total = coverage.total
    assert (total.villages, total.villages_with_auxiliary, total.grids, total.grids_staffed, total.grids_flagged) == (
        2,
        1,
        4,
        2,
        1,
    )
    assert total.households == 950
    html = response.content.decode()
    assert "50%" in html  # one village of two with an auxiliary officer, two grids of four staffed
    assert "辅警张三" in html and "东岗第一警格" in html
    assert "Fewer households than the rule" in html and "this one covers 120" in html


def test_the_grid_list_filters_unstaffed_and_flagged_grids(login, laid_out, township_director):
    client = login(township_director)
    unstaffed = client.get(f"/grids/center/{OWN}/?unstaffed=on")
    assert {row["grid"].name for row in unstaffed.context["rows"]} == {"三网格", "南山一组"}
    flagged = client.get(f"/grids/center/{OWN}/?flagged=on")
    assert [row["grid"].name for row in flagged.context["rows"]] == ["三网格"]
    village = client.get(f"/grids/center/{OWN}/?unit=620102001002")
    assert [row["grid"].name for row in village.context["rows"]] == ["南山一组"]
    rural = client.get(f"/grids/center/{OWN}/?kind=rural")
    assert [row["grid"].name for row in rural.context["rows"]] == ["南山一组"]


def test_the_township_page_ranks_the_months_grid_workers(login, walked_grid, worker, township_director, moment):
    for hours in (2, 3, 4):
        log_visit(walked_grid, worker, visited_at=moment - timedelta(hours=hours))
    month = timezone.localdate(moment).strftime("%Y-%m")
    response = login(township_director).get(f"/grids/center/{OWN}/?month={month}")
    rows = response.context["assessment"]
    assert [(row.username, row.visits, row.rank) for row in rows] == [("grid_worker", 3, 1)]
    assert "赵磊" in response.content.decode()
    last_year = login(township_director).get(f"/grids/center/{OWN}/?month=2020-01")
    assert last_year.context["assessment"] == []


def test_a_sibling_townships_director_gets_404_on_the_other_townships_pages(login, walked_grid, worker, member_at):
    visit = log_visit(walked_grid, worker)
    client = login(member_at("sibling", Role.DIRECTOR))
    assert client.get(f"/grids/center/{SIBLING}/").status_code == 200
    for url in (
        f"/grids/center/{OWN}/",
        f"/grids/{walked_grid.code}/",
        f"/grids/{walked_grid.code}/edit/",
        f"/grids/visits/{visit.pk}/report/",
        f"/grids/new/?center={CHILD}",
    ):
        assert client.get(url).status_code == 404, url
    assert client.post(f"/grids/{walked_grid.code}/assign/", {}).status_code == 404
    assert client.post(f"/grids/{walked_grid.code}/retire/", {"retire-reason": "x"}).status_code == 404
    assert client.get("/grids/visits/").context["page"].paginator.count == 0
    assert Grid.objects.get(pk=walked_grid.pk).is_active


def test_grid_workers_and_mediators_do_not_see_the_township_page(login, walked_grid, worker, member_at):
    assert login(worker).get(f"/grids/center/{OWN}/").status_code == 404
    assert login(member_at("own", Role.MEDIATOR)).get(f"/grids/center/{OWN}/").status_code == 404


def test_managers_see_the_manage_buttons_and_a_clerk_does_not(login, walked_grid, township_director, clerk, director):
    page = login(township_director).get(f"/grids/center/{OWN}/").content.decode()
    assert "Add a grid" in page and "Assessment weights" not in page  # the weights are the county's
    grid_page = login(township_director).get(f"/grids/{walked_grid.code}/").content.decode()
    assert "Edit the grid" in grid_page and "Assign a grid worker" in grid_page and "Retire the grid" in grid_page
    county_page = login(director).get("/grids/center/620102/").content.decode()
    assert "Assessment weights" in county_page and "Add a grid" in county_page
    client = login(clerk)
    page = client.get(f"/grids/center/{OWN}/").content.decode()
    assert "Add a grid" not in page and "Assessment weights" not in page
    grid_page = client.get(f"/grids/{walked_grid.code}/").content.decode()
    assert "Edit the grid" not in grid_page and "Assign a grid worker" not in grid_page
    assert "Retire the grid" not in grid_page
    assert client.get(f"/grids/{walked_grid.code}/edit/").status_code == 403
    assert client.post(f"/grids/{walked_grid.code}/retire/", {"retire-reason": "合并"}).status_code == 403
    assert client.get(f"/grids/new/?center={CHILD}").status_code == 403


# --- One grid -------------------------------------------------------------------------------------


def test_reassignment_through_the_form_keeps_the_history(login, walked_grid, worker, township_director, member_at):
    successor = member_at("child", Role.GRID_WORKER, first_name="钱多多")
    client = login(township_director)
    response = client.post(
        f"/grids/{walked_grid.code}/assign/",
        {"worker": successor.pk, "employment": "part_time", "replace": "on", "note": "原网格员调岗"},
    )
    assert response.status_code == 303
    rows = list(GridAssignment.objects.filter(grid=walked_grid).order_by("started_at"))
    assert [(row.worker, row.ended_at is None) for row in rows] == [(worker, False), (successor, True)]
    assert "钱多多" in rows[0].end_reason and rows[0].ended_by == township_director
    html = client.get(f"/grids/{walked_grid.code}/").content.decode()
    assert "赵磊" in html and "钱多多" in html and rows[0].end_reason in html
    assert "Part-time" in html


def test_an_assignment_without_a_worker_is_refused_in_place(login, walked_grid, township_director):
    response = login(township_director).post(f"/grids/{walked_grid.code}/assign/", {"employment": "full_time"})
    assert response.status_code == 200 and "worker" in response.context["assign_form"].errors
    assert GridAssignment.objects.count() == 1


def test_ending_an_assignment_needs_a_reason_and_then_ends_it(login, walked_grid, township_director):
    assignment = GridAssignment.objects.get()
    client = login(township_director)
    url = f"/grids/{walked_grid.code}/assignments/{assignment.pk}/end/"
    refused = client.post(url, {f"end-{assignment.pk}-reason": ""})
    assert refused.status_code == 200 and "reason" in refused.context["end_form"].errors
    assert "Say why the worker leaves the grid." in refused.content.decode()
    assert client.post(url, {f"end-{assignment.pk}-reason": "辞职"}).status_code == 303
    assignment.refresh_from_db()
    assert assignment.end_reason == "辞职" and assignment.ended_at is not None


def test_a_grid_is_laid_out_edited_and_retired_through_the_forms(login, township_director, tree):
    client = login(township_director)
    chooser = client.get(f"/grids/new/?center={OWN}")
    assert chooser.context["choose"] and CHILD in chooser.content.decode()
    response = client.post(
        f"/grids/new/?center={CHILD}",
        {"name": "东岗社区第9网格", "kind": "urban", "households": "620", "residents": "1800", "duties": ["party"]},
    )
    grid = Grid.objects.get()
    assert response.status_code == 303 and response["Location"] == f"/grids/{grid.code}/"
    assert (grid.size_flag, grid.duties) == ("large", ["party"])
    html = client.get(f"/grids/{grid.code}/").content.decode()
    assert "More households than the rule" in html and "this one covers 620" in html
    refused = client.post(
        f"/grids/{grid.code}/edit/",
        {"name": "东岗社区第9网格", "kind": "urban", "households": "500", "residents": "10"},
    )
    assert refused.status_code == 200 and "residents" in refused.context["form"].errors
    client.post(
        f"/grids/{grid.code}/edit/",
        {"name": "东岗社区第9网格", "kind": "urban", "households": "480", "residents": "1500", "size_note": ""},
    )
    grid.refresh_from_db()
    assert (grid.households, grid.size_flag) == (480, "")
    refused = client.post(f"/grids/{grid.code}/retire/", {"retire-reason": ""})
    assert "reason" in refused.context["retire_form"].errors
    client.post(f"/grids/{grid.code}/retire/", {"retire-reason": "并入第1网格"})
    grid.refresh_from_db()
    assert not grid.is_active


def test_the_county_sets_the_assessment_weights(login, director, member_at, tree):
    client = login(director)
    response = client.post(
        "/grids/center/620102/weights/",
        {
            "visits_target": "30",
            "findings_target": "3",
            "weight_visits": "50",
            "weight_findings": "20",
            "weight_on_time": "20",
            "weight_warnings": "10",
        },
    )
    assert response.status_code == 303
    assert AssessmentPolicy.objects.get(center_code="620102").visits_target == 30
    none = {name: "0" for name in ("weight_visits", "weight_findings", "weight_on_time", "weight_warnings")}
    refused = client.post("/grids/center/620102/weights/", {"visits_target": "30", "findings_target": "3", **none})
    assert "weight_visits" in refused.context["form"].errors
    assert client.get(f"/grids/center/{OWN}/weights/").status_code == 404  # a township sets none
    AssessmentPolicy.objects.filter(center_code="620102").update(updated_by=None)  # as loaded by the demo
    assert "weight_visits" in client.get("/grids/center/620102/weights/").content.decode()
    assert login(member_at("parent", Role.CLERK)).get("/grids/center/620102/weights/").status_code == 403


# --- The visit list -------------------------------------------------------------------------------


def test_the_visit_list_filters_by_finding_grid_and_date(login, make_grid, worker, township_director):
    first, second = make_grid(name="一网格"), make_grid(name="二网格")
    assign(first, worker, township_director, days_ago=30)
    assign(second, worker, township_director, days_ago=30)
    log_visit(first, worker, finding=Finding.RISK, notes="危房", visited_at=timezone.now() - timedelta(days=10))
    log_visit(first, worker, visited_at=timezone.now() - timedelta(days=1))
    log_visit(second, worker, finding=Finding.DISPUTE, notes="争执", visited_at=timezone.now() - timedelta(days=1))
    client = login(township_director)
    assert client.get("/grids/visits/").context["page"].paginator.count == 3
    assert client.get("/grids/visits/?found=on").context["page"].paginator.count == 2
    assert client.get("/grids/visits/?finding=risk").context["page"].paginator.count == 1
    assert client.get(f"/grids/visits/?grid={second.code}").context["page"].paginator.count == 1
    since = (timezone.localdate() - timedelta(days=3)).isoformat()
    assert client.get(f"/grids/visits/?after={since}").context["page"].paginator.count == 2
    bad = client.get(f"/grids/visits/?after={since}&before=2000-01-01")
    assert bad.context["page"].paginator.count == 0 and "before" in bad.context["form"].errors


# --- Home, navigation, the case page, languages ---------------------------------------------------


def test_the_home_page_shows_the_worker_their_grids_and_the_director_the_coverage(
    login, walked_grid, worker, township_director
):
    log_visit(walked_grid, worker, finding=Finding.RISK, notes="井盖缺失")
    home = login(worker).get("/")
    html = home.content.decode()
    assert "findings not yet reported" in html and 'href="/grids/mine/"' in html
    html = login(township_director).get("/").content.decode()
    assert "grids with a grid worker" in html and f'href="/grids/center/{OWN}/"' in html
    assert 'href="/grids/"' in html  # the top bar


def test_the_case_page_says_which_grid_and_visit_the_case_came_from(login, walked_grid, worker, clerk):
    visit = log_visit(walked_grid, worker, finding=Finding.RISK, notes="井盖缺失", report=services.FindingReport())
    html = login(clerk).get(f"/cases/{visit.case.pk}/").content.decode()
    assert f"From a patrol visit in grid {walked_grid.name}（{walked_grid.code}）" in html


def test_the_center_page_links_to_its_grids(login, township_director, clerk):
    assert f'href="/grids/center/{OWN}/"' in login(township_director).get(f"/centers/{OWN}/").content.decode()


@pytest.mark.parametrize(
    ("language", "words"),
    [("zh-hans", ["我的网格", "登记走访", "最近走访"]), ("en", ["My grids", "Log a visit", "Recent visits"])],
)
def test_the_worker_page_speaks_chinese_and_english(login, walked_grid, worker, language, words):
    html = login(worker, language=language).get("/grids/mine/").content.decode()
    assert all(word in html for word in words), words


@pytest.mark.parametrize(
    ("language", "words"),
    [("zh-hans", ["网格", "一村一辅警", "网格员", "考核"]), ("en", ["Coverage", "Grid workers", "Assessment"])],
)
def test_the_township_page_speaks_chinese_and_english(login, laid_out, township_director, language, words):
    html = login(township_director, language=language).get(f"/grids/center/{OWN}/").content.decode()
    assert all(word in html for word in words), words


def test_the_visit_form_defaults_to_chinese_by_the_browser(client, walked_grid, worker):
    client.force_login(worker)
    html = client.get(f"/grids/{walked_grid.code}/visit/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "同时上报为案件（网格上报）" in html and "走访" in html


# --- Query counts ---------------------------------------------------------------------------------


def _lay_out(count: int, township_director, village, workers) -> None:
    police_grid = services.police_grid_create(
        actor=township_director, center=Center.objects.get(code=OWN), name=f"警格{count}"
    )
    for n in range(count):
        grid = services.grid_create(
            actor=township_director,
            center=village,
            name=f"网格{count}-{n}",
            kind=GridKind.URBAN,
            households=200 + n * 20,
            residents=1000,
            duties=["party", "health"],
            police_grid=police_grid,
        )
        assign(grid, workers[n % len(workers)], township_director)


def test_the_township_page_query_count_stays_flat_as_grids_grow(
    login, township_director, village, member_at, django_assert_max_num_queries
):
    workers = [member_at("child", Role.GRID_WORKER) for _ in range(3)]
    _lay_out(3, township_director, village, workers)
    client = login(township_director)
    with CaptureQueriesContext(connection) as few:
        assert client.get(f"/grids/center/{OWN}/").status_code == 200
    _lay_out(27, township_director, village, workers + [member_at("child", Role.GRID_WORKER) for _ in range(5)])
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(f"/grids/center/{OWN}/")
    assert response.context["page"].paginator.count == 30 and len(response.context["rows"]) == 30


def test_the_visit_list_and_worker_page_query_counts_stay_flat(
    login, walked_grid, worker, django_assert_max_num_queries
):
    client = login(worker)
    log_visit(walked_grid, worker, finding=Finding.RISK, notes="隐患", report=services.FindingReport())
    with CaptureQueriesContext(connection) as few_list:
        client.get("/grids/visits/")
    with CaptureQueriesContext(connection) as few_mine:
        client.get("/grids/mine/")
    for n in range(10):
        report = services.FindingReport() if n % 2 else None
        log_visit(walked_grid, worker, finding=Finding.DISPUTE, notes=f"争执{n}", report=report)
    with django_assert_max_num_queries(len(few_list.captured_queries)):
        assert client.get("/grids/visits/").context["page"].paginator.count == 11
    with django_assert_max_num_queries(len(few_mine.captured_queries)):
        assert len(client.get("/grids/mine/").context["recent"]) == 11


def test_pages_need_a_login(client, walked_grid):
    for url in ("/grids/mine/", f"/grids/center/{OWN}/", f"/grids/{walked_grid.code}/", "/grids/visits/"):
        response = client.get(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_the_grids_link_leads_staff_to_their_center_and_workers_to_their_grids(login, clerk, worker):
    response = login(clerk).get("/grids/")
    assert response.status_code == 302 and response["Location"] == f"/grids/center/{OWN}/"
    response = login(worker).get("/grids/")
    assert response.status_code == 302 and response["Location"] == "/grids/mine/"


def test_the_worker_page_lists_the_open_cases_of_the_workers_grids(client, walked_grid, worker, make_case):
    from cases.models import Case

    case = make_case(center_code=walked_grid.center_code, title="楼道堆物引发争执")
    Case.objects.filter(pk=case.pk).update(grid=walked_grid)
    elsewhere = make_case(center_code=walked_grid.center_code, title="别处的纠纷")
    client.force_login(worker)
    body = client.get("/grids/mine/").content.decode()
    assert "楼道堆物引发争执" in body and "别处的纠纷" not in body
    assert elsewhere.pk


def test_a_flagged_grid_says_why_in_the_readers_language(login, make_grid, township_director, api_as):
    from django.utils import translation

    with translation.override("zh-hans"):  # saved by a Chinese reader: the stored reason is Chinese
        grid = make_grid(households=620, residents=1800)
    assert "户" in grid.size_reason

    english = login(township_director, "en").get(grid.get_absolute_url()).content.decode()
    chinese = login(township_director, "zh-hans").get(grid.get_absolute_url()).content.decode()
    api = api_as(township_director).get(f"/api/v1/grids/{grid.code}/", HTTP_ACCEPT_LANGUAGE="en").json()

    assert "should cover 300 to 500 households; this one covers 620." in english
    assert "this one covers" not in chinese and "620" in chinese
    with translation.override("zh-hans"):
        assert grid.size_reason in chinese
    assert api["size_reason"].endswith("this one covers 620.")
