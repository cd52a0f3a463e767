"""The hand-off pages (三调对接) as their users meet them: a court clerk transfers a case, imports a
file and follows the case back; a police liaison pushes an alert; a petition officer routes a
petition; the center's clerk receives, accepts and returns; nobody else sees any of it."""

import csv
import io
from datetime import timedelta
from urllib.parse import unquote

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from openpyxl import load_workbook

from cases import services
from cases.models import Case, Category, DiversionRule, Handoff, Status
from govcenter.models import Center, Department, Role
from tests.fixtures_cases import ID_APPLICANT, valid_id

COURT_REF = "(2026)甘0102民诉前调123号"


@pytest.fixture
def login(client):
    """Log a user in; the pages speak English so the assertions hold with or without the catalog."""

    def as_user(user):
        client.force_login(user)
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
        return client

    return as_user


@pytest.fixture
def court(member_at):
    return member_at("parent", Role.COURT, username="court_page")


@pytest.fixture
def police(member_at):
    return member_at("own", Role.POLICE, username="police_page")


@pytest.fixture
def petition(member_at):
    return member_at("parent", Role.PETITION, username="petition_page")


@pytest.fixture
def housing(tree):
    return Department.objects.create(
        center=tree["620102"], center_code="620102", name="城关区住建局", kind=Department.Kind.HOUSING
    )


def court_form(**overrides) -> dict:
    data = {
        "external_ref": COURT_REF,
        "center": "620102001",
        "sender_name": "城关区人民法院",
        "category": "d-contract--loan",
        "title": "民间借贷纠纷",
        "facts": "借款五万元逾期未还。",
        "claim": "判令被告归还借款五万元",
        "amount": "50000",
        "due_days": "30",
        "applicant-party_kind": "person",
        "applicant-name": "王大山",
        "applicant-id_number": ID_APPLICANT,
        "applicant-phone": "13912345678",
        "respondent-party_kind": "person",
        "respondent-name": "赵小河",
        "third_party-party_kind": "person",
    }
    data.update(overrides)
    return data


def send_court_case(court, n=123, center="620102001") -> Handoff:
    """A court transfer made through the service, as the form or the API would."""
    data = services.HandoffInput(
        source="court",
        external_ref=f"(2026)甘0102民诉前调{n}号",
        center=Center.objects.get(code=center),
        claim="归还借款",
        case=services.CaseInput(
            kind="dispute",
            channel="court",
            title=f"借款纠纷{n}",
            parties=[services.PartyInput(role="applicant", name=f"申请人{n}", id_number=valid_id(n))],
        ),
    )
    return services.handoff_send(actor=court, data=data)


def messages_of(response) -> list[str]:
    return [str(m) for m in response.context["messages"]] if response.context else []


# --- The court's form -----------------------------------------------------------------------------


def test_court_form_sends_the_case_and_lands_on_the_handoff_with_its_case_number(login, court, tree):
    client = login(court)
    page = client.get("/handoffs/new/court/")
    assert page.status_code == 200
    body = page.content.decode()
    assert COURT_REF in body  # the format hint
    assert 'value="620102001"' in body and 'value="620201001"' not in body  # only the court's county

    response = client.post("/handoffs/new/court/", court_form())
    handoff = Handoff.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/handoffs/{handoff.pk}/"
    landed = client.get(response["Location"])
    assert handoff.case.number in landed.content.decode()
    assert (handoff.source, handoff.center_code, handoff.sent_by) == ("court", "620102001", court)
    assert handoff.case.channel == "court" and handoff.claim == "判令被告归还借款五万元"
    assert any(handoff.case.number in m for m in messages_of(landed))


def test_a_bad_court_reference_keeps_what_was_typed_and_says_why(login, court, tree):
    response = login(court).post("/handoffs/new/court/", court_form(external_ref="(2026)甘0102民初123号"))
    assert response.status_code == 200
    body = response.content.decode()
    assert "is not a pre-litigation case number" in body
    assert response.context["form"].errors["external_ref"]
    for typed in ("民间借贷纠纷", "借款五万元逾期未还。", "王大山", "赵小河", "(2026)甘0102民初123号"):
        assert typed in body
    assert Handoff.objects.count() == 0 and Case.objects.count() == 0


def test_a_reference_handed_over_twice_is_refused_on_the_field(login, court, tree):
    client = login(court)
    client.post("/handoffs/new/court/", court_form())
    again = client.post("/handoffs/new/court/", court_form(**{"applicant-id_number": ""}))
    assert again.status_code == 200 and "has already been handed over" in again.content.decode()
    assert Handoff.objects.count() == 1


def test_a_bad_identity_number_is_shown_with_the_parties(login, court, tree):
    response = login(court).post("/handoffs/new/court/", court_form(**{"applicant-id_number": "110105194912310021"}))
    assert response.status_code == 200 and response.context["party_errors"]
    assert Handoff.objects.count() == 0


def test_the_diversion_hint_appears_for_a_catalog_category(login, court, tree):
    loan = Category.objects.get(code="d-contract--loan")
    DiversionRule.objects.create(court_code="620102", category=loan.parent)  # the whole type is listed
    client = login(court)
    hint = client.get("/handoffs/new/court/hint/", {"category": "d-contract--loan"}, HTTP_HX_REQUEST="true")
    assert "diversion catalog" in hint.content.decode()
    other = client.get("/handoffs/new/court/hint/", {"category": "d-neighbour--drainage"}, HTTP_HX_REQUEST="true")
    assert "diversion catalog" not in other.content.decode()
    # Without JavaScript: the form comes back with the hint, nothing sent.
    checked = client.post("/handoffs/new/court/", court_form(check="1", keep_at_court="on"))
    assert checked.status_code == 200 and "diversion catalog" in checked.content.decode()
    assert Handoff.objects.count() == 0


def test_a_case_kept_at_the_court_is_recorded_without_a_case(login, court, tree):
    response = login(court).post("/handoffs/new/court/", court_form(keep_at_court="on"), follow=True)
    handoff = Handoff.objects.get()
    assert handoff.status == "kept" and handoff.case is None
    assert "kept at the court" in " ".join(messages_of(response))


# --- The court's file import ----------------------------------------------------------------------

HEADERS = ["案号", "接收中心区划代码", "案由类别代码", "事由摘要", "申请人姓名", "申请人身份证号", "被申请人姓名"]


def court_csv(rows) -> SimpleUploadedFile:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(HEADERS)
    writer.writerows(rows)
    return SimpleUploadedFile("委派.csv", buffer.getvalue().encode("utf-8-sig"), content_type="text/csv")


def import_row(n, **changes) -> list[str]:
    row = {
        "ref": f"(2026)甘0102民诉前调{n}号",
        "center": "620102001",
        "category": "d-contract--loan",
        "title": f"借款纠纷{n}",
        "name": f"申请人{n}",
        "id": valid_id(n),
        "respondent": "被申请人",
    }
    row.update(changes)
    return list(row.values())


def test_an_import_with_one_bad_row_lists_the_problems_and_imports_nothing(login, court, tree):
    rows = [import_row(n) for n in range(1, 6)]
    rows[2] = import_row(3, id="110105194912310021")  # a bad check digit, on spreadsheet row 4
    response = login(court).post("/handoffs/import/", {"file": court_csv(rows), "sender_name": "城关区人民法院"})
    assert response.status_code == 200
    body = response.content.decode()
    assert "was not imported" in body
    assert [(e.row, e.column) for e in response.context["row_errors"]] == [(4, "申请人身份证号")]
    assert "<td>4</td>" in body and "申请人身份证号" in body
    assert Handoff.objects.count() == 0 and Case.objects.count() == 0


def test_a_good_file_hands_every_row_over(login, court, tree):
    upload = court_csv([import_row(n) for n in range(1, 6)])
    response = login(court).post("/handoffs/import/", {"file": upload, "sender_name": "城关区人民法院"})
    assert response.status_code == 302 and response["Location"] == "/handoffs/?source=court"
    assert Handoff.objects.filter(source="court", sender_name="城关区人民法院").count() == 5
    listed = login(court).get(response["Location"])
    assert "5 pre-litigation cases were handed over." in messages_of(listed)
    assert listed.context["page"].paginator.count == 5


def test_a_file_of_another_kind_is_refused_on_the_field(login, court, tree):
    upload = SimpleUploadedFile("transfers.pdf", b"%PDF-1.4")
    response = login(court).post("/handoffs/import/", {"file": upload})
    assert response.status_code == 200 and response.context["form"].errors["file"]


def test_the_template_downloads_as_an_xlsx_with_a_chinese_name(login, court, tree):
    response = login(court).get("/handoffs/import/template/")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert "诉前调解委派" in unquote(response["Content-Disposition"])
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet["A1"].value == "案号"


def test_only_court_staff_import(login, clerk, police, tree):
    assert login(clerk).get("/handoffs/import/").status_code == 403
    assert login(police).get("/handoffs/import/template/").status_code == 403


# --- The center's side ----------------------------------------------------------------------------


def test_the_center_clerk_receives_and_accepts_through_the_page(login, court, clerk, tree):
    handoff = send_court_case(court)
    client = login(clerk)
    page = client.get(f"/handoffs/{handoff.pk}/")
    assert [a["verb"] for a in page.context["actions"]] == ["receive", "accept", "hand-back"]
    assert client.post(f"/handoffs/{handoff.pk}/do/receive/").status_code == 303
    assert [a["verb"] for a in client.get(f"/handoffs/{handoff.pk}/").context["actions"]] == ["accept", "hand-back"]
    response = client.post(f"/handoffs/{handoff.pk}/do/accept/", {"note": "已安排调解员"}, follow=True)
    handoff.refresh_from_db()
    assert handoff.status == "accepted"
    assert "Done: Accept the hand-off." in messages_of(response)
    assert "已安排调解员" in response.content.decode()


def test_a_return_without_a_reason_is_explained_at_the_reason_and_changes_nothing(login, court, clerk, tree):
    handoff = send_court_case(court)
    response = login(clerk).post(f"/handoffs/{handoff.pk}/do/hand-back/", {"reason": ""}, follow=True)
    assert response.status_code == 400
    html = response.content.decode()
    assert '<details class="verb" id="do-hand-back" open>' in html
    assert 'id="hand-back-reason" rows="2" required aria-invalid="true"' in html
    assert '<ul class="errorlist" id="hand-back-reason-error"><li>' in html
    handoff.refresh_from_db()
    assert handoff.status == "sent"


def test_an_extension_refused_for_its_days_keeps_the_reason(login, court, tree):
    handoff = send_court_case(court)
    response = login(court).post(f"/handoffs/{handoff.pk}/do/extend/", {"reason": "当事人申请延期", "days": "120"})
    assert response.status_code == 400
    html = response.content.decode()
    assert 'aria-describedby="extend-days-error"' in html
    assert ">当事人申请延期</textarea>" in html
    handoff.refresh_from_db()
    assert handoff.extended_at is None


def test_the_court_records_confirmation_after_the_center_resolved_the_case(login, court, clerk, tree):
    handoff = send_court_case(court)
    client = login(court)
    assert "confirmation" not in [a["verb"] for a in client.get(f"/handoffs/{handoff.pk}/").context["actions"]]
    early = client.post(f"/handoffs/{handoff.pk}/do/confirmation/", {"status": "requested"}, follow=True)
    assert any("no mediated agreement" in m for m in messages_of(early))

    case = Case.objects.get(pk=handoff.case_id)
    case = services.case_classify(actor=clerk, case=case, category=Category.objects.get(code="d-contract--loan"))
    services.case_resolve(actor=clerk, case=case, outcome="resolved", note="双方达成还款协议")

    page = client.get(f"/handoffs/{handoff.pk}/")
    assert "双方达成还款协议" in page.content.decode()  # the mediation record came back
    confirmation = next(a for a in page.context["actions"] if a["verb"] == "confirmation")
    assert [value for value, _label in confirmation["options"]] == ["requested", "confirmed", "refused"]
    client.post(f"/handoffs/{handoff.pk}/do/confirmation/", {"status": "requested"})
    client.post(f"/handoffs/{handoff.pk}/do/confirmation/", {"status": "confirmed", "note": "裁定确认有效"})
    handoff.refresh_from_db()
    assert handoff.confirmation == "confirmed"
    final = client.get(f"/handoffs/{handoff.pk}/")
    assert "confirmation" not in [a["verb"] for a in final.context["actions"]]
    assert "Judicially confirmed" in final.content.decode()


def test_the_court_files_a_returned_handoff(login, court, clerk, tree):
    handoff = send_court_case(court)
    login(clerk).post(f"/handoffs/{handoff.pk}/do/hand-back/", {"reason": "调解不成，退回法院"})
    handoff.refresh_from_db()
    assert handoff.status == "returned"

    client = login(court)
    listed = client.get("/handoffs/")
    assert listed.context["came_back"] == 1
    back = client.get("/handoffs/", {"source": "court", "status": "returned"})
    assert [h.pk for h in back.context["page"]] == [handoff.pk]
    page = client.get(f"/handoffs/{handoff.pk}/")
    assert "调解不成，退回法院" in page.content.decode()
    assert [a["verb"] for a in page.context["actions"]] == ["file"]
    client.post(f"/handoffs/{handoff.pk}/do/file/", {"filing_number": "(2026)甘0102民初456号"})
    handoff.refresh_from_db()
    assert (handoff.status, handoff.filing_number) == ("closed", "(2026)甘0102民初456号")
    assert client.get("/handoffs/").context["came_back"] == 0


def test_the_court_extends_its_time_limit_once(login, court, tree):
    handoff = send_court_case(court)
    client = login(court)
    client.post(f"/handoffs/{handoff.pk}/do/extend/", {"reason": "当事人申请延长", "days": "15"})
    handoff.refresh_from_db()
    assert handoff.extended_at is not None
    assert "extend" not in [a["verb"] for a in client.get(f"/handoffs/{handoff.pk}/").context["actions"]]


def test_a_sibling_clerk_finds_nothing(login, court, member_at, tree):
    handoff = send_court_case(court)
    client = login(member_at("sibling", Role.CLERK))
    assert client.get(f"/handoffs/{handoff.pk}/").status_code == 404
    assert client.post(f"/handoffs/{handoff.pk}/do/receive/").status_code == 404
    assert client.get("/handoffs/").context["page"].paginator.count == 0
    handoff.refresh_from_db()
    assert handoff.status == "sent"


def test_the_center_may_not_take_the_courts_steps(login, court, clerk, tree):
    handoff = send_court_case(court)
    response = login(clerk).post(f"/handoffs/{handoff.pk}/do/extend/", {"reason": "x"}, follow=True)
    assert any("Only the sender" in m for m in messages_of(response))


def test_unknown_verbs_and_gets_are_refused(login, court, clerk, tree):
    handoff = send_court_case(court)
    client = login(clerk)
    assert client.post(f"/handoffs/{handoff.pk}/do/explode/").status_code == 404
    assert client.get(f"/handoffs/{handoff.pk}/do/receive/").status_code == 405


# --- Police and petition office -------------------------------------------------------------------


def test_police_liaison_pushes_an_alert_and_the_center_takes_it_into_follow_up(login, police, clerk, tree):
    client = login(police)
    form = client.get("/handoffs/new/police/")
    assert form.status_code == 200
    assert form.context["form"]["alert_at"].value() is not None  # now, by default
    assert form.context["form"]["center"].value() == "620102001"  # the station's own township
    response = client.post(
        "/handoffs/new/police/",
        {
            "external_ref": "J6201022026110001",
            "alert_at": "2026-11-29T21:30",
            "center": "620102001",
            "place": "东岗社区3号楼下",
            "title": "邻里因停车发生口角",
            "applicant-party_kind": "person",
            "applicant-name": "李四",
            "applicant-phone": "13700001111",
            "respondent-party_kind": "person",
            "respondent-name": "张三",
            "third_party-party_kind": "person",
        },
    )
    handoff = Handoff.objects.get()
    assert response.status_code == 302
    assert timezone.localtime(handoff.alert_at).strftime("%Y-%m-%d %H:%M") == "2026-11-29 21:30"
    assert handoff.case.place == "东岗社区3号楼下" and handoff.case.channel == "police"
    page = login(clerk).get(f"/handoffs/{handoff.pk}/")
    assert "Take into long-term follow-up" in [str(a["label"]) for a in page.context["actions"]]


def test_police_may_not_open_the_court_form(login, police, tree):
    assert login(police).get("/handoffs/new/court/").status_code == 403
    assert login(police).get("/handoffs/new/army/").status_code == 404


def test_petition_appeal_to_a_department_ends_with_the_case_dispatched(login, petition, housing, tree):
    client = login(petition)
    form = client.get("/handoffs/new/petition/")
    body = form.content.decode()
    assert "城关区住建局" in body and "responsible department" in body
    data = {
        "external_ref": "XF6201022026000001",
        "center": "620102001",
        "petition_category": "appeal",
        "departments": str(housing.pk),
        "category": "d-labour--wages",
        "title": "反映拖欠工资",
        "applicant-party_kind": "person",
        "applicant-name": "孙七",
        "applicant-id_number": ID_APPLICANT,
        "respondent-party_kind": "person",
        "third_party-party_kind": "person",
    }
    missing = client.post("/handoffs/new/petition/", {**data, "departments": ""})
    assert missing.status_code == 200 and missing.context["form"].errors["departments"]
    assert Handoff.objects.count() == 0
    response = client.post("/handoffs/new/petition/", data)
    assert response.status_code == 302
    case = Handoff.objects.get().case
    assert case.status == Status.DISPATCHED
    assert list(case.dispatches.values_list("department__name", flat=True)) == ["城关区住建局"]


def test_petition_department_options_follow_the_chosen_center(login, petition, housing, tree):
    options = login(petition).get("/handoffs/new/petition/departments/", {"center": "620102002"})
    body = options.content.decode()
    assert "城关区住建局" in body and "雁南街道司法所" in body and "东岗街道司法所" not in body


# --- The list -------------------------------------------------------------------------------------


def test_the_list_shows_each_side_its_own_with_the_figures(login, court, police, clerk, tree):
    send_court_case(court)
    login(police).post(
        "/handoffs/new/police/",
        {
            "external_ref": "J1",
            "alert_at": "2026-11-29T21:30",
            "center": "620102001",
            "title": "口角",
            "applicant-name": "甲",
            "applicant-party_kind": "person",
            "respondent-party_kind": "person",
            "third_party-party_kind": "person",
        },
    )
    center_page = login(clerk).get("/handoffs/")
    assert {h.source for h in center_page.context["page"]} == {"court", "police"}
    assert [block["source"] for block in center_page.context["figures"]] == ["court", "police"]
    assert center_page.context["send_buttons"] == [] and center_page.context["came_back"] is None
    court_page = login(court).get("/handoffs/")
    assert [h.source for h in court_page.context["page"]] == ["court"]
    body = court_page.content.decode()
    assert "/handoffs/new/court/" in body and "/handoffs/import/" in body
    assert "100.0%" in body  # diverted: one of one
    court_tab = login(court).get("/handoffs/", {"source": "police"})
    assert court_tab.context["page"].paginator.count == 0


def test_the_case_number_links_only_for_those_who_see_the_case(login, court, clerk, member_at, tree):
    handoff = send_court_case(court)
    auditor = member_at("parent", Role.AUDITOR)
    for user in (clerk, court, auditor):
        row = login(user).get("/handoffs/").context["page"][0]
        assert row.case_visible, user
    assert f'href="/cases/{handoff.case_id}/"' in login(clerk).get("/handoffs/").content.decode()


def test_an_overdue_court_handoff_is_marked(login, court, clerk, tree):
    handoff = send_court_case(court)
    Handoff.objects.filter(pk=handoff.pk).update(due_at=timezone.now() - timedelta(days=1))
    response = login(clerk).get("/handoffs/")
    assert response.context["page"][0].late is True
    assert 'class="overdue"' in response.content.decode()


def test_the_list_query_count_stays_flat(login, court, clerk, tree, django_assert_max_num_queries):
    send_court_case(court, 1)
    send_court_case(court, 2, center="620102")
    client = login(clerk)
    with CaptureQueriesContext(connection) as few:
        assert client.get("/handoffs/").status_code == 200
    for n in range(3, 15):
        send_court_case(court, n)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get("/handoffs/")
    assert len(response.context["page"]) == 13  # the clerk's township, not the county's own


def test_the_nav_offers_hand_offs_to_senders_and_centers_only(login, court, clerk, member_at, tree):
    assert 'href="/handoffs/"' in login(court).get("/cases/").content.decode()
    assert 'href="/handoffs/"' in login(clerk).get("/cases/").content.decode()
    mediator = member_at("own", Role.MEDIATOR)
    assert 'href="/handoffs/"' not in login(mediator).get("/cases/").content.decode()


def test_an_empty_hand_off_list_offers_the_senders_next_step(login, court, clerk, tree):
    page = login(court).get("/handoffs/").content.decode()
    assert "Nothing has been handed over here yet." in page
    assert 'href="/handoffs/new/court/">Transfer a pre-litigation case</a>' in page
    send_court_case(court)
    filtered = login(court).get("/handoffs/", {"q": "不存在"}).content.decode()
    assert "No hand-offs match this filter." in filtered and ">Clear the filter</a>" in filtered
    assert "Nothing has been handed over here yet." not in login(clerk).get("/handoffs/").content.decode()
