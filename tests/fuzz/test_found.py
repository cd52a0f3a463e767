"""What the API fuzzing found, each pinned by the request that showed it (the fuzzer may not draw the
same input again)."""

import pytest
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
