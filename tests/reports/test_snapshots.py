"""Rollups of what is true now (coverage, the command post) kept by the background worker: the
dashboard shows the same figures from a fresh snapshot, with fewer queries and its time, and counts
live when the snapshot is stale or the center is a township."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from cases.models import Case
from reports import snapshots, tasks
from reports.models import NowSnapshot
from tests.reports.test_dashboard import fixed_cases  # noqa: F401

pytestmark = pytest.mark.django_db
URL = "/api/v1/reports/dashboard/?center=620102"


def _get(client, url=URL):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, response.content
    return response.json(), len(queries)


def test_a_fresh_snapshot_gives_the_live_figures_with_fewer_queries(fixed_cases, director, api_as):  # noqa: F811
    client = api_as(director)
    client.get(URL)  # warm
    live, live_queries = _get(client)
    assert live["now_as_of"] is None
    snapshots.refresh(fixed_cases["walk_in"].center.parent)
    kept, kept_queries = _get(client)
    assert kept["now_as_of"] is not None
    for part in ("command_post", "coverage", "mediators"):
        assert kept[part] == live[part], part
    assert kept["command_post"]["overdue"]["value"] == 1
    assert kept_queries < live_queries


def test_a_stale_snapshot_is_not_used(fixed_cases, director, api_as):  # noqa: F811
    snapshot = snapshots.refresh(fixed_cases["walk_in"].center.parent)
    NowSnapshot.objects.filter(pk=snapshot.pk).update(computed_at=timezone.now() - snapshots.MAX_AGE)
    Case.objects.update(is_overdue=False)  # nothing is late any more: the live count says so
    data, _queries = _get(api_as(director))
    assert data["now_as_of"] is None and data["command_post"]["overdue"]["value"] == 0


def test_a_snapshot_shows_its_time_on_the_page(fixed_cases, director, client):  # noqa: F811
    snapshots.refresh(fixed_cases["walk_in"].center.parent)
    client.force_login(director)
    page = client.get("/reports/?center=620102", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "统计于" in page


def test_the_task_keeps_every_center_from_county_up_and_drops_old_ones(tree):
    NowSnapshot.objects.create(center_code="629999", computed_at=timezone.now(), data={})
    assert tasks.refresh_snapshots() == 5  # the province, two cities, two counties
    kept = set(NowSnapshot.objects.values_list("center_code", flat=True))
    assert kept == {"62", "6201", "6202", "620102", "620201"}
    assert snapshots.fresh(tree["620102001"]) is None  # a township always counts live
    assert snapshots.fresh(tree["620102"], now=timezone.now() + timedelta(minutes=1)) is not None
