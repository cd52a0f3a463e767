"""The import pages: who may open them, the dry run carried out for real, the error report."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from govcenter.models import Center, Role
from onboarding.models import ImportRun
from tests.onboarding.conftest import csv_bytes

ROWS = [["统计用区划代码", "名称"], ["620102003", "火车站街道"]]
BAD_ROWS = [["统计用区划代码", "名称"], ["620102003", "火车站街道"], ["620102009001", "无主社区"]]


def client_of(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def upload(client, rows, *, dry_run: bool, kind: str = "divisions"):
    data = {"kind": kind, "file": SimpleUploadedFile("区划.csv", csv_bytes(rows, "gbk"), "text/csv")}
    if dry_run:
        data["dry_run"] = "on"
    return client.post(reverse("imports-home"), data)


@pytest.mark.parametrize("role, status", [(Role.DIRECTOR, 200), (Role.CLERK, 403), (Role.AUDITOR, 403)])
def test_who_may_open_the_import_page(member_at, role, status):
    assert client_of(member_at("parent", role)).get(reverse("imports-home")).status_code == status


def test_templates_download_as_excel(member_at):
    client = client_of(member_at("parent", Role.DIRECTOR))

    response = client.get(reverse("import-template", args=["grid_workers"]))

    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert load_workbook(io.BytesIO(response.content)).worksheets[0]["A1"].value == "网格编码"
    assert client.get(reverse("import-template", args=["unknown"])).status_code == 404


def test_a_dry_run_then_the_import_for_real(member_at, background):
    client = client_of(member_at("parent", Role.DIRECTOR))

    with background():
        preview = upload(client, ROWS, dry_run=True)
    run = ImportRun.objects.get()
    page = client.get(preview["Location"])

    assert preview.status_code == 303 and run.status == ImportRun.Status.PREVIEWED
    assert "620102003 火车站街道" in page.content.decode()
    assert not Center.objects.filter(code="620102003").exists()

    with background():
        applied = client.post(reverse("import-apply", args=[run.pk]))

    assert applied.status_code == 303
    assert Center.objects.filter(code="620102003").exists()
    # A dry run is carried out once: a second click is refused, and the dry run links to its import.
    again = client.post(reverse("import-apply", args=[run.pk]))
    carried = ImportRun.objects.latest("pk")
    assert again.status_code == 409 and f"#{carried.pk}" in again.content.decode()
    page = client.get(reverse("import-detail", args=[run.pk])).content.decode()
    assert reverse("import-apply", args=[run.pk]) not in page
    assert reverse("import-detail", args=[carried.pk]) in page
    assert ImportRun.objects.filter(dry_run=False).count() == 1


def test_bad_rows_show_with_the_error_report_to_download(member_at, background):
    client = client_of(member_at("parent", Role.DIRECTOR))

    with background():
        response = upload(client, BAD_ROWS, dry_run=False)
    run = ImportRun.objects.get()
    report = client.get(reverse("import-error-report", args=[run.pk]))

    assert run.status == ImportRun.Status.REFUSED
    assert "620102009" in client.get(response["Location"]).content.decode()
    sheet = load_workbook(io.BytesIO(report.content)).active
    assert [cell.value for cell in sheet[1]] == ["统计用区划代码", "名称", "错误"]
    assert sheet["C3"].value.startswith("统计用区划代码：")


def test_a_file_that_is_no_spreadsheet_is_a_400_with_the_reason(member_at):
    client = client_of(member_at("parent", Role.DIRECTOR))
    data = {"kind": "divisions", "file": SimpleUploadedFile("scan.xlsx", b"%PDF-1.4", "application/pdf")}

    response = client.post(reverse("imports-home"), data)

    assert response.status_code == 400
    assert "xlsx" in response.content.decode()


def test_another_countys_import_is_a_404(member_at, background):
    mine = client_of(member_at("parent", Role.DIRECTOR))
    with background():
        upload(mine, ROWS, dry_run=True)
    run = ImportRun.objects.get()
    other = client_of(member_at("620201", Role.DIRECTOR))

    assert other.get(reverse("import-detail", args=[run.pk])).status_code == 404
    assert other.post(reverse("import-apply", args=[run.pk])).status_code == 404


def test_only_the_person_who_made_the_dry_run_carries_it_out(member_at, background):
    with background():
        upload(client_of(member_at("parent", Role.DIRECTOR)), ROWS, dry_run=True)
    run = ImportRun.objects.get()
    colleague = client_of(member_at("parent", Role.DIRECTOR))

    assert colleague.post(reverse("import-apply", args=[run.pk])).status_code == 403
    assert not Center.objects.filter(code="620102003").exists()


def test_the_navigation_links_to_the_imports_for_directors_only(member_at):
    link = f'href="{reverse("imports-home")}"'

    assert link in client_of(member_at("parent", Role.DIRECTOR)).get(reverse("home")).content.decode()
    assert link not in client_of(member_at("own", Role.CLERK)).get(reverse("home")).content.decode()


def test_the_changes_are_listed_in_words_and_by_the_files_columns(member_at, background):
    client = client_of(member_at("parent", Role.DIRECTOR))
    renamed = [["统计用区划代码", "名称"], ["620102001", "东岗新街道"], ["620102002", "雁南街道"]]

    with background():
        response = upload(client, renamed, dry_run=True)
    page = client.get(response["Location"]).content.decode()

    assert "更新</td><td>620102001 东岗新街道</td>" in page and "名称: 东岗街道 → 东岗新街道" in page
    assert "停用</td><td>620102001001 东岗社区</td>" in page and "状态: 在用 → 停用" in page
    assert "is_active" not in page and ">updated<" not in page


def test_the_admin_lists_the_imports_a_staff_user_may_see_and_changes_none(member_at, background):
    from django.contrib.auth.models import Permission

    mine = member_at("parent", Role.DIRECTOR)
    with background():
        upload(client_of(mine), ROWS, dry_run=True)
    run = ImportRun.objects.get()
    other = member_at("620201", Role.DIRECTOR)
    for user in (mine, other):
        user.is_staff = True
        user.save(update_fields=["is_staff"])
        user.user_permissions.add(Permission.objects.get(codename="view_importrun"))

    own_list = client_of(mine).get("/admin/onboarding/importrun/").content.decode()
    other_list = client_of(other).get("/admin/onboarding/importrun/").content.decode()

    assert f"/admin/onboarding/importrun/{run.pk}/change/" in own_list
    assert f"/admin/onboarding/importrun/{run.pk}/change/" not in other_list
    assert client_of(other).get(f"/admin/onboarding/importrun/{run.pk}/change/").status_code == 302  # not found
    page = client_of(mine).get(f"/admin/onboarding/importrun/{run.pk}/change/")
    assert page.status_code == 200 and b'name="_save"' not in page.content
