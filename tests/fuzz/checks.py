"""Checks of our own API contract (shared/API.md), next to schemathesis's built-in ones."""

import json
import re

from schemathesis import check

from tests.fuzz.stats import STATS

CHINESE = re.compile(r"[\u4e00-\u9fff]")


# What a refusal may carry beside its messages (govcenter.errors.DomainError's extra): the moves allowed
# now, the present status or version, the duplicates found, the rows of a file refused; and the
# parser's own words on a body it could not read (govcenter.drf.exception_handler).
FACTS = {"allowed", "status", "version", "duplicates", "errors", "reason"}


def _messages(payload, skip=frozenset()) -> list:
    """Every message in an error body: `{"detail": "…"}`, `{"field": ["…"]}`, nested field errors."""
    if isinstance(payload, list):
        return [m for item in payload for m in _messages(item)]
    if isinstance(payload, dict):
        return [m for key, value in payload.items() if key not in skip for m in _messages(value)]
    # A number beside the message is a fact too (the id of the case a visit was reported as).
    return [payload] if isinstance(payload, str) else []


@check
def refusal_has_message(ctx, response, case):
    """A 4xx answer is JSON and says why, in words: a `detail` or field errors, none of them empty."""
    if not 400 <= response.status_code < 500:
        return None
    try:
        payload = json.loads(response.content)
    except ValueError:
        raise AssertionError(
            f"{response.status_code} without a JSON message ({response.headers.get('content-type')}): "
            f"{response.content[:200]!r}"
        ) from None
    # A field may be called "status" or "version" too: then its errors are the messages.
    messages = _messages(payload, skip=FACTS) or _messages(payload)
    if not messages or not all(m.strip() for m in messages):
        raise AssertionError(f"{response.status_code} without a message: {payload!r}")
    STATS.untranslated.update(m for m in messages if not CHINESE.search(m))
    return None
