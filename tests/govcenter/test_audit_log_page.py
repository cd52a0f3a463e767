"""The audit log page: auditors and directors read their subtree's events, nobody else reads any."""

import pytest

from govcenter import access, audit
from govcenter.models import Role


def _event(action: str, center_code: str, **data):
    return audit.record(actor=None, action=action, center_code=center_code, data=data)


@pytest.fixture
def events(tree):
    return {
        "own": _event("export.fetch", "620102001", filename="dossier-own.pdf"),
        "sibling": _event("case.create", "620102002", number="620102-2026-000002"),
        "unrelated": _event("export.fetch", "620201001", filename="dossier-unrelated.pdf"),
    }


@pytest.mark.parametrize(
    ("role", "relation", "status"),
    [
        (Role.AUDITOR, "parent", 200),
        (Role.DIRECTOR, "parent", 200),
        (Role.AUDITOR, "own", 200),
        (Role.CLERK, "own", 403),
        (Role.GRID_WORKER, "child", 403),
        (Role.MEDIATOR, "own", 403),
    ],
)
def test_only_roles_that_read_the_audit_log_open_it(client, member_at, role, relation, status):
    client.force_login(member_at(relation, role))
    assert client.get("/audit/").status_code == status


def test_an_auditor_sees_the_events_of_the_subtree_only(client, member_at, events):
    client.force_login(member_at("own", Role.AUDITOR))
    html = client.get("/audit/").content.decode()
    assert "dossier-own.pdf" in html and "export.fetch" in html
    assert "620102-2026-000002" not in html  # the sibling township's event
    assert "dossier-unrelated.pdf" not in html


def test_the_county_auditor_filters_by_area_and_by_person(client, member_at, events, clerk):
    audit.record(actor=clerk, action="export.start", center_code="620102001", data={"kind": "case_dossier"})
    client.force_login(member_at("parent", Role.AUDITOR))
    exports_only = client.get("/audit/", {"area": "export"}).content.decode()
    assert "dossier-own.pdf" in exports_only and "620102-2026-000002" not in exports_only
    by_clerk = client.get("/audit/", {"actor": clerk.username}).content.decode()
    assert "export.start" in by_clerk and "dossier-own.pdf" not in by_clerk
    nothing = client.get("/audit/", {"actor": "nobody"})
    assert nothing.status_code == 200 and "export." not in nothing.content.decode()


def test_an_unknown_area_is_ignored_not_an_error(client, member_at, events):
    client.force_login(member_at("parent", Role.AUDITOR))
    response = client.get("/audit/", {"area": "<script>", "page": "x"})
    assert response.status_code == 200 and "dossier-own.pdf" in response.content.decode()


def test_the_list_pages_at_fifty(client, member_at, tree):
    for n in range(55):
        _event("case.create", "620102001", number=f"620102-2026-{n:06d}")
    client.force_login(member_at("parent", Role.AUDITOR))
    first = client.get("/audit/").content.decode()
    assert "620102-2026-000054" in first and "620102-2026-000000" not in first
    second = client.get("/audit/", {"page": 2}).content.decode()
    assert "620102-2026-000000" in second


def test_the_navigation_links_the_audit_log_for_auditors_only(client, member_at, clerk):
    auditor = member_at("parent", Role.AUDITOR)
    client.force_login(auditor)
    assert 'href="/audit/"' in client.get("/").content.decode()
    client.force_login(clerk)
    assert 'href="/audit/"' not in client.get("/").content.decode()


def test_the_page_costs_a_flat_number_of_queries(client, member_at, tree, django_assert_max_num_queries):
    for n in range(30):
        _event("case.create", "620102001", number=f"n{n}")
    auditor = member_at("parent", Role.AUDITOR)
    access.forget(auditor)
    client.force_login(auditor)
    with django_assert_max_num_queries(8):
        response = client.get("/audit/")
    assert response.content.decode().count("case.create") == 30
