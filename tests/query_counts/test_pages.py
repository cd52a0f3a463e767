"""The pages that list things take as many queries with a few rows as with many more (issue #9).

The rows are made by the same builders as the API's (`endpoints.py`); a page is read with a logged-in
session, so its counts include the session and the user."""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.conftest import PARENT
from tests.query_counts import endpoints as e
from tests.query_counts.conftest import report_counts as _report

pytestmark = pytest.mark.django_db


def _page_count(response) -> int:
    return response.context["page"].paginator.count


@dataclass(frozen=True)
class PageSpec:
    name: str  # the URL name of the page
    reader: str
    add: Callable
    url: Callable | None = None  # url(world): when the page needs an argument or a parameter
    rows: Callable = _page_count  # rows(response): how many rows the page lists

    @property
    def id(self) -> str:
        return f"{self.name}[{self.reader}]"

    @property
    def ceiling(self) -> int:
        return e.ceiling(MEASURED, self.id)


def _sessions_url(world) -> str:
    case = world.once("sessions page case", lambda: e._in_mediation(world))
    return reverse("mediation-sessions", args=[case.pk])


def _add_sessions_to_one_case(world, n, reader):
    case = world.once("sessions page case", lambda: e._in_mediation(world))
    for i in range(n):
        e.mediation_services.session_log(
            actor=world.clerk,
            case=case,
            held_at=timezone.now() - timedelta(hours=2, minutes=world.next()),
            place="调解室",
            mediators=[e._own_mediator(world)],
            attendees="双方当事人",
            notes=f"第{i}次调解",
            outcome="continue",
        )


PAGES: list[PageSpec] = [
    PageSpec("case-list", "director", e.add_cases),
    PageSpec("case-list", "granted", e.add_cases),
    PageSpec("notifications", "clerk", e.add_notifications),
    PageSpec("handoff-list", "director", e.add_handoffs),
    PageSpec("handoff-list", "court", e.add_handoffs),
    PageSpec("warning-list", "director", e.add_warnings),
    PageSpec(
        "hotspot-list",
        "director",
        e.add_hotspots,
        url=lambda w: reverse("hotspot-list") + "?status=all",
    ),
    PageSpec(
        "grids-center",
        "director",
        e.add_grids,
        url=lambda w: reverse("grids-center", args=[PARENT]),
    ),
    PageSpec("grids-visits", "director", e.add_visits),
    PageSpec(
        "mediation-desk",
        "mediator",
        e.add_assignments,
        rows=lambda response: len(response.context["my_cases"]),
    ),
    PageSpec(
        "mediation-sessions",
        "director",
        _add_sessions_to_one_case,
        url=_sessions_url,
        rows=lambda response: len(response.context["sessions"]),
    ),
    PageSpec("export-list", "director", e.add_exports),
    PageSpec(
        "report-dashboard",
        "director",
        lambda w, n, reader: [e._case(w, e._SPREAD[i % 3]) for i in range(n)],
        url=lambda w: reverse("report-dashboard") + f"?center={PARENT}",
        rows=lambda response: response.context["board"].total.value,
    ),
    PageSpec(
        "report-ranking",
        "director",
        e.add_units_with_cases,
        url=lambda w: reverse("report-ranking") + e.rankings_url(w, "director")[len(reverse("api-report-rankings")) :],
        rows=lambda response: len(response.context["rows"]),
    ),
]


# Queries of one page as measured on (SQLite, PostgreSQL), with the session and the user.
MEASURED: dict[str, tuple[int, int]] = {
    "case-list[director]": (9, 9),
    "case-list[granted]": (14, 14),
    "export-list[director]": (7, 7),
    "grids-center[director]": (23, 23),
    "grids-visits[director]": (7, 7),
    "handoff-list[court]": (16, 16),
    "handoff-list[director]": (15, 15),
    "hotspot-list[director]": (8, 8),
    "mediation-desk[mediator]": (11, 11),
    "mediation-sessions[director]": (13, 13),
    "notifications[clerk]": (8, 8),
    "report-dashboard[director]": (21, 21),
    "report-ranking[director]": (22, 22),
    "warning-list[director]": (8, 8),
}


def test_every_measured_page_belongs_to_a_test():
    assert set(MEASURED) == {spec.id for spec in PAGES}


@pytest.mark.parametrize("spec", PAGES, ids=lambda spec: spec.id)
def test_page_query_count_does_not_grow_with_its_rows(world, spec: PageSpec):
    reader = world.user(spec.reader)
    spec.add(world, 3, spec.reader)
    url = spec.url(world) if spec.url else reverse(spec.name)
    few = world.measure(reader, url, api=False)
    spec.add(world, 12, spec.reader)
    many = world.measure(reader, url, api=False)
    _report(f"page {spec.id}", few.queries, many.queries)

    assert spec.rows(few.response) >= 3
    assert spec.rows(many.response) - spec.rows(few.response) == 12, "the new rows must be listed"
    assert many.queries == few.queries, "\n".join(many.sql)
    assert few.queries <= spec.ceiling, "\n".join(few.sql)
