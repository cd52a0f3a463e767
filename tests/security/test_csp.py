"""Every main page carries a Content-Security-Policy that it satisfies: no inline script without
the response's nonce."""

import re

import pytest
from django.test import Client
from django.urls import reverse

from govcenter.models import Role
from tests.conftest import OWN, PARENT

pytestmark = pytest.mark.django_db

SCRIPT_TAG = re.compile(r"<script\b[^>]*>", re.IGNORECASE)


def _nonce(policy: str) -> str:
    match = re.search(r"script-src [^;]*'nonce-([\w-]+)'", policy)
    assert match, policy
    return match.group(1)


def assert_policy_satisfied(response):
    assert response.status_code == 200, response.status_code
    policy = response["Content-Security-Policy"]
    assert "default-src 'self'" in policy and "object-src 'none'" in policy and "frame-ancestors 'none'" in policy
    assert "'unsafe-inline'" not in policy.split("script-src", 1)[1].split(";", 1)[0]
    nonce = _nonce(policy)
    for tag in SCRIPT_TAG.findall(response.content.decode()):
        # A JSON data block (json_script) is not run, so the policy does not apply to it.
        assert "src=" in tag or f'nonce="{nonce}"' in tag or 'type="application/json"' in tag, tag


@pytest.fixture
def pages(tree, clerk, director, member_at, make_case):
    case = make_case()
    worker = member_at("own", Role.GRID_WORKER)
    return [
        (clerk, reverse("home")),
        (clerk, reverse("case-list")),
        (clerk, reverse("case-detail", args=[case.pk])),
        (director, reverse("report-dashboard") + f"?center={PARENT}"),
        (worker, reverse("grids-mine")),
        (None, f"/r/{tree[OWN].public_token}/"),
        (None, reverse("login")),
    ]


def test_main_pages_send_a_policy_they_satisfy(pages):
    for user, url in pages:
        client = Client()
        if user:
            client.force_login(user)
        assert_policy_satisfied(client.get(url))


def test_each_response_has_its_own_nonce(clerk):
    client = Client()
    client.force_login(clerk)
    first, second = (_nonce(client.get(reverse("home"))["Content-Security-Policy"]) for _ in range(2))
    assert first != second


def test_security_headers_are_sent(clerk):
    client = Client()
    client.force_login(clerk)
    response = client.get(reverse("case-list"))
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"


def test_inline_script_without_the_nonce_would_be_caught():
    class Fake:
        status_code = 200
        content = b"<p>x</p><script>alert(1)</script>"

        def __getitem__(self, name):
            return "default-src 'self'; script-src 'self' 'nonce-abc'; object-src 'none'; frame-ancestors 'none'"

    with pytest.raises(AssertionError):
        assert_policy_satisfied(Fake())


def test_api_docs_page_may_start_its_inline_script_and_only_there(clerk):
    client = Client()
    client.force_login(clerk)
    docs = client.get(reverse("swagger-ui"))
    assert docs.status_code == 200
    assert "script-src 'self' 'unsafe-inline'" in docs["Content-Security-Policy"]
    assert "'unsafe-inline'" not in client.get(reverse("home"))["Content-Security-Policy"].split("style-src")[0]
