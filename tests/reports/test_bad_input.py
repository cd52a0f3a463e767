"""Inputs the review found answering 500: every one is a clear 400 (or the page with its error)."""

import pytest


@pytest.fixture
def director_api(director, api_as):
    return api_as(director)


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/reports/rankings/?center=620102&month=0001-01",
        "/api/v1/reports/rankings/?center=620102&month=9999-12",
        "/api/v1/reports/dashboard/?center=620102&from=0001-01-01",
        "/api/v1/reports/dashboard/?center=620102&to=9999-12-31",
        "/api/v1/grids/assessment/?center=620102&month=9999-12",
        "/api/v1/grids/assessment/?center=620102&month=0001-01",
        "/api/v1/visits/?after=0001-01-01T00:00:00",
        "/api/v1/visits/?before=9999-12-31T23:59:59",
        "/api/v1/cases/?created_after=0001-01-01T00:00:00",
        "/api/v1/handoffs/?sent_before=9999-12-31T00:00:00",
    ],
)
def test_extreme_dates_and_months_are_400(director_api, tree, path):
    response = director_api.get(path)
    assert response.status_code == 400, response.content


@pytest.mark.parametrize(
    "path",
    [
        "/reports/?center=620102&from=0001-01-01",
        "/reports/ranking/?center=620102&month=0001-01",
        "/grids/visits/?after=0001-01-01",
        "/grids/visits/?before=9999-12-31",
        "/grids/center/620102/?month=9999-12",
    ],
)
def test_extreme_dates_on_pages_show_an_error_not_a_500(client, director, tree, path):
    client.force_login(director)
    assert client.get(path).status_code in (200, 400)


def test_export_params_of_the_wrong_type_are_400(director_api, tree):
    for params in ({"center": "620102", "to": 5}, {"center": "620102", "from": ["2026-01-01"]}):
        response = director_api.post("/api/v1/exports/", {"kind": "dashboard_pdf", "params": params}, format="json")
        assert response.status_code == 400, (params, response.content)
    response = director_api.post(
        "/api/v1/exports/", {"kind": "ranking_pdf", "params": {"center": "620102", "month": "0001-01"}}, format="json"
    )
    assert response.status_code == 400
    for case in ("²", "9" * 5000, "99999999999999999999"):
        response = director_api.post(
            "/api/v1/exports/", {"kind": "case_dossier", "params": {"case": case}}, format="json"
        )
        assert response.status_code == 400, (case[:10], response.content)


def test_scheme_form_odd_digits(client, director, tree):
    client.force_login(director)
    response = client.post(
        "/reports/ranking/scheme/",
        {"center": "620102", "weight_grid_found": "²", "red_cutoff": "80", "black_cutoff": "50"},
    )
    assert response.status_code == 400
