"""Helpers to build the spreadsheets a province sends: CSV in several encodings and .xlsx."""

import csv
import io

import pytest
from django.utils import translation
from openpyxl import Workbook

from onboarding import services


@pytest.fixture(autouse=True)
def _english():
    # Messages are asserted in their English source: true before and after the catalog has them.
    with translation.override("en"):
        yield


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def background(django_capture_on_commit_callbacks):
    """`with background():` runs the jobs queued inside it (an upload's import) as the worker would,
    once the request's transaction has committed (django-q2 runs tasks inline in the tests)."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


def csv_bytes(rows: list[list], encoding: str = "utf-8") -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer).writerows(rows)
    return buffer.getvalue().encode(encoding)


def xlsx_bytes(rows: list[list]) -> bytes:
    workbook = Workbook()
    for row in rows:
        workbook.active.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def run_import(actor, kind: str, rows: list[list], *, fmt: str = "xlsx", dry_run: bool = False, root: str = ""):
    content = xlsx_bytes(rows) if fmt == "xlsx" else csv_bytes(rows)
    return services.import_file(
        actor=actor, kind=kind, content=content, filename=f"{kind}.{fmt}", dry_run=dry_run, root=root
    )


def messages(outcome) -> dict[tuple[int, str], str]:
    """Row errors as {(row, column header): message}."""
    return {(error.row, error.column): error.message for error in outcome.errors}
