"""The import API: the same imports as the pages, as JSON: queued as background jobs, then read back."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import load_workbook

from govcenter.models import Center, Role
from onboarding.models import ImportRun
from tests.onboarding.conftest import csv_bytes

ROWS = [["统计用区划代码", "名称"], ["620102003", "火车站街道"]]
URL = "/api/v1/imports/"


def post(client, rows, **fields):
    data = {"kind": "divisions", "file": SimpleUploadedFile("区划.csv", csv_bytes(rows, "gbk")), **fields}
    return client.post(URL, data, format="multipart")


def test_an_upload_is_queued_then_read_back_once_imported(api_as, member_at, background):
    client = api_as(member_at("parent", Role.DIRECTOR))

    with background():
        response = post(client, ROWS)
        queued = response.json()
        assert Center.objects.filter(code="620102003").exists() is False  # not before the job has run
    record = client.get(f"{URL}{queued['id']}/").json()

    assert response.status_code == 202
    assert (queued["status"], queued["progress"], queued["rows"]) == ("queued", 0, 1)
    assert (record["status"], record["progress"], record["counts"]["created"]) == ("applied", 100, 1)
    assert record["finished_at"] and record["errors"] == [] and record["error_count"] == 0
    assert Center.objects.filter(code="620102003").exists()
    assert client.get(URL).json()["count"] == 1


def test_bad_rows_end_refused_with_every_error_and_the_report(api_as, member_at, background):
    client = api_as(member_at("parent", Role.DIRECTOR))

    with background():
        queued = post(client, [*ROWS, ["620102009001", "无主社区"]]).json()
    record = client.get(f"{URL}{queued['id']}/").json()
    report = client.get(f"{URL}{queued['id']}/errors/")

    assert record["status"] == "refused" and record["error_count"] == 1
    assert record["errors"][0]["row"] == 3 and record["errors"][0]["column"] == "统计用区划代码"
    assert load_workbook(io.BytesIO(report.content)).active["C1"].value == "错误"
    assert not Center.objects.filter(code="620102003").exists()


def test_a_dry_run_is_carried_out_through_apply(api_as, member_at, background):
    client = api_as(member_at("parent", Role.DIRECTOR))

    with background():
        preview = post(client, ROWS, dry_run="true").json()
    with background():
        applied = client.post(f"{URL}{preview['id']}/apply/")

    assert client.get(f"{URL}{preview['id']}/").json()["status"] == "previewed"
    assert applied.status_code == 202 and applied.json()["dry_run"] is False
    assert client.get(f"{URL}{applied.json()['id']}/").json()["status"] == "applied"
    assert Center.objects.filter(code="620102003").exists()


@pytest.mark.parametrize("role", [Role.CLERK, Role.GRID_WORKER])
def test_staff_who_may_not_import_get_403(api_as, member_at, role):
    client = api_as(member_at("own", role))

    assert post(client, ROWS).status_code == 403
    assert client.get(f"{URL}template/?kind=staff").status_code == 403
    assert not ImportRun.objects.exists()


def test_another_countys_import_is_a_404(api_as, member_at, background):
    with background():
        post(api_as(member_at("parent", Role.DIRECTOR)), ROWS)
    run = ImportRun.objects.get()
    other = api_as(member_at("620201", Role.DIRECTOR))

    assert other.get(f"{URL}{run.pk}/").status_code == 404
    assert other.get(URL).json()["count"] == 0


def test_a_file_that_is_no_spreadsheet_is_a_400(api_as, member_at):
    client = api_as(member_at("parent", Role.DIRECTOR))
    data = {"kind": "staff", "file": SimpleUploadedFile("x.xlsx", b"not a workbook")}

    response = client.post(URL, data, format="multipart")

    assert response.status_code == 400 and "file" in response.json()
    assert ImportRun.objects.get().status == ImportRun.Status.REFUSED  # the refused file is on record


def test_the_template_by_kind(api_as, member_at):
    client = api_as(member_at("parent", Role.DIRECTOR))

    response = client.get(f"{URL}template/?kind=mediators")

    assert response.status_code == 200
    assert load_workbook(io.BytesIO(response.content)).worksheets[0]["B1"].value == "调解组织"
    assert client.get(f"{URL}template/?kind=nothing").status_code == 404
