"""Big-list paging: a capped count that says when it is an estimate, and deep pages by id."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cases.models import Case
from govcenter import access, paging
from govcenter.paging import FastPaginator, capped_count
from tests.fixtures_cases import *  # noqa: F403

pytestmark = pytest.mark.django_db


@pytest.fixture
def eight_cases(make_case):
    return [make_case() for _ in range(8)]


def newest_first():
    return Case.objects.order_by("-received_at", "-id")


def test_a_count_under_the_cap_is_exact(eight_cases):
    assert capped_count(newest_first(), cap=8) == (8, True)


def test_a_count_over_the_cap_is_an_estimate_of_at_least_the_cap(eight_cases):
    count, exact = capped_count(newest_first(), cap=5)
    assert not exact
    assert count >= 6


def test_deep_pages_load_by_id_and_keep_the_order(eight_cases, monkeypatch):
    expected = list(newest_first().values_list("pk", flat=True))
    monkeypatch.setattr(paging, "DEFERRED_JOIN_FROM", 2)
    paginator = FastPaginator(newest_first(), 3)
    pages = [[case.pk for case in paginator.page(n)] for n in paginator.page_range]
    assert pages == [expected[0:3], expected[3:6], expected[6:8]]


def test_a_deep_page_costs_two_queries_whatever_its_size(eight_cases, monkeypatch):
    monkeypatch.setattr(paging, "DEFERRED_JOIN_FROM", 1)
    counts = []
    for size in (2, 6):
        paginator = FastPaginator(newest_first(), size)
        paginator.count  # noqa: B018 - counted apart
        with CaptureQueriesContext(connection) as queries:
            list(paginator.page(2))
        counts.append(len(queries))
    assert counts == [2, 2]


def test_the_api_says_whether_its_count_is_exact(eight_cases, api_as, director, monkeypatch):
    body = api_as(director).get("/api/v1/cases/").json()
    assert (body["count"], body["count_is_exact"]) == (8, True)
    monkeypatch.setattr(paging, "COUNT_CAP", 5)
    body = api_as(director).get("/api/v1/cases/").json()
    assert body["count_is_exact"] is False and body["count"] >= 6


@pytest.mark.parametrize("path", ["/api/v1/cases/?page_size={}", "/cases/?page_size={}"])
def test_the_case_list_costs_the_same_queries_for_any_page_size(eight_cases, client, director, path):
    client.force_login(director)
    counts = []
    for size in (2, 8):
        client.get(path.format(size))  # warm: sessions, the language
        access.forget(director)
        with CaptureQueriesContext(connection) as queries:
            assert client.get(path.format(size)).status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1]


def test_the_case_page_says_about_when_the_count_is_an_estimate(eight_cases, client, director, monkeypatch):
    monkeypatch.setattr(paging, "COUNT_CAP", 5)
    client.force_login(director)
    page = client.get("/cases/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "约" in page


# --- A scope of several ranges, paged as branches ----------------------------------------------------


def _listed_ids(client, page_size: int) -> tuple[list[int], dict]:
    ids, page, first = [], 1, None
    while True:
        body = client.get(f"/api/v1/cases/?page_size={page_size}&page={page}").json()
        first = first or body
        ids += [row["id"] for row in body["results"]]
        if not body["next"]:
            return ids, first
        page += 1


def _scope_ids(user) -> list[int]:
    visible = access.scope(user, Case.objects.all(), access.Action.CASE_VIEW)
    return list(visible.order_by("-received_at", "-id").values_list("pk", flat=True))


@pytest.fixture
def interleaved(make_case, superuser):
    """Cases at the clerk's township, at its sibling, elsewhere, and some that began at the township
    but sit with the county now (escalated), received in an interleaved order."""
    from datetime import timedelta

    from django.utils import timezone

    start = timezone.now() - timedelta(days=30)
    places = ["620102001", "620102002", "620102001", "620201001", "620102001", "620102001", "620102002"] * 2
    cases = [
        make_case(center_code=code, actor=superuser, received_at=start + timedelta(hours=n))
        for n, code in enumerate(places)
    ]
    escalated = [case.pk for case in cases if case.center_code == "620102001"][::2]
    Case.objects.filter(pk__in=escalated).update(center_code="620102")
    return cases


@pytest.mark.parametrize("page_size", [1, 2, 5, 50])
def test_a_township_list_merges_its_own_and_the_escalated_cases(interleaved, member_at, api_as, page_size):
    clerk = member_at("own", "clerk", username="branch_clerk")
    assert len(access.scope_terms(clerk, Case, access.Action.CASE_VIEW)) == 2
    ids, first = _listed_ids(api_as(clerk), page_size)
    expected = _scope_ids(clerk)
    assert len(expected) == 8
    assert ids == expected
    assert (first["count"], first["count_is_exact"]) == (8, True)


def test_grants_inside_and_outside_the_subtree_are_listed_and_counted_once(interleaved, member_at, api_as):
    director = member_at("parent", "director", username="branch_director")
    inside = Case.objects.filter(center_code__startswith="620102").first()
    outside = Case.objects.filter(center_code__startswith="620201").first()
    for case in (inside, outside):
        access.grant(director, access.Action.CASE_VIEW, case)
    access.forget(director)
    ids, first = _listed_ids(api_as(director), 3)
    expected = _scope_ids(director)
    assert outside.pk in expected and len(expected) == len(set(expected)) == 13
    assert ids == expected and first["count"] == 13


def test_the_case_page_lists_the_branches_too(interleaved, member_at, client):
    clerk = member_at("own", "clerk", username="branch_clerk_page")
    client.force_login(clerk)
    page = client.get("/cases/?page_size=50").content.decode()
    for case in Case.objects.filter(pk__in=_scope_ids(clerk)):
        assert case.number in page
    assert Case.objects.get(pk=interleaved[3].pk).number not in page  # another county's
