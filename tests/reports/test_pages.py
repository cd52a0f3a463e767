"""The dashboard and red/black list pages: in reach or 404, figures that link to their lists, the
publish button only for a director, the scheme form's errors in place."""

from datetime import timedelta

import pytest
from django.utils import timezone

from cases.models import Channel
from govcenter.models import Role
from reports.models import RankingPublication, RankingScheme
from tests.reports.conftest import LAST_MONTH


@pytest.fixture
def director_client(client, director):
    client.force_login(director)
    return client


def test_dashboard_page_shows_figures_with_their_lists(director_client, make_case):
    make_case(channel=Channel.COURT)
    response = director_client.get("/reports/?center=620102")
    assert response.status_code == 200
    body = response.content.decode()
    assert "城关区" in body and "诉前" in body
    assert "/cases/?under=620102" in body.replace("&amp;", "&")
    assert 'id="dashboard-data"' in body and "chart-4.4.7" in body


def test_dashboard_page_opens_at_the_users_own_center_and_refuses_others(client, member_at):
    clerk = member_at("own", Role.CLERK)
    client.force_login(clerk)
    assert "东岗街道" in client.get("/reports/").content.decode()
    assert client.get("/reports/?center=620102002").status_code == 404
    client.force_login(member_at("own", Role.MEDIATOR))
    assert client.get("/reports/").status_code == 404


def test_dashboard_page_bad_period_says_so(director_client):
    response = director_client.get("/reports/?center=620102&from=2026-12-31&to=2026-01-01")
    assert response.status_code == 200 and "errors-top" in response.content.decode()


def test_dashboard_page_in_english(director_client):
    response = director_client.get("/reports/?center=620102", HTTP_ACCEPT_LANGUAGE="en")
    assert "Command post" in response.content.decode()


def test_ranking_page_preview_publish_and_frozen(director_client, month_cases):
    month = f"{LAST_MONTH:%Y-%m}"
    page = director_client.get(f"/reports/ranking/?center=620102&month={month}").content.decode()
    assert "东岗街道" in page and "report-ranking-publish" not in page and "/reports/ranking/publish/" in page
    response = director_client.post("/reports/ranking/publish/", {"center": "620102", "month": month})
    assert response.status_code == 303
    assert RankingPublication.objects.filter(center_code="620102").count() == 1
    page = director_client.get(f"/reports/ranking/?center=620102&month={month}").content.decode()
    assert "/reports/ranking/publish/" not in page
    again = director_client.post("/reports/ranking/publish/", {"center": "620102", "month": month}, follow=True)
    assert RankingPublication.objects.count() == 1
    assert [m.level_tag for m in again.context["messages"]] == ["error"]


def test_a_clerk_sees_the_list_without_the_buttons(client, member_at, month_cases):
    clerk = member_at("parent", Role.CLERK)
    client.force_login(clerk)
    page = client.get(f"/reports/ranking/?center=620102&month={LAST_MONTH:%Y-%m}").content.decode()
    assert "东岗街道" in page and "/reports/ranking/publish/" not in page and "/reports/ranking/scheme/" not in page
    assert (
        client.post("/reports/ranking/publish/", {"center": "620102", "month": f"{LAST_MONTH:%Y-%m}"}).status_code
        == 303
    )
    assert not RankingPublication.objects.exists()
    assert client.get("/reports/ranking/scheme/?center=620102").status_code == 404


def test_a_township_is_sent_to_its_countys_list(client, member_at):
    director = member_at("parent", Role.DIRECTOR)
    client.force_login(director)
    response = client.get("/reports/ranking/?center=620102001")
    assert response.status_code == 303 and response["Location"].endswith("center=620102")


def test_scheme_form_errors_in_place_and_save(director_client):
    bad = director_client.post(
        "/reports/ranking/scheme/",
        {"center": "620102", "weight_grid_found": "30", "red_cutoff": "80", "black_cutoff": "50"},
    )
    assert bad.status_code == 400 and "100" in bad.content.decode()
    assert not RankingScheme.objects.exists()
    good = director_client.post(
        "/reports/ranking/scheme/",
        {
            "center": "620102",
            "weight_grid_found": "60",
            "weight_resolve_on_time": "40",
            "red_cutoff": "80",
            "black_cutoff": "50",
        },
    )
    assert good.status_code == 303
    assert {w.indicator: w.weight for w in RankingScheme.objects.get().weights.all()} == {
        "grid_found": 60,
        "resolve_on_time": 40,
    }


def test_dashboard_page_queries_are_bounded(director_client, make_case, django_assert_max_num_queries):
    now = timezone.now()
    for n in range(5):
        make_case(received_at=now - timedelta(days=n))
    with django_assert_max_num_queries(40):
        assert director_client.get("/reports/?center=620102").status_code == 200
