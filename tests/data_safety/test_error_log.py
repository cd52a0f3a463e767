"""A request that fails in production (DEBUG off, as in tests) leaves its traceback in the portal's
log, masked: without it, Django sends it only to ADMINS by mail, which the portal does not set, and
the error would leave no trace for the operator (docs/operations.md, Logs)."""

import io
import logging

import pytest
from django.test import Client


@pytest.mark.urls("tests.data_safety.urls_failing")
def test_a_failing_request_is_logged_with_its_traceback_and_masked(db, settings):
    assert not settings.DEBUG
    handler = next(h for h in logging.getLogger("django.request").handlers if isinstance(h, logging.StreamHandler))
    stream = io.StringIO()
    previous = handler.setStream(stream)
    try:
        response = Client(raise_request_exception=False).get("/failing/")
    finally:
        handler.setStream(previous)
    assert response.status_code == 500
    text = stream.getvalue()
    assert "Internal Server Error: /failing/" in text and "Traceback" in text and "RuntimeError" in text
    assert "139****5678" in text and "13912345678" not in text
