"""The police liaison's and the petition officer's journeys (警调 and 访调 对接): push a 110 dispute
alert to the township center (a repeated alert about the same people joins the open case), and
route a petition by its category to the responsible department."""

import re

import pytest
from playwright.sync_api import expect

from cases.models import Case, Dispatch, Handoff
from govcenter.models import Department, Role
from tests.e2e.a11y import assert_accessible_basics
from tests.e2e.conftest import shoot
from tests.fixtures_cases import ID_APPLICANT

pytestmark = pytest.mark.django_db(transaction=True)

TOWNSHIP = "620102001"


@pytest.fixture
def police_liaison(member_at, with_password):
    return with_password(member_at("own", Role.POLICE, username="police_e2e", first_name="马警官"))


@pytest.fixture
def petition_officer(member_at, with_password):
    return with_password(member_at("parent", Role.PETITION, username="petition_e2e", first_name="冯信访"))


@pytest.fixture
def housing_bureau(tree):
    return Department.objects.create(
        center=tree["620102"], center_code="620102", name="城关区住房和城乡建设局", kind=Department.Kind.HOUSING
    )


def push_alert(page, *, number: str, summary: str, found: str) -> None:
    """Fill the alert form for the same two neighbours and push it."""
    page.get_by_label("警情编号").fill(number)
    page.get_by_label("接收中心").select_option(TOWNSHIP)
    page.get_by_label("发生地点").fill("东岗街道幸福小区3号楼")
    page.get_by_label("警情摘要").fill(summary)
    page.get_by_label("出警处置情况").fill(found)
    applicant = page.get_by_role("group", name="申请人", exact=True)
    applicant.get_by_label("名称").fill("王大山")
    applicant.get_by_label("身份证号码").fill(ID_APPLICANT)
    page.get_by_role("group", name=re.compile("^被申请人")).get_by_label("名称").fill("赵小河")
    page.get_by_role("button", name="移交", exact=True).click()


def test_police_liaison_pushes_an_alert_and_a_repeat_joins_the_open_case(page, live_server, sign_in, police_liaison):
    sign_in(page, police_liaison)
    page.get_by_role("navigation", name="案件").get_by_role("link", name="三调对接").click()
    page.get_by_role("link", name="推送110纠纷类警情").first.click()
    expect(page.get_by_label("报警时间")).not_to_have_value("")
    push_alert(page, number="JQ20261201001", summary="邻居因噪音发生口角报警", found="民警到场劝离，双方情绪激动。")

    message = page.get_by_role("listitem").filter(has_text="JQ20261201001")
    expect(message).to_contain_text("已移交至东岗街道")
    expect(page.locator(".page-head .tag")).to_have_text("已移交")
    first_case = Case.objects.get(handoffs__external_ref="JQ20261201001")
    expect(page.get_by_role("link", name=first_case.number)).to_be_visible()
    shoot(page, "police-01-alert-pushed")
    assert_accessible_basics(page)

    page.get_by_role("navigation", name="案件").get_by_role("link", name="三调对接").click()
    page.get_by_role("link", name="推送110纠纷类警情").first.click()
    push_alert(page, number="JQ20261203002", summary="同一对邻居再次因噪音报警", found="双方再次争吵，民警调解无果。")
    expect(page.get_by_role("listitem").filter(has_text="JQ20261203002")).to_contain_text(
        f"合并至相同当事人的未结案件 {first_case.number}"
    )
    shoot(page, "police-02-repeat-joined")
    assert_accessible_basics(page)

    page.get_by_role("navigation", name="案件").get_by_role("link", name="三调对接").click()
    police_figures = page.locator("section", has=page.get_by_role("heading", name="公安机关"))
    expect(police_figures.locator(".stat", has_text="推送警情")).to_contain_text("2")
    # Both alerts count as repeated: they belong to a case the police reported more than once.
    expect(police_figures.locator(".stat", has_text="重复警情")).to_contain_text("2")
    shoot(page, "police-03-list")
    assert_accessible_basics(page)

    assert Handoff.objects.filter(source=Handoff.Source.POLICE, sent_by=police_liaison).count() == 2
    first_case.refresh_from_db()
    assert first_case.report_count == 2 and first_case.channel == "police"
    assert Case.objects.count() == 1


def test_petition_officer_routes_an_appeal_to_the_responsible_department(
    page, live_server, sign_in, petition_officer, housing_bureau
):
    sign_in(page, petition_officer)
    page.get_by_role("navigation", name="案件").get_by_role("link", name="三调对接").click()
    page.get_by_role("link", name="分流信访件").first.click()

    page.get_by_label("信访件编号").fill("XF2026120100017")
    page.get_by_label("接收中心").select_option(TOWNSHIP)
    page.get_by_role("radio", name="申诉求决").check()
    expect(page.get_by_role("radio", name="申诉求决")).to_be_checked()
    departments = page.get_by_label("责任部门")
    # The departments follow the chosen center (loaded in place): the township's and those above it.
    expect(departments.locator("option", has_text="东岗街道司法所")).to_have_count(1)
    departments.select_option(label="城关区住房和城乡建设局")
    page.get_by_label("事由摘要").fill("反映小区物业维修基金使用不公开")
    page.get_by_role("group", name="申请人", exact=True).get_by_label("名称").fill("陈秀兰")
    page.get_by_role("group", name="申请人", exact=True).get_by_label("联系电话").fill("13700001234")
    page.get_by_role("button", name="移交", exact=True).click()

    # An appeal is dispatched, so it must say what it is about: the error stands at the category.
    shoot(page, "petition-01-category-missing")
    assert_accessible_basics(page)
    category_field = page.locator(".field.has-error", has=page.get_by_label("类别", exact=True))
    expect(category_field).to_contain_text("反映事项的类别")
    expect(page.get_by_label("事由摘要")).to_have_value("反映小区物业维修基金使用不公开")
    expect(page.get_by_label("责任部门")).to_have_value(str(housing_bureau.pk))

    page.get_by_label("类别", exact=True).select_option(label="物业服务")
    shoot(page, "petition-02-form")
    assert_accessible_basics(page)
    page.get_by_role("button", name="移交", exact=True).click()

    expect(page.get_by_role("listitem").filter(has_text="XF2026120100017")).to_contain_text("已移交至东岗街道")
    expect(page.get_by_role("definition").filter(has_text="申诉求决")).to_be_visible()
    shoot(page, "petition-03-routed")
    assert_accessible_basics(page)
    case = Case.objects.get(handoffs__external_ref="XF2026120100017")
    page.get_by_role("link", name=case.number).click()
    expect(page.locator(".page-head .tag")).to_have_text("已派单")
    dispatches = page.locator("section", has=page.get_by_role("heading", name="派单情况"))
    expect(dispatches).to_contain_text("城关区住房和城乡建设局")
    shoot(page, "petition-04-case-dispatched")
    assert_accessible_basics(page)

    handoff = Handoff.objects.get(external_ref="XF2026120100017")
    assert handoff.petition_category == Handoff.PetitionCategory.APPEAL
    assert handoff.sent_by == petition_officer
    assert case.status == "dispatched" and case.is_petition_related
    assert list(Dispatch.objects.filter(case=case).values_list("department", flat=True)) == [housing_bureau.pk]
