"""The monthly rollup of the dashboard's case counts: a year at county, city and province level
gives the same figures from the rollup (whole months) plus the live days as counted all live."""

from datetime import timedelta

import pytest
from django.utils import timezone

from cases.models import Case, Channel, Status
from reports import rollups, tasks
from reports.models import CaseMonthCount, RollupStamp

pytestmark = pytest.mark.django_db


@pytest.fixture
def year_of_cases(make_case, category, director, superuser):
    now = timezone.now()
    made = []
    for n, days in enumerate([3, 20, 45, 70, 100, 160, 200, 300, 340]):
        made.append(
            make_case(
                received_at=now - timedelta(days=days),
                category=category if n % 2 else None,
                channel=[Channel.WALK_IN, Channel.COURT, Channel.HOTLINE][n % 3],
                center_code=["620102001", "620102002", "620201001"][n % 3],
                actor=superuser,
            )
        )
    Case.objects.filter(pk=made[2].pk).update(status=Status.RESOLVED, resolved_level=3)
    Case.objects.filter(pk=made[4].pk).update(is_overdue=True)
    return made


def _figures(client, center):
    year_ago = (timezone.localdate() - timedelta(days=364)).isoformat()
    data = client.get(f"/api/v1/reports/dashboard/?center={center}&from={year_ago}").json()
    months_as_of = data.pop("months_as_of")
    data.pop("now_as_of")
    return data, months_as_of


@pytest.mark.parametrize("center", ["620102", "6201", "62"])
def test_rolled_up_months_give_the_live_figures(year_of_cases, api_as, superuser, center):
    client = api_as(superuser)
    live, as_of = _figures(client, center)
    assert as_of is None and live["total"]["value"] > 0
    assert rollups.refresh() > 0
    rolled, as_of = _figures(client, center)
    assert as_of is not None
    assert rolled == live


def test_a_stale_rollup_is_not_used(year_of_cases, api_as, superuser):
    rollups.refresh()
    RollupStamp.objects.filter(name="all").update(computed_at=timezone.now() - rollups.ALL_MAX_AGE)
    assert _figures(api_as(superuser), "620102")[1] is None


def test_the_recent_refresh_recounts_two_months_and_keeps_the_others(year_of_cases):
    tasks.refresh_all_rollups()
    before = set(CaseMonthCount.objects.values_list("month", flat=True))
    this_month = timezone.localdate().replace(day=1)
    CaseMonthCount.objects.filter(month=this_month).update(n=999)
    tasks.refresh_recent_rollups()
    assert set(CaseMonthCount.objects.values_list("month", flat=True)) == before
    assert not CaseMonthCount.objects.filter(n=999).exists()


def test_whole_months_leave_out_the_month_under_way():
    from datetime import date

    months = rollups.whole_months(date(2025, 11, 30), date(2026, 11, 30), date(2026, 11, 30))
    assert months[0] == date(2025, 12, 1) and months[-1] == date(2026, 10, 1) and len(months) == 11
