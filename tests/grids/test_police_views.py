"""The police grid pages as the police liaison meets them: setting up a police grid over the
township's grids (taking grids from another police grid), stationing, moving and standing down
auxiliary officers, seeing which villages still lack one (一村一辅警); and who may see or change it."""

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext

from govcenter.divisions import Level
from govcenter.models import AuditEvent, Center, Department, Role
from grids import services
from grids.models import AuxiliaryOfficer, Grid, GridKind, PoliceGrid
from tests.conftest import CHILD, OWN, PARENT, SIBLING

SECOND = "620102001002"
SIBLING_VILLAGE = "620102002001"


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


@pytest.fixture
def second_village(tree):
    return Center.objects.create(code=SECOND, level=Level.VILLAGE, name="南山村", parent_id=OWN)


@pytest.fixture
def sibling_village(tree):
    return Center.objects.create(code=SIBLING_VILLAGE, level=Level.VILLAGE, name="雁南社区", parent_id=SIBLING)


def _station(center: Center, name: str, **fields) -> Department:
    return Department.objects.create(
        center=center, center_code=center.code, name=name, kind=Department.Kind.POLICE, **fields
    )


@pytest.fixture
def stations(tree):
    return {
        "own": _station(tree[OWN], "东岗派出所"),
        "county": _station(tree[PARENT], "城关公安分局巡警大队"),
        "sibling": _station(tree[SIBLING], "雁南派出所"),
        "closed": _station(tree[OWN], "东岗警务室（已撤）", is_active=False),
    }


@pytest.fixture
def liaison(member_at):
    return member_at("own", Role.POLICE, username="police_liaison", first_name="马警官")


@pytest.fixture
def clerk(member_at):
    return member_at("own", Role.CLERK, username="clerk_police")


@pytest.fixture
def township(tree, second_village, make_grid, township_director):
    """Two villages of the township: 东岗社区 with two grids and 南山村 with one, all three in the
    police grid 东岗第一警格, whose one auxiliary officer serves 东岗社区 (南山村 has none)."""
    grids = {
        "g1": make_grid(name="东岗一网格"),
        "g2": make_grid(name="东岗二网格"),
        "g3": make_grid(center=second_village, name="南山一组", kind=GridKind.RURAL, households=80, residents=260),
    }
    first = services.police_grid_create(
        actor=township_director, center=tree[OWN], name="东岗第一警格", grids=list(grids.values())
    )
    officer = services.auxiliary_add(
        actor=township_director, police_grid=first, village=tree[CHILD], name="辅警张三", phone="13900000001"
    )
    return {"grids": grids, "first": first, "officer": officer}


def _url(police_grid: PoliceGrid, tail: str = "") -> str:
    return f"/grids/police/{police_grid.pk}/{tail}"


def _coverage(client):
    return client.get(f"/grids/center/{OWN}/").context["coverage"].total


# --- Setting up a police grid ---------------------------------------------------------------------


def test_the_liaison_sets_up_a_police_grid_that_takes_grids_and_fills_the_coverage(
    login, liaison, township, stations, tree
):
    client = login(liaison)
    grids = township["grids"]
    before = _coverage(client)
    assert (before.villages, before.villages_with_auxiliary) == (2, 1)
    center_page = client.get(f"/grids/center/{OWN}/").content.decode()
    assert f'href="/grids/center/{OWN}/police/new/"' in center_page and "50%" in center_page

    form = client.get(f"/grids/center/{OWN}/police/new/")
    html = form.content.decode()
    assert form.status_code == 200
    offered = {station.pk for station in form.context["form"].fields["station"].queryset}
    assert offered == {stations["own"].pk, stations["county"].pk}
    assert "now in 东岗第一警格" in html and "东岗社区" in html and "南山村" in html
    assert [group["village"].code for group in form.context["groups"]] == [CHILD, SECOND]

    response = client.post(
        f"/grids/center/{OWN}/police/new/",
        {
            "name": "东岗第二警格",
            "station": stations["own"].pk,
            "officer_name": "李警官",
            "officer_phone": "13900001234",
            "grids": [grids["g2"].code, grids["g3"].code],
        },
    )
    second = PoliceGrid.objects.get(name="东岗第二警格")
    assert response.status_code == 303 and response["Location"] == _url(second)
    assert (second.center_code, second.station, second.officer_name) == (OWN, stations["own"], "李警官")
    moved = {grid.code: grid.police_grid_id for grid in Grid.objects.all()}
    assert moved == {
        grids["g1"].code: township["first"].pk,
        grids["g2"].code: second.pk,
        grids["g3"].code: second.pk,
    }
    assert AuditEvent.objects.filter(action="police_grid.create", actor=liaison).exists()

    detail = client.get(_url(second))
    assert [village.code for village in detail.context["gaps"]] == [SECOND]
    response = client.post(
        _url(second, "auxiliaries/"), {"name": "辅警王五", "phone": "13900000002", "village": SECOND}
    )
    assert response.status_code == 303 and response["Location"] == _url(second, "#officers")
    officer = AuxiliaryOfficer.objects.get(name="辅警王五")
    assert (officer.police_grid, officer.village_code, officer.phone) == (second, SECOND, "13900000002")

    after = _coverage(client)
    assert (after.villages, after.villages_with_auxiliary) == (2, 2)
    assert "100%" in client.get(f"/grids/center/{OWN}/").content.decode()
    page = client.get(_url(second), follow=True)
    assert page.context["gaps"] == [] and "Every village of the township has an auxiliary officer." in (
        page.content.decode()
    )


def test_the_detail_page_lists_grids_officers_and_villages_without_one(login, liaison, township):
    first = township["first"]
    response = login(liaison).get(_url(first))
    html = response.content.decode()
    assert response.status_code == 200
    assert [grid.name for grid in response.context["grids"]] == ["东岗一网格", "东岗二网格", "南山一组"]
    assert "辅警张三" in html and 'href="tel:13900000001"' in html
    assert [village.name for village in response.context["gaps"]] == ["南山村"]
    assert f"?village={SECOND}#add-officer" in html
    assert _url(first, "edit/") in html and _url(first, "retire/") in html


def test_a_gap_link_preselects_the_village_in_the_add_form(login, liaison, township):
    response = login(liaison).get(_url(township["first"]) + f"?village={SECOND}")
    assert response.context["add_form"]["village"].value() == SECOND
    assert f'<option value="{SECOND}" selected>' in response.content.decode()


def test_the_liaison_edits_the_police_grid_and_unticked_grids_leave_it(
    login, liaison, township, stations, township_director
):
    first, grids = township["first"], township["grids"]
    retired = grids["g3"]
    services.grid_retire(actor=township_director, grid=retired, reason="并入一网格")
    client = login(liaison)
    form = client.get(_url(first, "edit/"))
    assert form.status_code == 200
    assert form.context["form"].chosen_codes() == {grids["g1"].code, grids["g2"].code}
    assert retired.code not in form.content.decode()  # retired grids are not offered
    response = client.post(
        _url(first, "edit/"),
        {"name": "东岗一警格", "station": stations["county"].pk, "officer_name": "赵警官", "grids": [grids["g1"].code]},
    )
    assert response.status_code == 303
    first.refresh_from_db()
    assert (first.name, first.station, first.officer_name) == ("东岗一警格", stations["county"], "赵警官")
    assert Grid.objects.get(pk=grids["g2"].pk).police_grid is None
    assert Grid.objects.get(pk=grids["g1"].pk).police_grid == first
    assert Grid.objects.get(pk=retired.pk).police_grid == first  # kept, though not offered


def test_an_officer_is_moved_then_taken_off_duty_and_the_village_becomes_a_gap(login, liaison, township):
    first, officer = township["first"], township["officer"]
    client = login(liaison)
    html = client.get(_url(first)).content.decode()
    assert 'data-confirm="Move 辅警张三 to the chosen village?"' in html
    assert 'data-confirm="Take 辅警张三 off duty?' in html and "js/behaviours.js" in html

    response = client.post(_url(first, f"auxiliaries/{officer.pk}/move/"), {"village": SECOND})
    assert response.status_code == 303
    officer.refresh_from_db()
    assert (officer.village_id, officer.village_code) == (Center.objects.get(code=SECOND).pk, SECOND)
    assert [village.code for village in client.get(_url(first)).context["gaps"]] == [CHILD]

    response = client.post(_url(first, f"auxiliaries/{officer.pk}/deactivate/"), follow=True)
    officer.refresh_from_db()
    assert not officer.is_active
    assert "辅警张三 is no longer on duty." in messages_of(response)
    assert {village.code for village in response.context["gaps"]} == {CHILD, SECOND}
    assert response.context["officers"] == [] and response.context["former"] == [officer]

    client.post(_url(first, f"auxiliaries/{officer.pk}/reactivate/"))
    officer.refresh_from_db()
    assert officer.is_active


def test_a_retired_police_grid_stops_counting_and_can_be_brought_back(login, liaison, township):
    first = township["first"]
    client = login(liaison)
    response = client.post(_url(first, "retire/"), follow=True)
    first.refresh_from_db()
    assert not first.is_active
    html = response.content.decode()
    assert _url(first, "reactivate/") in html and _url(first, "edit/") not in html
    assert "add_form" not in response.context
    assert _coverage(client).villages_with_auxiliary == 0
    assert client.get(_url(first, "edit/")).status_code == 403
    # A retired police grid takes no new officer.
    refused = client.post(_url(first, "auxiliaries/"), {"name": "辅警赵六", "village": SECOND}, follow=True)
    assert not AuxiliaryOfficer.objects.filter(name="辅警赵六").exists()
    assert messages_of(refused) == ["This police grid is no longer in use."]
    # It is found again from the new-police-grid page, and brought back.
    assert _url(first) in client.get(f"/grids/center/{OWN}/police/new/").content.decode()
    client.post(_url(first, "reactivate/"))
    first.refresh_from_db()
    assert first.is_active and _coverage(client).villages_with_auxiliary == 1


# --- Bad input ------------------------------------------------------------------------------------


def test_a_police_grid_without_a_name_shows_the_error_keeps_the_input_and_saves_nothing(
    login, liaison, township, stations
):
    grids = township["grids"]
    response = login(liaison).post(
        f"/grids/center/{OWN}/police/new/",
        {"name": "  ", "station": stations["own"].pk, "officer_name": "李警官", "grids": [grids["g2"].code]},
    )
    assert response.status_code == 200
    assert response.context["form"].errors["name"] == ["Give the police grid a name."]
    html = response.content.decode()
    assert 'value="李警官"' in html
    assert f'value="{grids["g2"].code}" checked' in html and f'value="{grids["g1"].code}" checked' not in html
    assert PoliceGrid.objects.count() == 1
    assert Grid.objects.get(pk=grids["g2"].pk).police_grid == township["first"]


def test_a_duplicate_name_and_a_station_of_another_township_are_refused_in_place(login, liaison, township, stations):
    client = login(liaison)
    duplicate = client.post(f"/grids/center/{OWN}/police/new/", {"name": "东岗第一警格"})
    assert "already has a police grid of that name" in " ".join(duplicate.context["form"].errors["name"])
    foreign = client.post(f"/grids/center/{OWN}/police/new/", {"name": "新警格", "station": stations["sibling"].pk})
    assert "station" in foreign.context["form"].errors
    assert PoliceGrid.objects.count() == 1


def test_an_officer_in_a_village_of_another_township_is_refused_in_place(login, liaison, township, sibling_village):
    first = township["first"]
    response = login(liaison).post(
        _url(first, "auxiliaries/"), {"name": "辅警李四", "phone": "13900000003", "village": SIBLING_VILLAGE}
    )
    assert response.status_code == 200
    assert response.context["add_form"].errors["village"] == [
        "Choose a village or community of the police grid's township."
    ]
    html = response.content.decode()
    assert 'value="辅警李四"' in html and "<details open" in html
    assert AuxiliaryOfficer.objects.count() == 1


def test_an_officer_without_a_name_is_refused_and_a_move_out_of_the_township_too(
    login, liaison, township, sibling_village
):
    first, officer = township["first"], township["officer"]
    client = login(liaison)
    response = client.post(_url(first, "auxiliaries/"), {"name": "", "village": SECOND})
    assert response.context["add_form"].errors["name"] == ["Give the officer's name."]
    assert AuxiliaryOfficer.objects.count() == 1
    moved = client.post(_url(first, f"auxiliaries/{officer.pk}/move/"), {"village": SIBLING_VILLAGE})
    assert moved.status_code == 200 and moved.context["move_id"] == officer.pk
    assert "Choose a village or community of the police grid&#x27;s township." in moved.content.decode()
    officer.refresh_from_db()
    assert officer.village_code == CHILD


# --- Who may see and change -----------------------------------------------------------------------


def test_a_clerk_sees_the_police_grid_without_buttons_and_is_refused_every_change(login, clerk, township):
    first, officer = township["first"], township["officer"]
    client = login(clerk)
    response = client.get(_url(first))
    html = response.content.decode()
    assert response.status_code == 200 and "辅警张三" in html and "南山村" in html
    assert 'method="post"' not in html.split("</header>", 1)[1]
    assert _url(first, "edit/") not in html and "#add-officer" not in html
    center_page = client.get(f"/grids/center/{OWN}/").content.decode()
    assert _url(first) in center_page and _url(first, "edit/") not in center_page
    assert "/police/new/" not in center_page
    assert client.get(_url(first, "edit/")).status_code == 403
    assert client.get(f"/grids/center/{OWN}/police/new/").status_code == 403
    posts = {
        f"/grids/center/{OWN}/police/new/": {"name": "文员警格"},
        _url(first, "edit/"): {"name": "改名"},
        _url(first, "retire/"): {},
        _url(first, "auxiliaries/"): {"name": "辅警李四", "village": SECOND},
        _url(first, f"auxiliaries/{officer.pk}/move/"): {"village": SECOND},
        _url(first, f"auxiliaries/{officer.pk}/deactivate/"): {},
    }
    for url, data in posts.items():
        assert client.post(url, data).status_code == 403, url
    first.refresh_from_db()
    officer.refresh_from_db()
    assert (first.name, first.is_active, officer.is_active, officer.village_code) == ("东岗第一警格", True, True, CHILD)
    assert PoliceGrid.objects.count() == 1 and AuxiliaryOfficer.objects.count() == 1


def test_the_police_liaison_of_the_sibling_township_gets_404(login, member_at, township):
    first, officer = township["first"], township["officer"]
    client = login(member_at("sibling", Role.POLICE))
    for url in (_url(first), _url(first, "edit/"), f"/grids/center/{OWN}/police/new/"):
        assert client.get(url).status_code == 404, url
    for tail in ("retire/", "auxiliaries/", f"auxiliaries/{officer.pk}/deactivate/"):
        assert client.post(_url(first, tail), {"name": "x", "village": SECOND}).status_code == 404, tail
    first.refresh_from_db()
    assert first.is_active and AuxiliaryOfficer.objects.count() == 1


def test_the_county_director_keeps_the_townships_police_grids(login, director, township):
    first = township["first"]
    client = login(director)
    center_page = client.get(f"/grids/center/{PARENT}/").content.decode()
    assert _url(first, "edit/") in center_page
    assert client.get(f"/grids/center/{OWN}/police/new/").status_code == 200
    # Police grids belong to townships: a county or a village has no page to set one up.
    assert client.get(f"/grids/center/{PARENT}/police/new/").status_code == 404
    assert client.get(f"/grids/center/{CHILD}/police/new/").status_code == 404


def test_the_pages_need_a_login(client, township):
    for url in (_url(township["first"]), f"/grids/center/{OWN}/police/new/"):
        response = client.get(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]


# --- Languages and query counts -------------------------------------------------------------------


def test_the_pages_speak_english_when_the_browser_asks(client, liaison, township):
    client.force_login(liaison)
    html = client.get(_url(township["first"]), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    for words in ("Auxiliary officers", "Villages without an auxiliary officer", "Station an auxiliary officer"):
        assert words in html, words
    html = client.get(f"/grids/center/{OWN}/police/new/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "New police grid in 东岗街道" in html and "now in 东岗第一警格" in html


def test_the_pages_speak_chinese_by_default(client, liaison, township):
    client.force_login(liaison)
    html = client.get(_url(township["first"]), HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    for words in ("辅警", "尚无辅警的村（社区）", "编辑警格", "撤销警格"):
        assert words in html, words
    html = client.get(f"/grids/center/{OWN}/police/new/").content.decode()
    assert "新增警格" in html and "覆盖的网格" in html


def test_the_detail_page_query_count_does_not_grow_with_the_officers(
    login, liaison, township, second_village, tree, django_assert_max_num_queries
):
    first = township["first"]
    client = login(liaison)
    with CaptureQueriesContext(connection) as few:
        assert client.get(_url(first)).status_code == 200
    for n in range(12):
        village = Center.objects.create(
            code=f"620102001{n + 3:03d}", level=Level.VILLAGE, name=f"新村{n}", parent_id=OWN
        )
        services.auxiliary_add(actor=liaison, police_grid=first, village=village, name=f"辅警{n}")
        if n % 3 == 0:
            services.auxiliary_add(actor=liaison, police_grid=first, village=second_village, name=f"南山辅警{n}")
    AuxiliaryOfficer.objects.filter(name="辅警0").update(is_active=False)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(_url(first))
    assert len(response.context["officers"]) == 1 + 11 + 4 and len(response.context["former"]) == 1
