"""Every operation of the published OpenAPI schema, fuzzed with schemathesis as a county director and
as a superuser: no answer is a server error, and every refusal (4xx) says why in a message.

Each request runs in a savepoint rolled back after it, so every example meets the same seeded world.
How many examples and how much time: FUZZ_EXAMPLES and FUZZ_SECONDS (tests/fuzz/conftest.py).
"""

import os
from contextlib import contextmanager

import schemathesis
from django.core.cache import cache
from django.db import transaction
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tests.fuzz.checks import refusal_has_message
from tests.fuzz.stats import STATS

schema = schemathesis.pytest.from_fixture("api_schema")
if os.environ.get("FUZZ_PATHS"):
    schema = schema.include(path_regex=os.environ["FUZZ_PATHS"])

CHECKS = [
    not_a_server_error,
    refusal_has_message,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]


@contextmanager
def rolled_back():
    with transaction.atomic():
        yield
        transaction.set_rollback(True)


@schema.parametrize()
@schema.given(who=st.sampled_from(["director", "superuser"]))
def test_api_never_fails_on_input_and_explains_every_refusal(case, who, fuzz_world):
    if not STATS.may_send(case.operation.label):
        return
    with rolled_back():
        # Throttle counters live in the cache: without this the fuzzer would mostly meet 429s.
        cache.clear()
        # buffered: the body is read and the response closed, as a WSGI server does (a file served
        # with FileResponse is closed then, not left to the garbage collector).
        response = case.call(headers={"Authorization": f"Token {fuzz_world.tokens[who]}"}, buffered=True)
    STATS.record(case.operation.label, response.status_code)
    case.validate_response(response, checks=CHECKS)
