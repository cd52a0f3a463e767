"""The department officer's journey: find the case the center dispatched to the department, take it
(报到承接) and report the result back, on the pages."""

import re

import pytest
from playwright.sync_api import expect

from cases import services
from cases.models import Dispatch
from govcenter.models import Department, Membership, Role
from tests.e2e.a11y import assert_accessible_basics, assert_no_chinese_in_the_interface, switch_language
from tests.e2e.conftest import shoot
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def justice_office(tree):
    return Department.objects.get(center_code="620102001", name="东岗街道司法所")


@pytest.fixture
def officer(tree, justice_office, with_password):
    user = UserFactory(username="officer_e2e", first_name="周承办")
    Membership.objects.create(
        user=user, center=tree["620102001"], center_code="620102001", role=Role.DEPARTMENT, department=justice_office
    )
    return with_password(user)


@pytest.fixture
def dispatched_case(make_case, clerk, category, justice_office):
    """The case as the officer finds it: recorded, classified and dispatched by the township's clerk."""
    case = make_case(title="小区排水管堵塞污水外溢")
    case = services.case_classify(actor=clerk, case=case, category=category)
    return services.case_dispatch(
        actor=clerk, case=case, departments=[justice_office], instructions="请尽快组织疏通并回复。"
    )


def test_department_officer_accepts_a_dispatch_and_reports_the_result(
    page, live_server, sign_in, officer, dispatched_case
):
    sign_in(page, officer)
    work = page.get_by_role("region", name="今日工作")
    open_cases = work.get_by_role("link", name=re.compile("在办案件"))
    expect(open_cases).to_contain_text("1")
    shoot(page, "department-01-home")
    assert_accessible_basics(page)
    open_cases.click()

    page.get_by_role("link", name=dispatched_case.number).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("小区排水管堵塞污水外溢")
    actions = page.locator("section.actions")
    # The officer may take or decline the case; the center's own steps are not offered.
    expect(actions.locator("summary")).to_have_text(["报到承接", "不予承接"])
    shoot(page, "department-02-dispatched-case")
    assert_accessible_basics(page)

    actions.locator("summary", has_text="报到承接").click()
    actions.get_by_role("button", name="报到承接").click()
    expect(page.locator(".page-head .tag")).to_have_text("部门已承接")
    dispatches = page.locator("section", has=page.get_by_role("heading", name="派单情况"))
    expect(dispatches.get_by_role("row", name="东岗街道司法所")).to_contain_text("已承接")

    actions.locator("summary", has_text="报告进展").click()
    actions.get_by_label("办理情况").fill("已上门疏通排水管，污水外溢已停止，双方认可。")
    actions.get_by_label("此为最终办理结果").check()
    shoot(page, "department-03-report")
    assert_accessible_basics(page)
    actions.get_by_role("button", name="报告进展").click()

    expect(page.get_by_role("listitem").filter(has_text="已完成")).to_be_visible()
    expect(dispatches).to_contain_text("已上门疏通排水管")
    expect(dispatches.get_by_role("row", name="东岗街道司法所")).to_contain_text("已报告办理结果")
    shoot(page, "department-04-reported")
    assert_accessible_basics(page)

    # The same page in English, the second language: every word of the interface translated.
    switch_language(page, "英语")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator(".page-head .tag")).to_have_text("Accepted by a department")
    dispatches = page.locator("section", has=page.get_by_role("heading", name="Dispatches"))
    expect(dispatches.get_by_role("row", name="东岗街道司法所")).to_contain_text("Result reported")
    assert_no_chinese_in_the_interface(page)
    shoot(page, "department-05-in-english")

    dispatch = Dispatch.objects.get(case=dispatched_case)
    assert dispatch.status == Dispatch.State.DONE
    assert dispatch.result == "已上门疏通排水管，污水外溢已停止，双方认可。"
    assert dispatch.answered_by == officer
    dispatched_case.refresh_from_db()
    assert dispatched_case.status == "accepted"
