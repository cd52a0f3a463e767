"""The import API: the same imports as the pages, as JSON."""

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


def test_a_director_imports_and_sees_the_record(api_as, member_at):
    client = api_as(member_at("parent", Role.DIRECTOR))

    response = post(client, ROWS)

    assert response.status_code == 201
    assert response.json()["counts"]["created"] == 1 and response.json()["status"] == "applied"
    assert Center.objects.filter(code="620102003").exists()
    assert client.get(URL).json()["count"] == 1


def test_bad_rows_answer_400_with_every_error_and_the_report(api_as, member_at):
    client = api_as(member_at("parent", Role.DIRECTOR))

    response = post(client, [*ROWS, ["620102009001", "无主社区"]])
    body = response.json()
    report = client.get(f"{URL}{body['import']['id']}/errors/")

    assert response.status_code == 400
    assert body["errors"][0]["row"] == 3 and body["errors"][0]["column"] == "统计用区划代码"
    assert load_workbook(io.BytesIO(report.content)).active["C1"].value == "错误"
    assert not Center.objects.filter(code="620102003").exists()


def test_a_dry_run_is_carried_out_through_apply(api_as, member_at):
    client = api_as(member_at("parent", Role.DIRECTOR))

    preview = post(client, ROWS, dry_run="true").json()
    applied = client.post(f"{URL}{preview['id']}/apply/")

    assert preview["status"] == "previewed"
    assert applied.status_code == 201 and applied.json()["status"] == "applied"
    assert Center.objects.filter(code="620102003").exists()


@pytest.mark.parametrize("role", [Role.CLERK, Role.GRID_WORKER])
def test_staff_who_may_not_import_get_403(api_as, member_at, role):
    client = api_as(member_at("own", role))

    assert post(client, ROWS).status_code == 403
    assert client.get(f"{URL}template/?kind=staff").status_code == 403
    assert not ImportRun.objects.exists()


def test_another_countys_import_is_a_404(api_as, member_at):
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


def test_the_template_by_kind(api_as, member_at):
    client = api_as(member_at("parent", Role.DIRECTOR))

    response = client.get(f"{URL}template/?kind=mediators")

    assert response.status_code == 200
    assert load_workbook(io.BytesIO(response.content)).worksheets[0]["B1"].value == "调解组织"
    assert client.get(f"{URL}template/?kind=nothing").status_code == 404
