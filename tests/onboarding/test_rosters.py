"""Rosters: staff, departments, mediation organisations and mediators, grids and grid workers, police
grids and auxiliary officers; each with good and bad rows, all or nothing, idempotent."""

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

from govcenter.audit import verify_chain
from govcenter.models import Department, Membership, Role
from grids.models import AuxiliaryOfficer, Grid, GridAssignment, PoliceGrid
from mediation.models import MediationOrg, Mediator
from onboarding.models import StaffIdentity
from tests.fixtures_cases import valid_id
from tests.onboarding.conftest import messages, run_import, xlsx_bytes

User = get_user_model()

STAFF = ["用户名", "姓名", "角色", "中心区划代码", "所属部门", "身份证号", "手机号", "初始密码", "状态"]
GRIDS = ["网格编码", "网格名称", "网格类型", "户数", "人口", "职责", "边界描述", "警格名称", "规模说明", "状态"]
WORKERS = ["网格编码", "用户名", "姓名", "身份证号", "手机号", "用工性质", "状态"]
BAD_CHECKSUM = "11010519491231002" + "1"


@pytest.fixture
def director(member_at):
    return member_at("parent", Role.DIRECTOR, username="director_620102")


# --- Staff ----------------------------------------------------------------------------------------


def staff_rows():
    return [
        STAFF,
        ["zhang_dg", "张三", "受理员", "620102001", "", valid_id(1), "13912345678", "", ""],
        ["li_yn", "李四", "中心主任", "620102002", "", valid_id(2), "", "Longpass#2026", "在用"],
        ["wang_sf", "王五", "部门承办人", "620102001", "东岗街道司法所", "", "", "", ""],
    ]


def test_staff_roster_creates_accounts_and_memberships(tree, director):
    outcome = run_import(director, "staff", staff_rows())

    assert outcome.applied, outcome.errors
    assert outcome.run.counts == {"created": 3, "updated": 0, "unchanged": 0, "retired": 0}
    zhang = User.objects.get(username="zhang_dg")
    assert zhang.first_name == "张三"
    assert not zhang.has_usable_password()  # no initial password: an administrator sets one
    assert User.objects.get(username="li_yn").check_password("Longpass#2026")
    assert StaffIdentity.objects.get(user=zhang).id_number == valid_id(1)
    officer = Membership.objects.get(user__username="wang_sf")
    assert (officer.role, officer.department.name) == (Role.DEPARTMENT, "东岗街道司法所")
    assert verify_chain()[1] is None


def test_staff_roster_reimported_changes_nothing_and_keeps_passwords(tree, director):
    run_import(director, "staff", staff_rows())
    before = User.objects.get(username="li_yn").password

    outcome = run_import(director, "staff", staff_rows())

    assert outcome.run.counts == {"created": 0, "updated": 0, "unchanged": 3, "retired": 0}
    assert User.objects.get(username="li_yn").password == before


def test_staff_roster_renames_and_retires(tree, director):
    run_import(director, "staff", staff_rows())
    rows = staff_rows()
    rows[1][1] = "张三丰"
    rows[2][8] = "停用"

    outcome = run_import(director, "staff", rows)

    assert outcome.run.counts == {"created": 0, "updated": 1, "unchanged": 1, "retired": 1}
    assert User.objects.get(username="zhang_dg").first_name == "张三丰"
    assert not Membership.objects.get(user__username="li_yn").is_active


def test_staff_roster_bad_rows_are_reported_per_cell_and_nothing_is_imported(tree, director):
    rows = [
        *staff_rows(),
        ["zhang_dg", "张三", "受理员", "620102002", "", "", "", "", ""],  # duplicate username
        ["zhao", "赵六", "村长", "620102001", "", "", "", "", ""],  # role not in the list
        ["qian", "钱七", "受理员", "620102001", "", BAD_CHECKSUM, "", "", ""],
        ["sun", "孙八", "受理员", "620102001", "", "", "", "short", ""],
        ["zhou", "周九", "受理员", "620102009", "", "", "", "", ""],
    ]

    outcome = run_import(director, "staff", rows)

    found = messages(outcome)
    assert found[(5, "用户名")] == "Same as row 2."
    assert found[(6, "角色")].startswith("Not in the list")
    assert "wrong check digit" in found[(7, "身份证号")]
    assert (8, "初始密码") in found
    assert found[(9, "中心区划代码")] == "No center has this code."
    assert not User.objects.filter(username__in=["zhang_dg", "li_yn", "wang_sf"]).exists()


def test_an_identity_number_under_a_second_username_is_refused(tree, director):
    run_import(director, "staff", staff_rows())
    rows = [STAFF, ["zhang_again", "张三", "受理员", "620102001", "", valid_id(1), "", "", ""]]

    outcome = run_import(director, "staff", rows)

    assert messages(outcome)[(2, "身份证号")] == "This identity number belongs to another account."


def test_a_county_director_cannot_place_staff_in_another_county(tree, director):
    rows = [STAFF, ["outsider", "外人", "受理员", "620201001", "", "", "", "", ""]]

    outcome = run_import(director, "staff", rows)

    assert messages(outcome)[(2, "中心区划代码")] == "This center is outside your subtree."
    assert not User.objects.filter(username="outsider").exists()


# --- Departments and mediation --------------------------------------------------------------------


def test_departments_created_updated_and_enumeration_checked(tree, director):
    header = ["中心区划代码", "部门名称", "部门类型", "电话", "状态"]
    good = [
        header,
        ["620102", "城关区住建局", "住房和城乡建设", "0931-1", ""],
        ["620102001", "东岗街道司法所", "司法所", "", ""],
    ]

    first = run_import(director, "departments", good)
    again = run_import(director, "departments", good)
    bad = run_import(director, "departments", [header, ["620102", "城关区某局", "宣传部", "", ""]])

    assert first.run.counts == {"created": 1, "updated": 0, "unchanged": 1, "retired": 0}
    assert again.run.counts["unchanged"] == 2
    assert Department.objects.get(name="城关区住建局").kind == Department.Kind.HOUSING
    assert messages(bad)[(2, "部门类型")].startswith("Not in the list")


def test_mediation_orgs_and_mediators(tree, director, category):
    orgs = [
        ["中心区划代码", "组织名称", "简称", "组织类型", "电话", "地址", "公开", "状态"],
        ["620102001", "东岗街道人民调解委员会", "东岗人调", "人民调解委员会", "", "", "是", ""],
        ["620102002", "雁南街道人民调解委员会", "东岗人调", "人民调解委员会", "", "", "", ""],
    ]
    clash = run_import(director, "mediation_orgs", orgs)
    orgs[2][2] = "雁南人调"
    made = run_import(director, "mediation_orgs", orgs)
    mediators = [
        ["中心区划代码", "调解组织", "姓名", "用户名", "证书编号", "电话", "擅长类别", "首席法律顾问", "状态"],
        ["620102001", "东岗街道人民调解委员会", "李调解", "", "GS-1", "", category.code, "否", ""],
        ["620102001", "东岗街道人民调解委员会", "周调解", "", "", "", "不存在的类别", "", ""],
    ]
    refused = run_import(director, "mediators", mediators)
    mediators.pop()
    added = run_import(director, "mediators", mediators)
    again = run_import(director, "mediators", mediators)

    assert messages(clash)[(3, "简称")] == "Same as row 2."
    assert made.run.counts["created"] == 2 and MediationOrg.objects.count() == 2
    assert "不存在的类别" in messages(refused)[(3, "擅长类别")]
    assert added.applied and again.run.counts["unchanged"] == 1
    assert list(Mediator.objects.get(name="李调解").specialties.all()) == [category]


# --- Grids, police grids, auxiliaries, grid workers -----------------------------------------------


def grid_rows():
    return [
        GRIDS,
        ["620102001001001", "东岗社区第一网格", "城市社区网格", "420", "1260", "党建、政法综治", "", "", "", ""],
        ["620102001001002", "东岗社区第二网格", "城市社区网格", "120", "300", "", "", "", "老旧小区", ""],
    ]


def test_grids_created_with_the_size_flag_and_idempotent(tree, director):
    first = run_import(director, "grids", grid_rows())
    again = run_import(director, "grids", grid_rows())

    assert first.run.counts["created"] == 2
    assert again.run.counts["unchanged"] == 2
    small = Grid.objects.get(code="620102001001002")
    assert (small.serial, small.size_flag, small.duties) == (2, "small", [])
    assert Grid.objects.get(code="620102001001001").duties == ["party", "political_legal"]


def test_grid_rows_with_bad_values(tree, director):
    rows = [
        GRIDS,
        ["620102001001001", "网格", "山地网格", "10", "5", "党建、巡逻", "", "", "", ""],
        ["620102002001001", "网格", "农村村民小组网格", "", "", "", "", "", "", ""],
        ["6201020010010011", "网格", "农村村民小组网格", "", "", "", "", "", "", ""],
    ]

    outcome = run_import(director, "grids", rows)

    found = messages(outcome)
    assert found[(2, "网格类型")].startswith("Not in the list")
    assert (2, "人口") in found and "巡逻" in found[(2, "职责")]
    assert (3, "网格编码") in found  # no such village
    assert (4, "网格编码") in found  # 16 digits
    assert not Grid.objects.exists()


def test_police_grids_and_auxiliary_officers(tree, director):
    run_import(director, "grids", grid_rows())
    police = [
        ["乡镇区划代码", "警格名称", "派出所", "社区民警", "民警电话", "覆盖网格", "状态"],
        ["620102001", "东岗第一警格", "", "赵警官", "13900001111", "620102001001001、620102001001002", ""],
    ]
    auxiliaries = [
        ["乡镇区划代码", "警格名称", "村（社区）区划代码", "姓名", "电话", "状态"],
        ["620102001", "东岗第一警格", "620102001001", "钱辅警", "13700001111", ""],
    ]

    assert run_import(director, "police_grids", police).applied
    assert run_import(director, "police_grids", police).run.counts["unchanged"] == 1
    assert run_import(director, "auxiliary_officers", auxiliaries).applied
    assert run_import(director, "auxiliary_officers", auxiliaries).run.counts["unchanged"] == 1
    police_grid = PoliceGrid.objects.get()
    assert sorted(police_grid.grids.values_list("code", flat=True)) == ["620102001001001", "620102001001002"]
    assert AuxiliaryOfficer.objects.get().village_code == "620102001001"


def worker_rows():
    return [
        WORKERS,
        ["620102001001001", "gw_001", "王网格", valid_id(11), "13900000011", "专职", ""],
        ["620102001001002", "gw_002", "陈网格", valid_id(12), "", "兼职", ""],
        ["620102001001002", "gw_001", "王网格", valid_id(11), "13900000011", "兼职", ""],  # one worker, two grids
    ]


def test_grid_workers_get_accounts_roles_and_assignments(tree, director):
    run_import(director, "grids", grid_rows())

    outcome = run_import(director, "grid_workers", worker_rows())
    again = run_import(director, "grid_workers", worker_rows())

    assert outcome.run.counts["created"] == 3
    assert again.run.counts == {"created": 0, "updated": 0, "unchanged": 3, "retired": 0}
    assert GridAssignment.objects.filter(ended_at__isnull=True).count() == 3
    seats = Membership.objects.filter(role=Role.GRID_WORKER, user__username="gw_001")
    assert list(seats.values_list("center_code", flat=True)) == ["620102001001"]
    assert verify_chain()[1] is None


def test_grid_workers_leave_a_grid_with_the_history_kept(tree, director):
    run_import(director, "grids", grid_rows())
    run_import(director, "grid_workers", worker_rows())
    rows = worker_rows()
    rows[3][6] = "停用"

    outcome = run_import(director, "grid_workers", rows)

    assert outcome.run.counts["retired"] == 1
    ended = GridAssignment.objects.get(worker__username="gw_001", grid__code="620102001001002")
    assert ended.ended_at is not None and ended.end_reason


def test_grid_worker_rows_with_bad_values_import_nothing(tree, director):
    run_import(director, "grids", grid_rows())
    rows = [
        *worker_rows(),
        ["620102001001001", "gw_003", "刘网格", BAD_CHECKSUM, "", "专职", ""],
        ["620102001001001", "gw_004", "周网格", valid_id(11), "", "专职", ""],  # gw_001's number
        ["620102001001001", "gw_005", "吴网格", valid_id(15), "", "临时工", ""],
        ["620102001001009", "gw_006", "郑网格", valid_id(16), "", "专职", ""],
    ]

    outcome = run_import(director, "grid_workers", rows)

    found = messages(outcome)
    assert "wrong check digit" in found[(5, "身份证号")]
    assert found[(6, "身份证号")] == "Same identity number as row 2, under another username."
    assert found[(7, "用工性质")].startswith("Not in the list")
    assert found[(8, "网格编码")] == "No grid has this code."
    assert not User.objects.filter(username__startswith="gw_").exists()


def test_import_roster_command_as_a_director(tree, director, tmp_path):
    path = tmp_path / "staff.xlsx"
    path.write_bytes(xlsx_bytes(staff_rows()))

    call_command("import_roster", "staff", str(path), "--as", director.username, "--dry-run")
    assert not User.objects.filter(username="zhang_dg").exists()
    call_command("import_roster", "staff", str(path), "--as", director.username)
    assert User.objects.filter(username="zhang_dg").exists()
