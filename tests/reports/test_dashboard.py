"""The dashboard: every figure against a hand count on fixed data, and every figure's case list with
the same total."""

from datetime import timedelta
from urllib.parse import parse_qsl, urlsplit

import pytest
from django.utils import timezone

from cases.models import Case, Channel, Status
from govcenter.divisions import Level
from govcenter.models import Role


@pytest.fixture
def fixed_cases(make_case, category, director):
    """Seven cases in the county over the last days, one in another county, with known outcomes."""
    now = timezone.now()
    made = {
        "walk_in": make_case(received_at=now - timedelta(days=1), category=category),
        "court": make_case(channel=Channel.COURT, received_at=now - timedelta(days=2)),
        "court_failed": make_case(channel=Channel.COURT, received_at=now - timedelta(days=2)),
        "police": make_case(channel=Channel.POLICE, received_at=now - timedelta(days=3)),
        "petition": make_case(channel=Channel.PETITION, received_at=now - timedelta(days=3), kind="request"),
        "village": make_case(center_code="620102001001", channel=Channel.GRID, received_at=now - timedelta(days=4)),
        "sibling": make_case(center_code="620102002", actor=director, received_at=now - timedelta(days=5)),
        "old": make_case(received_at=now - timedelta(days=90)),
    }
    Case.objects.update(is_overdue=False)  # the limits counted from days ago: only one case is late here
    Case.objects.filter(pk=made["court"].pk).update(status=Status.RESOLVED, resolved_level=Level.TOWNSHIP)
    Case.objects.filter(pk=made["court_failed"].pk).update(status=Status.FAILED)
    Case.objects.filter(pk=made["police"].pk).update(status=Status.CLOSED, resolved_level=Level.VILLAGE)
    Case.objects.filter(pk=made["walk_in"].pk).update(is_overdue=True, next_due_at=now - timedelta(hours=2))
    return made


def _figures(payload):
    """Every figure of the payload, wherever it sits."""
    if isinstance(payload, dict):
        if {"key", "value", "list"} <= set(payload):
            yield payload
        for value in payload.values():
            yield from _figures(value)
    elif isinstance(payload, list):
        for value in payload:
            yield from _figures(value)


def test_dashboard_figures_match_a_hand_count(fixed_cases, director, api_as):
    response = api_as(director).get("/api/v1/reports/dashboard/?center=620102")
    assert response.status_code == 200, response.content
    data = response.json()
    assert data["total"]["value"] == 7  # the old one is outside the 30 days
    channels = {f["key"]: f["value"] for f in data["by_channel"]}
    assert channels == {
        "channel.walk_in": 2,
        "channel.court": 2,
        "channel.police": 1,
        "channel.petition": 1,
        "channel.grid": 1,
    }
    assert {f["key"]: f["value"] for f in data["by_kind"]} == {"kind.dispute": 6, "kind.request": 1}
    assert {f["key"]: f["value"] for f in data["resolution_level"]} == {"level.4": 1, "level.5": 1}
    assert data["pre_litigation"]["received"]["value"] == 2
    assert data["pre_litigation"]["resolved"]["value"] == 1
    assert data["pre_litigation"]["success_rate"] == 0.5
    assert data["police_alerts"]["resolved"]["value"] == 1
    assert data["petitions"]["open"]["value"] == 1
    assert {f["key"]: f["value"] for f in data["overdue_by_status"]} == {"overdue.classified": 1}
    assert data["command_post"]["overdue"]["value"] == 1
    assert [c["number"] for c in data["command_post"]["cases"]] == [fixed_cases["walk_in"].number]
    assert [(u["code"], u["value"]) for u in data["command_post"]["worst_units"]] == [("620102001", 1)]
    assert sum(f["value"] for f in data["trend"]) == 7


def test_every_figure_lists_the_same_total(fixed_cases, director, api_as):
    client = api_as(director)
    data = client.get("/api/v1/reports/dashboard/?center=620102").json()
    checked = 0
    for figure in _figures(data):
        if not figure["list"]:
            continue
        url = urlsplit(figure["list"])
        api_path = {
            "/cases/": "/api/v1/cases/",
            "/handoffs/": "/api/v1/handoffs/",
            "/warnings/": "/api/v1/risk-warnings/",
        }[url.path]
        listed = client.get(api_path, parse_qsl(url.query))
        assert listed.status_code == 200, (figure, listed.content)
        assert listed.json()["count"] == figure["value"], figure
        checked += 1
    assert checked >= 20


def _handoff(case, status, sender, days_ago=2):
    from cases.models import Handoff

    return Handoff.objects.create(
        source="court",
        external_ref=f"(2026)甘0102民诉前调{case.pk}号",
        case=case,
        center=case.center,
        center_code=case.center_code,
        sender_code="620102",
        sent_by=sender,
        sent_at=timezone.now() - timedelta(days=days_ago),
        status=status,
    )


def test_handoff_figures_and_the_diversion_rate(fixed_cases, director, api_as, member_at):
    court = member_at("parent", Role.COURT)
    _handoff(fixed_cases["court"], "accepted", court)
    _handoff(fixed_cases["court_failed"], "closed", court)
    _handoff(fixed_cases["walk_in"], "returned", court)
    _handoff(fixed_cases["sibling"], "sent", court)
    _handoff(fixed_cases["old"], "accepted", court, days_ago=90)
    client = api_as(director)
    data = client.get("/api/v1/reports/dashboard/?center=620102").json()["handoffs"]["court"]
    assert (data["sent"]["value"], data["accepted"]["value"], data["returned"]["value"]) == (4, 2, 1)
    assert data["diversion_rate"] == 0.5
    for key in ("sent", "accepted", "returned"):
        url = urlsplit(data[key]["list"])
        assert url.path == "/handoffs/"
        assert client.get("/api/v1/handoffs/", parse_qsl(url.query)).json()["count"] == data[key]["value"]


def test_dashboard_of_a_township_and_its_scope(fixed_cases, member_at, api_as):
    clerk = member_at("own", Role.CLERK)
    data = api_as(clerk).get("/api/v1/reports/dashboard/?center=620102001").json()
    assert data["total"]["value"] == 6  # the village's own case is inside the township's subtree
    assert api_as(clerk).get("/api/v1/reports/dashboard/?center=620102002").status_code == 404
    assert api_as(clerk).get("/api/v1/reports/dashboard/?center=620102").status_code == 404
    for role in (Role.MEDIATOR, Role.GRID_WORKER, Role.COURT, Role.DEPARTMENT):
        assert api_as(member_at("own", role)).get("/api/v1/reports/dashboard/?center=620102001").status_code == 404


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("center=123", "center"),
        ("center=abc", "center"),
        ("center=620102&from=2026-13-01", "from"),
        ("center=620102&from=2026-06-01&to=2026-05-01", "from"),
        ("center=620102&from=2000-01-01&to=2026-05-01", "from"),
    ],
)
def test_bad_dashboard_input_is_400(director, api_as, tree, query, field):
    response = api_as(director).get(f"/api/v1/reports/dashboard/?{query}")
    assert response.status_code == 400 and field in response.json(), response.content


def test_unknown_center_is_404(director, api_as, tree):
    assert api_as(director).get("/api/v1/reports/dashboard/?center=620109").status_code == 404


def test_dashboard_queries_do_not_grow_with_the_cases(
    fixed_cases, make_case, director, api_as, django_assert_max_num_queries
):
    client = api_as(director)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as first:
        client.get("/api/v1/reports/dashboard/?center=620102")
    for _n in range(10):
        make_case(channel=Channel.HOTLINE)
    with CaptureQueriesContext(connection) as second:
        client.get("/api/v1/reports/dashboard/?center=620102")
    assert len(second) <= len(first) + 1  # a new channel may add its own figure, never a query per case


def test_mediators_load_and_categories_match_a_hand_count(make_case, category, director, clerk, tree, api_as):
    from mediation import services as mediation_services
    from mediation.models import Mediator
    from tests.fixtures_cases import roster_mediator

    busy = Mediator.objects.get(user=roster_mediator(tree["620102001"]))
    idle = Mediator.objects.get(user=roster_mediator(tree["620102002"]))
    cases = [make_case(category=category) for _n in range(3)]
    for case in cases[:2]:
        mediation_services.assign(actor=clerk, case=case, mediators=[busy])
    data = api_as(director).get("/api/v1/reports/dashboard/?center=620102").json()
    assert [(m["name"], m["open_cases"]) for m in data["mediators"]] == [(busy.name, 2)]
    assert idle.pk
    parent = category.parent.code
    assert {f["key"]: f["value"] for f in data["by_category"]} == {f"category.{parent}": 3}


def test_risk_warning_figures_match_a_hand_count(fixed_cases, director, api_as):
    from cases.risk import warnings
    from cases.risk.models import CaseRisk

    red = CaseRisk(score=70, level="red", fired=[])
    orange = CaseRisk(score=40, level="orange", fired=[])
    warnings.raise_or_update(fixed_cases["walk_in"], red)
    warnings.raise_or_update(fixed_cases["petition"], orange)
    warnings.raise_or_update(fixed_cases["sibling"], orange)
    client = api_as(director)
    data = client.get("/api/v1/reports/dashboard/?center=620102").json()["risk_warnings"]
    assert {f["key"]: f["value"] for f in data["by_level"]} == {
        "warning.red": 1,
        "warning.orange": 2,
        "warning.yellow": 0,
    }
    assert data["overdue"]["value"] == 0
    for figure in [*data["by_level"], data["overdue"]]:
        url = urlsplit(figure["list"])
        assert client.get("/api/v1/risk-warnings/", parse_qsl(url.query)).json()["count"] == figure["value"]
