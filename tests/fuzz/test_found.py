"""What the API fuzzing found, each pinned by the request that showed it (the fuzzer may not draw the
same input again)."""

import pytest
from django.db import connection
from rest_framework.test import APIClient

from govcenter.models import Role


def test_a_path_no_route_matches_under_the_api_answers_a_json_404(api_as, superuser):
    response = api_as(superuser).get("/api/v1/cases/abc/")
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.json()["detail"]


def test_a_page_that_does_not_exist_is_still_a_page(client):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")


def test_police_grid_created_from_a_form_without_the_in_use_box_starts_in_use(member_at):
    # A form leaves an unticked box out, which DRF reads as is_active=false: that reached the service
    # as an argument it does not take (500).
    client = APIClient()
    client.force_authenticate(member_at("own", Role.POLICE))
    created = client.post("/api/v1/police-grids/", {"center": "620102001", "name": "东岗第二警格"}, format="multipart")
    assert created.status_code == 201, created.content
    assert created.json()["is_active"] is True


@pytest.mark.parametrize("is_active", [True, False])
def test_police_grid_created_as_json_starts_in_use_whatever_is_active_says(member_at, is_active):
    client = APIClient()
    client.force_authenticate(member_at("own", Role.POLICE))
    created = client.post(
        "/api/v1/police-grids/", {"center": "620102001", "name": "东岗第三警格", "is_active": is_active}, format="json"
    )
    assert created.status_code == 201, created.content
    assert created.json()["is_active"] is True


@pytest.mark.parametrize("form", ["json", "multipart"])
def test_roster_entries_created_with_is_active_start_in_use(director, api_as, form):
    # is_active reached org_create / mediator_create, which do not take it (500).
    client = api_as(director)
    org = client.post(
        "/api/v1/mediation-orgs/",
        {"name": "城关区物业纠纷调解委员会", "kind": "industry", "center": "620102", "short_name": "城关物业"}
        | ({"is_active": False} if form == "json" else {}),
        format=form,
    )
    assert org.status_code == 201, org.content
    assert org.json()["is_active"] is True
    mediator = client.post("/api/v1/mediators/", {"name": "马志远", "org": org.json()["id"], "is_active": False})
    assert mediator.status_code == 201, mediator.content
    assert mediator.json()["is_active"] is True


def test_answers_to_patch_carry_every_field_the_schema_promises(director, api_as):
    # With partial=True, DRF left out fields whose value came from a default (a count the list's
    # query annotates, a null related object), so PATCH answers lacked required properties.
    client = api_as(director)
    org = client.post(
        "/api/v1/mediation-orgs/",
        {"name": "城关区家事调解委员会", "kind": "industry", "center": "620102", "short_name": "城关家事"},
        format="json",
    ).json()
    mediator = client.post("/api/v1/mediators/", {"name": "马志远", "org": org["id"]}, format="json").json()
    patched = client.patch(f"/api/v1/mediators/{mediator['id']}/", {"phone": "13900000000"}, format="json")
    assert patched.status_code == 200, patched.content
    assert patched.json()["caseload"] == 0
    assert patched.json()["username"] is None


def test_police_grid_patch_answers_with_its_counts(member_at):
    client = APIClient()
    client.force_authenticate(member_at("own", Role.POLICE))
    cell = client.post("/api/v1/police-grids/", {"center": "620102001", "name": "东岗警格"}, format="json").json()
    patched = client.patch(f"/api/v1/police-grids/{cell['id']}/", {"officer_name": "李警官"}, format="json")
    assert patched.status_code == 200, patched.content
    assert (patched.json()["grid_count"], patched.json()["auxiliary_count"]) == (0, 0)


def test_a_time_filter_out_of_range_is_refused_under_its_parameter(director, api_as):
    # The range check raised DRF's error inside a form field: a bare list, not `{"field": [...]}`.
    response = api_as(director).get("/api/v1/cases/?created_after=0001-01-01T00:00:00")
    assert response.status_code == 400
    assert list(response.json()) == ["created_after"]


def test_put_on_an_agreement_is_not_offered(director, api_as):
    # PUT was in the schema but always answered 405; now the route does not offer it at all.
    response = api_as(director).put("/api/v1/agreements/1/", {}, format="json")
    assert response.status_code == 405
    assert response.json()["detail"]


def test_a_missing_object_is_not_found_in_chinese_without_naming_the_model(director, api_as):
    # get_object_or_404 said "No Mediator matches the given query.": English, and the model's name.
    response = api_as(director).get("/api/v1/mediators/999999/")
    assert response.status_code == 404
    assert response.json() == {"detail": "未找到。"}


def test_a_not_found_with_a_message_of_its_own_keeps_it():
    from django.http import Http404

    from govcenter.drf import exception_handler

    response = exception_handler(Http404("此预警没有这项任务。"), context={})
    assert (response.status_code, response.data) == (404, {"detail": "此预警没有这项任务。"})


def test_a_body_that_does_not_parse_is_refused_with_a_message_and_the_parsers_reason(director, api_as):
    # DRF's "JSON parse error - 'utf-8' codec can't decode byte 0xd0 …" was the only, untranslated, message.
    response = api_as(director).generic("POST", "/api/v1/cases/", b"\xd0{", content_type="application/json")
    assert response.status_code == 400
    assert response.json()["detail"] and "codec can't decode" not in response.json()["detail"]
    assert response.json()["reason"].startswith("JSON parse error")


@pytest.mark.postgresql
@pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite stores a NUL character")
def test_a_nul_character_the_database_refuses_is_bad_input(make_case, director, api_as):
    # On PostgreSQL, a category code with a NUL character reached the query and failed there (500).
    case = make_case(center_code="620102001")
    response = api_as(director).post(
        f"/api/v1/cases/{case.pk}/classify/",
        {"category": "\x00d", "severity": "high"},
        format="multipart",
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 400, response.content
    assert response.json() == {"detail": "The input contains characters or values that cannot be stored."}


def test_a_body_of_null_is_refused_in_chinese(director, api_as):
    # DRF's "No data provided" never passes through gettext.
    response = api_as(director).post("/api/v1/cases/", "null", content_type="application/json")

    assert response.status_code == 400
    assert "No data provided" not in response.content.decode()
    assert "JSON" in response.json()["non_field_errors"][0] and "未" in response.json()["non_field_errors"][0]


def test_a_password_too_short_is_refused_in_chinese(director, api_as):
    # Django 5.2's own zh-hans catalog lacks its new password-length message.
    response = api_as(director).post(
        "/api/v1/members/",
        {"username": "new_clerk", "password": "short", "center": "620102001", "role": "clerk"},
        format="json",
    )

    assert response.status_code == 400
    assert "密码长度太短" in response.content.decode()
