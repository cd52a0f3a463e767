"""Journey: a county director going live uploads the statistics bureau's division list (a GBK CSV, as
Excel in China saves it): a dry run queued for the worker, its progress bar on the record turning
into what the file would change, then the import for real; and a file with a bad row, refused with
its error report."""

import io
from pathlib import Path

import pytest
from django.utils.translation import override, pgettext
from django_q.conf import Conf
from openpyxl import load_workbook

from govcenter.models import Center, Role
from onboarding import tasks
from onboarding.models import ImportRun
from tests.e2e.a11y import assert_accessible_basics
from tests.e2e.conftest import shoot
from tests.e2e.journeys import zh
from tests.onboarding.conftest import csv_bytes

# The county's whole list: the centers the portal has, and two new townships.
GOOD = [
    ["统计用区划代码", "名称"],
    ["620102001000", "东岗街道"],
    ["620102001001", "东岗社区"],
    ["620102002000", "雁南街道"],
    ["620102003000", "火车站街道"],
    ["620102004000", "拱星墩街道"],
]
BAD = [*GOOD, ["620102009001000", "无主社区"]]


@pytest.fixture
def county_director(member_at, with_password, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return with_password(member_at("parent", Role.DIRECTOR, username="director_county", first_name="区主任"))


def upload(page, tmp_path: Path, rows, *, dry_run: bool) -> None:
    path = tmp_path / "城关区区划.csv"
    path.write_bytes(csv_bytes(rows, "gbk"))
    page.get_by_label(zh("What to import")).select_option("divisions")
    page.get_by_label(zh("Spreadsheet (.xlsx, .xls or .csv)")).set_input_files(str(path))
    page.get_by_label(zh("Dry run: show what would change, change nothing")).set_checked(dry_run)
    page.get_by_role("button", name=zh("Check and import")).click()
    page.wait_for_url("**/imports/*/")


def test_director_loads_the_division_list_through_a_dry_run_and_a_background_import(
    page, live_server, sign_in, county_director, monkeypatch, tmp_path
):
    monkeypatch.setattr(Conf, "SYNC", False)  # queued for a worker, as in production
    sign_in(page, county_director)
    page.get_by_role("link", name=zh("Imports")).click()
    page.wait_for_url("**/imports/")

    # The dry run: queued, its record shows a progress bar until the worker has checked the file.
    upload(page, tmp_path, GOOD, dry_run=True)
    record = page.locator("#import-run")
    assert record.locator("progress").count() == 1
    with override("zh-hans"):
        queued = pgettext("import", "Queued")
    assert record.locator("strong", has_text=queued).count() == 1
    assert_accessible_basics(page)
    shoot(page, "going-live-1-queued")
    preview = ImportRun.objects.get()
    tasks.run_import(preview.pk)  # the worker checks the file while the director watches
    page.get_by_role("button", name=zh("Import this file for real")).wait_for(timeout=10_000)
    assert record.locator("progress").count() == 0
    changes = record.locator("table tbody tr")
    assert changes.count() == 2 and zh("New") in changes.first.inner_text()
    assert "620102003 火车站街道" in record.inner_text() and not Center.objects.filter(code="620102003").exists()
    assert_accessible_basics(page)
    shoot(page, "going-live-2-dry-run")

    # For real, from the kept file: a job of its own, and the centers are there once it has run.
    page.get_by_role("button", name=zh("Import this file for real")).click()
    page.wait_for_url("**/imports/*/")
    applied = ImportRun.objects.exclude(pk=preview.pk).get()
    assert page.locator("#import-run progress").count() == 1
    tasks.run_import(applied.pk)
    page.locator("#import-run").get_by_text(zh("Imported"), exact=True).wait_for(timeout=10_000)
    assert set(Center.objects.filter(code__in=["620102003", "620102004"]).values_list("name", flat=True)) == {
        "火车站街道",
        "拱星墩街道",
    }
    shoot(page, "going-live-3-imported")

    # A file with a bad row: refused as a whole, with the error report to download.
    page.get_by_role("link", name=zh("Imports")).first.click()
    upload(page, tmp_path, BAD, dry_run=False)
    tasks.run_import(ImportRun.objects.latest("pk").pk)
    link = page.get_by_role("link", name=zh("Download the error report"))
    link.wait_for(timeout=10_000)
    with page.expect_download() as started:
        link.click()
    sheet = load_workbook(io.BytesIO(Path(started.value.path()).read_bytes())).active
    assert sheet["C1"].value == "错误" and sheet["C7"].value
    assert not Center.objects.filter(code="620102009").exists()
    assert_accessible_basics(page)
    shoot(page, "going-live-4-refused")
