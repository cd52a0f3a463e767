"""Journey: the county director reads the dashboard, drills into the overdue figure, then previews
and publishes last month's red/black list."""

import pytest

from cases.models import Case
from cases.services.clock import sweep_overdue
from reports.models import RankingPublication
from tests.e2e.a11y import assert_accessible_basics
from tests.e2e.conftest import shoot
from tests.e2e.journeys import LAST_MONTH, last_month, zh


@pytest.fixture
def county_world(make_case, director, with_password):
    """Three cases of last month in the two townships, all past their limits, and one received now."""
    late = [
        make_case(received_at=last_month(5)),
        make_case(received_at=last_month(12)),
        make_case(center_code="620102002", actor=director, received_at=last_month(20)),
    ]
    fresh = make_case(title="今天刚受理的纠纷")
    sweep_overdue()
    assert set(Case.objects.filter(is_overdue=True).values_list("pk", flat=True)) == {c.pk for c in late}
    return with_password(director), late, fresh


def test_director_drills_into_overdue_cases_and_publishes_the_ranking(page, live_server, sign_in, county_world):
    director, late, fresh = county_world
    sign_in(page, director)
    page.get_by_role("link", name=zh("Dashboard"), exact=True).click()
    page.wait_for_url("**/reports/**")
    overdue = page.locator("a.stat").filter(has_text=zh("open cases overdue"))
    assert overdue.locator("strong").inner_text() == "3"
    assert_accessible_basics(page)
    shoot(page, "director-1-dashboard")

    overdue.click()
    page.wait_for_url("**/cases/?**")
    rows = page.locator("table.cases tbody tr")
    assert rows.count() == 3
    numbers = set(rows.locator("td:first-child a").all_inner_texts())
    assert numbers == {case.number for case in late} and fresh.number not in numbers
    assert page.get_by_label(zh("Overdue only")).is_checked()
    assert_accessible_basics(page)
    shoot(page, "director-2-overdue-list")

    page.go_back()
    page.get_by_role("link", name=zh("Red/black list")).click()
    page.wait_for_url("**/reports/ranking/**")
    assert f"{LAST_MONTH:%Y-%m}" in page.locator("h1").inner_text()
    body = page.locator("main").inner_text()
    assert "东岗街道" in body and "雁南街道" in body
    assert not RankingPublication.objects.exists()
    assert_accessible_basics(page)
    shoot(page, "director-3-ranking-preview")

    publish = page.get_by_role("button", name=zh("Publish the list of %(month)s") % {"month": f"{LAST_MONTH:%Y-%m}"})
    # Publishing freezes the figures: the director is asked first, and saying no keeps the preview.
    questions = []
    page.once("dialog", lambda dialog: (questions.append(dialog.message), dialog.dismiss()))
    publish.click()
    page.wait_for_timeout(300)
    assert questions and not RankingPublication.objects.exists()
    page.once("dialog", lambda dialog: dialog.accept())
    publish.click()
    page.wait_for_load_state("networkidle")

    publication = RankingPublication.objects.get()
    assert (publication.center_code, publication.month, publication.published_by_id) == (
        "620102",
        LAST_MONTH,
        director.pk,
    )
    assert (
        page.get_by_role("button", name=zh("Publish the list of %(month)s") % {"month": f"{LAST_MONTH:%Y-%m}"}).count()
        == 0
    )
    assert page.locator(".messages").count() == 1
    assert_accessible_basics(page)
    shoot(page, "director-4-ranking-published")
