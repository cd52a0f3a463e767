import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from govcenter.models import AuditEvent, Membership, Role
from tests.conftest import RELATIONS, make_member
from tests.factories import TEST_PASSWORD


class TestToken:
    def test_right_credentials_give_a_token_that_authenticates(self, api, member_at):
        clerk = member_at("own", Role.CLERK)
        response = api.post("/api/v1/auth/token/", {"username": clerk.username, "password": TEST_PASSWORD})
        assert response.status_code == 200
        token = response.json()["token"]
        api.credentials(HTTP_AUTHORIZATION=f"Token {token}")
        assert api.get(f"/api/v1/centers/{RELATIONS['own']}/").status_code == 200
        assert AuditEvent.objects.filter(action="auth.token", actor=clerk).exists()

    def test_wrong_password_is_400_with_a_message_and_audited(self, api, member_at):
        clerk = member_at("own", Role.CLERK)
        response = api.post("/api/v1/auth/token/", {"username": clerk.username, "password": "wrong"})
        assert response.status_code == 400
        assert response.json()["non_field_errors"]
        assert AuditEvent.objects.filter(action="auth.login_failed", actor_name=clerk.username).exists()

    def test_guessing_is_throttled(self, api, member_at):
        clerk = member_at("own", Role.CLERK)
        codes = [
            api.post("/api/v1/auth/token/", {"username": clerk.username, "password": f"guess{i}"}).status_code
            for i in range(12)
        ]
        assert codes[0] == 400
        assert codes[-1] == 429


class TestCenters:
    def test_filters_by_level_and_subtree(self, superuser, api_as, tree):
        client = api_as(superuser)
        townships = client.get("/api/v1/centers/", {"level": 4}).json()["results"]
        assert {row["code"] for row in townships} == {RELATIONS["own"], RELATIONS["sibling"], RELATIONS["unrelated"]}
        under = client.get("/api/v1/centers/", {"under": "620102"}).json()["results"]
        assert [row["code"] for row in under] == ["620102", "620102001", "620102001001", "620102002"]

    def test_search_by_name(self, superuser, api_as, tree):
        rows = api_as(superuser).get("/api/v1/centers/", {"q": "东岗"}).json()["results"]
        assert [row["code"] for row in rows] == ["620102001", "620102001001"]

    def test_malformed_subtree_filter_is_400_in_chinese_by_default(self, superuser, api_as, tree):
        response = api_as(superuser).get("/api/v1/centers/", {"under": "62AB"})
        assert response.status_code == 400
        assert "区划代码" in response.json()["under"][0]

    def test_messages_follow_accept_language(self, superuser, api_as, tree):
        response = api_as(superuser).get("/api/v1/centers/", {"under": "62AB"}, HTTP_ACCEPT_LANGUAGE="en")
        assert response.json()["under"] == ["A division code consists of digits only."]

    def test_unknown_level_is_400(self, superuser, api_as, tree):
        assert api_as(superuser).get("/api/v1/centers/", {"level": 9}).status_code == 400

    def test_list_query_count_stays_flat(self, member_at, api_as, tree, django_assert_max_num_queries):
        from govcenter.divisions import Level
        from govcenter.models import Center

        director = member_at("parent", Role.DIRECTOR)
        client = api_as(director)
        with CaptureQueriesContext(connection) as few:
            client.get("/api/v1/centers/")
        for index in range(3, 40):
            Center.objects.create(
                code=f"620102{index:03d}", level=Level.TOWNSHIP, name=f"新街道{index}", parent_id="620102"
            )
        with django_assert_max_num_queries(len(few.captured_queries)):
            response = client.get("/api/v1/centers/")
        assert response.json()["count"] > 25


class TestMembers:
    def test_director_creates_a_member_in_the_subtree(self, member_at, api_as):
        director = member_at("parent", Role.DIRECTOR)
        payload = {
            "username": "liu",
            "password": "Gansu-2026-ok",
            "name": "刘一",
            "center": RELATIONS["own"],
            "role": Role.CLERK,
        }
        response = api_as(director).post("/api/v1/members/", payload, format="json")
        assert response.status_code == 201, response.content
        body = response.json()
        assert (body["username"], body["center"], body["role"], body["name"]) == ("liu", "620102001", "clerk", "刘一")
        event = AuditEvent.objects.get(action="member.create")
        assert event.actor == director and event.center_code == "620102001"

    def test_second_role_for_an_existing_user_needs_no_password(self, member_at, api_as):
        director = member_at("parent", Role.DIRECTOR)
        clerk = member_at("own", Role.CLERK)
        payload = {"username": clerk.username, "center": RELATIONS["own"], "role": Role.MEDIATOR}
        response = api_as(director).post("/api/v1/members/", payload, format="json")
        assert response.status_code == 201, response.content
        assert set(Membership.objects.filter(user=clerk).values_list("role", flat=True)) == {"clerk", "mediator"}

    @pytest.mark.parametrize(
        ("change", "field"),
        [
            ({"center": "62010"}, "center"),
            ({"center": "620102009"}, "center"),
            ({"role": "king"}, "role"),
            ({"password": "123"}, "password"),
            ({"password": ""}, "password"),
            ({"username": "has space"}, "username"),
            ({"center": "620102002"}, "center"),
        ],
    )
    def test_bad_input_is_400_naming_the_field_and_saves_nothing(self, member_at, api_as, change, field):
        director = member_at("parent", Role.DIRECTOR)
        payload = {"username": "newbie", "password": "Gansu-2026-ok", "center": RELATIONS["own"], "role": "clerk"}
        if change.get("center") == "620102002":
            # the director of the township, not the county: the sibling is outside their subtree
            director = member_at("own", Role.DIRECTOR)
        payload.update(change)
        before = Membership.objects.count()
        response = api_as(director).post("/api/v1/members/", payload, format="json")
        assert response.status_code == 400, response.content
        assert field in response.json()
        assert Membership.objects.count() == before
        assert not Membership.objects.filter(user__username="newbie").exists()

    def test_existing_user_with_a_password_is_refused(self, member_at, api_as):
        director = member_at("parent", Role.DIRECTOR)
        clerk = member_at("own", Role.CLERK)
        payload = {
            "username": clerk.username,
            "password": "Gansu-2026-ok",
            "center": RELATIONS["own"],
            "role": "mediator",
        }
        response = api_as(director).post("/api/v1/members/", payload, format="json")
        assert response.status_code == 400 and "password" in response.json()

    def test_same_role_twice_is_400(self, member_at, api_as):
        director = member_at("parent", Role.DIRECTOR)
        clerk = member_at("own", Role.CLERK)
        payload = {"username": clerk.username, "center": RELATIONS["own"], "role": "clerk"}
        assert api_as(director).post("/api/v1/members/", payload, format="json").status_code == 400

    def test_filters(self, member_at, api_as, tree):
        director = member_at("parent", Role.DIRECTOR)
        make_member(tree[RELATIONS["own"]], Role.CLERK)
        make_member(tree[RELATIONS["child"]], Role.GRID_WORKER)
        client = api_as(director)
        grid = client.get("/api/v1/members/", {"role": "grid_worker"}).json()["results"]
        assert [row["center"] for row in grid] == [RELATIONS["child"]]
        under = client.get("/api/v1/members/", {"under": RELATIONS["own"]}).json()["results"]
        assert {row["center"] for row in under} == {RELATIONS["own"], RELATIONS["child"]}

    def test_list_query_count_stays_flat(self, member_at, api_as, tree, django_assert_max_num_queries):
        director = member_at("parent", Role.DIRECTOR)
        client = api_as(director)
        make_member(tree[RELATIONS["own"]], Role.CLERK)
        with CaptureQueriesContext(connection) as few:
            client.get("/api/v1/members/")
        for _ in range(30):
            make_member(tree[RELATIONS["own"]], Role.MEDIATOR)
        with django_assert_max_num_queries(len(few.captured_queries)):
            response = client.get("/api/v1/members/")
        assert response.json()["count"] == 32  # the director, one clerk, thirty mediators


def test_departments_filter_by_center(member_at, api_as):
    clerk = member_at("own", Role.CLERK)
    rows = api_as(clerk).get("/api/v1/departments/", {"center": "620102"}).json()["results"]
    assert [row["name"] for row in rows] == ["城关区司法所"]


def test_schema_and_docs_are_served_without_a_cdn(api, superuser, api_as):
    client = api_as(superuser)
    schema = client.get("/api/schema/", {"format": "json"})
    assert schema.status_code == 200
    paths = schema.json()["paths"]
    assert {"/api/v1/centers/", "/api/v1/members/", "/api/v1/auth/token/"} <= set(paths)
    docs = client.get("/api/docs/")
    assert docs.status_code == 200
    html = docs.content.decode()
    assert "/static/drf_spectacular_sidecar/" in html
    assert "cdn." not in html and "unpkg" not in html
