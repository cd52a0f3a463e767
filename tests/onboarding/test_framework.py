"""The import framework: encodings, headers, files that are not spreadsheets, the error report and the
templates."""

import io

import pytest
from openpyxl import load_workbook

from govcenter.models import AuditEvent, Center, Role
from onboarding import services, tabular
from onboarding.importers import IMPORTERS
from onboarding.models import ImportRun
from onboarding.tabular import FileRefused
from tests.onboarding.conftest import csv_bytes, run_import, xlsx_bytes

ROWS = [["统计用区划代码", "名称"], ["620102003", "火车站街道"], ["620102003001", "火车站社区"]]


def _import(actor, content: bytes, filename: str, kind: str = "divisions"):
    return services.import_file(actor=actor, kind=kind, content=content, filename=filename)


@pytest.mark.parametrize("encoding", ["gbk", "gb18030", "utf-8", "utf-8-sig"])
def test_csv_is_read_in_gbk_and_utf8(tree, superuser, encoding):
    outcome = _import(superuser, csv_bytes(ROWS, encoding), "区划.csv")

    assert outcome.applied
    assert Center.objects.get(code="620102003").name == "火车站街道"


def test_numbers_typed_into_excel_are_read_as_codes(tree, superuser):
    rows = [ROWS[0], [620102003, "火车站街道"], [620102003001.0, "火车站社区"]]

    assert _import(superuser, xlsx_bytes(rows), "区划.xlsx").applied
    assert Center.objects.filter(code="620102003001").exists()


def test_wrong_headers_refuse_the_file_naming_them(tree, superuser):
    content = csv_bytes([["代码X", "名字"], ["620102003", "火车站街道"]])

    with pytest.raises(FileRefused) as refused:
        _import(superuser, content, "区划.csv")

    message = str(refused.value.message)
    assert "代码X、名字" in message and "统计用区划代码、名称" in message
    run = ImportRun.objects.get()
    with run.file.open("rb") as kept:
        assert run.status == ImportRun.Status.REFUSED and kept.read() == content
    assert AuditEvent.objects.filter(action="onboarding.refused").exists()


@pytest.mark.parametrize(
    "content, filename",
    [
        (b"", "empty.csv"),
        (b"\x00\x01\x02garbage", "garbage.csv"),
        (b"PK\x03\x04not really a zip", "broken.xlsx"),
        (b"%PDF-1.4 ...", "scan.xlsx"),
        (b"%PDF-1.4 ...", "scan.pdf"),
        (b"\xd0\xcf\x11\xe0 not an old workbook", "old.xls"),
        ("统计用区划代码,名称\n".encode(), "header-only.csv"),
        (xlsx_bytes([]), "blank.xlsx"),
        (b"<html><script>alert(1)</script></html>", "page.csv"),
        (b"\xff\xfe\xfa\xfb\x80\x81", "bytes.csv"),
    ],
)
def test_a_file_that_is_no_good_spreadsheet_is_refused_with_a_message(tree, superuser, content, filename):
    with pytest.raises(FileRefused):
        _import(superuser, content, filename)
    assert not Center.objects.filter(code="620102003").exists()


def test_a_file_over_the_limit_is_refused(tree, superuser, monkeypatch):
    monkeypatch.setattr(tabular, "MAX_BYTES", 100)

    with pytest.raises(FileRefused, match="limit"):
        _import(superuser, csv_bytes(ROWS * 10), "big.csv")


def test_the_error_report_keeps_the_layout_and_marks_the_bad_cells(tree, superuser):
    rows = [["统计用区划代码", "名称"], ["620102003", "火车站街道"], ["62010200X", "坏代码"], ["620102009001", ""]]

    outcome = run_import(superuser, "divisions", rows)
    sheet = load_workbook(io.BytesIO(outcome.error_report())).active

    table = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert table[0] == ["统计用区划代码", "名称", "错误"]
    assert table[1] == ["620102003", "火车站街道", None]
    assert table[2][:2] == ["62010200X", "坏代码"] and table[2][2].startswith("统计用区划代码：")
    assert "名称：Required." in table[3][2]
    assert sheet["A3"].fill.start_color.rgb.endswith("FFC7CE")
    assert sheet["B4"].comment.text == "Required."
    assert sheet["B2"].fill.fill_type is None


@pytest.mark.parametrize("kind", sorted(IMPORTERS))
def test_every_template_has_the_headers_an_example_and_the_lists(kind):
    name, content = services.template(kind)
    workbook = load_workbook(io.BytesIO(content))
    sheet = workbook.worksheets[0]
    columns = IMPORTERS[kind].spec()

    assert name.endswith(".xlsx")
    assert [cell.value for cell in sheet[1]] == [column.header for column in columns]
    lists = [column for column in columns if column.choices]
    assert len(sheet.data_validations.dataValidation) == len(lists)
    for column in lists:
        example = sheet.cell(row=2, column=columns.index(column) + 1).value
        assert example is None or example in column.choices


def test_the_example_rows_of_the_templates_read_back_without_header_errors():
    for kind, cls in IMPORTERS.items():
        _name, content = services.template(kind)
        table = tabular.bind(tabular.read_table(content, "t.xlsx"), cls.spec())
        assert len(table.rows) == 1, kind


def test_an_unknown_kind_is_a_400(superuser):
    with pytest.raises(services.DomainError):
        _import(superuser, csv_bytes(ROWS), "x.csv", kind="cases")


def test_a_director_cannot_name_a_root_outside_their_subtree(tree, member_at):
    director = member_at("parent", Role.DIRECTOR)

    with pytest.raises(services.NotAllowed):
        services.import_file(actor=director, kind="divisions", content=csv_bytes(ROWS), filename="x.csv", root="620201")


def test_the_error_report_can_be_made_again_from_the_kept_file(tree, superuser):
    rows = [["统计用区划代码", "名称"], ["620102003", "火车站街道"], ["62010200X", "坏代码"]]
    outcome = run_import(superuser, "divisions", rows, fmt="csv")

    again = services.error_report(ImportRun.objects.get(pk=outcome.run.pk))

    assert again == outcome.error_report()


def test_a_root_that_is_no_division_code_is_a_400(superuser):
    with pytest.raises(services.DomainError):
        services.import_file(actor=None, kind="divisions", content=csv_bytes(ROWS), filename="x.csv", root="6x")


def test_headers_marked_required_with_a_star_are_read(tree, superuser):
    rows = [["统计用区划代码*", "名称＊"], ["620102003", "火车站街道"]]

    assert _import(superuser, csv_bytes(rows), "区划.csv").applied


def test_a_clash_with_a_concurrent_writer_is_a_409_not_a_500(tree, superuser, monkeypatch):
    from django.db import IntegrityError

    from onboarding.importers.divisions import DivisionImporter

    def clash(self):
        raise IntegrityError("duplicate key value violates unique constraint")

    monkeypatch.setattr(DivisionImporter, "apply", clash)

    with pytest.raises(services.ConflictError):
        _import(superuser, csv_bytes(ROWS), "区划.csv")
    assert ImportRun.objects.get().status == ImportRun.Status.REFUSED
