"""The fuzzing's own check holds refusals to the API contract (shared/API.md: errors are JSON with a
message), and lets through what the contract allows."""

import json
from types import SimpleNamespace

import pytest

from tests.fuzz.checks import refusal_has_message


def _response(status: int, body, content_type: str = "application/json"):
    content = body if isinstance(body, bytes) else json.dumps(body).encode()
    return SimpleNamespace(status_code=status, content=content, headers={"content-type": content_type})


@pytest.mark.parametrize(
    "status, body",
    [
        (400, {"detail": "请填写标题。"}),
        (400, {"title": ["该字段是必填项。"], "parties": [{"name": ["该字段是必填项。"]}]}),
        (400, {"status": ["“x” 不是合法选项。"]}),  # a field named like a fact
        (409, {"detail": "该走访发现已上报为案件。", "case": 20}),
        (409, {"detail": "案件已办结。", "allowed": ["reopen"], "status": "closed"}),
        (200, []),
        (500, b"<html>"),  # not a refusal: not_a_server_error's to judge
    ],
)
def test_a_refusal_that_says_why_passes(status, body):
    assert refusal_has_message(None, _response(status, body), None) is None


@pytest.mark.parametrize(
    "status, body, content_type",
    [
        (404, b"<h1>Not Found</h1>", "text/html"),
        (400, {}, "application/json"),
        (400, {"detail": " "}, "application/json"),
        (409, {"case": 20}, "application/json"),
        (403, {"title": [""]}, "application/json"),
    ],
)
def test_a_refusal_without_a_message_fails(status, body, content_type):
    with pytest.raises(AssertionError):
        refusal_has_message(None, _response(status, body, content_type), None)
