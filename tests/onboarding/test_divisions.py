"""The division tree from the statistics bureau's list."""

import pytest
from django.core.management import CommandError, call_command

from govcenter.audit import verify_chain
from govcenter.errors import NotAllowed
from govcenter.models import AuditEvent, Center, Role
from onboarding.models import ImportRun
from tests.onboarding.conftest import csv_bytes, messages, run_import

HEADER = ["统计用区划代码", "名称", "级别", "城乡分类代码"]
# As published: 12 digits padded with zeros, the county's part of the tree of tests/conftest.py.
COUNTY = [
    HEADER,
    ["620102000000", "城关区", "3", ""],
    ["620102001000", "东岗街道", "4", ""],
    ["620102001001", "东岗社区", "5", "111"],
    ["620102002000", "雁南街道", "4", ""],
    ["620102003000", "火车站街道", "4", ""],
    ["620102003001", "火车站社区", "5", "111"],
]


def test_import_creates_the_missing_centers_under_their_parents(tree, superuser):
    outcome = run_import(superuser, "divisions", COUNTY)

    assert outcome.applied
    assert outcome.run.counts == {"created": 2, "updated": 0, "unchanged": 4, "retired": 0}
    station = Center.objects.get(code="620102003001")
    assert (station.name, station.level, station.parent_id) == ("火车站社区", 5, "620102003")


def test_reimporting_the_same_file_changes_nothing(tree, superuser):
    run_import(superuser, "divisions", COUNTY)
    centers = list(Center.objects.values_list("code", "name", "is_active", "updated_at"))
    events = AuditEvent.objects.count()

    outcome = run_import(superuser, "divisions", COUNTY)

    assert outcome.run.counts == {"created": 0, "updated": 0, "unchanged": 6, "retired": 0}
    assert list(Center.objects.values_list("code", "name", "is_active", "updated_at")) == centers
    assert AuditEvent.objects.count() == events + 1  # only the import's own line


def test_a_renamed_township_is_updated_not_duplicated(tree, superuser):
    renamed = [row if row[0] != "620102002000" else ["620102002000", "雁南新街道", "4", ""] for row in COUNTY]

    outcome = run_import(superuser, "divisions", renamed)

    assert outcome.run.counts["updated"] == 1
    assert Center.objects.filter(code="620102002").get().name == "雁南新街道"
    assert Center.objects.filter(name__startswith="雁南").count() == 1


def test_a_removed_township_is_retired_and_kept_while_cases_point_to_it(tree, superuser, make_case):
    sibling_case = make_case("620102002", actor=superuser)
    without_sibling = [row for row in COUNTY if row[0] != "620102002000"]

    outcome = run_import(superuser, "divisions", without_sibling)

    assert outcome.run.counts["retired"] == 1
    sibling = Center.objects.get(code="620102002")
    assert not sibling.is_active
    sibling_case.refresh_from_db()
    assert sibling_case.center_id == sibling.pk


def test_a_retired_center_comes_back_when_the_list_has_it_again(tree, superuser):
    run_import(superuser, "divisions", [row for row in COUNTY if row[0] != "620102002000"])

    outcome = run_import(superuser, "divisions", COUNTY)

    assert outcome.run.counts["updated"] == 1
    assert Center.objects.get(code="620102002").is_active


def test_a_code_whose_parent_is_missing_is_a_row_error_and_nothing_is_imported(tree, superuser):
    rows = [*COUNTY, ["620102009001", "无主社区", "5", ""]]

    outcome = run_import(superuser, "divisions", rows)

    assert not outcome.applied
    assert "620102009" in messages(outcome)[(8, "统计用区划代码")]
    assert not Center.objects.filter(code="620102003").exists()  # the good rows were not imported either
    assert outcome.run.status == ImportRun.Status.REFUSED


def test_short_codes_and_a_level_that_does_not_match_the_code(tree, superuser):
    rows = [["区划代码", "名称", "级别"], ["620102", "城关区", "县"], ["620102004", "广武门街道", "村（社区）"]]

    outcome = run_import(superuser, "divisions", rows, fmt="csv")

    assert messages(outcome)[(3, "统计用区划代码")] == "The code's length does not match the level given."


def test_dry_run_shows_the_changes_and_changes_nothing(tree, superuser):
    renamed = [*COUNTY[:4], ["620102002000", "雁南新街道", "4", ""]]

    outcome = run_import(superuser, "divisions", renamed, dry_run=True)

    verbs = {change.key: change.verb for change in outcome.importer.changes if change.verb != "unchanged"}
    assert verbs == {"620102002 雁南新街道": "updated"}
    assert outcome.run.status == ImportRun.Status.PREVIEWED
    assert Center.objects.get(code="620102002").name == "雁南街道"


def test_a_county_director_cannot_import_into_another_county(tree, member_at):
    director = member_at("parent", Role.DIRECTOR)
    rows = [HEADER, ["620201000000", "市辖区", "3", ""], ["620201002000", "峪泉镇", "4", ""]]

    outcome = run_import(director, "divisions", rows)

    assert not outcome.applied
    assert messages(outcome)[(3, "统计用区划代码")] == "This center is outside your subtree."
    assert not Center.objects.filter(code="620201002").exists()


def test_a_county_director_imports_their_own_county(tree, member_at):
    director = member_at("parent", Role.DIRECTOR)

    outcome = run_import(director, "divisions", COUNTY)

    assert outcome.applied
    assert Center.objects.filter(code="620102003001").exists()


def test_a_clerk_may_not_import(tree, member_at):
    with pytest.raises(NotAllowed):
        run_import(member_at("own", Role.CLERK), "divisions", COUNTY)


def test_the_province_option_skips_other_provinces_and_audit_chain_holds(tree, tmp_path):
    # The province's whole list: what it no longer has (嘉峪关市 here) is retired.
    national = [HEADER, ["620000000000", "甘肃省", "1", ""], ["620100000000", "兰州市", "2", ""], *COUNTY[1:]]
    national.insert(1, ["630000000000", "青海省", "1", ""])
    path = tmp_path / "全国.csv"
    path.write_bytes(csv_bytes(national, "gb18030"))

    call_command("import_divisions", str(path), "--province", "62")

    assert not Center.objects.filter(code="63").exists()
    assert Center.objects.filter(code="620102003001").exists()
    assert not Center.objects.get(code="6202").is_active
    assert verify_chain()[1] is None


def test_the_command_writes_the_error_report_and_fails(tree, tmp_path):
    path = tmp_path / "bad.csv"
    path.write_bytes(csv_bytes([HEADER, ["62010200100X", "坏代码", "", ""]]))

    with pytest.raises(CommandError, match="Nothing was imported"):
        call_command("import_divisions", str(path), "--report", str(tmp_path / "report.xlsx"))

    assert (tmp_path / "report.xlsx").stat().st_size > 0
