"""Every list and detail endpoint of /api/v1/ takes a fixed number of queries (issue #9).

A list answers in as many queries with a few rows as with many more; a detail in as many for an
object with one child as with five; and neither passes the ceiling measured when this was written.
The readers are those who normally read each endpoint (the county director for most), and for cases,
hand-offs and mediation also people who see the rows only through per-object grants.
"""

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from tests.query_counts.conftest import report_counts as _report
from tests.query_counts.endpoints import DETAILS, EXEMPT, LISTS, MEASURED, DetailSpec, ListSpec

pytestmark = pytest.mark.django_db


# --- Every endpoint is in the table ---------------------------------------------------------------


def _walk(patterns, prefix=""):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            yield from _walk(pattern.url_patterns, prefix + str(pattern.pattern))
        elif isinstance(pattern, URLPattern):
            yield prefix + str(pattern.pattern), pattern


def _answers_get(pattern: URLPattern) -> bool:
    callback = pattern.callback
    actions = getattr(callback, "actions", None)
    if actions is not None:  # a DRF viewset route: method → action
        return "get" in actions
    view_class = getattr(callback, "view_class", None) or getattr(callback, "cls", None)
    if view_class is not None:
        return hasattr(view_class, "get")
    return True  # a function view: assume it reads


def api_get_routes() -> set[str]:
    """The names of the GET routes under /api/v1/ (format-suffix twins share their name)."""
    names = set()
    for route, pattern in _walk(get_resolver().url_patterns):
        if route.startswith("api/v1/") and _answers_get(pattern):
            assert pattern.name, f"an unnamed API route cannot be tracked: {route}"
            names.add(pattern.name)
    return names


def test_every_api_get_route_has_a_query_count_test_or_a_reason_not_to():
    routes = api_get_routes()
    covered = {spec.name for spec in LISTS} | {spec.name for spec in DETAILS}
    missing = routes - covered - set(EXEMPT)
    assert not missing, (
        f"GET endpoints without a query-count test (add them to tests/query_counts/endpoints.py): {missing}"
    )
    stale = (covered | set(EXEMPT)) - routes
    assert not stale, f"the query-count table names routes that no longer exist: {stale}"
    assert not covered & set(EXEMPT), "an endpoint is both tested and exempt"


def test_the_route_walk_sees_lists_details_and_plain_views():
    # Guards the guard: if the walk found nothing, the test above could not fail.
    routes = api_get_routes()
    assert {"api-case-list", "api-case-detail", "api-report-dashboard", "public-report-status"} <= routes
    assert "public-report" not in routes  # POST only
    assert "api-token" not in routes


def test_every_measured_count_belongs_to_a_test():
    assert set(MEASURED) == {spec.id for spec in LISTS} | {spec.id for spec in DETAILS}


# --- Lists ----------------------------------------------------------------------------------------


def _list_url(world, spec: ListSpec) -> str:
    if spec.url is not None:
        return spec.url(world, spec.reader)
    return reverse(spec.name) + "?page_size=100"


def _rows(spec: ListSpec, payload) -> int:
    if spec.rows is not None:
        return spec.rows(payload)
    if isinstance(payload, dict):
        assert len(payload["results"]) == payload["count"], "all rows on one page"
        return payload["count"]
    return len(payload)


@pytest.mark.parametrize("spec", LISTS, ids=lambda spec: spec.id)
def test_list_query_count_does_not_grow_with_its_rows(world, spec: ListSpec):
    reader = world.user(spec.reader)
    spec.add(world, spec.few, spec.reader)
    url = _list_url(world, spec)
    few = world.measure(reader, url)
    spec.add(world, spec.more, spec.reader)
    many = world.measure(reader, url)
    _report(spec.id, few.queries, many.queries)

    assert _rows(spec, few.json()) >= spec.few
    assert _rows(spec, many.json()) - _rows(spec, few.json()) == spec.more, "the new rows must be visible"
    assert many.queries == few.queries, "\n".join(many.sql)
    assert few.queries <= spec.ceiling, "\n".join(few.sql)


# --- Details --------------------------------------------------------------------------------------


@pytest.mark.parametrize("spec", DETAILS, ids=lambda spec: spec.id)
def test_detail_query_count_is_fixed(world, spec: DetailSpec, request):
    if spec.pdf:
        request.getfixturevalue("no_pdf_layout")  # the PDF's HTML is read, its page layout skipped
    reader = world.user(spec.reader) if spec.reader else None
    one = world.measure(reader, spec.make(world, 1, spec.reader))
    five = world.measure(reader, spec.make(world, 5, spec.reader))
    _report(spec.id, one.queries, five.queries)

    if spec.children is not None:
        assert spec.children(one.json()) == 1
        assert spec.children(five.json()) == 5
    assert five.queries == one.queries, "\n".join(five.sql)
    assert one.queries <= spec.ceiling, "\n".join(one.sql)


# --- What the fixes must not change ---------------------------------------------------------------


def test_the_agreement_list_shows_parties_in_full_exactly_where_access_can_says(world):
    """The agreement list asks who may see the parties in full once per page: row by row, the answer
    is still `access.can`'s (a county auditor sees them masked, except on the case they mediate)."""
    from govcenter import access
    from govcenter.access import Action
    from govcenter.models import Role
    from tests.query_counts.endpoints import _agreement

    auditor = world.member_at("parent", Role.AUDITOR)
    agreements = [_agreement(world, terms=1) for _ in range(3)]
    access.grant(auditor, Action.CASE_PII_VIEW, agreements[1].case)
    rows = world.measure(auditor, "/api/v1/agreements/").json()["results"]

    assert {row["id"] for row in rows} == {agreement.pk for agreement in agreements}
    for row in rows:
        full = any(party["birth_date"] for party in row["parties"])
        case = next(a.case for a in agreements if a.pk == row["id"])
        assert full == access.can(auditor, Action.CASE_PII_VIEW, case) == (row["id"] == agreements[1].pk)
