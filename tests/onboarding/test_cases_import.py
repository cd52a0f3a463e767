"""Historic cases: good and bad rows, all or nothing, idempotence, the past months on the dashboard,
and the deadlines of the cases still open."""

from datetime import date

import pytest
from django.utils import timezone

from cases.models import Case, CaseEvent, Deadline, Party, Rating, SlaPolicy, Stage, Status
from govcenter.audit import verify_chain
from govcenter.models import AuditEvent, Center, Role
from reports.selectors import Period, dashboard
from tests.fixtures_cases import valid_id
from tests.onboarding.conftest import messages, run_import

HEADERS = [
    "原编号",
    "中心区划代码",
    "来源渠道",
    "案件类型",
    "类别代码",
    "事由摘要",
    "事实经过",
    "受理时间",
    "状态",
    "办结时间",
    "办理结果",
    "满意度",
    "申请人姓名",
    "申请人身份证号",
    "申请人电话",
    "被申请人姓名",
    "被申请人身份证号",
    "被申请人电话",
]
BAD_CHECKSUM = "11010519491231002" + "1"


@pytest.fixture
def director(member_at):
    return member_at("parent", Role.DIRECTOR, username="director_620102")


def row(number="CG-1", **cells):
    values = {
        "原编号": number,
        "中心区划代码": "620102001",
        "来源渠道": "来访",
        "案件类型": "矛盾纠纷",
        "类别代码": "d-neighbour--drainage",
        "事由摘要": "邻里排水纠纷",
        "事实经过": "雨水排入邻院。",
        "受理时间": "2025-03-03 09:30",
        "状态": "已结案",
        "办结时间": "2025-03-05",
        "办理结果": "化解成功",
        "满意度": "满意",
        "申请人姓名": "张三",
        "申请人身份证号": valid_id(1),
        "申请人电话": "13912345678",
        "被申请人姓名": "李四",
        "被申请人身份证号": valid_id(2),
        "被申请人电话": "",
        **cells,
    }
    return [values[header] for header in HEADERS]


def good_rows():
    return [
        HEADERS,
        row("CG-1"),
        row("CG-2", 受理时间="2025-03-10", 办结时间="2025-04-30", 办理结果="化解不成功", 满意度="不满意"),
        # Still open: received this year (today), so its number is in this year's series.
        row("CG-3", 受理时间=timezone.localdate().isoformat(), 状态="调解中", 办结时间="", 办理结果="", 满意度=""),
    ]


def test_historic_cases_are_imported_with_parties_numbers_and_timeline(tree, director):
    outcome = run_import(director, "cases", good_rows())

    assert outcome.applied, outcome.errors
    assert outcome.run.counts == {"created": 3, "updated": 0, "unchanged": 0, "retired": 0}
    first = Case.objects.get(original_number="CG-1")
    assert first.number == "620102-2025-000001"
    assert Case.objects.get(original_number="CG-2").number == "620102-2025-000002"
    assert Case.objects.get(original_number="CG-3").number == f"620102-{timezone.localdate().year}-000001"
    assert (first.status, first.resolved_level, timezone.localdate(first.closed_at)) == (
        Status.CLOSED,
        Center.objects.get(code="620102001").level,
        date(2025, 3, 5),
    )
    assert Case.objects.get(original_number="CG-2").resolved_level is None
    applicant = first.parties.get(role=Party.Role.APPLICANT)
    assert (applicant.name, applicant.id_number, applicant.phone) == ("张三", valid_id(1), "13912345678")
    assert first.parties.filter(role=Party.Role.RESPONDENT, name="李四").exists()
    assert Rating.objects.get(case=first).value == "satisfied"
    assert CaseEvent.objects.filter(verb="import").count() == 3
    assert AuditEvent.objects.filter(action="case.import").count() == 3
    assert verify_chain()[1] is None


def test_a_new_case_after_the_import_continues_the_county_numbering(tree, director, clerk):
    from cases.services import CaseInput, PartyInput, case_create

    run_import(director, "cases", good_rows())
    case = case_create(
        actor=clerk,
        center=Center.objects.get(code="620102001"),
        data=CaseInput(
            kind="request", channel="walk_in", title="新案件", parties=[PartyInput(role="applicant", name="王五")]
        ),
    )

    assert case.number == f"620102-{timezone.localdate().year}-000002"


def test_reimporting_the_same_file_changes_nothing(tree, director):
    run_import(director, "cases", good_rows())
    before = list(Case.objects.order_by("pk").values_list("pk", "number", "status", "version"))

    outcome = run_import(director, "cases", good_rows())

    assert outcome.applied
    assert outcome.run.counts == {"created": 0, "updated": 0, "unchanged": 3, "retired": 0}
    assert list(Case.objects.order_by("pk").values_list("pk", "number", "status", "version")) == before
    assert Party.objects.count() == 6 and CaseEvent.objects.count() == 3


def test_bad_rows_are_reported_per_cell_and_nothing_is_imported(tree, director):
    rows = [
        *good_rows(),
        row("CG-9", 中心区划代码="620102009"),
        row("CG-10", 申请人身份证号=BAD_CHECKSUM),
        row("CG-11", 状态="归档"),
        row("CG-12", 来源渠道="飞鸽传书"),
        row("CG-13", 办结时间=""),
        row("CG-14", 受理时间="2099-01-01"),
        row("CG-15", 受理时间="2025-03-10", 办结时间="2025-03-01"),
        row("CG-16", 受理时间="去年春天"),
        row("CG-17", 状态="调解中"),
        row("CG-1"),
        row("CG-18", 类别代码="no-such-category"),
        row("CG-19", 申请人电话="电话坏了"),
        row("CG-20", 受理时间="2025-03-10 15:00", 办结时间="2025-03-10"),
        row("CG-21", 受理时间="0024-03-10"),
    ]

    outcome = run_import(director, "cases", rows)

    found = messages(outcome)
    assert found[(5, "中心区划代码")] == "No center has this code."
    assert "wrong check digit" in found[(6, "申请人身份证号")]
    assert found[(7, "状态")].startswith("Not in the list")
    assert found[(8, "来源渠道")].startswith("Not in the list")
    assert found[(9, "办结时间")] == "A closed case needs its closing date."
    assert found[(10, "受理时间")] == "This date is in the future."
    assert found[(11, "办结时间")] == "A case cannot close before it was received."
    assert found[(12, "受理时间")].startswith("Not a date")
    assert found[(13, "办结时间")] == "Only a closed case has this; leave it empty."
    assert found[(14, "原编号")] == "Same as row 2."
    assert found[(15, "类别代码")] == "No category has this code."
    assert (16, "申请人电话") in found
    assert not [key for key in found if key[0] == 17]  # closed on the day it came in, hour unknown
    assert found[(18, "受理时间")] == "A date before 1980 is not a case's date."
    assert not outcome.applied
    assert not Case.objects.exists()


def test_a_county_director_cannot_import_cases_into_another_county(tree, director):
    outcome = run_import(director, "cases", [HEADERS, row("X-1", 中心区划代码="620201001")])

    assert messages(outcome)[(2, "中心区划代码")] == "This center is outside your subtree."
    assert not Case.objects.exists()


def test_a_dry_run_imports_nothing(tree, director):
    outcome = run_import(director, "cases", good_rows(), dry_run=True)

    assert not outcome.applied and not outcome.errors
    assert outcome.run.counts["created"] == 3
    assert not Case.objects.exists()


def test_an_imported_closed_case_counts_in_the_dashboard_of_its_month(tree, director):
    run_import(director, "cases", good_rows())
    county = Center.objects.get(code="620102")

    march = dashboard(county, Period(date(2025, 3, 1), date(2025, 3, 31)))
    may = dashboard(county, Period(date(2025, 5, 1), date(2025, 5, 31)))

    assert march.total.value == 2
    assert {figure.key: figure.value for figure in march.trend}["trend.2025-03"] == 2
    assert sum(figure.value for figure in march.resolution_level) == 1
    assert may.total.value == 0


def test_closed_cases_are_judged_on_time_or_late_by_todays_limits(tree, director):
    run_import(director, "cases", good_rows())

    quick = Deadline.objects.get(case__original_number="CG-1", stage=Stage.RESOLVE)
    slow = Deadline.objects.get(case__original_number="CG-2", stage=Stage.RESOLVE)

    assert quick.met_at <= quick.due_at
    assert slow.met_at > slow.due_at
    closed = Case.objects.get(original_number="CG-1")
    assert (closed.next_due_at, closed.is_overdue) == (None, False)


def test_an_open_case_gets_its_deadlines_from_todays_policy(tree, director):
    SlaPolicy.objects.create(name="来访纠纷", kind="dispute", channel="walk_in", resolve_workdays=15)
    run_import(director, "cases", good_rows())
    case = Case.objects.get(original_number="CG-3")

    running = Deadline.objects.current().running().filter(case=case)

    assert set(running.values_list("stage", flat=True)) == {Stage.RESOLVE, Stage.FEEDBACK, Stage.FOLLOW_UP}
    assert not case.is_overdue
    first = running.order_by("due_at").first()
    assert (case.next_stage, case.next_due_at) == (first.stage, first.due_at)
    assert case.next_due_at > case.received_at
    assert running.get(stage=Stage.RESOLVE).amount == 15


def test_a_rollup_made_before_the_import_does_not_hide_the_imported_months(tree, director):
    from reports import rollups

    rollups.refresh()  # every month counted (none yet) and stamped fresh
    county = Center.objects.get(code="620102")

    run_import(director, "cases", good_rows())

    assert rollups.rolled_up_since() is None
    assert dashboard(county, Period(date(2025, 3, 1), date(2025, 3, 31))).total.value == 2


def test_an_imported_case_page_shows_the_import_and_masks_the_parties(tree, director, member_at):
    from cases.presenters import mask_id_number
    from tests.onboarding.test_views import client_of

    run_import(director, "cases", good_rows())
    case = Case.objects.get(original_number="CG-1")
    viewer = member_at("own", Role.GRID_WORKER, username="grid_worker_history")  # sees cases, not PII

    page = client_of(viewer).get(case.get_absolute_url())

    assert page.status_code == 200
    text = page.content.decode()
    assert case.number in text, text[:3000]
    assert valid_id(1) not in text and mask_id_number(valid_id(1)) in text


def test_further_parties_are_kept_as_third_parties(tree, director):
    rows = [[*HEADERS, "其他当事人"], [*row("CG-1"), "王五、赵六；某某物业有限公司"]]

    outcome = run_import(director, "cases", rows)

    assert outcome.applied, outcome.errors
    case = Case.objects.get(original_number="CG-1")
    third = case.parties.filter(role=Party.Role.THIRD_PARTY).order_by("id").values_list("name", flat=True)
    assert list(third) == ["王五", "赵六", "某某物业有限公司"]
    assert case.parties.count() == 5


def test_too_many_or_too_long_further_parties_are_row_errors(tree, director):
    crowd = "、".join(f"当事人{n}" for n in range(21))
    rows = [[*HEADERS, "其他当事人"], [*row("CG-1"), crowd], [*row("CG-2"), "某" * 101]]

    outcome = run_import(director, "cases", rows)

    assert not outcome.applied and not Case.objects.exists()
    found = messages(outcome)
    assert found[(2, "其他当事人")] == "At most 20 further parties."
    assert found[(3, "其他当事人")] == "A name has at most 100 characters."
