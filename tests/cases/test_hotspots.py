"""Hotspots: the same complaint through several channels or from several people within hours."""

from datetime import timedelta
from types import SimpleNamespace

import pytest
from django.urls import reverse
from django.utils import timezone

from cases.hotspots import demo as hotspot_demo
from cases.hotspots import detect
from cases.hotspots.models import Hotspot, HotspotCase, HotspotStatus
from cases.hotspots.services import hotspot_candidates, hotspots_detect
from cases.models import Case, CaseEvent
from govcenter.models import Role
from tests.fixtures_cases import valid_id

pytestmark = pytest.mark.django_db

BUS = [
    ("hotline", "18路公交车早高峰间隔太长", "每天早上在幸福家园小区站等18路公交车，间隔超过40分钟。"),
    ("walk_in", "18路公交车早上等不到车", "18路公交车早上班次太少，送孩子上学等了半个多小时。"),
    ("hotline", "18路公交车发车间隔过长", "早上18路公交车发车间隔过长，站台排队的人很多。"),
]


@pytest.fixture
def planted(make_case):
    """Three people, two channels, the same bus route, within three hours; and unrelated cases."""
    now = timezone.now()
    bus = [
        make_case(
            channel=channel,
            title=title,
            facts=facts,
            received_at=now - timedelta(hours=3 - i),
            applicant_id=valid_id(100 + i),
        )
        for i, (channel, title, facts) in enumerate(BUS)
    ]
    other_topic = make_case(
        channel="phone", title="楼上漏水", facts="楼上卫生间漏水，天花板发霉。", received_at=now - timedelta(hours=1)
    )
    same_person = [
        make_case(
            channel="walk_in",
            title="邻居狗叫扰民",
            facts="邻居家的狗整夜叫。",
            applicant_id=valid_id(200),
            received_at=now - timedelta(hours=h),
        )
        for h in (1, 2)
    ]
    too_old = make_case(
        channel="phone",
        title="18路公交车间隔长",
        facts="18路公交车早上间隔太长。",
        received_at=now - timedelta(hours=9),
        applicant_id=valid_id(300),
    )
    return SimpleNamespace(bus=bus, other_topic=other_topic, same_person=same_person, too_old=too_old, now=now)


@pytest.fixture
def hotspot(planted):
    [found] = hotspots_detect()
    return found


# --- Detection --------------------------------------------------------------------------------------


def test_planted_hotspot_is_found_with_its_terms_and_cases(planted):
    [hotspot] = hotspots_detect()
    assert hotspot.county_code == "620102"
    assert hotspot.terms[0] == "18路"
    assert "公交车" in hotspot.terms
    assert set(hotspot.cases.values_list("pk", flat=True)) == {c.pk for c in planted.bus}
    assert sorted(hotspot.channels) == ["hotline", "walk_in"]
    assert hotspot.reporter_count == 3
    assert hotspot.status == HotspotStatus.OPEN
    assert hotspot.window_start == planted.bus[0].received_at
    assert hotspot.window_end == planted.bus[-1].received_at


def test_unrelated_cases_are_not_grouped(planted):
    hotspots_detect()
    grouped = set(HotspotCase.objects.values_list("case_id", flat=True))
    assert planted.other_topic.pk not in grouped
    assert not grouped & {c.pk for c in planted.same_person}  # one person, one channel
    assert planted.too_old.pk not in grouped  # outside the window


def test_same_topic_from_one_person_through_one_channel_is_no_hotspot(make_case):
    for hours in (1, 2, 3):
        make_case(
            channel="hotline",
            title="18路公交车间隔太长",
            facts="18路公交车早上间隔太长。",
            applicant_id=valid_id(7),
            received_at=timezone.now() - timedelta(hours=hours),
        )
    assert hotspots_detect() == []


def test_three_people_through_one_channel_make_a_hotspot(make_case):
    for i in range(3):
        make_case(
            channel="hotline",
            title="18路公交车间隔太长",
            facts="18路公交车早上间隔太长。",
            applicant_id=valid_id(10 + i),
            received_at=timezone.now() - timedelta(hours=i),
        )
    [hotspot] = hotspots_detect()
    assert hotspot.channels == ["hotline"] and hotspot.reporter_count == 3


def test_a_second_pass_creates_nothing_new(planted):
    hotspots_detect()
    before = (Hotspot.objects.count(), HotspotCase.objects.count())
    assert hotspots_detect() == []
    assert (Hotspot.objects.count(), HotspotCase.objects.count()) == before == (1, 3)


def test_a_new_case_joins_the_open_hotspot(hotspot, make_case):
    late = make_case(
        channel="phone", title="18路公交车太少", facts="18路公交车早上班次太少。", applicant_id=valid_id(400)
    )
    [again] = hotspots_detect()
    assert again.pk == hotspot.pk
    assert again.case_count == 4 and late.pk in set(again.cases.values_list("pk", flat=True))
    assert "phone" in again.channels


def test_a_dismissed_hotspot_is_not_found_again(hotspot, director):
    from cases.hotspots.services import hotspot_dismiss

    hotspot_dismiss(actor=director, hotspot=hotspot, reason="不是同一件事")
    assert hotspots_detect() == []
    assert Hotspot.objects.count() == 1


def test_detection_runs_a_bounded_number_of_queries(make_case, django_assert_max_num_queries):
    now = timezone.now()
    for i in range(12):
        make_case(
            channel=["hotline", "walk_in", "phone"][i % 3],
            title=f"话题{i}",
            facts=f"第{i}号楼的问题",
            applicant_id=valid_id(500 + i),
            received_at=now - timedelta(minutes=10 * i),
        )
    detect._segmenter(set())  # jieba's dictionary is loaded once per process, not per pass
    with django_assert_max_num_queries(3):  # the window's cases with their applicants, centers, grids
        hotspot_candidates()


def test_route_estate_and_company_names_are_taken_from_the_text():
    terms = detect.extract_terms("毛艳娜与兰州长泰物业管理有限公司协商未果，幸福家园小区门口的18路公交车站。")
    assert {"兰州长泰物业管理有限公司", "幸福家园小区", "18路"} <= terms
    assert not any(term.startswith(("与", "毛")) for term in terms)


# --- Merge and dismiss ------------------------------------------------------------------------------


def _url(hotspot, verb=None):
    base = f"/api/v1/hotspots/{hotspot.pk}/"
    return f"{base}{verb}/" if verb else base


def test_county_director_merges_the_cases_into_one(hotspot, planted, director, api_as):
    kept = planted.bus[0]
    response = api_as(director).post(_url(hotspot, "merge"), {"case": kept.pk}, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "merged"
    assert response.json()["merged_into"]["number"] == kept.number
    kept.refresh_from_db()
    assert kept.report_count == 3
    events = CaseEvent.objects.filter(verb="hotspot-merge")
    assert {e.case_id for e in events} == {c.pk for c in planted.bus}
    assert {e.data.get("into") for e in events if e.case_id != kept.pk} == {kept.number}
    # The merged cases are closed and no longer run their own limits: one case to dispatch.
    from cases.models import Case, Deadline

    merged = Case.objects.filter(pk__in=[c.pk for c in planted.bus if c.pk != kept.pk])
    assert set(merged.values_list("status", flat=True)) == {"closed"}
    assert not Deadline.objects.running().filter(case__in=merged).exists()
    assert Case.objects.get(pk=kept.pk).status != "closed"
    again = api_as(director).post(_url(hotspot, "merge"), {"case": kept.pk}, format="json")
    assert again.status_code == 409


def test_merge_refuses_a_case_outside_the_hotspot(hotspot, planted, director, api_as):
    response = api_as(director).post(_url(hotspot, "merge"), {"case": planted.other_topic.pk}, format="json")
    assert response.status_code == 400
    assert Hotspot.objects.get().status == HotspotStatus.OPEN


def test_county_director_dismisses_and_twice_is_409(hotspot, director, api_as):
    client = api_as(director)
    assert client.post(_url(hotspot, "dismiss"), {"reason": ""}, format="json").status_code == 400
    response = client.post(_url(hotspot, "dismiss"), {"reason": "不同线路"}, format="json")
    assert response.status_code == 200 and response.json()["status"] == "dismissed"
    assert client.post(_url(hotspot, "dismiss"), {"reason": "再次"}, format="json").status_code == 409


@pytest.mark.parametrize(
    ("where", "role", "read", "write"),
    [
        ("parent", Role.DIRECTOR, 200, 200),
        ("parent", Role.CLERK, 200, 200),
        ("parent", Role.GRID_WORKER, 200, 403),  # sees the county's cases, may not dispatch
        ("parent", Role.AUDITOR, 200, 403),
        ("parent", Role.MEDIATOR, 404, 404),  # sees no cases of the county
        ("own", Role.CLERK, 404, 404),  # a township's staff do not see the county's hotspots
        ("unrelated", Role.DIRECTOR, 404, 404),
    ],
)
def test_who_may_see_and_handle_a_hotspot(hotspot, member_at, api_as, where, role, read, write):
    client = api_as(member_at(where, role))
    assert client.get(_url(hotspot)).status_code == read
    assert client.post(_url(hotspot, "dismiss"), {"reason": "x"}, format="json").status_code == write


def test_list_filters_and_runs_a_flat_number_of_queries(hotspot, director, api_as, django_assert_max_num_queries):
    client = api_as(director)
    with django_assert_max_num_queries(6):
        body = client.get("/api/v1/hotspots/", {"status": "open", "under": "620102"}).json()
    [row] = body["results"]
    assert row["terms"][0] == "18路"
    assert [c["channel"] for c in row["cases"]] == ["hotline", "walk_in", "hotline"]
    assert {"number", "title", "received_at", "channel_label"} <= set(row["cases"][0])
    assert client.get("/api/v1/hotspots/", {"status": "merged"}).json()["results"] == []
    assert client.get("/api/v1/hotspots/", {"under": "620201"}).json()["results"] == []


# --- Pages ------------------------------------------------------------------------------------------


def test_pages_show_the_hotspot_and_merge_through_the_form(hotspot, planted, director, client):
    client.force_login(director)
    page = client.get(reverse("hotspot-list"))
    assert page.status_code == 200 and "18路" in page.content.decode()
    detail = client.get(reverse("hotspot-detail", args=[hotspot.pk]))
    assert detail.status_code == 200 and planted.bus[1].number in detail.content.decode()
    response = client.post(reverse("hotspot-verb", args=[hotspot.pk, "merge"]), {"case": planted.bus[1].pk})
    assert response.status_code == 303
    hotspot.refresh_from_db()
    assert hotspot.status == HotspotStatus.MERGED and hotspot.merged_into_id == planted.bus[1].pk


def test_detail_page_is_404_out_of_scope(hotspot, member_at, client):
    client.force_login(member_at("unrelated", Role.DIRECTOR))
    assert client.get(reverse("hotspot-detail", args=[hotspot.pk])).status_code == 404


# --- Demo -------------------------------------------------------------------------------------------


def test_demo_plants_a_multi_channel_hotspot_once(tree):
    import random

    ctx = SimpleNamespace(say=lambda *a: None, timings={}, rng_for=lambda part: random.Random(part))
    hotspot_demo.seed(ctx)
    [hotspot] = Hotspot.objects.all()
    assert hotspot.terms[0] == "18路"
    assert hotspot.case_count == 5 and len(hotspot.channels) >= 4
    cases = Case.objects.count()
    hotspot_demo.seed(ctx)
    assert (Case.objects.count(), Hotspot.objects.count()) == (cases, 1)
