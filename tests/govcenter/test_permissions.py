"""The permission matrix of the core: every role, seated at township 620102001, against centers,
departments and members at each relation to that seat.

Later apps add their own matrices in the same shape: (role, relation, expected status).
"""

import pytest

from govcenter.models import Department, Membership, Role
from tests.conftest import RELATIONS, make_member

ROLES = list(Role.values)
MEMBER_READERS = {Role.DIRECTOR, Role.AUDITOR}

# Centers and departments: the subtree and the centers above are visible to every role.
TREE_VISIBILITY = {"own": 200, "parent": 200, "child": 200, "sibling": 404, "unrelated": 404}


def _expected_member_read(role, relation):
    if role in MEMBER_READERS and relation in {"own", "child"}:
        return 200
    return 404


def _expected_member_create(role, relation):
    if role != Role.DIRECTOR:
        return 403
    return 201 if relation in {"own", "child"} else 400


@pytest.mark.parametrize("relation", RELATIONS)
@pytest.mark.parametrize("role", ROLES)
def test_center_detail_matrix(role, relation, member_at, api_as):
    actor = member_at("own", role)
    response = api_as(actor).get(f"/api/v1/centers/{RELATIONS[relation]}/")
    assert response.status_code == TREE_VISIBILITY[relation], response.content


@pytest.mark.parametrize("relation", RELATIONS)
@pytest.mark.parametrize("role", ROLES)
def test_department_detail_matrix(role, relation, member_at, api_as):
    actor = member_at("own", role)
    department = Department.objects.get(center_code=RELATIONS[relation])
    response = api_as(actor).get(f"/api/v1/departments/{department.pk}/")
    assert response.status_code == TREE_VISIBILITY[relation], response.content


@pytest.mark.parametrize("relation", RELATIONS)
@pytest.mark.parametrize("role", ROLES)
def test_member_detail_matrix(role, relation, member_at, api_as, tree):
    actor = member_at("own", role)
    other = make_member(tree[RELATIONS[relation]], Role.MEDIATOR)
    response = api_as(actor).get(f"/api/v1/members/{other.pk}/")
    assert response.status_code == _expected_member_read(role, relation), response.content


@pytest.mark.parametrize("relation", RELATIONS)
@pytest.mark.parametrize("role", ROLES)
def test_member_create_matrix(role, relation, member_at, api_as):
    actor = member_at("own", role)
    payload = {
        "username": f"new_{role}_{relation}",
        "password": "Gansu-2026-ok",
        "name": "新成员",
        "center": RELATIONS[relation],
        "role": Role.MEDIATOR,
    }
    response = api_as(actor).post("/api/v1/members/", payload, format="json")
    assert response.status_code == _expected_member_create(role, relation), response.content
    created = Membership.objects.filter(user__username=payload["username"]).exists()
    assert created == (response.status_code == 201)


@pytest.mark.parametrize("path", ["/api/v1/centers/", "/api/v1/departments/", "/api/v1/members/"])
def test_anonymous_is_refused(api, tree, path):
    assert api.get(path).status_code == 401


def test_every_member_sees_own_membership_even_without_member_rights(member_at, api_as):
    actor = member_at("own", Role.GRID_WORKER)
    response = api_as(actor).get("/api/v1/members/")
    assert [row["username"] for row in response.json()["results"]] == [actor.username]


def test_sibling_township_lists_never_include_each_other(member_at, api_as):
    actor = member_at("own", Role.DIRECTOR)
    response = api_as(actor).get("/api/v1/centers/", {"page_size": 200})
    codes = {row["code"] for row in response.json()["results"]}
    assert codes == {"62", "6201", RELATIONS["parent"], RELATIONS["own"], RELATIONS["child"]}


def test_superuser_sees_the_whole_tree(superuser, api_as, tree):
    response = api_as(superuser).get("/api/v1/centers/", {"page_size": 200})
    assert response.json()["count"] == len(tree)


def test_object_grant_opens_one_center_outside_the_subtree(member_at, api_as, tree):
    from govcenter import access

    inspector = member_at("own", Role.AUDITOR)
    access.grant(inspector, access.Action.CENTER_VIEW, tree[RELATIONS["unrelated"]])
    client = api_as(inspector)
    assert client.get(f"/api/v1/centers/{RELATIONS['unrelated']}/").status_code == 200
    assert client.get(f"/api/v1/centers/{RELATIONS['sibling']}/").status_code == 404
    access.revoke(inspector, access.Action.CENTER_VIEW, tree[RELATIONS["unrelated"]])
    assert client.get(f"/api/v1/centers/{RELATIONS['unrelated']}/").status_code == 404


def test_inactive_membership_grants_nothing(member_at, api_as):
    actor = member_at("own", Role.DIRECTOR)
    Membership.objects.filter(user=actor).update(is_active=False)
    response = api_as(actor).get(f"/api/v1/centers/{RELATIONS['own']}/")
    assert response.status_code == 404


def test_home_root_is_the_widest_subtree_of_the_right(member_at, tree):
    from govcenter import access
    from govcenter.access import Action
    from govcenter.models import Center, Membership

    clerk = member_at("own", Role.CLERK)
    assert access.home_root(clerk, Action.CASE_VIEW) == "620102001"
    Membership.objects.create(
        user=clerk, center=Center.objects.get(code="620102"), center_code="620102", role=Role.CLERK
    )
    access.forget(clerk)
    assert access.home_root(clerk, Action.CASE_VIEW) == "620102"
    assert access.home_root(clerk, Action.MEMBER_CREATE) is None
