"""The intake clerk's journey: log in, record a walk-in dispute with two parties, classify it and
dispatch it to a department, all on the pages, in Chinese."""

import re

import pytest
from playwright.sync_api import expect

from cases.models import Case, Dispatch, Party
from govcenter.models import Department, Role
from tests.e2e.a11y import assert_accessible_basics
from tests.e2e.conftest import shoot
from tests.fixtures_cases import ID_APPLICANT

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def clerk_at_township(member_at, with_password):
    return with_password(member_at("own", Role.CLERK, username="clerk_e2e", first_name="李受理"))


def test_clerk_records_classifies_and_dispatches_a_walk_in_dispute(page, live_server, sign_in, clerk_at_township):
    sign_in(page, clerk_at_township)
    page.get_by_role("navigation", name="案件").get_by_role("link", name="登记案件").click()
    expect(page.get_by_role("heading", name="登记案件")).to_be_visible()

    # Keyboard: the first Tab offers to skip the top bar, and the form's fields follow in reading order.
    page.keyboard.press("Tab")
    expect(page.locator("a.skip-link")).to_be_focused()
    expect(page.locator("a.skip-link")).to_be_in_viewport()
    page.keyboard.press("Enter")
    page.keyboard.press("Tab")
    expect(page.get_by_label("综治中心")).to_be_focused()
    for label in ("类型", "来源渠道", "类别", "事由摘要", "事实经过", "发生地点"):
        page.keyboard.press("Tab")
        expect(page.get_by_label(re.compile(f"^{label}( \\*)?$"))).to_be_focused()

    # A first try without the summary: the error stands next to the field, the typed data stays.
    applicant = page.get_by_role("group", name="申请人", exact=True)
    applicant.get_by_label("名称").fill("王大山")
    page.get_by_role("button", name="登记案件").click()
    summary_field = page.locator(".field.has-error", has=page.get_by_label("事由摘要"))
    expect(summary_field).to_contain_text("此项为必填项")
    expect(page.get_by_label("事由摘要")).to_have_attribute("aria-invalid", "true")
    expect(applicant.get_by_label("名称")).to_have_value("王大山")
    shoot(page, "clerk-01-intake-errors")
    assert_accessible_basics(page)

    expect(page.get_by_label("综治中心")).to_have_value("620102001")
    expect(page.get_by_label("渠道")).to_have_value("walk_in")
    page.get_by_label("事由摘要").fill("楼上漏水损坏楼下装修")
    page.get_by_label("事实经过").fill("三楼卫生间漏水，二楼天花板受损，双方协商未果。")
    page.get_by_label("发生地点").fill("东岗街道幸福小区3号楼")
    applicant.get_by_label("身份证号码").fill(ID_APPLICANT)
    applicant.get_by_label("联系电话").fill("13912345678")
    respondent = page.get_by_role("group", name=re.compile("^被申请人"))
    respondent.get_by_label("名称").fill("赵小河")
    respondent.get_by_label("联系电话").fill("13800001111")
    shoot(page, "clerk-02-intake-filled")
    assert_accessible_basics(page)
    page.get_by_role("button", name="登记案件").click()

    expect(page.get_by_role("heading", level=1)).to_contain_text("楼上漏水损坏楼下装修")
    expect(page.get_by_role("listitem").filter(has_text="已登记")).to_contain_text("回执码")
    expect(page.locator(".page-head .tag")).to_have_text("已受理")
    parties = page.get_by_role("table").filter(has_text="身份证号码")
    expect(parties).to_contain_text("王大山")
    expect(parties).to_contain_text("赵小河")
    shoot(page, "clerk-03-case-recorded")
    assert_accessible_basics(page)

    # Classify: the form unfolds from "what you can do".
    actions = page.get_by_role("complementary").locator("section.actions")
    actions.locator("summary", has_text="分类").click()
    actions.get_by_label("类别").select_option(label="排水")
    actions.get_by_role("button", name="分类").click()
    expect(page.locator(".page-head .tag")).to_have_text("已分类")
    expect(page.get_by_role("definition").filter(has_text="排水")).to_be_visible()

    # Dispatch to the township's justice office; sent first without one, the form stays open with
    # the error at the departments and the instructions kept.
    actions.locator("summary", has_text="派单至职能部门").click()
    actions.get_by_label("派单要求").fill("请三日内上门查看漏水点并组织双方协商。")
    actions.get_by_role("button", name="派单至职能部门").click()
    departments = actions.get_by_role("group", name="职能部门")
    expect(departments).to_have_attribute("aria-invalid", "true")
    expect(actions.locator("#dispatch-departments-error")).to_contain_text("请至少选择一个")
    expect(actions.get_by_label("派单要求")).to_have_value("请三日内上门查看漏水点并组织双方协商。")
    expect(page.locator(".page-head .tag")).to_have_text("已分类")
    departments.get_by_label(re.compile("东岗街道司法所")).check()
    shoot(page, "clerk-04-dispatch-form")
    assert_accessible_basics(page)
    actions.get_by_role("button", name="派单至职能部门").click()

    expect(page.locator(".page-head .tag")).to_have_text("已派单")
    dispatches = page.locator("section", has=page.get_by_role("heading", name="派单情况"))
    expect(dispatches).to_contain_text("东岗街道司法所")
    expect(dispatches).to_contain_text("请三日内上门查看漏水点")
    shoot(page, "clerk-05-dispatched")
    assert_accessible_basics(page)

    case = Case.objects.get(title="楼上漏水损坏楼下装修")
    assert case.status == "dispatched"
    assert case.channel == "walk_in" and case.kind == "dispute"
    assert case.category.code == "d-neighbour--drainage"
    assert sorted(case.parties.values_list("role", "name")) == [
        (Party.Role.APPLICANT, "王大山"),
        (Party.Role.RESPONDENT, "赵小河"),
    ]
    dispatch = Dispatch.objects.get(case=case)
    assert dispatch.department == Department.objects.get(name="东岗街道司法所")
    assert dispatch.status == Dispatch.State.PENDING
