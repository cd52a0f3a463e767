"""Caching headers where a page allows: the user's own browser may keep figures a minute and the
taxonomy five minutes; nothing personal goes to a shared cache; a repeat with the ETag is a 304."""

import pytest

from tests.fixtures_cases import *  # noqa: F403

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("path", "max_age"),
    [("/api/v1/reports/dashboard/?center=620102", 60), ("/reports/?center=620102", 60), ("/api/v1/categories/", 300)],
)
def test_private_max_age_and_a_304_on_the_etag(client, director, category, path, max_age):
    client.force_login(director)
    first = client.get(path)
    assert first.status_code == 200
    assert "private" in first["Cache-Control"] and f"max-age={max_age}" in first["Cache-Control"]
    if path.startswith("/api/"):  # a page carries a fresh CSRF token each time: never the same ETag
        again = client.get(path, HTTP_IF_NONE_MATCH=first["ETag"])
        assert again.status_code == 304 and not again.content


def test_a_case_is_not_cached_by_anyone(client, director, make_case):
    case = make_case()
    client.force_login(director)
    response = client.get(f"/api/v1/cases/{case.pk}/")
    assert "max-age" not in response.get("Cache-Control", "")
