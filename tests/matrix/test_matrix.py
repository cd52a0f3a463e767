"""The permission matrix (issue #10): every role seated at the own township, a superuser and the
anonymous public, against every route and verb of the urlconf, with an object at own, parent,
child, sibling and unrelated centers. Out of scope is 404 everywhere, in scope but not allowed is
never done, and a new route fails here until it has a row in `table.py` or a reason in `EXEMPT`."""

import pytest

from tests.matrix import size
from tests.matrix.engine import Runner
from tests.matrix.routes import route_cells, url_routes
from tests.matrix.rules import owner_only
from tests.matrix.table import API, EXEMPT, MATRIX, PAGES, Row, exempt_reason, of
from tests.matrix.world import ACTORS

pytestmark = pytest.mark.django_db


def test_every_route_and_verb_is_in_the_matrix_or_exempt_with_a_reason():
    cells = route_cells()
    table = {row.key for row in MATRIX}
    missing = sorted(cell for cell in cells if cell not in table and exempt_reason(cell[0]) is None)
    assert not missing, f"routes without a row in tests/matrix/table.py (or a reason in EXEMPT): {missing}"
    stale = sorted(key for key in table if key not in cells)
    assert not stale, f"matrix rows for routes or verbs the urlconf no longer has: {stale}"
    names = set(url_routes())
    gone = sorted(name for name in EXEMPT if not name.endswith(":") and name not in names)
    assert not gone, f"EXEMPT names routes that no longer exist: {gone}"
    both = sorted({key[0] for key in table} & {name for name in EXEMPT})
    assert not both, f"routes both in the matrix and exempt: {both}"


def test_the_route_walk_reads_each_kind_of_view():
    # Guards the guard: viewset mappings, class-based views and decorated function views.
    cells = route_cells()
    assert {("api-case-detail", "PATCH"), ("api-case-classify", "POST")} <= cells
    assert ("api-case-detail", "PUT") not in cells  # the viewset refuses PUT
    assert ("api-report-ranking-scheme", "PUT") in cells and ("api-report-dashboard", "POST") not in cells
    assert ("case-verb", "POST") in cells and ("case-verb", "GET") not in cells  # require_POST
    assert ("grid-detail", "GET") in cells and ("grid-detail", "POST") not in cells  # require_GET
    assert {("case-list", "GET"), ("case-list", "POST")} <= cells  # no decorator: both
    assert any(name.startswith("admin:") for name, _ in cells)


def test_api_matrix(world, no_pdf_layout):
    runner = Runner(world)
    runner.run(API)
    size.record("API", runner.cells)
    assert not runner.mismatches, runner.report()
    _the_runner_reports_a_leak(world)


def _the_runner_reports_a_leak(world):
    """Guards the guard: a row that calls the own township's detail out of scope (404) must come
    back as a mismatch for everyone who sees it."""
    wrong = Row("api-center-detail", "GET", of("api-center-detail", "center", "code"), owner_only, ("own",))
    runner = Runner(world, share=1)
    runner.run([wrong])
    assert len(runner.mismatches) == len(ACTORS) - 1  # all but the anonymous, who gets the login
    assert all("expected 404 got ok" in line for line in runner.mismatches)


def test_page_matrix(world, no_pdf_layout):
    runner = Runner(world)
    runner.run(PAGES)
    size.record("pages", runner.cells)
    assert not runner.mismatches, runner.report()
