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
