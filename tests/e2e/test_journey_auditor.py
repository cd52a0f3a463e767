"""Journey: the county auditor exports a case dossier and the red/black list, downloads them, watches
a long export's progress, and finds the exports in the audit log."""

import io
from pathlib import Path

import pytest
from django_q.conf import Conf
from openpyxl import load_workbook
from pypdf import PdfReader

from govcenter.models import Role
from reports import exports, tasks
from reports.models import ExportJob
from tests.e2e.a11y import assert_accessible_basics
from tests.e2e.conftest import shoot
from tests.e2e.journeys import LAST_MONTH, last_month, zh

NOTHING_EXPORTED = (
    "You have not exported anything yet. Export a case's dossier from its page, or the dossiers of a filter "
    "from the case list."
)


def pdf_text(content: bytes) -> str:
    return "".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages).replace(" ", "")


@pytest.fixture
def auditor_world(make_case, director, member_at, with_password, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    case = make_case(title="楼上漏水纠纷", received_at=last_month(8))
    make_case(center_code="620102002", actor=director, received_at=last_month(15))
    auditor = with_password(member_at("parent", Role.AUDITOR, username="auditor_county", first_name="审计员"))
    return auditor, case


def download(page, link) -> tuple[str, bytes]:
    with page.expect_download() as started:
        link.click()
    done = started.value
    return done.suggested_filename, Path(done.path()).read_bytes()


def test_auditor_exports_a_dossier_and_the_ranking_and_finds_them_in_the_audit_log(
    page, live_server, sign_in, auditor_world, monkeypatch
):
    auditor, case = auditor_world
    sign_in(page, auditor)
    page.get_by_role("link", name=zh("My exports")).click()
    page.wait_for_url("**/exports/")
    assert zh(NOTHING_EXPORTED) in page.content()  # the empty state says where exports start

    # The dossier, from the case's page (the auditor reads; no workflow button is offered).
    page.get_by_role("link", name=zh("Case list")).click()
    page.get_by_role("link", name=case.number).click()
    page.wait_for_url(f"**/cases/{case.pk}/")
    assert page.locator("form[action*='/do/'] button").count() == 0
    page.get_by_role("button", name=zh("Export the dossier")).click()
    page.wait_for_url("**/exports/")
    dossier_row = page.locator("#export-table tbody tr").filter(has_text=case.number)
    name, content = download(page, dossier_row.get_by_role("link"))
    assert name.endswith(".pdf") and content.startswith(b"%PDF")
    assert case.number in pdf_text(content)
    assert_accessible_basics(page)
    shoot(page, "auditor-1-dossier-exported")

    # The red/black list as Excel, from the ranking page (no publish button for an auditor).
    page.get_by_role("link", name=zh("Dashboard"), exact=True).click()
    page.get_by_role("link", name=zh("Red/black list")).click()
    page.wait_for_url("**/reports/ranking/**")
    assert (
        page.get_by_role("button", name=zh("Publish the list of %(month)s") % {"month": f"{LAST_MONTH:%Y-%m}"}).count()
        == 0
    )
    page.get_by_role("button", name=zh("Export the list (Excel)")).click()
    page.wait_for_url("**/exports/")
    ranking_row = page.locator("#export-table tbody tr").first
    assert f"{zh('Month')} {LAST_MONTH:%Y-%m}" in ranking_row.inner_text()  # what was exported, in words
    name, content = download(page, ranking_row.get_by_role("link"))
    assert name.endswith(".xlsx")
    cells = {str(c.value) for row in load_workbook(io.BytesIO(content)).active.iter_rows() for c in row}
    assert {"东岗街道", "雁南街道"} <= cells

    # A long export: the list shows its progress and turns into the link by itself when it is done.
    monkeypatch.setattr(Conf, "SYNC", False)  # queued for a worker, as in production
    job = exports.start(owner=auditor, kind="ranking_pdf", params={"center": "620102", "month": f"{LAST_MONTH:%Y-%m}"})
    page.reload()
    row = page.locator(f"#export-{job.pk}")
    assert row.locator("progress").count() == 1 and row.get_by_role("link").count() == 0
    assert_accessible_basics(page)
    shoot(page, "auditor-2-export-in-progress")
    tasks.run_export(job.pk)  # the worker makes the file while the auditor watches
    row.get_by_role("link").wait_for(timeout=10_000)
    assert row.locator("progress").count() == 0
    name, content = download(page, row.get_by_role("link"))
    assert name.endswith(".pdf") and content.startswith(b"%PDF")
    assert_accessible_basics(page)
    shoot(page, "auditor-3-exports-done")

    # The audit log: every start, file made and download of the auditor's, with the file names.
    page.get_by_role("link", name=zh("Audit log")).click()
    page.wait_for_url("**/audit/")
    page.get_by_label(zh("Area")).select_option("export")
    page.get_by_label(zh("User name")).fill(auditor.username)
    page.get_by_role("button", name=zh("Filter")).click()
    page.wait_for_url("**/audit/?**")
    table = page.locator("table.audit-log tbody")
    actions = table.locator("code").all_inner_texts()
    assert (
        actions.count("export.start") == 3 and actions.count("export.done") == 3 and actions.count("export.fetch") == 3
    )
    for job in ExportJob.objects.filter(owner=auditor):
        assert job.filename in table.inner_text()
    assert_accessible_basics(page)
    shoot(page, "auditor-4-audit-log")
