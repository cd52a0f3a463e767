"""The mediator's journey: open my cases on the mediation desk, log a session that reaches an
agreement, draft the 人民调解协议书 with a term, and print it: the PDF opens and names the parties."""

import io
import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect
from pypdf import PdfReader

from cases.models import Case
from govcenter.models import IssuedDocument
from mediation import services as mediation_services
from mediation.models import Agreement, MediationSession
from tests.e2e.a11y import assert_accessible_basics, assert_no_chinese_in_the_interface, switch_language
from tests.e2e.conftest import shoot
from tests.e2e.world import case_with_parties, committee_with_mediator

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def roster(tree):
    return committee_with_mediator(tree["620102001"], username="mediator_e2e", name="杨秀英")


@pytest.fixture
def mediator_user(roster, with_password):
    return with_password(roster[1].user)


@pytest.fixture
def assigned_case(clerk, category, roster):
    """A neighbours' dispute the township's clerk put in mediation with the mediator."""
    case = case_with_parties(
        actor=clerk, title="相邻排水纠纷", applicant="王大山", respondent="赵小河", category=category
    )
    mediation_services.assign(actor=clerk, case=case, mediators=[roster[1]])
    return Case.objects.get(pk=case.pk)


def test_mediator_logs_a_session_drafts_and_prints_the_agreement(
    page, live_server, sign_in, mediator_user, assigned_case
):
    sign_in(page, mediator_user)
    page.get_by_role("navigation", name="案件").get_by_role("link", name="调解工作台").click()
    my_cases = page.locator("section", has=page.get_by_role("heading", name=re.compile("^我的案件")))
    row = my_cases.get_by_role("row", name=re.compile(assigned_case.number))
    expect(row).to_contain_text("相邻排水纠纷")
    expect(row).to_contain_text("调解中")
    shoot(page, "mediator-01-desk")
    assert_accessible_basics(page)

    row.get_by_role("link", name="登记调解记录").click()
    expect(page.get_by_label("杨秀英", exact=False)).to_be_checked()
    page.get_by_label("调解地点").fill("东岗街道人民调解室")
    page.get_by_label("到场人员").fill("申请人王大山，被申请人赵小河")
    page.get_by_label("调解经过").fill("双方陈述事实，经调解员释法说理，被申请人同意修复排水管并赔偿损失。")
    page.get_by_role("radio", name=re.compile("^达成协议")).check()
    shoot(page, "mediator-02-session")
    assert_accessible_basics(page)
    page.get_by_role("button", name="登记调解记录").click()

    expect(page.get_by_role("listitem").filter(has_text="起草调解协议")).to_be_visible()
    expect(page.locator(".page-head .tag")).to_have_text("已办结")
    page.get_by_role("link", name="起草或查看调解协议").click()

    expect(page.get_by_label("纠纷主要事实")).to_have_value(re.compile("王大山与赵小河"))
    first_term = page.get_by_role("group", name="第1条")
    first_term.get_by_label("协议内容").fill("赵小河于十日内修复排水管，并赔偿王大山装修损失。")
    first_term.get_by_label("履行期限").fill((timezone.localdate() + timedelta(days=10)).isoformat())
    first_term.get_by_label("金额（元）").fill("3000")
    shoot(page, "mediator-03-agreement-form")
    assert_accessible_basics(page)
    page.get_by_role("button", name="起草调解协议").click()

    expect(page.get_by_role("heading", level=1)).to_contain_text("人民调解协议书")
    parties = page.get_by_role("table").filter(has_text="王大山")
    expect(parties).to_contain_text("赵小河")
    expect(page.locator("#terms")).to_contain_text("叁仟元整")
    shoot(page, "mediator-04-agreement")
    assert_accessible_basics(page)

    print_link = page.get_by_role("link", name="打印 PDF")
    expect(print_link).to_have_attribute("target", "_blank")
    response = page.request.get(live_server.url + print_link.get_attribute("href"))
    assert response.status == 200
    assert response.headers["content-type"] == "application/pdf"
    pdf = response.body()
    assert pdf.startswith(b"%PDF")
    text = "".join(page_.extract_text() for page_ in PdfReader(io.BytesIO(pdf)).pages)
    assert "人民调解协议书" in text
    assert "王大山" in text and "赵小河" in text

    switch_language(page, "英语")
    expect(page.get_by_role("heading", level=1)).to_contain_text("People's mediation agreement")
    assert_no_chinese_in_the_interface(page)
    page.get_by_role("link", name="Mediation desk").click()
    assert_no_chinese_in_the_interface(page)
    shoot(page, "mediator-05-desk-in-english")

    session = MediationSession.objects.get(case=assigned_case)
    assert session.outcome == MediationSession.Outcome.AGREED
    agreement = Agreement.objects.get(case=assigned_case)
    assert agreement.status == Agreement.State.DRAFT
    assert [(t.position, t.amount) for t in agreement.terms.all()] == [(1, 3000)]
    assert IssuedDocument.objects.filter(kind=IssuedDocument.Kind.AGREEMENT, reference=agreement.number).exists()
    assigned_case.refresh_from_db()
    assert assigned_case.status == "resolved"
