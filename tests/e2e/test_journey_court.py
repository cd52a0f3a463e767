"""The court staff's journey (诉调对接): transfer one pre-litigation case on the form, import a file of
ten, and later see one come back failed and one judicially confirmed.

Between the court's steps the township does its part on its own pages: the mediator records one
mediation that failed and one that reached agreement, the township's clerk returns the failed one
to the court."""

import re

import pytest
from openpyxl import Workbook
from playwright.sync_api import expect

from cases.imports import COLUMNS
from cases.models import Handoff
from govcenter.models import Role
from mediation import services as mediation_services
from tests.e2e.a11y import assert_accessible_basics, assert_no_chinese_in_the_interface, switch_language
from tests.e2e.conftest import shoot
from tests.e2e.world import committee_with_mediator
from tests.fixtures_cases import valid_id

pytestmark = pytest.mark.django_db(transaction=True)

TOWNSHIP = "620102001"
SURNAMES = "赵钱孙李周吴郑王冯陈"


def court_ref(serial: int) -> str:
    return f"(2026)甘0102民诉前调{serial}号"


def transfer_rows(first_serial: int, count: int = 10) -> list[list[str]]:
    """Rows in the template's column order: loans between two named people, to the township."""
    rows = []
    for n in range(count):
        serial = first_serial + n
        applicant, respondent = f"{SURNAMES[n]}建国", f"{SURNAMES[n]}小红"
        rows.append(
            [
                court_ref(serial),
                TOWNSHIP,
                "d-contract--loan",
                f"民间借贷纠纷{serial}",
                f"{respondent}向{applicant}借款逾期未还。",
                "判令被告归还借款",
                str(10000 + n * 1000),
                applicant,
                valid_id(serial),
                f"1391234{serial:04d}",
                respondent,
                "",
                "",
                "30",
            ]
        )
    return rows


def workbook_file(path, rows) -> str:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append([header for header, _key in COLUMNS])
    for row in rows:
        sheet.append(row)
    workbook.save(path)
    return str(path)


@pytest.fixture
def court_clerk(member_at, with_password):
    return with_password(member_at("parent", Role.COURT, username="court_e2e", first_name="高立案"))


@pytest.fixture
def township_clerk(member_at, with_password):
    return with_password(member_at("own", Role.CLERK, username="township_e2e", first_name="李受理"))


@pytest.fixture
def mediator(tree, with_password):
    _org, mediator = committee_with_mediator(tree[TOWNSHIP], username="mediator_court_e2e", name="杨秀英")
    with_password(mediator.user)
    return mediator


@pytest.fixture
def other_person(browser, browser_context_args, sign_in):
    """A second person at another desk: a browser context of their own, logged in."""
    contexts = []

    def open_as(user):
        context = browser.new_context(**browser_context_args)
        context.set_default_timeout(15_000)
        contexts.append(context)
        return sign_in(context.new_page(), user)

    yield open_as
    for context in contexts:
        context.close()


def test_court_transfers_imports_and_sees_one_case_fail_and_one_confirmed(
    page, live_server, sign_in, other_person, court_clerk, township_clerk, mediator, township_clerk_assigns, tmp_path
):
    sign_in(page, court_clerk)
    page.get_by_role("navigation", name="案件").get_by_role("link", name="三调对接").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("三调对接")

    # One case on the form; nothing was handed over yet, so the empty list offers that next step.
    page.locator("#handoff-table").get_by_role("link", name="移交诉前调解案件").click()
    page.get_by_label("诉前调解案号").fill(court_ref(100))
    page.get_by_label("接收中心").select_option(TOWNSHIP)
    page.get_by_label("类别").select_option("d-contract--loan")
    page.get_by_label("事由摘要").fill("房屋租赁押金纠纷")
    page.get_by_label("诉讼请求").fill("判令被告退还押金六千元")
    page.get_by_label("涉及金额（元）").fill("6000")
    page.get_by_role("group", name="申请人", exact=True).get_by_label("名称").fill("马文静")
    page.get_by_role("group", name=re.compile("^被申请人")).get_by_label("名称").fill("何志强")
    shoot(page, "court-01-transfer-form")
    assert_accessible_basics(page)
    page.get_by_role("button", name="移交", exact=True).click()
    expect(page.get_by_role("listitem").filter(has_text=court_ref(100))).to_contain_text("已移交至东岗街道")
    expect(page.locator(".page-head .tag")).to_have_text("已移交")
    shoot(page, "court-02-transferred")
    assert_accessible_basics(page)

    # Ten more from a file: a wrong center code is listed by row, nothing is imported, the corrected file goes in.
    page.get_by_role("link", name="三调对接").first.click()
    page.get_by_role("link", name="批量导入文件").click()
    # Checking a file takes a while: once sent, the form says it is working and refuses a second
    # click (here the sending itself is held back by a listener of the test's, to see that state).
    page.get_by_label(re.compile("^文件")).set_input_files(workbook_file(tmp_path / "held.xlsx", transfer_rows(101)))
    page.evaluate("document.addEventListener('submit', (event) => event.preventDefault())")
    page.get_by_role("button", name="检查并导入").click()
    form = page.locator("form[data-busy]")
    expect(form).to_have_attribute("aria-busy", "true")
    expect(form.get_by_role("status")).not_to_be_empty()
    page.reload()

    rows = transfer_rows(101)
    rows[3][1] = "999999"
    page.get_by_label(re.compile("^文件")).set_input_files(workbook_file(tmp_path / "bad.xlsx", rows))
    page.get_by_role("button", name="检查并导入").click()
    problems = page.get_by_role("table", name="文件中的问题")
    expect(problems.get_by_role("row")).to_have_count(2)
    expect(problems.get_by_role("row").nth(1)).to_contain_text("5")
    expect(problems).to_contain_text("接收中心区划代码")
    assert Handoff.objects.count() == 1
    shoot(page, "court-03-import-refused")
    assert_accessible_basics(page)

    rows = transfer_rows(101)
    page.get_by_label(re.compile("^文件")).set_input_files(workbook_file(tmp_path / "transfers.xlsx", rows))
    page.get_by_role("button", name="检查并导入").click()
    expect(page.get_by_role("listitem").filter(has_text="已移交 10 件诉前调解案件")).to_be_visible()
    expect(page.get_by_text("共 11 件移交事项")).to_be_visible()
    shoot(page, "court-04-imported")
    assert_accessible_basics(page)

    # The township's part, on its own pages.
    failing, agreeing = (Handoff.objects.get(external_ref=court_ref(serial)) for serial in (101, 102))
    township_clerk_assigns(cases=[failing.case, agreeing.case])
    desk = other_person(mediator.user)
    desk.get_by_role("link", name="调解工作台").click()
    log_session(desk, failing.case.number, outcome="^未达成协议", notes="被申请人否认借款，双方分歧较大。")
    desk.get_by_role("link", name="调解工作台").click()
    log_session(desk, agreeing.case.number, outcome="^达成协议", notes="被申请人同意分两期归还借款。")

    center = other_person(township_clerk)
    center.goto(f"{live_server.url}/handoffs/{failing.pk}/")
    center.locator("summary", has_text="退回移交方").click()
    # Sent without a reason: the form comes back open, the error at the reason, nothing returned.
    center.get_by_role("button", name="退回移交方").click()
    expect(center.get_by_label("退回理由")).to_have_attribute("aria-invalid", "true")
    expect(center.locator("#hand-back-reason-error")).not_to_be_empty()
    expect(center.locator(".page-head .tag")).not_to_have_text("已退回")
    center.get_by_label("退回理由").fill("调解不成，双方分歧较大，退回法院依法处理。")
    center.get_by_role("button", name="退回移交方").click()
    expect(center.locator(".page-head .tag")).to_have_text("已退回")
    shoot(center, "court-05-returned-by-the-center")
    assert_accessible_basics(center)

    # Back at the court: confirm the agreement, then see both on the list.
    page.goto(f"{live_server.url}/handoffs/?source=court")
    page.get_by_role("link", name=court_ref(102)).click()
    confirmation = page.locator("details", has=page.locator("summary", has_text="登记司法确认情况"))
    confirmation.get_by_label("司法确认").select_option(label="已确认")
    shoot(page, "court-06-confirmation")
    assert_accessible_basics(page)
    confirmation.get_by_role("button", name="登记司法确认情况").click()
    expect(page.get_by_role("definition").filter(has_text="已确认")).to_be_visible()

    page.get_by_role("navigation", name="案件").get_by_role("link", name="三调对接").click()
    court_figures = page.locator("section", has=page.get_by_role("heading", name="法院"))
    expect(court_figures.locator(".stat", has_text="退回法院")).to_contain_text("1")
    expect(court_figures.locator(".stat", has_text="已司法确认")).to_contain_text("1")
    page.get_by_role("link", name=re.compile("已退回待立案")).click()
    came_back = page.locator("#handoff-table")
    expect(came_back.get_by_role("link", name=court_ref(101))).to_be_visible()
    expect(came_back.get_by_role("row")).to_have_count(2)
    shoot(page, "court-07-came-back")
    assert_accessible_basics(page)
    switch_language(page, "英语")
    expect(page.get_by_role("link", name=re.compile("Came back, awaiting filing"))).to_be_visible()
    assert_no_chinese_in_the_interface(page)
    shoot(page, "court-08-in-english")

    failing.refresh_from_db()
    agreeing.refresh_from_db()
    assert Handoff.objects.filter(source=Handoff.Source.COURT, sent_by=court_clerk).count() == 11
    assert failing.status == Handoff.State.RETURNED and failing.case.status == "handed_back"
    assert agreeing.confirmation == Handoff.Confirmation.CONFIRMED
    assert agreeing.case.status == "resolved"


def log_session(desk, case_number: str, *, outcome: str, notes: str) -> None:
    """The mediator records one session of the case from the desk."""
    row = desk.get_by_role("row", name=re.compile(re.escape(case_number)))
    row.get_by_role("link", name="登记调解记录").click()
    desk.get_by_label("调解地点").fill("东岗街道诉前调解工作室")
    desk.get_by_label("到场人员").fill("双方当事人")
    desk.get_by_label("调解经过").fill(notes)
    desk.get_by_role("radio", name=re.compile(outcome)).check()
    desk.get_by_role("button", name="登记调解记录").click()
    expect(desk.locator(".page-head .tag")).not_to_have_text("调解中")


@pytest.fixture
def township_clerk_assigns(township_clerk, mediator):
    """The township's clerk has put the court's cases in mediation with the mediator (the world the
    mediator comes to; assigning is the clerk's journey, not the court's)."""

    def assign(*, cases):
        for case in cases:
            mediation_services.assign(actor=township_clerk, case=case, mediators=[mediator])

    return assign
